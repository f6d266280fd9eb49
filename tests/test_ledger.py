"""The payment ledger, on SQLite and on a real PostgreSQL server (tests/pgserver.py): a batch on
record, nothing paid twice, corrections by reversal, earlier payments imported, a commit that is
killed or raced leaving the ledger whole."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import CHUZHOU, EXAMPLE, ROOT, make_id, write_roster
from .test_cli import invoke

WEIHAI = ROOT / "policies" / "weihai.yaml"
JIUJIANG = ROOT / "policies" / "jiujiang.yaml"
CANDIDATES = ROOT / "examples" / "jiujiang-candidates.xlsx"
FIXTURES = ROOT / "tests" / "fixtures"


def compute(url: str, period: str, *extra, roster=EXAMPLE, policy=CHUZHOU, code: int = 0) -> dict:
    if "--commit" in extra and "--out" not in extra:  # a commit needs the payroll it is paid from
        extra = (*extra, "--out", Path(tempfile.mkdtemp()) / "detail.csv")
    result = invoke("compute", roster, "--policy", policy, "--period", period, "--ledger", url, "--json", *extra)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def batches(url: str) -> list[dict]:
    result = invoke("ledger", "list", "--ledger", url, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["batches"]


def total(summary: dict) -> Decimal:
    return Decimal(summary["total"])


def test_h1_then_the_year_pays_only_what_h1_did_not(ledger_url):
    whole_year = compute(ledger_url, "2023")  # nothing committed yet: what the year pays
    h1 = compute(ledger_url, "2023-01..2023-06", "--commit")
    rest = compute(ledger_url, "2023", "--commit")
    assert h1["batch"] and rest["batch"] and h1["batch"] != rest["batch"]
    assert total(h1) + total(rest) == total(whole_year) and total(rest) < total(whole_year)
    listed = batches(ledger_url)
    assert [(b["id"], b["period"], b["total"], b["status"]) for b in listed] == [
        (h1["batch"], "2023-01..2023-06", h1["total"], "committed"), (rest["batch"], "2023", rest["total"], "committed")]
    # The same roster, policy and period again: nothing new, no batch.
    again = compute(ledger_url, "2023", "--commit")
    assert again["batch"] is None and total(again) == 0 and len(batches(ledger_url)) == 2


def test_what_is_left_out_says_which_batch_paid_it(ledger_url, tmp_path):
    first = compute(ledger_url, "2023", "--commit")
    out = tmp_path / "again.xlsx"
    compute(ledger_url, "2023", "--out", out)
    import openpyxl

    unpaid = openpyxl.load_workbook(out, read_only=True)["不予发放"]
    reasons = [r[-1] for r in unpaid.iter_rows(min_row=2, values_only=True)]
    assert any(f"已发放（批次 {first['batch']}，" in (r or "") for r in reasons)
    explained = invoke("explain", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--ledger", ledger_url,
                       "--person", "341122199411281032", "--json")
    assert explained.exit_code == 0 and f"已发放（批次 {first['batch']}" in explained.stdout


def test_the_payroll_and_basis_carry_the_batch_id(ledger_url, tmp_path):
    out = tmp_path / "h1.xlsx"
    h1 = compute(ledger_url, "2023-01..2023-06", "--commit", "--out", out)
    import openpyxl

    book = openpyxl.load_workbook(out, read_only=True)
    basis = {r[0]: r[1] for r in book["计算依据"].iter_rows(values_only=True)}
    assert basis["账本批次编号"] == h1["batch"]
    payroll = next(ws for ws in book.worksheets if ws.title.startswith("发放花名册"))
    assert any(h1["batch"] in str(c) for row in payroll.iter_rows(max_row=3, values_only=True) for c in row if c)


def _weihai(tmp_path: Path, rows: list[tuple[str, str]], name: str) -> Path:
    headers = ["姓名", "身份证号", "人员类别", "证书等级", "取得证书日期"]
    return write_roster(tmp_path / name, [["王芳", make_id(7), "执业社会工作者", level, day] for level, day in rows],
                        headers=headers)


def test_a_one_off_is_never_paid_twice_and_an_upgrade_pays_the_difference(ledger_url, tmp_path):
    y2023 = _weihai(tmp_path, [("助理社会工作师", date(2023, 3, 1))], "2023.xlsx")
    assert total(compute(ledger_url, "2023", "--commit", roster=y2023, policy=WEIHAI)) == 1000
    assert total(compute(ledger_url, "2023", "--commit", roster=y2023, policy=WEIHAI)) == 0  # never twice
    # 2024: the same person passes 社会工作师; the ledger is the history (no --previous): 2000 - 1000.
    y2024 = _weihai(tmp_path, [("助理社会工作师", date(2023, 3, 1)), ("社会工作师", date(2024, 5, 1))], "2024.xlsx")
    upgraded = compute(ledger_url, "2024", "--commit", roster=y2024, policy=WEIHAI)
    assert total(upgraded) == 1000
    # Re-running 2023 on the 2024 roster pays nothing more: the assistant level is claimed.
    assert total(compute(ledger_url, "2023", roster=y2024, policy=WEIHAI)) == 0


def test_void_makes_a_batch_payable_again(ledger_url):
    first = compute(ledger_url, "2023-01..2023-03", "--commit")
    voided = invoke("ledger", "void", first["batch"], "--ledger", ledger_url, "--reason", "名单有误，重做", "--json")
    assert voided.exit_code == 0, voided.output
    assert json.loads(voided.stdout) == {"ok": True, "batch": first["batch"], "reversed_lines": first["lines"]}
    assert [b["status"] for b in batches(ledger_url)] == ["void"] and batches(ledger_url)[0]["total"] == "0.00"
    again = compute(ledger_url, "2023-01..2023-03", "--commit")
    assert total(again) == total(first) and again["batch"] != first["batch"]
    twice = invoke("ledger", "void", first["batch"], "--ledger", ledger_url, "--reason", "再次")
    assert twice.exit_code == 1 and "均已冲销" in twice.stderr


def test_a_bank_return_makes_that_persons_lines_payable_again(ledger_url):
    first = compute(ledger_url, "2023-01..2023-06", "--commit")
    shown = json.loads(invoke("ledger", "show", first["batch"], "--ledger", ledger_url, "--json").stdout)
    person = shown["lines"][0]["person_id"]
    theirs = sum(Decimal(r["amount"]) for r in shown["lines"] if r["person_id"] == person)
    back = invoke("ledger", "return", first["batch"], "--person", person, "--reason", "账户错误", "--ledger", ledger_url)
    assert back.exit_code == 0, back.output
    listed = batches(ledger_url)[0]
    assert listed["status"] == "returned" and Decimal(listed["total"]) == total(first) - theirs
    repaid = compute(ledger_url, "2023-01..2023-06", "--commit")
    assert total(repaid) == theirs
    lines = json.loads(invoke("ledger", "show", repaid["batch"], "--ledger", ledger_url, "--json").stdout)["lines"]
    assert {r["person_id"] for r in lines} == {person}
    nobody = invoke("ledger", "return", first["batch"], "--person", make_id(99), "--reason", "x", "--ledger", ledger_url)
    assert nobody.exit_code == 1


def test_import_then_compute_leaves_out_what_was_paid_before(ledger_url, tmp_path):
    person = "341122199411281032"  # 孙志强 in the example: a community worker with two certificates
    old = tmp_path / "old.csv"
    with old.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["身份证号", "规则编号", "等级", "期间", "月数", "金额"])
        w.writerow([person, "post-allowance", "intermediate", "2023-01..2023-03", "3", "1200.00"])
    q1 = tmp_path / "q1.csv"  # what this run pays the person for those months, left out once imported
    compute(_fresh(tmp_path), "2023-01..2023-03", "--out", q1)
    with q1.open(encoding="utf-8-sig") as fh:
        due = sum(Decimal(r["amount"]) for r in csv.DictReader(fh)
                  if r["person_id"] == person and r["rule_id"] == "post-allowance")
    before = compute(ledger_url, "2023")
    imported = invoke("ledger", "import", old, "--policy", CHUZHOU, "--ledger", ledger_url, "--json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["total"] == "1200.00"
    after = compute(ledger_url, "2023")
    assert due > 0 and total(before) - total(after) == due
    again = invoke("ledger", "import", old, "--policy", CHUZHOU, "--ledger", ledger_url)
    assert again.exit_code == 1 and "已由批次" in again.stderr  # imported once only
    vague = tmp_path / "vague.csv"
    vague.write_text(f"身份证号,规则编号,年度,月数,金额\n{person},post-allowance,2023,3,1200\n", encoding="utf-8")
    refused = invoke("ledger", "import", vague, "--policy", CHUZHOU, "--ledger", ledger_url)
    assert refused.exit_code == 1 and "期间" in refused.stderr and "第 2 行" in refused.stderr


def test_export_lists_what_is_paid_in_the_previous_format(ledger_url, tmp_path):
    h1 = compute(ledger_url, "2023-01..2023-06", "--commit")
    out = tmp_path / "paid.csv"
    assert invoke("ledger", "export", "--ledger", ledger_url, "--out", out).exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(Decimal(r["amount"]) for r in rows) == total(h1) and {r["batch_id"] for r in rows} == {h1["batch"]}
    assert invoke("ledger", "export", "--ledger", ledger_url, "--out", out).exit_code == 2  # exists: --force
    assert invoke("ledger", "export", "--ledger", ledger_url, "--out", out, "--period", "2024", "--force").exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        assert list(csv.DictReader(fh)) == []


def test_export_with_json_prints_what_it_wrote_and_nothing_else(ledger_url, tmp_path):
    """ledger export --json, like list, show, void, return and import: JSON alone on standard output,
    the 已写入 line on standard error; a refusal is JSON too."""
    h1 = compute(ledger_url, "2023-01..2023-06", "--commit")
    out = tmp_path / "paid.xlsx"
    result = invoke("ledger", "export", "--ledger", ledger_url, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["ok"] is True and got["outputs"] == [str(out)] and Decimal(got["total"]) == total(h1)
    assert got["lines"] > 0 and f"已写入 {out}" in result.stderr
    none = json.loads(invoke("ledger", "export", "--ledger", ledger_url, "--out", tmp_path / "none.csv",
                             "--period", "2030", "--json").stdout)
    assert (none["lines"], Decimal(none["total"]), none["period"]) == (0, 0, "2030")
    again = invoke("ledger", "export", "--ledger", ledger_url, "--out", out, "--json", "--lang", "en")
    assert again.exit_code == 2 and json.loads(again.stdout)["ok"] is False and "written" not in again.stderr


def test_an_award_cycle_is_paid_once_however_the_scores_change(ledger_url, tmp_path):
    first = compute(ledger_url, "2023", "--commit", roster=CANDIDATES, policy=JIUJIANG)
    assert first["batch"] and total(first) > 0
    assert total(compute(ledger_url, "2023", "--commit", roster=CANDIDATES, policy=JIUJIANG)) == 0


def _ledger_rows(url: str) -> tuple[int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            if "batches" not in tables:
                return 0, 0, 0
            return (conn.execute(sa.text("SELECT COUNT(*) FROM batches")).scalar_one(),
                    conn.execute(sa.text("SELECT COUNT(*) FROM claims")).scalar_one(),
                    conn.execute(sa.text("SELECT COUNT(*) FROM month_claims")).scalar_one())
    finally:
        engine.dispose()


def _start(url: str, period: str, out: Path, pause: str = "", seconds: float = 60) -> subprocess.Popen:
    env = {**os.environ, "SWTALENT_TEST_PAUSE": pause, "SWTALENT_TEST_PAUSE_SECONDS": str(seconds)}
    return subprocess.Popen([sys.executable, "-m", "swtalent.cli", "compute", str(EXAMPLE), "--policy", str(CHUZHOU),
                             "--period", period, "--ledger", url, "--commit", "--json", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_a_commit_killed_mid_transaction_leaves_the_ledger_as_before(ledger_url, tmp_path):
    compute(ledger_url, "2023-01..2023-03", "--commit")
    before = _ledger_rows(ledger_url)
    proc = _start(ledger_url, "2023", tmp_path / "y.xlsx", pause="ledger-inserted")
    line = proc.stderr.readline()
    assert line.strip() == "paused at ledger-inserted", line + proc.stderr.read()
    proc.kill()
    proc.wait()
    assert _ledger_rows(ledger_url) == before
    assert not (tmp_path / "y.xlsx").exists()  # the outputs go in place only after the commit
    after = compute(ledger_url, "2023", "--commit")  # the ledger is usable, and the year is still due
    assert after["batch"] and total(after) > 0


def test_two_commits_at_once_pay_each_line_once(ledger_url, tmp_path):
    whole = total(compute(_fresh(tmp_path), "2023"))
    first = _start(ledger_url, "2023-01..2023-06", tmp_path / "a.xlsx", pause="ledger-inserted", seconds=4)
    assert first.stderr.readline().strip() == "paused at ledger-inserted"
    second = _start(ledger_url, "2023", tmp_path / "b.xlsx")  # overlaps January to June
    out_a, err_a = first.communicate(timeout=120)
    out_b, err_b = second.communicate(timeout=120)
    assert first.returncode == 0, err_a
    a = json.loads(out_a)
    if second.returncode == 0:  # it waited for the first (SQLite's write lock) and left H1 out
        b = json.loads(out_b)
        assert total(b) == whole - total(a) and [x["id"] for x in batches(ledger_url)] == [a["batch"], b["batch"]]
    else:  # it raced (PostgreSQL): the unique claim let one in, the other is told which and by whom
        assert second.returncode == 1 and f"已由批次 {a['batch']} 发放" in err_b, err_b
        assert not (tmp_path / "b.xlsx").exists()  # the loser's outputs were not put in place
        assert [x["id"] for x in batches(ledger_url)] == [a["batch"]]
        rest = compute(ledger_url, "2023", "--commit")  # run again: H1 is left out
        assert total(rest) + total(a) == whole
    assert _paid_twice(ledger_url) == 0


def _paid_twice(url: str) -> int:
    """Claims, and months, held by more than one line that is not reversed: must always be none."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    live = "LEFT JOIN reversals r{0} ON r{0}.batch_id = {0}.batch_id AND r{0}.line_no = {0}.line_no"
    try:
        with engine.connect() as conn:
            claims = conn.execute(sa.text(
                f"SELECT COUNT(*) FROM (SELECT c.person_id, c.rule_id, c.claim FROM claims c {live.format('c')} "
                "WHERE rc.batch_id IS NULL "
                "GROUP BY c.policy_id, c.person_id, c.rule_id, c.claim HAVING COUNT(*) > 1) twice")).scalar_one()
            months = conn.execute(sa.text(
                f"SELECT COUNT(*) FROM month_claims a {live.format('a')} JOIN month_claims b "
                "ON b.policy_id = a.policy_id AND b.person_id = a.person_id AND b.rule_id = a.rule_id "
                "AND b.year = a.year AND (b.batch_id > a.batch_id OR (b.batch_id = a.batch_id AND b.line_no > a.line_no)) "
                f"{live.format('b')} WHERE ra.batch_id IS NULL AND rb.batch_id IS NULL AND (a.months & b.months) != 0"
            )).scalar_one()
            return claims + months
    finally:
        engine.dispose()


