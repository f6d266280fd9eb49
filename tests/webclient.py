"""Helpers for the web tests: an app with its own ledger and folder, a real ASGI client, and a run
computed through the page as a clerk would start one."""
from __future__ import annotations

import time
import warnings
from pathlib import Path

from swtalent.web.app import Config, create_app

from .conftest import EXAMPLE, ROOT

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 for its test client; httpx is what it runs on
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def app_for(tmp_path: Path, **kw):
    kw.setdefault("ledger", str(tmp_path / "ledger.db"))
    kw.setdefault("policies", ROOT / "policies")
    return create_app(Config(**kw))


def client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8765")


def token(c: TestClient) -> str:
    if not c.cookies.get("swtalent_csrf"):
        c.get("/")
    return c.cookies.get("swtalent_csrf")


def start(c: TestClient, roster: Path = EXAMPLE, policy: str = "chuzhou.yaml", period: str = "2023",
          policy_file: tuple[str, bytes] | None = None, files: dict | None = None, **data):
    """POST /runs (a shipped policy by name, or an uploaded one as (name, bytes); further uploads in
    `files`); the response (a redirect to the run when accepted)."""
    files = {"roster": (roster.name, roster.read_bytes()), **({"policy_file": policy_file} if policy_file else {}),
             **(files or {})}
    return c.post("/runs", data={"csrf": token(c), "policy": policy, "period": period, **data}, files=files,
                  follow_redirects=False)


def computed(c: TestClient, roster: Path = EXAMPLE, **kw) -> str:
    """Start a run and wait for it; the run's URL."""
    r = start(c, roster, **kw)
    assert r.status_code == 303, r.text
    return finished(c, r.headers["location"])


def finished(c: TestClient, url: str) -> str:
    deadline = time.monotonic() + 120
    while c.get(url + "/status").json()["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return url
