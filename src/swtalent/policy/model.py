"""The policy model: typed, frozen, and strict (unknown keys are errors, not ignored).

pydantic does the typing (and can give the JSON Schema editors need); loader.py turns its
errors into problems with file:line:column.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, WithJsonSchema

from ..fields import (
    BASE_REQUIRED,
    CONDITION_FIELDS,
    DERIVED,
    FIELDS,
    ORG_FIELDS,
    ORG_ONLY,
    TEXT_FIELDS,
    header_key,
)
from ..money import to_fen

FieldName = Literal[tuple(FIELDS) + ORG_ONLY]  # type: ignore[valid-type]
MAX_YUAN = "100000000"  # no single amount in a policy reaches 1亿 yuan; beyond it is a typo
IDENT_PATTERN = r"^[a-z][a-z0-9_-]*$"  # ids of policies, levels and rules
Ident = Annotated[str, Field(pattern=IDENT_PATTERN)]
# The field an amounts table or a quota is keyed on: a built-in text field (offered by editors) or a
# text or choice field the policy declares.
TextFieldKey = Annotated[str, Field(pattern=IDENT_PATTERN),
                         WithJsonSchema({"anyOf": [{"enum": list(TEXT_FIELDS)}, {"type": "string", "pattern": IDENT_PATTERN}]})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# An amount in yuan: read as an exact decimal; to an editor, a number of at least 0 (the YAML file
# holds numbers, so the string form pydantic also accepts is not offered).
Yuan = Annotated[Decimal, Field(ge=0, le=Decimal(MAX_YUAN), decimal_places=2),
                 WithJsonSchema({"type": "number", "minimum": 0, "maximum": int(MAX_YUAN), "multipleOf": 0.01})]


class DatedAmount(Strict):
    """An amount in force from a date on, until the next entry's date."""

    from_: date = Field(alias="from")
    value: Yuan

    @property
    def fen(self) -> int:
        return to_fen(self.value)


def in_force(entries: tuple[DatedAmount, ...], day: date) -> DatedAmount | None:
    """The entry of a dated list in force on a day (None before the first)."""
    found = None
    for entry in entries:
        if entry.from_ <= day:
            found = entry
    return found


def fen_on(entries: tuple[DatedAmount, ...], day: date) -> int:
    """The amount in force on a day, in fen (0 before the first entry)."""
    entry = in_force(entries, day)
    return entry.fen if entry is not None else 0


class LevelDef(Strict):
    name: str
    aliases: tuple[str, ...] = ()


FieldType = Literal["text", "number", "date", "yes_no", "choice"]


class FieldDef(Strict):
    """A roster column a policy declares for itself (户籍所在地, 社保缴纳月数, 编制 …): read under its
    name or an alias, typed, and then used in conditions, tie-breaks, quotas and amount tables like
    a built-in field. Its cells are checked as the built-in ones are, each problem on its cell."""

    name: str = Field(min_length=1)  # the standard header, also printed in messages
    name_en: str = ""  # how English messages and sheets name it (the name when not given)
    aliases: tuple[str, ...] = ()  # other headers rosters use for it
    type: FieldType = "text"
    # choice: the values a cell may hold, with other spellings ({事业单位: [事业]}); others are a problem.
    values: tuple[str, ...] = ()
    value_aliases: dict[str, tuple[str, ...]] = {}
    # The column must be in the roster (a missing column stops the run, as for 身份证号); what a
    # blank cell means is said by each condition (blank:).
    required: bool = True


# What a condition may compare a cell with: text, a number, a date, or yes/no.
Scalar = Union[bool, date, Decimal, str]
TEXT_OPS = ("in", "not_in", "contains_any", "==", "!=")
ORDER_OPS = ("==", "!=", ">=", ">", "<=", "<", "between")
Op = Literal["in", "not_in", "contains_any", "==", "!=", ">=", ">", "<=", "<", "between"]


class Offset(Strict):
    """A span added to the other date of a comparison: {months: -12} is twelve months before it."""

    months: int = Field(default=0, ge=-1200, le=1200)
    days: int = Field(default=0, ge=-36600, le=36600)


