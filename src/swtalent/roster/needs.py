"""What a roster must hold: from a policy, or, for `swtalent check` without one, the national rules.

Reading and checking a roster needs only these facts, not the policy itself, so a roster can be
checked before anyone has written the city's policy.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..fields import BASE_REQUIRED, ORG_FIELDS, declared_spec, header_key
from ..policy.describe import condition_rule

# The three levels of the national social-work qualification (社会工作者职业水平), lowest first, with
# the names rosters write them by. A policy's levels keyed assistant / intermediate / senior accept
# these too (see RosterNeeds.level_lookup), so a city's file need not repeat them.
NATIONAL_LEVELS = {
    "assistant": ("助理社会工作师", ("初级", "助理", "初级社会工作师", "助理社工师", "初级社工师", "助理社工",
                                   "初级社工", "助理社会工作者", "初级社会工作者", "助理级", "初级社会工作")),
    "intermediate": ("社会工作师", ("中级", "中级社会工作师", "社工师", "中级社工师", "中级社工", "中级社会工作者",
                                   "中级社会工作")),
    "senior": ("高级社会工作师", ("高级", "高级社工师", "高级社工", "高级社会工作者", "高级社会工作")),
}
# A level as a certificate is named: 助理社会工作师证, 中级证书, 社工师资格.
_CERTIFICATE_WORDS = ("证书", "证", "资格", "资格证", "资格证书", "职业水平证书", "职业资格")


def national_spellings(key: str) -> tuple[str, ...]:
    """The national names of level `key` (none for a key that is not a national level), also as
    written with 证书, 证 or 资格 after them."""
    if key not in NATIONAL_LEVELS:
        return ()
    name, aliases = NATIONAL_LEVELS[key]
    base = (name, *aliases)
    return base + tuple(s + w for s in base for w in _CERTIFICATE_WORDS)


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
    # Award rules selecting in the run that limit nominees per unit (or other value): a unit over
    # its limit is a data problem on each of its nominees' rows (normalise._Checker.nominations).
    nominations: tuple = ()
    # Cells a candidate's row (one with a 评审得分) must hold, where a blank score means "not a
    # candidate" (Policy.candidate_values); a row with no score needs none of them.
    candidate_values: frozenset[str] = frozenset()
    # The policy's own fields (key -> FieldDef), read and typed like the built-in ones.
    declared: dict = field(default_factory=dict)
    # Conditions whose blank cell makes the row a data problem, as (condition, on candidates' rows
    # only), and the policy's checks.
    blank_problems: tuple = ()
    checks: tuple = ()
    # Fields the run's rules read (a cell that does not read as its type is then a problem), those
    # read only by a selecting award where a blank score marks a non-candidate (a problem on
    # candidates' rows only), and each rule's top-level conditions with the fields whose blank
    # fails them (a blank that does is warned of).
    tested: frozenset[str] = frozenset()
    candidate_only: frozenset[str] = frozenset()
    blank_fails: tuple = ()
    # Simple conditions of the run on a date (compared to the day), with their words in zh and en:
    # a date written to the month only must not decide them by guessing the day.
    date_conditions: tuple = ()
    # Declared number fields a selecting award's score counts as service records (来信回复数 …): a
    # cell must be 0 or a whole number, or the row is a problem on that cell.
    counts: frozenset[str] = frozenset()
    # The candidates are organisations (stations, agencies): the key is the unified social credit
    # code, read under the frame's person_id, the name is the organisation's (fields.ORG_FIELDS).
    organisations: bool = False

    @classmethod
    def of(cls, policy, period=None) -> RosterNeeds:
        """What the policy asks of a roster; for a run's period when given (an award's score is
        needed only in a run that selects)."""
        return cls(required=policy.required_fields(period), required_values=policy.required_values(period),
                   conditions=frozenset(k for _, keys in policy.blank_fails(period) for k in keys),
                   levels={k: (lvl.name, tuple(lvl.aliases)) for k, lvl in policy.levels.items()},
                   certificates=policy.pays_certificates(), awards=any(r.kind == "award" for r in policy.rules),
                   aliases={k: tuple(v) for k, v in policy.columns.items()},
                   watched=("hired_on", "left_on") if any(r.kind == "monthly" for r in policy.rules) else (),
                   candidate_values=policy.candidate_values(period), declared=dict(policy.fields),
                   blank_problems=policy.blank_problems(period), checks=policy.checks,
                   nominations=tuple(policy.nomination_limits(period)),
                   tested=frozenset(policy.fields_referenced(period)), candidate_only=policy.candidate_fields(period),
                   blank_fails=tuple(policy.blank_fails(period)),
                   date_conditions=tuple((leaf, condition_rule(leaf, "zh", policy), condition_rule(leaf, "en", policy))
                                         for leaf in policy.leaves(period)
                                         if policy.field_type(leaf.field) == "date"),
                   counts=policy.record_fields(period), organisations=policy.organisations)

    def specs(self) -> dict:
        """The declared fields as the reader and messages see a field (FieldSpec), by key; for
        organisations, their code, name, legal representative and account name in place of a
        person's name and ID (a spec for a built-in key replaces its headers: see reader.read_sheet)."""
        own = {key: declared_spec(key, f.name, f.aliases, f.type, f.name_en) for key, f in self.declared.items()}
        return {**ORG_FIELDS, **own} if self.organisations else own

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
        # Then the national names of the levels the policy has, by key. The policy's own spellings
        # come first and always win: a national name can never give a spelling a second level, so
        # the lookup stays one-to-one (two levels of the policy itself sharing a name is the loader's
        # policy.alias-twice). A national name the policy gives to another level, or one that names
        # two of the policy's levels, is left out rather than guessed.
        national: dict[str, set[str]] = {}
        for key in self.levels:
            for spelling in national_spellings(key):
                national.setdefault(header_key(spelling), set()).add(key)
        for spelling, keys in national.items():
            if spelling not in out and len(keys) == 1:
                out[spelling] = next(iter(keys))
        return out

    def level_names(self) -> str:
        return "、".join(name for name, _ in self.levels.values())