def _fresh(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_a_ledger_made_by_the_first_schema_opens_and_is_honoured(tmp_path):
    copy = tmp_path / "ledger-v1.db"
    shutil.copy(FIXTURES / "ledger-v1.db", copy)
    url = f"sqlite:///{copy}"
    listed = batches(url)
    assert [b["period"] for b in listed] == ["2023-01..2023-06"] and listed[0]["total"] == "78400.00"
    rest = compute(url, "2023")
    whole = compute(_fresh(tmp_path), "2023")
    assert total(rest) == total(whole) - Decimal("78400.00")


def test_the_first_schemas_months_become_one_row_a_line_and_year(tmp_path):
    """Schema 1 kept a claim a month (2023-04); schema 2 keeps a line's months of a year as one bit
    mask. The upgrade moves every month, and what they paid stays paid, month by month."""
    import sqlite3

    copy = tmp_path / "ledger-v1.db"
    shutil.copy(FIXTURES / "ledger-v1.db", copy)
    with closing(sqlite3.connect(copy)) as db:
        said = db.execute("SELECT batch_id, line_no, person_id, rule_id, claim FROM claims "
                          "WHERE claim LIKE '____-__'").fetchall()
        others = db.execute("SELECT COUNT(*) FROM claims WHERE claim NOT LIKE '____-__'").fetchone()[0]
    assert len(said) > 100 and others > 0
    assert batches(f"sqlite:///{copy}")  # opening it upgrades it
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("SELECT MAX(version) FROM swtalent_schema").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == others  # the months left it
        rows = db.execute("SELECT batch_id, line_no, person_id, rule_id, year, months FROM month_claims").fetchall()
    spelt = {(b, n, p, r, f"{y}-{m:02d}") for b, n, p, r, y, mask in rows for m in range(1, 13) if mask >> (m - 1) & 1}
    assert spelt == set(said) and len(rows) == len({(b, n, y) for b, n, _, _, y, _ in rows})


def test_months_are_paid_once_though_two_batches_pay_the_same_year(ledger_url, tmp_path):
    """Months of one year paid by several batches (January, then March to May, then the year): each
    later batch pays only the months no line holds, a void frees exactly its months, and a batch
    that claims a month another holds is refused with the month named."""
    whole = total(compute(_fresh(tmp_path), "2023"))
    jan = compute(ledger_url, "2023-01", "--commit")
    spring = compute(ledger_url, "2023-03..2023-05", "--commit")
    rest = compute(ledger_url, "2023", "--commit")
    assert total(jan) > 0 and total(spring) > 0 and total(jan) + total(spring) + total(rest) == whole and _paid_twice(ledger_url) == 0
    assert total(compute(ledger_url, "2023")) == 0
    assert invoke("ledger", "void", spring["batch"], "--reason", "测试", "--ledger", ledger_url).exit_code == 0
    assert total(compute(ledger_url, "2023")) == total(spring)  # March to May again, nothing else

    from swtalent.ledger import LedgerConflict, open_ledger
    from swtalent.ledger.records import BatchInfo

    line = {"batch_id": "X", "line_no": 1, "person_id": "341122199411281032", "name": "孙志强",
            "rule_id": "post-allowance", "kind": "monthly", "level": "intermediate", "months": 2,
            "first_month": "2023-05", "last_month": "2023-06", "year": 2023, "amount_fen": 80_000}
    claims = [{"batch_id": "X", "line_no": 1, "policy_id": "chuzhou", "person_id": line["person_id"],
               "rule_id": "post-allowance", "claim": month} for month in ("2023-05", "2023-06")]
    book = open_ledger(ledger_url)
    try:
        with pytest.raises(LedgerConflict) as refused:
            book.commit_rows([line], claims, BatchInfo(id="X", period="2023-05..2023-06", policy_id="chuzhou"))
    finally:
        book.close()
    assert [(t.claim, t.batch_id) for t in refused.value.taken] == [("2023-06", rest["batch"])]
    assert _paid_twice(ledger_url) == 0


def test_an_unreachable_ledger_is_a_clear_error(tmp_path):
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--commit", "--out",
                    tmp_path / "p.csv", "--ledger", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none", "--json")
    assert result.exit_code == 1 and "ledger.unreachable" in result.stdout
    assert "secret" not in result.stdout + result.stderr and "Traceback" not in result.output
    garbled = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--commit", "--out",
                     tmp_path / "p.csv", "--ledger", "postgresql+psycopg://clerk:S3cret@[::1/ledger", "--json")
    assert garbled.exit_code == 1 and "S3cret" not in garbled.output