class Condition(Strict):
    """A declarative test on one roster column; no expression is ever evaluated.

    in / not_in / contains_any take `values`; == != >= > <= < take a `value`, or `other` (another
    field of the same row, optionally moved by `offset`); between takes two `values`, both ends in.
    `blank` says what an empty cell means: the condition fails, passes, or the row is a data problem."""

    # A built-in field (offered by editors) or a key of the policy's own fields.
    field: Annotated[str, WithJsonSchema({"anyOf": [{"enum": list(CONDITION_FIELDS)}, {"type": "string", "pattern": IDENT_PATTERN}]})]
    op: Op
    values: tuple[Scalar, ...] = ()
    value: Scalar | None = None
    other: Annotated[str | None, WithJsonSchema({"anyOf": [{"enum": ["qualified_on", "hired_on", "left_on", "score", "years"]},
                                                         {"type": "string", "pattern": IDENT_PATTERN}]})] = None
    offset: Offset | None = None
    # Other spellings rosters use for a value: {社区管理服务: [社区服务, 社区治理]}.
    aliases: dict[str, tuple[str, ...]] = {}
    blank: Literal["fails", "passes", "problem"] = "fails"

    def accepted(self) -> frozenset[str]:
        """Every spelling that counts as one of the values (for in / not_in / ==), normalised as
        roster cells are (NFKC: a full-width （ in the policy matches a half-width ( in the roster)."""
        values = self.values if self.op in ("in", "not_in") else (self.value,)
        spellings = {_text(v) for v in values} | {a for v in values for a in self.aliases.get(_text(v), ())}
        return frozenset(unicodedata.normalize("NFKC", s).strip() for s in spellings)

    def needles(self) -> tuple[str, ...]:
        """The values as contains_any looks for them, and their aliases ({滁州: [琅琊, 南谯]}),
        normalised the same way."""
        words = [_text(v) for v in self.values] + [a for v in self.values for a in self.aliases.get(_text(v), ())]
        return tuple(dict.fromkeys(unicodedata.normalize("NFKC", w).strip() for w in words))

    def leaves(self) -> tuple[Condition, ...]:
        return (self,)


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


class AnyOf(Strict):
    """Holds when at least one of its conditions holds (户籍在本市，或在本市工作)."""

    any: tuple[ConditionTree, ...] = Field(min_length=1)

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for c in self.any for leaf in c.leaves())


class AllOf(Strict):
    """Holds when every one of its conditions holds (inside an any or a not)."""

    all: tuple[ConditionTree, ...] = Field(min_length=1)

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for c in self.all for leaf in c.leaves())


class NotOf(Strict):
    """Holds when its condition does not (未获得过同类奖励)."""

    not_: ConditionTree = Field(alias="not")

    def leaves(self) -> tuple[Condition, ...]:
        return self.not_.leaves()


CONDITION_TAGS = {"any": "any_of", "all": "all_of", "not": "not_of"}


def _fields_in(rules) -> set[str]:
    """Every `field:` and `other:` named under the rules: conditions, tie-breaks, quotas, tables."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("field", "other") and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)
    walk([r.model_dump() for r in rules])
    return found


def _condition_tag(value: object) -> str:
    if isinstance(value, dict):
        for key, tag in CONDITION_TAGS.items():
            if key in value:
                return tag
    elif isinstance(value, BaseModel):
        return {AnyOf: "any_of", AllOf: "all_of", NotOf: "not_of"}.get(type(value), "leaf")
    return "leaf"


ConditionTree = Annotated[Union[Annotated[Condition, Tag("leaf")], Annotated[AnyOf, Tag("any_of")],
                                Annotated[AllOf, Tag("all_of")], Annotated[NotOf, Tag("not_of")]],
                          Discriminator(_condition_tag)]
AnyOf.model_rebuild()
AllOf.model_rebuild()
NotOf.model_rebuild()


class Check(Condition):
    """A condition every row must meet, or the row is a data problem to fix (not "not eligible"):
    the account must be at a named bank. `message` says what is wrong, in the clerk's words."""

    message: str = Field(min_length=1)
    message_en: str = ""


class RuleCommon(Strict):
    id: Ident
    title: str
    clause: str = ""
    conditions: tuple[ConditionTree, ...] = ()

    def condition_leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for c in self.conditions for leaf in c.leaves())


