"""Load a policy file: YAML with positions, the typed model, then the checks of meaning.

All problems are collected and raised together, each with file:line:column and key path.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import Issue, SwtalentError
from ..fields import CONDITION_FIELDS, FIELDS, ORG_FIELDS, header_key
from .meaning import (
    alias_of,
    check_fields_and_conditions,
    unknown_field,
    value_is_alias,
)
from .model import (
    CONDITION_TAGS,
    TIE_BREAK_FIELDS,
    AllOf,
    AmountsBy,
    AnyOf,
    AwardRule,
    Check,
    Condition,
    Cycle,
    DatedAmount,
    FieldDef,
    LevelDef,
    MonthlyRule,
    Notice,
    NotOf,
    Offset,
    OneOffRule,
    PlausibleMax,
    Policy,
    QuotaPer,
    Rule,
    RuleBase,
    TieBreak,
    TitleAllowanceRule,
    YearlyRule,
    normal_text,
)
from .scoring import check_score
from .yamlsource import Source, load_source

_RULE = TypeAdapter(Rule)
_CONDITION_TAGS = ("leaf", *CONDITION_TAGS.values())
_RULE_KINDS = {"one_off": OneOffRule, "monthly": MonthlyRule, "yearly": YearlyRule, "award": AwardRule,
               "title_allowance": TitleAllowanceRule}

# pydantic error types in the words of a person writing a policy (zh, en).
_TYPE_TEXT = {
    "date_parsing": ("应为日期，写作 2022-01-01", "expected a date such as 2022-01-01"),
    "date_from_datetime_parsing": ("应为日期，写作 2022-01-01", "expected a date such as 2022-01-01"),
    "date_from_datetime_inexact": ("应为日期，不带时间", "expected a date without a time"),
    "date_type": ("应为日期，写作 2022-01-01", "expected a date such as 2022-01-01"),
    "decimal_parsing": ("应为金额数字，如 1000 或 1000.50", "expected an amount such as 1000 or 1000.50"),
    "decimal_type": ("应为金额数字，如 1000 或 1000.50", "expected an amount such as 1000 or 1000.50"),
    "decimal_max_places": ("金额最多两位小数（精确到分）", "amounts have at most two decimals (fen)"),
    "int_parsing": ("应为整数", "expected a whole number"),
    "int_from_float": ("应为整数", "expected a whole number"),
    "int_type": ("应为整数", "expected a whole number"),
    "int_parsing_size": ("数字过大", "the number is too large"),
    "string_type": ("应为文本", "expected text"),
    "string_pattern_mismatch": ("只能使用小写字母、数字、连字符和下划线，并以字母开头",
                                "use lower-case letters, digits, - and _, starting with a letter"),
    "tuple_type": ("应为列表（每项以 - 开头）", "expected a list (items starting with -)"),
    "list_type": ("应为列表（每项以 - 开头）", "expected a list (items starting with -)"),
    "dict_type": ("应为映射（键: 值）", "expected a mapping (key: value)"),
    "model_type": ("应为映射（键: 值）", "expected a mapping (key: value)"),
    "too_short": ("至少需要一项", "at least one item is needed"),
    "bool_type": ("应为 true 或 false", "expected true or false"),
    "bool_parsing": ("应为 true 或 false", "expected true or false"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_too_long": ("至多 {max_length} 个字符", "at most {max_length} character(s)"),
    "too_long": ("至多 {max_length} 项", "at most {max_length} item(s)"),
    "decimal_max_digits": ("数字的位数过多", "the number has too many digits"),
    "decimal_whole_digits": ("数字的位数过多", "the number has too many digits"),
    "decimal_finite_number": ("应为有限的数字", "expected a finite number"),
    "finite_number": ("应为有限的数字", "expected a finite number"),
    "float_parsing": ("应为数字", "expected a number"),
    "float_type": ("应为数字", "expected a number"),
    "model_attributes_type": ("应为映射（键: 值）", "expected a mapping (key: value)"),
}
# The same for a number that is not an amount (a score, a count of years): no 金额 in the words.
_NUMBER_TEXT = {
    "decimal_parsing": ("应为数字，如 12 或 12.5", "expected a number such as 12 or 12.5"),
    "decimal_type": ("应为数字，如 12 或 12.5", "expected a number such as 12 or 12.5"),
}
# A condition's value or one of its values that is a list or a mapping: it fails each member of the
# union of what a condition may compare with, and is told so once.
_SCALAR_TYPES = {"bool_type", "bool_parsing", "date_type", "date_parsing", "date_from_datetime_parsing",
                 "decimal_type", "decimal_parsing", "string_type"}
_SCALAR_TEXT = ("应为单个值：文本、数字、日期或 true/false，而不是列表或映射",
                "expected a single value: text, a number, a date or true/false, not a list or a mapping")
# Any other pydantic error: said in Chinese without its English text (which --lang en shows).
_UNKNOWN_TYPE_ZH = "取值的类型或格式不对"


def load_policy(path: str | Path) -> Policy:
    """The policy in a file, or SwtalentError listing every error in it (warnings do not stop it)."""
    policy, issues = validate_policy(path)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SwtalentError(errors)
    return policy


def validate_policy(path: str | Path) -> tuple[Policy | None, list[Issue]]:
    """The policy (None when it has errors) and every problem found in it, errors and warnings."""
    src = load_source(Path(path))
    if src.issues and src.data is None:
        return None, list(src.issues)
    issues = list(src.issues)
    policy = None
    if not isinstance(src.data, dict):
        issues.append(_invalid(src.where(()), *_TYPE_TEXT["dict_type"]))
    else:
        try:
            policy = Policy.model_validate(src.data)
        except ValidationError as exc:
            issues.extend(_translate(exc, src))
            # All problems at once: the checks of meaning still run on every part that is well typed.
            partial, positions = _partial(src.data)
            issues.extend(i for i in check_meaning(partial, src, positions) if i.severity == "error")
    if policy is not None:
        issues.extend(check_meaning(policy, src))
    has_errors = any(i.severity == "error" for i in issues)
    issues.sort(key=lambda i: (i.location.line or 0, i.location.col or 0))  # in file order
    return (None if has_errors else policy), issues


def _invalid(where, zh: str, en: str, value: object = "") -> Issue:
    return Issue.make("policy.invalid-value", where, value=value, detail_zh=zh, detail_en=en)


# The names pydantic gives the members of a plain union in an error's location (max: 1 or a
# mapping: 'constrained-int', 'dict[str,constrained-int]', "literal['unlimited']").
_UNION_MEMBER = re.compile(r"(constrained-\w+|int|str|bool|decimal|date|none|literal\[.*\]|dict\[.*\]|tuple\[.*\])")


def _data_path(loc: tuple, data: object) -> tuple:
    """pydantic's error location as a path into the YAML data (dropping union tags). It stops at a
    value that is not a mapping or a list: what pydantic adds below one names the members of a union
    (a condition given as a list: .leaf; a value given as a list: .date), never a key of the file."""
    out: list = []
    cur = data
    for part in loc:
        if part == "[key]":  # a mapping's key that is not allowed (a roster field under columns)
            out.append(part)
            break
        if out and not isinstance(cur, (dict, list)):
            break
        if isinstance(cur, list) and isinstance(part, str):
            continue  # a union's tag for a list written where a mapping or a scalar belongs
        if isinstance(cur, dict) and isinstance(part, str) and part not in cur and (
                part in _RULE_KINDS and cur.get("kind") == part or part in _CONDITION_TAGS):
            continue  # the discriminator pydantic adds for tagged unions
        if isinstance(part, str) and _UNION_MEMBER.fullmatch(part) and not (isinstance(cur, dict) and part in cur):
            continue  # the member of a plain union (max: a number or a mapping)
        out.append(part)
        cur = cur.get(part) if isinstance(cur, dict) else (
            cur[part] if isinstance(cur, list) and isinstance(part, int) and part < len(cur) else None)
    return tuple(out)


def _model_at(path: tuple, data: object) -> type[BaseModel] | None:
    """The model whose keys are allowed at a path, to suggest a key for a misspelt one."""
    shape = tuple("#" if isinstance(p, int) else p for p in path)
    if shape == ():
        return Policy
    if shape[:1] == ("levels",) and len(shape) == 2:
        return LevelDef
    if shape[:1] == ("fields",) and len(shape) == 2:
        return FieldDef
    if shape[:1] == ("checks",) and len(shape) == 2:
        return Check
    if "conditions" in shape or shape[:1] == ("checks",):
        return _condition_model(path, data)
    if shape in (("notice",), ("plausible_max",)):
        return Notice if shape == ("notice",) else PlausibleMax
    if shape[:1] == ("rules",):
        if len(shape) == 2:
            rule = data["rules"][path[1]] if isinstance(data, dict) else {}
            return _RULE_KINDS.get(rule.get("kind") if isinstance(rule, dict) else None, RuleBase)
        if shape[2:] == ("conditions", "#"):
            return Condition
        nested = {("cycle",): Cycle, ("quota_per",): QuotaPer, ("nominations_per",): QuotaPer,
                  ("tie_break", "#"): TieBreak, ("amounts_by",): AmountsBy}
        if tuple(shape[2:]) in nested:
            return nested[tuple(shape[2:])]
        if len(shape) == 5 and shape[2] == "amounts" or shape[2:] in (("amount", "#"), ("amounts", "#"),
                                                                       ("yearly_amounts", "#")):
            return DatedAmount
        if len(shape) == 7 and shape[2:4] == ("amounts_by", "values") and shape[6] == "#":
            return DatedAmount  # rules[i].amounts_by.values.<value>.<level>[k]
    return None


def _condition_model(path: tuple, data: object) -> type[BaseModel] | None:
    """The model of the condition (or its offset) at a path, told by the keys written there."""
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    if path[-1:] == ("offset",):
        return Offset
    if not isinstance(node, dict):
        return None
    for key, model in (("any", AnyOf), ("all", AllOf), ("not", NotOf)):
        if key in node:
            return model
    return Condition


def _bound_text(kind: str, ctx: dict, path: tuple) -> tuple[str, str]:
    """A number out of range, said for what it is: an amount, or a count, year or score."""
    if path[-1:] == ("value",):  # a dated amount
        if kind.startswith("greater"):
            return "金额不能为负数", "amounts cannot be negative"
        return "金额超过 1 亿元，应是录入错误", "an amount over 100 million yuan must be a typo"
    bound = next(iter(ctx.values()), "")
    if kind.startswith("greater"):
        return f"应不小于 {bound}", f"must be at least {bound}"
    return f"应不大于 {bound}", f"must be at most {bound}"


def _suggest(path: tuple, data: object) -> str | None:
    """The allowed key closest to a misspelt one at the end of path, if any is close. In a condition
    without a `field`, any / all / not come first (al: is a misspelt all:, not a condition lacking
    field and op)."""
    if _is_tree_typo(path, data):
        return difflib.get_close_matches(str(path[-1]), list(CONDITION_TAGS), n=1)[0]
    close = difflib.get_close_matches(str(path[-1]), _allowed_at(path[:-1], data), n=1)
    return close[0] if close else None


def _allowed_at(path: tuple, data: object) -> list[str]:
    """The keys a mapping at a path may have: a condition's own, and any / all / not where a
    condition may combine others (not in checks)."""
    model = _model_at(path, data)
    keys = _allowed(model) if model else []
    return keys + list(CONDITION_TAGS) if model is Condition and "conditions" in path else keys


def _is_tree_typo(path: tuple, data: object) -> bool:
    """Whether an unknown key is a misspelt any / all / not: in a condition written without a
    `field`, and close to one of the three."""
    if _model_at(path[:-1], data) is not Condition or "conditions" not in path:
        return False
    node = _node(path[:-1], data)
    return isinstance(node, dict) and "field" not in node and bool(
        difflib.get_close_matches(str(path[-1]), list(CONDITION_TAGS), n=1))


def _node(path: tuple, data: object) -> object:
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    return node


def _allowed(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _union_errors(errors: list[tuple[tuple, dict]]) -> list[tuple[tuple, dict]]:
    """A value that fits no member of a union (max: a number or a mapping) fails once per member.
    Where one member's errors lie inside the value (a mapping with a bad entry), the value had that
    member's shape: the others' complaints about its type are left out."""
    union = [(p, e) for p, e in errors if any(isinstance(x, str) and _UNION_MEMBER.fullmatch(x) for x in e["loc"])]
    if not union:
        return errors
    deeper = {p[:k] for p, _ in union for k in range(len(p))}  # the strict prefixes of union errors
    return [(p, e) for p, e in errors if not ((p, e) in union and p in deeper)]


def _translate(exc: ValidationError, src: Source) -> list[Issue]:
    issues = []
    errors = _union_errors([(_data_path(tuple(e["loc"]), src.data), e) for e in exc.errors()])
    # A misspelt key shows up twice: unknown here, missing there. Say it once, as the misspelling.
    missing = {p for p, e in errors if e["type"] == "missing"}
    misspelt = {path[:-1] + (_suggest(path, src.data),) for path, e in errors if e["type"] == "extra_forbidden"}
    # al: for all: is one unknown key, not also a condition lacking its field and op.
    combining = {path[:-1] for path, e in errors if e["type"] == "extra_forbidden" and _is_tree_typo(path, src.data)}
    for path, err in errors:
        kind = err["type"]
        if kind == "too_short" and any(p[:len(path)] == path and p != path for p, _ in errors):
            continue  # an echo of a failed item below it, already reported
        if kind == "missing" and (path in misspelt & missing or path[:-1] in combining and path[-1] in ("field", "op")):
            continue
        if kind == "extra_forbidden":
            close = _suggest(path, src.data)
            issues.append(Issue.make(
                "policy.unknown-key", src.where(path, key=True), key=path[-1],
                allowed=", ".join(_allowed_at(path[:-1], src.data)),
                suggestion_zh=f"，是否应为「{close}」？" if close else "",
                suggestion_en=f"; did you mean '{close}'?" if close else ""))
        elif kind == "missing":
            issues.append(Issue.make("policy.missing-key", src.where(path), key=path[-1]))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            issues.append(_invalid(src.where(path + ("kind",)),
                                   "kind 应为 one_off（一次性补助）、monthly（按月补贴）、yearly（按年补贴）、award（评选奖励）"
                                   "或 title_allowance（称号期内津贴）",
                                   "kind must be one_off, monthly, yearly, award or title_allowance", err.get("ctx", {}).get("tag", "")))
        elif kind == "literal_error":
            expected, got = err.get("ctx", {}).get("expected", ""), err.get("input")
            is_key = path[-1:] == ("[key]",)  # a mapping's key, such as a roster field under columns
            where = src.where(path[:-1], key=True) if is_key else src.where(path)
            zh, en = _choices(expected)
            got = str(got).lower() if isinstance(got, bool) else got  # YAML's yes / true, as the file may write it
            issues.append(_invalid(where, f"「{got}」应为 {zh} 之一", f"'{got}' should be one of {en}", got))
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            issues.append(_invalid(src.where(path), *_bound_text(kind, err.get("ctx", {}), path), err.get("input")))
        else:
            zh, en = _type_text(kind, err, path)
            issues.append(_invalid(src.where(path), zh, en, err.get("input")))
    return _one_per_value(issues)


def _in_condition(path: tuple) -> bool:
    return "conditions" in path or path[:1] == ("checks",)


def _is_amount(path: tuple) -> bool:
    """Whether a path holds an amount in yuan (a dated value, a lifetime cap, a plausible maximum),
    not a score, a count of years or a condition's value."""
    if _in_condition(path):
        return False
    return path[:1] == ("plausible_max",) or path[-1:] in (("lifetime_cap",), ("value",))


