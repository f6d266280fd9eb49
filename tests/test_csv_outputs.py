"""Every CSV swtalent writes opens in Excel in China on a double-click: it begins with the UTF-8
byte-order mark (without it Excel reads the file as GBK and garbles the names). --no-csv-bom
writes plain UTF-8 for programs. The test reads the files' first bytes."""
from __future__ import annotations

import csv
import json

import pytest

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("plain", [False, True], ids=["default", "no-csv-bom"])
def test_detail_and_notice_csv_begin_with_the_byte_order_mark_unless_asked(tmp_path, plain):
    detail, notice, records = tmp_path / "detail.csv", tmp_path / "公示.csv", tmp_path / "detail.json"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", detail, "--out", records,
                    "--notice", notice, *(["--no-csv-bom"] if plain else []))
    assert result.exit_code == 0, result.output
    mark = b"" if plain else BOM
    assert detail.read_bytes().startswith(mark + b"person_id,name,rule_id,")
    assert notice.read_bytes().startswith(mark + "序号,姓名,身份证号".encode())
    assert records.read_bytes().startswith(b"[")  # JSON is for programs: never a mark
    with detail.open(encoding="utf-8-sig", newline="") as fh:  # the names read back as written
        assert "孙志强" in {r["name"] for r in csv.DictReader(fh)}


def test_a_detail_csv_with_its_mark_is_read_back_as_previous_payments(tmp_path):
    from swtalent.roster.previous import load_previous

    detail = tmp_path / "2023.csv"
    assert invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", detail).exit_code == 0
    assert detail.read_bytes().startswith(BOM)
    earlier = load_previous(detail, need_year=False)
    with detail.open(encoding="utf-8-sig", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert list(earlier["person_id"]) == [r["person_id"] for r in written]  # the first column's header was read
    assert int(earlier["amount_fen"].sum()) == 17_520_000


@pytest.mark.parametrize("plain", [False, True], ids=["default", "no-csv-bom"])
def test_ledger_show_and_export_csv(tmp_path, plain):
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    committed = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--ledger", ledger, "--commit",
                       "--out", tmp_path / "p.xlsx", "--json")
    assert committed.exit_code == 0, committed.output
    batch = json.loads(committed.stdout)["batch"]
    flag = ["--no-csv-bom"] if plain else []
    shown, exported = tmp_path / "batch.csv", tmp_path / "paid.csv"
    assert invoke("ledger", "show", batch, "--ledger", ledger, "--out", shown, *flag).exit_code == 0
    assert invoke("ledger", "export", "--ledger", ledger, "--out", exported, *flag).exit_code == 0
    mark = b"" if plain else BOM
    for path in (shown, exported):
        assert path.read_bytes().startswith(mark + b"person_id,name,rule_id,")
