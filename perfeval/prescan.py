"""A cheap look at a file before any spreadsheet library parses it (see docs/security.md).

:func:`prescan` runs at the start of :func:`perfeval.reader.read_workbook`. It finds the file's real format from
its first bytes (not its extension) and refuses, with a problem that says what to do, what would make a parser
spend unbounded time or memory:

- zip containers (.xlsx, .xlsm, .ods): too many members, a total uncompressed size or a compression ratio past
  the limits (judged first from the central directory, then by inflating every member with a bounded budget, so
  that sizes that lie are caught), a ``<!DOCTYPE``/``<!ENTITY`` declaration in any XML part;
- sheets whose cells span a huge area: calamine allocates the full rectangle between a sheet's first and last
  cell (32 bytes a cell), so two cells at A1 and XFD1048576 ask for 512 GB and abort the process. The scan reads
  the cell positions from the sheet XML (xlsx), the row/column repeats (ods) or the BIFF cell records (xls);
- OLE2 containers: an encrypted OOXML package (streams ``EncryptionInfo``/``EncryptedPackage``), an .xls with a
  FILEPASS record, and Word or PowerPoint files.

On the way it picks up when the workbook says it was last saved (:attr:`Prescan.saved_at`), from the small part
that holds it: ``docProps/core.xml`` (xlsx), ``meta.xml`` (ods), the SummaryInformation stream (xls).

Nothing here executes or evaluates anything from the file; it only reads bytes.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from xml.parsers import expat
from pathlib import Path

from . import model as m
from .problems import Problem

MAX_FILE_BYTES = 100 * 2**20  # a filled template is well under 1 MB
MAX_UNCOMPRESSED = 200 * 2**20  # all members of a zip together, inflated
MAX_MEMBERS = 2000  # members of a zip; a workbook has a few dozen
MAX_RATIO = 200  # compression ratio allowed for a member ...
RATIO_MIN_BYTES = 10 * 2**20  # ... once it inflates to more than this
MAX_SHEET_CELLS = 2_000_000  # area (rows x columns) between a sheet's first and last cell
MAX_BOOK_CELLS = 4_000_000  # the same, all sheets together, for formats read whole at opening (xls, ods)
CHUNK = 2**20

KIND_XLSX, KIND_XLS, KIND_ODS, KIND_DOCX = "xlsx", "xls", "ods", "docx"
EXTENSIONS = {KIND_XLSX: (".xlsx", ".xlsm"), KIND_XLS: (".xls",), KIND_ODS: (".ods",), KIND_DOCX: (".docx",)}
FORMAT_NAMES = {KIND_XLSX: "Excel 工作簿（.xlsx）", KIND_XLS: "Excel 97-2003 工作簿（.xls）",
                KIND_ODS: "OpenDocument 电子表格（.ods）", KIND_DOCX: "Word 文档（.docx）"}

TEMPLATE_SHEETS = (m.SHEET_GUIDE, m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_SPENDING,
                   m.SHEET_INDICATORS, m.SHEET_VOLUMES)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_DECLARATION = re.compile(
    b"|".join([rb"<!(?:DOCTYPE|ENTITY)"] + [re.escape(w.encode(enc)) for w in ("<!DOCTYPE", "<!ENTITY")
                                               for enc in ("utf-16-le", "utf-16-be")]), re.I)
_DECLARATION_OVERLAP = 32
# Members never parsed as XML by the readers: pictures and binary parts (an SVG picture often has a DOCTYPE).
_BINARY_MEMBER = re.compile(r"\.(png|jpe?g|gif|bmp|emf|wmf|tiff?|ico|svg|bin|wdp|jfif)$", re.I)

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")


class _Refused(Exception):
    """The file cannot be read safely; ``problem`` says why."""

    def __init__(self, code: str, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.code, self.message, self.sheet, self.cell = code, message, sheet, cell


@dataclass
class Prescan:
    """What the pre-scan found: the real format, or None when the file must not be parsed."""

    kind: str | None
    problems: list[Problem] = field(default_factory=list)
    sheet_cells: dict[str, int] = field(default_factory=dict)  # sheet -> cell area found (for tests, bench)
    # sheet -> merged ranges ((r0, c0), (r1, c1)), for formats whose merges calamine does not report (ods)
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)
    saved_at: datetime | None = None  # when the workbook says it was last saved (local time), if it says so

    @property
    def ok(self) -> bool:
        return self.kind is not None


def prescan(path: str | Path, display_name: str | None = None, *, every_sheet: bool = False,
            word: bool = False) -> Prescan:
    """Look at ``path`` without parsing it as a spreadsheet; never raises for bad input.

    ``every_sheet`` measures every sheet of an .xlsx, not only the template's (a workbook of official tables is
    read sheet by sheet, whatever the sheets are called); ``word`` accepts a Word document (.docx), with the same
    zip and XML checks, as :data:`KIND_DOCX`.
    """
    path = Path(path)
    name = display_name or path.name
    result = Prescan(None)
    try:
        result.kind = _scan(path, result, every_sheet, word)
    except _Refused as exc:
        result.kind = None
        result.problems.append(Problem(exc.code, exc.message, name, exc.sheet, exc.cell))
        return result
    except Exception as exc:  # a bug here must not stop the batch: refuse rather than parse blind
        result.kind = None
        result.problems.append(Problem("file-unreadable", f"文件结构异常，无法安全读取（{type(exc).__name__}）。"
                                       "请用 Excel 或 WPS 打开后另存为 .xlsx 再提交。", name))
        return result
    suffix = path.suffix.lower()
    if result.kind and suffix not in EXTENSIONS[result.kind]:
        result.problems.append(Problem(
            "file-wrong-extension", f"文件扩展名为“{suffix or '（无）'}”，实际是{FORMAT_NAMES[result.kind]}，已按实际格式"
            f"读取。请将扩展名改为“{EXTENSIONS[result.kind][0]}”，以免其他软件打不开。", name, value=suffix))
    return result


def _scan(path: Path, result: Prescan, every_sheet: bool = False, word: bool = False) -> str:
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise _Refused("file-unreadable", f"无法打开文件（{exc.strerror or type(exc).__name__}）。"
                       "请确认文件未被其他程序占用、有读取权限后重试。") from None
    if size == 0:
        raise _Refused("file-empty", "文件是空的（0 字节），可能在保存或传输时出错。请重新保存工作簿后再提交。")
    if size > MAX_FILE_BYTES:
        raise _Refused("file-oversized", f"文件大小 {size / 2**20:.0f} MB，超出读取上限 {MAX_FILE_BYTES // 2**20} MB"
                       "（填好的模板通常不到 1 MB）。请删除多余的工作表、图片或行后重新提交。")
    if head.startswith(ZIP_MAGICS):
        return _scan_zip(path, result, every_sheet, word)
    if head.startswith(OLE_MAGIC):
        return _scan_ole(path, result)
    raise _Refused("file-not-spreadsheet", _what_is(head))


def _what_is(head: bytes) -> str:
    """A message for a file that is neither a zip nor an OLE2 container."""
    todo = "请提交用标准填报模板填写的 Excel 工作簿（.xlsx）。"
    lower = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是电子表格。" + todo
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "这是 Excel 2003 XML 表格格式，本工具无法读取。请用 Excel 或 WPS 打开后“另存为”.xlsx 格式再提交。"
    if lower.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in lower[:1024]:
        return "这是网页（HTML）格式的文件，只是扩展名像电子表格（某些系统导出的“Excel”就是这样）。请用 Excel 或 WPS " \
               "打开后“另存为”.xlsx 格式再提交。"
    if head.startswith(b"{\\rtf"):
        return "这是 RTF 文档，不是电子表格。" + todo
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "这是图片文件，不是电子表格。" + todo
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "这是压缩包，不是电子表格。请解压后提交其中用标准模板填写的工作簿（.xlsx）。"
    if b"\x00" not in head and _is_text(head):
        return "这是纯文本文件（如 CSV），不是 Excel 工作簿。请用 Excel 或 WPS 打开后“另存为”.xlsx 格式再提交。"
    return "文件不是电子表格，无法识别其格式（可能已损坏，或不是 Excel/WPS 保存的文件）。" + todo


def _is_text(head: bytes) -> bool:
    """UTF-8 or GB18030 text (the first bytes may end inside a character)."""
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                text = head[:len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            if all(ch.isprintable() or ch in "\t\r\n\f" for ch in text):
                return True
    return False


# ---- zip containers ----------------------------------------------------------------------------------------

_CORRUPT_ZIP = "文件已损坏（压缩包不完整或有错误，常见于下载或邮件传输中断）。请用 Excel 或 WPS 重新保存后提交，或重新发送原文件。"


_ENTITY_MESSAGE = ("文件的部件 {part} 含有 XML 文档类型或实体声明（<!DOCTYPE、<!ENTITY），Excel、WPS 保存的文件不会有，"
                   "可能是恶意构造的文件，为安全起见未读取。请用 Excel 或 WPS 打开后重新保存再提交。")


def _too_large(detail: str) -> _Refused:
    return _Refused("file-too-large", f"文件解压后过大（{detail}），疑似“压缩炸弹”，为安全起见未读取。"
                    f"正常填写的模板解压后不到 {MAX_UNCOMPRESSED // 2**20} MB。请提交用标准模板填写的工作簿。")


def _scan_zip(path: Path, result: Prescan, every_sheet: bool = False, word: bool = False) -> str:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise _Refused("file-unreadable", _CORRUPT_ZIP) from None
    with zf, open(path, "rb") as raw:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _too_large(f"压缩包内有 {len(infos)} 个部件，上限 {MAX_MEMBERS}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise _too_large(f"声明的解压大小 {total / 2**20:.0f} MB")
        for info in infos:
            if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _too_large(f"部件 {info.filename} 压缩比 {info.file_size // max(info.compress_size, 1)}:1")
            if info.flag_bits & 0x1:
                raise _Refused("file-encrypted", "压缩包内的部件设有密码，无法读取。请提交未加密的工作簿。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _Refused("file-unreadable", "文件使用了不常见的压缩方式，无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。")
        names = {i.filename for i in infos}
        kind = _zip_kind(names, _member(raw, zf.getinfo("mimetype"), 200) if "mimetype" in names else b"", word)
        budget = [MAX_UNCOMPRESSED]
        # Every member is inflated once, by our own bounded inflater, checking sizes, CRC and declarations. The
        # worksheets come last, so that the workbook's own parts are checked before they are followed, and the
        # template's sheets are measured as they are inflated (not inflated a second time).
        worksheets = [i for i in infos if i.filename.lower().startswith(_WORKSHEETS)] if kind == KIND_XLSX else []
        properties = bytearray()  # the part holding the saved time, kept as it is inflated (not read again)
        for info in infos:
            if info not in worksheets:
                keep = info.filename.lower() == _PROPERTY_PARTS[kind] and info.file_size <= MAX_PROPERTY_BYTES
                _inflate(raw, info, budget, sink=properties.extend if keep else None)
        result.saved_at = _zip_saved_time(bytes(properties), kind)
        if kind == KIND_XLSX:
            template = _template_parts(zf, names, every_sheet)
            for info in worksheets:
                sheet = template.pop(info.filename, None)
                area = _XlsxArea(info.filename, sheet) if sheet is not None else None
                _inflate(raw, info, budget, sink=area.feed if area else None)
                if area:
                    area.feed(b"", final=True)
                    _check_areas(result, area.boxes, book_limit=False)
            for part, sheet in template.items():  # a sheet kept outside xl/worksheets/ (hand-made or odd files)
                area = _XlsxArea(part, sheet)
                _inflate(raw, zf.getinfo(part), [MAX_UNCOMPRESSED], sink=area.feed)
                area.feed(b"", final=True)
                _check_areas(result, area.boxes, book_limit=False)
        elif kind == KIND_ODS and "content.xml" in names:
            area = _OdsArea("content.xml")
            _inflate(raw, zf.getinfo("content.xml"), [MAX_UNCOMPRESSED], sink=area.feed)
            area.feed(b"", final=True)
            _check_areas(result, area.boxes, book_limit=True)
            result.merged = area.merged
        return kind


_WORKSHEETS = "xl/worksheets/"
_PROPERTY_PARTS = {KIND_XLSX: "docprops/core.xml", KIND_DOCX: "docprops/core.xml", KIND_ODS: "meta.xml"}  # lower case
MAX_PROPERTY_BYTES = 2**20  # a core.xml or meta.xml has a few hundred bytes
# xlsx, docx: <dcterms:modified> (W3CDTF, UTC); ods: <dc:date> (ISO 8601, usually local time without a zone).
_MODIFIED = re.compile(r"<(?:\w+:)?modified(?=[\s>])[^>]*>\s*([^<]{1,64}?)\s*</")
_SAVED_ELEMENT = {KIND_XLSX: _MODIFIED, KIND_DOCX: _MODIFIED,
                  KIND_ODS: re.compile(r"<(?:\w+:)?date(?=[\s>])[^>]*>\s*([^<]{1,64}?)\s*</")}
_ISO_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
                       r"(Z|[+-]\d\d:?\d\d)?", re.I)
EARLIEST_SAVE = datetime(1990, 1, 1, tzinfo=timezone.utc)  # before: a placeholder (0, 1601, 1899), not a save


def _zip_saved_time(data: bytes, kind: str) -> datetime | None:
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
_NOT_SHEETS = re.compile(r"^(\[Content_Types\]\.xml|_rels/|docProps/|customXml/|xl/(_rels/|theme/|charts/|drawings/|"
                         r"media/|printerSettings/|externalLinks/|styles\.xml|sharedStrings\.xml|workbook\.xml|calcChain\.xml))",
                         re.I)


def _template_parts(zf: zipfile.ZipFile, names: set[str], every_sheet: bool = False) -> dict[str, str]:
    """Part -> sheet name of the template's sheets (the only ones the reader loads), found as calamine finds
    them, and a few spellings more; when the workbook's parts cannot be followed, every part that may be a
    worksheet. (Called after every member was checked: they are honest and hold no declaration.)"""
    import posixpath
    import xml.etree.ElementTree as ET

    lower = {n.lower(): n for n in names}
    everything = {n: "" for n in names if not _NOT_SHEETS.match(n) and not _BINARY_MEMBER.search(n)}
    try:
        if zf.getinfo("xl/workbook.xml").file_size > 10 * 2**20:
            return everything
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, ValueError):
        return everything
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter() if r.tag.rpartition("}")[2] == "Relationship"}
    parts: dict[str, str] = {}
    for sheet in book.iter():
        if sheet.tag.rpartition("}")[2] != "sheet":
            continue
        name = sheet.get("name") or ""
        if not every_sheet and _SPACES.sub("", name) not in TEMPLATE_SHEETS:
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"), None)
        target = targets.get(rid, "").replace("\\", "/")
        spellings = {"xl/" + target, target.lstrip("/"), posixpath.normpath("xl/" + target),
                     posixpath.normpath(target.lstrip("/"))}
        found = {lower[s.lower()] for s in spellings if s.lower() in lower}
        if not found:
            return everything
        parts.update({part: name for part in found})
    return parts


def _zip_kind(names: set[str], mimetype: bytes, word: bool = False) -> str:
    lower = {n.lower() for n in names}
    if mimetype.strip().startswith(ODS_MIME) and "content.xml" in lower:
        return KIND_ODS
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise _Refused("file-not-spreadsheet", "这是 OpenDocument 文字或演示文件，不是电子表格。"
                       "请提交用标准填报模板填写的工作簿（.xlsx）。")
    if "xl/workbook.xml" in lower:
        return KIND_XLSX
    if "xl/workbook.bin" in lower:
        raise _Refused("file-not-spreadsheet", "这是 Excel 二进制工作簿（.xlsb），本工具不读取该格式。"
                       "请用 Excel 打开后“另存为”.xlsx 格式再提交。")
    if "word/document.xml" in lower:
        if word:
            return KIND_DOCX
        return _not_sheet("Word 文档")
    if "ppt/presentation.xml" in lower:
        return _not_sheet("PowerPoint 演示文稿")
    raise _Refused("file-not-spreadsheet", "这是一个压缩包，不是电子表格。请解压后提交其中用标准模板填写的工作簿（.xlsx）。")


def _not_sheet(what: str) -> str:
    raise _Refused("file-not-spreadsheet", f"这是{what}，不是电子表格。请提交用标准填报模板填写的工作簿（.xlsx）。")


def _member(raw, info: zipfile.ZipInfo, limit: int) -> bytes:
    out = bytearray()
    _inflate(raw, info, [MAX_UNCOMPRESSED], sink=out.extend, stop_at=limit)
    return bytes(out[:limit])


def _inflate(raw, info: zipfile.ZipInfo, budget: list[int], sink, stop_at: int | None = None) -> None:
    """Inflate one member from the raw file, never producing more than its declared size or the budget.

    Sizes that lie (a member inflating past its declared size), a bad CRC, a truncated member and an XML
    declaration (DOCTYPE/ENTITY) in a part the readers parse all raise :class:`_Refused`.
    """
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
        raise _Refused("file-unreadable", _CORRUPT_ZIP)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    scan = not _BINARY_MEMBER.search(info.filename)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced, crc, tail = 0, 0, b""
    for out in _pieces(raw, info.compress_size, inflater):
        produced += len(out)
        if produced > info.file_size:
            raise _too_large(f"部件 {info.filename} 实际解压大小超过其声明的大小")
        if produced > budget[0]:
            raise _too_large(f"实际解压大小超过 {MAX_UNCOMPRESSED // 2**20} MB")
        crc = zlib.crc32(out, crc)
        if scan:
            window = tail + out
            if _DECLARATION.search(window):
                raise _Refused("file-xml-entities", _ENTITY_MESSAGE.format(part=info.filename))
            tail = window[-_DECLARATION_OVERLAP:]
        if sink is not None and out:
            sink(out)
        if stop_at is not None and produced >= stop_at:
            return
    if (inflater is not None and not inflater.eof) or produced != info.file_size or crc != info.CRC:
        raise _Refused("file-unreadable", _CORRUPT_ZIP)
    budget[0] -= produced


def _pieces(raw, size: int, inflater):
    """The member's bytes, inflated CHUNK by CHUNK at most, however much one compressed chunk expands."""
    left = size
    while left:
        data = raw.read(min(CHUNK, left))
        if not data:
            raise _Refused("file-unreadable", _CORRUPT_ZIP)
        left -= len(data)
        if inflater is None:
            yield data
            continue
        try:
            yield inflater.decompress(data, CHUNK)
            while inflater.unconsumed_tail and not inflater.eof:
                yield inflater.decompress(inflater.unconsumed_tail, CHUNK)
        except zlib.error:
            raise _Refused("file-unreadable", _CORRUPT_ZIP) from None
    if inflater is not None and not inflater.eof:
        try:
            yield inflater.flush()
        except zlib.error:
            raise _Refused("file-unreadable", _CORRUPT_ZIP) from None