def _type_text(kind: str, err: dict, path: tuple) -> tuple[str, str]:
    """A wrong type in the words of a person writing a policy: an amount is told of as an amount,
    any other number as a number; a condition's value that is a list or a mapping once."""
    ctx = err.get("ctx") or {}
    if kind in _SCALAR_TYPES and _in_condition(path) and (
            path[-1:] == ("value",) or len(path) > 1 and path[-2] == "values" and isinstance(path[-1], int)):
        return _SCALAR_TEXT
    if kind in _NUMBER_TEXT and not _is_amount(path):
        return _NUMBER_TEXT[kind]
    if kind == "decimal_max_places" and not _is_amount(path):
        places = ctx.get("decimal_places", "")
        return f"最多 {places} 位小数", f"at most {places} decimals"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return ("不能为空", "cannot be empty") if least == 1 else (f"至少 {least} 个字符", f"at least {least} characters")
    if kind == "string_too_long":
        most = ctx.get("max_length", "")
        return f"至多 {most} 个字符", f"at most {most} character(s)"
    if kind in _TYPE_TEXT:  # a bound such as max_length filled in from the error's context
        return tuple(t.format_map({k: str(v) for k, v in ctx.items()}) for t in _TYPE_TEXT[kind])
    # A type this table does not know yet: still said in Chinese, pydantic's words kept for English.
    return _UNKNOWN_TYPE_ZH, err["msg"]


