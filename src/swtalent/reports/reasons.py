"""Why a row was not paid, and how a line's amount was reached, in the reader's language.

Built column-wise from the engine's reason codes, so a million rows cost string operations,
not a Python loop per row.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..engine import INELIGIBLE, Computation
from ..engine import outcome as o
from ..money import plain_yuan, to_fen
from ..periods import month_label, month_start
from ..policy.describe import DATE_OPS, OPS, condition_rule, need, offset_text
from ..policy.model import Condition
from ..roster.cells import Column, first_appearances, pair_codes

_TEXT = {
    "zh": {
        o.ONE_OFF_BEFORE_FROM: "取证日期 {x} 早于 {since}，该日期前取得的证书不补助",
        o.ONE_OFF_EARLIER_PERIOD: "取证日期 {x} 在本期之前，应在该日期所在期间发放",
        o.ONE_OFF_LATER_PERIOD: "取证日期 {x} 在本期之后",
        o.ZERO_AMOUNT: "适用金额为 0",
        o.ONE_OFF_ALREADY_PAID: "此前已领取的补助已达本等级标准或终身上限",
        o.ONE_OFF_AFTER_UNTIL: "取证日期 {x} 晚于 {until}，该日期后取得的证书不补助",
        o.ONE_OFF_NOT_FIRST: "每人只补助首张证书：本人首张为 {x} 取得的{level}，本证书不再补助",
        o.ONE_OFF_FIRST_HELD: "每人只补助首张证书：本人在{x}的另一张证书有数据问题，更正后才能确定哪张是首张，本证书暂不补助",
        o.ONE_OFF_PAID_ONCE: "每人只补助首张证书，本规则此前已补助过本人（往期发放记录），本证书不再补助",
        o.MONTHLY_MAX_MONTHS: "已发满每人至多 {max_months} 个月",
        o.MONTHLY_NOT_PAY_MONTH: "按年发放，于每年 {pay_month} 月发放，{period} 不含该月",
        o.MONTHLY_TOO_SHORT: "连续在岗不足 {min_consecutive} 个月",
        o.MONTHLY_WAITING: "入职日期 {x}，在岗满 {wait_months} 个月后发放（{wait_from}），本期内尚未满",
        o.LIFETIME_CAP: "此前已发放的金额已达每人终身上限 {lifetime_cap} 元",
        o.AWARD_NEVER_AGAIN: "此前已获评，本奖项每人只能获得一次",
        "wait.hire_month": "自入职当月起算", "wait.month_after_hire": "自入职次月起算",
        "unit_full_value": "{field}「{value}」的 {places} 个名额已满",
        o.YEARLY_NOT_PAY_MONTH: "按年发放，于每年 {pay_month} 月发放，{period} 不含该月",
        o.YEARLY_NOT_HELD: "发放月 1 日尚未取得证书（取证日期 {x}）",
        o.YEARLY_NOT_IN_POST: "发放月 1 日不在岗",
        o.YEARLY_SUPERSEDED: "按本人更高等级证书发放",
        o.YEARLY_MAX_YEARS: "已发满每人至多 {max_years} 个年度",
        o.TITLE_NOT_HOLDER: "未获得该称号（本期未入选，往期名单中也没有）",
        o.TITLE_NOT_PAY_MONTH: "按年发放，于每年 {pay_month} 月发放，{period} 不含该月",
        o.TITLE_OUT_OF_TERM: "本期发放年度不在称号期内",
        o.MONTHLY_NOT_IN_FORCE: "政策自 {in_force} 起施行，本期不在施行期内",
        o.MONTHLY_QUALIFIED_LATE: "取证日期 {x}，{first}发放，本期内无应发月份",
        o.MONTHLY_LEFT: "离职日期 {x} 早于本期可发放月份",
        o.MONTHLY_HIRED_LATE: "入职日期 {x} 晚于本期",
        o.MONTHLY_NO_OVERLAP: "取证后的在岗月份与本期无重叠",
        o.MONTHLY_SUPERSEDED: "本期各月均按本人所持更高等级证书发放",
        o.AWARD_NOT_SELECTION_YEAR: "{period} 不含评选月份（自 {first_year} 年起每 {every} 年评选一次，于当年 {month} 月评选）",
        o.AWARD_NOT_CANDIDATE: "未参评（无评审得分）",
        o.AWARD_MIN_YEARS: "从事社会工作年限不足 {min_years} 年",
        o.AWARD_REPEAT: "近 {cycles} 届内已获评，本届不再参评",
        o.AWARD_BELOW_MIN_SCORE: "得分低于最低分数线 {min_score} 分，名额空缺",
        o.AWARD_QUOTA_FULL: "排名在 {quota} 个名额之外",
        o.AWARD_UNIT_FULL: "本{per_zh} {per_max} 个名额已满",
        o.AWARD_PENDING_TIE: "同分待定：{tied} 人排名相同，争 {places} 个名额，由评审委员会决定",
        o.AWARD_PENDING_HELD: "待定：{tied} 名候选人因数据问题未参加排名，更正后可能占用最后 {places} 个名额；更正并重新计算后确定",
        o.AWARD_SAME_PERSON: "同一人在名单中已有一行参评",
        o.AWARD_NOT_SHORTLISTED: "第一轮未入围：排在 {shortlist} 个入围名额之外",
        o.AWARD_SHORTLIST_PENDING: "入围待定：因数据问题未参加第一轮排名的候选人更正后，可能占去本人的入围名额；更正并重新计算后确定（其名额暂留）",
        o.LEDGER_PAID: "已发放（批次 {batch}，{date}）",
        o.AWARD_CYCLE_PAID: "本届评选已由此前批次发放，不再增补；如需重评，先作废该批次",
        "blank": "{field}为空",
        "by_table": "，按{field}「{value}」标准", "by_general": "，按一般标准",
        "table_hit": "{field}「{cell}」：按金额表中「{value}」的标准",
        "table_level": "{field}「{cell}」：金额表中「{value}」未列本等级，按一般标准",
        "table_miss": "{field}「{cell}」不在金额表中，按一般标准", "table_blank": "{field}为空，按一般标准",
        "first_after": "自取证次月起", "first_same": "自取证当月起",
        "sep": "；", "colon": "：", "list_sep": "、",
    },
    "en": {
        o.ONE_OFF_BEFORE_FROM: "qualified on {x}, before {since}; earlier certificates are not paid",
        o.ONE_OFF_EARLIER_PERIOD: "qualified on {x}, before this period; due in the period of that date",
        o.ONE_OFF_LATER_PERIOD: "qualified on {x}, after this period",
        o.ZERO_AMOUNT: "the amount that applies is 0",
        o.ONE_OFF_ALREADY_PAID: "what was paid before already reaches this level's amount or the lifetime cap",
        o.ONE_OFF_AFTER_UNTIL: "qualified on {x}, after {until}; later certificates are not paid",
        o.ONE_OFF_FIRST_HELD: "only a person's first certificate is paid: this person's other certificate on {x} has a "
                              "data problem; which is the first can be told once it is corrected, so this one is not "
                              "paid yet",
        o.ONE_OFF_NOT_FIRST: "only a person's first certificate is paid: this person's first is {level} of {x}; "
                             "this one is not paid",
        o.ONE_OFF_PAID_ONCE: "only a person's first certificate is paid, and this rule paid this person before "
                             "(earlier payments); this one is not paid",
        o.MONTHLY_MAX_MONTHS: "the {max_months} months allowed per person are used up",
        o.MONTHLY_NOT_PAY_MONTH: "paid once a year in month {pay_month}, which {period} does not hold",
        o.MONTHLY_TOO_SHORT: "fewer than {min_consecutive} consecutive months in post",
        o.MONTHLY_WAITING: "hired on {x}; paid after {wait_months} months in post ({wait_from}), not reached in this period",
        o.LIFETIME_CAP: "what was paid before reaches the lifetime cap of {lifetime_cap} yuan per person",
        o.AWARD_NEVER_AGAIN: "won before; this award is won once only",
        "wait.hire_month": "counted from the hire month", "wait.month_after_hire": "counted from the month after hire",
        "unit_full_value": "the {places} place(s) for {field} '{value}' are taken",
        o.YEARLY_NOT_PAY_MONTH: "paid once a year in month {pay_month}, which {period} does not hold",
        o.YEARLY_NOT_HELD: "no certificate on the first day of the payment month (qualified on {x})",
        o.YEARLY_NOT_IN_POST: "not in post on the first day of the payment month",
        o.YEARLY_SUPERSEDED: "paid on the person's higher-level certificate",
        o.YEARLY_MAX_YEARS: "the {max_years} years allowed per person are used up",
        o.TITLE_NOT_HOLDER: "does not hold the title (not selected in this run nor in the previous file)",
        o.TITLE_NOT_PAY_MONTH: "paid once a year in month {pay_month}, which {period} does not hold",
        o.TITLE_OUT_OF_TERM: "the year paid is outside the title's term",
        o.MONTHLY_NOT_IN_FORCE: "the policy is in force from {in_force}, not in this period",
        o.MONTHLY_QUALIFIED_LATE: "qualified on {x}, paid {first}: no month of this period is due",
        o.MONTHLY_LEFT: "left on {x}, before any payable month of this period",
        o.MONTHLY_HIRED_LATE: "hired on {x}, after this period",
        o.MONTHLY_NO_OVERLAP: "no month in post after qualifying falls in this period",
        o.MONTHLY_SUPERSEDED: "every month is paid on the person's higher-level certificate",
        o.AWARD_NOT_SELECTION_YEAR: "{period} holds no selection month (every {every} years from {first_year}, "
                                    "in month {month})",
        o.AWARD_NOT_CANDIDATE: "not a candidate (no score)",
        o.AWARD_MIN_YEARS: "fewer than {min_years} years in social work",
        o.AWARD_REPEAT: "won within the last {cycles} cycle(s); not a candidate this time",
        o.AWARD_BELOW_MIN_SCORE: "score below the minimum of {min_score}; the place stays vacant",
        o.AWARD_QUOTA_FULL: "ranked outside the {quota} places",
        o.AWARD_UNIT_FULL: "the {per_en}'s places ({per_max}) are taken",
        o.AWARD_PENDING_TIE: "pending tie (同分待定): {tied} ranked equal for {places} place(s); the committee decides",
        o.AWARD_PENDING_HELD: "pending: {tied} candidate(s) held for data problems are not ranked and may take the "
                              "last {places} place(s) once corrected; correct them and compute again",
        o.AWARD_SAME_PERSON: "the same person is a candidate on an earlier row",
        o.AWARD_NOT_SHORTLISTED: "not shortlisted in the first round: ranked outside its {shortlist} places",
        o.AWARD_SHORTLIST_PENDING: "shortlist pending: candidates held for data problems in the first round may take "
                                   "this place on the shortlist once corrected; correct them and compute again (a "
                                   "place is kept open)",
        o.LEDGER_PAID: "paid already (batch {batch}, {date})",
        o.AWARD_CYCLE_PAID: "this cycle's winners were paid by an earlier batch; none is added (void that batch to select again)",
        "blank": "{field} is blank",
        "by_table": "; at the rate for {field} {value}", "by_general": "; at the general rate",
        "table_hit": "{field} '{cell}': the amounts table's rate for '{value}'",
        "table_level": "{field} '{cell}': the amounts table lists no amount of this level for '{value}'; the general rate",
        "table_miss": "{field} '{cell}' is not in the amounts table; the general rate",
        "table_blank": "{field} is blank; the general rate",
        "first_after": "from the month after qualifying", "first_same": "from the qualifying month",
        "sep": "; ", "colon": ": ", "list_sep": ", ",
    },
}


def _per_value(col: pd.Series, fn) -> pd.Series:
    """fn over each distinct value only: rosters repeat their dates, months and rates."""
    return pd.Series(Column(col.to_numpy()).per_value(fn), index=col.index, dtype=object)


def _segments_text(runs: list, lang: str) -> str:
    """'100元 × 3个月（2021-01..2021-03）+ 200元 × 9个月（2021-04..2021-12）'."""
    parts = []
    for rate, first, last in runs:
        span = month_label(first) if first == last else f"{month_label(first)}..{month_label(last)}"
        count = last - first + 1
        parts.append(f"{plain_yuan(rate)}元 × {count}个月（{span}）" if lang == "zh"
                     else f"{plain_yuan(rate)} yuan x {count} months ({span})")
    return ("+ " if lang == "zh" else " + ").join(parts)


def _dates(col: pd.Series, written: pd.Series | None = None) -> pd.Series:
    """Dates as the clerk wrote them where they said less than a day (2023年5月), else as ISO dates."""
    shown = _iso(col)
    if written is None:
        return shown
    return written.where(written.astype(bool), shown)


def _iso(col: pd.Series) -> pd.Series:
    return _per_value(col, lambda d: "" if d is None or pd.isna(d) else str(np.datetime64(d, "D")))


def rule_reasons(comp: Computation, lang: str, rows: np.ndarray, outcomes: list | None = None) -> list[pd.Series]:
    """For each rule (or each of `outcomes`), the reason text for each selected row ('' where paid
    or not evaluated)."""
    picked = np.flatnonzero(rows)
    frame = comp.roster.frame.iloc[picked]
    t = _TEXT[lang]
    dated = {  # the row value each reason quotes
        o.ONE_OFF_BEFORE_FROM: "qualified_on", o.ONE_OFF_EARLIER_PERIOD: "qualified_on",
        o.ONE_OFF_LATER_PERIOD: "qualified_on", o.ONE_OFF_AFTER_UNTIL: "qualified_on", o.MONTHLY_QUALIFIED_LATE: "qualified_on",
        o.MONTHLY_LEFT: "left_on", o.MONTHLY_HIRED_LATE: "hired_on", o.YEARLY_NOT_HELD: "qualified_on",
        o.MONTHLY_WAITING: "hired_on",
    }
    out = []
    for res in comp.outcomes if outcomes is None else outcomes:
        rule = res.rule
        first = t["first_after"] if getattr(rule, "first_month", "") == "after_qualifying" else t["first_same"]
        text = pd.Series("", index=frame.index, dtype=object)
        reason, failed = res.reason[picked], res.failed_condition[picked]
        for code in pd.unique(reason):
            if code in (o.PAID, o.NOT_EVALUATED):
                continue
            mask = reason == code
            if code == o.CONDITION:
                for ci, cond in enumerate(rule.conditions):
                    m = mask & (failed == ci)
                    if m.any():
                        text[m] = _condition_text(cond, frame.loc[m], lang, comp.policy)
                continue
            filled = t[code].format(x="\0", level="\1", batch="", date="", since=rule_since(comp, rule),
                                    until=getattr(rule, "qualified_until", "") or "", in_force=comp.policy.in_force_from,
                                    first=first, period=comp.period.label(), tied="", places="",
                                    max_months=getattr(rule, "max_months", "") or "",
                                    pay_month=getattr(rule, "pay_month", "") or "",
                                    min_consecutive=getattr(rule, "min_consecutive_months", "") or "",
                                    max_years=getattr(rule, "max_years", "") or "",
                                    wait_months=getattr(rule, "wait_months", "") or "",
                                    wait_from=t.get(f"wait.{getattr(rule, 'wait_from', '')}", ""),
                                    lifetime_cap=_cap_text(rule),
                                    **_award_terms(rule))
            if code == o.LEDGER_PAID:  # which batch paid it, and when: per row
                paid_by = res.paid_by[picked][mask]
                text[mask] = [t[code].format(batch=b.split("|")[0], date=b.split("|")[-1]) for b in paid_by]
            elif code in (o.AWARD_PENDING_TIE, o.AWARD_PENDING_HELD):  # how many, for how many places: per group
                tied, places = res.award.tied[picked][mask], res.award.places[picked][mask]
                text[mask] = [t[code].format(tied=a, places=b) for a, b in zip(tied, places)]
            elif code == o.ONE_OFF_NOT_FIRST:  # the person's first certificate: its date and level, per row
                text[mask] = _first_certificate(comp, filled, res.first_pos[picked][mask], text.index[mask])
            elif code == o.ONE_OFF_FIRST_HELD:  # the held certificate's row, as the clerk finds it
                rows = comp.roster.frame["row"].to_numpy()[res.first_pos[picked][mask]]
                head, tail = filled.split("\0")
                text[mask] = [head + (f"第 {r} 行" if lang == "zh" else f"row {r}") + tail for r in rows]
            elif code == o.AWARD_UNIT_FULL and _per_value_text(rule.quota_per):  # which value's places, per value
                values = frame.loc[mask, rule.quota_per.field].astype(str)
                label = comp.policy.field_label(rule.quota_per.field, lang)
                text[mask] = _per_value(values, lambda v: t["unit_full_value"].format(
                    field=label, value=v, places=rule.quota_per.limit_of(v)))
            elif code in dated:
                head, tail = filled.split("\0")
                text[mask] = head + _dates(frame.loc[mask, dated[code]], frame.loc[mask, dated[code] + "_written"]) + tail
            else:
                text[mask] = filled
        out.append(text)
    return out


def _first_certificate(comp: Computation, filled: str, first_pos: np.ndarray, index: pd.Index) -> pd.Series:
    """The not-first reason with the date and level of the person's first certificate filled in
    (x is \\0, level \\1 in `filled`), column-wise."""
    frame = comp.roster.frame
    day = _dates(frame["qualified_on"].iloc[first_pos], frame["qualified_on_written"].iloc[first_pos])
    level = frame["level"].iloc[first_pos].astype(object).map(comp.policy.level_titles).fillna("")
    day.index = level.index = index
    out = pd.Series("", index=index, dtype=object)
    for piece in re.split("([\0\1])", filled):
        out = out + (day if piece == "\0" else level if piece == "\1" else piece)
    return out


def shown_values(frame: pd.DataFrame, key: str, lang: str) -> pd.Series:
    """A field's cells as a reason or explain quotes them: text as written, a number exactly, a
    date as a day (or as the clerk wrote it: 2023年5月), yes/no in words; '' for blank."""
    column = frame[key]
    if f"{key}_exact" in frame:
        return frame[f"{key}_exact"].map(lambda v: "" if v is None else str(v)).astype(object)
    if column.dtype.kind == "M":
        written = frame[f"{key}_written"] if f"{key}_written" in frame else pd.Series("", index=frame.index)
        return _dates(column, written)
    if isinstance(column.dtype, pd.BooleanDtype):
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        return column.map(lambda v: "" if pd.isna(v) else (yes if v else no)).astype(object)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(object).fillna("").astype(str)
    return column.astype(str)


def _condition_text(cond, frame: pd.DataFrame, lang: str, policy) -> pd.Series:
    """Why each row fails a condition: the value seen and what the policy asks of it; for any / all /
    not, the condition whole and the values it read."""
    t = _TEXT[lang]
    if not isinstance(cond, Condition):
        keys = list(dict.fromkeys(f for leaf in cond.leaves() for f in (leaf.field, leaf.other) if f))
        colon, sep = ("：", "；") if lang == "zh" else (": ", "; ")
        seen = pd.Series("", index=frame.index, dtype=object)
        for k, key in enumerate(keys):
            values = shown_values(frame, key, lang).where(lambda v: v != "", "—")
            seen = seen + (sep if k else "") + policy.field_label(key, lang) + colon + values
        head = ("未满足：" if lang == "zh" else "not met: ") + condition_rule(cond, lang, policy)
        return head + ("（" if lang == "zh" else " (") + seen + ("）" if lang == "zh" else ")")
    label = policy.field_label(cond.field, lang)
    values = shown_values(frame, cond.field, lang)
    if policy.field_type(cond.field) == "level":
        values = values.map(lambda k: policy.level_titles.get(k, k))
    gap = " " if lang == "en" else ""
    if cond.other:  # the other date (or number) as it stood on the row: 取得证书日期「2024-02-20」后 6 个月
        date_like = policy.field_type(cond.field) == "date"
        ops = {**OPS[lang], **(DATE_OPS[lang] if date_like else {})}
        before, after = ops[cond.op].format(v="\0").split("\0")
        other = shown_values(frame, cond.other, lang)
        asked = before + policy.field_label(cond.other, lang) + "「" + other + "」" + offset_text(cond.offset, lang) + after
        said = label + "「" + values + "」" + gap + asked
        said = said.where(other != "", t["blank"].format(field=policy.field_label(cond.other, lang)))
        return said.where(values != "", t["blank"].format(field=label))
    blank, asked = t["blank"].format(field=label), gap + need(cond, lang, policy)
    # Per distinct value: a condition most rows fail (社区工作者) is said of a quarter of a million rows.
    return _per_value(values, lambda v: f"{label}「{v}」{asked}" if v != "" else blank)


def _award_terms(rule) -> dict[str, object]:
    """The figures an award's reasons quote (empty strings for other rule kinds)."""
    def given(value: object) -> object:
        return "" if value is None else value
    cycle = getattr(rule, "cycle", None)
    per = getattr(rule, "quota_per", None)
    simple = per is not None and not _per_value_text(per)
    return {"first_year": cycle.first_year if cycle else "", "every": cycle.every_years if cycle else "",
            "month": cycle.month if cycle else "",
            "min_years": given(getattr(rule, "min_years", None)), "cycles": given(getattr(rule, "no_repeat_cycles", None)),
            "min_score": given(getattr(rule, "min_score", None)), "quota": getattr(rule, "quota", ""),
            "per_max": per.max if simple else "", "per_zh": _PER[per.field][0] if simple else "",
            "per_en": _PER[per.field][1] if simple else "", "shortlist": _shortlist(rule)}