def test_commit_needs_an_output_and_the_password_is_never_written(ledger_url, tmp_path):
    refused = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--commit", "--ledger", ledger_url)
    assert refused.exit_code == 2 and "--out" in refused.stderr and batches(ledger_url) == []
    if not ledger_url.startswith("postgresql"):
        return
    import sqlalchemy as sa

    with_password = sa.make_url(ledger_url).set(password="S3cretPw")
    out = tmp_path / "p.xlsx"
    done = compute(with_password.render_as_string(hide_password=False), "2023-01", "--commit", "--out", out)
    assert done["batch"]
    import openpyxl

    basis = [str(c) for r in openpyxl.load_workbook(out, read_only=True)["计算依据"].iter_rows(values_only=True)
             for c in r if c]
    assert not any("S3cretPw" in c for c in basis)
    engine = sa.create_engine(ledger_url)
    with engine.connect() as conn:
        assert "S3cretPw" not in conn.execute(sa.text("SELECT command FROM batches")).scalar_one()
    engine.dispose()


def test_without_commit_nothing_is_written_and_no_ledger_file_is_made(tmp_path):
    url = tmp_path / "never.db"
    done = compute(str(url), "2023")  # a typo in --ledger: said, not silently taken as "nothing paid"
    assert not url.exists() and any("不存在" in n and "never.db" in n for n in done["notes"])
    assert batches(str(url)) == []
    made = compute(str(url), "2023-01", "--commit")
    assert url.exists() and any("新建了账本" in n for n in made["notes"])
    assert not any("新建了账本" in n for n in compute(str(url), "2023-02", "--commit")["notes"])


