"""公示名单: masked IDs, no bank account, the mask set by the policy."""
from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


def roster_secrets():
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    frame = comp.roster.frame
    ids = {i for i in frame["person_id"] if i}
    accounts = {a for a in frame["bank_account"] if a}
    return comp, ids, accounts


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_notice_holds_no_full_id_and_no_bank_account(tmp_path, suffix):
    comp, ids, accounts = roster_secrets()
    notice = tmp_path / f"公示{suffix}"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", notice)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        raw = notice.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel in China opens it
        text = raw.decode("utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
        header, body = rows[0], rows[1:]
    else:
        with zipfile.ZipFile(notice) as z:  # every part of the file, not only the cells openpyxl shows
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        sheet = list(openpyxl.load_workbook(notice)["公示名单"].iter_rows(values_only=True))
        assert "公示名单" in sheet[0][0]
        header, body = list(sheet[1]), [list(r) for r in sheet[2:]]
    assert not any(i in text for i in ids) and not any(a in text for a in accounts)
    assert header == ["序号", "姓名", "身份证号", "区县", "工作单位", "项目", "等级", "金额（元）"]
    assert len(body) == len(comp.lines)
    masked = [r[2] for r in body]
    assert all(len(m) == 18 and m[4:14] == "*" * 10 for m in masked)
    expected = [f"{p[:4]}{'*' * 10}{p[-4:]}" for p in comp.lines["person_id"]]
    assert masked == expected


def test_mask_pattern_comes_from_the_policy(tmp_path):
    text = CHUZHOU.read_text(encoding="utf-8").replace("\nlevels:\n", "\nnotice:\n  keep_first: 6\n  keep_last: 1\n  mask: \"#\"\nlevels:\n", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    notice = tmp_path / "n.csv"
    assert invoke("compute", EXAMPLE, "--policy", policy, "--period", "2023", "--notice", notice).exit_code == 0
    first = list(csv.reader(notice.read_text(encoding="utf-8-sig").splitlines()))[1][2]
    assert first[6:17] == "#" * 11 and first[:6].isdigit()


@pytest.mark.parametrize("key,value", [("keep_first", 7), ("keep_last", 5)])
def test_a_mask_that_would_show_the_birth_date_is_refused(tmp_path, key, value):
    text = CHUZHOU.read_text(encoding="utf-8").replace("\nlevels:\n", f"\nnotice:\n  {key}: {value}\nlevels:\n", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(policy)
    assert [i.code for i in exc.value.issues] == ["policy.invalid-value"]
    assert exc.value.issues[0].location.path == f"notice.{key}"


def test_notice_format_is_checked_before_any_work(tmp_path):
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", tmp_path / "n.json")
    assert result.exit_code == 2