def _one_per_value(issues: list[Issue]) -> list[Issue]:
    """Two invalid-value messages at one key (a union's members) become one: 应为整数，或 …"""
    out: list[Issue] = []
    at: dict[tuple, int] = {}
    for issue in issues:
        key = (issue.location.line, issue.location.col, issue.location.path)
        if issue.code == "policy.invalid-value" and key in at and out[at[key]].code == "policy.invalid-value":
            first = dict(out[at[key]].params)
            mine = dict(issue.params)
            if mine["detail_zh"] in first["detail_zh"].split("，或"):
                continue  # the same words twice (a value fitting no member of a union, told once)
            out[at[key]] = Issue.make("policy.invalid-value", issue.location, value=out[at[key]].value,
                                      detail_zh=f"{first['detail_zh']}，或{mine['detail_zh']}",
                                      detail_en=f"{first['detail_en']}, or {mine['detail_en']}")
            continue
        at.setdefault(key, len(out))
        out.append(issue)
    return out



def _choices(expected: str) -> tuple[str, str]:
    """pydantic's "'a', 'b' or 'c'" as a list to read: a、b 或 c (a roster field with its Chinese
    header: person_id（身份证号）) and a, b or c."""
    names = re.findall(r"'([^']*)'", expected)
    if not names:
        return expected, expected
    shown = [f"{n}（{FIELDS[n].zh}）" if n in FIELDS else f"{n}（{ORG_FIELDS[n].zh}）" if n in ORG_FIELDS else n
             for n in names]
    zh = "、".join(shown[:-1]) + " 或 " + shown[-1] if len(shown) > 1 else shown[0]
    en = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
    return zh, en


