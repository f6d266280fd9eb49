"""What keeps the page safe to leave running: who may use it, which requests may change the
ledger, what an upload may be, and a server log without ID numbers or bank accounts.

- Bound to 127.0.0.1 unless told otherwise; any other address needs a password (server.py).
- With a password, every page but the login form and the style sheet asks for a session cookie
  (random, HttpOnly, SameSite=Strict), made by logging in with the password.
- Every form that posts carries a token equal to a random cookie of the browser's own (a
  double-submit token a page on another site can neither read nor set), and a request whose Origin
  header names another site is refused before anything runs.
- An upload is kept under its own name (the file name only, no folder) in the run's temporary
  folder; its size and content are then held to the CLI's limits by the same readers.
"""
from __future__ import annotations

import hmac
import logging
import re
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Issue, Location, SwtalentError
from ..safety import PERSONAL_NUMBER

SESSION_COOKIE = "swtalent_session"
CSRF_COOKIE = "swtalent_csrf"
ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
POLICY_SUFFIXES = (".yaml", ".yml")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class Sessions:
    """The password (None: no login asked) and the sessions opened with it, in memory: a restart
    logs everyone out, which is the point of a per-run server."""

    def __init__(self, password: str | None):
        self.password = password
        self._open: set[str] = set()

    @property
    def required(self) -> bool:
        return self.password is not None

    def login(self, given: str) -> str | None:
        if self.password is None or not hmac.compare_digest(given.encode(), self.password.encode()):
            return None
        token = secrets.token_urlsafe(32)
        self._open.add(token)
        return token

    def valid(self, token: str | None) -> bool:
        return not self.required or bool(token) and token in self._open

    def logout(self, token: str | None) -> None:
        self._open.discard(token or "")


def csrf_token(cookies: dict) -> str:
    """The browser's token (the cookie's value), or a new one the response will set."""
    token = cookies.get(CSRF_COOKIE, "")
    return token if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token) else secrets.token_urlsafe(32)


def same_origin(headers, url) -> bool:
    """False when Origin (or, without it, Referer) names a site other than this server."""
    claimed = headers.get("origin") or headers.get("referer")
    if not claimed or claimed == "null" and not headers.get("origin"):
        return True  # a client that sends neither (curl, the tests' client): the token still applies
    seen = urlsplit(claimed)
    return (seen.scheme, seen.netloc) == (url.scheme, url.netloc)


def csrf_ok(cookies: dict, form, headers, url) -> bool:
    cookie, sent = cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode()) and same_origin(headers, url)


def upload_name(filename: str | None, allowed: tuple[str, ...], what: str) -> str:
    """The name an upload is kept under: its own file name, without any folder or character a file
    system refuses, and with one of the suffixes the CLI reads (file.format otherwise)."""
    name = _UNSAFE_NAME.sub("_", Path((filename or "").replace("\\", "/")).name).strip(" .")[-120:]
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise SwtalentError([Issue.make("file.format", Location(file=name or what), suffix=suffix or name or what)])
    return name


def save_upload(upload, folder: Path, name: str) -> Path:
    """Copy an upload (already spooled by the form parser) into the run's folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    upload.file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return path


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


class NoPersonalNumbers(logging.Filter):
    """Masks anything shaped like an ID number or a bank account in a log line (uvicorn's access
    log prints each path and query string): no ID reaches the server's log, even from a URL typed
    by hand. The page itself never puts one in a URL (person search and returns are posted)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in (
                record.args if isinstance(record.args, tuple) else (record.args,)))
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


def mask(text: str) -> str:
    return PERSONAL_NUMBER.sub(lambda m: "*" * len(m.group()), text)


def quiet_logs() -> None:
    """Put the filter on every logger uvicorn and Starlette write through."""
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "swtalent.web"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoPersonalNumbers) for f in logger.filters):
            logger.addFilter(NoPersonalNumbers())