# ---- the cell area of sheets ------------------------------------------------------------------------------

class _Box:
    """The rectangle spanned by the cells that hold something, 0-based, with the farthest cell seen."""

    def __init__(self) -> None:
        self.r0 = self.c0 = self.r1 = self.c1 = -1
        self.far = (0, 0)

    def add(self, r0: int, c0: int, r1: int | None = None, c1: int | None = None) -> None:
        r1, c1 = r0 if r1 is None else r1, c0 if c1 is None else c1
        if self.r0 < 0:
            self.r0, self.c0, self.r1, self.c1 = r0, c0, r1, c1
        else:
            self.r0, self.c0 = min(self.r0, r0), min(self.c0, c0)
            self.r1, self.c1 = max(self.r1, r1), max(self.c1, c1)
        if r1 + c1 > sum(self.far):
            self.far = (r1, c1)

    @property
    def cells(self) -> int:
        return 0 if self.r0 < 0 else (self.r1 - self.r0 + 1) * (self.c1 - self.c0 + 1)


class _Area:
    """Streams one XML part through expat and keeps the cell area of each sheet in it.

    Expat, not a regular expression, so that quotes, comments and CDATA cannot hide a cell. The scan stops as
    soon as a sheet's area passes the limit. Declarations were refused before (the member scan), and expat is
    told not to read external or parameter entities anyway.
    """

    def __init__(self, part: str, sheet: str = "") -> None:
        self.part = part
        self.boxes: dict[str, _Box] = {}
        self.box = self.boxes.setdefault(sheet, _Box()) if sheet else _Box()
        self.carry = b""
        self.eight_bit: bool | None = None
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        if type(self)._end is not _Area._end:
            self.parser.EndElementHandler = self._end
        if type(self)._text is not _Area._text:
            self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def feed(self, data: bytes, final: bool = False) -> None:
        # calamine reads control characters, raw or as character references, which XML 1.0 forbids and expat
        # refuses: they are taken out first (in an 8-bit encoding a byte below 0x20 is only ever such a character).
        data = self.carry + data
        if self.eight_bit is None:
            self.eight_bit = not data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<"))
        self.carry = b""
        if self.eight_bit:
            cut = data.rfind(b"&")
            if not final and cut >= 0 and b";" not in data[cut:] and len(data) - cut < 16:
                data, self.carry = data[:cut], data[cut:]
            data = _CONTROL_REF.sub(b"", data.translate(None, _CONTROL_BYTES))
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise _Refused("file-unreadable", f"文件的部件 {self.part} 不是规范的 XML（第 {exc.lineno} 行出错），"
                           "可能已损坏或不是 Excel/WPS 保存的。请用 Excel 或 WPS 打开后重新保存再提交。") from None

    def _doctype(self, *args) -> None:
        raise _Refused("file-xml-entities", _ENTITY_MESSAGE.format(part=self.part))

    def _grown(self, box: _Box, sheet: str) -> None:
        if box.cells > MAX_SHEET_CELLS:
            _refuse_area(sheet, box)

    def _start(self, name: str, attrs: dict) -> None:
        raise NotImplementedError

    def _end(self, name: str) -> None:
        pass

    def _text(self, data: str) -> None:
        pass


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_CONTROL_REF = re.compile(rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attr(attrs: dict, local: str) -> str | None:
    for key, value in attrs.items():
        if key == local or key.endswith(":" + local):
            return value
    return None


_CELL_REF = re.compile(r"\s*([A-Za-z]*)\s*(\d*)")  # matches any text


def _col_number(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


class _XlsxArea(_Area):
    """Cells with a value (<v> or <is>) in a worksheet part; rows and cells without r="" count by position,
    as calamine counts them."""

    def __init__(self, part: str, sheet: str) -> None:
        super().__init__(part, sheet or part)
        self.sheet = sheet or part
        self.row, self.col = -1, -1
        self.pending: tuple[int, int] | None = None

    def _start(self, name: str, attrs: dict) -> None:
        # The hot path: one call per element of the sheet. A cell is pending from its <c> to the next <c>/<row>.
        name = name.rpartition(":")[2]
        if name == "c":
            ref = _CELL_REF.match(attrs.get("r") or _attr(attrs, "r") or "")
            self.col = _col_number(ref[1]) if ref[1] else self.col + 1
            self.pending = (int(ref[2]) - 1 if ref[2] else max(self.row, 0), self.col)
        elif name == "v" or name == "is":
            if self.pending:
                self.box.add(*self.pending)
                self.pending = None
                if self.box.cells > MAX_SHEET_CELLS:
                    _refuse_area(self.sheet, self.box)
        elif name == "row":
            ref = _CELL_REF.match(attrs.get("r") or _attr(attrs, "r") or "")
            self.row = int(ref[2]) - 1 if ref[2] else self.row + 1
            self.col = -1
            self.pending = None


class _OdsArea(_Area):
    """Cells of every table in content.xml, counting row and column repeats; a cell with a value type, text or
    any child element counts."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        self.sheet = ""
        self.row = self.col = 0
        self.row_repeat = 1
        self.cell: tuple[int, int] | None = None  # (first column, repeat) of the open cell, until it counts

    def _start(self, name: str, attrs: dict) -> None:
        local = _local(name)
        if self.cell is not None:
            self._count()
        if local == "table":
            self.sheet = _attr(attrs, "name") or f"#{len(self.boxes) + 1}"
            self.box = self.boxes.setdefault(self.sheet, _Box())
            self.row = 0
        elif local == "table-row":
            self.row_repeat = _repeat(_attr(attrs, "number-rows-repeated"))
            self.col = 0
        elif local in ("table-cell", "covered-table-cell"):
            repeat = _repeat(_attr(attrs, "number-columns-repeated"))
            rows, cols = _repeat(_attr(attrs, "number-rows-spanned")), _repeat(_attr(attrs, "number-columns-spanned"))
            if (rows > 1 or cols > 1) and len(self.merged.setdefault(self.sheet, [])) < 10000:
                self.merged[self.sheet].append(((self.row, self.col), (self.row + rows - 1, self.col + cols - 1)))
            self.cell = (self.col, repeat)
            self.col += repeat
            if _attr(attrs, "value-type") is not None:
                self._count()

    def _text(self, data: str) -> None:
        if self.cell is not None and data.strip():
            self._count()

    def _end(self, name: str) -> None:
        local = _local(name)
        if local in ("table-cell", "covered-table-cell"):
            self.cell = None
        elif local == "table-row":
            self.row += self.row_repeat
            self.row_repeat = 1

    def _count(self) -> None:
        col, repeat = self.cell
        self.cell = None
        self.box.add(self.row, col, self.row + self.row_repeat - 1, col + repeat - 1)
        self._grown(self.box, self.sheet)


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def _refuse_area(sheet: str, box: _Box) -> None:
    from .reader import a1

    far = a1(*box.far) if max(box.far) < 10**7 else f"第 {box.far[0] + 1} 行"
    # A worksheet part stands for its sheet when the workbook could not say which sheet it is ("/": no sheet name
    # may hold one).
    where, sheet = (f"文件的部件 {sheet} ", "") if "/" in sheet else (f"工作表“{sheet}”", sheet)
    raise _Refused("sheet-too-large", f"{where}的内容从 {a1(box.r0, box.c0)} 延伸到 {far}，范围达 "
                   f"{box.r1 - box.r0 + 1} 行 × {box.c1 - box.c0 + 1} 列，超出读取上限（{MAX_SHEET_CELLS:,} 个单元格）。"
                   f"请删除远离表格的单元格内容（如 {far}）或多余的行、列后重新提交。", sheet, far if sheet else "")


def _check_areas(result: Prescan, boxes: dict[str, _Box], book_limit: bool) -> None:
    total = 0
    for sheet, box in boxes.items():
        result.sheet_cells[sheet] = box.cells
        total += box.cells
        if box.cells > MAX_SHEET_CELLS:
            _refuse_area(sheet, box)
    if book_limit and total > MAX_BOOK_CELLS:
        raise _Refused("sheet-too-large", f"各工作表的内容范围合计达 {total:,} 个单元格，超出读取上限（{MAX_BOOK_CELLS:,}）。"
                       "请删除多余的工作表、行或列后重新提交。")


# ---- OLE2 (compound file) containers ----------------------------------------------------------------------

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}  # FORMULA NUMBER LABEL BOOLERR RK LABELSST RSTRING
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x00BD, 0x0809, 0x000A, 0x0085, 0x002F


class _Cfb:
    """Just enough of [MS-CFB] to list the streams of a compound file and read one, bounded."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise ValueError("short header")
        shift, mini_shift = struct.unpack("<HH", data[30:34])
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("sector size")
        self.data, self.size = data, 1 << shift
        n_fat, first_dir = struct.unpack("<II", data[44:52])
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack("<IIIII", data[56:76])
        self.n_sectors = (len(data) - 512) // self.size + 1
        fat_sectors = [s for s in struct.unpack("<109I", data[76:512]) if s < _END]
        sector, seen = first_difat, 0
        while sector < _END and seen <= n_difat and seen < self.n_sectors:
            entries = struct.unpack(f"<{self.size // 4}I", self._sector(sector))
            fat_sectors += [s for s in entries[:-1] if s < _END]
            sector, seen = entries[-1], seen + 1
        fat = bytearray()
        for s in fat_sectors[:max(n_fat, 0) or len(fat_sectors)]:
            fat += self._sector(s)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", fat)
        self.entries = []
        directory = self._chain_bytes(first_dir, self.fat, self.size, self._sector)
        for i in range(0, len(directory) - 127, 128):
            raw = directory[i:i + 128]
            name_len = min(struct.unpack("<H", raw[64:66])[0], 64)
            name = raw[:max(name_len - 2, 0)].decode("utf-16-le", "replace")
            kind = raw[66]
            start, size = struct.unpack("<IQ", raw[116:128])
            if shift == 9:
                size &= 0xFFFFFFFF
            self.entries.append((name, kind, start, size))
        root = next((e for e in self.entries if e[1] == 5), None)
        self.ministream = self._chain_bytes(root[2], self.fat, self.size, self._sector) if root else b""
        minifat = self._chain_bytes(first_minifat, self.fat, self.size, self._sector) if n_minifat else b""
        self.minifat = struct.unpack(f"<{len(minifat) // 4}I", minifat)

    def _sector(self, n: int) -> bytes:
        start = (n + 1) * self.size
        if n >= self.n_sectors or start + self.size > len(self.data) + self.size:
            raise ValueError("sector out of range")
        return self.data[start:start + self.size]

    def _mini(self, n: int) -> bytes:
        return self.ministream[n * 64:n * 64 + 64]

    @staticmethod
    def _chain_bytes(start: int, fat, size: int, read, limit: int | None = None) -> bytes:
        out, sector, seen = bytearray(), start, set()
        while sector < _END and sector < len(fat):
            if sector in seen:
                raise ValueError("loop in sector chain")
            seen.add(sector)
            out += read(sector)
            if limit is not None and len(out) >= limit:
                break
            sector = fat[sector]
        return bytes(out)

    def names(self) -> set[str]:
        return {e[0] for e in self.entries if e[1] in (1, 2)}

    def stream(self, name: str) -> bytes:
        entry = next(e for e in self.entries if e[0] == name and e[1] == 2)
        _, _, start, size = entry
        if size < self.cutoff:
            return self._chain_bytes(start, self.minifat, 64, self._mini, size)[:size]
        return self._chain_bytes(start, self.fat, self.size, self._sector, size)[:size]


def _scan_ole(path: Path, result: Prescan) -> str:
    try:
        cfb = _Cfb(path.read_bytes())
        names = cfb.names()
    except (ValueError, struct.error, IndexError, OSError):
        raise _Refused("file-unreadable", "文件已损坏（OLE 复合文档结构有误），无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。"
                       ) from None
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        raise _Refused("file-encrypted", "工作簿设有打开密码，无法读取。请取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）"
                       "后重新提交。")
    book = "Workbook" if "Workbook" in names else "Book" if "Book" in names else None
    if book is None:
        if "WordDocument" in names:
            return _not_sheet("Word 文档（.doc）")
        if "PowerPoint Document" in names:
            return _not_sheet("PowerPoint 演示文稿（.ppt）")
        raise _Refused("file-not-spreadsheet", "这是 OLE 复合文档，但不是 Excel 工作簿。请提交用标准填报模板填写的工作簿（.xlsx）。")
    try:
        stream = cfb.stream(book)
    except (ValueError, StopIteration, struct.error):
        raise _Refused("file-unreadable", "文件已损坏（工作簿数据不完整），无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。"
                       ) from None
    _check_areas(result, _biff_boxes(stream), book_limit=True)
    result.saved_at = _ole_saved_time(cfb)
    return KIND_XLS


_SUMMARY_STREAM = "\x05SummaryInformation"
_FMTID_SUMMARY = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")  # {F29F85E0-4FF9-1068-AB91-08002B27B3D9}
_PIDSI_LASTSAVE_DTM, _VT_FILETIME = 0x0D, 0x40
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def _ole_saved_time(cfb: "_Cfb") -> datetime | None:
    """PIDSI_LASTSAVE_DTM of the SummaryInformation property set ([MS-OLEPS]); None when absent or unreadable."""
    try:
        if _SUMMARY_STREAM not in cfb.names():
            return None
        data = cfb.stream(_SUMMARY_STREAM)[:MAX_PROPERTY_BYTES]
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


def _biff_boxes(stream: bytes) -> dict[str, _Box]:
    """Sheet name -> area of its cell records, walking the BIFF records of a Workbook stream."""
    sheet_at: dict[int, str] = {}
    boxes: dict[str, _Box] = {}
    box: _Box | None = None
    pos, n, depth = 0, len(stream), 0
    while pos + 4 <= n:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + length]
        if rtype == _BIFF_BOF:
            depth += 1
            box = boxes.setdefault(sheet_at.get(pos, f"#{len(boxes)}"), _Box()) if pos else None
        elif rtype == _BIFF_EOF:
            depth -= 1
            box = None
        elif rtype == _BIFF_FILEPASS and box is None:
            raise _Refused("file-encrypted", "工作簿设有打开密码，无法读取。请取消密码（文件→信息→保护工作簿）后重新提交。")
        elif rtype == _BIFF_BOUNDSHEET and len(body) >= 8:
            offset, cch, high = struct.unpack_from("<I", body)[0], body[6], body[7]
            raw = body[8:8 + cch * (2 if high & 1 else 1)]
            sheet_at[offset] = raw.decode("utf-16-le" if high & 1 else "latin-1", "replace")
        elif box is not None and rtype in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            box.add(row, col)
        elif box is not None and rtype == _BIFF_MULRK and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            box.add(row, first, row, max(first, last))
        pos += 4 + length
    return {name: b for name, b in boxes.items() if b.cells}
