"""The route handlers: read the form, call the library (on a worker thread, so the page never
blocks), render a template. No rule, check or amount is decided here."""
from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)

from ..errors import SwtalentError, UsageError
from . import guard
from .runs import Failure, Run, Runs, failure_of
from .text import words

PROBLEM_ROWS = 500  # the problems shown on the page at once; all of them are on the workbook's sheet


@dataclass
class State:
    config: object
    runs: Runs
    sessions: guard.Sessions
    env: Environment
    folder: Path
    policies: dict[str, Path] = field(default_factory=dict)
    hosts: guard.Hosts = field(default_factory=guard.Hosts)


def _state(request: Request) -> State:
    return request.app.state.web


def lang_of(request: Request, config) -> str:
    chosen = request.cookies.get("lang")
    return chosen if chosen in ("zh", "en") else config.lang


def size_words(n: int) -> str:
    if n < 1 << 20:
        return f"{n / 1024:.0f} KiB"
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def grouped(amount: str) -> str:
    """A decimal string as the page prints it, in groups of three: 175200.00 -> 175,200.00 (text only:
    the amount is the library's, to the fen)."""
    text = str(amount)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = text.partition(".")
    if not whole.isdigit():
        return str(amount)
    return f"{sign}{int(whole):,}{dot}{fraction}"


def unfoldered(folder: Path):
    """A filter that says an upload by its own name: the server's temporary folder, where the file
    really is, means nothing to the clerk who sent it."""
    import re

    where = re.compile(re.escape(str(folder)) + r"/(?:run-[0-9a-f]+/(?:in|diff)|policies/[0-9a-f]+)/")
    return lambda text: where.sub("", str(text))


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def render(state: State, request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    from ..reports.labels import labels

    lang = lang_of(request, state.config)
    page = state.env.get_template(template).render(
        request=request, t=words(lang), L=labels(lang), lang=lang, csrf=request.state.csrf,
        login=state.sessions.required, **ctx)
    return HTMLResponse(page, status_code=status)


def message(state: State, request: Request, text: str, status: int = 400) -> HTMLResponse:
    return render(state, request, "message.html", status=status, text=text)


async def not_found(request: Request, exc) -> HTMLResponse:
    state = _state(request)
    if not hasattr(request.state, "csrf"):
        request.state.csrf = guard.csrf_token(request.cookies)
    return message(state, request, words(lang_of(request, state.config))["not_found"], status=404)


async def too_large(request: Request, exc: guard.BodyTooLarge) -> HTMLResponse:
    """A body stopped at its limit while it was read (guard.Shield): nothing of it is kept."""
    state = _state(request)
    if not hasattr(request.state, "csrf"):
        request.state.csrf = guard.csrf_token(request.cookies)
    text = words(lang_of(request, state.config))["too_large"].format(limit=size_words(exc.limit))
    return message(state, request, text, status=413)


async def internal(request: Request) -> HTMLResponse:
    """The page for anything unexpected (guard.Shield logged one masked line): no traceback."""
    state = _state(request)
    request.state.csrf = guard.csrf_token(request.cookies)
    return message(state, request, words(lang_of(request, state.config))["internal.page"], status=500)


async def _form(request: Request):
    """The posted form, its size per field bounded; the token checked before anything is done."""
    form = await request.form(max_files=4, max_fields=20)
    if not guard.csrf_ok(request.cookies, form, request.headers, request.url, _state(request).hosts):
        return form, False
    return form, True


def _refused(state: State, request: Request) -> HTMLResponse:
    return message(state, request, words(lang_of(request, state.config))["csrf"], status=403)


def _failure_page(state: State, request: Request, failure: Failure, status: int = 400, **ctx) -> HTMLResponse:
    return render(state, request, "failure.html", status=status, failure=failure, **ctx)


async def index(request: Request) -> HTMLResponse:
    state = _state(request)
    return render(state, request, "index.html", policies=list(state.policies), runs=state.runs.recent())


def _policy_choice(state: State, form, folder: Path, field_name: str, upload_field: str) -> Path | None:
    """An uploaded policy (kept in the run's folder), else a shipped one named in the form."""
    upload = form.get(upload_field)
    if upload is not None and getattr(upload, "filename", ""):
        name = guard.upload_name(upload.filename, guard.POLICY_SUFFIXES, "policy")
        return guard.save_upload(upload, folder / "in", name)
    chosen = state.policies.get(str(form.get(field_name, "")))
    if chosen is None:
        return None
    # A copy, read by the run, its explanations, comparisons and commit: the shipped file may be
    # edited while the run waits to be committed, and what is recorded must be what was computed.
    (folder / "in").mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(chosen, folder / "in" / chosen.name))


