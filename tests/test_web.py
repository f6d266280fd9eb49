"""`swtalent serve`, route by route, through real ASGI calls (Starlette's TestClient): the example
roster computed through the page and its files read back, the problems, one person, a policy
checked line by line, a comparison, the ledger's commit, void and return with their tokens, the
login, the language, the limits, and the temporary folder removed when the server stops."""
from __future__ import annotations

import csv
import io
import logging
import re
import subprocess
import sys
import time

import openpyxl
import pytest

from swtalent.web.guard import NoPersonalNumbers

from .conftest import CHUZHOU, ROOT, make_id, write_roster
from .webclient import app_for, client, computed, finished, start, token

TOTAL, CAPITAL = "175,200.00", "壹拾柒万伍仟贰佰元整"


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, f"no #{element_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.fixture
def web(tmp_path):
    with client(app_for(tmp_path)) as c:
        yield c


def test_the_form_offers_the_shipped_policies_and_sets_a_token(web):
    r = web.get("/")
    assert r.status_code == 200 and "计算补贴与评选" in r.text
    assert '<option value="chuzhou.yaml" selected>' in r.text and "jinan.yaml" in r.text
    assert len(web.cookies.get("swtalent_csrf")) >= 32
    assert web.get("/static/style.css").status_code == 200 and web.get("/static/app.js").status_code == 200