def _shortlist(rule) -> object:
    """A two-round award's first-round shortlist ('' for others)."""
    source = getattr(rule, "score", None)
    return source.rounds[0].shortlist if source is not None and source.rounds else ""


_PER = {"unit": ("单位", "unit"), "district": ("区县", "district")}


def _per_value_text(per) -> bool:
    """Whether a full quota is said with the value (工作单位「甲」的 2 个名额已满) rather than as 本单位 …:
    places per value, or a field other than unit and district."""
    return per is not None and (per.by_value() or per.field not in _PER)


def _cap_text(rule) -> str:
    cap = getattr(rule, "lifetime_cap", None)
    return plain_yuan(to_fen(cap)) if cap is not None else ""


def rule_since(comp: Computation, rule) -> str:
    return str(rule.since(comp.policy) if hasattr(rule, "since") else comp.policy.in_force_from)


def ineligible_reasons(comp: Computation, lang: str) -> pd.Series:
    """For each row not paid: each rule's title and why it did not pay, joined."""
    t = _TEXT[lang]
    rows = comp.status == INELIGIBLE
    index = comp.roster.frame.index[rows]
    # Rows share a few thousand texts: each row's combination of the rules' reasons is numbered, and
    # each distinct one joined once (one object each, not one a row: some 50 MB less, and no
    # string made per row per rule).
    combined, parts = np.zeros(len(index), dtype=np.int64), []
    for res, text in zip(comp.outcomes, rule_reasons(comp, lang, rows)):
        codes, reasons = pd.factorize(text.fillna("").to_numpy(dtype=object))  # a missing reason is none
        parts.append((res.rule.title, codes, np.asarray(reasons, dtype=object)))
        combined = pair_codes(combined, codes, len(reasons))
    first = np.flatnonzero(first_appearances(combined))
    joined = np.array([t["sep"].join(title + t["colon"] + reasons[codes[i]] for title, codes, reasons in parts
                                     if reasons[codes[i]] != "") for i in first], dtype=object)
    return pd.Series(joined[combined] if len(combined) else joined, index=index, dtype=object)


