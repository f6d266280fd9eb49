"""Ctrl-C that always stops the program, never hangs it.

Python raises KeyboardInterrupt wherever the main thread is when Ctrl-C arrives. Two places made a
run that was stopped early go on or hang (each seen a few times in a hundred Ctrl-Cs in the first
half second of a run, while typer, pandas and the reader import and the roster is read):

- inside the import machinery (a module lock's weakref callback), where it can leave the global
  import lock held: the roster's reading thread, importing in its turn, then waited for it for
  ever. Here it is not raised inside an import, but asked again every 20 ms until it is;
- inside code that cannot pass an exception on (a destructor, a weakref callback), where Python
  prints "Exception ignored" and goes on: the run went on to the end. Here it is asked again
  instead.

A library that catches the KeyboardInterrupt itself still loses it (pydantic turns one raised in a
union's discriminator while the policy is loaded into a serializer warning, seen once in 40 Ctrl-Cs
half a second into a run): the run goes on, and a second Ctrl-C stops it.

Installed first thing by the command line, before its own imports. Standard library only.
"""
from __future__ import annotations

import _thread
import signal
import sys
import threading
import time

AGAIN_AFTER = 0.02  # seconds


def install() -> None:
    """Handle Ctrl-C so (not when the program has set a handler of its own)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    signal.signal(signal.SIGINT, _interrupt)
    passed_on = sys.unraisablehook

    def unraisable(info) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt):  # lost where it was raised: raised again elsewhere
            _later()
        else:
            passed_on(info)
    sys.unraisablehook = unraisable


_owed = threading.Event()  # a Ctrl-C not raised yet


def _interrupt(signum, frame) -> None:
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            _later()
            return
        frame = frame.f_back
    _owed.clear()
    raise KeyboardInterrupt


def _later() -> None:
    """Ask again every AGAIN_AFTER seconds until it is raised: one signal sent just before a wait
    starts is seen only once the wait is over."""
    if not _owed.is_set():
        _owed.set()
        threading.Thread(target=_ask_until_raised, daemon=True).start()  # an exit does not wait for it


def _ask_until_raised() -> None:
    while True:
        time.sleep(AGAIN_AFTER)
        if not _owed.is_set():
            return
        # A signal to the main thread: a wait there (for the roster being read) ends for it, where
        # _thread.interrupt_main would be seen only once the wait was over.
        if hasattr(signal, "pthread_kill"):
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        else:  # Windows: no signal to a thread
            _thread.interrupt_main()
