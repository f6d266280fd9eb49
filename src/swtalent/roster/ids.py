"""Resident ID numbers (GB 11643-1999), checked over a whole column at once.

The checksum and birth date are computed with numpy over all rows together; the tests check
them against python-stdnum's implementation. The region code is looked up in python-stdnum's
table of Chinese region codes, but only ever as a warning: an ID keeps the county where it was
registered, which may be younger than its holder (琅琊区 341102 dates from 1992).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))


def expected_check_chars(ids: pd.Series) -> np.ndarray:
    """The check character each 18-character, 17-digit ID should end with."""
    if len(ids) == 0:
        return np.array([], dtype="<U1")
    raw = np.frombuffer("".join(ids).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    return CHECK_CHARS[(digits @ WEIGHTS) % 11]


def well_formed(ids: pd.Series) -> np.ndarray:
    """17 ASCII digits and a check character 0-9 or X."""
    return ids.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).to_numpy(dtype=bool)


def birth_date_valid(ids: pd.Series) -> np.ndarray:
    born = pd.to_datetime(ids.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    return (born.notna() & (born.dt.year >= 1900)).to_numpy(dtype=bool)


@lru_cache(maxsize=None)
def region_known(prefix: str) -> bool:
    """Whether a six-digit region code has ever existed (any year), per python-stdnum's table."""
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(prefix)
    return any("county" in props for _, props in parts)