def line_details(comp: Computation, lang: str) -> pd.Series:
    """How each payment line's amount was reached: '200元 × 12个月（2023-01..2023-12）'. Written once
    per distinct (kind, rate, months, span, qualifying date, amount): lines repeat them."""
    lines = comp.lines
    if lines.empty:
        return pd.Series(dtype=object)
    frame, pos = comp.roster.frame, lines["pos"].to_numpy()
    q = _dates(frame["qualified_on"].iloc[pos], frame["qualified_on_written"].iloc[pos]).to_numpy()
    monthly = lines["kind"].isin(["monthly", "title_allowance"]).to_numpy()
    q[monthly] = ""  # a monthly line's text does not quote the date, nor its amount (rate x months)
    columns = [lines["kind"].astype(str).to_numpy(), lines["rate_fen"].to_numpy(), lines["months"].to_numpy(),
               lines["first_month"].to_numpy(), lines["last_month"].to_numpy(),
               lines["contiguous"].to_numpy(dtype=bool), q, np.where(monthly, 0, lines["amount_fen"].to_numpy()),
               lines["earlier_fen"].to_numpy()]
    codes = np.zeros(len(lines), dtype=np.int64)
    for col in columns:  # one dense code per distinct combination, built a column at a time
        c, uniques = pd.factorize(col)
        codes = pair_codes(codes, c, len(uniques))
    first = np.flatnonzero(first_appearances(codes))
    texts = np.array([_detail(*(col[i] for col in columns), lang) for i in first], dtype=object)
    out = pd.Series(texts[codes], index=lines.index, dtype=object)
    rule_ids, owed = lines["rule_id"].astype(str).to_numpy(), lines["arrears"].to_numpy(dtype=bool)
    capped = lines["capped"].to_numpy(dtype=bool)
    for res in comp.outcomes:  # per rule, and its arrears: the texts only some of its lines need
        for outcome, is_owed in ((res, False), (res.arrears, True)):
            mine = np.flatnonzero((rule_ids == res.rule.id) & (owed == is_owed)) if outcome is not None else []
            if not len(mine):
                continue
            told = np.zeros(len(lines), dtype=bool)  # lines whose text says more than months x rate
            if getattr(res.rule, "yearly_amounts", None) is not None:
                out.iloc[mine] = _title_yearly_texts(res.rule, lines.iloc[mine], lang)
                told[mine] = True
            if outcome.segments:  # paid at more than one rate, or in broken runs: each run of months
                at = mine[np.isin(pos[mine], list(outcome.segments))]
                for k in at:
                    out.iat[k] = _segments_text(outcome.segments[int(pos[k])], lang)
                told[at] = True
            cut = mine[capped[mine]]
            if len(cut):
                out.iloc[cut] = _capped_texts(res.rule, lines.iloc[cut], out.iloc[cut], told[cut], lang)
    for res in comp.outcomes:  # a rule with an amounts table: which entry each line was paid by
        mine = (lines["rule_id"] == res.rule.id).to_numpy()
        if res.table_entry is not None and mine.any():
            said = np.array(table_suffixes(comp.policy, res.rule, lang), dtype=object)
            out[mine] = out[mine] + said[res.table_entry[pos[mine]]]
    return out


