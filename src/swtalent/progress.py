"""A progress bar on the terminal for runs long enough to wait for (reading, computing, writing).

It appears only after about a second, only when standard error is a terminal, and never with
--quiet or --json; it is transient, so nothing is left on screen or in a log. Rich is imported
only when the bar is shown.
"""
from __future__ import annotations

import sys
import threading

from .testpoints import pause_for_tests

DELAY = 1.0  # seconds before a bar is worth showing

_STAGES = {"zh": {"read": "读取花名册", "compute": "计算", "write": "写出结果"},
           "en": {"read": "reading the roster", "compute": "computing", "write": "writing"}}


class Stages:
    """`stage(name)` at each step; `close()` at the end. A no-op unless a terminal is watching."""

    def __init__(self, steps: tuple[str, ...], lang: str = "zh", enabled: bool = True):
        self.steps, self.lang = steps, lang
        self.enabled = enabled and sys.stderr.isatty()
        self._lock = threading.Lock()
        self._bar = self._task = None
        self._current = 0
        self._closed = False
        self._timer = threading.Timer(DELAY, self._show) if self.enabled else None
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._closed:
                return
            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self._label(), total=len(self.steps), completed=self._current)
            self._bar.start()

    def _label(self) -> str:
        name = self.steps[min(self._current, len(self.steps) - 1)]
        return _STAGES[self.lang].get(name, name)

    def stage(self, name: str) -> None:
        with self._lock:
            if name in self.steps:  # never backwards: a diff reads and computes twice
                self._current = max(self._current, self.steps.index(name))
            if self._bar is not None:
                self._bar.update(self._task, completed=self._current, description=self._label())
        pause_for_tests(name)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
