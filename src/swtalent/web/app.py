"""The routes: each one call on the library (the CLI's call) plus a template.

  GET  /                        the compute form (policy, roster, period) and the runs so far
  POST /runs                    upload and start a run                → 303 /runs/{id}
  GET  /runs/{id}               progress, then summary, downloads, problems (?code=&severity=),
                                one person, a comparison, and the way to the ledger
  GET  /runs/{id}/status        the run's state and stage as JSON, for the page's polling
  GET  /runs/{id}/files/{kind}  workbook, csv, notice, annotated, diff
  POST /runs/{id}/explain       one person (posted: an ID number never goes into a URL or the log)
  POST /runs/{id}/diff          two policies, or one on two dates, on this run's roster
  GET|POST /runs/{id}/commit    the confirmation with the total, then the commit (token-protected)
  GET|POST /policy              validate an uploaded policy: each problem beside its line
  GET  /ledger, /ledger/{batch} the batches, one batch's lines
  POST /ledger/{batch}/void, /ledger/{batch}/return   reversals with a reason (token-protected)
  GET|POST /login, POST /logout, GET /lang/{zh|en}
"""
from __future__ import annotations

import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    RedirectResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..roster.source import DEFAULT_MAX_ROWS
from . import guard, ledger_pages, views
from .runs import Runs
from .text import hint_of, words

HERE = Path(__file__).parent
POLICY_LIMIT = 1 << 20  # the policy reader refuses a larger file (policy.too-large); the upload stops here too
FORM_SLACK = 64 << 10  # a form's own fields and boundaries, besides its file


def upload_limit(max_rows: int) -> int:
    """The roster reader refuses a file that would inflate past 1 KiB a row of --max-rows: a request
    larger than that (and two policies) cannot hold a roster it would read."""
    return max_rows * 1024 + 2 * POLICY_LIMIT


@dataclass
class Config:
    ledger: str | None = None  # as --ledger: None reads $SWTALENT_LEDGER or the per-user file
    password: str | None = None
    policies: Path | None = None  # the shipped policies offered in the form
    lang: str = "zh"
    folder: Path | None = None  # where runs keep their files (a new temporary folder by default)
    debug: bool = False
    max_rows: int = DEFAULT_MAX_ROWS  # as --max-rows: the rows a roster may have, and so its size
    upload_limit: int | None = None  # bytes a request may carry (default: from max_rows)
    host: str | None = None  # as --host: the page answers to this name too (besides 127.0.0.1, localhost, [::1])
    port: int | None = None  # as --port: a Host header naming another port is refused (None: any)


def shipped_policies(folder: Path | None) -> dict[str, Path]:
    if folder is None or not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.glob("*.yaml"))}


def default_policies() -> Path | None:
    """policies/ beside the source tree (an editable install, the repository), else the current folder's."""
    for folder in (HERE.parents[2] / "policies", Path.cwd() / "policies"):
        if folder.is_dir():
            return folder
    return None


def create_app(config: Config | None = None) -> Starlette:
    config = config or Config()
    if config.upload_limit is None:
        config.upload_limit = upload_limit(config.max_rows)
    own_folder = config.folder is None
    folder = Path(tempfile.mkdtemp(prefix="swtalent-serve-")) if own_folder else config.folder
    runs = Runs(folder, config.ledger, config.debug, config.max_rows)
    sessions = guard.Sessions(config.password)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["yuan"] = views.grouped
    env.filters["unfoldered"] = views.unfoldered(folder)
    env.globals["hint_of"] = hint_of
    hosts = guard.Hosts(config.host, config.port)
    state = views.State(config=config, runs=runs, sessions=sessions, env=env, folder=folder,
                        policies=shipped_policies(config.policies), hosts=hosts)

    @asynccontextmanager
    async def lifespan(app):
        guard.quiet_logs()
        try:
            yield
        finally:
            runs.shutdown()
            if own_folder:
                views.remove_folder(folder)

    def limit_of(path: str) -> int:
        """What a request to this path may carry: a policy (checked, or compared with this run's) and
        its form, else a roster, a policy and a score sheet (upload_limit)."""
        return POLICY_LIMIT + FORM_SLACK if path == "/policy" or path.endswith("/diff") else config.upload_limit

    class Gate(BaseHTTPMiddleware):
        """Login, request size, and the browser's cross-site token cookie, before any route."""

        async def dispatch(self, request: Request, call_next):
            lang = views.lang_of(request, config)
            request.state.csrf = guard.csrf_token(request.cookies)
            public = request.url.path.startswith("/static/") or request.url.path in ("/login", "/favicon.ico")
            if not public and not sessions.valid(request.cookies.get(guard.SESSION_COOKIE)):
                if request.method == "GET":
                    return RedirectResponse("/login", 303)
                return views.message(state, request, words(lang)["login.title"], status=403)
            size = request.headers.get("content-length", "")
            if request.method == "POST" and size.isdigit() and int(size) > limit_of(request.url.path):
                text = words(lang)["too_large"].format(limit=views.size_words(limit_of(request.url.path)))
                return views.message(state, request, text, status=413)
            response = await call_next(request)
            if request.cookies.get(guard.CSRF_COOKIE) != request.state.csrf:
                response.set_cookie(guard.CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict")
            return response

    routes = [
        Route("/", views.index, methods=["GET"]),
        Route("/runs", views.start_run, methods=["POST"]),
        Route("/runs/{run_id}", views.run_page, methods=["GET"]),
        Route("/runs/{run_id}/status", views.run_status, methods=["GET"]),
        Route("/runs/{run_id}/files/{kind}", views.download, methods=["GET"]),
        Route("/runs/{run_id}/explain", views.explain, methods=["POST"]),
        Route("/runs/{run_id}/diff", views.diff, methods=["POST"]),
        Route("/runs/{run_id}/commit", ledger_pages.commit, methods=["GET", "POST"]),
        Route("/policy", views.policy, methods=["GET", "POST"]),
        Route("/ledger", ledger_pages.ledger, methods=["GET"]),
        Route("/ledger/{batch}", ledger_pages.batch, methods=["GET"]),
        Route("/ledger/{batch}/void", ledger_pages.reverse, methods=["POST"]),
        Route("/ledger/{batch}/return", ledger_pages.reverse, methods=["POST"]),
        Route("/login", views.login, methods=["GET", "POST"]),
        Route("/logout", views.logout, methods=["POST"]),
        Route("/lang/{code}", views.set_lang, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(guard.Shield, hosts=hosts, limit_of=limit_of, too_large=views.too_large,
                                             internal=views.internal, debug=config.debug), Middleware(Gate)], lifespan=lifespan,
                    exception_handlers={404: views.not_found, 405: views.not_found,
                                        guard.BodyTooLarge: views.too_large})
    app.state.web = state
    return app

