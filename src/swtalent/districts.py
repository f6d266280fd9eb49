"""The order of 区县 on every list and chart: the order of their administrative division codes
(GB/T 2260), as a bureau lists them — 琅琊区, 南谯区, 来安县, 全椒县, 定远县, 凤阳县, 天长市,
明光市 for 滁州市 — rather than the order of their characters.

A name is given its code from the region table the ID check already reads (python-stdnum's
cn/loc.dat), looked up only under the policy's own `city`: 朝阳区 is a district of Beijing and of
Changchun, 鼓楼区 of six cities. Names the table does not know under the city (开发区, 市直, the
towns of a county, a made-up city) follow, in the order of the policy's `districts:` list, then in
the order the roster first writes them; a blank district comes last.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from .policy.model import normal_text
from .roster.ids import region_names

# Endings a name is also known without (琅琊 for 琅琊区, 天长 for 天长市), longest first.
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "林区", "特区",
             "省", "市", "区", "县", "旗", "盟")
# Table entries that are groupings, not places a roster would name.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}


def bare(name: str) -> str:
    """A name without its ending (区, 县, 市 …), where at least two characters remain."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _scope_of(code: str) -> str:
    """The code prefix of the places within a unit: 34 for 340000, 3411 for 341100, 341102 itself."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def _places(within: str) -> list[tuple[str, str, bool]]:
    return [(code, name, current) for code, name, current in region_names()
            if code.startswith(within) and name not in _NOT_PLACES]


def _resolve(text: str, within: str = "") -> set[str]:
    """The codes a place name (安徽省滁州市, 滁州市, 滁州, 德阳市旌阳区) stands for, current names only:
    the whole text names a place, or a place's name begins it and the rest names a place within."""
    places = [p for p in _places(within) if p[2] and p[0] != within.ljust(6, "0")]
    for match in (lambda name: name == text, lambda name: bare(name) == bare(text)):
        found = {code for code, name, _ in places if match(name)}
        if found:
            return found
    found = set()
    for code, name, _ in places:
        for head in {name, bare(name)}:
            if len(text) > len(head) and text.startswith(head):
                found |= _resolve(text[len(head):], _scope_of(code))
    return found


@lru_cache(maxsize=64)
def city_scope(city: str) -> str | None:
    """The code prefix of the policy's city (3411 for 滁州市), or None where the table does not know
    it or knows several places of that name (then no district is ordered by code)."""
    codes = _resolve(normal_text(city))
    scopes = {_scope_of(c) for c in codes}
    # Of nested matches (北京市 the province and 北京市 its own county line) the largest.
    scopes = {s for s in scopes if not any(s != t and s.startswith(t) for t in scopes)}
    return scopes.pop() if len(scopes) == 1 else None


@lru_cache(maxsize=64)
def _codes_within(scope: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Spelling -> code of every place within a scope, current names before former ones, the full
    name before the bare one; and the names of the units that contain the scope (安徽省, 滁州市),
    which a roster may write in front of a district's name."""
    ranked: dict[str, tuple] = {}
    for code, name, current in _places(scope):
        for k, spelling in enumerate(dict.fromkeys((name, bare(name)))):
            rank = (not current, k, code)
            if spelling not in ranked or rank < ranked[spelling]:
                ranked[spelling] = rank
    heads = {name for code, name, current in region_names()
             if current and code in {scope[:2] + "0000", scope[:4].ljust(6, "0")}}
    heads |= {bare(h) for h in heads}
    return {s: r[2] for s, r in ranked.items()}, tuple(sorted(heads, key=len, reverse=True))


def district_code(name: str, city: str) -> str | None:
    """The region code of a district name within a city (琅琊区 or 琅琊 or 滁州市琅琊区 -> 341102),
    or None."""
    scope = city_scope(city)
    if scope is None or not name:
        return None
    codes, heads = _codes_within(scope)
    text = normal_text(name)
    while True:  # 安徽省滁州市琅琊区: the province, then the city, written in front
        code = codes.get(text) or codes.get(bare(text))
        if code is not None:
            return code
        for head in (normal_text(city), *heads):
            if len(text) > len(head) and text.startswith(head):
                text = text[len(head):]
                break
        else:
            return None


def district_order(names: Iterable[str], policy, seen: Iterable[str] = ()) -> list[str]:
    """The distinct names in the order lists and charts show them: by region code where the name is
    known under the policy's city; then in the order of the policy's `districts:`; then in the order
    of `seen` (the roster's district column, whose first appearance of a name places it) or, for a
    name not in it, of `names`; a blank name last."""
    names = list(dict.fromkeys(names))
    seen = seen if isinstance(seen, pd.Series) else pd.Series(list(seen), dtype=object)
    first = {n: k for k, n in enumerate(dict.fromkeys([*pd.unique(seen), *names]))}
    listed: dict[str, int] = {}
    for k, entry in enumerate(getattr(policy, "districts", ())):
        for spelling in (normal_text(entry), bare(normal_text(entry))):
            listed.setdefault(spelling, k)

    def key(name: str) -> tuple:
        if not name:
            return (3, "", 0)
        code = district_code(name, policy.city)
        if code is not None:
            return (0, code, first[name])
        text = normal_text(name)
        at = listed.get(text, listed.get(bare(text)))
        return (1, f"{at:06d}", first[name]) if at is not None else (2, "", first[name])
    return sorted(names, key=key)


def district_ranks(values, policy, seen: Iterable[str] = ()) -> np.ndarray:
    """Per value (a column of 区县), its place in district_order: the key to sort rows by."""
    codes, found = pd.factorize(np.asarray(values, dtype=object))
    place = {name: k for k, name in enumerate(district_order(found, policy, seen))}
    return np.array([place[name] for name in found], dtype=np.int64)[codes] if len(found) else codes.astype(np.int64)
