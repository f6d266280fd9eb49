"""What keeps the page safe to leave running: who may use it, which requests may change the
ledger, what an upload may be, and a server log without ID numbers or bank accounts.

- Bound to 127.0.0.1 unless told otherwise; any other address needs a password (server.py).
- A request whose Host header is not one of this page's own names is refused before anything
  runs: a page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) reads nothing.
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
import ipaddress
import logging
import math
import re
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

from ..errors import Issue, Location, SwtalentError
from ..safety import PERSONAL_NUMBER

log = logging.getLogger("swtalent.web")

SESSION_COOKIE = "swtalent_session"
CSRF_COOKIE = "swtalent_csrf"
ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
POLICY_SUFFIXES = (".yaml", ".yml")
SCORE_SUFFIXES = (".xlsx", ".xlsm", ".csv")  # what scores.read_scores reads
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class Sessions:
    """The password (None: no login asked) and the sessions opened with it, in memory: a restart
    logs everyone out, which is the point of a per-run server."""

    TRIES, WINDOW = 5, 60.0  # failed logins a client may make in WINDOW seconds; then it waits

    def __init__(self, password: str | None):
        self.password = password
        self._open: set[str] = set()
        self._failed: dict[str, list[float]] = {}

    def wait(self, client: str) -> int:
        """Seconds this client must wait before it may try the password again (0: it may now)."""
        now = time.monotonic()
        recent = [t for t in self._failed.get(client, ()) if now - t < self.WINDOW]
        if recent:
            self._failed[client] = recent
        else:
            self._failed.pop(client, None)
        return max(1, math.ceil(self.WINDOW - (now - recent[0]))) if len(recent) >= self.TRIES else 0

    def failed(self, client: str) -> None:
        if len(self._failed) > 10_000:  # many clients guessing: forget those who stopped
            now = time.monotonic()
            self._failed = {k: v for k, v in self._failed.items() if v and now - v[-1] < self.WINDOW}
        self._failed.setdefault(client, []).append(time.monotonic())

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


def split_host(netloc: str) -> tuple[str, int | None] | None:
    """A Host header (or an Origin's netloc) as its name and port: 'localhost:8765', '[::1]:8765',
    '127.0.0.1'. None for anything else (an IPv6 address without brackets, a port that is no number)."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        name, _, rest = netloc[1:].partition("]")
    elif netloc.count(":") > 1:
        return None
    else:
        name, colon, port = netloc.partition(":")
        rest = colon + port
    if not name or rest and not (rest.startswith(":") and rest[1:].isdigit() and len(rest) < 7):
        return None
    return name, int(rest[1:]) if rest else None


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Hosts:
    """The names this page answers to: 127.0.0.1, localhost and [::1], and the --host it listens on
    (with its port, when known). A browser sends the name it was given in the Host header, so a page
    of evil.example that re-points its own name at this computer (DNS rebinding) sends
    'evil.example' and is refused. Listening on every address (0.0.0.0, ::), the page also answers
    to this computer's own name and to any IP address: an address is no name another site can
    re-point, so it cannot carry that site's pages here."""

    def __init__(self, host: str | None = None, port: int | None = None):
        self.port = port
        self.everywhere = host in ("0.0.0.0", "::", "[::]")
        self.names = {"127.0.0.1", "localhost", "::1"}
        if host and not self.everywhere:
            self.names.add(host.strip("[]").lower())
        if self.everywhere:
            self.names |= own_names()

    def allows(self, netloc: str | None) -> bool:
        found = split_host(netloc or "")
        if found is None:
            return False
        name, port = found
        if self.port is not None and port is not None and port != self.port:
            return False
        return name in self.names or self.everywhere and is_ip(name)


def own_names() -> set[str]:
    import socket

    names = set()
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower())
    return names


def same_origin(headers, url, hosts: Hosts | None = None) -> bool:
    """False when Origin (or, without it, Referer) names a site other than this server: another
    scheme or address than the request's, or a name that is not one of the page's own."""
    claimed = headers.get("origin") or headers.get("referer")
    if not claimed or claimed == "null" and not headers.get("origin"):
        return True  # a client that sends neither (curl, the tests' client): the token still applies
    seen = urlsplit(claimed)
    if hosts is not None and not hosts.allows(seen.netloc):
        return False
    return (seen.scheme, seen.netloc) == (url.scheme, url.netloc)


def csrf_ok(cookies: dict, form, headers, url, hosts: Hosts | None = None) -> bool:
    cookie, sent = cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode()) and same_origin(headers, url, hosts)


HOST_REFUSED = ("此地址不是本页面的地址（Host 不符），请求未处理。请用 http://127.0.0.1:端口/ 打开本页面。\n"
                "This address is not the page's own (the Host header does not match); nothing was done. "
                "Open the page at http://127.0.0.1:PORT/.\n")


