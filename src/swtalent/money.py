"""Exact money: integer fen (分) inside the engine, Decimal at the edges, capital numerals for totals.

Amounts never pass through float. Policy amounts are parsed from the YAML text straight to
Decimal, converted once to integer fen, and every sum is an int64 sum of fen.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

FEN_PER_YUAN = 100


def to_fen(yuan: Decimal | int | str) -> int:
    """Yuan to integer fen, rounding half up (四舍五入) at the fen: the one documented rounding step."""
    try:
        d = Decimal(str(yuan))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {yuan!r}") from exc
    return int((d * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_decimal(fen: int) -> Decimal:
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(fen: int) -> str:
    """'2000.00': the decimal string used in CSV, JSON and messages."""
    return f"{fen_to_decimal(fen):.2f}"


def capital_yuan(fen: int) -> str:
    """大写金额 as printed on payment sheets: 16409.02 -> 壹万陆仟肆佰零玖元零贰分, 1000 -> 壹仟元整.

    cn2an follows the banking convention for zero digits and 整, which is easy to get
    subtly wrong by hand; it is given the exact decimal string, never a float.
    """
    if fen == 0:
        return "零元整"
    sign = "负" if fen < 0 else ""
    return sign + cn2an.an2cn(format_yuan(abs(fen)), "rmb")


def plain_yuan(fen: int) -> str:
    """A yuan figure for prose: 200, 1000.5, 0.05 (exact; the amount columns carry two decimals)."""
    whole, part = divmod(abs(int(fen)), FEN_PER_YUAN)
    sign = "-" if fen < 0 else ""
    return f"{sign}{whole}" + (f".{part:02d}".rstrip("0") if part else "")