async def start_run(request: Request) -> Response:
    state = _state(request)
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    t = words(lang_of(request, state.config))
    run_id, folder = state.runs.new_folder()
    try:
        roster = form.get("roster")
        if roster is None or not getattr(roster, "filename", ""):
            raise UsageError(t["need_file"].format(what=t["roster"]), words("en")["need_file"].format(what="a roster"))
        name = guard.upload_name(roster.filename, guard.ROSTER_SUFFIXES, "roster")
        roster_path = await run_in_threadpool(guard.save_upload, roster, folder / "in", name)
        policy = await run_in_threadpool(_policy_choice, state, form, folder, "policy", "policy_file")
        if policy is None:
            raise UsageError(t["need_file"].format(what=t["policy"]), words("en")["need_file"].format(what="a policy"))
        scores = form.get("scores_file")
        scores_path = None
        if scores is not None and getattr(scores, "filename", ""):
            scores_name = guard.upload_name(scores.filename, guard.SCORE_SUFFIXES, "scores")
            scores_path = await run_in_threadpool(guard.save_upload, scores, folder / "scores", scores_name)
        period = str(form.get("period", "")).strip()
        if not period:
            raise UsageError(t["need_period"], words("en")["need_period"])
        from ..periods import Period

        Period.parse(period)  # a period the CLI would refuse is refused here, in its words
    except Exception as exc:  # noqa: BLE001 - a file system that refuses the upload too: said, and nothing kept
        remove_folder(folder)
        known = isinstance(exc, (SwtalentError, UsageError))
        return _failure_page(state, request, failure_of(exc, state.config.debug), back="/", status=400 if known else 500)
    sheet = str(form.get("sheet", "")).strip() or None
    run = Run(id=run_id, folder=folder, roster=roster_path, policy=policy, period=period, sheet=sheet,
              include_arrears=form.get("include_arrears") == "on", lang=lang_of(request, state.config),
              scores=scores_path)
    state.runs.start(run)
    return RedirectResponse(f"/runs/{run.id}", 303)


def _run(request: Request) -> Run | None:
    return _state(request).runs.get(request.path_params["run_id"])


async def run_status(request: Request) -> Response:
    run = _run(request)
    if run is None:
        return JSONResponse({"state": "gone"}, 404)
    t = words(lang_of(request, _state(request).config))
    return JSONResponse({"state": run.state, "stage": run.stage, "stage_text": t.get(f"stage.{run.stage}", run.stage),
                         "seconds": run.elapsed()})


async def run_page(request: Request, **ctx) -> Response:
    state = _state(request)
    run = _run(request)
    if run is None:
        return await not_found(request, None)
    if run.state in ("queued", "running") or run.state == "failed":
        return render(state, request, "run.html", run=run, **ctx)
    lang = lang_of(request, state.config)
    result = await run_in_threadpool(summary_of, run, lang)
    code, severity = request.query_params.get("code", ""), request.query_params.get("severity", "")
    problems, total = problems_of(run, lang, code, severity)
    return render(state, request, "run.html", run=run, s=result, problems=problems, problem_total=total,
                  codes=codes_of(run), code=code, severity=severity, policies=list(state.policies), **ctx)


def summary_of(run: Run, lang: str) -> dict:
    from ..reports.summary import summary

    return summary(run.comp, lang)


def problems_of(run: Run, lang: str, code: str, severity: str) -> tuple[list[dict], int]:
    """The run's problems, filtered by code and severity (the first PROBLEM_ROWS), and how many match."""
    chosen = [i for i in run.comp.roster.issues if (not code or i.code == code) and (not severity or i.severity == severity)]
    return [i.as_dict(lang) for i in chosen[:PROBLEM_ROWS]], len(chosen)


