"""Reading judges' score sheets (评委评分表): the --scores workbook, one sheet per panel or part.

Two layouts are read, each with a title row or two above the header allowed:

- long (长表): one row per judge and candidate, columns 评委 | 姓名 (or 身份证号) | 得分;
- wide (宽表): one row per candidate, a 姓名 (or 身份证号) column and one column per judge, headed by
  the judge's name or number (评委1, 专家A, 张三 …).

A cell reading 回避 (or 弃权, 缺席) is a judge who stood aside: not a score, not a gap. Columns a
clerk computes by hand (合计, 平均分, 最终得分 …) and descriptive ones (单位, 备注 …) are not read; the
score is computed from the judges' cells as the policy says. Each cell keeps its sheet, row and
column, so that every problem is located as a roster's are.

The file is read as a roster is (roster.source): .xlsx, .xlsm, .xls, .ods or a CSV in UTF-8 or GBK,
under the same limits (--max-rows: the size it may inflate to, a zip part compressed past 100 to 1,
a sheet wider than 256 columns or of more cells than the rows allow), so that a hostile or huge
score workbook is refused with the same located file.* problems before it is inflated. A hidden
sheet is not read and is said (scores.sheet-hidden).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, ORG_FIELDS, header_key

SCAN_ROWS = 15
ID_HEADERS = frozenset(header_key(a) for a in (FIELDS["person_id"].zh, *FIELDS["person_id"].aliases))
NAME_HEADERS = frozenset(header_key(a) for a in (
    *FIELDS["name"].aliases, "候选人", "候选人姓名", "参评人员", "参评人", "参评人员姓名", "被评人", "被评人员",
    "申报人", "申报人姓名", "推荐对象", "推荐人选", "参评对象", "评审对象", "候选对象"))
JUDGE_HEADERS = frozenset(header_key(a) for a in (
    "评委", "评委姓名", "评委编号", "评委名称", "评审专家", "评审专家姓名", "专家", "专家姓名", "专家编号",
    "评审人", "评审人员", "评分人", "打分人", "评审委员"))
SCORE_HEADERS = frozenset(header_key(a) for a in (
    "得分", "分数", "评分", "打分", "成绩", "评审得分", "评分分值", "分值", "评委打分", "评委评分", "专家评分", "专家打分"))
# Wide layout: columns that are not a judge's — hand-computed results and descriptions of the candidate.
NOT_JUDGES = frozenset(header_key(a) for a in (
    "序号", "编号", "排名", "名次", "备注", "性别", "合计", "总分", "总计", "小计", "平均分", "平均得分", "最终得分",
    "最后得分", "综合得分", "评审得分", "得分", "去掉最高分", "去掉最低分", "最高分", "最低分", "有效分", "评审结果",
    "是否入选", "结果"))
NOT_JUDGE_WORDS = ("单位", "区县", "县区", "领域", "职务", "职称", "电话", "类别", "等级", "年限", "地址", "机构", "岗位",
                   "推荐", "出生", "学历", "民族", "政治面貌", "事迹", "日期", "代表人", "负责人", "代码", "账号", "账户",
                   "开户")
RECUSED = frozenset(("回避", "弃权", "缺席"))
# Where the candidates are organisations: a station or agency is named by its code or its name.
ORG_ID_HEADERS = frozenset(header_key(a) for a in (ORG_FIELDS["person_id"].zh, *ORG_FIELDS["person_id"].aliases))
ORG_NAME_HEADERS = frozenset(header_key(a) for a in (
    ORG_FIELDS["name"].zh, *ORG_FIELDS["name"].aliases, "候选单位", "候选机构", "参评社工站", "被评单位"))


@dataclass
class ScoreCell:
    """One judge's mark for one candidate, where it is written."""

    sheet: str
    row: int  # as Excel shows it
    col: int  # 1-based
    header: str  # of the column holding the mark
    judge: str
    candidate: str  # the candidate's ID or name as the sheet writes it (normalised)
    text: str  # the cell as written
    value: Decimal | None  # the mark, when it is a number
    recused: bool = False  # 回避: the judge stood aside

    def where(self, file: str, column: str | None = None) -> Location:
        return Location(file=file, sheet=self.sheet, row=self.row, column=self.header if column is None else column,
                        col=self.col)