def _chuzhou(tmp_path: Path, seqs: list[int], name: str) -> Path:
    from .conftest import person

    return write_roster(tmp_path / name, [person(k) for k in seqs])  # 助理, qualified 2023-03-15, in post


def test_a_late_roster_row_is_arrears_listed_then_paid_only_when_asked(ledger_url, tmp_path):
    import openpyxl

    first = compute(ledger_url, "2023-01..2023-06", "--commit", roster=_chuzhou(tmp_path, [1], "h1.xlsx"))
    assert total(first) == 1600  # one-off 1000 (March) + 200 x April..June
    both = _chuzhou(tmp_path, [1, 2], "h2.xlsx")  # person 2 was missing from the H1 roster
    out = tmp_path / "h2-check.xlsx"
    listed = compute(ledger_url, "2023-07..2023-12", "--out", out, roster=both)
    assert total(listed) == 2400 and any("应补发 2 行，合计 1600.00 元" in n for n in listed["notes"])
    due = list(openpyxl.load_workbook(out, read_only=True)["应补发（未发放）"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[6] for r in due) == [600, 1000] and {r[1] for r in due} == {"测试二"}
    out = tmp_path / "h2-payroll.xlsx"
    paid = compute(ledger_url, "2023-07..2023-12", "--include-arrears", "--commit", "--out", out, roster=both)
    assert total(paid) == 4000 and any("含补发 2 行" in n for n in paid["notes"])
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "发放花名册（一次性）补发" in sheets and "发放花名册（按月）补发" in sheets
    assert total(compute(ledger_url, "2023-07..2023-12", "--include-arrears", "--commit", roster=both)) == 0
    assert total(compute(ledger_url, "2023", roster=both)) == 0  # the whole year is paid, once


def test_a_returned_payment_becomes_arrears(ledger_url, tmp_path):
    both = _chuzhou(tmp_path, [1, 2], "r.xlsx")
    first = compute(ledger_url, "2023-01..2023-06", "--commit", roster=both)
    back = invoke("ledger", "return", first["batch"], "--person", make_id(2), "--reason", "账户错误",
                  "--ledger", ledger_url)
    assert back.exit_code == 0, back.output
    h2 = compute(ledger_url, "2023-07..2023-12", "--include-arrears", "--commit", roster=both)
    assert total(h2) == 2400 + 1600
    shown = json.loads(invoke("ledger", "show", h2["batch"], "--ledger", ledger_url, "--json").stdout)["lines"]
    assert sum(Decimal(r["amount"]) for r in shown if r["person_id"] == make_id(2)) == 1200 + 1600


def test_show_writes_a_batch_to_a_workbook_and_list_prints_whole_ids(ledger_url, tmp_path):
    import openpyxl

    h1 = compute(ledger_url, "2023-01..2023-06", "--commit")
    out = tmp_path / "batch.xlsx"
    shown = invoke("ledger", "show", h1["batch"], "--ledger", ledger_url, "--out", out)
    assert shown.exit_code == 0, shown.output
    rows = list(openpyxl.load_workbook(out, read_only=True).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == h1["lines"]
    listed = invoke("ledger", "list", "--ledger", ledger_url)
    assert listed.exit_code == 0 and h1["batch"] in listed.stdout
    missing = invoke("ledger", "show", "no-such-batch", "--ledger", ledger_url)
    assert missing.exit_code == 1 and "no-such-batch" in missing.stderr


LONGHUA = ROOT / "policies" / "longhua.yaml"


def test_max_years_counts_each_year_of_a_run_over_two_pay_months(ledger_url, tmp_path):
    headers = ["姓名", "身份证号", "人员类别", "证书等级", "取得证书日期", "工作领域"]
    roster = write_roster(tmp_path / "l.xlsx", [["甲", make_id(5), "社区工作人员", "社会工作师", date(2021, 3, 1), "养老服务"]],
                          headers=headers)
    assert total(compute(ledger_url, "2022-01..2023-12", "--commit", roster=roster, policy=LONGHUA)) == 20000
    assert total(compute(ledger_url, "2024", "--commit", roster=roster, policy=LONGHUA)) == 10000
    assert total(compute(ledger_url, "2025", "--commit", roster=roster, policy=LONGHUA)) == 0  # 3 years at most


def _import(url: str, tmp_path: Path, text: str, policy=CHUZHOU):
    path = tmp_path / "old.csv"
    path.write_text(text, encoding="utf-8")
    return invoke("ledger", "import", path, "--policy", policy, "--ledger", url)


@pytest.mark.parametrize("rows,why", [
    ("身份证号,规则编号,等级,年度\n{id},certificate-subsidy,助理社会工作师,2023\n", "金额"),  # no amount: would claim it
    ("身份证号,规则编号,等级,年度,金额\n{id},certificate-subsidy,助理社会工作师,2023,0\n", "金额"),
    ("身份证号,规则编号,年度,金额\n{id},post-allowance,2023,2400\n", "月数"),  # a year without months: not 12 by guess
    ("身份证号,规则编号,等级,期间,月数,金额\n{id},post-allowance,中级,2023-01..2023-06,6,2400\n"
     "{id},post-allowance,中级,2023-04..2023-06,3,1200\n", "重复"),  # overlapping rows of one file
])
def test_an_import_row_that_would_claim_wrongly_is_refused_at_its_row(ledger_url, tmp_path, rows, why):
    result = _import(ledger_url, tmp_path, rows.format(id=make_id(9)))
    assert result.exit_code == 1 and why in result.stderr and "内部错误" not in result.output, result.output
    assert batches(ledger_url) == []


def test_previous_and_the_ledger_together_count_a_payment_once(ledger_url, tmp_path):
    old = "身份证号,规则编号,等级,年度,金额\n" + make_id(7) + ",qualification-subsidy,助理社会工作师,2023,1000\n"
    assert _import(ledger_url, tmp_path, old, policy=WEIHAI).exit_code == 0
    y2024 = _weihai(tmp_path, [("助理社会工作师", date(2023, 3, 1)), ("社会工作师", date(2024, 5, 1))], "2024.xlsx")
    alone = compute(ledger_url, "2024", roster=y2024, policy=WEIHAI)
    both = compute(ledger_url, "2024", "--previous", tmp_path / "old.csv", roster=y2024, policy=WEIHAI)
    assert total(alone) == total(both) == 1000  # the difference, not 0


def test_a_renamed_rule_in_the_policy_file_is_warned_of(ledger_url, tmp_path):
    compute(ledger_url, "2023-01..2023-03", "--commit")
    renamed = tmp_path / "chuzhou.yaml"
    renamed.write_text(CHUZHOU.read_text(encoding="utf-8").replace("post-allowance", "post-allowance-v2"),
                       encoding="utf-8")
    again = compute(ledger_url, "2023-01..2023-03", policy=renamed)
    assert any("post-allowance" in n and "可能重复发放" in n for n in again["notes"])


JINAN = ROOT / "policies" / "jinan.yaml"


def test_a_title_that_pays_later_is_recorded_when_selected(ledger_url, tmp_path):
    fresh = compute(_fresh(tmp_path), "2023", roster=CANDIDATES, policy=JINAN)  # selection and allowance in one run
    january = compute(ledger_url, "2023-01", "--commit", roster=CANDIDATES, policy=JINAN)
    assert january["batch"] and total(january) == 0  # the winners are on record, though paid nothing yet
    december = compute(ledger_url, "2023-12", "--commit", roster=CANDIDATES, policy=JINAN)
    assert total(december) == total(fresh) > 0  # the title holders come from the ledger
    # Scores changed and run again: the cycle is filled, nobody new is selected or paid.
    import openpyxl

    book = openpyxl.load_workbook(CANDIDATES)
    ws = book.worksheets[0]
    header = next(r for r in ws.iter_rows(max_row=5) if any(c.value == "评审得分" for c in r))
    col = next(c.column for c in header if c.value == "评审得分")
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if isinstance(row[col - 1].value, (int, float)):
            row[col - 1].value = 200 - row[col - 1].value
    rescored = tmp_path / "rescored.xlsx"
    book.save(rescored)
    assert total(compute(ledger_url, "2023", "--commit", roster=rescored, policy=JINAN)) == 0


def test_bulk_commit_keeps_every_text_and_null_exactly(ledger_url):
    """Lines go in as one COPY (PostgreSQL) or one executemany (SQLite), built column by column: a
    text with a backslash, a tab or a line break, one that reads \\N, an empty name and a missing
    level or month count come back as they were, and the batch total is the lines' sum in fen."""
    from swtalent.ledger.records import BatchInfo
    from swtalent.ledger.store import Ledger

    names = ["\\N", "a\tb", "line\nbreak", "", "back\\slash", "普通"]
    lines = [{"batch_id": "B1", "line_no": k + 1, "person_id": make_id(k + 1),
              "name": name, "rule_id": "r1", "kind": "monthly" if k % 2 else "one_off",
              "level": None if k % 3 == 0 else "assistant", "months": 3 if k % 2 else None,
              "first_month": "2023-01", "last_month": "2023-03", "year": 2023, "amount_fen": 10_001 * (k + 1)}
             for k, name in enumerate(names)]
    claims = [{"batch_id": "B1", "line_no": r["line_no"], "policy_id": "p", "person_id": r["person_id"],
               "rule_id": "r1", "claim": f"c{r['line_no']}"} for r in lines]
    book = Ledger(ledger_url)
    try:
        book.commit_rows(lines, claims, BatchInfo(id="B1", period="2023", policy_id="p"))
        info, back = book.batch("B1")
    finally:
        book.close()
    assert list(back["name"]) == names
    assert [None if v is None or v != v else v for v in back["level"]] == [r["level"] for r in lines]
    assert [None if v is None or v != v else int(v) for v in back["months"]] == [r["months"] for r in lines]
    assert info["lines"] == 6 and int(back["amount_fen"].sum()) == sum(r["amount_fen"] for r in lines) == 210_021


def test_a_batch_whose_own_lines_claim_a_month_twice_is_refused(ledger_url):
    """No index can refuse two masks that overlap: two lines of one batch paying a person's April
    by the same rule are refused before anything is written."""
    from swtalent.ledger import LedgerError, open_ledger
    from swtalent.ledger.records import BatchInfo

    person = make_id(7)
    lines = [{"batch_id": "D", "line_no": k, "person_id": person, "name": "甲", "rule_id": "r1", "kind": "monthly",
              "level": "assistant", "months": 2, "first_month": first, "last_month": last, "year": 2023,
              "amount_fen": 40_000} for k, first, last in ((1, "2023-03", "2023-04"), (2, "2023-04", "2023-05"))]
    claims = [{"batch_id": "D", "line_no": k, "policy_id": "p", "person_id": person, "rule_id": "r1", "claim": month}
              for k, months in ((1, ("2023-03", "2023-04")), (2, ("2023-04", "2023-05"))) for month in months]
    book = open_ledger(ledger_url, create=True)
    try:
        with pytest.raises(LedgerError) as refused:
            book.commit_rows(lines, claims, BatchInfo(id="D", period="2023", policy_id="p"))
        assert refused.value.code == "ledger.failed" and person in refused.value.params["detail"]
        assert book.batches() == []
        lines[1].update(first_month="2023-05", months=1)  # May alone: no month twice
        book.commit_rows(lines, [c for c in claims if (c["line_no"], c["claim"]) != (2, "2023-04")],
                         BatchInfo(id="D", period="2023", policy_id="p"))
    finally:
        book.close()
    assert _ledger_rows(ledger_url) == (1, 0, 2) and _paid_twice(ledger_url) == 0


def _back_to_schema_1(conn) -> list:
    """A ledger made back into schema 1, for the upgrade to do its work again: its months a claim
    apiece (2023-04) in `claims`, no month_claims. The month rows it had."""
    import sqlalchemy as sa

    months = conn.execute(sa.text("SELECT batch_id, line_no, policy_id, person_id, rule_id, year, months "
                                  "FROM month_claims")).all()
    conn.execute(sa.text("INSERT INTO claims (batch_id, line_no, policy_id, person_id, rule_id, claim, round) "
                         "VALUES (:b, :n, :p, :person, :r, :claim, 0)"),
                 [{"b": b, "n": n, "p": p, "person": person, "r": r, "claim": f"{y}-{m:02d}"}
                  for b, n, p, person, r, y, mask in months for m in range(1, 13) if mask >> (m - 1) & 1])
    conn.execute(sa.text("DROP TABLE month_claims"))
    conn.execute(sa.text("UPDATE swtalent_schema SET version = 1"))
    return months


def test_an_upgrade_from_a_month_a_row_keeps_every_month_paid(ledger_url, tmp_path):
    """The upgrade's SQL on both databases: a ledger turned back into schema 1 (its months a claim
    apiece, 2023-04) is upgraded when next opened, to the same month rows, and pays nothing twice."""
    import sqlalchemy as sa

    whole = total(compute(_fresh(tmp_path), "2023"))
    q1 = compute(ledger_url, "2023-01..2023-03", "--commit")
    engine = sa.create_engine(ledger_url)
    try:
        with engine.begin() as conn:
            before = _back_to_schema_1(conn)
        assert len(before) > 10
        rest = compute(ledger_url, "2023", "--commit")  # opens it: the upgrade runs
        assert total(q1) + total(rest) == whole and _paid_twice(ledger_url) == 0
        with engine.connect() as conn:
            after = conn.execute(sa.text("SELECT batch_id, line_no, policy_id, person_id, rule_id, year, months "
                                         f"FROM month_claims WHERE batch_id = '{q1['batch']}'")).all()
            assert sorted(after) == sorted(before)
            assert conn.execute(sa.text("SELECT COUNT(*) FROM claims WHERE claim LIKE '____-__'")).scalar_one() == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("ledger_url", ["postgresql"], indirect=True)
def test_a_clerk_role_that_only_reads_and_inserts_can_commit_also_after_an_upgrade(ledger_url, tmp_path):
    """PostgreSQL: a clerk's role with SELECT and INSERT only (nothing in the ledger is updated or
    deleted) commits, as it did with schema 1, and keeps its rights on the table an upgrade adds;
    what a role may not do is said as the ledger's problem, not an internal error."""
    import uuid

    import sqlalchemy as sa

    compute(ledger_url, "2023-01..2023-03", "--commit")  # the administrator makes the ledger
    clerk = f"clerk_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(ledger_url)
    try:
        with engine.begin() as conn:  # made back into schema 1, then granted
            _back_to_schema_1(conn)
            conn.execute(sa.text(f"CREATE ROLE {clerk} LOGIN"))
            conn.execute(sa.text(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {clerk}"))
        assert batches(ledger_url)  # the administrator opens it: the upgrade runs
        as_clerk = str(sa.make_url(ledger_url).set(username=clerk))
        rest = compute(as_clerk, "2023", "--commit")
        assert rest["batch"] and total(compute(ledger_url, "2023")) == 0 and _paid_twice(ledger_url) == 0
        with engine.begin() as conn:
            conn.execute(sa.text(f"REVOKE SELECT ON month_claims FROM {clerk}"))
        refused = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--ledger", as_clerk, "--json")
        assert refused.exit_code == 1 and "ledger.unreachable" in refused.stdout and "内部错误" not in refused.output
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {clerk}"))
            conn.execute(sa.text(f"DROP ROLE {clerk}"))
        engine.dispose()


@pytest.mark.parametrize("ledger_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("ledger", ["new", "schema 1"])
def test_two_runs_opening_a_ledger_at_once_create_or_upgrade_it_once(ledger_url, ledger):
    """PostgreSQL: the second run waits for the first's creation or upgrade (held open here at its
    end), then finds the ledger done; it does not try the same CREATE TABLE again and fail."""
    import sqlalchemy as sa

    if ledger == "schema 1":
        compute(ledger_url, "2023-01..2023-03", "--commit")
        engine = sa.create_engine(ledger_url)
        try:
            with engine.begin() as conn:  # the upgrade has work to do
                _back_to_schema_1(conn)
        finally:
            engine.dispose()
    env = {**os.environ, "SWTALENT_TEST_PAUSE": "ledger-prepared", "SWTALENT_TEST_PAUSE_SECONDS": "3"}
    listing = [sys.executable, "-m", "swtalent.cli", "ledger", "list", "--ledger", ledger_url, "--json"]
    first = subprocess.Popen(listing, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert first.stderr.readline().strip() == "paused at ledger-prepared"
    second = subprocess.run(listing, capture_output=True, text=True, timeout=120)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stdout + second.stderr
    assert json.loads(second.stdout) == json.loads(out)
    assert len(batches(ledger_url)) == (1 if ledger == "schema 1" else 0)


def test_paid_claims_read_a_piece_at_a_time_are_the_claims_committed(ledger_url, monkeypatch):
    """The engine reads every claim of a policy, a million people's at a national size: a piece of
    the driver's rows at a time, each repeated text (the rule, the batch, the claim) one object.
    Read in pieces of two rows, nothing is lost, doubled or changed, and a reversed line's claims
    are released."""
    from swtalent.ledger import store
    from swtalent.ledger.records import BatchInfo
    from swtalent.ledger.store import Ledger

    people = [make_id(k + 1) for k in range(7)]
    lines = [{"batch_id": "B1", "line_no": k + 1, "person_id": p, "name": "某", "rule_id": rule,
              "kind": kind, "level": "assistant", "months": 2 if kind == "monthly" else None,
              "first_month": "2023-01", "last_month": "2023-02", "year": 2023, "amount_fen": 100}
             for k, (p, rule, kind) in enumerate([(p, "sub", "one_off") for p in people]
                                                 + [(p, "post", "monthly") for p in people])]
    claims = [{"batch_id": "B1", "line_no": r["line_no"], "policy_id": "p", "person_id": r["person_id"],
               "rule_id": r["rule_id"], "claim": month}
              for r in lines for month in (["2023-01", "2023-02"] if r["kind"] == "monthly" else ["once:assistant"])]
    book = Ledger(ledger_url)
    try:
        book.commit_rows(lines, claims, BatchInfo(id="B1", period="2023", policy_id="p"))
        book.return_payment("B1", people[0], reason="退回", operator="t")
        whole = book.paid_claims("p")
        monkeypatch.setattr(store, "FETCH_ROWS", 2)
        pieces = book.paid_claims("p")
    finally:
        book.close()
    for got in (whole, pieces):
        active = got.active.sort_values("person_id")
        assert list(active["person_id"]) == people[1:] and set(active["claim"]) == {"once:assistant"}
        assert len({id(v) for v in active["rule_id"]}) == len({id(v) for v in active["batch_id"]}) == 1
        assert sorted(got.months["person_id"]) == people[1:] and set(got.months["months"]) == {0b11}
        assert list(got.released["person_id"]) == [people[0]]
