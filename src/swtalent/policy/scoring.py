"""The checks of an award's score source that its types cannot say: one source each, the columns
and records it reads declared as roster number fields, judges' drops that leave a mark, part names
unique. Each problem at its line and column."""
from __future__ import annotations

from ..errors import Issue
from .meaning import unknown_field
from .model import AwardRule, Policy

SOURCES = ("column", "judges", "records")


def check_score(rule: AwardRule, policy: Policy, src, base: tuple) -> list[Issue]:
    source = rule.score
    if source is None:
        return []
    at = base + ("score",)
    given = [k for k in (*SOURCES, "parts", "rounds") if getattr(source, k) is not None]
    if len(given) != 1:
        return [_shape(src, at, "score 须写 column、judges、records、parts、rounds 之一，且只写一个（现有：{}）".format(
            "、".join(given) or "无"), "score takes exactly one of column, judges, records, parts, rounds (given: {})"
            .format(", ".join(given) or "none"))]
    issues: list[Issue] = []
    if source.rounds is not None:
        return _rounds(rule, policy, src, at)
    if source.parts is not None:
        if not source.parts:
            issues.append(_shape(src, at + ("parts",), "parts 至少列出一部分", "parts lists at least one part"))
        names = [p.name for p in source.parts]
        for k, part in enumerate(source.parts):
            where = at + ("parts", k)
            if part.name in names[:k] and _one_source(part):
                issues.append(_shape(src, where + ("name",), f"部分名称「{part.name}」重复", f"the part name '{part.name}' "
                                     "is used twice"))
            issues += _single(part, policy, src, where, f"每一部分须写 column、judges、records 之一，且只写一个（「{part.name}」）",
                              f"each part takes exactly one of column, judges, records ('{part.name}')")
    else:
        issues += _one(source, policy, src, at)
    return issues


def _one_source(spec) -> bool:
    return sum(getattr(spec, s) is not None for s in SOURCES) == 1


def _single(spec, policy: Policy, src, where: tuple, zh: str, en: str) -> list[Issue]:
    """A part or a round: exactly one source, then that source's own checks."""
    if not _one_source(spec):
        return [_shape(src, where, zh, en)]
    return _one(spec, policy, src, where)


def _rounds(rule: AwardRule, policy: Policy, src, at: tuple) -> list[Issue]:
    """Two rounds: the first with its shortlist (no fewer than the quota), the second without."""
    rounds = rule.score.rounds
    if len(rounds) != 2:
        return [_shape(src, at + ("rounds",), f"rounds 须列出两轮（现有 {len(rounds)} 轮）",
                       f"rounds lists two rounds ({len(rounds)} given)")]
    issues: list[Issue] = []
    for k, spec in enumerate(rounds):
        issues += _single(spec, policy, src, at + ("rounds", k), f"第{'一二'[k]}轮须写 column、judges、records 之一，且只写一个",
                          f"round {k + 1} takes exactly one of column, judges, records")
    first, second = rounds
    if first.shortlist is None:
        issues.append(_shape(src, at + ("rounds", 0), "第一轮须写 shortlist（入围人数）",
                             "the first round states its shortlist (how many go through)"))
    elif first.shortlist < rule.quota:
        issues.append(Issue.make("policy.shortlist-below-quota", src.where(at + ("rounds", 0, "shortlist")),
                                 str(first.shortlist), quota=rule.quota))
    if second.shortlist is not None:
        issues.append(_shape(src, at + ("rounds", 1, "shortlist"), "第二轮不写 shortlist：入选人数即名额 quota",
                             "the second round has no shortlist: it selects the quota"))
    return issues


def _one(spec, policy: Policy, src, at: tuple) -> list[Issue]:
    numbers = ["score", *(k for k, f in policy.fields.items() if f.type == "number")]
    declared = [k for k, f in policy.fields.items() if f.type == "number"]
    if spec.column is not None and policy.score_column(spec.column) is None:
        return [unknown_field(spec.column, numbers, src, at + ("column",), "policy.score-unknown-field")]
    out: list[Issue] = []
    for k, item in enumerate(spec.records or ()):
        if item.field not in declared:
            out.append(unknown_field(item.field, declared, src, at + ("records", k, "field"), "policy.score-unknown-field"))
    if spec.records is not None and not spec.records:
        out.append(_shape(src, at + ("records",), "records 至少列出一项服务记录", "records lists at least one record"))
    judges = spec.judges
    if judges is not None:
        drops = judges.drop_highest + judges.drop_lowest
        if judges.min_judges is not None and judges.min_judges <= drops:
            out.append(_shape(src, at + ("judges", "min_judges"),
                              f"去掉 {drops} 个分数后须至少留下一个：min_judges 至少为 {drops + 1}",
                              f"at least one mark must be left after dropping {drops}: min_judges is at least {drops + 1}"))
        if judges.range[0] > judges.range[1]:
            out.append(_shape(src, at + ("judges", "range"), "range 的下限大于上限", "range's low end is above its high end"))
    return out


def _shape(src, at: tuple, zh: str, en: str) -> Issue:
    return Issue.make("policy.score-source-shape", src.where(at), detail_zh=zh, detail_en=en)



