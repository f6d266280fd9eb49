"""`check --annotate` on an .xlsx roster: the copy made by editing the workbook's zip as a stream
(reports/markup.py) opened with openpyxl and held against the roster and against the copy openpyxl
makes itself (same problems on the same cells, same fills and comments, the clerk's workbook kept);
the cases where it falls back to openpyxl; LibreOffice opening it, when installed."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter

from swtalent import api
from swtalent.errors import Issue, Location
from swtalent.reports import markup
from swtalent.reports.annotate import _annotate_openpyxl, annotate
from swtalent.reports.markup import _alternatives

from .conftest import CHUZHOU, HEADERS, person
from .test_check import BAD_SUM
from .test_cli import invoke

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TITLE = "2023年度社会工作专业人才补贴花名册"


def clerk_book(path: Path, merged: bool = True) -> Path:
    """A roster as a clerk keeps one: a merged title, a bold bordered header, dates formatted, widths,
    a formula column, an ID merged over a person's two rows, a blank cell, a totals row, and a notes
    sheet with its own formula and number format, left selected."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    bold = wb.add_format({"bold": True, "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    boxed = wb.add_format({"border": 1, "num_format": "@"})
    ws.set_column(1, 1, 24)
    ws.set_column(4, 4, 12)
    ws.repeat_rows(1)  # the header on every printed page: a name local to the sheet, by its position
    ws.merge_range(0, 0, 0, len(HEADERS), TITLE, bold)
    ws.write_row(1, 0, HEADERS + ["核对"], bold)
    rows = [person(1), person(2, pid=BAD_SUM), person(3, level="心理咨询师"), person(4, level=None),
            person(5, pid=BAD_SUM), person(5, pid=BAD_SUM, level="社会工作师"), person(6)]
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(i, j, v, day)
            elif j == 1:
                ws.write_string(i, j, v, boxed)
            elif v is not None:
                ws.write(i, j, v)
        ws.write_formula(i, len(HEADERS), f"=LEN(B{i + 1})", None, 18)
    if merged:
        ws.merge_range(6, 1, 7, 1, BAD_SUM, boxed)  # one ID cell for the person's two certificate rows
    ws.write_row(2 + len(rows), 1, ["合计", None, None])  # a totals row, its first cell blank
    notes = wb.add_worksheet("备注")
    notes.write(0, 0, "乡镇的备注")
    notes.write_formula(1, 0, "=SUM(B1:B3)", None, 6)
    notes.write_number(0, 1, 1234.5, wb.add_format({"num_format": "#,##0.00"}))
    notes.activate()
    wb.close()
    return path


def checked(src: Path):
    return api.run_check(src, CHUZHOU).issues


def fill(cell) -> str | None:
    return cell.fill.fgColor.rgb[-6:] if cell.fill is not None and cell.fill.fill_type == "solid" else None


def snapshot(path: Path) -> dict:
    """Everything the clerk or the township sees in a workbook, as openpyxl reads it."""
    book = openpyxl.load_workbook(path)
    out: dict = {"sheets": book.sheetnames, "active": book.active.title}
    for ws in book.worksheets:
        cells = {c.coordinate: (c.value, c.number_format, bool(c.font.b), c.border.left.style, fill(c),
                                c.comment.text if c.comment else None, c.hyperlink.location if c.hyperlink else None)
                 for row in ws.iter_rows() for c in row
                 if c.value is not None or c.comment is not None or fill(c) or c.has_style}
        out[ws.title] = {"cells": cells, "merged": sorted(map(str, ws.merged_cells.ranges)),
                         "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
                         "selected": bool(ws.sheet_view.tabSelected), "freeze": ws.freeze_panes,
                         "filter": ws.auto_filter.ref, "print_titles": ws.print_title_rows}
    return out


def both(src: Path, issues: list[Issue], tmp_path: Path, lang: str = "zh") -> tuple[Path, Path]:
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    assert annotate(src, issues, fast, lang) == "zip"
    assert _annotate_openpyxl(src, issues, slow, lang, None) == "openpyxl"
    return fast, slow