def _partial(data: dict) -> tuple[Policy, list[int]]:
    """The well-typed parts of a policy that failed as a whole: its levels, its in-force date (None
    if unreadable) and the rules that validate on their own, with their positions in the file."""
    levels = {}
    raw_levels = data.get("levels")
    for key, raw in (raw_levels.items() if isinstance(raw_levels, dict) else ()):
        try:
            levels[key] = LevelDef.model_validate(raw)
        except ValidationError:
            levels[key] = LevelDef.model_construct(name=str(key), aliases=())
    fields = {}
    raw_fields = data.get("fields")
    for key, raw in (raw_fields.items() if isinstance(raw_fields, dict) else ()):
        try:
            fields[key] = FieldDef.model_validate(raw)
        except ValidationError:  # still a field: an amounts table keyed on it is not unknown
            fields[key] = FieldDef.model_construct(name=str(key), type="text", values=())
    try:
        in_force = TypeAdapter(date).validate_python(data.get("in_force_from"))
    except ValidationError:
        in_force = None
    rules, positions = [], []
    raw_rules = data.get("rules")
    for i, raw in enumerate(raw_rules if isinstance(raw_rules, list) else ()):
        try:
            rules.append(_RULE.validate_python(raw))
            positions.append(i)
        except ValidationError:
            continue
    return Policy.model_construct(levels=levels, rules=tuple(rules), in_force_from=in_force, fields=fields,
                                  source=str(data.get("source") or "")), positions


