"""A policy's conditions in words, as sheets, reasons and messages quote them:
'人员类别 须为 社区工作人员、社工机构从业人员', '（户籍所在地 须包含 滁州 之一）或（工作单位 须包含 滁州 之一）'."""
from __future__ import annotations

from datetime import date

from .model import AllOf, AnyOf, NotOf

OPS = {
    "zh": {"in": "须为 {v}", "not_in": "不能为 {v}", "contains_any": "须包含 {v} 之一", "==": "须为 {v}",
           "!=": "不能为 {v}", ">=": "须不少于 {v}", ">": "须大于 {v}", "<=": "须不超过 {v}", "<": "须小于 {v}",
           "between": "须在 {v} 之间（含两端）"},
    "en": {"in": "must be {v}", "not_in": "must not be {v}", "contains_any": "must contain one of {v}",
           "==": "must be {v}", "!=": "must not be {v}", ">=": "must be at least {v}", ">": "must be more than {v}",
           "<=": "must be at most {v}", "<": "must be less than {v}", "between": "must be between {v} (both included)"},
}
# Dates are compared in time's words.
DATE_OPS = {
    "zh": {">=": "须不早于 {v}", ">": "须晚于 {v}", "<=": "须不晚于 {v}", "<": "须早于 {v}"},
    "en": {">=": "must be on or after {v}", ">": "must be after {v}", "<=": "must be on or before {v}",
           "<": "must be before {v}"},
}
_BLANK_RULE = {"zh": {"passes": "（为空视为符合）", "problem": "（不得为空）", "fails": ""},
               "en": {"passes": " (a blank counts as met)", "problem": " (must not be blank)", "fails": ""}}


def condition_rule(cond, lang: str, policy) -> str:
    """A condition as the policy states it: '人员类别 须为 社区工作人员、社工机构从业人员';
    any / all / not spelt out: '（户籍所在地 须包含 滁州）或（工作单位 须包含 滁州）'."""
    if isinstance(cond, (AnyOf, AllOf)):
        parts, word = (cond.any, ("或", " or ")) if isinstance(cond, AnyOf) else (cond.all, ("且", " and "))
        joined = word[lang != "zh"].join(f"（{condition_rule(c, lang, policy)}）" if lang == "zh"
                                         else f"({condition_rule(c, lang, policy)})" for c in parts)
        return joined
    if isinstance(cond, NotOf):
        inner = condition_rule(cond.not_, lang, policy)
        return f"并非（{inner}）" if lang == "zh" else f"not ({inner})"
    return f"{policy.field_label(cond.field, lang)} {need(cond, lang, policy)}{_BLANK_RULE[lang][cond.blank]}"


def need(cond, lang: str, policy) -> str:
    """What a simple condition asks of the value: '须不晚于 取得证书日期前 12 个月'."""
    sep = "、" if lang == "zh" else ", "
    date_like = policy.field_type(cond.field) == "date"
    ops = {**OPS[lang], **(DATE_OPS[lang] if date_like else {})}
    if cond.other:
        v = policy.field_label(cond.other, lang) + offset_text(cond.offset, lang)
    elif cond.op == "between":
        v = (" 至 " if lang == "zh" else " and ").join(value_text(x, cond, lang, policy) for x in cond.values)
    elif cond.op in ("in", "not_in", "contains_any"):
        v = sep.join(value_text(x, cond, lang, policy) for x in cond.values)
    else:
        v = value_text(cond.value, cond, lang, policy)
    return ops[cond.op].format(v=v)


def value_text(value, cond, lang: str, policy) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if policy.field_type(cond.field) == "level":
        return policy.level_titles.get(str(value), str(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def offset_text(offset, lang: str) -> str:
    """'前 12 个月', '后 30 天' (en: ' less 12 months', ' plus 30 days'); '' for none."""
    if offset is None or (not offset.months and not offset.days):
        return ""
    parts = []
    for n, zh, en in ((offset.months, "个月", "months"), (offset.days, "天", "days")):
        if n:
            parts.append((f"{'前' if n < 0 else '后'} {abs(n)} {zh}") if lang == "zh"
                         else f" {'less' if n < 0 else 'plus'} {abs(n)} {en}")
    return "".join(parts)
