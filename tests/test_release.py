"""A run lets go of the roster's cells once they are read: at a million rows they are some 500 MB
of Python objects that checking, computing and writing do not need. A comparison of two policies
reads the file once and lets go after the second; anything that asks again reads the file again."""
from __future__ import annotations

import gc
import weakref

from swtalent.api import run_check, run_compute, run_diff
from swtalent.roster import source
from swtalent.roster.source import PendingSheet

from .conftest import CHUZHOU, EXAMPLE


def held(pending: PendingSheet) -> weakref.ref:
    book = pending.result()
    return weakref.ref(book)


def test_compute_and_check_let_go_of_the_cells_once_read():
    for run in (lambda p: run_compute(p, CHUZHOU, "2023"), lambda p: run_check(p, CHUZHOU, period="2023")):
        pending = PendingSheet(EXAMPLE)
        cells = held(pending)
        run(pending)
        gc.collect()
        assert cells() is None


def test_a_released_roster_is_read_again_when_asked():
    pending = PendingSheet(EXAMPLE)
    first = run_compute(pending, CHUZHOU, "2023")
    again = run_compute(pending, CHUZHOU, "2023")
    assert again.total_fen == first.total_fen == 17_520_000
    assert len(pending.result().sheets[0].rows) == len(PendingSheet(EXAMPLE).result().sheets[0].rows)


def test_diff_reads_once_and_lets_go_after_both(monkeypatch):
    reads = []
    load = source._load
    monkeypatch.setattr(source, "_load", lambda *a: reads.append(a) or load(*a))
    pending = PendingSheet(EXAMPLE)
    cells = held(pending)
    a, b = run_diff(pending, [CHUZHOU, CHUZHOU], "2023")
    gc.collect()
    assert cells() is None and a.total_fen == b.total_fen == 17_520_000
    assert len(reads) == 1
