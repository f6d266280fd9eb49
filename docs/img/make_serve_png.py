"""docs/img/serve.png: the page after the example is computed, as the browser tests see it.

    apt-get install -y chromium fonts-wqy-microhei
    python docs/img/make_serve_png.py            # needs the test extra (Playwright)

A real uvicorn server on a free port with a throwaway ledger, Debian's Chromium driven by
Playwright (tests/browser.py), the example roster uploaded through the form, the page captured.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from swtalent.web.app import Config, create_app  # noqa: E402
from swtalent.web.server import Background  # noqa: E402
from tests.browser import ARGS, chromium_path  # noqa: E402


def main(out: Path = ROOT / "docs" / "img" / "serve.png") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(ledger=str(Path(tmp) / "ledger.db"), policies=ROOT / "policies"))
        with Background(app) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
            page = browser.new_page(viewport={"width": 1180, "height": 1000}, locale="zh-CN")
            page.goto(url)
            page.set_input_files("#roster", str(ROOT / "examples" / "chuzhou-roster.xlsx"))
            page.fill("#period", "2023")
            page.click("#compute")
            page.wait_for_selector("#summary", timeout=120_000)
            page.screenshot(path=str(out))
            browser.close()
    print(f"written: {out}")


if __name__ == "__main__":
    main()
