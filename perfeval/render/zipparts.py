"""Zip archives from parts already deflated: a template's parts are compressed once and copied into every output
(the report's .docx), and a large part can be deflated as it is produced (the summary's sheets)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import BinaryIO

_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00: every member, so the output is byte-stable


def raw_members(data: bytes) -> list[tuple[str, int, int, bytes]]:
    """(name, crc32, uncompressed size, compressed bytes) of each member of a zip written by zipfile, in order."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x8:
                raise ValueError(f"unexpected zip member {info.filename}")
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            members.append((info.filename, info.CRC, info.file_size, data[start:start + info.compress_size]))
    return members


def deflate(data: bytes) -> bytes:
    """Raw deflate at zipfile's default level (what python-docx writes)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zip_of(members: Iterable[tuple[str, int, int, bytes]], out: BinaryIO | None = None) -> bytes | None:
    """A zip archive of already deflated members (local headers, data, central directory): returned, or written
    to ``out``."""
    target = out if out is not None else io.BytesIO()
    central, count, offset = bytearray(), 0, 0
    for name, crc, size, raw in members:
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE, crc, len(raw), size,
                             len(encoded), 0)
        target.write(header + encoded)
        target.write(raw)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, _DOS_TIME, _DOS_DATE, crc,
                               len(raw), size, len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
        offset += len(header) + len(encoded) + len(raw)
        count += 1
    target.write(bytes(central) + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0))
    return target.getvalue() if out is None else None


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine, which Python does not offer)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class DeflatedPiece:
    """Part of a zip member deflated as it is produced, ending on a byte boundary (a sync flush), so that pieces
    deflated apart join into one member: see :func:`joined`."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self._out: list[bytes] = []
        self.crc = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        out = self._compressor.compress(data)
        if out:
            self._out.append(out)

    def raw(self, final: bool = False) -> bytes:
        """The deflated bytes (call once)."""
        self._out.append(self._compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH))
        return b"".join(self._out)


def joined(name: str, pieces: list[DeflatedPiece]) -> tuple[str, int, int, bytes]:
    """One zip member (for :func:`zip_of`) made of pieces deflated apart, in order."""
    crc, size, raw = 0, 0, []
    for i, piece in enumerate(pieces):
        crc = crc32_combine(crc, piece.crc, piece.size)
        size += piece.size
        raw.append(piece.raw(final=i == len(pieces) - 1))
    return name, crc, size, b"".join(raw)


def piece(data: bytes) -> DeflatedPiece:
    part = DeflatedPiece()
    part.write(data)
    return part