@dataclass
class ScoreSheet:
    """A sheet of judges' marks: who is identified how, every judge, every mark, and the blank
    marks (a wide sheet's empty cell under a judge) as cells with no text."""

    file: str
    name: str
    layout: str  # long or wide
    by: str  # person_id or name: how the sheet names candidates
    key_header: str  # the header of that column
    key_col: int
    judges: list[str]
    cells: list[ScoreCell]
    candidates: dict[str, int] = field(default_factory=dict)  # candidate -> the first row naming them
    issues: list[Issue] = field(default_factory=list)
    # The workbook's own notes (a hidden sheet not read): one list shared by its sheets, said once.
    book_issues: list[Issue] = field(default_factory=list)


def read_scores(path: str | Path, max_rows: int | None = None, organisations: bool = False) -> dict[str, ScoreSheet]:
    """Every visible sheet of a score workbook (.xlsx, .xlsm, .xls, .ods) or a CSV file, by sheet
    name, read under the roster's limits (`max_rows`, --max-rows); a sheet with no header row is
    said and left out when others have one. `organisations`: candidates are named by their unified
    social credit code or name (统一社会信用代码, 机构名称 …), not a person's."""
    from ..roster.source import DEFAULT_MAX_ROWS, PendingSheet

    path = Path(path)
    book = PendingSheet(path, max_rows=DEFAULT_MAX_ROWS if max_rows is None else max_rows).result()
    book_issues = [Issue.make("scores.sheet-hidden", Location(file=str(path), sheet=name)) for name in book.hidden]
    sheets, problems = {}, []
    for one in book.sheets:
        try:
            sheets[one.name] = _parse(str(path), one.name, one.rows, one.first_row, one.first_col,
                                     *((ORG_ID_HEADERS, ORG_NAME_HEADERS) if organisations else ()))
            sheets[one.name].book_issues = book_issues
        except SwtalentError as exc:
            problems += exc.issues
    if not sheets:
        raise SwtalentError(problems)
    return sheets


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # a mark typed TRUE: said as Excel shows it
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


_NUMERALS = {ch: k for k, ch in enumerate("一二三四五六七八九", 1)}
_NUMBERED = re.compile(r"(.*?)([一二三四五六七八九十]{1,3})(号?)")


def judge_key(name: str) -> str:
    """A judge as one person however the name is spaced or numbered: 评委 一, 评委１ and 评委1 are
    评委一's key (no whitespace, full-width to half-width, a Chinese numeral up to 99 as digits)."""
    text = "".join(unicodedata.normalize("NFKC", name).split())
    m = _NUMBERED.fullmatch(text)
    if m:
        digits = m.group(2)
        if "十" in digits:
            tens, _, ones = digits.partition("十")
            value = (_NUMERALS.get(tens, 1) if tens else 1) * 10 + (_NUMERALS.get(ones, 0) if ones else 0)
        else:
            value = _NUMERALS[digits] if len(digits) == 1 else None
        if value is not None:
            text = f"{m.group(1)}{value}{m.group(3)}"
    return text


def candidate_key(value: object, by: str) -> str:
    """A candidate as compared with the roster: an ID in upper case; a name without blanks."""
    text = _text(value)
    return text.upper() if by == "person_id" else re.sub(r"\s+", "", text)


