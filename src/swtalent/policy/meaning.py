"""The checks of meaning for a policy's own fields and its conditions: what the types alone cannot
say (a field that exists, an operator its type has, a value of the right kind, conditions that can
never all hold, a field declared and never used). Each problem at its line and column."""
from __future__ import annotations

import difflib
import unicodedata
from datetime import date, timedelta
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext

from ..errors import Issue
from ..fields import (
    CONDITION_FIELDS,
    FIELDS,
    RESERVED_KEYS,
    RESERVED_SUFFIXES,
    alias_table,
    header_key,
)
from .model import (
    TEXT_OPS,
    AllOf,
    AnyOf,
    Condition,
    FieldDef,
    NotOf,
    Policy,
    normal_text,
)

# The operators each type of field has.
OPS_BY_TYPE = {
    "text": TEXT_OPS, "choice": ("in", "not_in", "==", "!="), "yes_no": ("==", "!="),
    "number": ("in", "not_in", "==", "!=", ">=", ">", "<=", "<", "between"),
    "date": ("==", "!=", ">=", ">", "<=", "<", "between"),
    "level": ("in", "not_in", "==", "!=", ">=", ">", "<=", "<", "between"),
}
TYPE_TEXT = {"text": ("文本", "text"), "choice": ("选项", "choice"), "yes_no": ("是/否", "yes/no"),
             "number": ("数字", "number"), "date": ("日期", "date"), "level": ("证书等级", "level")}


def check_fields_and_conditions(policy: Policy, src, positions: list[int]) -> list[Issue]:
    issues: list[Issue] = []
    for key, spec in policy.fields.items():
        at = ("fields", key)
        if key in RESERVED_KEYS or key.endswith(RESERVED_SUFFIXES):
            issues.append(Issue.make("policy.field-reserved", src.where(at, key=True), key=key))
        if spec.type == "choice" and not spec.values:
            issues.append(_shape(src, at + ("type",), "choice 类型须在 values 中列出可选值",
                                 "a choice field lists its values under values"))
        if spec.type != "choice" and spec.values or spec.type not in ("choice", "yes_no") and spec.value_aliases:
            issues.append(_shape(src, at + ("values" if spec.values else "value_aliases",),
                                 "只有 choice 类型的字段有 values；value_aliases 用于 choice 和 yes_no 字段",
                                 "only a choice field has values; value_aliases are for choice and yes_no fields"))
        for value in spec.value_aliases:
            if spec.type == "yes_no" and value not in ("是", "否"):
                issues.append(_shape(src, at + ("value_aliases", value), "yes_no 字段的 value_aliases 以「是」或「否」为键，"
                                     "如 {否: [编外, 非在编]}", "a yes_no field's value_aliases are keyed 是 or 否, such as "
                                     "{否: [编外, 非在编]}"))
            elif spec.type == "choice" and value not in spec.values:
                issues.append(Issue.make("policy.alias-not-a-value", src.where(at + ("value_aliases", value), key=True),
                                         value=value, values="、".join(spec.values), owner_zh="该字段", owner_en="field's"))
        if spec.type == "choice":
            issues += _choice_spellings(key, spec, src, at)
    issues += _headers_taken(policy, src)
    for i, rule in zip(positions, policy.rules):
        found: list[Issue] = []
        for c, cond in enumerate(rule.conditions):
            found += _tree(cond, policy, src, ("rules", i, "conditions", c))
        found += _never(rule.conditions, policy, src, ("rules", i, "conditions"))
        # An `all` inside the rule's list is checked on its own and with the list: one problem at one place.
        never_at = set()
        for issue in found:
            if issue.code == "policy.condition-never":
                if issue.location.path in never_at:
                    continue
                never_at.add(issue.location.path)
            issues.append(issue)
    for c, check in enumerate(policy.checks):
        issues += _leaf(check, policy, src, ("checks", c))
    used = policy.fields_referenced()
    for key in policy.fields:
        if key not in used:
            issues.append(Issue.make("policy.field-unused", src.where(("fields", key), key=True), key=key))
    return issues


