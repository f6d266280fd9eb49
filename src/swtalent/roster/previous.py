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
from .cells import Column, is_number, number_text, per_distinct
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
_MOST = 2**63 - 1  # fen or months: the largest the ledger's BIGINT holds
COLUMNS = ["person_id", "rule_id", "year", "level", "months", "amount_fen"]


def load_previous(path: str | Path, need_year: bool = True, as_written: bool = False) -> pd.DataFrame:
    """person_id, rule_id ('' when not given), year (0 when not given and not needed), level, months
    and amount in fen of each earlier payment or winner. An ID that is not a valid resident ID (or
    was typed as a number, losing digits) stops the run: a barred winner or a capped payment must
    never slip through on a mistyped number.

    Column by column, each distinct value looked at once (a year, a level, an amount repeat down a
    file of a million payments); each row is said by its own row number, blank rows counted."""
    path = Path(path)
    sheet = PendingSheet(path, first_only=True).result().sheets[0]
    grid = sheet.grid
    columns = [Column(grid[:, j]) for j in range(grid.shape[1])]
    texts = [c.per_value(_text) for c in columns]
    filled = np.zeros(len(grid), dtype=bool)
    for t in texts:
        filled |= t != ""
    rows = np.flatnonzero(filled)  # blank rows are no payment, and keep the numbers of the others
    excel_row = rows + sheet.first_row
    header = [t[rows[0]] for t in texts] if len(rows) else []  # the first row holding something
    where = Location(file=str(path), row=int(excel_row[0]) if len(rows) else 1)
    index = {}
    for key, names in _COLUMNS.items():
        hit = [j for j, h in enumerate(header) if header_key(h) in names]
        if hit:
            index[key] = hit[0]
        elif key == "person_id" or key == "year" and need_year:
            raise SwtalentError([Issue.make("previous.column-missing", where, column=_SHOWN[key])])
    body, excel_row = rows[1:], excel_row[1:]

    def cells(key: str) -> np.ndarray:
        return texts[index[key]][body] if key in index else np.full(len(body), "", dtype=object)

    ids = columns[index["person_id"]]
    pid = ids.per_value(lambda v: "".join(_text(v).split()).upper())[body]
    problems: list[tuple[int, Issue]] = []
    left = np.ones(len(body), dtype=bool)  # rows not yet found wrong: each row is said once, its first problem

    def said(mask: np.ndarray, code: str, key: str, shown: np.ndarray | None) -> None:
        nonlocal left
        mask &= left
        column = header[index[key]]
        problems.extend((int(excel_row[i]), Issue.make(code, Location(file=str(path), row=int(excel_row[i]), column=column),
                                                        *(() if shown is None else (shown[i],))))
                        for i in np.flatnonzero(mask))
        left &= ~mask

    no_id = pid == ""
    mapped = np.zeros(len(body), dtype=bool)
    for key in index:
        mapped |= cells(key) != ""
    said(no_id & mapped, "previous.id-missing", "person_id", None)  # a payment with no one to count it against
    left &= ~no_id
    said(ids.is_number()[body], "roster.id-number", "person_id", pid)
    said(~check_ids(pid).checksum_ok, "previous.id-invalid", "person_id", pid)
    year_text = cells("year")
    year = per_distinct(year_text, lambda t: int(m.group(1)) if (m := re.match(r"(\d{4})", t)) else -1, np.int64)
    if "year" in index:
        said(year < 0, "previous.year-invalid", "year", year_text)
    year = np.where(year < 0, 0, year)
    months, amount = cells("months"), cells("amount")
    # A number past what the ledger can hold (an ID pasted into 金额) is no amount either.
    bad_amount = per_distinct(amount, lambda t: bool(t) and not (_is_decimal(t) and 0 <= to_fen(Decimal(t)) <= _MOST),
                              bool)
    bad_months = per_distinct(months, lambda t: bool(t) and not (_is_decimal(t) and 0 <= Decimal(t) <= _MOST
                                                              and Decimal(t) % 1 == 0), bool)
    if "amount" in index:
        said(bad_amount, "previous.number-invalid", "amount", amount)
    if "months" in index:
        said(bad_months, "previous.number-invalid", "months", months)
    if problems:
        raise SwtalentError([issue for _, issue in sorted(problems, key=lambda p: p[0])])
    keep = left
    fen = per_distinct(amount[keep], lambda t: to_fen(Decimal(t)) if t else 0, np.int64)
    count = per_distinct(months[keep], lambda t: int(Decimal(t)) if t else 0, np.int64)
    frame = pd.DataFrame({"person_id": pid[keep], "rule_id": cells("rule_id")[keep], "year": year[keep],
                          "level": cells("level")[keep], "months": count, "amount_fen": fen,
                          # for `ledger import`, which records each month a payment covered: the year or
                          # period cell as typed (2023-01..2023-06), the row number, whether months were given
                          "period": year_text[keep], "row": excel_row[keep], "months_given": months[keep] != ""})
    return frame if as_written else frame[COLUMNS]


def _is_decimal(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _text(cell: object) -> str:
    return number_text(cell) if is_number(cell) else ("" if cell is None else str(cell).strip())
