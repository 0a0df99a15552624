"""Zip containers (.xlsx, .xlsm, .ods, .docx): members, sizes and ratios, the real kind, the saved time, and
the cell area of the sheets the reader will load."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from .. import model as m
from ..cells import sheet_label
from .areas import OdsArea, XlsxArea, check_areas
from .inflate import BINARY_MEMBER, CORRUPT_ZIP, inflate, read_member, too_large
from .limits import MAX_MEMBERS, MAX_RATIO, MAX_UNCOMPRESSED, RATIO_MIN_BYTES
from .outcome import KIND_DOCX, KIND_ODS, KIND_XLSX, Prescan, Refused, not_sheet
from .saved import MAX_PROPERTY_BYTES, PROPERTY_PARTS, zip_saved_time

TEMPLATE_SHEETS = (m.SHEET_GUIDE, m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_SPENDING,
                   m.SHEET_INDICATORS, m.SHEET_VOLUMES)
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_WORKSHEETS = "xl/worksheets/"


def scan_zip(path: Path, result: Prescan, every_sheet: bool = False, word: bool = False) -> str:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise Refused("file-unreadable", CORRUPT_ZIP) from None
    with zf, open(path, "rb") as raw:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise too_large(f"压缩包内有 {len(infos)} 个部件，上限 {MAX_MEMBERS}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise too_large(f"声明的解压大小 {total / 2**20:.0f} MB")
        for info in infos:
            if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise too_large(f"部件 {info.filename} 压缩比 {info.file_size // max(info.compress_size, 1)}:1")
            if info.flag_bits & 0x1:
                raise Refused("file-encrypted", "压缩包内的部件设有密码，无法读取。请提交未加密的工作簿。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Refused("file-unreadable", "文件使用了不常见的压缩方式，无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。")
        names = {i.filename for i in infos}
        kind = _zip_kind(names, read_member(raw, zf.getinfo("mimetype"), 200) if "mimetype" in names else b"", word)
        budget = [MAX_UNCOMPRESSED]
        # Every member is inflated once, by our own bounded inflater, checking sizes, CRC and declarations. The
        # worksheets come last, so that the workbook's own parts are checked before they are followed, and the
        # template's sheets are measured as they are inflated (not inflated a second time).
        worksheets = [i for i in infos if i.filename.lower().startswith(_WORKSHEETS)] if kind == KIND_XLSX else []
        properties = bytearray()  # the part holding the saved time, kept as it is inflated (not read again)
        for info in infos:
            if info not in worksheets:
                keep = info.filename.lower() == PROPERTY_PARTS[kind] and info.file_size <= MAX_PROPERTY_BYTES
                inflate(raw, info, budget, sink=properties.extend if keep else None)
        result.saved_at = zip_saved_time(bytes(properties), kind)
        if kind == KIND_XLSX:
            template = _template_parts(zf, names, every_sheet)
            for info in worksheets:
                sheet = template.pop(info.filename, None)
                area = XlsxArea(info.filename, sheet) if sheet is not None else None
                inflate(raw, info, budget, sink=area.feed if area else None)
                if area:
                    area.feed(b"", final=True)
                    check_areas(result, area.boxes, book_limit=False)
            for part, sheet in template.items():  # a sheet kept outside xl/worksheets/ (hand-made or odd files)
                area = XlsxArea(part, sheet)
                inflate(raw, zf.getinfo(part), [MAX_UNCOMPRESSED], sink=area.feed)
                area.feed(b"", final=True)
                check_areas(result, area.boxes, book_limit=False)
        elif kind == KIND_ODS and "content.xml" in names:
            area = OdsArea("content.xml")
            inflate(raw, zf.getinfo("content.xml"), [MAX_UNCOMPRESSED], sink=area.feed)
            area.feed(b"", final=True)
            check_areas(result, area.boxes, book_limit=True)
            result.merged = area.merged
        return kind


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
    everything = {n: "" for n in names if not _NOT_SHEETS.match(n) and not BINARY_MEMBER.search(n)}
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
        if not every_sheet and sheet_label(name) not in TEMPLATE_SHEETS:
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
        raise Refused("file-not-spreadsheet", "这是 OpenDocument 文字或演示文件，不是电子表格。"
                      "请提交用标准填报模板填写的工作簿（.xlsx）。")
    if "xl/workbook.xml" in lower:
        return KIND_XLSX
    if "xl/workbook.bin" in lower:
        raise Refused("file-not-spreadsheet", "这是 Excel 二进制工作簿（.xlsb），本工具不读取该格式。"
                      "请用 Excel 打开后“另存为”.xlsx 格式再提交。")
    if "word/document.xml" in lower:
        if word:
            return KIND_DOCX
        raise not_sheet("Word 文档")
    if "ppt/presentation.xml" in lower:
        raise not_sheet("PowerPoint 演示文稿")
    raise Refused("file-not-spreadsheet", "这是一个压缩包，不是电子表格。请解压后提交其中用标准模板填写的工作簿（.xlsx）。")