def _tree(cond, policy: Policy, src, at: tuple, negated: bool = False) -> list[Issue]:
    """A condition and those inside it; `negated`: under an odd number of nots."""
    if isinstance(cond, (AnyOf, AllOf)):
        word = "any" if isinstance(cond, AnyOf) else "all"
        parts = cond.any if isinstance(cond, AnyOf) else cond.all
        out = [p for k, c in enumerate(parts) for p in _tree(c, policy, src, at + (word, k), negated)]
        if isinstance(cond, AllOf):
            out += _never(parts, policy, src, at + (word,))
        return out
    if isinstance(cond, NotOf):
        if isinstance(cond.not_, NotOf):
            return [Issue.make("policy.condition-never", src.where(at + ("not",)),
                               detail_zh="not 套 not 等于原条件，请直接写原条件",
                               detail_en="a not inside a not is the condition itself; write it directly")] + \
                _tree(cond.not_.not_, policy, src, at + ("not", "not"), negated)
        return _tree(cond.not_, policy, src, at + ("not",), not negated)
    out = _leaf(cond, policy, src, at)
    if negated and cond.blank == "passes":
        out.append(Issue.make("policy.blank-under-not", src.where(at + ("blank",)),
                              field=policy.field_label(cond.field, "zh")))
    return out


def _leaf(cond: Condition, policy: Policy, src, at: tuple) -> list[Issue]:
    kind = policy.field_type(cond.field)
    if kind is None:
        return [_unknown_field(cond.field, policy, src, at + ("field",))]
    out = []
    if cond.op not in OPS_BY_TYPE[kind]:
        zh, en = TYPE_TEXT[kind]
        return [Issue.make("policy.op-for-type", src.where(at + ("op",)), op=cond.op, field=cond.field, type_zh=zh,
                           type_en=en, ops=" ".join(OPS_BY_TYPE[kind]))]
    lists = cond.op in ("in", "not_in", "contains_any", "between")
    if cond.other is not None:
        other = policy.field_type(cond.other)
        if other is None:
            return [_unknown_field(cond.other, policy, src, at + ("other",))]
        if cond.op in ("in", "not_in", "contains_any", "between") or kind not in ("number", "date") or other != kind:
            out.append(_shape(src, at + ("other",), "other 只用于两个同为日期或同为数字的字段之间的比较（== != >= > <= <）",
                              "other compares two dates, or two numbers, of the row (== != >= > <= <)"))
        if cond.value is not None or cond.values:
            out.append(_shape(src, at + ("other",), "other 与 value / values 只能写一个",
                              "give other, or value / values, not both"))
        if cond.offset is not None and kind != "date":
            out.append(_shape(src, at + ("offset",), "offset 只用于日期", "offset applies to dates only"))
        return out
    if cond.offset is not None:
        out.append(_shape(src, at + ("offset",), "offset 只在与 other 比较时使用", "offset goes with other"))
    if lists:
        if cond.value is not None:
            out.append(_shape(src, at + ("value",), f"「{cond.op}」用 values（列表），不用 value",
                              f"'{cond.op}' takes values (a list), not value"))
        if cond.op == "between" and len(cond.values) != 2:
            out.append(_shape(src, at + ("values",), "between 的 values 须正好两个：[下限, 上限]",
                              "between takes exactly two values: [low, high]"))
        elif not cond.values:
            out.append(_shape(src, at, f"「{cond.op}」需要 values（至少一个值）", f"'{cond.op}' needs values (at least one)"))
        for k, v in enumerate(cond.values):
            out += _value(v, kind, cond, policy, src, at + ("values", k))
        if cond.op == "between" and len(cond.values) == 2 and not out:
            low, high = (_as(v, kind, policy) for v in cond.values)
            if low is not None and high is not None and low > high:
                out.append(_shape(src, at + ("values",), "between 的下限大于上限", "between's low end is above its high end"))
    else:
        if cond.values:
            out.append(_shape(src, at + ("values",), f"「{cond.op}」用 value（一个值），不用 values",
                              f"'{cond.op}' takes a value, not values"))
        elif cond.value is None:
            out.append(_shape(src, at, f"「{cond.op}」需要 value（或 other：同一行的另一字段）",
                              f"'{cond.op}' needs a value (or other: another field of the row)"))
        if cond.value is not None:
            out += _value(cond.value, kind, cond, policy, src, at + ("value",))
    if cond.aliases and kind not in ("text", "choice"):
        out.append(_shape(src, at + ("aliases",), "aliases 只用于文本字段", "aliases apply to text fields only"))
    for value in cond.aliases:
        if value not in {str(v) for v in (*cond.values, cond.value) if v is not None}:
            out.append(Issue.make("policy.alias-not-a-value", src.where(at + ("aliases", value), key=True),
                                  value=value, values="、".join(str(v) for v in cond.values), owner_zh="该条件",
                                  owner_en="condition's"))
    return out


