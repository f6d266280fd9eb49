"""Shared helpers: real roster workbooks written to tmp_path, and the shipped Chuzhou policy."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
CHUZHOU = ROOT / "policies" / "chuzhou.yaml"
EXAMPLE = ROOT / "examples" / "chuzhou-roster.xlsx"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
HEADERS = ["姓名", "身份证号", "人员类别", "证书等级", "取得证书日期", "报考地", "入职日期", "离职日期", "区县"]


def make_id(seq: int, born: str = "19900101", region: str = "341102") -> str:
    body = f"{region}{born}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def cn(seq: int) -> str:
    """A number written in Chinese digits, for test names: a name holding digits is a row problem."""
    return str(seq).translate(str.maketrans("0123456789", "〇一二三四五六七八九"))


def person(seq: int = 1, *, name: str | None = None, category: str = "社区工作人员", level: str = "助理社会工作师",
           qualified: object = date(2023, 3, 15), place: str = "滁州市", hired: object = None, left: object = None,
           district: str = "琅琊区", pid: object = None) -> list:
    return [f"测试{cn(seq)}" if name is None else name, make_id(seq) if pid is None else pid, category, level, qualified, place, hired,
            left, district]


def write_roster(path: Path, rows: list[list], headers: list[str] = HEADERS, *, title_rows: int = 0,
                 sheet: str = "花名册") -> Path:
    """A roster as a clerk's workbook: optional title rows, then the header, then the rows.
    Dates are written as real Excel dates, strings as text, numbers as numbers."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for t in range(title_rows):
        ws.write_string(r, 0, f"滁州市社会工作人才花名册 标题{t + 1}")
        r += 2
    ws.write_row(r, 0, headers)
    for row in rows:
        r += 1
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(r, j, v, day)
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v)
            elif v is not None:
                ws.write_string(r, j, v)
    book.close()
    return path


@pytest.fixture
def roster(tmp_path):
    """roster(rows, **kw) -> path of a new roster workbook."""
    counter = iter(range(1000))

    def make(rows, **kw):
        return write_roster(tmp_path / f"roster{next(counter)}.xlsx", rows, **kw)
    return make


from .pgserver import ledger_url, postgres_url  # noqa: F401  (ledger databases: SQLite and a real PostgreSQL)


@pytest.fixture(autouse=True)
def _own_ledger(tmp_path, monkeypatch):
    """No test reads or writes the developer's own ledger (the per-user default): each test's runs
    without --ledger use a file of its own, made only if a test commits."""
    monkeypatch.setenv("SWTALENT_LEDGER", str(tmp_path / "default-ledger.db"))