def test_the_example_is_computed_summed_and_its_files_read_back(web):
    url = computed(web)
    status = web.get(url + "/status").json()
    assert status["state"] == "done" and status["stage"] == "write"
    page = web.get(url).text
    assert text_of(page, "total") == TOTAL and text_of(page, "capital") == CAPITAL
    assert text_of(page, "rows_in") == "72"
    assert "有 5 个错误" in text_of(page, "errors-first")  # the errors come first on the page
    assert page.index('id="errors-first"') < page.index('id="summary"')
    for label in ("琅琊区", "明光市", "社会工作师"):
        assert label in page
    book = openpyxl.load_workbook(io.BytesIO(web.get(url + "/files/workbook").content), read_only=True)
    cells = [v for row in book["汇总"].iter_rows(values_only=True) for v in row if v is not None]
    assert 175200 in cells and CAPITAL in cells
    detail = web.get(url + "/files/csv")
    assert detail.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(detail.content.decode("utf-8-sig"))))
    assert sum(round(float(r["amount"]) * 100) for r in rows) == 17520000
    notice = openpyxl.load_workbook(io.BytesIO(web.get(url + "/files/notice").content), read_only=True)
    shown = " ".join(str(v) for ws in notice for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "**********" in shown and not re.search(r"\d{17}[\dX]", shown)  # masked IDs only
    marked = openpyxl.load_workbook(io.BytesIO(web.get(url + "/files/annotated").content))
    assert any(c.comment for ws in marked for row in ws.iter_rows() for c in row)  # problem cells commented
    assert web.get(url + "/files/nothing").status_code == 404


def test_a_long_run_shows_its_stage_and_the_page_never_blocks(web, monkeypatch):
    monkeypatch.setenv("SWTALENT_TEST_PAUSE", "compute")  # the run waits at its compute stage
    monkeypatch.setenv("SWTALENT_TEST_PAUSE_SECONDS", "4")
    url = start(web).headers["location"]
    deadline = time.monotonic() + 30
    while web.get(url + "/status").json()["stage"] != "compute":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    status = web.get(url + "/status").json()
    assert status["state"] == "running" and status["stage_text"] == "计算"
    page = web.get(url).text
    assert 'id="progress"' in page and "计算" in text_of(page, "stage") and 'http-equiv="refresh"' in page
    began = time.monotonic()
    assert web.get("/").status_code == 200 and web.get("/ledger").status_code == 200 and web.get("/policy").status_code == 200
    assert time.monotonic() - began < 2  # the other pages answer while the run computes
    assert web.get(url + "/status").json()["state"] == "running"
    monkeypatch.delenv("SWTALENT_TEST_PAUSE")
    assert text_of(web.get(finished(web, url)).text, "total") == TOTAL


def test_problems_have_their_cells_and_filter_by_code_and_severity(web):
    url = computed(web)
    page = web.get(url).text
    table = page[page.index('id="problem-table"'):]
    assert "roster.id-checksum" in table and "<td>E16</td><td>身份证号</td><td>341103198007011110</td>" in table
    only = web.get(url, params={"code": "roster.id-checksum"}).text
    body = only[only.index('id="problem-table"'):only.index("</table>", only.index('id="problem-table"'))]
    assert set(re.findall(r"<code>([a-z.-]+)</code>", body)) == {"roster.id-checksum"}
    errors = web.get(url, params={"severity": "error"}).text
    body = errors[errors.index('id="problem-table"'):errors.index("</table>", errors.index('id="problem-table"'))]
    assert body.count('<tr class="error">') == 5
    none = web.get(url, params={"severity": "warning"}).text  # the example has no warnings
    body = none[none.index('id="problem-table"'):none.index("</table>", none.index('id="problem-table"'))]
    assert "<td>" not in body


def test_a_roster_that_cannot_be_read_says_why(web, tmp_path):
    bad = write_roster(tmp_path / "乡镇.xlsx", [["张三", "x"]], headers=["甲", "乙"])
    page = web.get(computed(web, bad)).text
    assert "无法完成" in page and "找不到表头行" in page and "Traceback" not in page
    assert '"where">乡镇.xlsx' in page and "swtalent-serve-" not in page


def test_bad_uploads_are_refused_in_the_clerks_words(web, tmp_path):
    notes = tmp_path / "roster.txt"
    notes.write_text("hello")
    r = start(web, notes)
    assert r.status_code == 400 and "不支持的文件格式" in r.text
    r = start(web, period="2023年")
    assert r.status_code == 400 and "2023年" in r.text
    r = web.post("/runs", data={"csrf": token(web), "policy": "chuzhou.yaml", "period": "2023"})
    assert r.status_code == 400 and "请选择花名册" in r.text
    r = start(web, policy="nope.yaml")
    assert r.status_code == 400 and "请选择政策" in r.text


def test_an_uploaded_policy_is_used_and_a_broken_one_stops_the_run_at_its_line(web):
    url = computed(web, policy="", policy_file=("mine.yaml", CHUZHOU.read_bytes()))
    assert text_of(web.get(url).text, "total") == TOTAL and "mine.yaml" in web.get(url).text
    broken = CHUZHOU.read_text(encoding="utf-8").replace("city: 滁州市", "city: 滁州市\nsurprise: 1", 1)
    page = web.get(computed(web, policy="", policy_file=("bad.yaml", broken.encode()))).text
    assert "无法完成" in page and re.search(r'"where">bad\.yaml:\d+:\d+', page) and "surprise" in page
    assert "swtalent-serve-" not in page  # the upload is named as the clerk sent it


def test_one_person_is_explained_by_name_id_or_masked_id_and_never_by_url(web):
    url = computed(web)
    wb = openpyxl.load_workbook(io.BytesIO(web.get(url + "/files/workbook").content), read_only=True)
    sheet = wb["发放花名册（按月）"]
    header = next(r for r in sheet.iter_rows(values_only=True) if "身份证号" in r)
    first = next(r for r in sheet.iter_rows(values_only=True) if r[header.index("身份证号")] and
                 re.fullmatch(r"\d{17}[\dX]", str(r[header.index("身份证号")])))
    pid, name = first[header.index("身份证号")], first[header.index("姓名")]
    for query in (pid, f"{pid[:4]}**********{pid[-4:]}", name):
        page = web.post(url + "/explain", data={"csrf": token(web), "person": query}).text
        assert name in text_of(page, "explained") and pid in page
    page = web.post(url + "/explain", data={"csrf": token(web), "person": "无此人"}).text
    assert "花名册中没有「无此人」" in page
    assert web.get(url + "/explain").status_code == 404  # no GET: an ID never goes into a URL


def test_a_policy_is_checked_with_each_problem_beside_its_line(web):
    broken = CHUZHOU.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(broken) if line.startswith("city:"))
    broken.insert(at + 1, "colour: blue")
    r = web.post("/policy", data={"csrf": token(web)},
                 files={"policy_file": ("滁州.yaml", "\n".join(broken).encode())})
    assert r.status_code == 200 and "1 个错误" in text_of(r.text, "validate-count")
    assert f'data-line="{at + 2}"' in r.text and "colour" in r.text
    r = web.post("/policy", data={"csrf": token(web)}, files={"policy_file": ("ok.yaml", CHUZHOU.read_bytes())})
    assert "未发现问题" in text_of(r.text, "validate-count")
    r = web.post("/policy", data={"csrf": token(web)}, files={"policy_file": ("p.json", b"{}")})
    assert r.status_code == 400 and "不支持的文件格式" in r.text
    assert web.get("/policy").status_code == 200