def _headers_taken(policy: Policy, src) -> list[Issue]:
    """A declared field's name or alias that a built-in field (or an earlier declared one) already
    reads: the roster's column would be taken by one of them, and the other left without it."""
    issues: list[Issue] = []
    taken = {name: ("builtin", key) for name, key in alias_table(dict(policy.columns or {})).items()}
    for key, spec in policy.fields.items():
        for where, header in ((("name",), spec.name), *((("aliases", j), a) for j, a in enumerate(spec.aliases))):
            norm = header_key(header)
            owner = taken.get(norm)
            if owner is not None and owner[1] != key:
                kind, other = owner
                if kind == "builtin":
                    zh, en = f"内置字段 {other}（{FIELDS[other].zh}）", f"the built-in field {other} ({FIELDS[other].en})"
                else:
                    zh, en = f"本政策的字段 {other}（{policy.fields[other].name}）", f"the policy's field {other}"
                issues.append(Issue.make("policy.field-header-taken", src.where(("fields", key) + where), key=key,
                                         header=header, owner_zh=zh, owner_en=en))
            elif norm:
                taken.setdefault(norm, ("declared", key))
    return issues


def _choice_spellings(key: str, spec: FieldDef, src, at: tuple) -> list[Issue]:
    """A choice field's values and their other spellings: none empty, each value listed once, each
    spelling naming one value (an alias that is also a value, or the alias of two, would leave a
    cell read as whichever comes first)."""
    issues: list[Issue] = []
    owner_zh, owner_en = f"字段「{spec.name}」", f"field '{spec.name}'"
    seen: dict[str, str] = {}
    for k, value in enumerate(spec.values):
        norm = normal_text(value)
        if not norm:
            issues.append(_empty_text(src, at + ("values", k)))
        elif norm in seen:
            issues.append(Issue.make("policy.value-repeated", src.where(at + ("values", k)), value=value,
                                     field=spec.name))
        seen.setdefault(norm, value)
    for value, aliases in spec.value_aliases.items():
        for k, alias in enumerate(aliases):
            norm, where = normal_text(alias), at + ("value_aliases", value, k)
            if not norm:
                issues.append(_empty_text(src, where))
            elif norm in seen and seen[norm] != value:
                issues.append(Issue.make("policy.value-twice", src.where(where), value=alias, first=seen[norm],
                                         second=value, owner_zh=owner_zh, owner_en=owner_en))
            seen.setdefault(norm, value)
    return issues


def _empty_text(src, at: tuple, in_condition: bool = False) -> Issue:
    """An empty text where a value belongs: a condition's (contains_any "" holds on every row, == ""
    on none) or a choice's (a blank cell is blank, never a value)."""
    if in_condition:
        zh = "条件的值不能是空文本（contains_any 的空文本对每一行都成立）；空单元格由 blank: 决定"
        en = "a condition's value cannot be empty (in contains_any it holds on every row); blank: says what a blank cell does"
    else:
        zh = "选项值不能是空文本：空单元格就是空白，由各条件的 blank: 决定"
        en = "a choice cannot be empty: a blank cell is blank, and each condition's blank: says what it does"
    return Issue.make("policy.invalid-value", src.where(at), value="", detail_zh=zh, detail_en=en)