def table_suffixes(policy, rule, lang: str) -> list[str]:
    """What a line paid by each amounts-table entry adds to its detail: entry 0 the general rate."""
    t = _TEXT[lang]
    field = policy.field_label(rule.amounts_by.field, lang)
    return [t["by_general"], *(t["by_table"].format(field=field, value=v) for v in rule.amounts_by.values)]


def table_note(policy, rule, cell: str, level: str | None, lang: str) -> str:
    """explain: how a row's cell chose its amounts ('' when the rule has no amounts table)."""
    table = getattr(rule, "amounts_by", None)
    if table is None:
        return ""
    t = _TEXT[lang]
    field = policy.field_label(table.field, lang)
    entry = rule.entry_of(cell)
    if not cell:
        return t["table_blank"].format(field=field)
    if not entry:
        return t["table_miss"].format(field=field, cell=cell)
    value = table.entry(entry)[0]
    key = "table_hit" if level is None or rule.applies(level, entry) else "table_level"
    return t[key].format(field=field, cell=cell, value=value)


def _span(first: int, last: int) -> str:
    return month_label(first) if first == last else f"{month_label(first)}..{month_label(last)}"


def _title_yearly_texts(rule, lines: pd.DataFrame, lang: str) -> pd.Series:
    """A title allowance stated as a yearly amount: 年标准 100000元 × 5/12（2024-08..2024-12）, with
    the rounding said where months x yearly / 12 is not a whole fen. Once per distinct line shape."""
    zh = lang == "zh"
    keys = list(zip(lines["months"].astype(int), lines["first_month"].astype(int), lines["last_month"].astype(int),
                    lines["amount_fen"].astype(int)))
    texts = {}
    for months, first, last, amount in dict.fromkeys(keys):
        yearly = {rule.yearly_on(month_start(m)) for m in range(first, last + 1)}
        span = _span(first, last)
        if len(yearly) == 1:
            y = yearly.pop()
            text = (f"年标准 {plain_yuan(y)}元 × {months}/12（{span}）" if zh
                    else f"{plain_yuan(y)} yuan a year x {months}/12 ({span})")
            exact = y * months % 12 == 0  # else a part of a fen was rounded (a cap is said after)
        else:
            text = (f"按各月的年标准折算 {months} 个月（{span}）" if zh
                    else f"{months} months at each month's yearly amount / 12 ({span})")
            exact = False
        texts[(months, first, last, amount)] = text + (("，按年四舍五入到分" if zh else ", rounded half up to the fen "
                                                        "each year") if not exact else "")
    return pd.Series([texts[k] for k in keys], index=lines.index, dtype=object)