def _check_candidates(policy: Policy, src: Source, positions: list[int]) -> list[Issue]:
    """A policy for people declares its certificate levels; one for organisations (stations and
    agencies, keyed by their unified social credit code) has awards only: certificates, months in
    post and titles are a person's. One kind of candidate per file, since a roster has one key."""
    if not policy.organisations:
        if "levels" not in (src.data or {}):
            return [Issue.make("policy.missing-key", src.where(("levels",)), key="levels")]
        if not policy.levels:
            return [_invalid(src.where(("levels",)), "至少需要一项", "at least one item is needed", "{}")]
        return []
    return [Issue.make("policy.candidates-rule-kind", src.where(("rules", i, "kind")), rule=rule.id)
            for i, rule in zip(positions, policy.rules) if not isinstance(rule, AwardRule)]


def check_meaning(policy: Policy, src: Source, positions: list[int] | None = None) -> list[Issue]:
    """What the types cannot say: levels that exist, amounts for each, dates in order, unique ids.
    `positions`: where each rule stands in the file, when only some rules are checked."""
    issues: list[Issue] = []
    positions = list(range(len(policy.rules))) if positions is None else positions
    levels = policy.level_keys
    seen_alias: dict[str, str] = {}
    for key, lvl in policy.levels.items():
        for name in {header_key(n) for n in (key, lvl.name, *lvl.aliases)}:
            if name in seen_alias and seen_alias[name] != key:
                issues.append(Issue.make("policy.alias-twice", src.where(("levels", key), key=True),
                                         alias=name, first=seen_alias[name], second=key))
            seen_alias.setdefault(name, key)
    if not policy.source.strip():
        issues.append(Issue.make("policy.source-missing", src.where(("id",), key=True)))
    issues.extend(_check_candidates(policy, src, positions))
    seen_ids: set[str] = set()
    for i, rule in zip(positions, policy.rules):
        base = ("rules", i)
        if not rule.clause.strip():
            issues.append(Issue.make("policy.clause-missing", src.where(base + ("id",)), rule=rule.id))
        if rule.id in seen_ids:
            issues.append(Issue.make("policy.duplicate-rule", src.where(base + ("id",)), rule=rule.id))
        seen_ids.add(rule.id)
        if isinstance(rule, TitleAllowanceRule):
            awards = [r.id for j, r in zip(positions, policy.rules) if j < i and isinstance(r, AwardRule)]
            if rule.award not in awards:
                issues.append(Issue.make("policy.unknown-award", src.where(base + ("award",)), award=rule.award,
                                         awards="、".join(awards) or "—"))
        by_level = not isinstance(rule, (AwardRule, TitleAllowanceRule))
        if by_level:
            dated = rule.amounts
        elif isinstance(rule, AwardRule):
            dated = {"amount": rule.amount}
        else:
            dated = {key: value for key in ("amounts", "yearly_amounts") if (value := getattr(rule, key)) is not None}
        for level, entries in dated.items():
            where_at = base + (("amounts", level) if by_level else (level,))
            issues.extend(_check_dated(entries, where_at, level if by_level else None, policy, src))
        if isinstance(rule, OneOffRule):
            issues.extend(_check_window(rule, policy, src, base))
        if getattr(rule, "amounts_by", None) is not None:
            issues.extend(_check_table(rule.amounts_by, policy, src, base + ("amounts_by",)))
        issues.extend(_check_plausible(rule, policy, src, base))
        if isinstance(rule, AwardRule):
            issues.extend(_check_award(rule, policy, src, base))
            issues.extend(check_score(rule, policy, src, base))
        if isinstance(rule, MonthlyRule) and rule.min_consecutive_months is not None and rule.pay_month is None:
            issues.append(Issue.make("policy.needs-pay-month", src.where(base + ("min_consecutive_months",), key=True)))
        if isinstance(rule, MonthlyRule):
            issues.extend(_check_wait(rule, src, base))
        if isinstance(rule, TitleAllowanceRule):
            issues.extend(_check_title_amounts(rule, src, base))
        for level in levels if by_level else ():
            if level not in rule.amounts:
                issues.append(Issue.make("policy.level-without-amount", src.where(base + ("amounts",), key=True),
                                         level=level))
    issues.extend(check_fields_and_conditions(policy, src, positions))
    return issues