def normal_text(text: str) -> str:
    """A value as roster cells are compared: NFKC (full-width to half-width), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


LevelAmounts = dict[str, Annotated[tuple[DatedAmount, ...], Field(min_length=1)]]


class AmountsBy(Strict):
    """Amounts that differ by the value of one text column within a rule (天长市 pays more than the
    other districts): per value, per level, dated amounts. A row whose value is not in the table,
    or whose level its value's entry leaves out, is paid the rule's own `amounts`."""

    field: TextFieldKey  # a built-in text field (district, unit …) or a text or choice field under fields:
    # value as the roster writes it -> level -> dated amounts; values are compared as roster cells
    # are read (NFKC, trimmed): a full-width （ in the policy matches a half-width ( in the roster.
    values: dict[str, Annotated[LevelAmounts, Field(min_length=1)]] = Field(min_length=1)
    # Other spellings rosters use for a value: {天长市: [天长]}.
    aliases: dict[str, tuple[str, ...]] = {}

    def lookup(self) -> dict[str, int]:
        """Every spelling of a value, normalised, -> the value's entry: 1 for the first value, 2 for
        the second … (0, the rule's own amounts, is never in it)."""
        out: dict[str, int] = {}
        for k, value in enumerate(self.values, start=1):
            for spelling in (value, *self.aliases.get(value, ())):
                out.setdefault(normal_text(spelling), k)
        return out

    def entry(self, k: int) -> tuple[str, LevelAmounts]:
        """The k-th value (1-based) and its amounts by level."""
        value = list(self.values)[k - 1]
        return value, self.values[value]


class RuleBase(RuleCommon):
    """A rule paying an amount by certificate level."""

    amounts: LevelAmounts
    # Amounts that differ by district (or another text column): a table whose entries take the place
    # of `amounts` for the rows they match.
    amounts_by: AmountsBy | None = None

    def entry_of(self, value: str) -> int:
        """The amounts-table entry a (normalised) cell value selects: 0 (the rule's own amounts) when
        the rule has no table or the value is not in it."""
        return self.amounts_by.lookup().get(normal_text(value), 0) if self.amounts_by is not None and value else 0

    def dated(self, level: str, entry: int = 0) -> tuple[DatedAmount, ...]:
        """The dated amounts of a level under a table entry (0: the rule's own), falling back on the
        rule's own where the entry has none for the level."""
        if entry and self.amounts_by is not None:
            own = self.amounts_by.entry(entry)[1]
            if level in own:
                return own[level]
        return self.amounts.get(level, ())

    def applies(self, level: str, entry: int) -> int:
        """The entry whose amount a row of this level and entry is paid: 0 where the entry has no
        amount for the level."""
        return entry if entry and self.amounts_by is not None and level in self.amounts_by.entry(entry)[1] else 0

    def amount_on(self, level: str, day: date, entry: int = 0) -> int:
        """The amount in force on a day, in fen (0 before the first entry), under a table entry."""
        return fen_on(self.dated(level, entry), day)


class OneOffRule(RuleBase):
    kind: Literal["one_off"]
    # Certificates qualifying before this date are not paid (default: the policy's in-force date).
    qualified_from: date | None = None
    # Certificates qualifying after this date are not paid (a window closed at both ends; inclusive).
    qualified_until: date | None = None
    # full_amount: an upgrade pays the new level's full amount (no netting of the lower level);
    # difference: it pays the new amount less what this rule paid the person before (威海);
    # first_only: only the person's first certificate this rule pays is paid, an upgrade nothing
    # (the earliest qualifying date first; on one date, the lower level).
    upgrade: Literal["full_amount", "difference", "first_only"]
    # The most this rule pays one person over all time, earlier payments (--previous) included.
    lifetime_cap: Yuan | None = None

    def since(self, policy: Policy) -> date:
        """The first qualifying date paid: qualified_from, or the policy's in-force date."""
        return self.qualified_from or policy.in_force_from


class MonthlyRule(RuleBase):
    kind: Literal["monthly"]
    # after_qualifying: paid from the month after the qualifying date (次月起).
    first_month: Literal["after_qualifying", "qualifying_month"]
    # paid: the month a person leaves is paid in full.
    leaving_month: Literal["paid", "not_paid"]
    # in_post: a blank or absent hire date means in post since before the period; held: a blank
    # hire date is a data problem (the row is held until it is filled), as a waiting period needs.
    blank_hire_date: Literal["in_post", "held"]
    # highest_level_held: a person holding several levels is paid the highest held that month.
    rate: Literal["highest_level_held"]
    # The most months this rule pays one person over all time, earlier payments (--previous)
    # included (屏南: 3 years in a row, 36).
    max_months: int | None = Field(default=None, ge=1, le=1200)
    # Paid once a year (上杭): each year's months are paid together in the run whose period holds
    # this month of that year; other runs pay nothing for the rule.
    pay_month: int | None = Field(default=None, ge=1, le=12)
    # A person is paid only after this many consecutive months in post within the months paid.
    min_consecutive_months: int | None = Field(default=None, ge=1, le=12)
    # A waiting period: so many months in post before the first month paid, counted from the hire
    # month (hired 2023-03-15, 12: 2023-03..2024-02 wait, 2024-03 is paid) or from the month after
    # it (2023-04..2024-03 wait, 2024-04 is paid). Needs blank_hire_date: held.
    wait_months: int | None = Field(default=None, ge=1, le=120)
    wait_from: Literal["hire_month", "month_after_hire"] | None = None
    # The most this rule pays one person over all time, in yuan, earlier payments (--previous, the
    # ledger) included; the month that reaches it pays what is left.
    lifetime_cap: Yuan | None = None

    def wait_offset(self) -> int:
        """Months from the hire month to the first month paid (0 without a waiting period)."""
        if self.wait_months is None:
            return 0
        return self.wait_months + (1 if self.wait_from == "month_after_hire" else 0)


class YearlyRule(RuleBase):
    """A yearly amount by level (深圳龙华), paid in the run whose period holds `pay_month` of a year,
    to those holding the certificate and in post on that month's first day."""

    kind: Literal["yearly"]
    pay_month: int = Field(default=12, ge=1, le=12)
    # The most years one person is paid, earlier years (--previous, with 年度) included.
    max_years: int | None = Field(default=None, ge=1, le=100)
    # The most this rule pays one person over all time, in yuan, earlier payments included; the
    # year that reaches it pays what is left.
    lifetime_cap: Yuan | None = None


class Cycle(Strict):
    every_years: int = Field(ge=1, le=20)
    first_year: int = Field(ge=1900, le=2200)
    # The month of a selection year in which the selection is made and paid: a run whose period
    # holds that month selects; any other run selects nobody, so monthly runs never pay twice.
    month: int = Field(default=1, ge=1, le=12)

    def selects_in(self, year: int) -> bool:
        return year >= self.first_year and (year - self.first_year) % self.every_years == 0

    def selection_day(self, year: int) -> date:
        return date(year, self.month, 1)


# The built-in fields a tie-break may order by (a policy's own number and date fields too).
TIE_BREAK_FIELDS = ("level", "years", "qualified_on", "hired_on")


class TieBreak(Strict):
    """A key that separates equal scores: desc puts the highest level, the most years, the latest
    date first; asc the lowest, fewest, earliest (取证早者优先: qualified_on, asc)."""

    field: Annotated[str, WithJsonSchema({"anyOf": [{"enum": list(TIE_BREAK_FIELDS)},
                                                    {"type": "string", "pattern": IDENT_PATTERN}]})]
    order: Literal["desc", "asc"] = "desc"


Unlimited = Literal["unlimited"]


class QuotaPer(Strict):
    """At most so many candidates per value of a roster field: one number for every value
    ({field: unit, max: 1}), or a number per value with `others` for the values not listed
    ({field: category, max: {社工站人员: 2, 机构从业人员: 1}, others: 1}; `others: unlimited` leaves
    them unlimited). The field is a text field a condition may test, or one the policy declares."""

    field: TextFieldKey
    max: Union[Annotated[int, Field(ge=1, le=100_000)], dict[str, Annotated[int, Field(ge=0, le=100_000)]]]
    # Required with a mapping under max (no hidden default for a value nobody listed).
    others: Union[Annotated[int, Field(ge=0, le=100_000)], Unlimited, None] = None

    def by_value(self) -> bool:
        return isinstance(self.max, dict)

    def limits(self) -> dict[str, int | None]:
        """The listed values, normalised as roster cells are (NFKC, trimmed) -> places."""
        if not isinstance(self.max, dict):
            return {}
        return {unicodedata.normalize("NFKC", k).strip(): v for k, v in self.max.items()}

    def limit_of(self, value: str) -> int | None:
        """The places for one (normalised) value; None: unlimited."""
        if not isinstance(self.max, dict):
            return self.max
        listed = self.limits()
        if value in listed:
            return listed[value]
        return None if self.others in (None, "unlimited") else int(self.others)


Score = Annotated[Decimal, Field(ge=0, le=Decimal(1_000_000), decimal_places=4)]


class Rounding(Strict):
    """How a score is rounded where it is shown and used: to `places` decimals, half_up (四舍五入),
    half_even (银行家舍入), down (去尾) or up (进一)."""

    places: int = Field(default=2, ge=0, le=4)
    mode: Literal["half_up", "half_even", "down", "up"] = "half_up"


class JudgeScores(Strict):
    """Each judge (评委) scores each candidate on a sheet of the --scores workbook (long: one row per
    judge and candidate; wide: one column per judge). The candidate's score is the mean of the
    scores left after dropping the `drop_highest` highest and `drop_lowest` lowest."""

    sheet: str = ""  # the sheet of the --scores workbook; by default the part's name, or its only sheet
    drop_highest: int = Field(default=0, ge=0, le=5)
    drop_lowest: int = Field(default=0, ge=0, le=5)
    # At least so many judges must score each candidate (回避 does not count); by default one more
    # than the marks dropped.
    min_judges: int | None = Field(default=None, ge=1, le=100)
    range: tuple[Score, Score] = (Decimal(0), Decimal(100))  # a judge's score must lie within, both ends in

    @property
    def least(self) -> int:
        return self.min_judges if self.min_judges is not None else self.drop_highest + self.drop_lowest + 1


class RecordItem(Strict):
    """A service record (来信回复数, 个案结案数 …): its count times `points`, at most `max`."""

    field: Annotated[str, Field(pattern=IDENT_PATTERN)]  # a number field declared under fields:
    points: Annotated[Decimal, Field(gt=0, le=Decimal(1_000_000), decimal_places=4)]
    max: Score | None = None


class ScorePart(Strict):
    """A weighted part of a score (材料评审 60%: weight 0.6), from judges, records or a column."""

    name: str = Field(min_length=1, max_length=31)
    name_en: str = ""
    weight: Annotated[Decimal, Field(gt=0, le=100, decimal_places=4)]
    column: str | None = None
    judges: JudgeScores | None = None
    records: tuple[RecordItem, ...] | None = None


class ScoreRound(Strict):
    """One round of a two-round selection, from one of judges, records or a column; the first
    round says how many candidates go through to the second (`shortlist`, 入围名额)."""

    column: str | None = None
    judges: JudgeScores | None = None
    records: tuple[RecordItem, ...] | None = None
    shortlist: int | None = Field(default=None, ge=1, le=100000)


class ScoreSource(Strict):
    """Where an award's score comes from: one of a roster column (`column`, a field key or its
    header, 评审得分 by default), judges' score sheets (`judges`), service records (`records`),
    weighted parts (`parts`, each one of the others), or two rounds (`rounds`: the first shortlists,
    the second ranks the shortlisted); rounded as `round` says."""

    column: str | None = None
    judges: JudgeScores | None = None
    records: tuple[RecordItem, ...] | None = None
    parts: tuple[ScorePart, ...] | None = None
    rounds: tuple[ScoreRound, ...] | None = None
    round: Rounding = Rounding()


class AwardRule(RuleCommon):
    """Select within a quota by score, every so many years, and pay each selected person once."""

    kind: Literal["award"]
    cycle: Cycle
    quota: int = Field(ge=1)
    amount: tuple[DatedAmount, ...] = Field(min_length=1)
    # score: the committee's score, highest first (the one ranking implemented).
    rank_by: Literal["score"] = "score"
    # Where the score comes from (see ScoreSource); none given: the roster's 评审得分 column as typed.
    score: ScoreSource | None = None
    # Keys that separate equal scores, in order; none given means ties across the quota are pending.
    tie_break: tuple[TieBreak, ...] = ()
    min_score: Score | None = None  # places below it stay vacant
    min_years: Score | None = None  # years in social work
    quota_per: QuotaPer | None = None  # at most so many selected per unit, district or other value
    no_repeat_cycles: int | None = Field(default=None, ge=1, le=20)  # no winning again within N cycles
    no_repeat: Literal["ever"] | None = None  # ever: a winner of any earlier year is never a candidate again
    # At most so many nominees per unit (or other value): a unit nominating more is a data problem
    # on each of its rows, all held until the unit or the committee withdraws the extra ones.
    nominations_per: QuotaPer | None = None

    def barred_since(self, year: int) -> int | None:
        """The first selection year whose winners may not be candidates in `year` (None: no bar)."""
        if self.no_repeat == "ever":
            return 0
        if self.no_repeat_cycles:
            return year - self.no_repeat_cycles * self.cycle.every_years
        return None

    def selects_between(self, first: int, last: int) -> bool:
        """Whether a selection month falls between two month indices (inclusive)."""
        return any(self.cycle.selects_in(y) and first <= y * 12 + self.cycle.month - 1 <= last
                   for y in range(first // 12, last // 12 + 1))

    def amount_in(self, year: int) -> int:
        """The amount in force on the selection day of the year, in fen."""
        return fen_on(self.amount, self.cycle.selection_day(year))


class TitleAllowanceRule(RuleCommon):
    """An amount to the holders of an award's title during its term, paid in one lump each year
    (济南 "海右"): winners of the award rule `award` selected in this run or, from --previous, in
    earlier ones. The amount is monthly (`amounts`) or yearly (`yearly_amounts`), one of the two."""

    kind: Literal["title_allowance"]
    award: Ident  # the id of an award rule of this policy
    term_years: int = Field(ge=1, le=20)  # the term starts in the selection month
    pay_month: int = Field(default=12, ge=1, le=12)  # each year's months are paid in this month
    amounts: Annotated[tuple[DatedAmount, ...], Field(min_length=1)] | None = None  # monthly, dated
    # Yearly, dated (100000 a year is no whole-fen monthly rate): a calendar year holding m months
    # of the term pays the sum of the months' yearly amounts / 12, rounded as part_year says.
    yearly_amounts: Annotated[tuple[DatedAmount, ...], Field(min_length=1)] | None = None
    # pro_rata_half_up: yearly x months / 12, rounded half up to the fen (四舍五入到分) once per
    # calendar year; a whole year of the term pays the yearly amount exactly.
    part_year: Literal["pro_rata_half_up"] | None = None
    # The most this rule pays one person over all time, in yuan, earlier payments included.
    lifetime_cap: Yuan | None = None

    def dated(self) -> tuple[DatedAmount, ...]:
        """The dated amounts the rule states, monthly or yearly."""
        return self.amounts if self.amounts is not None else (self.yearly_amounts or ())

    def monthly_on(self, day: date) -> int:
        return fen_on(self.amounts or (), day)

    def yearly_on(self, day: date) -> int:
        return fen_on(self.yearly_amounts or (), day)


Rule = Annotated[Union[OneOffRule, MonthlyRule, YearlyRule, AwardRule, TitleAllowanceRule], Field(discriminator="kind")]


class Notice(Strict):
    """公示名单: the ID numbers show only their first and last characters. The eight birth-date digits
    (7th to 14th) are always hidden, so at most 6 leading and 4 trailing characters may show.

    The printed list says who publishes it (`issuer`, by default the city's 民政局), how long it is
    posted (`period_days`, counted from compute's --notice-from), and where an objection goes
    (`objections_to`, by default the issuer; `contact`, a telephone or an address)."""

    keep_first: int = Field(default=4, ge=0, le=6)
    keep_last: int = Field(default=4, ge=0, le=4)
    mask: str = Field(default="*", min_length=1, max_length=1)
    issuer: str = Field(default="", max_length=60)
    period_days: int | None = Field(default=None, ge=1, le=90)
    objections_to: str = Field(default="", max_length=60)
    contact: str = Field(default="", max_length=100)


# The largest amount of each kind of rule that `validate` takes without a warning: beyond it an amount
# is most likely a typo (an extra 0). Ten times the largest shipped amount (one-off 5000, monthly 1000,
# award 10000), five times for yearly (龙华 20000); a policy paying more raises it under plausible_max.
PLAUSIBLE_MAX = {"one_off": 50_000, "monthly": 10_000, "yearly": 100_000, "award": 100_000, "title_allowance": 10_000}


def _plausible(kind: str):
    return Field(default=Decimal(PLAUSIBLE_MAX[kind]), json_schema_extra={"default": PLAUSIBLE_MAX[kind]})


class PlausibleMax(Strict):
    """Per kind of rule, the largest amount that validates without a warning (title_allowance: per month).
    A one_off rule's lifetime_cap is held to the one_off bound."""

    one_off: Yuan = _plausible("one_off")
    monthly: Yuan = _plausible("monthly")
    yearly: Yuan = _plausible("yearly")
    award: Yuan = _plausible("award")
    title_allowance: Yuan = _plausible("title_allowance")


class Policy(Strict):
    # levels is required of a policy for people (loader._check_candidates); an editor says so too.
    model_config = ConfigDict(**Strict.model_config, json_schema_extra={
        "if": {"properties": {"candidates": {"const": "organisations"}}, "required": ["candidates"]},
        "else": {"required": ["levels"]}})

    id: Ident
    city: str
    # The order of 区县 on lists and charts for the names the region-code table does not know under
    # `city` (开发区, 市直, a county's towns); the names it knows come first, in code order.
    districts: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    title: str
    source: str = ""
    in_force_from: date
    assumptions: tuple[str, ...] = ()
    # Who the roster lists: people (the key is the resident ID number), or organisations — stations
    # and agencies, keyed by the unified social credit code, paid to an account in their name. One
    # kind per policy file: a roster has one key, and only awards are paid to organisations.
    candidates: Literal["people", "organisations"] = "people"
    # Declared lowest first: the order is the rank used by highest_level_held. Required of a
    # policy for people (loader.check_meaning); an organisations' policy has none.
    levels: dict[Ident, LevelDef] = Field(default={}, json_schema_extra={"additionalProperties": False})
    # Extra header names for roster fields, e.g. {person_id: [证件号]}.
    columns: dict[FieldName, tuple[str, ...]] = {}
    # Roster columns this policy declares for itself, by key (hukou: {name: 户籍所在地, …}).
    fields: dict[Ident, FieldDef] = Field(default={}, json_schema_extra={"additionalProperties": False})
    # Conditions every row must meet, or the row is a data problem (the account at a named bank).
    checks: tuple[Check, ...] = ()
    notice: Notice = Notice()
    # Raises (or lowers) the bound above which an amount is warned of as implausible, per kind of rule.
    plausible_max: PlausibleMax = Field(default_factory=PlausibleMax)  # a factory, so the schema shows no '50000'
    rules: tuple[Rule, ...] = Field(min_length=1)

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(self.levels)

    def as_of(self, day: date) -> Policy:
        """The policy as it stood on a day: every dated amount frozen at the value in force then
        (0 where none was yet), for every month. `swtalent diff --as-of` compares two such versions."""
        def frozen(entries: tuple[DatedAmount, ...]) -> tuple[DatedAmount, ...]:
            entry = in_force(entries, day)
            return (entries[0].model_copy(update={"value": entry.value if entry is not None else Decimal(0)}),)

        def by_level(amounts: dict) -> dict:
            return {k: frozen(v) for k, v in amounts.items()}

        def version(rule):
            if isinstance(rule, AwardRule):
                return rule.model_copy(update={"amount": frozen(rule.amount)})
            if isinstance(rule, TitleAllowanceRule):
                key = "amounts" if rule.amounts is not None else "yearly_amounts"
                return rule.model_copy(update={key: frozen(rule.dated())})
            table = rule.amounts_by
            if table is not None:
                table = table.model_copy(update={"values": {v: by_level(a) for v, a in table.values.items()}})
            return rule.model_copy(update={"amounts": by_level(rule.amounts), "amounts_by": table})
        rules = tuple(version(r) for r in self.rules)
        return self.model_copy(update={"rules": rules})

    @property
    def level_titles(self) -> dict[str, str]:
        """Level key -> the name printed on sheets (助理社会工作师 …)."""
        return {key: level.name for key, level in self.levels.items()}

    def history_rules(self) -> list:
        """The rules that depend on what was paid before, or who won before (a --previous file)."""
        return [r for r in self.rules if getattr(r, "no_repeat_cycles", None) or getattr(r, "no_repeat", None)
                or getattr(r, "lifetime_cap", None) is not None
                or getattr(r, "upgrade", "") in ("difference", "first_only") or getattr(r, "max_months", None)
                or getattr(r, "max_years", None) or r.kind == "title_allowance"]

    def uses_history(self) -> bool:
        return bool(self.history_rules())

    def needs_history_years(self) -> bool:
        """Whether the history must say the year of each row (an award barring recent winners, a
        yearly amount paid for at most so many years)."""
        return any(getattr(r, "no_repeat_cycles", None) or getattr(r, "no_repeat", None)
                   or getattr(r, "max_years", None) or r.kind == "title_allowance" for r in self.rules)

    def leaves(self, period=None) -> tuple[Condition, ...]:
        """Every simple condition of the policy: in rules (inside any / all / not too) and checks;
        with a period, only the rules that apply in it (an award only when it selects)."""
        return tuple(leaf for r in self.active_rules(period) for leaf in r.condition_leaves()) + self.checks

    def active_rules(self, period=None) -> list:
        """The rules a run of the period applies: every rule but an award that does not select in it
        (all of them without a period: a check of the roster)."""
        selecting = self._selecting(period)
        return [r for r in self.rules if not isinstance(r, AwardRule) or r in selecting]

    def candidate_fields(self, period=None) -> frozenset[str]:
        """Fields only the selecting awards read, where a blank score marks a row that is not a
        candidate: their cells matter on candidates' rows only (a title holder's row may leave them)."""
        if not self.blank_score_not_candidate():
            return frozenset()
        award = set().union(*(_fields_in([r]) for r in self._selecting(period)))
        others = _fields_in([r for r in self.rules if not isinstance(r, AwardRule)]) | \
            {f for c in self.checks for f in (c.field, c.other) if f}
        return frozenset(award - others)

    def blank_fails(self, period=None) -> list[tuple]:
        """Each top-level condition of the run's rules with the fields whose blank cell makes it fail
        (so that a row may go unpaid for it): a simple condition with blank: fails, or one with blank:
        passes under a not. A blank inside a not with blank: fails lets the row through (nothing to
        exclude), and is not listed."""
        out = []

        def walk(cond, negated: bool, found: set) -> None:
            if isinstance(cond, (AnyOf, AllOf)):
                for c in (cond.any if isinstance(cond, AnyOf) else cond.all):
                    walk(c, negated, found)
            elif isinstance(cond, NotOf):
                walk(cond.not_, not negated, found)
            elif (cond.blank == "fails") != negated and cond.blank != "problem":
                found.add(cond.field)
        for rule in self.active_rules(period):
            for cond in rule.conditions:
                found: set[str] = set()
                walk(cond, False, found)
                if found:
                    out.append((cond, tuple(sorted(found))))
        return out

    def blank_problems(self, period=None) -> tuple:
        """The simple conditions of the run whose blank cell is a data problem (blank: problem), each
        with whether it holds candidates' rows only (an award's, where a blank score marks a row
        that is not a candidate)."""
        only = self.blank_score_not_candidate()
        return tuple((leaf, only and isinstance(rule, AwardRule)) for rule in self.active_rules(period)
                     for leaf in rule.condition_leaves() if leaf.blank == "problem") + \
            tuple((c, False) for c in self.checks if c.blank == "problem")

    def fields_used(self, period=None) -> set[str]:
        """The roster fields the policy's conditions and checks read (the other date of a comparison too)."""
        return {f for c in self.leaves(period) for f in (c.field, c.other) if f}

    def fields_referenced(self, period=None) -> set[str]:
        """Every field the policy names anywhere: conditions and checks, and a rule's tie-break,
        quota or amount table (any `field:` or `other:` under a rule); with a period, in the rules
        that apply in it."""
        return self.fields_used(period) | _fields_in(self.active_rules(period)) | {
            f for r in self.active_rules(period) if isinstance(r, AwardRule) for f in self.score_fields(r)}

    def field_type(self, key: str) -> str | None:
        """text, number, date, yes_no, choice or level; None for a field no condition may test."""
        declared = self.fields.get(key)
        return declared.type if declared is not None else CONDITION_FIELDS.get(key)

    @property
    def organisations(self) -> bool:
        """Whether the candidates are organisations (see `candidates`)."""
        return self.candidates == "organisations"

    def field_label(self, key: str, lang: str) -> str:
        """A field as messages and sheets name it: a declared field by its name, a built-in one by its
        header (an organisation's where the candidates are organisations: 统一社会信用代码, 机构名称)."""
        declared = self.fields.get(key)
        if declared is not None:
            return declared.name_en or declared.name if lang == "en" else declared.name
        if self.organisations and key in ORG_FIELDS:
            return ORG_FIELDS[key].label(lang)
        return FIELDS[key].label(lang) if key in FIELDS else key


    def text_fields(self) -> tuple[str, ...]:
        """The text columns rules may key on (an amounts table's field): the built-in ones (区县,
        工作单位 …) and the policy's own fields of type text or choice."""
        declared = tuple(k for k, f in (self.fields or {}).items() if f.type in ("text", "choice"))
        return TEXT_FIELDS + tuple(k for k in declared if k not in TEXT_FIELDS)

    def table_fields(self) -> set[str]:
        """The columns the rules' amounts tables (amounts_by) read."""
        return {r.amounts_by.field for r in self.rules if getattr(r, "amounts_by", None) is not None}

    def pays_certificates(self) -> bool:
        """Whether a rule pays by certificate (so level and qualifying date are required)."""
        return any(r.kind in ("one_off", "monthly", "yearly") for r in self.rules)

    def holds_blank_hire_dates(self) -> bool:
        """Whether a blank hire date is a data problem (a monthly rule with blank_hire_date: held)."""
        return any(getattr(r, "blank_hire_date", "") == "held" for r in self.rules)

    def nomination_limits(self, period=None) -> list[AwardRule]:
        """The award rules selecting in the period that limit nominees per unit (or other value)."""
        return [r for r in self._selecting(period) if r.nominations_per is not None]

    def _selecting(self, period) -> list[AwardRule]:
        """The award rules that select in the period (all of them when no period is given: a check)."""
        return [r for r in self.rules if isinstance(r, AwardRule)
                and (period is None or r.selects_between(period.first, period.last))]

    def required_fields(self, period=None) -> tuple[str, ...]:
        """The roster columns a run needs; an award's score and the like only in a run that selects
        (a 济南 payment run in a year without a selection lists the title holders, not scores)."""
        needed = list(BASE_REQUIRED)
        if self.pays_certificates():
            needed += ["level", "qualified_on"]
        if self.holds_blank_hire_dates():
            needed += ["hired_on"]
        for rule in self._selecting(period):
            needed += self._award_values(rule)
            needed += [t.field for t in rule.tie_break]  # the column must exist; blanks do not separate
        optional = {k for k, f in self.fields.items() if not f.required}
        needed += sorted(self.fields_used(period) - optional - DERIVED)
        # A declared field is required where a rule of the run (or a check) reads it.
        referenced = self.fields_referenced(period)
        needed += [k for k, f in self.fields.items() if f.required and k in referenced]
        # A table's column must be there (a blank cell is paid the rule's own amounts): without it
        # every row would be paid the general amount without a word.
        needed += sorted(self.table_fields())
        return tuple(dict.fromkeys(needed))

    def required_values(self, period=None) -> frozenset[str]:
        """Fields whose cells must hold a usable value, or the row pays nothing. An award's values
        (score; years under min_years; the quota_per field) are among them only where every row is
        a candidate; otherwise see candidate_values."""
        needed = set(BASE_REQUIRED)
        if self.pays_certificates():
            needed |= {"level", "qualified_on"}
        if self.holds_blank_hire_dates():
            needed.add("hired_on")
        if not self.blank_score_not_candidate():
            for rule in self._selecting(period):
                needed |= set(self._award_values(rule))
        return frozenset(needed)

    def blank_score_not_candidate(self) -> bool:
        """Whether a blank 评审得分 marks a row that is not a candidate. So when a rule other than an
        award pays rows (a title allowance to earlier winners, a certificate allowance): the roster
        then lists people besides the candidates, such as the holders of a title won in an earlier
        cycle, and they are not ranked. A policy of awards only has a candidate list for a roster,
        on which a blank score is a score missing, a problem on its cell."""
        return any(not isinstance(r, AwardRule) for r in self.rules)

    def candidate_values(self, period=None) -> frozenset[str]:
        """Fields a candidate's row (one with a 评审得分) must hold in a run that selects, where a
        blank score marks a row that is not a candidate (blank_score_not_candidate): the score
        itself, years under min_years, the quota_per field. Empty otherwise."""
        if not self.blank_score_not_candidate():
            return frozenset()
        return frozenset(v for rule in self._selecting(period) for v in self._award_values(rule))

    def score_column(self, name: str) -> str | None:
        """The number field a score source's `column:` names: a field key (score, or a number field
        under fields:), or its header as a roster writes it (评审得分, 综合得分 …); None if none."""
        if name == "score" or (name in self.fields and self.fields[name].type == "number"):
            return name
        norm = header_key(name)
        if norm in {header_key(a) for a in (FIELDS["score"].zh, *FIELDS["score"].aliases, *self.columns.get("score", ()))}:
            return "score"
        for key, spec in self.fields.items():
            if spec.type == "number" and norm in {header_key(a) for a in (spec.name, *spec.aliases)}:
                return key
        return None

    def score_fields(self, rule: AwardRule) -> list[str]:
        """The roster number fields an award's score reads: 评审得分 without a score source, a
        column's field, each record's field."""
        source = rule.score
        if source is None:
            return ["score"]
        found: list[str] = []
        for part in (source.parts or source.rounds or (source,)):
            if part.column is not None:
                key = self.score_column(part.column)
                found += [key] if key is not None else []
            found += [r.field for r in part.records or ()]
        return list(dict.fromkeys(found))

    def record_fields(self, period=None) -> frozenset[str]:
        """The fields the selecting awards' scores count as service records (whole counts)."""
        return frozenset(r.field for rule in self._selecting(period) if rule.score is not None
                         for part in (rule.score.parts or rule.score.rounds or (rule.score,)) for r in part.records or ())

    def _award_values(self, rule: AwardRule) -> list[str]:
        return [*self.score_fields(rule), *(["years"] if rule.min_years is not None else []),
                *([rule.quota_per.field] if rule.quota_per is not None else []),
                *([rule.nominations_per.field] if rule.nominations_per is not None else [])]
