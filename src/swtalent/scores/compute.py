"""An award's score from its source: a roster column, service records with points and caps, judges'
marks with the highest and lowest dropped, or weighted parts of these.

Arithmetic is exact (Decimal, and fractions for a mean) and rounded only as the policy states
(`round: {places: 2, mode: half_up}` by default): each part's score is rounded, then the weighted
sum, so that every figure printed on 评选结果 is the figure used and a clerk can recompute the final
score from the sheet with a calculator. A candidate whose score cannot be computed (a mark missing,
twice, out of range, not a number; a record count that is not whole) is a located problem and the
row is held, never ranked on part of its marks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from ..conditions import first_failed
from ..errors import Issue, Location, UsageError, cell_name
from ..policy.model import (
    AwardRule,
    JudgeScores,
    Policy,
    Rounding,
    ScorePart,
    ScoreSource,
)
from .sheet import ScoreCell, ScoreSheet, candidate_key


@dataclass
class Mark:
    judge: str
    value: Decimal | None  # None: stood aside (回避)
    dropped: str = ""  # highest / lowest, when the rule drops it


@dataclass
class RecordPoints:
    field: str
    count: int
    each: Decimal  # points per item
    points: Decimal  # after the cap
    capped: bool


@dataclass
class PartScore:
    """One part of a candidate's score (the whole score when the source has no parts)."""

    name: str
    name_en: str
    kind: str  # column, records or judges
    weight: Decimal | None
    score: Decimal
    marks: list[Mark] = field(default_factory=list)
    records: list[RecordPoints] = field(default_factory=list)
    round: int = 0  # two rounds: 1 or 2


@dataclass
class RuleScores:
    """Per roster row, an award's score (None: no score, not a candidate or held) and its parts."""

    rule: AwardRule
    final: np.ndarray  # object: Decimal or None
    parts: list  # per row: list[PartScore] or None
    judges: dict[str, list[str]]  # part name ('' for a source without parts) -> its judges, in sheet order
    records: list[str]  # the record fields, in policy order
    rounding: Rounding
    # Candidates held for a data problem (a bad mark, a bad roster cell): their places stay open.
    held: np.ndarray | None = None
    # Two rounds: per row "in" (入围), "out" (未入围), "pending" (入围待定) or "" (not in the first
    # round's ranking); None for a source of one round.
    shortlist: np.ndarray | None = None


MODES = ("half_up", "half_even", "down", "up")


def rounded(value: Fraction | Decimal, rule: Rounding) -> Decimal:
    """A non-negative exact value rounded to `places` decimals as `mode` says (no float on the way)."""
    scaled = Fraction(value) * 10 ** rule.places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    rest = Fraction(rest, scaled.denominator)
    if rule.mode == "up":
        whole += rest > 0
    elif rule.mode == "half_up":
        whole += rest >= Fraction(1, 2)
    elif rule.mode == "half_even":
        whole += rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1)
    return Decimal(whole).scaleb(-rule.places)


def trimmed(marks: list[Mark], spec: JudgeScores) -> Fraction:
    """The mean of the marks left after dropping the highest and lowest ones (marking them); among
    equal marks the one listed first is dropped (the value is the same either way)."""
    scored = [m for m in marks if m.value is not None]
    order = sorted(range(len(scored)), key=lambda k: (-scored[k].value, k))
    for k in order[:spec.drop_highest]:
        scored[k].dropped = "highest"
    low = [k for k in sorted(range(len(scored)), key=lambda k: (scored[k].value, k)) if not scored[k].dropped]
    for k in low[:spec.drop_lowest]:
        scored[k].dropped = "lowest"
    kept = [m.value for m in scored if not m.dropped]
    return Fraction(sum(kept, Decimal(0))) / len(kept)


ROUNDS = (("第一轮", "round 1"), ("第二轮", "round 2"))


