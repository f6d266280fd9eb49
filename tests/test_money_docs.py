"""Exact money, capital numerals, periods, and the problem catalogue kept in step with its docs."""
from __future__ import annotations

from decimal import Decimal

import pytest

from swtalent.errors import CATALOGUE, Issue, catalogue_markdown
from swtalent.money import capital_yuan, format_yuan, plain_yuan, to_fen
from swtalent.periods import Period

from .conftest import ROOT


@pytest.mark.parametrize("fen,words", [(1640902, "壹万陆仟肆佰零玖元零贰分"), (100000, "壹仟元整"),
                                       (1000100, "壹万零壹元整"), (5, "伍分"), (0, "零元整"),
                                       (17520000, "壹拾柒万伍仟贰佰元整")])
def test_capital_numerals_as_on_payment_sheets(fen, words):
    assert capital_yuan(fen) == words


def test_capital_numerals_agree_with_cn2an():
    """cn2an is the reference (the banking rules for 零 and 整); below 1亿 yuan we agree on every amount."""
    import random

    import cn2an

    rng = random.Random(7)
    amounts = [rng.randint(1, 10**6) for _ in range(3000)] + [rng.randint(1, 10**10 - 1) for _ in range(3000)]
    amounts += [rng.choice((1, 10, 100, 1000, 10**5)) * rng.randint(1, 10**4) for _ in range(3000)]
    for fen in amounts:
        assert capital_yuan(fen) == cn2an.an2cn(format_yuan(fen), "rmb"), fen


def test_capital_numerals_read_a_zero_group_once():
    # cn2an drops this 零 (673800003819 -> ...亿叁仟...); the usual reading keeps it.
    assert capital_yuan(10000300000) == "壹亿零叁仟元整"
    assert capital_yuan(-1000) == "负壹拾元整"
    with pytest.raises(ValueError):
        capital_yuan(10**14)


@pytest.mark.parametrize("yuan,fen", [("0.005", 1), ("0.004", 0), ("2.675", 268), ("1000", 100000),
                                      (Decimal("16409.02"), 1640902)])
def test_rounding_is_half_up_at_the_fen(yuan, fen):
    assert to_fen(yuan) == fen


def test_amount_strings():
    assert format_yuan(200000) == "2000.00"
    assert format_yuan(1) == "0.01"
    assert (plain_yuan(20000), plain_yuan(100050), plain_yuan(5)) == ("200", "1000.5", "0.05")


def test_period_labels_round_trip():
    for text in ("2023", "2023-05", "2023-01..2023-06"):
        assert Period.parse(text).label() == text
    assert len(Period.parse("2022-11..2023-02").months) == 4


def test_every_problem_code_is_documented_and_renders():
    assert (ROOT / "docs" / "problems.md").read_text(encoding="utf-8") == catalogue_markdown()
    for code in CATALOGUE:
        issue = Issue.make(code)
        assert issue.message("zh") and issue.message("en")
