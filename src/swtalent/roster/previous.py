"""Earlier winners of an award, from a file the bureau keeps (--previous FILE).

A CSV (UTF-8, or GBK as Excel saves it in China) or a workbook with a 身份证号 / person_id column,
a year column (年度, 评选年度, year or period) and, optionally, rule_id / 规则编号 to say which
award; without it a row counts for every award rule. Until a payment ledger exists this file is
how an award that bars repeat winners learns who won before.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, header_key
from .source import PendingSheet

_COLUMNS = {
    "person_id": {header_key(a) for a in ("person_id", *FIELDS["person_id"].aliases)},
    "year": {header_key(a) for a in ("year", "period", "年度", "评选年度", "年份")},
    "rule_id": {header_key(a) for a in ("rule_id", "规则编号")},
}

_SHOWN = {"person_id": "身份证号", "year": "年度"}


def load_previous(path: str | Path) -> pd.DataFrame:
    """person_id, rule_id ('' when not given) and year of each earlier winner."""
    path = Path(path)
    rows = _rows(path)
    header, body = rows[0], rows[1:]
    where = Location(file=str(path), row=1)
    index = {}
    for key, names in _COLUMNS.items():
        hit = [j for j, h in enumerate(header) if header_key(h) in names]
        if hit:
            index[key] = hit[0]
        elif key != "rule_id":
            raise SwtalentError([Issue.make("previous.column-missing", where, column=_SHOWN[key])])
    out = []
    for r, row in enumerate(body, start=2):
        cells = [str(c).strip() for c in row] + [""] * len(header)
        pid = "".join(cells[index["person_id"]].split()).upper()
        if not pid:
            continue
        year = re.match(r"(\d{4})", cells[index["year"]])
        if not year:
            at = Location(file=str(path), row=r, column=header[index["year"]])
            raise SwtalentError([Issue.make("previous.year-invalid", at, cells[index["year"]])])
        out.append((pid, cells[index["rule_id"]] if "rule_id" in index else "", int(year.group(1))))
    return pd.DataFrame(out, columns=["person_id", "rule_id", "year"])


def _rows(path: Path) -> list[list]:
    if not path.exists():
        raise SwtalentError([Issue.make("file.not-found", Location(file=str(path)))])
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(raw.decode(encoding).splitlines()))
            except UnicodeDecodeError:
                continue
    sheet = PendingSheet(path).result()
    return [["" if c is None else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)) for c in row]
            for row in sheet.rows]
