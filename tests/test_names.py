"""Which 姓名 cells are a person's name (roster.name-invalid): letters of any script with the marks
minority and foreign names are written with, in the forms input methods give them; never a formula,
digits, brackets, control characters or emoji. Names are read NFKC, so each is checked as written and
as read."""
from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from swtalent.roster.normalise import _plausible_names

ACCEPTED = [
    "张三", "李〇", "阿依古丽·买买提", "阿依古丽・买买提", "阿依古丽•买买提", "阿依古丽‧买买提",  # U+2027
    "阿依古丽∙买买提", "阿依古丽⋅买买提", "阿依古丽･买买提",  # U+2219, U+22C5, U+FF65
    "O'Brien", "O’Brien", "O‘Brien", "OʼBrien",  # U+2019, U+2018, U+02BC
    "བཀྲ་ཤིས་རྡོ་རྗེ", "བཀྲ༌ཤིས", "ཚེ་རིང་",  # the tsheg U+0F0B, U+0F0C; one at the end
    "Jean-Luc", "Jean‐Luc", "Jean‑Luc", "Jean–Luc", "玛丽—安", "玛丽－安",  # U+2010, U+2011, U+2013, U+2014, U+FF0D
    "Mary Ann", "Mary\u3000Ann", "J. R. Smith",
]
REJECTED = [
    '=HYPERLINK("http://evil.example","点击")', "+张三", "@SUM(1)", "-张三", "·张三", "’张三",
    "张三1", "张三１", "张三(李)", "张三（李）", "张三【李】", "张三\x07", "张三\u202e", "张三😀", "张三=1", "张三+",
]


@pytest.mark.parametrize("name", ACCEPTED)
@pytest.mark.parametrize("nfkc", [False, True], ids=["as-written", "as-read"])
def test_a_name_with_the_marks_names_are_written_with_is_accepted(name, nfkc):
    text = unicodedata.normalize("NFKC", name) if nfkc else name
    assert _plausible_names(np.array([text, "张三"], dtype=object)).tolist() == [True, True]


@pytest.mark.parametrize("name", REJECTED)
@pytest.mark.parametrize("nfkc", [False, True], ids=["as-written", "as-read"])
def test_a_formula_digits_brackets_controls_or_emoji_are_no_name(name, nfkc):
    text = unicodedata.normalize("NFKC", name) if nfkc else name
    assert _plausible_names(np.array([text, "张三"], dtype=object)).tolist() == [False, True]