def alias_of(spec: FieldDef | None, value: object) -> str | None:
    """The value a choice field's alias stands for, when `value` is an alias and not itself a value:
    the roster's cells are read as the value, so a policy naming the alias never matches one."""
    if spec is None or spec.type != "choice" or not isinstance(value, str):
        return None
    norm = normal_text(value)
    if norm in {normal_text(v) for v in spec.values}:
        return None
    return next((main for main, aliases in spec.value_aliases.items()
                 if norm in {normal_text(a) for a in aliases}), None)


def value_is_alias(key: str, value: str, main: str, policy: Policy, src, at: tuple, place: tuple[str, str],
                   *, is_key: bool = False) -> Issue:
    """A choice field's alias written where its value belongs (at a condition's value, or at a key of
    an amounts table or a quota)."""
    return Issue.make("policy.value-is-alias", src.where(at, key=is_key), value=value, main=main,
                      field=policy.field_label(key, "zh"), place_zh=place[0], place_en=place[1])


def _value(value, kind: str, cond: Condition, policy: Policy, src, at: tuple) -> list[Issue]:
    """A value of the right kind for the field: a date for a date, true/false for yes/no, a listed
    choice (not one of its aliases: cells are read as the value), a declared level key."""
    if isinstance(value, str) and not normal_text(value):
        return [_empty_text(src, at, in_condition=True)]
    main = alias_of(policy.fields.get(cond.field), value)
    if main is not None:
        return [value_is_alias(cond.field, value, main, policy, src, at, ("条件", "condition"))]
    if _as(value, kind, policy, cond.field) is not None:
        return []
    zh, en = {
        "date": ("应为日期，写作 2023-06-30", "expected a date such as 2023-06-30"),
        "number": ("应为数字，如 12", "expected a number such as 12"),
        "yes_no": ("应为 true（是）或 false（否）", "expected true (yes) or false (no)"),
        "choice": (f"不是字段「{cond.field}」的可选值（{'、'.join(_choices(cond.field, policy))}）",
                   f"is not a value of '{cond.field}' ({', '.join(_choices(cond.field, policy))})"),
        "level": (f"不是 levels 中的等级（{'、'.join(policy.level_keys)}）",
                  f"is not a level under levels ({', '.join(policy.level_keys)})"),
        "text": ("应为文本", "expected text"),
    }[kind]
    return [Issue.make("policy.invalid-value", src.where(at), value=value, detail_zh=f"「{value}」{zh}",
                       detail_en=f"'{value}': {en}")]


def _choices(key: str, policy: Policy) -> tuple[str, ...]:
    spec = policy.fields.get(key)
    return tuple(spec.values) if spec is not None else ()


def _as(value, kind: str, policy: Policy, key: str = ""):
    """The value as its field's type compares it, or None when it is not one."""
    if kind == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None
    if kind == "number":
        if isinstance(value, bool):
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if kind == "yes_no":
        return value if isinstance(value, bool) else None
    if kind == "level":
        return policy.level_keys.index(value) if value in policy.level_keys else None
    if kind == "choice":
        norm = unicodedata.normalize("NFKC", str(value)).strip()
        spec = policy.fields.get(key)
        spellings = (*spec.values, *(a for al in spec.value_aliases.values() for a in al)) if spec else ()
        return norm if norm in {unicodedata.normalize("NFKC", v).strip() for v in spellings} else None
    return None if isinstance(value, bool) else str(value)


def _unknown_field(name: str, policy: Policy, src, at: tuple) -> Issue:
    use = ("检查", "a check") if at[:1] == ("checks",) else ("条件", "a condition")
    return unknown_field(name, [*CONDITION_FIELDS, *policy.fields], src, at, policy=policy, use=use)


# A built-in field's kind, as said of it when it cannot be used somewhere.
_KIND_TEXT = {"text": ("文本", "text"), "id": ("证件号", "ID number"), "account": ("号码", "number string"),
              "date": ("日期", "date"), "number": ("数字", "number"), "level": ("证书等级", "level"),
              "yes_no": ("是/否", "yes/no"), "choice": ("选项", "choice")}