def test_two_policies_or_two_dates_are_compared_on_the_run_roster(web):
    url = computed(web)
    raised = CHUZHOU.read_text(encoding="utf-8").replace("id: chuzhou", "id: chuzhou-b", 1)
    page = web.post(url + "/diff", data={"csrf": token(web)},
                    files={"other_file": ("proposed.yaml", raised.encode())}).text
    assert "proposed.yaml" in text_of(page, "diffed") or "proposed.yaml" in page
    assert text_of(page, "diff-change") == "0.00"
    assert web.get(url + "/files/diff").status_code == 200
    page = web.post(url + "/diff", data={"csrf": token(web), "as_of_a": "2023-01-01", "as_of_b": "2024-01-01"}).text
    assert "@ 2023-01-01" in page
    page = web.post(url + "/diff", data={"csrf": token(web)}).text
    assert "请选择或上传拟议政策" in page


def test_commit_asks_with_the_total_then_nothing_is_payable_again(web):
    url = computed(web)
    confirm = web.get(url + "/commit").text
    assert TOTAL in text_of(confirm, "confirm-text") and CAPITAL in confirm
    assert web.post(url + "/commit", data={}).status_code == 403  # no token, nothing done
    assert "没有批次" in web.get("/ledger").text or "还不存在" in web.get("/ledger").text
    done = web.post(url + "/commit", data={"csrf": token(web), "operator": "王会计"})
    batch = re.search(r"批次 (\d{8}-\d{6}-[0-9a-f]{4})", done.text).group(1)
    assert "已记入账本" in done.text
    again = web.get(computed(web)).text
    assert text_of(again, "total") == "0.00" and "此前已由账本中的批次发放" in again
    assert "本次没有应发款项" in web.post(again_url := computed(web) + "/commit", data={"csrf": token(web)}).text, again_url
    ledger = web.get("/ledger").text
    assert batch in ledger and TOTAL in ledger and "王会计" in ledger
    lines = web.get(f"/ledger/{batch}").text
    assert TOTAL in lines[lines.index('id="batch-info"'):lines.index('id="lines"')]  # what the batch records
    pid = re.search(r"<code>(\d{17}[\dX])</code>", lines).group(1)
    returned = web.post(f"/ledger/{batch}/return", data={"csrf": token(web), "person": pid, "reason": "账户错误"}).text
    assert "可再次发放" in text_of(returned, "done")
    unreasoned = web.post(f"/ledger/{batch}/void", data={"csrf": token(web), "reason": ""}).text
    assert "无法完成" in unreasoned and 'id="done"' not in unreasoned
    voided = web.post(f"/ledger/{batch}/void", data={"csrf": token(web), "reason": "名单有误"}).text
    assert "可再次发放" in text_of(voided, "done") and "已作废" in voided
    assert TOTAL in text_of(web.get(computed(web)).text, "total")  # payable again after the void
    missing = web.get("/ledger/nope")
    assert missing.status_code == 404 and "nope" in missing.text