def _check_dated(entries, where_at: tuple, level: str | None, policy: Policy, src: Source) -> list[Issue]:
    """A dated list of amounts: its level declared (None: not by level), its dates in increasing
    order, none before the policy is in force."""
    issues = []
    if level is not None and policy.level_keys and level not in policy.level_keys:  # none at all is said at levels
        issues.append(Issue.make("policy.unknown-level", src.where(where_at, key=True), level=level,
                                 levels=", ".join(policy.level_keys)))
    dates = [e.from_ for e in entries]
    if not entries or any(b <= a for a, b in zip(dates, dates[1:])):
        issues.append(Issue.make("policy.dates-out-of-order", src.where(where_at)))
    elif policy.in_force_from is not None and dates[0] < policy.in_force_from:
        issues.append(Issue.make("policy.before-in-force", src.where(where_at + (0, "from")),
                                 date=dates[0], in_force=policy.in_force_from))
    return issues


def _check_window(rule: OneOffRule, policy: Policy, src: Source, base: tuple) -> list[Issue]:
    """qualified_until may not close the window before it opens (qualified_from, or in force)."""
    since_key = "qualified_from" if rule.qualified_from is not None else "in_force_from"
    since = rule.qualified_from or policy.in_force_from
    if rule.qualified_until is None or since is None or rule.qualified_until >= since:
        return []
    return [Issue.make("policy.until-before-from", src.where(base + ("qualified_until",), key=True),
                       until=rule.qualified_until, since=since, since_key=since_key)]


def _check_table(table: AmountsBy, policy: Policy, src: Source, at: tuple) -> list[Issue]:
    """An amounts table: its field a text column the roster has, each value spelt once, its aliases
    of its values, and each entry's amounts as `amounts` are (levels declared, dates in order)."""
    issues = []
    fields = policy.text_fields()
    if table.field not in fields:
        issues.append(unknown_field(table.field, list(fields), src, at + ("field",), policy=policy,
                                    use=("金额表（amounts_by）", "an amounts table (amounts_by)")))
    elif table.field in (policy.fields or {}) and policy.fields[table.field].type == "choice":
        choices = policy.fields[table.field].values
        allowed = {normal_text(v) for v in choices}
        for value in table.values:
            main = alias_of(policy.fields[table.field], value)
            if main is not None:
                issues.append(value_is_alias(table.field, value, main, policy, src, at + ("values", value),
                                             ("金额表", "amounts table"), is_key=True))
            elif normal_text(value) not in allowed:
                issues.append(Issue.make("policy.not-a-choice", src.where(at + ("values", value), key=True),
                                         value=value, field=table.field, values="、".join(choices)))
    seen: dict[str, str] = {}
    for value in table.values:
        for spelling, where in ((value, ("values", value)), *((a, ("aliases", value)) for a in table.aliases.get(value, ()))):
            norm = normal_text(spelling)
            if norm in seen and seen[norm] != value:
                issues.append(Issue.make("policy.value-twice", src.where(at + where, key=True), value=spelling,
                                         first=seen[norm], second=value, owner_zh="金额表", owner_en="amounts table"))
            seen.setdefault(norm, value)
    for value in table.aliases:
        if value not in table.values:
            issues.append(Issue.make("policy.alias-not-a-value", src.where(at + ("aliases", value), key=True),
                                     value=value, values="、".join(table.values), owner_zh="金额表",
                                     owner_en="amounts table's"))
    for value, by_level in table.values.items():
        for level, entries in by_level.items():
            issues.extend(_check_dated(entries, at + ("values", value, level), level, policy, src))
    return issues


