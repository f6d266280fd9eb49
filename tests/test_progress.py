"""The progress bar: shown on a terminal after a delay, never otherwise; --quiet."""
from __future__ import annotations

import io
import time

import swtalent.progress as progress

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_the_stage_on_a_terminal(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    bar = progress.Stages(("read", "compute", "write"), "zh")
    time.sleep(0.3)
    bar.stage("compute")
    time.sleep(0.3)
    bar.close()
    assert "计算" in screen.getvalue()


def test_no_bar_when_not_a_terminal(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    bar = progress.Stages(("read",), "zh")
    time.sleep(0.2)
    bar.close()
    assert not bar.enabled and screen.getvalue() == ""


def test_no_bar_for_a_quick_run_on_a_terminal(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setattr(progress, "DELAY", 0.5)
    bar = progress.Stages(("read", "compute"), "zh")
    bar.stage("compute")
    bar.close()  # done before the delay: nothing was ever drawn
    time.sleep(0.7)
    assert bar.enabled and screen.getvalue() == ""


def test_quiet_prints_only_the_errors():
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 5 and "校验码" in result.stderr
