"""Named points where the kill tests stop a run: with SWTALENT_TEST_PAUSE=between-renames a run
says `paused at between-renames` on standard error and waits there (SWTALENT_TEST_PAUSE_SECONDS,
default 60) for the test to kill it. Unset, as in every real run, a point costs one lookup."""
from __future__ import annotations

import os
import sys
import time


def pause_for_tests(point: str) -> None:
    if os.environ.get("SWTALENT_TEST_PAUSE") == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("SWTALENT_TEST_PAUSE_SECONDS", "60")))