def test_the_page_commits_to_a_shared_postgresql_ledger_as_to_sqlite(tmp_path, ledger_url):
    with client(app_for(tmp_path, ledger=ledger_url)) as c:
        url = computed(c)
        assert "已记入账本" in c.post(url + "/commit", data={"csrf": token(c)}).text
        assert text_of(c.get(computed(c)).text, "total") == "0.00"
        assert TOTAL in c.get("/ledger").text


def test_old_runs_and_their_files_are_let_go(tmp_path, monkeypatch):
    from swtalent.web import runs

    monkeypatch.setattr(runs, "KEEP", 2)
    app = app_for(tmp_path)
    with client(app) as c:
        first = computed(c)
        folders = lambda: sorted(p.name for p in app.state.web.folder.glob("run-*"))  # noqa: E731
        assert len(folders()) == 1
        computed(c), computed(c)
        assert len(folders()) == 2 and c.get(first).status_code == 404


def test_forms_that_change_the_ledger_refuse_other_sites_and_missing_tokens(web):
    url = computed(web)
    good = {"csrf": token(web)}
    assert web.post(url + "/commit", data={"csrf": "x" * 43}).status_code == 403
    r = web.post(url + "/commit", data=good, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "其他网站" in r.text
    assert web.post("/ledger/any/void", data={"reason": "x"}).status_code == 403
    assert web.post("/ledger/any/return", data=good, headers={"Referer": "http://evil.example/x"}).status_code == 403
    assert "没有批次" not in web.get("/ledger").text  # nothing was recorded


def test_a_password_guards_every_page(tmp_path):
    with client(app_for(tmp_path, password="s3cret-pass")) as c:
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get("/ledger", follow_redirects=False).status_code == 303
        assert c.post("/runs", data={}).status_code == 403
        assert c.get("/static/style.css").status_code == 200
        assert c.post("/login", data={"password": "wrong"}).status_code == 401
        assert c.post("/login", data={"password": "s3cret-pass"}, headers={"Origin": "http://evil.example"}).status_code == 403
        r = c.post("/login", data={"password": "s3cret-pass"}, follow_redirects=False)
        assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
        assert c.get("/").status_code == 200
        assert text_of(c.get(computed(c)).text, "total") == TOTAL
        c.post("/logout", data={"csrf": token(c)})
        assert c.get("/", follow_redirects=False).status_code == 303


def test_english_is_a_click_away_and_the_switch_stays_on_this_site(web):
    r = web.get("/lang/en", params={"next": "/policy"}, follow_redirects=False)
    assert r.headers["location"] == "/policy"
    page = web.get(computed(web)).text
    assert "Total in words" in page and "Problems" in page
    assert "the ID number" in page or "check character" in page  # the catalogue's English
    assert web.get("/lang/zh", params={"next": "//evil.example"}, follow_redirects=False).headers["location"] == "/"


def test_an_upload_over_the_limit_is_refused_before_it_is_read(tmp_path):
    with client(app_for(tmp_path, upload_limit=10_000)) as c:
        r = start(c)
        assert r.status_code == 413 and "超过上限" in r.text


def test_a_roster_over_max_rows_is_refused_as_the_cli_refuses_it(tmp_path):
    with client(app_for(tmp_path, max_rows=10)) as c:
        page = c.get(computed(c)).text
        assert "无法完成" in page and "超过上限（--max-rows 10 行" in page


def test_unknown_pages_and_runs_say_so(web):
    assert web.get("/runs/0000").status_code == 404
    assert web.get("/runs/0000/status").json() == {"state": "gone"}
    assert "没有这个页面" in web.get("/nowhere").text


def test_the_temporary_folder_goes_when_the_server_stops(tmp_path):
    app = app_for(tmp_path)
    with client(app) as c:
        url = computed(c)
        folder = app.state.web.folder
        assert any(folder.rglob("发放表.xlsx")) and any(folder.rglob("chuzhou-roster.xlsx"))
        assert c.get(url).status_code == 200
    assert not folder.exists()


def test_no_id_number_or_account_reaches_the_log():
    pid = make_id(7)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/runs/x?person={pid}&acct=6217000011112222333", "1.1", 200),
                               None)
    NoPersonalNumbers().filter(record)
    line = record.getMessage()
    assert pid not in line and "6217000011112222333" not in line and "/runs/x?person=" in line