# A kind of rule as the amount warning names it (zh, en).
_KIND_TEXT = {"one_off": ("一次性补助", "a one-off subsidy"), "monthly": ("按月补贴", "a monthly allowance"),
              "yearly": ("按年补贴", "a yearly amount"), "award": ("评选奖励", "an award"),
              "title_allowance": ("称号津贴（每月）", "a title allowance (per month)"),
              "title_allowance_yearly": ("称号津贴（每年，按每月上限的 12 倍）", "a title allowance (per year, twelve "
                                         "times the monthly bound)")}


def _check_plausible(rule, policy: Policy, src: Source, base: tuple) -> list[Issue]:
    """A warning at each amount above the policy's plausible_max for the rule's kind: most likely a
    typo. A title allowance's yearly amount is held to twelve months of the (monthly) bound; a
    recurring rule's lifetime cap, a total over years, to none."""
    bound = getattr(policy.plausible_max, rule.kind)
    if isinstance(rule, AwardRule):
        dated = {("amount",): rule.amount}
    elif isinstance(rule, TitleAllowanceRule):
        dated = {(key,): value for key in ("amounts", "yearly_amounts") if (value := getattr(rule, key)) is not None}
    else:
        dated = {("amounts", level): entries for level, entries in rule.amounts.items()}
        table = getattr(rule, "amounts_by", None)
        for value, by_level in (table.values.items() if table is not None else ()):
            dated.update({("amounts_by", "values", value, level): entries for level, entries in by_level.items()})
    found = [(at + (i, "value"), e.value) for at, entries in dated.items() for i, e in enumerate(entries)]
    if isinstance(rule, OneOffRule) and rule.lifetime_cap is not None:
        found.append((("lifetime_cap",), rule.lifetime_cap))
    issues = []
    for at, value in found:
        yearly = at[0] == "yearly_amounts"
        limit = bound * 12 if yearly else bound
        if value > limit:
            zh, en = _KIND_TEXT["title_allowance_yearly" if yearly else rule.kind]
            issues.append(Issue.make("policy.amount-implausible", src.where(base + at), value=f"{value:,}",
                                     limit=f"{limit:,}", kind=rule.kind, kind_zh=zh, kind_en=en))
    return issues


def _check_award(rule: AwardRule, policy: Policy, src: Source, base: tuple) -> list[Issue]:
    """The first selection must be paid from an amount in force, and tie-break keys used once."""
    issues = []
    first = rule.cycle.selection_day(rule.cycle.first_year)
    if (policy.in_force_from is not None and first < policy.in_force_from) or first < rule.amount[0].from_:
        issues.append(Issue.make("policy.cycle-before-amount", src.where(base + ("cycle", "first_year")),
                                 day=first, amount_from=rule.amount[0].from_, in_force=policy.in_force_from))
    keys = [t.field for t in rule.tie_break]
    usable = [*TIE_BREAK_FIELDS, *(k for k, f in policy.fields.items() if f.type in ("number", "date"))]
    for i, key in enumerate(keys):
        if key not in usable:
            issues.append(unknown_field(key, usable, src, base + ("tie_break", i, "field"), policy=policy,
                                        use=("同分排序（tie_break）", "a tie-break")))
        elif key in keys[:i]:
            issues.append(Issue.make("policy.tie-break-twice", src.where(base + ("tie_break", i)), key=key))
    if rule.no_repeat is not None and rule.no_repeat_cycles is not None:
        issues.append(Issue.make("policy.keys-exclusive", src.where(base + ("no_repeat",), key=True),
                                 first="no_repeat_cycles", second="no_repeat"))
    for key, use in (("quota_per", ("入选名额", "a selection quota")), ("nominations_per", ("推荐名额", "a nomination limit"))):
        quota = getattr(rule, key)
        if quota is not None:
            issues.extend(_check_quota(quota, policy, src, base + (key,), use))
    return issues


