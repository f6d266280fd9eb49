"""zipparts: a workbook's parts inflated and deflated by ISA-L read and write what zlib does."""
from __future__ import annotations

import os
import zipfile
import zlib

import pytest

from swtalent.zipparts import Inflating, deflate, open_part, read_part

from .conftest import CHUZHOU
from .formats import write_book

XML = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d.5</v></c></row>' % (r, r, r % 97, r, r)
               for r in range(1, 200_000))
NOISE = os.urandom(1 << 20)  # stored by deflate as it is: blocks of another kind


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("deflated.xml", XML, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("stored.xml", XML[:100_000], compress_type=zipfile.ZIP_STORED)
        z.writestr("noise.bin", NOISE, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("empty.xml", b"", compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("name", ["deflated.xml", "stored.xml", "noise.bin", "empty.xml"])
@pytest.mark.parametrize("size", [1, 4096, 1 << 24])
def test_a_part_reads_as_zipfile_reads_it(book, name, size):
    with zipfile.ZipFile(book) as z, open(book, "rb") as src:
        stream, got = open_part(z, src, name), []
        while piece := stream.read(size):
            assert len(piece) <= size
            got.append(piece)
        assert b"".join(got) == z.read(name) == read_part(z, src, name)
        rest = open_part(z, src, name)
        assert rest.read(size) + rest.read() == z.read(name) and rest.read() == b""


def _damage(path, name: str, at_end: bool):
    """Part `name` with one byte of its data changed: near its end (the inflater may not notice:
    the CRC does) or at its start (no longer valid deflate data)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename)
    data[start + info.compress_size - 40 if at_end else start + 2] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("at_end", [True, False])
def test_a_damaged_part_is_bad_zip_not_wrong_bytes(book, at_end):
    _damage(book, "deflated.xml", at_end)
    with zipfile.ZipFile(book) as z, open(book, "rb") as src, pytest.raises(zipfile.BadZipFile) as caught:
        read_part(z, src, "deflated.xml")
    assert "deflated.xml" in str(caught.value)  # which part, as zipfile's own message says


def test_a_bad_crc_is_heard_by_a_reader_that_takes_exactly_the_part(book):
    """A reader that asks for the part's size and stops never reads b"": it must hear the CRC then."""
    with zipfile.ZipFile(book) as z, open(book, "rb") as src:
        info = z.getinfo("deflated.xml")
        info.CRC ^= 1
        with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32 for file 'deflated.xml'"):
            Inflating(src, info).read(info.file_size)


def test_a_part_written_a_moment_ago_is_not_checked_when_asked(book):
    with zipfile.ZipFile(book) as z, open(book, "rb") as src:
        info = z.getinfo("deflated.xml")
        info.CRC ^= 1  # as if damaged: an unchecked read passes, a checked one is refused
        unchecked = Inflating(src, info, check=False)
        assert b"".join(iter(lambda: unchecked.read(1 << 20), b"")) == XML
        checked = Inflating(src, info)
        with pytest.raises(zipfile.BadZipFile):
            while checked.read(1 << 20):
                pass


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_runs_deflated_alone_join_into_one_stream(level):
    runs = [[XML[:1000], XML[1000:300_000]], [NOISE], [], [XML[300_000:]]]
    joined = b"".join(deflate(run, level, k == len(runs) - 1) for k, run in enumerate(runs))
    assert zlib.decompress(joined, -15) == XML[:300_000] + NOISE + XML[300_000:]


@pytest.mark.parametrize("fast", [True, False])
def test_a_roster_with_a_damaged_sheet_is_said_unreadable(tmp_path, monkeypatch, fast):
    """Whichever way it is read, a damaged sheet is file.unreadable, naming the file, not a traceback."""
    from swtalent.roster import source

    from .test_cli import invoke

    monkeypatch.setattr(source, "FAST_READ_FROM", 0 if fast else 1 << 62)
    rows = [["姓名", "身份证号"]] + [[f"张{k}", "110101199003071234"] for k in range(2000)]
    path = write_book(tmp_path / "r.xlsx", {"花名册": rows})
    _damage(path, "xl/worksheets/sheet1.xml", at_end=False)
    result = invoke("check", path, "--policy", CHUZHOU, "--period", "2023")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "r.xlsx：无法读取文件" in result.output