def serve(*args, timeout=20):
    return subprocess.run([sys.executable, "-m", "swtalent", "serve", "--no-browser", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_another_address_without_a_password_is_refused(tmp_path):
    r = serve("--host", "0.0.0.0")
    assert r.returncode == 2 and "--password-file" in r.stderr and "Traceback" not in r.stderr
    short = tmp_path / "pw"
    short.write_text("abc\n")
    r = serve("--host", "0.0.0.0", "--password-file", str(short))
    assert r.returncode == 2 and "至少 8 个字符" in r.stderr
    r = serve("--host", "0.0.0.0", "--password-file", str(tmp_path / "missing"), "--lang", "en")
    assert r.returncode == 2 and "cannot read the password file" in r.stderr


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_the_command_serves_the_page_logs_no_id_and_leaves_no_files(tmp_path, stop):
    """`swtalent serve` as a clerk starts it: the page answers, a run's files are in a temporary
    folder, the access log holds no ID number even from a URL typed by hand, and Ctrl-C or kill
    removes the folder."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path),
           "SWTALENT_LEDGER": str(tmp_path / "ledger.db")}
    proc = subprocess.Popen([sys.executable, "-m", "swtalent", "serve", "--no-browser", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "http://127.0.0.1:%d/" % port in proc.stderr.readline()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(base + "/").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "计算补贴与评选" in page and "chuzhou.yaml" in page
        pid = make_id(9)
        try:
            urllib.request.urlopen(f"{base}/runs/x/status?person={pid}")
        except OSError:
            pass  # 404: what matters is the log line
        assert len(list(tmp_path.glob("swtalent-serve-*"))) == 1
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"evil.example:{port}"})  # DNS rebinding, as curl -H sends it
        answer = conn.getresponse()
        assert answer.status == 400 and "计算补贴" not in answer.read().decode()
        conn.close()
    finally:
        proc.send_signal(getattr(signal, stop))
        out, err = proc.communicate(timeout=30)
    assert "/runs/x/status?person=" in out + err and pid not in out + err  # uvicorn's access log
    if stop == "SIGINT":
        assert proc.returncode == 0 and "已停止" in err, err
    assert not list(tmp_path.glob("swtalent-serve-*"))


def test_a_port_in_use_is_said(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = serve("--port", str(s.getsockname()[1]))
    assert r.returncode == 2 and "已被占用" in r.stderr



def test_a_host_header_that_is_not_the_pages_own_is_refused(tmp_path):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends Host:
    evil.example. Nothing is shown, downloaded or done for it; the page's own names still work."""
    app = app_for(tmp_path, port=8765)
    with client(app) as c:
        url = computed(c)
        for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost", "[::1]"):
            assert c.get("/", headers={"Host": host}).status_code == 200, host
        for host in ("evil.example:8765", "evil.example", "127.0.0.1.nip.io:8765", "::1", "[::2]:8765",
                     "127.0.0.1:9999", "localhost:x"):
            r = c.get("/", headers={"Host": host})
            assert r.status_code == 400 and "Host" in r.text and "计算补贴" not in r.text, host
        r = c.get(url + "/files/csv", headers={"Host": "evil.example:8765"})
        assert r.status_code == 400 and "身份证" not in r.text and "," not in r.text
        good = {"csrf": token(c)}
        evil = {"Origin": "http://evil.example:8765"}
        assert c.post(url + "/commit", data=good, headers={**evil, "Host": "evil.example:8765"}).status_code == 400
        # The Origin is checked against the page's names too, not only against the Host sent
        assert c.post(url + "/commit", data=good, headers=evil).status_code == 403
        assert c.post(url + "/commit", data=good, headers={"Origin": "http://localhost:8765",
                                                           "Host": "localhost:8765"}).status_code == 200
    with client(app_for(tmp_path / "office", host="office.lan", port=8765)) as c:
        assert c.get("/", headers={"Host": "office.lan:8765"}).status_code == 200
        assert c.get("/", headers={"Host": "office.lan:8766"}).status_code == 400
        assert c.get("/", headers={"Host": "192.168.1.5:8765"}).status_code == 400
    with client(app_for(tmp_path / "all", host="0.0.0.0")) as c:  # every address: any IP, never a name
        assert c.get("/", headers={"Host": "192.168.1.5:8765"}).status_code == 200
        assert c.get("/", headers={"Host": "[fe80::1]:8765"}).status_code == 200
        assert c.get("/", headers={"Host": "evil.example:8765"}).status_code == 400


def test_a_run_reads_and_records_its_own_copy_of_the_policy(tmp_path):
    """The shipped policy edited after a run: its explanations, its commit and its 计算依据 are the
    policy the run computed with, by the names the clerk knows and the hash of that file."""
    import hashlib
    import shutil

    shelf = tmp_path / "policies"
    shelf.mkdir()
    shipped = shelf / "chuzhou.yaml"
    shutil.copyfile(CHUZHOU, shipped)
    before = hashlib.sha256(shipped.read_bytes()).hexdigest()
    with client(app_for(tmp_path, policies=shelf)) as c:
        url = computed(c)
        person = {"csrf": token(c), "person": "陈晓梅"}
        explained = text_of(c.post(url + "/explain", data=person).text, "explained-total")
        raised = re.sub(r"value: (\d+)", lambda m: f"value: {int(m.group(1)) * 5}", CHUZHOU.read_text(encoding="utf-8"))
        shipped.write_text(raised, encoding="utf-8")
        assert hashlib.sha256(shipped.read_bytes()).hexdigest() != before
        assert explained != "0.00"
        assert text_of(c.post(url + "/explain", data=person).text, "explained-total") == explained
        assert "已记入账本" in c.post(url + "/commit", data={"csrf": token(c)}).text
        basis = openpyxl.load_workbook(io.BytesIO(c.get(url + "/files/workbook").content), read_only=True)["计算依据"]
        rows = [r for r in basis.iter_rows(values_only=True)]
        shown = [r[1] for r in rows if r[0] == "SHA-256"]
        assert shown[0] == before  # the policy's, not empty and not the edited file's
        assert ("花名册文件", "chuzhou-roster.xlsx") in [r[:2] for r in rows] and "swtalent-serve-" not in str(rows)
    import sqlite3

    with sqlite3.connect(tmp_path / "ledger.db") as db:
        batch = db.execute("select policy_file, policy_sha256, roster_file, roster_sha256 from batches").fetchone()
    assert batch[:3] == ("chuzhou.yaml", before, "chuzhou-roster.xlsx") and len(batch[3]) == 64


def multipart(field: str, name: str, content: bytes, csrf: str) -> tuple[bytes, str]:
    boundary = "swtalenttestboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def files_in(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_an_upload_is_stopped_at_its_limit_as_it_is_read_and_a_checked_policy_is_let_go(tmp_path):
    app = app_for(tmp_path, upload_limit=200_000)
    folder = app.state.web.folder
    with client(app) as c:
        csrf = token(c)
        # a policy past 1 MiB on one line, with its length declared: refused before it is read, not echoed
        big = b"id: " + b"x" * (3 << 20)
        body, kind = multipart("policy_file", "big.yaml", big, csrf)
        r = c.post("/policy", content=body, headers={"Content-Type": kind})
        assert r.status_code == 413 and "超过上限 1 MiB" in r.text and len(r.content) < 20_000
        # the same sent in chunks (no Content-Length): stopped while read
        chunks = lambda data: (data[i:i + 65536] for i in range(0, len(data), 65536))  # noqa: E731
        r = c.post("/policy", content=chunks(body), headers={"Content-Type": kind})
        assert r.status_code == 413 and len(r.content) < 20_000
        body, kind = multipart("roster", "big.csv", b"a,b\n" * 100_000, csrf)
        r = c.post("/runs", content=chunks(body), headers={"Content-Type": kind})
        assert r.status_code == 413 and "超过上限" in r.text
        assert files_in(folder) == [] and not list(folder.glob("run-*"))
        # a long line with a problem is shown cut, the rest of the file not at all; nothing stays
        long = CHUZHOU.read_text(encoding="utf-8").replace("city: 滁州市", "city: 滁州市\ncolour: " + "蓝" * 200_000, 1)
        r = c.post("/policy", data={"csrf": csrf}, files={"policy_file": ("long.yaml", long.encode())})
        assert r.status_code == 200 and "colour" in r.text and r.text.count("蓝") < 1000
        assert "clause" not in r.text  # lines without a problem are not echoed
        r = c.post("/policy", data={"csrf": csrf}, files={"policy_file": ("ok.yaml", CHUZHOU.read_bytes())})
        assert "未发现问题" in text_of(r.text, "validate-count")
        assert files_in(folder) == []


def test_a_name_too_long_for_the_file_system_is_shortened_and_the_unexpected_is_said_not_traced(
        tmp_path, monkeypatch, caplog):
    from swtalent.web import guard, views

    long = "花" * 100 + ".xlsx"  # 305 bytes: more than a file system takes
    roster = (ROOT / "examples" / "chuzhou-roster.xlsx").read_bytes()

    def send(c):
        return c.post("/runs", data={"csrf": token(c), "policy": "chuzhou.yaml", "period": "2023"},
                      files={"roster": (long, roster)}, follow_redirects=False)
    app = app_for(tmp_path)
    folder = app.state.web.folder
    pid = make_id(3)
    caplog.set_level(logging.INFO)
    with client(app) as c:
        r = send(c)
        assert r.status_code == 303, r.text
        assert text_of(c.get(finished(c, r.headers["location"])).text, "total") == TOTAL
        stored = next(folder.glob("run-*/in/*.xlsx"))
        assert stored.name.startswith("花花") and stored.name.endswith(".xlsx") and len(stored.name.encode()) <= 255
        # a file system that refuses the upload anyway: said where, the folder not left behind
        def refused(upload, where, name):
            raise OSError(36, "File name too long", str(where / f"{pid}.xlsx"))
        saved = guard.save_upload
        monkeypatch.setattr(guard, "save_upload", refused)
        before = sorted(folder.glob("run-*"))
        r = send(c)
        assert r.status_code == 500 and "File name too long" in r.text and "Traceback" not in r.text
        assert sorted(folder.glob("run-*")) == before and "swtalent-serve-" not in r.text
        monkeypatch.setattr(guard, "save_upload", saved)
        # anything unexpected in any route: a page in the clerk's language, one masked line in the log
        monkeypatch.setattr(views, "summary_of", lambda run, lang: (_ for _ in ()).throw(RuntimeError(f"cell {pid}")))
        r = c.get(computed(c))
        assert r.status_code == 500 and "内部错误" in r.text and "Traceback" not in r.text and pid not in r.text
        c.get("/lang/en")
        assert "Internal error" in c.get(before[0].name.replace("run-", "/runs/")).text
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "internal error: GET /runs/" in logged and "RuntimeError" in logged
    assert pid not in logged and "Traceback" not in logged and all(rec.exc_info is None for rec in caplog.records)


def test_judges_score_sheets_are_uploaded_on_the_page_and_asked_for_in_its_words(web):
    candidates, judges = ROOT / "examples" / "jiujiang-candidates.xlsx", ROOT / "examples" / "jiujiang-judges.xlsx"
    assert 'name="scores_file"' in web.get("/").text and "评委评分表" in web.get("/").text
    page = web.get(computed(web, candidates, policy="jiujiang-judges.yaml")).text
    assert "无法完成" in page and "评委评分表" in page and "--scores" not in page and "上传" in page
    url = computed(web, candidates, policy="jiujiang-judges.yaml", files={"scores_file": (judges.name, judges.read_bytes())})
    assert text_of(web.get(url).text, "total") == "180,000.00"
    rows = list(csv.DictReader(io.StringIO(web.get(url + "/files/csv").content.decode("utf-8-sig"))))
    winner = next(r for r in rows if float(r["amount"]) > 0)
    page = web.post(url + "/explain", data={"csrf": token(web), "person": winner["person_id"]}).text
    assert text_of(page, "explained-total") == f"{float(winner['amount']):,.2f}"  # explained with the same sheets
    wrong = web.get(computed(web, policy="chuzhou.yaml", files={"scores_file": (judges.name, judges.read_bytes())})).text
    assert "无法完成" in wrong and "--scores" not in wrong


def test_a_lost_commit_race_says_what_to_do_on_the_page(web):
    first, second = computed(web), computed(web)  # both computed before either is recorded
    assert "已记入账本" in web.post(first + "/commit", data={"csrf": token(web)}).text
    r = web.post(second + "/commit", data={"csrf": token(web)})
    assert r.status_code == 409 and "另一次提交抢先记入" in r.text
    assert "重新计算" in r.text and "swtalent compute" not in r.text and "--commit" not in r.text


def test_an_account_or_id_written_with_url_escapes_is_masked_in_the_log():
    pid = make_id(5)
    escaped = "".join(f"%{ord(ch):02X}" for ch in pid)  # every digit escaped
    for path in ("/runs/x?acct=6217%200000%201111%202222", "/runs/x?acct=6217+0000+1111+2222",
                 f"/runs/x?person={escaped}", f"/runs/x?person={pid[:6]}%2520{pid[6:]}"):
        record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5000", "GET", path, "1.1", 200), None)
        NoPersonalNumbers().filter(record)
        line = record.getMessage()
        assert "/runs/x?" in line and not re.search(r"\d{4}", line.split("?", 1)[1]), line


def test_only_real_loopback_addresses_go_without_a_password(tmp_path):
    from swtalent.web.guard import is_loopback

    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("127.0.0.1.192.168.1.5.nip.io", "127.example.com", "0.0.0.0", "192.168.1.5", "localhost.evil", ""):
        assert not is_loopback(host), host
    r = serve("--host", "127.0.0.1.192.168.1.5.nip.io")
    assert r.returncode == 2 and "--password-file" in r.stderr


def test_wrong_passwords_are_limited_per_client(tmp_path, monkeypatch):
    from swtalent.web import guard

    now = [1000.0]
    monkeypatch.setattr(guard.time, "monotonic", lambda: now[0])
    with client(app_for(tmp_path, password="s3cret-pass")) as c:
        for _ in range(5):
            assert c.post("/login", data={"password": "guess"}).status_code == 401
        r = c.post("/login", data={"password": "s3cret-pass"}, follow_redirects=False)
        assert r.status_code == 429 and "60 秒后再试" in text_of(r.text, "login-wait")
        now[0] += 30
        assert "30 秒后再试" in c.post("/login", data={"password": "guess"}).text
        now[0] += 31
        assert c.post("/login", data={"password": "s3cret-pass"}, follow_redirects=False).status_code == 303
