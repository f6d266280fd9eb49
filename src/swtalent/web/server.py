"""Start the page: check the address and password, bind, open the browser, and on the way out
(Ctrl-C, kill) remove every uploaded and generated file with the temporary folder."""
from __future__ import annotations

import errno
import shutil
import socket
import threading
import webbrowser
from pathlib import Path

from ..errors import UsageError
from .guard import is_loopback


def read_password(path: Path | None, host: str) -> str | None:
    """The password from --password-file (its first line); required for an address other than this
    computer's own, where anyone on the network could otherwise reach the ledger."""
    if path is None:
        if not is_loopback(host):
            raise UsageError(
                f"--host {host} 会让局域网内的其他电脑访问本页面（含身份证号和发放账本），需要密码：加 --password-file 文件"
                "（文件第一行为密码）；只在本机使用时不要指定 --host",
                f"--host {host} lets other computers on the network reach this page (ID numbers, the ledger): it needs "
                "a password, --password-file FILE (its first line); leave --host out to use it on this computer only")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise UsageError(f"无法读取密码文件「{path}」：{exc.strerror or exc}",
                         f"cannot read the password file '{path}': {exc.strerror or exc}") from None
    password = text[0].strip() if text else ""
    if len(password) < 8:
        raise UsageError(f"密码文件「{path}」的第一行应是至少 8 个字符的密码",
                         f"the first line of '{path}' should be a password of at least 8 characters")
    return password


def check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"端口 {port} 已被占用（可能页面已经打开）：用 --port 换一个端口",
                                 f"port {port} is in use (the page may be running already): choose another with --port") from None
            raise UsageError(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}",
                             f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def page_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(host: str, port: int, *, ledger: str | None, password_file: Path | None, browser: bool,
          policies: Path | None, lang: str, debug: bool, max_rows: int | None = None, say=print) -> None:
    import uvicorn

    from .app import Config, create_app, default_policies
    from .guard import quiet_logs

    password = read_password(password_file, host)
    check_port(host, port)
    # The app makes its temporary folder and removes it when the server stops (its lifespan), which
    # uvicorn runs on Ctrl-C and on kill (SIGTERM) before it raises the signal again; and here too,
    # should the server stop before its lifespan began.
    app = create_app(Config(ledger=ledger, password=password, policies=policies or default_policies(), lang=lang,
                            debug=debug, host=host, port=port,
                            **({"max_rows": max_rows} if max_rows else {})))
    try:
        quiet_logs()
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info", access_log=True,
                                               server_header=False))
        url = page_url(host, port)
        say((f"swtalent 页面：{url}（按 Ctrl-C 停止；停止时删除上传和生成的文件）" if lang == "zh"
             else f"swtalent page: {url} (Ctrl-C stops it and removes the uploaded and generated files)"))
        if browser:
            def open_when_up() -> None:
                for _ in range(100):
                    if server.started:
                        webbrowser.open(url)
                        return
                    threading.Event().wait(0.1)
            threading.Thread(target=open_when_up, daemon=True).start()
        try:
            server.run()
        except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it again: stopping is the way out
            pass
    finally:
        shutil.rmtree(app.state.web.folder, ignore_errors=True)
    say("已停止；上传和生成的文件已删除" if lang == "zh" else "stopped; the uploaded and generated files are removed")


class Background:
    """A real uvicorn server for an app on a thread (the browser tests and the README's screenshot):
    `with Background(app) as url: ...` listens on a free loopback port and stops on leaving."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        if not port:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.url = page_url(host, port)
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self.url
            if not self.thread.is_alive():
                break
            threading.Event().wait(0.05)
        raise RuntimeError(f"the server at {self.url} did not start")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
