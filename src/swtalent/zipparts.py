"""The parts of an .xlsx (a zip) inflated and deflated by ISA-L (python-isal) instead of zlib: the
same raw deflate streams, four times as fast to inflate and three times to deflate. A million-row
payroll is 750 MB of sheet XML, inflated and deflated again to amend it (reports/printing), and a
million-row roster 480 MB, inflated to scan it beside fastexcel (roster/fastxlsx); zlib took 3 s
to inflate the larger payroll part, ISA-L 0.7 s."""
from __future__ import annotations

import struct
import zipfile

from isal import isal_zlib

crc32 = isal_zlib.crc32


class OtherKindOfPart(Exception):
    """A part compressed otherwise than stored or deflated, or encrypted: zipfile's own reader reads it."""


def seek_data(src, info: zipfile.ZipInfo) -> None:
    """To the start of a part's data (compressed as it is) in the zip file `src`."""
    src.seek(info.header_offset)
    name_len, extra_len = struct.unpack("<HH", src.read(30)[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)


class Inflating:
    """A part read as a file is (read(n)), inflated as it is read. `check`: its CRC is compared at
    the end, as zipfile does (BadZipFile); a part this process wrote a moment ago, and writes anew
    with a CRC of its own, is not checked (0.6 s of a million-line payroll under zlib)."""

    def __init__(self, src, info: zipfile.ZipInfo, check: bool = True):
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise OtherKindOfPart(info.filename)
        seek_data(src, info)
        self.src, self.left, self.held, self.at = src, info.compress_size, b"", 0
        self.inflater = isal_zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        self.crc, self.expected = (0, info.CRC) if check else (None, None)
        self.name = info.filename  # for what a damaged part is called, as zipfile names it

    def __enter__(self) -> Inflating:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def read(self, n: int = -1) -> bytes:
        """Up to n bytes (all that is left when n is negative); b"" at the end."""
        if n < 0:
            n = 1 << 62
        more, have = [], len(self.held) - self.at
        while have < n and self.left:  # a quarter MiB at a time: XML inflates to seven times its size
            raw = self.src.read(min(self.left, 1 << 18))
            if not raw:
                raise zipfile.BadZipFile("the workbook ends inside a part")
            self.left -= len(raw)
            try:
                piece = self.inflater.decompress(raw) if self.inflater else raw
                if self.inflater and not self.left:
                    piece += self.inflater.flush()
            except isal_zlib.error as exc:
                raise zipfile.BadZipFile(f"part '{self.name}' of the workbook is damaged ({exc})") from exc
            more.append(piece)
            have += len(piece)
        if more:  # one join of what was held and what was inflated
            self.held, self.at = b"".join([self.held[self.at:], *more]), 0
        out = self.held[self.at:self.at + n]
        self.at += len(out)
        if self.crc is not None:
            self.crc = crc32(out, self.crc)
            if not self.left and self.at == len(self.held) and self.crc != self.expected:
                # checked as the last bytes are handed out, as zipfile does: a reader that stops there still hears
                raise zipfile.BadZipFile(f"Bad CRC-32 for file '{self.name}' (part of the workbook is damaged)")
        return out


def open_part(z: zipfile.ZipFile, src, name: str):
    """Part `name` of the zip `z` (opened from the file object `src`), to read(n) from; zipfile's
    own reader for a part it alone can read (another compression, encryption)."""
    info = z.getinfo(name)
    try:
        return Inflating(src, info)
    except OtherKindOfPart:
        return z.open(name)


def read_part(z: zipfile.ZipFile, src, name: str) -> bytes:
    """Part `name` of the zip `z` (opened from the file object `src`), whole."""
    stream, pieces = open_part(z, src, name), []
    while piece := stream.read(1 << 24):
        pieces.append(piece)
    return b"".join(pieces)


def deflate(pieces: list[bytes], level: int, last: bool) -> bytes:
    """Raw deflate data for pieces that follow one another in a part; every run but the last ends on
    a byte (a sync flush) and is not final, so that runs compressed alone, on several threads, join
    into one valid stream (as pigz does). ISA-L's levels are 0 to 3."""
    packer = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    out = [packer.compress(p) for p in pieces]
    out.append(packer.flush(isal_zlib.Z_FINISH if last else isal_zlib.Z_SYNC_FLUSH))
    return b"".join(out)