def codes_of(run: Run) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for issue in run.comp.roster.issues:
        counts[issue.code] = counts.get(issue.code, 0) + 1
    return sorted(counts.items())


async def download(request: Request) -> Response:
    run = _run(request)
    kind = request.path_params["kind"]
    if run is not None and run.comp is not None and kind == "annotated":
        try:
            await run_in_threadpool(_state(request).runs.annotated, run)
        except BaseException as exc:  # noqa: BLE001 - a roster openpyxl cannot copy: said, not a traceback
            return _failure_page(_state(request), request, failure_of(exc), back=f"/runs/{run.id}")
    path = run.outputs.get(kind) if run is not None else None
    if path is None or not path.is_file():
        return await not_found(request, None)
    return FileResponse(path, filename=path.name)


def _ledger_book(state: State, create: bool = False):
    from ..ledger_cli import open_or_fail

    return open_or_fail(state.config.ledger, create=create)


async def _run_form(request: Request):
    """(state, run, form, lang) for a form posted on a finished run's page, or the Response that
    answers instead: no such run, or a form refused (a cross-site post)."""
    state = _state(request)
    run = _run(request)
    if run is None or run.comp is None:
        return await not_found(request, None)
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    return state, run, form, lang_of(request, state.config)


async def explain(request: Request) -> Response:
    got = await _run_form(request)
    if isinstance(got, Response):
        return got
    state, run, form, lang = got
    person = str(form.get("person", "")).strip()

    def work() -> dict:
        from .. import api
        from ..roster.source import PendingSheet

        return api.run_explain(PendingSheet(run.roster, run.sheet, max_rows=state.config.max_rows), run.policy, run.period, person, lang=lang,
                               ledger=_ledger_book(state), scores=run.scores)
    try:
        result = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001 - shown on the page, in the clerk's words
        return await run_page(request, explain_failure=failure_of(exc, state.config.debug), person=person)
    return await run_page(request, explained=result, person=person)


async def diff(request: Request) -> Response:
    got = await _run_form(request)
    if isinstance(got, Response):
        return got
    state, run, form, lang = got
    dates = [str(form.get(k, "")).strip() for k in ("as_of_a", "as_of_b")]

    def work() -> dict:
        from .. import api
        from ..cli import _date
        from ..policy import load_policy
        from ..reports.diff import policy_diff, unchanged_notes, write_diff_workbook
        from ..reports.files import write_atomically
        from ..roster.source import PendingSheet

        other = _policy_choice(state, form, run.folder / "diff", "other", "other_file")
        days = whole = None
        if other is not None:
            versions, names = [run.policy, other], [run.policy.name, other.name]
        elif all(dates):
            days = [_date(d) for d in dates]
            whole = load_policy(run.policy)
            versions = [whole.as_of(d) for d in days]
            names = [f"{run.policy.name} @ {d.isoformat()}" for d in days]
        else:
            raise UsageError("请选择或上传拟议政策，或填写两个日期", "choose or upload the proposed policy, or give two dates")
        a, b = api.run_diff(PendingSheet(run.roster, run.sheet, max_rows=state.config.max_rows), versions, run.period, ledger=_ledger_book(state),
                            scores=run.scores)
        result = policy_diff(a, b, names)
        result["notes"] = unchanged_notes(result, lang, days, whole)
        out = run.folder / "out" / "政策测算.xlsx"
        write_atomically([(out, lambda tmp: write_diff_workbook(result, tmp, lang))])
        run.outputs["diff"] = out
        return result
    try:
        result = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001 - shown on the page
        return await run_page(request, diff_failure=failure_of(exc, state.config.debug))
    return await run_page(request, diffed=views_diff(result, lang))