def _mark(value: object) -> tuple[Decimal | None, bool]:
    """(the number, stood aside) of a judge's cell."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, float):  # every number of a workbook comes as a float: 90.0 is the mark 90
        if value != value or value in (float("inf"), float("-inf")):
            return None, False
        return (Decimal(int(value)) if value.is_integer() else Decimal(repr(value))), False
    if isinstance(value, int):
        return Decimal(value), False
    text = _text(value)
    if text in RECUSED:
        return None, True
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None, False
    return (number, False) if number.is_finite() else (None, False)


def _parse(file: str, name: str, rows: list, first_row: int = 1, first_col: int = 0,
           id_headers: frozenset = ID_HEADERS, name_headers: frozenset = NAME_HEADERS) -> ScoreSheet:
    """`rows` start at Excel row `first_row` and column `first_col` + 1 (the reader trims the
    blank area above and left of a sheet's cells); every location is given as Excel shows it."""
    for r, row in enumerate(rows[:SCAN_ROWS]):
        keys = [header_key(_text(v)) for v in row]
        ident = [c for c, k in enumerate(keys) if k in id_headers] or [c for c, k in enumerate(keys) if k in name_headers]
        if ident:
            break
    else:
        raise SwtalentError([Issue.make("scores.header-not-found", Location(file=file, sheet=name), scanned=SCAN_ROWS)])
    by = "person_id" if keys[ident[0]] in id_headers else "name"
    key_col = ident[0]
    headers = [_text(v) for v in row]
    judge_col = next((c for c, k in enumerate(keys) if k in JUDGE_HEADERS), None)
    score_col = next((c for c, k in enumerate(keys) if k in SCORE_HEADERS), None)
    header_row = first_row + r
    sheet = ScoreSheet(file, name, "long" if judge_col is not None and score_col is not None else "wide", by,
                       headers[key_col], first_col + key_col + 1, [], [])
    data = [(header_row + 1 + k, row) for k, row in enumerate(rows[r + 1:])]
    identity = {c for c, k in enumerate(keys) if k in id_headers or k in name_headers}
    if sheet.layout == "long":
        ignored = [headers[c] for c in range(len(keys)) if keys[c] and c not in identity | {judge_col, score_col}]
        judges: dict[str, None] = {}
        spelled: dict[str, str] = {}  # judge_key -> the judge as first written
        for excel_row, row in data:
            cand = candidate_key(_cell(row, key_col), by)
            judge = _text(_cell(row, judge_col))
            judge = spelled.setdefault(judge_key(judge), judge) if judge else judge
            raw = _cell(row, score_col)
            if not cand and not judge and _text(raw) == "":
                continue
            value, recused = _mark(raw)
            judges.setdefault(judge, None)
            sheet.candidates.setdefault(cand, excel_row)
            sheet.cells.append(ScoreCell(name, excel_row, first_col + score_col + 1, headers[score_col], judge, cand, _text(raw),
                                         value, recused))
        sheet.judges = [j for j in judges if j]
    else:
        judge_cols = [c for c, k in enumerate(keys) if k and c not in identity and k not in NOT_JUDGES
                      and not any(w in k for w in NOT_JUDGE_WORDS)]
        ignored = [headers[c] for c, k in enumerate(keys) if k and c not in identity and c not in judge_cols]
        spelled = {}
        named = [spelled.setdefault(judge_key(headers[c]), headers[c]) for c in judge_cols]  # 评委一 = 评委 1
        sheet.judges = list(dict.fromkeys(named))
        for excel_row, row in data:
            cand = candidate_key(_cell(row, key_col), by)
            marks = [_cell(row, c) for c in judge_cols]
            if not cand and all(_text(m) == "" for m in marks):
                continue
            sheet.candidates.setdefault(cand, excel_row)
            for c, judge, raw in zip(judge_cols, named, marks):
                value, recused = _mark(raw)
                sheet.cells.append(ScoreCell(name, excel_row, first_col + c + 1, headers[c], judge, cand, _text(raw), value,
                                             recused))
    if ignored:
        sheet.issues.append(Issue.make("scores.columns-ignored", Location(file=file, sheet=name, row=header_row),
                                       columns="、".join(ignored)))
    return sheet


def _cell(row: tuple, c: int | None) -> object:
    return row[c] if c is not None and c < len(row) else None
