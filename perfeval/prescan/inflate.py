"""Zip members inflated by our own bounded inflater: sizes, CRC and XML declarations checked as the bytes come."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

from .limits import CHUNK, MAX_UNCOMPRESSED
from .outcome import ENTITY_MESSAGE, Refused

_DECLARATION = re.compile(
    b"|".join([rb"<!(?:DOCTYPE|ENTITY)"] + [re.escape(w.encode(enc)) for w in ("<!DOCTYPE", "<!ENTITY")
                                               for enc in ("utf-16-le", "utf-16-be")]), re.I)
_DECLARATION_OVERLAP = 32
# Members never parsed as XML by the readers: pictures and binary parts (an SVG picture often has a DOCTYPE).
BINARY_MEMBER = re.compile(r"\.(png|jpe?g|gif|bmp|emf|wmf|tiff?|ico|svg|bin|wdp|jfif)$", re.I)

CORRUPT_ZIP = "文件已损坏（压缩包不完整或有错误，常见于下载或邮件传输中断）。请用 Excel 或 WPS 重新保存后提交，或重新发送原文件。"


def too_large(detail: str) -> Refused:
    return Refused("file-too-large", f"文件解压后过大（{detail}），疑似“压缩炸弹”，为安全起见未读取。"
                   f"正常填写的模板解压后不到 {MAX_UNCOMPRESSED // 2**20} MB。请提交用标准模板填写的工作簿。")


def read_member(raw, info: zipfile.ZipInfo, limit: int) -> bytes:
    out = bytearray()
    inflate(raw, info, [MAX_UNCOMPRESSED], sink=out.extend, stop_at=limit)
    return bytes(out[:limit])


def inflate(raw, info: zipfile.ZipInfo, budget: list[int], sink, stop_at: int | None = None) -> None:
    """Inflate one member from the raw file, never producing more than its declared size or the budget.

    Sizes that lie (a member inflating past its declared size), a bad CRC, a truncated member and an XML
    declaration (DOCTYPE/ENTITY) in a part the readers parse all raise :class:`Refused`.
    """
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
        raise Refused("file-unreadable", CORRUPT_ZIP)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    scan = not BINARY_MEMBER.search(info.filename)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced, crc, tail = 0, 0, b""
    for out in _pieces(raw, info.compress_size, inflater):
        produced += len(out)
        if produced > info.file_size:
            raise too_large(f"部件 {info.filename} 实际解压大小超过其声明的大小")
        if produced > budget[0]:
            raise too_large(f"实际解压大小超过 {MAX_UNCOMPRESSED // 2**20} MB")
        crc = zlib.crc32(out, crc)
        if scan:
            window = tail + out
            if _DECLARATION.search(window):
                raise Refused("file-xml-entities", ENTITY_MESSAGE.format(part=info.filename))
            tail = window[-_DECLARATION_OVERLAP:]
        if sink is not None and out:
            sink(out)
        if stop_at is not None and produced >= stop_at:
            return
    if (inflater is not None and not inflater.eof) or produced != info.file_size or crc != info.CRC:
        raise Refused("file-unreadable", CORRUPT_ZIP)
    budget[0] -= produced


def _pieces(raw, size: int, inflater):
    """The member's bytes, inflated CHUNK by CHUNK at most, however much one compressed chunk expands."""
    left = size
    while left:
        data = raw.read(min(CHUNK, left))
        if not data:
            raise Refused("file-unreadable", CORRUPT_ZIP)
        left -= len(data)
        if inflater is None:
            yield data
            continue
        try:
            yield inflater.decompress(data, CHUNK)
            while inflater.unconsumed_tail and not inflater.eof:
                yield inflater.decompress(inflater.unconsumed_tail, CHUNK)
        except zlib.error:
            raise Refused("file-unreadable", CORRUPT_ZIP) from None
    if inflater is not None and not inflater.eof:
        try:
            yield inflater.flush()
        except zlib.error:
            raise Refused("file-unreadable", CORRUPT_ZIP) from None