def views_diff(d: dict, lang: str) -> dict:
    """The comparison as the page shows it: amounts in yuan, the first 50 people who change."""
    from ..money import format_yuan
    from ..reports.diff import diff_label
    from ..reports.labels import labels

    def money(row: dict) -> dict:
        return {**row, **{k[:-4]: format_yuan(v) for k, v in row.items() if k.endswith("_fen")}}
    people = [money(r) for r in d["people"].head(50).to_dict("records")] if len(d["people"]) else []
    return {**money({k: v for k, v in d.items() if k.endswith("_fen")}), "files": d["files"], "period": d["period"],
            "parts": {p: [{**money(r), "label": diff_label(r, labels(lang))} for r in d[p]] for p in ("by_rule", "by_level", "by_district")},
            "gain": d["gain"], "lose": d["lose"], "unchanged": d["unchanged"], "notes": d.get("notes", []),
            "people": people, "people_total": len(d["people"])}


async def policy(request: Request) -> Response:
    state = _state(request)
    if request.method == "GET":
        return render(state, request, "policy.html")
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    upload = form.get("policy_file")
    folder = state.folder / "policies"
    lang = lang_of(request, state.config)

    def work():
        from ..policy import validate_policy

        name = guard.upload_name(getattr(upload, "filename", "") or "", guard.POLICY_SUFFIXES, "policy")
        sub = folder / secrets.token_hex(6)
        try:
            path = guard.save_upload(upload, sub, name)
            _, issues = validate_policy(path)
            return name, issues, problem_lines(path, {i.location.line for i in issues if i.location.line})
        finally:  # checked, then let go: nothing the clerk uploads stays until the server stops
            shutil.rmtree(sub, ignore_errors=True)
    try:
        if upload is None or not getattr(upload, "filename", ""):
            t = words(lang)
            raise UsageError(t["need_file"].format(what=t["validate.file"]), "choose a policy file")
        name, issues, lines = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001
        return _failure_page(state, request, failure_of(exc, state.config.debug), back="/policy")
    by_line: dict[int, list] = {}
    loose = []
    for issue in issues:
        (by_line.setdefault(issue.location.line, []) if issue.location.line else loose).append(issue)
    errors = sum(i.severity == "error" for i in issues)
    return render(state, request, "policy.html", name=name, lines=lines, by_line=by_line, loose=loose, errors=errors, warnings=len(issues) - errors, checked=True)


SHOWN_LINE = 500  # characters of a line shown beside its problem


def problem_lines(path: Path, wanted: set[int]) -> list[tuple[int, str]]:
    """The lines of a policy that have problems, each cut to SHOWN_LINE characters: the page echoes
    no more of an upload than that, and nothing of a file over the policy limit (not read here)."""
    from .app import POLICY_LIMIT

    if not wanted or path.stat().st_size > POLICY_LIMIT:
        return []
    shown = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, text in enumerate(fh, 1):
            if n in wanted:
                text = text.rstrip("\r\n")
                shown.append((n, text if len(text) <= SHOWN_LINE else text[:SHOWN_LINE] + " …"))
            if n >= max(wanted):
                break
    return shown


async def login(request: Request) -> Response:
    state = _state(request)
    if request.method == "GET":
        return render(state, request, "login.html")
    form = await request.form(max_files=0, max_fields=5)
    if not guard.same_origin(request.headers, request.url, state.hosts):
        return _refused(state, request)
    client = request.client.host if request.client else ""
    wait = state.sessions.wait(client)
    if wait:
        text = words(lang_of(request, state.config))["login.wait"].format(s=wait)
        return render(state, request, "login.html", status=429, wait=text)
    token = state.sessions.login(str(form.get("password", "")))
    if token is None:
        state.sessions.failed(client)
        return render(state, request, "login.html", status=401, wrong=True)
    response = RedirectResponse("/", 303)
    response.set_cookie(guard.SESSION_COOKIE, token, httponly=True, samesite="strict")
    return response


async def logout(request: Request) -> Response:
    state = _state(request)
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    state.sessions.logout(request.cookies.get(guard.SESSION_COOKIE))
    response = RedirectResponse("/login" if state.sessions.required else "/", 303)
    response.delete_cookie(guard.SESSION_COOKIE)
    return response


async def set_lang(request: Request) -> Response:
    code = request.path_params["code"]
    back = request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = RedirectResponse(back, 303)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, samesite="strict")
    return response