class BodyTooLarge(Exception):
    """A request body past its route's limit, found while it was being read (sent in chunks, or
    longer than its Content-Length said): the route stops reading it."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class Shield:
    """The outermost guard, before any route or middleware of the app: a request whose Host header
    is not one of the page's own names gets a short plain 400 and nothing else; a request body is
    counted as it is read and stopped at its route's limit (`limit_of(path)`), whether or not it
    declared its length."""

    def __init__(self, app, hosts: Hosts, limit_of=lambda path: None, too_large=None, internal=None,
                 debug: bool = False):
        self.app, self.hosts, self.limit_of, self.too_large = app, hosts, limit_of, too_large
        self.internal, self.debug = internal, debug

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
        if not self.hosts.allows(host):
            from starlette.responses import PlainTextResponse

            return await PlainTextResponse(HOST_REFUSED, status_code=400)(scope, receive, send)
        limit = self.limit_of(scope.get("path", "")) if scope["type"] == "http" else None
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if limit is not None and seen > limit:
                    raise BodyTooLarge(limit)
            return message
        started = False

        async def sending(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)
        try:
            return await self.app(scope, counted, sending)
        except Exception as exc:  # BaseHTTPMiddleware hands it on inside an ExceptionGroup
            found = within(exc, BodyTooLarge)
            if found is not None and not started and self.too_large is not None:
                from starlette.requests import Request

                response = await self.too_large(Request(scope), found)
                return await response(scope, receive, send)
            # Anything else unexpected: a one-line masked summary in the log, never a traceback
            # (a file name or a cell quoted in it may hold an ID), and a page that says so.
            log.error("internal error: %s %s: %s", scope.get("method", ""), mask(scope.get("path", "")),
                      type(within_leaf(exc)).__name__)
            if self.debug:
                import traceback

                log.error("%s", mask(traceback.format_exc()))
            if started:
                return None  # the answer is on its way: the connection closes where it is
            return await self.broken(scope, receive, send)

    async def broken(self, scope, receive, send):
        from starlette.responses import PlainTextResponse

        try:
            from starlette.requests import Request

            response = await self.internal(Request(scope))
        except Exception:  # noqa: BLE001 - the page itself failed: the plain words
            response = PlainTextResponse(INTERNAL, status_code=500)
        return await response(scope, receive, send)


INTERNAL = ("内部错误，请求未完成。服务器窗口中有一行记录，请报告给维护者。\n"
            "Internal error; the request was not completed. The server's window has a line about it: report it "
            "to the maintainers.\n")


def within_leaf(exc: BaseException) -> BaseException:
    """The first exception inside exception groups, for the log's one line."""
    inner = getattr(exc, "exceptions", ())
    return within_leaf(inner[0]) if inner else exc


def within(exc: BaseException, kind: type) -> BaseException | None:
    """The exception of this kind, itself or inside an exception group (anyio's task groups wrap)."""
    if isinstance(exc, kind):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = within(inner, kind)
        if found is not None:
            return found
    return None


def upload_name(filename: str | None, allowed: tuple[str, ...], what: str) -> str:
    """The name an upload is kept under: its own file name, without any folder or character a file
    system refuses, and with one of the suffixes the CLI reads (file.format otherwise)."""
    name = _UNSAFE_NAME.sub("_", Path((filename or "").replace("\\", "/")).name).strip(" .")
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise SwtalentError([Issue.make("file.format", Location(file=shortened(name, "") or what),
                                        suffix=suffix or shortened(name, "") or what)])
    return shortened(name[:len(name) - len(suffix)], name[len(name) - len(suffix):])


NAME_BYTES = 150  # a file system takes 255 bytes a name; the outputs' temporary names add their own


def shortened(stem: str, suffix: str) -> str:
    """The name cut to NAME_BYTES bytes of UTF-8 (a Chinese character takes three), at a character,
    keeping its suffix: '花' * 100 + '.xlsx' is 305 bytes, more than a file system takes."""
    room = NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return (cut or "upload") + suffix


def save_upload(upload, folder: Path, name: str) -> Path:
    """Copy an upload (already spooled by the form parser) into the run's folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    upload.file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return path


def is_loopback(host: str) -> bool:
    """This computer only: 'localhost' or a loopback address written as one (127.0.0.1, 127.0.0.2,
    ::1, [::1]). A name that merely begins with 127. (127.0.0.1.192.168.1.5.nip.io resolves to a
    network address) is not."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


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
    """Anything shaped like an ID number or an account starred out, also when a URL spells it with
    escapes (6217%200000%201111%202222, %36%32…): such a line is masked as decoded."""
    decoded = text
    for _ in range(3):  # an escape escaped again (%2520) is decoded too
        step = unquote_plus(decoded)
        if step == decoded:
            break
        decoded = step
    if decoded != text and PERSONAL_NUMBER.search(decoded):
        text = decoded
    return PERSONAL_NUMBER.sub(lambda m: "*" * len(m.group()), text)


def quiet_logs() -> None:
    """Put the filter on every logger uvicorn and Starlette write through."""
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "swtalent.web"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoPersonalNumbers) for f in logger.filters):
            logger.addFilter(NoPersonalNumbers())