@pytest.mark.parametrize("merged", [True, False])
def test_the_stream_copy_marks_what_openpyxl_marks_and_keeps_the_clerks_workbook(tmp_path, monkeypatch, merged):
    src = clerk_book(tmp_path / "township.xlsx", merged)
    issues = checked(src)
    passes = []
    monkeypatch.setattr(markup, "_marked", lambda part, sheet, *rest, once=markup._marked: passes.append(sheet.name)
                        or once(part, sheet, *rest))
    fast, slow = both(src, issues, tmp_path)
    # One pass over the roster's rows; a second only when a problem cell turns out to lie inside a
    # merged range (the merged ID).
    assert passes == (["花名册", "花名册"] if merged else ["花名册"])
    got, want, original = snapshot(fast), snapshot(slow), snapshot(src)
    assert got == want

    problems = openpyxl.load_workbook(fast)["数据问题"]
    listed = list(problems.iter_rows(min_row=2, values_only=True))
    assert len(listed) == len(issues) and [r[1] for r in listed] == [i.code for i in issues]
    placed = {(r[1], r[3]) for r in listed}
    # Its own cell; a blank cell (absent from the file) added; a merged ID's problems on the range's
    # first cell; a totals row's on its first filled cell, the blank A skipped.
    assert {("roster.id-checksum", "B4"), ("roster.level-unknown", "D5"), ("roster.id-checksum", "B7")} <= placed
    assert ("roster.level-missing", "D6") in placed and ("roster.total-row", "B10") in placed
    assert (("roster.id-checksum", "B8") in placed) is not merged and ("roster.columns-ignored", "A2") in placed
    roster = got["花名册"]["cells"]
    assert roster["B7"][5].count("校验码") == (2 if merged else 1) and roster["B7"][4] == "FFC7CE"
    assert roster["B4"][1:4] == original["花名册"]["cells"]["B4"][1:4] == ("@", False, "thin")  # the clerk's format
    for k, row in enumerate(listed, start=2):
        if row[3]:
            assert problems.cell(k, 4).hyperlink.location == f"'{row[2]}'!{row[3]}"
            value, _, _, _, colour, comment, _ = roster[row[3]]
            assert colour == ("FFC7CE" if row[0] == "错误" else "FFEB9C") and row[7] in comment and row[8] in comment
    # Every other cell as it was: values, formulas, formats; the widths, merges and the other sheet.
    for name in ("花名册", "备注"):
        for ref, (value, number_format, b, border, colour, comment, _) in original[name]["cells"].items():
            now = got[name]["cells"][ref]
            assert now[:4] == (value, number_format, b, border)
            if now[4] != colour:
                assert ref in {r[3] for r in listed}
        assert got[name]["widths"] == original[name]["widths"] and got[name]["merged"] == original[name]["merged"]
    assert got["花名册"]["cells"]["J3"][0] == "=LEN(B3)" and got["备注"]["cells"]["A2"][0] == "=SUM(B1:B3)"
    assert got["sheets"] == ["数据问题", "花名册", "备注"] and got["active"] == "数据问题"
    assert [got[n]["selected"] for n in got["sheets"]] == [True, False, False]
    assert got["数据问题"]["freeze"] == "A2" and got["数据问题"]["filter"] == f"A1:I{len(issues) + 1}"
    assert got["花名册"]["print_titles"] == original["花名册"]["print_titles"] == "$2:$2"
    with zipfile.ZipFile(fast) as z, zipfile.ZipFile(src) as before:
        # Parts that do not change are copied as they were compressed; the new ones are declared.
        for info in before.infolist():
            if info.filename in ("xl/theme/theme1.xml", "xl/sharedStrings.xml", "docProps/core.xml"):
                assert z.getinfo(info.filename).CRC == info.CRC
                assert z.getinfo(info.filename).compress_size == info.compress_size
        types = z.read("[Content_Types].xml").decode()
        assert "/xl/comments1.xml" in types and 'Extension="vml"' in types
        assert "<vt:lpstr>数据问题</vt:lpstr>" in z.read("docProps/app.xml").decode()
        assert "<legacyDrawing" in z.read("xl/worksheets/sheet1.xml").decode()
        names = {(e.get("name"), e.get("localSheetId"), e.text)
                 for e in ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{{{MAIN}}}definedName")}
        assert names == {("_xlnm._FilterDatabase", "0", f"'数据问题'!$A$1:$I${len(issues) + 1}"),
                         ("_xlnm.Print_Titles", "1", "花名册!$2:$2")}  # the roster's print titles: now sheet 1


def test_cells_and_rows_absent_from_the_file_are_made_in_their_place_in_english(tmp_path):
    src = tmp_path / "gaps.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    ws.write_row(4, 0, [v.isoformat() if isinstance(v, date) else v for v in person(2)])
    wb.close()
    at = [(3, 2), (3, 1), (2, 9), (5, 12), (9, 3), (40, 1), (2, 2)]  # rows 3, 4 and after 5 are not in the file
    issues = [Issue.make("roster.level-unknown" if k % 2 else "roster.id-checksum", Location("", "花名册", r, "", col=c),
                         "x") for k, (r, c) in enumerate(at)]
    issues.append(Issue.make("roster.total-row", Location("", "花名册", 4)))  # a whole empty row: its A
    fast, slow = both(src, issues, tmp_path, "en")
    assert snapshot(fast) == snapshot(slow)
    back = openpyxl.load_workbook(fast)
    assert back.sheetnames == ["Problems", "花名册"]
    assert [r[3] for r in back["Problems"].iter_rows(min_row=2, values_only=True)] == [
        "B3", "A3", "I2", "L5", "C9", "A40", "B2", "A4"]
    for ref in ("B3", "A3", "I2", "L5", "C9", "A40", "B2", "A4"):
        assert fill(back["花名册"][ref]) in ("FFC7CE", "FFEB9C") and back["花名册"][ref].comment is not None
    xml = zipfile.ZipFile(fast).read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:L40"/>' in xml  # grown to the cells added
    assert re.search(r'<row r="5"[^>]*>', xml).group(0) == '<row r="5">'  # spans="1:9" no longer true: gone
    assert 'spans="1:9"' in re.search(r'<row r="2"[^>]*>', xml).group(0)  # still true (B2, I2): kept
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(numbers) == [1, 2, 3, 4, 5, 9, 40]
    for row in re.findall(r"<row [^>]*>(.*?)</row>", xml):
        cols = [ref for ref in re.findall(r'<c r="([A-Z]+)\d+"', row)]
        assert cols == sorted(cols, key=lambda c: (len(c), c))  # cells in column order


def test_rows_found_among_many_by_their_numbers():
    numbers = {1, 2, 9, 10, 19, 100, 1000, 99999, 100000, 5}
    pattern = re.compile(rb"^" + _alternatives(numbers) + rb"$")
    for n in range(1, 100_001):
        assert bool(pattern.match(str(n).encode())) == (n in numbers)


def _rewritten(src: Path, out: Path, part: str, change) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            data = z.read(info.filename)
            w.writestr(info.filename, change(data) if info.filename == part else data)
    return out


def prefixed(xml: bytes) -> bytes:
    """The sheet as some generators write it: every element with a prefix."""
    xml = xml.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="').replace(b"</worksheet>", b"</x:worksheet>")
    return re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", xml).replace(b"<x:x:", b"<x:").replace(b"</x:x:", b"</x:")


def no_row_numbers(xml: bytes) -> bytes:
    return re.sub(rb'<row r="\d+"', b"<row", re.sub(rb'<c r="[A-Z]+\d+"', b"<c", xml))


def with_comment(src: Path, out: Path) -> Path:
    book = openpyxl.load_workbook(src)
    book["花名册"]["K3"].comment = openpyxl.comments.Comment("乡镇的批注", "clerk")
    book.save(out)
    return out


@pytest.mark.parametrize("case", ["comments", "prefixed", "no-row-numbers", "quoted-styles"])
def test_what_the_stream_cannot_be_sure_of_goes_to_openpyxl(tmp_path, case):
    src = clerk_book(tmp_path / "township.xlsx")
    issues = checked(src)
    if case == "comments":
        odd = with_comment(src, tmp_path / "odd.xlsx")
    elif case == "prefixed":
        odd = _rewritten(src, tmp_path / "odd.xlsx", "xl/worksheets/sheet1.xml", prefixed)
    elif case == "no-row-numbers":
        odd = _rewritten(src, tmp_path / "odd.xlsx", "xl/worksheets/sheet1.xml", no_row_numbers)
    else:  # attributes in single quotes: XML, but not what the stream's patterns read
        odd = _rewritten(src, tmp_path / "odd.xlsx", "xl/styles.xml",
                         lambda x: re.sub(rb'<cellXfs count="(\d+)">', rb"<cellXfs count='\1'>", x))
    assert snapshot(odd)["花名册"]["cells"]["B4"][0] == BAD_SUM  # openpyxl reads it
    out = tmp_path / "checked.xlsx"
    assert annotate(odd, issues, out) == "openpyxl"
    back = openpyxl.load_workbook(out)
    assert back.sheetnames[0] == "数据问题" and fill(back["花名册"]["B4"]) == "FFC7CE"
    assert "校验码" in back["花名册"]["B4"].comment.text
    if case == "comments":
        assert back["花名册"]["K3"].comment.text == "乡镇的批注"


def test_a_roster_with_comments_on_a_sheet_without_problems_keeps_the_fast_path(tmp_path):
    src = clerk_book(tmp_path / "township.xlsx")
    book = openpyxl.load_workbook(src)
    book["备注"]["C1"].comment = openpyxl.comments.Comment("另一张表的批注", "clerk")
    book.save(tmp_path / "noted.xlsx")
    out = tmp_path / "checked.xlsx"
    issues = checked(tmp_path / "noted.xlsx")
    assert annotate(tmp_path / "noted.xlsx", issues, out) == "zip"
    back = openpyxl.load_workbook(out)
    assert back["备注"]["C1"].comment.text == "另一张表的批注" and "校验码" in back["花名册"]["B4"].comment.text
    with zipfile.ZipFile(out) as z:  # each sheet's notes in shapes of its own numbers
        maps = [re.search(rb'<\w+:idmap [^>]*data="([^"]+)"', z.read(n)).group(1)
                for n in z.namelist() if n.endswith(".vml")]
    assert len(maps) == 2 and len(set(maps)) == 2


def test_the_cli_writes_the_stream_copy(tmp_path):
    src = clerk_book(tmp_path / "township.xlsx")
    out = tmp_path / "checked.xlsx"
    assert invoke("check", src, "--policy", CHUZHOU, "--annotate", out).exit_code == 1
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert any(n.endswith(".vml") for n in z.namelist())  # openpyxl would have named its own
        assert b"t=\"inlineStr\"" in z.read(sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[-1])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_stream_copy(tmp_path):
    src = clerk_book(tmp_path / "township.xlsx")
    out = tmp_path / "checked.xlsx"
    assert annotate(src, checked(src), out) == "zip"
    run = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                          "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                          "--outdir", str(tmp_path / "csv"), str(out)], capture_output=True, timeout=180)
    assert run.returncode == 0, run.stderr
    sheets = {p.name: p.read_text("utf-8") for p in (tmp_path / "csv").glob("*.csv")}
    problems = next(text for name, text in sheets.items() if "数据问题" in name)
    roster = next(text for name, text in sheets.items() if "花名册" in name)
    assert "roster.id-checksum" in problems and "B4" in problems
    assert TITLE in roster and BAD_SUM in roster and "乡镇的备注" in next(t for n, t in sheets.items() if "备注" in n)


def as_xlsm(src: Path, out: Path) -> Path:
    """The roster saved with macros: a VBA part, its relationship, the macro-enabled workbook type."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"MACRO").replace(
                    b"application/vnd.openxmlformats-officedocument.MACRO", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                    b'vbaProject"/><Override PartName="/xl/vbaProject.bin" ContentType="application/'
                                    b'vnd.ms-office.vbaProject"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/'
                                    b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            w.writestr(info.filename, data)
        w.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real macro")
    return out


def test_a_roster_with_macros_gives_a_plain_xlsx(tmp_path):
    src = as_xlsm(clerk_book(tmp_path / "township.xlsx", merged=False), tmp_path / "township.xlsm")
    issues = checked(src)
    out = tmp_path / "checked.xlsx"
    assert annotate(src, issues, out) == "zip"
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" not in z.namelist() and b"vbaProject" not in z.read("xl/_rels/workbook.xml.rels")
        types = z.read("[Content_Types].xml")
        assert b"macroEnabled" not in types and b'PartName="/xl/workbook.xml" ContentType="application/vnd.openxml' \
            b'formats-officedocument.spreadsheetml.sheet.main+xml"' in types
    back = snapshot(out)
    assert back["sheets"] == ["数据问题", "花名册", "备注"] and back["花名册"]["cells"]["B4"][4] == "FFC7CE"
