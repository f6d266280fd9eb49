"""A real headless Chromium for the page's tests and the README's screenshot: Debian's chromium
driven by Playwright (its own browser download is not used: `playwright install` needs the
internet). With CI=true a missing Chromium or Playwright fails the tests instead of skipping them,
as tests/pgserver.py does for PostgreSQL.

  SWTALENT_TEST_CHROMIUM  the browser to drive (default: chromium on PATH, then /usr/bin/chromium)
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

# Without the networking flags Chromium reaches for Google's services, which a closed network refuses.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    given = os.environ.get("SWTALENT_TEST_CHROMIUM")
    for candidate in ([given] if given else [shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")]):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable(why: str):
    """Fail under CI (the browser tests must run there), skip elsewhere, saying why."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {why}", pytrace=False)
    pytest.skip(why)


@contextmanager
def chromium():
    """A launched browser; the caller opens pages on it."""
    path = chromium_path()
    if path is None:
        unavailable("no Chromium (Debian: apt-get install chromium, or set SWTALENT_TEST_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
