"""Earlier winners of an award, from a file the bureau keeps (--previous FILE).

A CSV (UTF-8, or GBK as Excel saves it in China) or a workbook with a 身份证号 / person_id column,
a year column (年度, 评选年度, year or period) and, optionally, rule_id / 规则编号 to say which
award; without it a row counts for every award rule. Until a payment ledger exists this file is
how an award that bars repeat winners learns who won before.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, header_key
from .cells import is_number, number_text
from .ids import check_ids
from .source import PendingSheet

_COLUMNS = {
    "person_id": {header_key(a) for a in ("person_id", *FIELDS["person_id"].aliases)},
    "year": {header_key(a) for a in ("year", "period", "年度", "评选年度", "年份")},
    "rule_id": {header_key(a) for a in ("rule_id", "规则编号")},
}

_SHOWN = {"person_id": "身份证号", "year": "年度"}


def load_previous(path: str | Path) -> pd.DataFrame:
    """person_id, rule_id ('' when not given) and year of each earlier winner. An ID that is not a
    valid resident ID (or was typed as a number, losing digits) stops the run: a barred winner
    must never slip through on a mistyped number."""
    path = Path(path)
    rows = _rows(path)
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    where = Location(file=str(path), row=1)
    index = {}
    for key, names in _COLUMNS.items():
        hit = [j for j, h in enumerate(header) if header_key(h) in names]
        if hit:
            index[key] = hit[0]
        elif key != "rule_id":
            raise SwtalentError([Issue.make("previous.column-missing", where, column=_SHOWN[key])])
    out, problems = [], []
    for r, row in enumerate(body, start=2):
        cells = [_text(c) for c in row] + [""] * len(header)
        raw_id = row[index["person_id"]] if index["person_id"] < len(row) else ""
        pid = "".join(cells[index["person_id"]].split()).upper()
        if not pid:
            continue
        at = Location(file=str(path), row=r, column=header[index["person_id"]])
        if is_number(raw_id):
            problems.append(Issue.make("roster.id-number", at, pid))
            continue
        found = check_ids(np.array([pid], dtype=object))
        if not found.checksum_ok[0]:
            problems.append(Issue.make("previous.id-invalid", at, pid))
            continue
        year = re.match(r"(\d{4})", cells[index["year"]])
        if not year:
            problems.append(Issue.make("previous.year-invalid", Location(file=str(path), row=r,
                                                                          column=header[index["year"]]),
                                       cells[index["year"]]))
            continue
        out.append((pid, cells[index["rule_id"]] if "rule_id" in index else "", int(year.group(1))))
    if problems:
        raise SwtalentError(problems)
    return pd.DataFrame(out, columns=["person_id", "rule_id", "year"])


def _text(cell: object) -> str:
    return number_text(cell) if is_number(cell) else ("" if cell is None else str(cell).strip())


def _rows(path: Path) -> list[list]:
    """The first sheet's non-blank rows (the whole file for a CSV)."""
    rows = PendingSheet(path, first_only=True).result().sheets[0].rows
    return [row for row in rows if any(_text(c) for c in row)]