def score_awards(policy: Policy, roster, period, sheets: dict[str, ScoreSheet] | None,
                 previous: pd.DataFrame | None = None) -> dict[str, RuleScores]:
    """The scores of every award of the run with a score source; their problems are added to the
    roster's, and the rows they concern are held (frame["error"]). `previous`: earlier winners, whom
    a two-round selection's shortlist leaves out where the award bars them."""
    out = {}
    used_sheets: set[str] = set()
    for rule in policy.active_rules(period):
        if isinstance(rule, AwardRule) and rule.score is not None:
            scorer = _Scorer(policy, roster, rule, sheets, used_sheets)
            out[rule.id] = scorer.two_rounds(period, previous) if rule.score.rounds else scorer.run()
    for name in used_sheets:
        roster.issues.extend(sheets[name].issues)
    if used_sheets:  # the workbook's own notes (a hidden sheet), once
        roster.issues.extend(sheets[next(iter(used_sheets))].book_issues)
    return out


class _Scorer:
    def __init__(self, policy: Policy, roster, rule: AwardRule, sheets, used_sheets: set):
        self.policy, self.roster, self.rule, self.sheets, self.used = policy, roster, rule, sheets, used_sheets
        self.frame = roster.frame
        self.n = len(self.frame)
        self.held = np.zeros(self.n, dtype=bool)
        self.issues: list[Issue] = []
        usable = ~self.frame["error"].to_numpy()
        self.eligible = usable & (first_failed(rule.conditions, self.frame) < 0)
        self.every_row_a_candidate = not policy.blank_score_not_candidate()

    def run(self) -> RuleScores:
        source: ScoreSource = self.rule.score
        parts = source.parts or (None,)
        judges: dict[str, list[str]] = {}
        per_part = []
        for part in parts:
            spec = part if part is not None else source
            name = part.name if part is not None else ""
            scores = self._part(spec, name, judges)
            per_part.append((part, scores))
        final = np.full(self.n, None, dtype=object)
        details: list = [None] * self.n
        for i in range(self.n):
            got = [(part, s[i]) for part, s in per_part]
            if self.held[i] or any(s is None for _, s in got):
                continue
            if source.parts:
                total = sum((p.weight * s.score for p, s in got), Decimal(0))
                for p, s in got:
                    s.weight = p.weight
            else:
                total = got[0][1].score
            final[i] = rounded(total, source.round)
            details[i] = [s for _, s in got]
        # A row some part scores and another does not: held, said by the part that lacks it.
        self.roster.issues.extend(self.issues)
        before = self.frame["error"].to_numpy()
        self.frame["error"] = before | self.held
        records = [r.field for p in parts for r in ((p or source).records or ())]
        # A row held before scoring is a candidate on a roster of candidates, or where a part scored it.
        scored = np.array([any(s[i] is not None for _, s in per_part) for i in np.flatnonzero(before)], dtype=bool)
        held = self.held.copy()
        held[np.flatnonzero(before)] = self.every_row_a_candidate | scored
        return RuleScores(self.rule, final, details, judges, list(dict.fromkeys(records)), source.round, held)

    # --- one source ---------------------------------------------------------------------------
    def _part(self, spec: ScorePart | ScoreSource, name: str, judges: dict, wanted: np.ndarray | None = None) -> list:
        """`wanted`: the rows that must have a score (a second round: the shortlist); others are not
        scored, and a judges' mark for one of them is a warning."""
        rounding = self.rule.score.round
        if spec.column is not None:
            got = self._column(spec, name, rounding, wanted)
        elif spec.records is not None:
            got = self._records(spec, name, rounding)
        else:
            got = self._judges(spec.judges, name, rounding, judges, wanted)
        if wanted is not None:
            got = [g if wanted[i] else None for i, g in enumerate(got)]
        return got

    def two_rounds(self, period, previous) -> RuleScores:
        """Round 1 ranks every candidate and shortlists its `shortlist` best; everyone tied with the
        last of them goes through too. Candidates held for a data problem in round 1 may rank
        anywhere once corrected: a candidate whom they could push off the shortlist is 入围待定,
        judged in round 2 but not ranked, its place kept open (RuleScores.held) like theirs. Round 2
        scores only the shortlist (入围 and 入围待定); its score is the final one."""
        from ..engine.award import _people, bars, selection_year

        first, second = self.rule.score.rounds
        judges: dict[str, list[str]] = {}
        before = self.frame["error"].to_numpy().copy()
        one = self._part(first, ROUNDS[0][0], judges)
        # Round 1's held candidates: its data problems, and rows held before scoring that are
        # candidates (a roster of candidates) or that round 1 scored.
        scored1 = np.array([g is not None for g in one], dtype=bool)
        held1 = self.held | (before & (self.every_row_a_candidate | scored1))
        pool = self.eligible & ~self.held & scored1
        year = selection_year(self.rule, period)
        if year is not None:
            too_new, recent, later = bars(self.rule, self.frame, ~before, year, previous)
            pool &= ~(too_new | recent | later)
        stage = np.full(self.n, "", dtype=object)
        stage[pool] = "out"
        waiting = _people(self.frame["person_id"].to_numpy()[held1])
        limit = first.shortlist
        by_score: dict = {}
        for i in np.flatnonzero(pool):
            by_score.setdefault(one[i].score, []).append(i)
        above = 0
        for score in sorted(by_score, reverse=True):
            group = by_score[score]
            if above + waiting < limit:
                stage[group] = "in"
            elif above < limit:
                stage[group] = "pending"
            above += len(group)
        wanted = (stage == "in") | (stage == "pending")
        two = self._part(second, ROUNDS[1][0], judges, wanted)
        final = np.full(self.n, None, dtype=object)
        details: list = [None] * self.n
        for i in range(self.n):
            if one[i] is None:
                continue
            one[i].round = 1
            details[i] = [one[i]]
            if two[i] is not None:
                two[i].round = 2
                details[i].append(two[i])
                if stage[i] == "in" and not self.held[i]:
                    final[i] = two[i].score
        self.roster.issues.extend(self.issues)
        self.frame["error"] = before | self.held
        records = [r.field for spec in (first, second) for r in (spec.records or ())]
        held = self.held | held1 | (stage == "pending")
        return RuleScores(self.rule, final, details, judges, list(dict.fromkeys(records)), self.rule.score.round,
                          held, stage)

    def _label(self, name: str) -> tuple[str, str]:
        for zh, en in ROUNDS if self.rule.score.rounds else ():
            if name == zh:
                return zh, en
        part = next((p for p in self.rule.score.parts or () if p.name == name), None)
        return name, (part.name_en or name) if part is not None else name

    def _where(self, i: int, key: str) -> Location:
        frame = self.frame
        header = self.roster.headers.get(key) or self.policy.field_label(key, "zh")
        return Location(file=self.roster.file, sheet=frame["sheet"].iat[i], row=int(frame["row"].iat[i]), column=header)

    def _column(self, spec, name: str, rounding: Rounding, wanted: np.ndarray | None = None) -> list:
        key = self.policy.score_column(spec.column)
        values = self.frame[f"{key}_exact"].to_numpy()
        out: list = [None] * self.n
        zh, en = self._label(name)
        blank = pd.isna(values).astype(bool)
        if self.every_row_a_candidate and key != "score":  # 评审得分 itself is checked as the roster is read
            for i in np.flatnonzero(blank & (self.eligible if wanted is None else wanted) & ~self.held):
                self.issues.append(Issue.make("roster.number-missing", self._where(i, key),
                                              column=self.policy.field_label(key, "zh")))
                self.held[i] = True
        for i in np.flatnonzero(~blank):
            out[i] = PartScore(zh, en, "column", None, rounded(values[i], rounding))
        return out

    def _records(self, spec, name: str, rounding: Rounding) -> list:
        items = spec.records
        counts = {}
        whole_everywhere = np.ones(self.n, dtype=bool)
        for item in items:
            values = self.frame[f"{item.field}_exact"].to_numpy()
            blank = pd.isna(values).astype(bool)
            exact = np.where(blank, Decimal(0), values)
            whole = np.array([v >= 0 and v == v.to_integral_value() for v in exact], dtype=bool)
            # A count not whole is a problem on its cell, said as the roster is read (needs.counts).
            whole_everywhere &= whole
            counts[item.field] = exact
        out: list = [None] * self.n
        zh, en = self._label(name)
        for i in np.flatnonzero(whole_everywhere):
            got = []
            for item in items:
                count = int(counts[item.field][i])
                points = count * item.points
                capped = item.max is not None and points > item.max
                got.append(RecordPoints(item.field, count, item.points, item.max if capped else points, capped))
            total = sum((r.points for r in got), Decimal(0))
            out[i] = PartScore(zh, en, "records", None, rounded(total, rounding), records=got)
        return out

    def _judges(self, spec: JudgeScores, name: str, rounding: Rounding, judges: dict,
                wanted: np.ndarray | None = None) -> list:
        sheet = self._sheet(spec, name)
        judges[name] = list(sheet.judges)
        rows = self._match(sheet)
        file = sheet.file
        by_candidate: dict[str, list[ScoreCell]] = {}
        for cell in sheet.cells:
            by_candidate.setdefault(cell.candidate, []).append(cell)
        out: list = [None] * self.n
        zh, en = self._label(name)
        scored_rows = set()
        for cand, cells in by_candidate.items():
            i = rows.get(cand)
            if i is None:
                continue
            scored_rows.add(i)
            shown = str(self.frame["name"].iat[i] or cand)  # the candidate by name, even where the sheet keys IDs
            if wanted is not None and not wanted[i]:  # a second round's marks for someone not shortlisted
                self.issues.append(Issue.make("scores.not-shortlisted", Location(
                    file=file, sheet=sheet.name, row=sheet.candidates[cand], column=sheet.key_header,
                    col=sheet.key_col), shown, rule=self.rule.title))
                continue
            bad = False
            seen: dict[str, ScoreCell] = {}
            marks = []
            low, high = spec.range
            # A judge's written marks before any empty cell of theirs: a second, empty column for one
            # judge is nothing written twice (the sort keeps the sheet's order otherwise).
            for cell in sorted(cells, key=lambda c: c.text == ""):
                if cell.judge in seen:
                    if cell.text == "":
                        continue
                    first = seen[cell.judge]
                    self.issues.append(Issue.make("scores.scored-twice", cell.where(file), cell.text, judge=cell.judge,
                                                  candidate=shown, first=cell_name(first.col, first.row)))
                    bad = True
                    continue
                seen[cell.judge] = cell
                if cell.recused:
                    marks.append(Mark(cell.judge, None))
                elif cell.text == "":
                    self.issues.append(Issue.make("scores.judge-missing", cell.where(file), judge=cell.judge,
                                                  candidate=shown))
                    bad = True
                elif cell.value is None:
                    self.issues.append(Issue.make("scores.not-a-number", cell.where(file), cell.text, judge=cell.judge))
                    bad = True
                elif not low <= cell.value <= high:
                    self.issues.append(Issue.make("scores.out-of-range", cell.where(file), _plain(cell.value),
                                                  judge=cell.judge, low=_plain(low), high=_plain(high)))
                    bad = True
                else:
                    marks.append(Mark(cell.judge, cell.value))
            first = Location(file=file, sheet=sheet.name, row=sheet.candidates[cand], column=sheet.key_header,
                             col=sheet.key_col)
            for judge in sheet.judges:  # long layout: a judge with no row for the candidate
                if judge not in seen:
                    self.issues.append(Issue.make("scores.judge-missing", first, judge=judge, candidate=shown))
                    bad = True
            count = sum(m.value is not None for m in marks)
            if not bad and count < max(spec.least, spec.drop_highest + spec.drop_lowest + 1):
                self.issues.append(Issue.make("scores.too-few-judges", first, count=count, min=spec.least,
                                              candidate=shown))
                bad = True
            if bad:
                self.held[i] = True
                continue
            mean = trimmed(marks, spec)
            out[i] = PartScore(zh, en, "judges", None, rounded(mean, rounding), marks=marks)
        missing = (self.eligible if wanted is None else wanted) & ~self.held & ~np.isin(np.arange(self.n),
                                                                                       list(scored_rows))
        if not self.every_row_a_candidate and wanted is None:  # a roster listing others too: a candidate is someone scored somewhere
            others = [p for p in self.rule.score.parts or () if p.name != name]
            missing &= self._scored_elsewhere(others) if others else np.zeros(self.n, dtype=bool)
        for i in np.flatnonzero(missing):
            self.issues.append(Issue.make("scores.candidate-unscored", self._where(i, "name"), self.frame["name"].iat[i],
                                          rule=self.rule.title))
            self.held[i] = True
        return out

    def _scored_elsewhere(self, parts) -> np.ndarray:
        """Rows a judges part of another name scores (rows of a roster that lists others too)."""
        found = np.zeros(self.n, dtype=bool)
        for part in parts:
            if part.judges is not None and self.sheets:
                sheet = self.sheets.get(part.judges.sheet or part.name)
                if sheet is not None:
                    found[list(self._match(sheet, quiet=True).values())] = True
        return found

    def _sheet(self, spec: JudgeScores, name: str) -> ScoreSheet:
        if not self.sheets:
            raise UsageError(f"「{self.rule.title}」的得分来自评委评分表：请用 --scores 给出评分表文件",
                             f"the score of '{self.rule.title}' comes from judges' score sheets: give the file with --scores")
        wanted = spec.sheet or name
        if wanted and wanted in self.sheets:
            sheet = self.sheets[wanted]
        elif (not wanted or (self.rule.score.rounds and not spec.sheet)) and len(self.sheets) == 1:
            # a round's sheet: named as `sheet` says, else 第一轮/第二轮, else the workbook's only one
            sheet = next(iter(self.sheets.values()))
        else:
            from ..errors import SwtalentError

            any_sheet = next(iter(self.sheets.values()))
            raise SwtalentError([Issue.make("scores.sheet-not-found", Location(file=any_sheet.file),
                                            sheet=wanted or "（未指定）", rule=self.rule.title,
                                            sheets="、".join(self.sheets))])
        self.used.add(sheet.name)
        return sheet

    def _match(self, sheet: ScoreSheet, quiet: bool = False) -> dict[str, int]:
        """Each candidate of the sheet -> the roster row it names (the person's first row); the
        others said at the sheet's first row naming them."""
        frame = self.frame
        if sheet.by == "person_id":
            keys = frame["person_id"].astype(str).str.upper()
        else:
            keys = pd.Series([candidate_key(v, "name") for v in frame["name"]], index=frame.index)
        people = pd.DataFrame({"key": keys.to_numpy(), "person": frame["person_id"].to_numpy(),
                               "pos": np.arange(self.n)})
        people = people[people["key"] != ""]
        firsts = people.drop_duplicates("key")
        distinct = people.drop_duplicates(["key", "person"]).groupby("key").size()
        lookup = dict(zip(firsts["key"], firsts["pos"]))
        out = {}
        for cand, row in sheet.candidates.items():
            at = Location(file=sheet.file, sheet=sheet.name, row=row, column=sheet.key_header, col=sheet.key_col)
            if cand in lookup and distinct.get(cand, 1) > 1:
                if not quiet:
                    self.issues.append(Issue.make("scores.candidate-ambiguous", at, cand, count=int(distinct[cand])))
            elif cand in lookup:
                out[cand] = int(lookup[cand])
            elif not quiet:
                self.issues.append(Issue.make("scores.candidate-unknown", at, cand))
        return out


def _plain(value) -> str:
    """A number as a person writes it: 92.5, 90 (no trailing zeros of an exponent form)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text
