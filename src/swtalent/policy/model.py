"""The policy model: typed, frozen, and strict (unknown keys are errors, not ignored).

pydantic does the typing and gives the JSON Schema editors need; loader.py turns its errors
into problems with file:line:column.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from ..money import to_fen
from ..fields import CONDITION_FIELDS, FIELDS, header_key

ConditionField = Literal[CONDITION_FIELDS]  # type: ignore[valid-type]
FieldName = Literal[tuple(FIELDS)]  # type: ignore[valid-type]
MAX_YUAN = "100000000"  # no single amount in a policy reaches 1亿 yuan; beyond it is a typo
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DatedAmount(Strict):
    """An amount in force from a date on, until the next entry's date."""

    from_: date = Field(alias="from")
    value: Decimal = Field(ge=0, le=Decimal(MAX_YUAN), decimal_places=2)

    @property
    def fen(self) -> int:
        return to_fen(self.value)


class LevelDef(Strict):
    name: str
    aliases: tuple[str, ...] = ()


class Condition(Strict):
    """A declarative test on one roster column; no expression is ever evaluated."""

    field: ConditionField
    op: Literal["in", "not_in", "contains_any"]
    values: tuple[str, ...] = Field(min_length=1)


class RuleBase(Strict):
    id: Ident
    title: str
    clause: str = ""
    conditions: tuple[Condition, ...] = ()
    amounts: dict[str, tuple[DatedAmount, ...]]

    def amount_on(self, level: str, day: date) -> int:
        """The amount in force on a day, in fen (0 before the first entry)."""
        fen = 0
        for entry in self.amounts.get(level, ()):
            if entry.from_ <= day:
                fen = entry.fen
        return fen


class OneOffRule(RuleBase):
    kind: Literal["one_off"]
    # Certificates qualifying before this date are not paid (default: the policy's in-force date).
    qualified_from: date | None = None
    # full_amount: an upgrade pays the new level's full amount (no netting of the lower level).
    upgrade: Literal["full_amount"]


class MonthlyRule(RuleBase):
    kind: Literal["monthly"]
    # after_qualifying: paid from the month after the qualifying date (次月起).
    first_month: Literal["after_qualifying", "qualifying_month"]
    # paid: the month a person leaves is paid in full.
    leaving_month: Literal["paid", "not_paid"]
    # in_post: a blank or absent hire date means in post since before the period.
    blank_hire_date: Literal["in_post"]
    # highest_level_held: a person holding several levels is paid the highest held that month.
    rate: Literal["highest_level_held"] = "highest_level_held"


Rule = Annotated[Union[OneOffRule, MonthlyRule], Field(discriminator="kind")]


class Policy(Strict):
    id: Ident
    city: str
    title: str
    source: str = ""
    in_force_from: date
    assumptions: tuple[str, ...] = ()
    # Declared lowest first: the order is the rank used by highest_level_held.
    levels: dict[Ident, LevelDef] = Field(min_length=1)
    # Extra header names for roster fields, e.g. {person_id: [证件号]}.
    columns: dict[FieldName, tuple[str, ...]] = {}
    rules: tuple[Rule, ...] = Field(min_length=1)

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(self.levels)

    def level_lookup(self) -> dict[str, str]:
        """Every accepted spelling of a level (its key, name and aliases, normalised) -> level key."""
        out: dict[str, str] = {}
        for key, lvl in self.levels.items():
            for name in (key, lvl.name, *lvl.aliases):
                out.setdefault(header_key(name), key)
        return out

    def level_names(self) -> str:
        return "、".join(lvl.name for lvl in self.levels.values())

    def fields_used(self) -> set[str]:
        return {c.field for r in self.rules for c in r.conditions}
