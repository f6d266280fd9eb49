"""A chart that stops short of its table's last rows: the 合计 row of 区县汇总 is not a 区县, and
a bar for it would dwarf the others.

rustpy-xlsxwriter draws a chart over every data row of its sheet, and writes every other cell as
data too, so the 合计 row is written as a data row and the chart's ranges are shortened here, in
the saved file. Its chart parts are the last entries of the file, after the (large) worksheets:
only the entries from the first chart on are rewritten, so the cost does not grow with the
payroll's 100,000 lines.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

_REF = re.compile(r"(<c:f>)([^<]*!\$[A-Z]+\$)(\d+)(:\$[A-Z]+\$)(\d+)(</c:f>)")
_BLOCK = re.compile(r"<c:(cat|val)>.*?</c:\1>", re.S)
_POINT = re.compile(r'<c:pt idx="(\d+)">.*?</c:pt>', re.S)


def _sheet_ref(sheet: str) -> tuple[str, ...]:
    return (f"'{sheet}'!", f"{sheet}!")


def shorten(xml: str, sheet: str, rows: int) -> str:
    """Every category and value range of a chart drawn from `sheet` ends `rows` rows earlier; the
    cached points past the new end are dropped and the point counts follow."""
    def block(m: re.Match) -> str:
        text = m.group(0)
        ref = _REF.search(text)
        if ref is None or not ref.group(2).startswith(_sheet_ref(sheet)):
            return text
        first, last = int(ref.group(3)), int(ref.group(5)) - rows
        count = last - first + 1
        text = text[:ref.start()] + "".join((ref.group(1), ref.group(2), ref.group(3), ref.group(4), str(last),
                                             ref.group(6))) + text[ref.end():]
        text = _POINT.sub(lambda p: p.group(0) if int(p.group(1)) < count else "", text)
        return re.sub(r'<c:ptCount val="\d+"/>', f'<c:ptCount val="{count}"/>', text)
    return _BLOCK.sub(block, xml)


def leave_out_last_rows(path: Path, sheets: dict[str, int]) -> None:
    """Each chart drawn from one of `sheets` (name -> rows) leaves out that many rows at the end."""
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist()]
        edits = {}
        for name in names:
            if name.startswith("xl/charts/chart") and name.endswith(".xml"):
                xml = original = zf.read(name).decode("utf-8")
                for sheet, rows in sheets.items():
                    xml = shorten(xml, sheet, rows)
                if xml != original:
                    edits[name] = xml.encode("utf-8")
    if edits:
        _replace_entries(path, edits)


def _replace_entries(path: Path, edits: dict[str, bytes]) -> None:
    """Rewrite the archive from the first edited entry on, in place (zipfile's append mode, its
    entries after that point forgotten), or, where that is not possible, the whole archive."""
    with zipfile.ZipFile(path, "a") as zf:
        infos = zf.infolist()
        first = min(k for k, info in enumerate(infos) if info.filename in edits)
        if hasattr(zf, "start_dir") and all(info.header_offset >= infos[first].header_offset for info in infos[first:]):
            tail = [(info, edits.get(info.filename) or zf.read(info)) for info in infos[first:]]
            del zf.filelist[first:]
            for info, _ in tail:
                del zf.NameToInfo[info.filename]
            zf.start_dir = tail[0][0].header_offset  # the next entry is written here; close truncates after
            for info, data in tail:
                zf.writestr(zipfile.ZipInfo(info.filename, info.date_time), data, compress_type=zipfile.ZIP_DEFLATED)
            return
    whole = path.with_name(path.name + ".charts")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, info.date_time), edits.get(info.filename) or src.read(info))
    shutil.move(whole, path)
