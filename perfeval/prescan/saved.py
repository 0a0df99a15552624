"""When a file says it was last saved: ``docProps/core.xml`` (xlsx, docx), ``meta.xml`` (ods), the
SummaryInformation stream of an OLE2 file (xls)."""

from __future__ import annotations

import re
import struct
from datetime import datetime, timedelta, timezone

from .outcome import KIND_DOCX, KIND_ODS, KIND_XLSX

PROPERTY_PARTS = {KIND_XLSX: "docprops/core.xml", KIND_DOCX: "docprops/core.xml", KIND_ODS: "meta.xml"}  # lower case
MAX_PROPERTY_BYTES = 2**20  # a core.xml or meta.xml has a few hundred bytes
# xlsx, docx: <dcterms:modified> (W3CDTF, UTC); ods: <dc:date> (ISO 8601, usually local time without a zone).
_MODIFIED = re.compile(r"<(?:\w+:)?modified(?=[\s>])[^>]*>\s*([^<]{1,64}?)\s*</")
_SAVED_ELEMENT = {KIND_XLSX: _MODIFIED, KIND_DOCX: _MODIFIED,
                  KIND_ODS: re.compile(r"<(?:\w+:)?date(?=[\s>])[^>]*>\s*([^<]{1,64}?)\s*</")}
_ISO_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
                       r"(Z|[+-]\d\d:?\d\d)?", re.I)
EARLIEST_SAVE = datetime(1990, 1, 1, tzinfo=timezone.utc)  # before: a placeholder (0, 1601, 1899), not a save


def zip_saved_time(data: bytes, kind: str) -> datetime | None:
    """The saved time in a core.xml (xlsx) or meta.xml (ods); None when it has none that can be read."""
    match = _SAVED_ELEMENT[kind].search(data.decode("utf-8", "replace")) if data else None
    return parse_saved_time(match[1]) if match else None


def parse_saved_time(text: str) -> datetime | None:
    """An ISO 8601 / W3CDTF time as an aware datetime in local time; a time without a zone is local time
    (LibreOffice writes those). None when unreadable or implausible."""
    match = _ISO_TIME.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                         int((fraction or "0")[:6].ljust(6, "0")))
        if zone:
            offset = zone.upper().replace(":", "")
            value = value.replace(tzinfo=timezone.utc if offset == "Z" else timezone(
                (-1 if offset[0] == "-" else 1) * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))))
        value = value.astimezone()
    except (ValueError, OverflowError, OSError):
        return None
    return value if value >= EARLIEST_SAVE else None

SUMMARY_STREAM = "\x05SummaryInformation"  # in an OLE2 file
_FMTID_SUMMARY = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")  # {F29F85E0-4FF9-1068-AB91-08002B27B3D9}
_PIDSI_LASTSAVE_DTM, _VT_FILETIME = 0x0D, 0x40
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def summary_saved_time(data: bytes) -> datetime | None:
    """PIDSI_LASTSAVE_DTM of a SummaryInformation property set ([MS-OLEPS], the stream's first bytes); None when
    absent or unreadable."""
    try:
        sets = struct.unpack_from("<I", data, 24)[0]
        for n in range(min(sets, 8)):
            fmtid, start = data[28 + 20 * n:44 + 20 * n], struct.unpack_from("<I", data, 44 + 20 * n)[0]
            if fmtid != _FMTID_SUMMARY:
                continue
            count = struct.unpack_from("<I", data, start + 4)[0]
            for i in range(min(count, 1024)):
                pid, offset = struct.unpack_from("<II", data, start + 8 + 8 * i)
                if pid == _PIDSI_LASTSAVE_DTM:
                    vt, ticks = struct.unpack_from("<H2xQ", data, start + offset)
                    if vt != _VT_FILETIME or not ticks:
                        return None
                    value = (_FILETIME_EPOCH + timedelta(microseconds=ticks // 10)).astimezone()
                    return value if value >= EARLIEST_SAVE else None
    except (ValueError, StopIteration, struct.error, OverflowError, OSError):
        return None
    return None
