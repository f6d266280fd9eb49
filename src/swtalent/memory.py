"""Give the C heap's free pages back to the system between the stages of a large run.

After a million-row roster is read, glibc's malloc keeps the half gigabyte the read let go of
(calamine's copy of the sheet, the cells as Python objects) in its own free lists, scattered
among what the run still holds, and the workbook written next cannot reuse most of it: the run
then peaks at 2.06 GiB. malloc_trim(0) returns those pages (513 MB at that point) and the peak
falls to 1.85 GiB (docs/benchmarks.md). Where the C library has no malloc_trim (macOS, musl,
Windows) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

_trim = None
if sys.platform.startswith("linux"):
    try:
        _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        _trim.argtypes, _trim.restype = [ctypes.c_size_t], ctypes.c_int
    except (OSError, AttributeError):  # not glibc
        _trim = None


def give_back() -> bool:
    """Return the heap's free pages to the system; True when the C library could be asked."""
    if _trim is None:
        return False
    _trim(0)
    return True


def give_back_meanwhile() -> None:
    """give_back on a thread of its own, while this one goes on: malloc_trim walks the whole heap
    (0.14 s after a million-row read), and ctypes lets go of the GIL for it."""
    if _trim is not None:
        threading.Thread(target=give_back, name="swtalent-give-back", daemon=True).start()
