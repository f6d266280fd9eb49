"""Turn raw cells into typed columns and report every row problem with its cell.

A row with an error-severity problem pays nothing. A warning does not by itself hold a row back
(a blank value can still leave a condition unmet).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from ..conditions import blank_column, first_failed, holds, test, text_blank
from ..errors import CATALOGUE, Issue, Location, SwtalentError
from ..fields import ORG_ONLY, header_key
from ..safety import (  # the pattern the notice masks with
    PUBLISHED_TEXT,
    has_personal_number,
)
from .cells import Column, ascii_alnum, cell_text, first_appearances, is_number, number_text
from .codes import check_codes
from .dates import birth_prefixes, month_only, parse_dates
from .ids import IdFindings, check_ids
from .needs import RosterNeeds
from .reader import RawSheet

_OPTIONAL_TEXT = ("district", "unit", "category", "exam_place", "service_field", "bank_branch", "review")
_NUMBERS = ("score", "years")
# The fields read here; others the reader recognises (序号, 证书编号) are carried by no output and
# nothing in them (an error cell, a stray value) decides anything.
_USED = frozenset({"name", "person_id", "level", "qualified_on", "hired_on", "left_on", "bank_account",
                   "gender", "birth_date", *_OPTIONAL_TEXT, *_NUMBERS})
# Facts about a person rather than a certificate: all of a person's rows must agree on them. A bank
# account may be left blank on a person's later rows, but two different accounts cannot both be paid.
_PERSON_FACTS = ("name", "category", "hired_on", "left_on", "bank_account")
# 离职日期 written as "still here": read as blank, which is what it means.
_STILL_IN_POST = frozenset({"至今", "在职", "无", "否", "未离职", "-", "—", "/", "－"})
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
# A totals line (合计, 南谯区小计, 总计：35人 …): its label, in any cell, after spaces are removed. A row
# with an ID in it is a person whatever it says, so a name that happens to match is safe.
_TOTAL = re.compile(r".{0,12}?(合计|小计|总计|共计|累计)([:：（(].*|\d.*)?")
_TOTAL_WORD = re.compile("合计|小计|总计|共计|累计")
_TOTAL_LABELLED = ("seq", "name", "person_id", "district", "unit")  # where such a label is written
# A sign-off or note line under the roster (制表人：张三　审核人：李四　日期：2024.1.8, 单位（盖章）, 注：…),
# as cell text with blanks removed and NFKC applied (so ：is : and （）are ()). See _Checker._not_people.
_SIGNOFF_LABELS = ("注意事项|制表人|制表|填表人|填表|填报人|报送人|审核人|审核|复核人|复核|审批人|审批|核对人|校对人|"
                   "单位负责人|主要负责人|负责人|分管领导|分管负责人|领导签字|领导签名|签字|签名|经办人|经办|联系人|"
                   "联系电话|联系方式|电话|手机号码|手机|填报日期|填表日期|制表日期|报送日期|日期|填报时间|"
                   "填表说明|说明|备注|附注|注意|注|填报单位\\(盖章\\)|报送单位\\(盖章\\)|单位\\(盖章\\)|"
                   "填报单位|报送单位|单位盖章|\\(盖章\\)|盖章|\\(公章\\)|公章")
# A cell that is a label: with its value after a colon (注1: also), or the label alone (盖章, 制表人:),
# whose value may then be the next cell.
_SIGNOFF_LEAD = re.compile(rf"(?:{_SIGNOFF_LABELS})(?:\d{{0,2}}:.*|:?)")
_SIGNOFF_BARE = re.compile(rf"(?:{_SIGNOFF_LABELS}):?")
_SIGNOFF_FIRST = frozenset("制填报审复核校单主负分领签经联电手日备说附注盖公(")
# A date or a phone number on its own (2024.1.8, 2024年1月8日, 0550-1234567): at least four digits.
_DATE_OR_PHONE = re.compile(r"(?=(?:\D*\d){4})[\d.\-/年月日号:()+]+")
_ID_LIKE = re.compile(r"\d{15}")
# What a label's first character may be, as typed (full-width brackets before NFKC too).
_SIGNOFF_OPENERS = _SIGNOFF_FIRST | {"（"}
_SIGNOFF_START = re.compile("\0\\s*[" + re.escape("".join(sorted(_SIGNOFF_OPENERS))) + "]")
# An ID that Excel turned into a number and a CSV export wrote back as text: 3.41102E+17.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
EXCEL_CELL_CHARS = 32767  # the most an Excel cell holds
_EARLIEST = {"qualified_on": np.datetime64("2008-01-01", "s"), "hired_on": np.datetime64("1970-01-01", "s"),
             "left_on": np.datetime64("1970-01-01", "s")}
_EARLIEST_DECLARED = np.datetime64("1900-01-01", "s")  # a date a policy's own field holds (申请日期, 注册日期)
# yes/no as rosters write it: 是/否, 有/无, Y/N, √/×, 1/0, and the common words in between.
_YES_NO = {**dict.fromkeys(("是", "有", "Y", "YES", "TRUE", "√", "✓", "✔", "1", "对", "在编", "已获得", "已获"), 1),
           **dict.fromkeys(("否", "无", "没有", "N", "NO", "FALSE", "×", "✗", "✘", "0", "不是", "未获得", "未获", "不在编",
                            "非在编", "编外"), 0)}
_GENDERS = {"男": 1, "男性": 1, "M": 1, "MALE": 1, "女": 0, "女性": 0, "F": 0, "FEMALE": 0}


@dataclass
class Roster:
    """The roster as typed columns, one row per data row of the sheet, in sheet order."""

    file: str
    sheets: list[str]  # the sheets read, in order ('' for a CSV file); frame["sheet"] holds each row's
    frame: pd.DataFrame
    headers: dict[str, str]  # field key -> header as written, for locations and output
    issues: list[Issue] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        return "、".join(self.sheets)


def normalise(raw: RawSheet, needs: RosterNeeds) -> Roster:
    check = _Checker(raw, frozenset(needs.declared) | (frozenset(ORG_ONLY) if needs.organisations else frozenset()))
    frame = check.frame
    check.row_width()
    check.unclosed_quotes()
    check.long_cells()
    check.texts(needs)
    if needs.organisations:  # an organisation's code, name, legal representative and account name
        frame["person_id"] = check.codes()
        check.organisation_texts()
    else:
        frame["person_id"] = check.ids()
        check.birth_dates()
    # Each row's person as a number (equal IDs, equal numbers; -1 for none), found once here: the
    # checks of a person's rows and the rules that pay a person once a month both group by it.
    frame["person"] = check.persons(frame["person_id"].to_numpy())
    frame["level"] = check.levels(needs)
    check.dates(needs)
    if not needs.organisations:
        check.person_details()
    check.numbers(needs)
    check.declared(needs)
    check.group_values(needs)
    check.bank_account()
    check.personal_numbers()
    check.error_cells()
    check.blank_conditions(needs)
    check.imprecise_dates(needs)
    check.policy_checks(needs)
    check.hidden_rows()
    check.duplicates(needs)
    check.person_conflicts(needs)
    check.nominations(needs)
    frame["error"] = check.error
    raw = check.raw
    sheet_order = {p.name: k for k, p in enumerate(raw.parts)}
    # A row wider than its header has its values under the wrong headers: only that is said of it.
    shifted = {(raw.parts[raw.part[i]].name, int(raw.excel_rows[i])) for i in np.flatnonzero(raw.overflow)}
    found = [i for i in check.issues if i.code == "roster.row-width"
             or (i.location.sheet, i.location.row) not in shifted]
    issues = list(raw.issues) + sorted(found, key=lambda i: (
        sheet_order.get(i.location.sheet, 0), i.location.row or 0, i.location.col or 0, i.code))
    headers = {key: raw.header(key) for key in raw.columns}
    return Roster(raw.file, [p.name for p in raw.parts], frame, headers, issues)


class _Checker:
    """Holds the sheet, the columns as they are typed, the problems found and the rows in error."""

    def __init__(self, raw: RawSheet, declared: frozenset[str] = frozenset()):
        used = _USED | declared  # a policy's own fields are read like the built-in ones
        self._columns = {key: Column(raw.cells[:, j]) for key, j in raw.columns.items() if key in used}
        self.issues: list[Issue] = []
        keep = ~self._not_people(raw)
        if not keep.all():
            raw = raw.subset(keep)
            self._columns = {key: col.subset(keep) for key, col in self._columns.items()}
        if len(raw.cells) == 0:
            raise SwtalentError([Issue.make("roster.no-rows", Location(file=raw.file, sheet=raw.sheet))])
        self.raw = raw
        self.n = len(raw.cells)
        self.error = np.zeros(self.n, dtype=bool)
        self.date_cells: dict[str, tuple] = {}  # date field -> (its Column, the dates read)
        self.id_findings: IdFindings | None = None  # once ids() has checked them
        names = np.array([p.name for p in raw.parts], dtype=object)
        self.frame = pd.DataFrame({"row": raw.excel_rows, "sheet": names[raw.part]})

    def _not_people(self, raw: RawSheet) -> np.ndarray:
        """Rows that are not people are not data rows and are not counted: totals lines (合计, 小计 …
        with no ID in them), sign-off and note lines (制表人：…　审核人：…　日期：…, 注：…; see
        _signoff), and rows with nothing in any column we use (blank rows, rows of spaces, a lone
        序号). Those holding something are said, as a warning, so that nothing leaves the count unseen."""
        blank = np.ones(len(raw.cells), dtype=bool)
        for col in self._columns.values():
            blank &= col.is_blank()
        for i, _key in raw.errors:
            blank[i] = False  # an error cell is a value we cannot see, not a blank
        total = np.zeros(len(raw.cells), dtype=bool)
        lead = np.zeros(len(raw.cells), dtype=bool)  # a mapped cell that starts with a sign-off label
        for key in raw.columns:
            if key in self._columns and self._columns[key].letters_and_digits():
                continue  # no label is written in ASCII letters and digits alone (its texts are known)
            col = self._columns.get(key) or Column(raw.cells[:, raw.columns[key]])
            try:  # the column's distinct values joined, once: most columns are all text
                joined = "\0".join(col.uniques[:-1])  # (the last is the missing cell's None)
            except TypeError:
                joined = "\0".join([u for u in col.uniques if type(u) is str])
            if key in _TOTAL_LABELLED and "计" in joined:  # one search: most hold no such label
                labels = np.array([type(u) is str and "计" in u and bool(_TOTAL.fullmatch("".join(cell_text(u).split())))
                                   for u in col.uniques], dtype=bool)
                total |= labels[col.codes]
            # One search over the column's values first: most columns (IDs, dates, accounts) hold no
            # value that starts like a label, and are not looked at one by one.
            if not _SIGNOFF_START.search("\0" + joined):
                continue
            starts = np.array([type(u) is str and u.lstrip()[:1] in _SIGNOFF_OPENERS
                               and bool(_SIGNOFF_LEAD.fullmatch("".join(cell_text(u).split()))) for u in col.uniques],
                              dtype=bool)
            if starts.any():
                lead |= starts[col.codes]
        ids = self._columns["person_id"]
        for i in np.flatnonzero(total):  # a row with an ID in it is a person, whatever else it says
            total[i] = sum(ch.isdigit() for ch in ids.unique_texts()[ids.codes[i]]) < 15

        def _signoff(cells: list[str]) -> bool:
            """Whether a row's cells (all of them, mapped or not, as cell_text) are a sign-off or note line.
            The rule, kept narrow so that a person is never dropped: no cell holds 15 digits in a row (an ID,
            or a bank account: then it is a person, whatever else it says); the first non-empty cell starts
            with a label (制表人, 审核人, 日期, 单位（盖章）, 备注, 说明, 注 … followed by a colon, or the label
            alone); and every other non-empty cell is such a label cell, the value right after a label
            written alone (制表人： | 张三), or a date or phone number. A person's name is none of these, so a
            row with a name in it stays a person even when its 工作单位 holds 说明 or 备注."""
            found, after_bare = False, False
            for text in cells:
                text = "".join(text.split())
                if not text:
                    continue
                if _ID_LIKE.search(text):
                    return False
                if text[:1] in _SIGNOFF_FIRST and _SIGNOFF_LEAD.fullmatch(text):
                    found, after_bare = True, bool(_SIGNOFF_BARE.fullmatch(text))
                    continue
                if not found:
                    return False
                if not (after_bare and len(text) <= 30) and not _DATE_OR_PHONE.fullmatch(text):
                    return False
                after_bare = False
            return found

        signoff = np.zeros(len(raw.cells), dtype=bool)
        for i in np.flatnonzero((lead | blank) & ~total):
            signoff[i] = _signoff([cell_text(c) for c in raw.row_values(i)])
        for i in np.flatnonzero(blank | total | signoff):
            content = [t for t in (cell_text(c) for c in raw.row_values(i)) if t]
            if content:
                code = ("roster.signoff-row" if signoff[i] else "roster.total-row" if total[i]
                        else "roster.row-skipped")
                said = "；".join(content)
                params = {}
                if code == "roster.total-row":  # named by the label it holds (小计, 总计 …): the hint says what to change
                    found = _TOTAL_WORD.search("".join(said.split()))
                    params["label"] = found.group(0) if found else "合计"
                self.issues.append(Issue.make(code, raw.where(i), said[:60], **params))
        return blank | total | signoff

    def row_width(self) -> None:
        """A CSV row with more cells than its header (an unquoted comma inside a value) is held."""
        wide = self.raw.overflow > 0
        width = np.array([len(p.headers) for p in self.raw.parts])[self.raw.part]
        self.report("roster.row-width", wide, "", cells=self.raw.overflow, width=width)

    def unclosed_quotes(self) -> None:
        """A CSV value whose opening quote is never closed takes the following lines into one cell,
        and the people on them leave the roster unseen. A cell holding line breaks and the
        file's separators is that: the row is held, and the message says how many lines it took."""
        raw = self.raw
        for p, part in enumerate(raw.parts):
            if part.name != "" or not len(part.cells):  # only a CSV file has no sheet name
                continue
            rows = np.flatnonzero(raw.part == p)
            for j, header in enumerate(part.headers):
                cells = part.cells[raw.local[rows], j]
                if "\n" not in "".join(v for v in cells if type(v) is str):
                    continue  # one search over the column: nearly every column holds no line break
                for k in np.flatnonzero([type(v) is str and "\n" in v and (v.count(",") + v.count("\t")) >= 2
                                         for v in cells]):
                    i, value = int(rows[k]), cells[k]
                    at = Location(file=raw.file, sheet=part.name, row=int(raw.excel_rows[i]), column=header,
                                  col=part.first_col + j + 1)
                    self.issues.append(Issue.make("roster.csv-quote", at, _clip(value.replace("\n", " ⏎ ")),
                                                  lines=value.count("\n")))
                    self.error[i] = True

    def long_cells(self) -> None:
        """A cell as long as an Excel cell can hold (32,767 characters; python-calamine cuts a longer
        one written by a program to that) is no name, date or unit: pasted by mistake, or written
        to break the run. The row is held; outputs show it cut."""
        for key, col in self._columns.items():
            if _longest(col.uniques[:-1]) >= EXCEL_CELL_CHARS:
                long = col.per_value(lambda v: type(v) is str and len(v) >= EXCEL_CELL_CHARS, bool)
                self.report("roster.cell-too-long", long, key, col,
                            length=col.per_value(lambda v: len(v) if type(v) is str else 0, np.int64))

    def column(self, key: str) -> Column | None:
        return self._columns.get(key)

    def report(self, code: str, mask: np.ndarray, key: str, values: Column | None = None, **params) -> None:
        """One Issue per flagged row; params may be per-row arrays. Errors mark the row unpaid."""
        for i in np.flatnonzero(mask):
            per_row = {k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
            value = "" if values is None else _show(values.uniques[values.codes[i]])
            self.issues.append(Issue.make(code, self.raw.where(i, key), value=value, **per_row))
        if CATALOGUE[code].severity == "error":
            self.error |= mask

    def texts(self, needs: RosterNeeds) -> None:
        frame = self.frame
        names = self.column("name")
        # "张　三": Chinese names are padded with spaces to line up in print; the name has none.
        texts = np.array([_CJK_GAP.sub("", t) if " " in t else t for t in names.unique_texts()], dtype=object)
        frame["name"] = texts[names.codes]
        for key in _OPTIONAL_TEXT:
            col = self.column(key)
            frame[key] = col.text() if col is not None else ""
        self.report("roster.name-missing", (texts == "")[names.codes], "name")  # each distinct name looked at once
        if not needs.organisations:  # 九江市第1社工站（浔阳）: an organisation's name has digits and brackets
            self.report("roster.name-invalid", ~_plausible_names(texts)[names.codes], "name", names)

    def organisation_texts(self) -> None:
        """An organisation's legal representative and the name its account is held in, as text
        ('' where the roster has no such column): the payroll prints them."""
        for key in ORG_ONLY:
            col = self.column(key)
            self.frame[key] = col.text() if col is not None else ""

    def codes(self) -> pd.Series:
        """Normalised unified social credit codes (GB 32100); every problem reported on its cell.
        Blanks, hyphens and the marks that keep a number text ('…, ="…") are dropped, letters put
        in capitals. An all-digit code typed as a number has lost its last digits, as an ID does."""
        cells, report = self.column("person_id"), self.report
        texts = cells.unique_texts()
        codes = np.array([_id_text(t).replace("-", "") for t in texts], dtype=object)[cells.codes]
        is_num = cells.is_number()
        joined = "".join(texts)
        if "E" in joined or "e" in joined:  # 9.13604E+17 written out as text by a CSV export
            scientific = np.array([("E" in t or "e" in t) and bool(_SCIENTIFIC.fullmatch(t.upper())) for t in texts])
            is_num |= scientific[cells.codes]
        codes[is_num] = ""
        found = check_codes(codes)
        blank = (found.length == 0) & ~is_num
        report("roster.code-number", is_num, "person_id", cells)
        report("roster.code-missing", blank, "person_id")
        report("roster.code-format", ~is_num & ~blank & ~found.shaped, "person_id", cells, length=found.length)
        report("roster.code-checksum", found.shaped & ~found.checksum_ok, "person_id", cells, expected=found.expected)
        return pd.Series(codes, dtype=object)

    def ids(self) -> pd.Series:
        """Normalised IDs; every problem reported on its cell."""
        cells, report = self.column("person_id"), self.report
        texts = cells.unique_texts()
        joined = "".join(texts)
        if ascii_alnum(joined) and (raw := joined.encode("ascii")) == raw.upper():  # digits and X: as written
            ids = texts[cells.codes]
        else:
            ids = np.array([t if t.isdecimal() else t.upper() if t.isalnum() else _id_text(t) for t in texts],
                           dtype=object)[cells.codes]
        # Typed as a number, or a number written out as text by a CSV export: 3.41102E+17, or all
        # 18 digits with the last three zeros and a failing checksum (341102197507271000).
        is_num = cells.is_number()
        if "E" in joined or "e" in joined:  # a search over the column first: most have no exponent
            scientific = np.array([("E" in t or "e" in t) and bool(_SCIENTIFIC.fullmatch(t.upper())) for t in texts])
            is_num |= scientific[cells.codes]
        ids[is_num] = ""
        found = check_ids(ids)
        lost = found.shaped & ~found.checksum_ok
        lost[lost] = [s.endswith("000") for s in ids[lost]]
        is_num |= lost
        ids[lost] = ""
        found.shaped &= ~lost
        self.id_findings = found
        blank = (found.length == 0) & ~is_num
        report("roster.id-number", is_num, "person_id", cells)
        report("roster.id-missing", blank, "person_id")
        wrong_len = ~is_num & ~blank & (found.length != 18)
        report("roster.id-length", wrong_len, "person_id", cells, length=found.length)
        report("roster.id-format", ~is_num & ~blank & ~wrong_len & ~found.shaped, "person_id", cells)
        bad_sum = found.shaped & ~found.checksum_ok
        report("roster.id-checksum", bad_sum, "person_id", cells, expected=found.expected)
        bad_birth = found.checksum_ok & ~found.birth_ok
        birth = np.full(len(ids), "", dtype=object)  # the digits said, for the rows said only
        birth[bad_birth] = [s[6:14] for s in ids[bad_birth]]
        report("roster.id-birth-date", bad_birth, "person_id", cells, birth=birth)
        unknown = found.checksum_ok & found.birth_ok & ~found.region_known
        region = np.full(len(ids), "", dtype=object)  # the six digits said, for the rows said only
        region[unknown] = [s[:6] for s in ids[unknown]]
        report("roster.id-region-unknown", unknown, "person_id", cells, region=region)
        return pd.Series(ids, dtype=object)

    def persons(self, ids: np.ndarray) -> np.ndarray:
        """pd.factorize(ids)[0], the same numbers in the same order: a shaped ID (nearly every one)
        is taken as its number (ids.IdFindings.number), and only the others are factorised as texts,
        each kept apart from every number (a million IDs: 0.19 -> 0.08 s)."""
        found = self.id_findings
        if found is None:  # an organisation's code: no ID numbers
            return pd.factorize(ids)[0]
        key, other = found.number.copy(), np.flatnonzero(~found.shaped)  # (shaped: after lost digits)
        texts = pd.factorize(ids[other])[0]
        key[other] = -2 - texts  # below every number; a missing value (-1) reads -1, kept apart below
        counted = np.ones(len(ids), dtype=bool)
        counted[other[texts < 0]] = False
        out = np.full(len(ids), -1, dtype=np.int64)
        out[counted] = pd.factorize(key[counted])[0]
        return out

    def levels(self, needs: RosterNeeds) -> pd.Categorical:
        """Level keys. Required where a rule pays by certificate; elsewhere (awards) optional, and a
        level the policy does not know is read as blank with a warning."""
        lookup = needs.level_lookup()
        cells = self.column("level")
        if cells is None:
            return pd.Categorical([None] * self.n, categories=list(needs.level_keys))
        keys = np.array([_level_of(t, lookup) for t in cells.unique_texts()], dtype=object)[cells.codes]
        blank = cells.is_blank()
        unknown = ~blank & pd.isna(keys)
        if needs.certificates:
            self.report("roster.level-missing", blank, "level", levels=needs.level_names())
            self.report("roster.level-unknown", unknown, "level", cells, levels=needs.level_names())
        else:
            self.report("roster.level-ignored", unknown, "level", cells, levels=needs.level_names())
        return pd.Categorical(keys, categories=list(needs.level_keys))

    def dates(self, needs: RosterNeeds) -> None:
        frame = self.frame
        for key in ("qualified_on", "hired_on", "left_on"):
            blank = self.date_column(key, _EARLIEST[key])
            needed = key == "qualified_on" and needs.certificates or key == "hired_on" and key in needs.required_values
            if needed and blank is not None:
                self.report("roster.date-missing", blank, key, column=self.raw.header(key))
        hired, left = frame["hired_on"].to_numpy(), frame["left_on"].to_numpy()
        backwards = ~np.isnat(hired) & ~np.isnat(left) & (left < hired)
        if backwards.any():  # the dates as text for the rows said only (0.9 s for every row of a million)
            rows = np.flatnonzero(backwards)
            shown = {k: np.full(self.n, "", dtype=object) for k in ("left", "hired")}
            shown["left"][rows] = np.datetime_as_string(left[rows], unit="D")
            shown["hired"][rows] = np.datetime_as_string(hired[rows], unit="D")
            self.report("roster.leave-before-hire", backwards, "left_on", self.column("left_on"), **shown)

    def date_column(self, key: str, floor: np.datetime64, mine: np.ndarray | bool = True) -> np.ndarray | None:
        """A date column into frame[key] (NaT where blank or unreadable) and frame[key_written];
        each unreadable cell reported (on the rows `mine`: others read blank). The blank cells, or
        None when the column is absent."""
        frame = self.frame
        col = self.column(key)
        if col is None:
            frame[key] = np.full(self.n, np.datetime64("NaT", "s"))
            frame[f"{key}_written"] = ""
            return None
        parsed, blank, bad, ambiguous = parse_dates(col)
        if key == "left_on":
            bad &= ~col.per_value(lambda v: v in _STILL_IN_POST, bool)
        # A date no roster can hold: the number 2023.1 under a date format reads as 1905-07-15,
        # 20231 as 1955-05-22. The national qualification exists since 2008; nobody in post
        # today started before 1970.
        early = ~np.isnat(parsed) & (parsed < floor)
        parsed = np.where(early, np.datetime64("NaT", "s"), parsed)
        frame[key] = parsed
        # The date as the clerk wrote it (2023年5月), quoted back instead of a day nobody wrote.
        frame[f"{key}_written"] = np.where(np.isnat(parsed), "", col.per_value(_as_written))
        self.date_cells[key] = (col, parsed)  # for imprecise_dates, which needs them rarely
        serial = bad & col.per_value(lambda v: _serial_day(v) is not None, bool) if bad.any() else bad
        ambiguous, bad, serial, early = ambiguous & mine, bad & mine, serial & mine, early & mine
        self.report("roster.date-ambiguous", ambiguous, key, col)
        self.report("roster.date-serial", serial, key, col,
                    probable=col.per_value(lambda v: str(_serial_day(v) or ""), object))
        self.report("roster.date-invalid", bad & ~ambiguous & ~serial, key, col)
        self.report("roster.date-implausible", early, key, col, earliest=str(floor.astype("datetime64[D]")),
                    column=self.raw.header(key))
        return blank

    def birth_dates(self) -> None:
        """The birth date each valid ID number holds (digits 7 to 14), as a date a condition may
        compare (born on or after 1989-01-01: 35 岁以下 on a day); NaT where the ID is not valid."""
        found = self.id_findings
        valid = found.checksum_ok & found.birth_ok
        days = np.where(valid, found.birth, np.datetime64("NaT", "D")).astype("datetime64[s]")
        self.frame["birth_date"], self.frame["birth_date_written"] = days, ""

    def person_details(self) -> None:
        """A 性别 or 出生日期 column that contradicts a valid ID: the ID may be someone else's (a
        relative's, a neighbour row's), so the row is held until someone looks."""
        found = self.id_findings
        valid = found.checksum_ok & found.birth_ok
        rows = np.flatnonzero(valid)
        ids = self.frame["person_id"].to_numpy()
        gender = self.column("gender")
        if gender is not None:
            said = gender.per_value(lambda v: _GENDERS.get(cell_text(v).upper(), -1), np.int64)
            odd = np.zeros(self.n, dtype=bool)
            odd[rows] = [int(ids[i][16]) % 2 == 1 for i in rows]
            self.report("roster.gender-unknown", ~gender.is_blank() & (said < 0), "gender", gender)
            wrong = valid & (said >= 0) & (said != odd)
            self.report("roster.id-gender", wrong, "gender", gender,
                        id_zh=np.where(odd, "男", "女"), id_en=np.where(odd, "male", "female"))
        birth = self.column("birth_date")
        if birth is not None:
            said = birth.per_value(lambda v: "|".join(birth_prefixes(v)))  # the dates it may mean
            self.report("roster.birth-date-invalid", ~birth.is_blank() & (said == ""), "birth_date", birth)
            wrong = np.zeros(self.n, dtype=bool)
            wrong[rows] = [bool(said[i]) and not ids[i][6:14].startswith(tuple(said[i].split("|"))) for i in rows]
            in_id = np.array([f"{t[6:10]}-{t[10:12]}-{t[12:14]}" if len(t) == 18 else "" for t in ids], dtype=object)
            self.report("roster.id-birth-mismatch", wrong, "birth_date", birth, in_id=in_id)

    def numbers(self, needs: RosterNeeds) -> None:
        """Scores and years: `<key>_exact` holds the Decimal (or None) used for ranking and
        thresholds, `<key>` a float for display. A value a rule depends on must be a number; one it
        does not is read as blank with a warning. Where a blank score means "not a candidate"
        (needs.candidate_values), a candidate's values are required on the rows with a score only:
        a score that is not a number is still a problem, a blank one is not."""
        required, for_candidates = needs.required_values, needs.candidate_values
        candidate = self.candidates()
        for key in _NUMBERS:
            col = self.column(key)
            if col is None:
                self.frame[key], self.frame[f"{key}_exact"] = np.full(self.n, np.nan), np.full(self.n, None)
                continue
            values, blank, bad = self.number_column(col)
            if key in required:
                self.report("roster.number-invalid", bad, key, col)
                self.report("roster.number-missing", blank, key, column=self.raw.header(key))
            elif key in for_candidates:
                self.report("roster.number-invalid", bad & candidate, key, col)
                self.report("roster.number-ignored", bad & ~candidate, key, col)
                self.report("roster.candidate-value-missing", blank & candidate, key, column=self.raw.header(key))
            elif key in needs.tested:  # a condition or tie-break of the run reads it: it must be a number
                mine = candidate if key in needs.candidate_only else True
                self.report("roster.number-invalid", bad & mine, key, col)
                self.report("roster.number-ignored", bad & ~mine, key, col)
            else:
                self.report("roster.number-ignored", bad, key, col)
            self.frame[f"{key}_exact"] = values
            self.frame[key] = _floats(values)
        # Something under 评审得分, a number or not: a candidate, even one held for a data problem,
        # whose place the award must keep open until the row is corrected (engine.award).
        self.frame["score_given"] = candidate

    @staticmethod
    def number_column(col: Column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(exact Decimal or None per row, blank, not a number)."""
        values = col.per_value(_decimal)
        blank = col.is_blank()
        return values, blank, ~blank & pd.isna(values)

    def declared(self, needs: RosterNeeds) -> None:
        """The policy's own fields, typed as declared: text, one of a list (each spelling read as its
        value), a number, a date, or yes/no. A cell that does not read as its type is a problem on
        that cell where the run's rules read the field (on candidates' rows only, where only a
        selecting award reads it and a blank score marks a row that is not a candidate); elsewhere it
        reads blank. An optional column that is absent reads blank, and is said."""
        frame = self.frame
        candidate = self.candidates()
        for key, spec in needs.declared.items():
            col = self.column(key)
            mine = np.zeros(self.n, dtype=bool) if key not in needs.tested else (
                candidate if key in needs.candidate_only else np.ones(self.n, dtype=bool))
            if col is None and key in needs.tested:
                at = replace(self.raw.where(), row=self.raw.parts[0].header_row)  # said at the header row
                self.issues.append(Issue.make("roster.field-absent", at, column=spec.name,
                                              aliases="、".join(dict.fromkeys((spec.name, *spec.aliases)))))
            if spec.type == "date":
                self.date_column(key, _EARLIEST_DECLARED, mine)
            elif spec.type == "number":
                if col is None:
                    frame[key], frame[f"{key}_exact"] = np.full(self.n, np.nan), np.full(self.n, None)
                    continue
                values, _, bad = self.number_column(col)
                self.report("roster.number-invalid", bad & mine, key, col)
                self.report("roster.number-ignored", bad & ~mine, key, col)
                values = np.where(bad, None, values)
                if key in needs.counts:  # a service record counts whole items (an award's score)
                    partial = np.array([v is not None and (v < 0 or v != v.to_integral_value()) for v in values], dtype=bool)
                    self.report("roster.record-not-whole", partial & mine, key, col, column=self.raw.header(key))
                frame[f"{key}_exact"], frame[key] = values, _floats(values)
            elif spec.type == "yes_no":
                if col is None:
                    frame[key] = pd.array([pd.NA] * self.n, dtype="boolean")
                    continue
                spellings = {**_YES_NO, **{header_key(a).upper(): 1 if value == "是" else 0
                                           for value, names in spec.value_aliases.items() for a in names}}
                said = col.per_value(lambda v: spellings.get(header_key(cell_text(v)).upper(), -1), np.int64)
                said = np.where(col.is_blank(), -2, said)
                self.report("roster.yes-no-invalid", (said == -1) & mine, key, col, column=self.raw.header(key))
                frame[key] = pd.array(np.where(said >= 0, said == 1, pd.NA), dtype="boolean")
            else:
                texts = col.text() if col is not None else pd.Series("", index=range(self.n), dtype=object)
                if spec.type == "choice":
                    # Each spelling to its value, normalised as every cell and every condition value is
                    # (a full-width （民非） in the policy is the half-width (民非) a cell reads as).
                    canon = {unicodedata.normalize("NFKC", s).strip(): unicodedata.normalize("NFKC", value).strip()
                             for value in spec.values for s in (value, *spec.value_aliases.get(value, ()))}
                    mapped = texts.map(canon)
                    unknown = (texts != "") & mapped.isna()
                    self.report("roster.choice-unknown", unknown.to_numpy() & mine, key, col,
                                column=self.raw.header(key), choices="、".join(spec.values))
                    texts = mapped.fillna("").astype(object)
                frame[key] = texts.to_numpy()

    def group_values(self, needs: RosterNeeds) -> None:
        """The field a quota counts by (unit, district, category, a declared text or choice field …)
        must hold a value on the rows it ranks: blank, the row is a data problem; where a blank
        score means "not a candidate", on the candidates' rows only."""
        required, for_candidates = needs.required_values, needs.candidate_values
        candidate = self.candidates()
        texts = (*_OPTIONAL_TEXT, *(k for k, f in needs.declared.items() if f.type in ("text", "choice")))
        for key in texts:
            if key not in self.raw.columns or key not in self.frame or key not in required and key not in for_candidates:
                continue
            blank = text_blank(self.frame[key])
            if key in required:
                self.report("roster.value-required", blank, key, column=self.raw.header(key))
            elif key in for_candidates:
                self.report("roster.candidate-value-missing", blank & candidate, key, column=self.raw.header(key))

    def candidates(self) -> np.ndarray:
        """Rows with something under 评审得分: an award's candidates, where a blank score marks a
        row that is not one (a title holder's, a certificate's)."""
        scores = self.column("score")
        return ~scores.is_blank() if scores is not None else np.zeros(self.n, dtype=bool)

    def blank_conditions(self, needs: RosterNeeds) -> None:
        """A blank cell a condition tests: a data problem where the policy says a blank is one (blank:
        problem; an award's, on candidates' rows only where a blank score marks a non-candidate), and
        otherwise a warning where the blank makes a rule's condition fail, so that the row may go
        unpaid for it (not where another branch of an any lets it through)."""
        frame = self.frame
        candidate = self.candidates()
        for leaf, candidates_only in needs.blank_problems:
            for key in (leaf.field, leaf.other):
                if key and key in frame:
                    blank = blank_column(frame, key) & ~self.error & (candidate if candidates_only else True)
                    self.report("roster.value-required", blank, key, column=self.raw.header(key))
        warned: dict[str, np.ndarray] = {}
        for cond, keys in needs.blank_fails:
            fails = None
            for key in keys:
                if key not in self.raw.columns or key not in frame:
                    continue
                blank = blank_column(frame, key) & ~self.error
                if not blank.any():
                    continue
                fails = ~holds(cond, frame) if fails is None else fails
                warned[key] = warned.get(key, np.zeros(self.n, dtype=bool)) | (blank & fails)
        for key in sorted(warned):
            self.report("roster.value-missing", warned[key], key, column=self.raw.header(key))

    def imprecise_dates(self, needs: RosterNeeds) -> None:
        """A date written to the month (2024年8月) is read as the 1st. Where a condition of the run
        compares it to the day and the answer would change with the day of that month, the row is a
        data problem: the exact date decides, not a guess in either person's favour."""
        frame = self.frame
        written: dict[str, np.ndarray] = {}  # date field -> rows that wrote a month and no day
        for leaf, _, _ in needs.date_conditions:
            for key in (leaf.field, leaf.other):
                if key in self.date_cells and key not in written:
                    col, parsed = self.date_cells[key]
                    written[key] = ~np.isnat(parsed) & col.per_value(month_only, bool)
        for leaf, said_zh, said_en in needs.date_conditions:
            keys = [k for k in (leaf.field, leaf.other) if k and k in written and written[k].any()]
            if not keys:
                continue
            answers = []
            for ends in ((False,) * len(keys), (True,) * len(keys), *(((False, True), (True, False)) if len(keys) == 2 else ())):
                moved = frame.copy(deep=False)
                for key, end in zip(keys, ends):
                    if end:
                        moved[key] = np.where(written[key], _month_end(frame[key].to_numpy()), frame[key].to_numpy())
                answers.append(test(leaf, moved)[0])
            differs = np.zeros(self.n, dtype=bool)
            for other in answers[1:]:
                differs |= other != answers[0]
            for key in keys:
                here = differs & written[key] & ~self.error
                self.report("roster.date-imprecise", here, key, self.column(key), condition_zh=said_zh,
                            condition_en=said_en)

    def policy_checks(self, needs: RosterNeeds) -> None:
        """The policy's own checks (the account at a named bank): a row that fails one is a data
        problem, said at the checked cell in the policy's words."""
        for check in needs.checks:
            failed = ~holds(check, self.frame) & ~self.error
            self.report("roster.policy-check", failed, check.field, self.column(check.field),
                        message_zh=check.message, message_en=check.message_en or check.message)

    def bank_account(self) -> None:
        """The account goes on the payment sheet: typed as a number, its last digits are gone."""
        col = self.column("bank_account")
        self.frame["bank_account"] = col.text() if col is not None else ""
        if col is not None and col.has_numbers():
            lost = col.per_value(lambda v: is_number(v) and abs(v) >= 1e15, bool)
            self.report("roster.number-as-text-lost", lost, "bank_account", col,
                        column=self.raw.header("bank_account"))

    def error_cells(self) -> None:
        """#N/A, #REF! … or a formula never computed, in a column we use: the value is unknown, so
        the row is held."""
        for (i, key), value in sorted(self.raw.errors.items()):
            if key in self._columns:
                code = "roster.formula-no-value" if value.startswith("=") else "roster.cell-error"
                self.issues.append(Issue.make(code, self.raw.where(i, key), _clip(value)))
                self.error[i] = True

    def hidden_rows(self) -> None:
        """A hidden (or filtered-out) row is still a row of the roster and is computed; it is said,
        because the clerk never saw it on screen or on paper."""
        for i in np.flatnonzero(self.raw.hidden):
            self.issues.append(Issue.make("roster.row-hidden", self.raw.where(i), self.frame["name"].iat[i]))

    def duplicates(self, needs: RosterNeeds) -> None:
        """The same ID and level twice (for awards, the same ID twice): the first row counts, each
        later one is a problem."""
        frame = self.frame
        usable = np.flatnonzero(~self.error & (frame["level"].notna().to_numpy() if needs.certificates else True))
        # As integers: each row's person (its ID, numbered once) and level; no ID text hashed again.
        key = frame["person"].to_numpy()[usable].astype(np.int64)
        if needs.certificates:
            levels = frame["level"].cat.codes.to_numpy()[usable]
            key = key * (len(frame["level"].cat.categories) + 1) + levels
        codes = pd.factorize(key)[0]  # numbered in order of first appearance: a first row raises the count
        is_first = first_appearances(codes)
        if not is_first.all():
            first_at = np.zeros(len(is_first), dtype=np.int64)
            first_at[codes[is_first]] = usable[is_first]
            first = np.zeros(self.n, dtype=np.int64)
            first[usable] = first_at[codes]
            mask = np.zeros(self.n, dtype=bool)
            mask[usable[~is_first]] = True
            same = ({"same_zh": "同一身份证号、同一证书等级", "same_en": "same ID number and level"}
                    if needs.certificates else {"same_zh": "同一统一社会信用代码", "same_en": "same unified social "
                                                "credit code"} if needs.organisations
                    else {"same_zh": "同一身份证号", "same_en": "same ID number"})
            self.report("roster.duplicate", mask, "person_id", self.column("person_id"), **self._first(first, mask),
                        **same)

    def _first(self, first: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        """first_zh / first_en: where each flagged row's first row is, with its sheet when there are several."""
        out = {lang: np.full(self.n, "", dtype=object) for lang in ("zh", "en")}
        for i in np.flatnonzero(mask):
            for lang in out:
                out[lang][i] = self.raw.cite(int(first[i]), lang)
        return {"first_zh": out["zh"], "first_en": out["en"]}

    def person_conflicts(self, needs: RosterNeeds) -> None:
        """A person's rows (one per certificate) must agree on name, category and dates in post:
        the allowance is paid per person. A later row that disagrees with the first is held."""
        usable = np.flatnonzero(~self.error)
        codes = self.frame["person"].to_numpy()[usable] + 1  # a row without an ID is in error: none here
        several = np.bincount(codes)[codes] > 1
        if not several.any():
            return  # everyone on one row
        usable, codes = usable[several], codes[several]
        _, first_at, codes = np.unique(codes, return_index=True, return_inverse=True)
        first = usable[first_at[codes]]  # for each usable row, the position of its person's first row
        for key in _PERSON_FACTS + (("score", "service_field") if needs.awards else ()):
            values = self.frame[key].to_numpy()
            a, b = values[usable], values[first]
            if values.dtype.kind == "M":
                differ = ~((a == b) | (np.isnat(a) & np.isnat(b)))
            elif values.dtype.kind == "f":
                differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
            else:
                differ = a != b
            if key == "bank_account":
                differ &= (a != "") & (b != "")
            for i, j in zip(usable[differ], first[differ]):
                self.issues.append(Issue.make("roster.person-conflict", self.raw.where(i, key), _fact(values[i]),
                                              first_zh=self.raw.cite(j, "zh"), first_en=self.raw.cite(j, "en"),
                                              first=_fact(values[j]), column=self.raw.header(key)))
                self.error[i] = True

    def nominations(self, needs: RosterNeeds) -> None:
        """At most so many nominees per unit (an award's nominations_per): a unit that nominated more
        is a data problem on every one of its nominees' rows, all held. Which to withdraw is for the
        unit or the committee to decide; holding only the rows past the limit would let the order
        of the rows decide it. A nominee is a row meeting the rule's conditions, counted once per
        person; a row with a data problem still counts (the nomination was made). Where a blank
        score means "not a candidate" (a roster that also lists earlier title holders), only the
        rows with a score are nominees."""
        frame = self.frame
        scores = self.column("score")
        scored = ~scores.is_blank() if scores is not None else np.zeros(self.n, dtype=bool)
        if "score" not in needs.candidate_values:
            scored = np.ones(self.n, dtype=bool)
        for rule in needs.nominations:
            spec = rule.nominations_per
            if spec.field not in frame:
                continue
            values = frame[spec.field].to_numpy().astype(object)
            nominee = (first_failed(rule.conditions, frame) < 0) & (values != "") & scored
            if not nominee.any():
                continue
            ids = frame["person_id"].to_numpy().astype(object)
            person, blank = ids.copy(), np.flatnonzero(ids == "")  # a row without an ID is a person of its own
            person[blank] = np.char.add("#", blank.astype(str)).astype(object)
            pairs = pd.DataFrame({"value": values[nominee], "person": person[nominee]}).drop_duplicates()
            counts = pairs.groupby("value").size()
            limits = {v: spec.limit_of(v) for v in counts.index}  # per distinct value
            over = [v for v, c in counts.items() if limits[v] is not None and c > limits[v]]
            if not over:
                continue
            mask = nominee & np.isin(values, over)
            mapped = spec.field in self.raw.columns
            header = self.raw.header(spec.field) if mapped else spec.field
            for i in np.flatnonzero(mask):
                self.issues.append(Issue.make("roster.too-many-nominees", self.raw.where(i, spec.field if mapped else ""),
                                              values[i],
                                              column=header, count=int(counts[values[i]]), max=limits[values[i]],
                                              rule=rule.title))
            self.error |= mask

    def personal_numbers(self) -> None:
        """An ID number or a bank account typed into a column the 公示名单 prints (区县, 工作单位) is
        masked there; said here, on its cell, so the clerk moves it to its own column."""
        for key in PUBLISHED_TEXT:
            col = self.column(key)
            if col is not None:
                found = has_personal_number(col.unique_texts())  # per distinct value
                self.report("roster.personal-number", found[col.codes], key, col, column=self.raw.header(key))


def _month_end(days: np.ndarray) -> np.ndarray:
    """The last day of each date's month (NaT stays NaT)."""
    month = days.astype("datetime64[M]")
    return ((month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")).astype(days.dtype)


def _longest(values: list) -> int:
    """The length of the longest text among a column's distinct values (0 for none). A column of
    texts alone (most are) is measured at once: picking its texts out took 0.16 s at 1M rows."""
    try:
        return max(map(len, values), default=0)
    except TypeError:  # numbers, dates or a missing cell among them
        return max((len(u) for u in values if type(u) is str), default=0)


def _floats(values: np.ndarray) -> np.ndarray:
    """Exact numbers (Decimal or None) as floats for display (NaN for None)."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _id_text(text: str) -> str:
    """An ID as compared: upper case, no blanks, and without the marks that keep it text in a
    spreadsheet ('341…, or ="341…" as some systems export it to CSV). The common case, letters and
    digits only, is done inline by the caller."""
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    elif text[:1] in ("'", "’", "‘"):
        text = text[1:]
    return text.upper() if text.isalnum() else "".join(text.split()).upper()


def _fact(value: object) -> str:
    """A date or text as a conflict message shows it; blank as a dash."""
    if isinstance(value, np.datetime64):
        return "—" if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, float):
        return "—" if np.isnan(value) else f"{value:g}"
    return str(value) or "—"


def _decimal(value: object) -> Decimal | None:
    """A number typed as a number or as text ('92.5', '９２.５'); None for anything else, and for
    magnitudes no score or count reaches (1e9 and beyond: a typo, or an ID in the wrong column)."""
    text = number_text(value) if is_number(value) else cell_text(value) if value is not None else ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < 10**9 else None


def _level_of(text: str, lookup: dict[str, str]) -> str | None:
    """A level by any of its names; '助理社会工作师（初级）' also by the name before the brackets."""
    key = header_key(text)
    return lookup.get(key) or lookup.get(key.split("(", 1)[0]) if key else None


def _as_written(value: object) -> str:
    """A date cell's text when it says less or other than a day (2023年5月, 2023.5); '' for a real
    Excel date or a full ISO date, which are shown as dates."""
    if value is None or isinstance(value, (date, datetime)) or is_number(value):
        return ""
    text = cell_text(value)
    return "" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text


def _serial_day(value: object) -> date | None:
    """The day an Excel date serial written out as text (45078, from a CSV export) stands for."""
    text = cell_text(value) if isinstance(value, str) else ""
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 32874 <= float(text) <= 73050:  # 1990 .. 2099
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    return None


def _show(value: object) -> str:
    """A cell's value for a message, as Excel shows it (a long text cut, see _clip)."""
    return number_text(value) if is_number(value) else ("" if value is None else _clip(str(value)))


def _clip(text: str, limit: int = 200) -> str:
    """A value quoted in a message: a 40,000-character cell is not repeated in full."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字 / {len(text)} characters）"


# What may stand in a name besides letters: the separators of minority and foreign names, in the
# forms input methods and word processors give them (middle dots · ・ • ‧ ∙ ⋅ ･, apostrophes ' ’ ‘ ʼ,
# hyphens and dashes - ‐ ‑ – — －, the Tibetan tsheg ་ ༌, spaces), and 〇. Not a digit, bracket or sign.
_NAME_MARKS = frozenset(" \u00a0\u3000·・•‧∙⋅･.'’‘ʼ-‐‑–—－་༌〇")


def _plausible_names(names: np.ndarray) -> np.ndarray:
    """Names made of letters (any script), with · . ' - or spaces between them; a blank name is
    reported on its own. A formula (=HYPERLINK(…)), digits, control characters, brackets or emoji
    make the cell something other than a payee's name. Most names are letters only, tested in C."""
    codes, distinct = pd.factorize(names)
    ok = np.array([t.isalpha() or t == "" or _name_ok(t) for t in distinct], dtype=bool)
    return ok[codes] if len(names) else np.ones(0, dtype=bool)


def _name_ok(text: str) -> bool:
    return text[0].isalpha() and all(ch.isalpha() or ch in _NAME_MARKS or unicodedata.category(ch)[0] == "M"
                                     for ch in text)
