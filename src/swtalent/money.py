"""Exact money: integer fen (分) inside the engine, Decimal at the edges, capital numerals for totals.

Amounts never pass through float. Policy amounts are parsed from the YAML text straight to
Decimal, converted once to integer fen, and every sum is an int64 sum of fen.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")  # up to 9999亿: far beyond any payment run


def capital_yuan(fen: int) -> str:
    """大写金额 as printed on payment sheets: 16409.02 -> 壹万陆仟肆佰零玖元零贰分, 1000 -> 壹仟元整.

    Follows the banking convention for 零 and 整 as cn2an's "rmb" mode does (the tests check it
    against cn2an on thousands of amounts below 1亿 yuan; above that we keep the 零 of an all-zero
    万 group, which cn2an drops); written here because importing cn2an costs more than half a
    second of every run.
    """
    if fen < 0:
        return "负" + capital_yuan(-fen)
    yuan, cents = divmod(int(fen), FEN_PER_YUAN)
    jiao, fen_digit = divmod(cents, 10)
    out = _capital_integer(yuan) + "元" if yuan else ""
    if not cents:
        return (out or "零元") + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif out:
        out += "零"
    if fen_digit:
        out += _DIGITS[fen_digit] + "分"
    return out


def _capital_integer(n: int) -> str:
    """Groups of four digits; a zero is read once before the next non-zero digit, except at the
    end of a group, where the group's unit (万, 亿) already marks the place."""
    groups = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    if len(groups) > len(_GROUPS):
        raise ValueError("amounts of a trillion yuan or more have no capital form here")
    out, zero = "", False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            zero = bool(out)
            continue
        for pos in range(3, -1, -1):
            d = g // 10 ** pos % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
            zero = False
            out += _DIGITS[d] + _IN_GROUP[pos]
        out += _GROUPS[gi]
        zero = False
    return out


def plain_yuan(fen: int) -> str:
    """A yuan figure for prose: 200, 1000.5, 0.05 (exact; the amount columns carry two decimals)."""
    whole, part = divmod(abs(int(fen)), FEN_PER_YUAN)
    sign = "-" if fen < 0 else ""
    return f"{sign}{whole}" + (f".{part:02d}".rstrip("0") if part else "")
