"""What a roster must hold: from a policy, or, for `swtalent check` without one, the national rules.

Reading and checking a roster needs only these facts, not the policy itself, so a roster can be
checked before anyone has written the city's policy.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..fields import BASE_REQUIRED, header_key

# The three levels of the national social-work qualification (社会工作者职业水平), lowest first.
NATIONAL_LEVELS = {
    "assistant": ("助理社会工作师", ("初级", "助理社工师", "初级社会工作师", "助理", "初级社工师")),
    "intermediate": ("社会工作师", ("中级", "中级社会工作师", "社工师", "中级社工师")),
    "senior": ("高级社会工作师", ("高级", "高级社工师")),
}


@dataclass(frozen=True)
class RosterNeeds:
    required: tuple[str, ...]  # columns that must be there
    required_values: frozenset[str]  # cells that must hold a usable value, or the row pays nothing
    conditions: frozenset[str]  # fields conditions test: a blank is a warning
    levels: dict[str, tuple[str, tuple[str, ...]]]  # key -> (name, aliases), lowest first
    certificates: bool  # rows are certificates (one per level): level and qualifying date required
    awards: bool  # rows are candidates: one per person, scores must agree
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra header names per field
    watched: tuple[str, ...] = ()  # optional columns whose absence changes who is paid

    @classmethod
    def of(cls, policy, period=None) -> RosterNeeds:
        """What the policy asks of a roster; for a run's period when given (an award's score is
        needed only in a run that selects)."""
        return cls(required=policy.required_fields(period), required_values=policy.required_values(period),
                   conditions=frozenset(policy.fields_used()),
                   levels={k: (lvl.name, tuple(lvl.aliases)) for k, lvl in policy.levels.items()},
                   certificates=policy.pays_certificates(), awards=any(r.kind == "award" for r in policy.rules),
                   aliases={k: tuple(v) for k, v in policy.columns.items()},
                   watched=("hired_on", "left_on") if any(r.kind == "monthly" for r in policy.rules) else ())

    @classmethod
    def national(cls, certificates: bool) -> RosterNeeds:
        """Without a policy: a name and a valid ID on every row, and, on a roster of certificates (one
        with a 证书等级 column), one of the national levels and a qualifying date."""
        values = set(BASE_REQUIRED) | ({"level", "qualified_on"} if certificates else set())
        return cls(required=BASE_REQUIRED, required_values=frozenset(values), conditions=frozenset(),
                   levels=NATIONAL_LEVELS, certificates=certificates, awards=False)

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(self.levels)

    def level_lookup(self) -> dict[str, str]:
        """Every accepted spelling of a level (its key, name and aliases, normalised) -> level key."""
        out: dict[str, str] = {}
        for key, (name, aliases) in self.levels.items():
            for spelling in (key, name, *aliases):
                out.setdefault(header_key(spelling), key)
        return out

    def level_names(self) -> str:
        return "、".join(name for name, _ in self.levels.values())