def unknown_field(name: str, known: list[str], src, at: tuple, code: str = "policy.unknown-field", *,
                  policy: Policy | None = None, use: tuple[str, str] | None = None, **params) -> Issue:
    """A field name that is not one of `known` here, with the closest as a did-you-mean. A field that
    exists (built in, or declared by the policy) but is of a kind this place cannot use is said to be
    so (policy.field-not-usable), not to be undeclared."""
    declared = getattr(policy, "fields", None) or {}
    if policy is not None and use is not None and (name in declared or name in FIELDS):
        if name in declared:
            kind, label = declared[name].type, declared[name].name
            what_zh, what_en = f"本政策的{TYPE_TEXT[kind][0]}字段「{label}」", f"the policy's {TYPE_TEXT[kind][1]} field '{label}'"
        else:
            kind, spec = CONDITION_FIELDS.get(name, FIELDS[name].kind), FIELDS[name]
            what_zh, what_en = f"内置的{_KIND_TEXT[kind][0]}字段「{spec.zh}」", f"the built-in {_KIND_TEXT[kind][1]} field '{spec.en}'"
        return Issue.make("policy.field-not-usable", src.where(at), field=name, what_zh=what_zh, what_en=what_en,
                          use_zh=use[0], use_en=use[1], fields=", ".join(known) or "—")
    close = difflib.get_close_matches(name, known, n=1)
    return Issue.make(code, src.where(at), field=name, fields=", ".join(known), **params,
                      suggestion_zh=f"，是否应为「{close[0]}」？" if close else "",
                      suggestion_en=f"; did you mean '{close[0]}'?" if close else "")


def _shape(src, at: tuple, zh: str, en: str) -> Issue:
    return Issue.make("policy.condition-shape", src.where(at), detail_zh=zh, detail_en=en)


def _never(conditions: tuple, policy: Policy, src, at: tuple) -> list[Issue]:
    """Conditions that must all hold (a rule's list, or an `all`) and never can: a condition beside
    its own not, or the simple conditions on one field (not: of one too) that no value meets."""
    for k, c in enumerate(conditions):
        if isinstance(c, NotOf) and any(j != k and d == c.not_ for j, d in enumerate(conditions)):
            return [Issue.make("policy.condition-never", src.where(at + (k,)),
                               detail_zh="同一条件与其 not 须同时满足", detail_en="a condition and its not must both hold")]
    by_field: dict[str, list] = {}
    for where, leaf, negated in _group_leaves(conditions, at):
        kind = policy.field_type(leaf.field)
        test = _scalar_test(leaf, kind, policy) if kind is not None and leaf.other is None else None
        if test is not None:
            by_field.setdefault(leaf.field, []).append((where, leaf, negated, test))
    for key, found in by_field.items():
        probes = _probes(policy.field_type(key), key, [t for *_, t in found], policy)
        for j in range(1, len(found) + 1 if probes else 1):
            if not any(all(_meets(t, negated, v) for _, _, negated, t in found[:j]) for v in probes):
                return [_never_issue(found[:j], policy, src)]
    return []


def _group_leaves(conditions: tuple, at: tuple):
    """The simple conditions that must all hold with the others of a group, as (path, condition,
    negated): those of the group itself, of an `all` inside it, and a `not` of one."""
    for k, c in enumerate(conditions):
        if isinstance(c, Condition):
            yield at + (k,), c, False
        elif isinstance(c, AllOf):
            yield from _group_leaves(c.all, at + (k, "all"))
        elif isinstance(c, NotOf) and isinstance(c.not_, Condition):
            yield at + (k, "not"), c.not_, True


class _Test:
    """A simple condition decided on one value, as conditions.py decides it on a column: `values`
    are its constants as the field's type compares them (text normalised as cells are)."""

    def __init__(self, op: str, values: tuple, blank: str, needles: bool = False):
        self.op, self.values, self.blank, self.needles = op, values, blank, needles

    def holds(self, v) -> bool | None:
        """Whether a value meets it; for a blank (None), what `blank:` says (None: the row is held)."""
        if v is None:
            return {"passes": True, "fails": False}.get(self.blank)
        op, values = self.op, self.values
        if self.needles:
            return any(n in v for n in values)
        if op in ("in", "not_in"):
            return (v in values) == (op == "in")
        if op == "between":
            return values[0] <= v <= values[1]
        return _COMPARE[op](v, values[0])