def _capped_texts(rule, lines: pd.DataFrame, base: pd.Series, told: np.ndarray, lang: str) -> pd.Series:
    """A line a lifetime cap cut: how the months (or year) stood, then the cap, what was paid before
    and what is left, which is the amount: 6个月（2024-01..2024-06）；终身上限 10000元，此前已发 9100元，
    本次 900元（已达上限）. Columns at a time."""
    zh = lang == "zh"
    months, first, last = (lines[c].to_numpy(dtype=np.int64) for c in ("months", "first_month", "last_month"))
    kind = lines["kind"].astype(str).to_numpy()
    spans = _per_value(pd.Series(first * 100_000 + last), lambda k: _span(int(k) // 100_000, int(k) % 100_000)).to_numpy()
    years = pd.Series(first // 12).astype(str).to_numpy()
    years = np.where(first // 12 == last // 12, years, years + "—" + pd.Series(last // 12).astype(str).to_numpy())
    if zh:
        head = np.where(kind == "yearly", years + " 年度", pd.Series(months).astype(str).to_numpy() + "个月（" + spans + "）")
    else:
        head = np.where(kind == "yearly", "year " + years, pd.Series(months).astype(str).to_numpy() + " months (" + spans + ")")
    head = np.where(told, base.to_numpy(), head)  # runs at several rates, a yearly amount's fraction
    cap = plain_yuan(to_fen(rule.lifetime_cap))
    earlier = _per_value(lines["earlier_fen"], plain_yuan).to_numpy()
    amount = _per_value(lines["amount_fen"], plain_yuan).to_numpy()
    if zh:
        tail = "；终身上限 " + cap + "元，此前已发 " + earlier + "元，本次 " + amount + "元（已达上限）"
    else:
        tail = "; lifetime cap " + cap + " yuan, " + earlier + " yuan paid before, " + amount + " yuan now (cap reached)"
    return pd.Series(head + tail, index=lines.index, dtype=object)


def _detail(kind: str, rate: int, months: int, first: int, last: int, contiguous: bool, qualified: str,
            amount: int, earlier: int, lang: str) -> str:
    zh = lang == "zh"
    if kind == "one_off":
        day = qualified
        if amount < rate:  # a difference on upgrade, or a lifetime cap, took off what was paid before
            return (f"取证日期 {day}，标准 {plain_yuan(rate)}元，此前已发 {plain_yuan(earlier)}元，本次 {plain_yuan(amount)}元"
                    if zh else f"qualified on {day}, standard {plain_yuan(rate)} yuan, {plain_yuan(earlier)} yuan "
                    f"paid before, {plain_yuan(amount)} yuan now")
        return f"取证日期 {day}，一次性 {plain_yuan(amount)}元" if zh else f"qualified on {day}, one-off {plain_yuan(amount)} yuan"
    if kind == "yearly":
        return (f"{first // 12} 年度 {plain_yuan(amount)}元" if first == last else
                f"{first // 12}—{last // 12} 年度合计 {plain_yuan(amount)}元") if zh else (
                f"year {first // 12}: {plain_yuan(amount)} yuan" if first == last else
                f"years {first // 12}-{last // 12}: {plain_yuan(amount)} yuan")
    if kind == "award":
        year = first // 12
        return f"{year} 年度评选入选，奖励 {plain_yuan(amount)}元" if zh else f"selected in {year}, award {plain_yuan(amount)} yuan"
    span = month_label(first) if first == last else f"{month_label(first)}..{month_label(last)}"
    if rate >= 0 and contiguous:  # monthly lines and title allowances read the same
        return f"{plain_yuan(rate)}元 × {months}个月（{span}）" if zh else f"{plain_yuan(rate)} yuan x {months} months ({span})"
    return (f"{months}个月（{span} 间，按各月所持等级和标准）" if zh
            else f"{months} months (within {span}, at each month's level and rate)")