def group_fields(policy: Policy) -> list[str]:
    """The fields a quota may count by: the built-in text fields a condition may test, and the
    text or choice fields the policy declares."""
    declared = getattr(policy, "fields", None) or {}
    return [*(k for k, kind in CONDITION_FIELDS.items() if kind == "text"),
            *(k for k, f in declared.items() if f.type in ("text", "choice"))]


def _check_quota(quota: QuotaPer, policy: Policy, src: Source, at: tuple, use: tuple[str, str]) -> list[Issue]:
    """The field is one a quota may count by (did you mean …?); a mapping under max says what a value
    it does not list gets (others); a choice field's values are its own."""
    issues = []
    allowed = group_fields(policy)
    if quota.field not in allowed:
        issues.append(unknown_field(quota.field, list(allowed), src, at + ("field",), "policy.unknown-group-field",
                                    policy=policy, use=use, use_zh=use[0], use_en=use[1]))
    if quota.by_value() and quota.others is None:
        issues.append(Issue.make("policy.needs-key", src.where(at + ("max",), key=True), key="max", needed="others",
                                 choices_zh="未列出的取值各有几个名额（数字），或 unlimited（不限）",
                                 choices_en="the places of each value not listed (a number), or unlimited"))
    if not quota.by_value() and quota.others is not None:
        issues.append(Issue.make("policy.key-unused", src.where(at + ("others",), key=True), key="others",
                                 when_zh="max 按取值分别列出名额", when_en="when max lists places per value"))
    declared = (getattr(policy, "fields", None) or {}).get(quota.field)
    if declared is not None and declared.type == "choice" and quota.by_value():
        values = {unicodedata.normalize("NFKC", v).strip() for v in declared.values}
        for value in quota.max:
            main = alias_of(declared, value)
            if main is not None:
                issues.append(value_is_alias(quota.field, value, main, policy, src, at + ("max", value),
                                             ("名额", "quota"), is_key=True))
            elif unicodedata.normalize("NFKC", value).strip() not in values:
                issues.append(Issue.make("policy.quota-value-unknown", src.where(at + ("max", value), key=True),
                                         value=value, field=quota.field, values="、".join(declared.values)))
    return issues


def _check_wait(rule: MonthlyRule, src: Source, base: tuple) -> list[Issue]:
    """A waiting period says from which month it counts, and cannot take a blank hire date as in post."""
    issues = []
    if rule.wait_months is not None and rule.wait_from is None:
        issues.append(Issue.make("policy.needs-key", src.where(base + ("wait_months",), key=True), key="wait_months",
                                 needed="wait_from", choices_zh="hire_month（入职当月起算）或 month_after_hire（入职次月起算）",
                                 choices_en="hire_month (counted from the hire month) or month_after_hire"))
    if rule.wait_from is not None and rule.wait_months is None:
        issues.append(Issue.make("policy.key-unused", src.where(base + ("wait_from",), key=True), key="wait_from",
                                 when_zh="写了 wait_months", when_en="with wait_months"))
    if rule.wait_months is not None and rule.blank_hire_date == "in_post":
        issues.append(Issue.make("policy.wait-needs-hire-date", src.where(base + ("blank_hire_date",))))
    return issues


def _check_title_amounts(rule: TitleAllowanceRule, src: Source, base: tuple) -> list[Issue]:
    """A title allowance states a monthly or a yearly amount, one of the two; a yearly one says how a
    part of a year is paid."""
    issues = []
    if rule.amounts is None and rule.yearly_amounts is None:
        issues.append(Issue.make("policy.missing-key", src.where(base), key="amounts / yearly_amounts"))
    if rule.amounts is not None and rule.yearly_amounts is not None:
        issues.append(Issue.make("policy.keys-exclusive", src.where(base + ("yearly_amounts",), key=True),
                                 first="amounts", second="yearly_amounts"))
    if rule.yearly_amounts is not None and rule.part_year is None:
        issues.append(Issue.make("policy.needs-key", src.where(base + ("yearly_amounts",), key=True),
                                 key="yearly_amounts", needed="part_year",
                                 choices_zh="pro_rata_half_up（按称号期内月数折算，四舍五入到分）",
                                 choices_en="pro_rata_half_up (by the months of the term, rounded half up to the fen)"))
    if rule.part_year is not None and rule.yearly_amounts is None:
        issues.append(Issue.make("policy.key-unused", src.where(base + ("part_year",), key=True), key="part_year",
                                 when_zh="写了 yearly_amounts", when_en="with yearly_amounts"))
    return issues
