"""Earlier payments and award winners, from a file the bureau keeps (--previous FILE).

A CSV (UTF-8, or GBK as Excel saves it in China) or a workbook with a 身份证号 / person_id column
and, as the rules need them: a year column (年度, 评选年度, year or period: an award that bars
repeat winners), rule_id / 规则编号 (without it a row counts for every rule), level, months and
amount — the columns of swtalent's own CSV detail output, so earlier runs' outputs, with the
year added, are the history. Until a payment ledger exists this file is how a rule learns what
was paid before: a lifetime cap, the difference on upgrade, months already paid.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, header_key
from ..money import to_fen
from .cells import is_number, number_text
from .ids import check_ids
from .source import PendingSheet

_COLUMNS = {
    "person_id": {header_key(a) for a in ("person_id", *FIELDS["person_id"].aliases)},
    "year": {header_key(a) for a in ("year", "period", "年度", "评选年度", "年份", "期间")},
    "rule_id": {header_key(a) for a in ("rule_id", "规则编号")},
    "level": {header_key(a) for a in ("level", "等级", "证书等级")},
    "months": {header_key(a) for a in ("months", "月数")},
    "amount": {header_key(a) for a in ("amount", "金额", "金额（元）", "发放金额")},
}

_SHOWN = {"person_id": "身份证号", "year": "年度"}
COLUMNS = ["person_id", "rule_id", "year", "level", "months", "amount_fen"]


def load_previous(path: str | Path, need_year: bool = True, as_written: bool = False) -> pd.DataFrame:
    """person_id, rule_id ('' when not given), year (0 when not given and not needed), level, months
    and amount in fen of each earlier payment or winner. An ID that is not a valid resident ID (or
    was typed as a number, losing digits) stops the run: a barred winner or a capped payment must
    never slip through on a mistyped number."""
    path = Path(path)
    rows = _rows(path)
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    where = Location(file=str(path), row=1)
    index = {}
    for key, names in _COLUMNS.items():
        hit = [j for j, h in enumerate(header) if header_key(h) in names]
        if hit:
            index[key] = hit[0]
        elif key == "person_id" or key == "year" and need_year:
            raise SwtalentError([Issue.make("previous.column-missing", where, column=_SHOWN[key])])
    out, problems = [], []
    for r, row in enumerate(body, start=2):
        cells = [_text(c) for c in row] + [""] * len(header)
        raw_id = row[index["person_id"]] if index["person_id"] < len(row) else ""
        pid = "".join(cells[index["person_id"]].split()).upper()
        at = Location(file=str(path), row=r, column=header[index["person_id"]])
        if not pid:
            if any(cells[j] for j in index.values()):  # a payment with no one to count it against
                problems.append(Issue.make("previous.id-missing", at))
            continue
        if is_number(raw_id):
            problems.append(Issue.make("roster.id-number", at, pid))
            continue
        found = check_ids(np.array([pid], dtype=object))
        if not found.checksum_ok[0]:
            problems.append(Issue.make("previous.id-invalid", at, pid))
            continue
        year = re.match(r"(\d{4})", cells[index["year"]]) if "year" in index else None
        if "year" in index and not year:
            problems.append(Issue.make("previous.year-invalid", Location(file=str(path), row=r,
                                                                          column=header[index["year"]]),
                                       cells[index["year"]]))
            continue
        months, amount = cells[index["months"]] if "months" in index else "", cells[index["amount"]] if "amount" in index else ""
        bad_amount = amount and not (_is_decimal(amount) and Decimal(amount) >= 0)
        bad_months = months and not (_is_decimal(months) and Decimal(months) >= 0 and Decimal(months) % 1 == 0)
        if bad_amount or bad_months:
            column = header[index["amount" if bad_amount else "months"]]
            problems.append(Issue.make("previous.number-invalid", Location(file=str(path), row=r, column=column),
                                       amount if bad_amount else months))
            continue
        fen = to_fen(Decimal(amount)) if amount else 0
        count = int(Decimal(months)) if months else 0
        out.append((pid, cells[index["rule_id"]] if "rule_id" in index else "", int(year.group(1)) if year else 0,
                    cells[index["level"]] if "level" in index else "", count, fen,
                    cells[index["year"]] if "year" in index else "", r, bool(months)))
    if problems:
        raise SwtalentError(problems)
    # as_written: also the year or period cell as typed (2023-01..2023-06), the row number, and
    # whether months were given, for `ledger import`, which records each month a payment covered.
    frame = pd.DataFrame(out, columns=COLUMNS + ["period", "row", "months_given"])
    return frame if as_written else frame[COLUMNS]


def _is_decimal(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _text(cell: object) -> str:
    return number_text(cell) if is_number(cell) else ("" if cell is None else str(cell).strip())


def _rows(path: Path) -> list[list]:
    """The first sheet's non-blank rows (the whole file for a CSV)."""
    rows = PendingSheet(path, first_only=True).result().sheets[0].rows
    return [row for row in rows if any(_text(c) for c in row)]
