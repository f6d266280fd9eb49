"""`--previous` and `ledger import` read a file of earlier payments column by column (85,000 lines:
7.1 s by row, 0.46 s so), held here to the reading by row that it replaced, kept as the reference:
the same payments, and for a file with mistakes the same problems, each row's first, in row order.
A blank line is skipped and does not shift the row numbers of the lines after it."""
from __future__ import annotations

import csv
import random
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum.cn.ric import calc_check_digit

from swtalent.errors import Issue, Location, SwtalentError
from swtalent.fields import header_key
from swtalent.money import to_fen
from swtalent.roster.cells import is_number
from swtalent.roster.ids import check_ids
from swtalent.roster.previous import (
    _COLUMNS,
    _SHOWN,
    COLUMNS,
    _is_decimal,
    _text,
    load_previous,
)
from swtalent.roster.source import PendingSheet


def reference(path: Path, need_year: bool = True, as_written: bool = False) -> pd.DataFrame:
    """The per-row reading kept as the reference (before the column-wise one)."""
    rows = [(k, r) for k, r in enumerate(PendingSheet(path, first_only=True).result().sheets[0].rows, start=1)
            if any(_text(c) for c in r)]  # each with its own row number (the reading by row lost them)
    header, body = (rows[0][1], rows[1:]) if rows else ([], [])
    where = Location(file=str(path), row=1)
    index = {}
    for key, names in _COLUMNS.items():
        hit = [j for j, h in enumerate(header) if header_key(h) in names]
        if hit:
            index[key] = hit[0]
        elif key == "person_id" or key == "year" and need_year:
            raise SwtalentError([Issue.make("previous.column-missing", where, column=_SHOWN[key])])
    out, problems = [], []
    for r, row in body:
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



def _id(k: int) -> str:
    body = f"3411021985{(k % 12) + 1:02d}{(k % 28) + 1:02d}{k % 1000:03d}"
    return body + calc_check_digit(body + "0")  # stdnum reads the first 17 of the 18


BAD = ["", "341102198501010010", "34110219850101001X", "12345", "abc"]


def _write(path: Path, rows: int, seed: int, mistakes: bool) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["身份证号", "姓名", "规则编号", "等级", "月数", "金额", "年度"])
        for k in range(rows):
            pid = _id(rng.randrange(5000))
            row = [pid, "张三", rng.choice(["subsidy", "allowance", ""]), rng.choice(["社会工作师", "assistant", ""]),
                   rng.choice(["", "12", "3", "0"]), rng.choice(["1000.00", "400", "0.5", ""]),
                   rng.choice(["2022", "2023年", "2023-01..2023-06", "2021"])]
            if mistakes and rng.random() < 0.2:
                j = rng.choice([0, 0, 4, 5, 6])
                row[j] = rng.choice({0: BAD, 4: ["1.5", "-2", "十二"], 5: ["-1", "一千", "1e3x"],
                                     6: ["去年", "", "23"]}[j])
                if j == 0 and row[0] == "":
                    row[1:] = ["", "", "", "", "", ""] if rng.random() < 0.5 else row[1:]
            out.writerow(row)
    return path


def _said(exc: SwtalentError) -> list[tuple]:
    return [(i.code, i.location.row, i.location.column, i.value) for i in exc.issues]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_payments_as_the_reading_by_row(tmp_path, seed):
    path = _write(tmp_path / "p.csv", 3000, seed, mistakes=False)
    for as_written in (False, True):
        pd.testing.assert_frame_equal(load_previous(path, as_written=as_written), reference(path, as_written=as_written))


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_the_same_problems_as_the_reading_by_row(tmp_path, seed):
    path = _write(tmp_path / "p.csv", 3000, seed, mistakes=True)
    with pytest.raises(SwtalentError) as new:
        load_previous(path)
    with pytest.raises(SwtalentError) as old:
        reference(path)
    assert len(_said(new.value)) > 100
    assert _said(new.value) == _said(old.value)
    assert {c for c, *_ in _said(new.value)} >= {"previous.id-invalid", "previous.id-missing", "previous.year-invalid",
                                                   "previous.number-invalid"}


def test_a_blank_line_does_not_shift_the_row_numbers(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(f"身份证号,年度,金额\n{_id(1)},2022,1000\n,,\n\n{_id(2)},2022,一千\n", encoding="utf-8")
    with pytest.raises(SwtalentError) as bad:
        load_previous(path)
    assert _said(bad.value) == [("previous.number-invalid", 5, "金额", "一千")]  # row 5, as Excel shows the file


def test_an_id_typed_as_a_number_in_a_workbook(tmp_path):
    import openpyxl

    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["身份证号", "年度"])
    sheet.append([_id(1), 2022])
    sheet.append([int(_id(2)[:17] + "0"), 2022])
    book.save(path)
    with pytest.raises(SwtalentError) as bad:
        load_previous(path)
    (code, row, column, _),  = _said(bad.value)
    assert (code, row, column) == ("roster.id-number", 3, "身份证号")


@pytest.mark.parametrize("first", [True, 1])
def test_true_in_a_workbook_is_not_the_number_1(tmp_path, first):
    """To Python True == 1: a cell holding TRUE must not be read as 1 month, nor a 1 as TRUE,
    whichever comes first."""
    import openpyxl

    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["身份证号", "规则编号", "期间", "月数", "金额"])
    other = 1 if first is True else True
    sheet.append([_id(1), "post-allowance", "2023-01", first, 200])
    sheet.append([_id(2), "post-allowance", "2023-01", other, 200])
    book.save(path)
    with pytest.raises(SwtalentError) as bad:
        load_previous(path, need_year=False)
    row = 2 if first is True else 3
    assert _said(bad.value) == [("previous.number-invalid", row, "月数", "True")]


def test_an_amount_past_what_the_ledger_holds_is_said_not_a_crash(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(f"身份证号,年度,金额,月数\n{_id(1)},2023,341122199411281032,\n{_id(2)},2023,100,99999999999999999999\n",
                    encoding="utf-8")
    with pytest.raises(SwtalentError) as bad:
        load_previous(path)
    assert _said(bad.value) == [("previous.number-invalid", 2, "金额", "341122199411281032"),
                                ("previous.number-invalid", 3, "月数", "99999999999999999999")]