_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
            ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}


def _meets(test: _Test, negated: bool, v) -> bool:
    said = test.holds(v)
    if said is None:  # blank: problem, the row is held from every rule
        return False
    return said != negated


def _scalar_test(cond: Condition, kind: str, policy: Policy) -> _Test | None:
    """The condition as a test on one value, or None where it is not well formed (its own problem,
    reported at it): a missing or wrong value, an operator the type lacks, a choice's alias."""
    if cond.op not in OPS_BY_TYPE.get(kind, ()):
        return None
    lists = cond.op in ("in", "not_in", "contains_any", "between")
    raw = cond.values if lists else (() if cond.value is None else (cond.value,))
    if not raw or (lists and cond.value is not None) or (not lists and cond.values):
        return None
    if cond.op == "between" and len(raw) != 2:
        return None
    if any(isinstance(v, str) and not normal_text(v) for v in raw):
        return None
    if kind in ("text", "choice"):
        if kind == "choice" and (any(alias_of(policy.fields.get(cond.field), v) for v in raw)
                                 or any(_as(v, kind, policy, cond.field) is None for v in raw)):
            return None
        if cond.op == "contains_any":
            return _Test(cond.op, cond.needles(), cond.blank, needles=True)
        inside = cond.op in ("in", "==")
        return _Test("in" if inside else "not_in", tuple(cond.accepted()), cond.blank)
    values = tuple(_as(v, kind, policy, cond.field) for v in raw)
    if any(v is None for v in values) or (cond.op == "between" and values[0] > values[1]):
        return None
    return _Test(cond.op, values, cond.blank)


_OTHER = "\ue000"  # a text no policy writes: a cell holding none of the values


def _probes(kind: str, key: str, tests: list[_Test], policy: Policy) -> list:
    """Values enough to decide whether some value meets every test: every constant, and one value
    in each stretch between and beyond them; a blank cell too."""
    constants = sorted({v for t in tests for v in t.values}, key=lambda v: (str(type(v)), v))
    if kind == "yes_no":
        found: list = [True, False]
    elif kind == "level":
        found = list(range(len(policy.level_keys)))
    elif kind == "choice":
        spec = policy.fields.get(key)
        found = [normal_text(v) for v in (spec.values if spec is not None else ())]
    elif kind == "text":
        needles = [v for t in tests if t.needles for v in t.values]
        found = [*constants, _OTHER, "".join(needles) + _OTHER]
    elif kind == "date":
        found = []
        for c in constants:
            for step in (-1, 0, 1):
                try:
                    found.append(c + timedelta(days=step))
                except OverflowError:
                    pass
    else:  # number: the constants, the middle of each gap, and beyond both ends, exactly
        with localcontext() as ctx:
            ctx.prec, ctx.Emax, ctx.Emin = 1000, MAX_EMAX, MIN_EMIN
            try:
                found = [*constants, *((a + b) / 2 for a, b in zip(constants, constants[1:]))]
                if constants:
                    found += [constants[0] - 1, constants[-1] + 1]
            except ArithmeticError:  # beyond any number a roster holds: not tried
                return []
    return [*found, None]


def _never_issue(found: list, policy: Policy, src) -> Issue:
    """condition-never at the condition that leaves no value, quoting the conditions as written."""
    from ..reports.reasons import condition_rule

    key = found[-1][1].field
    said = {lang: [condition_rule(NotOf(not_=c) if negated else c, lang, policy) for _, c, negated, _ in found]
            for lang in ("zh", "en")}
    if len(found) == 1:
        zh = f"「{policy.field_label(key, 'zh')}」没有值能满足「{said['zh'][0]}」"
        en = f"no value of '{policy.field_label(key, 'en')}' meets '{said['en'][0]}'"
    else:
        zh = "「" + "」与「".join(said["zh"]) + "」不可能同时满足"
        en = "'" + "' and '".join(said["en"]) + "' can never all hold"
    return Issue.make("policy.condition-never", src.where(found[-1][0]), detail_zh=zh, detail_en=en)
