"""Unified social credit codes (统一社会信用代码, GB 32100-2015), checked over a whole column at once.

An organisation's code is 18 characters from 0-9 and the capital letters but I, O, Z, S and V:
the registering authority (1) and the entity's kind (2) — 5 and 2 for a 民政-registered social
service agency, 1 and 2 for a public institution —, the region code (3-8, digits), the
organisation code (9-17) and a check character (18), 31 minus the weighted sum of the first 17
modulo 31 (weights 3^k mod 31). The arithmetic is python-stdnum's `stdnum.cn.uscc`, done on a byte
matrix (one row of 18 bytes per code) so that a roster of any length takes a few numpy
operations; the tests hold it to python-stdnum. Unlike stdnum, the first two characters may be
letters, as the standard allows (Y: registered by another authority; N: 农业 departments)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = np.array([pow(3, k, 31) for k in range(17)], dtype=np.int64)  # 1, 3, 9, 27, 19, 26 …
_VALUE = np.full(256, -1, dtype=np.int64)
_VALUE[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(len(ALPHABET))


@dataclass
class CodeFindings:
    """Per row: what is right and wrong with each (already normalised) code."""

    length: np.ndarray  # characters
    shaped: np.ndarray  # 18 characters of the alphabet, the region code in digits
    expected: np.ndarray  # the check character the first 17 call for ('' if not shaped)
    checksum_ok: np.ndarray


def check_character(first17: str) -> str:
    """The check character of a code's first 17 characters (for generating examples and hints)."""
    total = sum(ALPHABET.index(ch) * int(w) for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def check_codes(codes: np.ndarray) -> CodeFindings:
    n = len(codes)
    length = np.fromiter(map(len, codes), dtype=np.int64, count=n)
    ascii18 = (length == 18) & np.fromiter(map(str.isascii, codes), dtype=bool, count=n)
    m = np.frombuffer("".join(codes[ascii18]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _VALUE[m]
    region_digits = ((m[:, 2:8] >= 48) & (m[:, 2:8] <= 57)).all(axis=1)
    shaped_sub = (values >= 0).all(axis=1) & region_digits
    check = (31 - (values[:, :17] @ WEIGHTS) % 31) % 31
    alphabet = np.array(list(ALPHABET), dtype="<U1")
    shaped = np.zeros(n, dtype=bool)
    shaped[ascii18] = shaped_sub
    expected = np.full(n, "", dtype="<U1")
    expected[ascii18] = np.where(shaped_sub, alphabet[check], "")
    checksum_ok = np.zeros(n, dtype=bool)
    checksum_ok[ascii18] = shaped_sub & (values[:, 17] == check)
    return CodeFindings(length, shaped, expected, checksum_ok)
