"""Generators of broken, strange and hostile input files (tests/test_hostile.py, tests/test_fuzz.py, bench/hostile.py).

Every file is made from code here, never committed as an opaque binary: a good workbook from
:func:`builders.build_workbook`, then rewritten — its zip members edited, its bytes cut, its content written
again as legacy .xls (xlwt) or .ods (ODF XML written by hand), or wrapped in an OLE2 compound file built by
:func:`cfb_container`.
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from builders import build_workbook, seed_rows  # noqa: E402

# ---- good workbooks -------------------------------------------------------------------------------------------


def seed_named(name: str, unit: str = "审批局") -> dict:
    """The seed project under another name, so that several good workbooks in one batch are distinct projects."""
    data = seed_rows()
    data["info"]["项目名称"] = name
    data["info"]["实施单位"] = unit
    return data


def good(path: Path, name: str = "公共资源交易中心运转经费", **options) -> Path:
    return build_workbook(path, seed_named(name), **options)


# ---- zip surgery ------------------------------------------------------------------------------------------------


def rewrite_zip(source: Path, target: Path, edit: Callable[[str, bytes], bytes | None] | None = None,
                extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member; ``edit(name, data)`` returns new data, or None to drop the member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if edit is not None:
                data = edit(info.filename, data)
            if data is not None:
                zout.writestr(info.filename, data, compress_type=info.compress_type)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return target


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding ``sheet`` of an openpyxl-made workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(sheet)
    book.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def edit_sheet(source: Path, target: Path, sheet: str, edit: Callable[[bytes], bytes]) -> Path:
    part = sheet_part(source, sheet)
    return rewrite_zip(source, target, lambda name, data: edit(data) if name == part else data)


def add_cells(source: Path, target: Path, sheet: str, rows_xml: bytes) -> Path:
    """Append raw <row> elements to a sheet's <sheetData>."""
    return edit_sheet(source, target, sheet, lambda data: data.replace(b"</sheetData>", rows_xml + b"</sheetData>"))


def huge_dimension(source: Path, target: Path) -> Path:
    """Every sheet claims the whole grid, A1:XFD1048576, holding only its few real cells."""
    import re

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data
    return rewrite_zip(source, target, edit)


def far_cell(source: Path, target: Path, sheet: str = "基本信息", ref: str = "XFD1048576") -> Path:
    """One value in the farthest cell: the sheet's cells span the whole grid."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return add_cells(source, target, sheet, f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
                     .encode())


def many_rows(source: Path, target: Path, rows: int = 1_048_576, sheet: str = "支出明细", col: str = "F") -> Path:
    """``rows`` rows with a number in column ``col`` (outside the table's columns), streamed into the zip."""
    part = sheet_part(source, sheet)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != part:
                zout.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with zout.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                start = head.count(b"<row ") + 1
                for first in range(start, rows + 1, 10000):
                    out.write("".join(f'<row r="{r}"><c r="{col}{r}"><v>{r}</v></c></row>'
                                      for r in range(first, min(first + 10000, rows + 1))).encode())
                out.write(b"</sheetData>" + tail)
    return target


def truncated(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def corrupt_member(source: Path, target: Path) -> Path:
    """Flip bytes inside the first worksheet's compressed data: the zip directory is intact, its data not."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + min(info.compress_size, 60)):
        data[i] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


# ---- decompression bombs --------------------------------------------------------------------------------------


def _zeros_member(zout: zipfile.ZipFile, name: str, megabytes: int, fill: bytes = b" ") -> None:
    chunk = fill * 2**20
    with zout.open(name, "w", force_zip64=True) as out:
        for _ in range(megabytes):
            out.write(chunk)


def bomb_total(source: Path, target: Path, megabytes: int = 300) -> Path:
    """A good workbook plus one member that inflates to ``megabytes`` MB (about 300 KB on disk)."""
    rewrite_zip(source, target)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        _zeros_member(zout, "xl/media/padding.xml", megabytes)
    return target


def bomb_ratio(source: Path, target: Path, megabytes: int = 40) -> Path:
    """Under the total cap, but one member inflates 1000:1."""
    return bomb_total(source, target, megabytes)


def bomb_lying(source: Path, target: Path, megabytes: int = 40, declared: int = 1000) -> Path:
    """A member that says it holds ``declared`` bytes but inflates to ``megabytes`` MB: sizes that lie."""
    name = "xl/worksheets/sheet2.xml"
    rewrite_zip(source, target)
    with zipfile.ZipFile(target) as zf:
        original = zf.read(name)
    padded = original + b" " * (megabytes * 2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(padded) + compressor.flush()
    crc = zlib.crc32(padded[:declared])
    rewrite_zip(target, target.with_suffix(".tmp"), lambda n, d: None if n == name else d)
    out = bytearray(target.with_suffix(".tmp").read_bytes())
    target.with_suffix(".tmp").unlink()
    # Put the member back by hand, with a local header and a central entry that both lie about the size.
    cd_offset = struct.unpack("<I", out[-6:-2])[0]
    central, eocd = out[cd_offset:-22], out[-22:]
    body = bytes(out[:cd_offset])
    fname = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), declared, len(fname), 0)
    entry = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(deflated), declared,
                        len(fname), 0, 0, 0, 0, 0, len(body))
    data = body + local + fname + deflated
    central = bytes(central) + entry + fname
    count = struct.unpack("<H", eocd[10:12])[0] + 1
    eocd = eocd[:8] + struct.pack("<HHII", count, count, len(central), len(data)) + eocd[20:]
    target.write_bytes(data + central + eocd)
    return target


def bomb_members(source: Path, target: Path, count: int = 2100) -> Path:
    """Thousands of tiny members."""
    return rewrite_zip(source, target, extra={f"xl/media/m{i}.xml": b"<a/>" for i in range(count)})


# ---- XML declarations -------------------------------------------------------------------------------------------

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def with_entities(source: Path, target: Path, part: str = "xl/workbook.xml", pad: int = 0,
                  encoding: str = "utf-8") -> Path:
    """A billion-laughs DOCTYPE in ``part``, after ``pad`` bytes of an XML comment; optionally UTF-16."""

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode("utf-8")
        decl_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
        body = text[decl_end:]
        comment = f"<!--{'x' * pad}-->" if pad else ""
        if encoding == "utf-8":
            return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + comment.encode() + LAUGHS + body.encode()
        return ('<?xml version="1.0" encoding="UTF-16"?>' + comment + LAUGHS.decode() + body).encode("utf-16")

    with zipfile.ZipFile(source) as zf:
        if part not in zf.namelist():
            raise ValueError(f"no {part} in {source}")
    return rewrite_zip(source, target, edit)


# ---- other formats ----------------------------------------------------------------------------------------------


def _cells(path: Path):
    """(sheet name, hidden, rows of values, merged ranges as (r0, c0, r1, c1) 0-based) of an .xlsx."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        merged = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
        yield ws.title, ws.sheet_state != "visible", rows, merged


def to_xls(source: Path, target: Path) -> Path:
    """The same workbook as legacy .xls (BIFF8), written with xlwt: values, merged cells, hidden sheets."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for title, hidden, rows, merged in _cells(source):
        ws = book.add_sheet(title, cell_overwrite_ok=True)
        if hidden:
            ws.visibility = 1
        starts = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merged}
        covered = {(r, c) for r0, c0, r1, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in starts:
                    ws.write_merge(r, starts[r, c][0], c, starts[r, c][1], value)
                elif (r, c) not in covered and value is not None:
                    ws.write(r, c, value)
    book.save(str(target))
    return target


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def to_ods(source: Path, target: Path, extra_rows: str = "") -> Path:
    """The same workbook as OpenDocument (.ods), its content.xml written by hand: values, merged cells (spans and
    covered cells, as LibreOffice writes them). ``extra_rows`` is raw table-row XML added to the first table."""
    tables = []
    for i, (title, _hidden, rows, merged) in enumerate(_cells(source)):
        starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merged}
        covered = {(r, c) for r0, c0, r1, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        xml_rows = []
        for r, row in enumerate(rows):
            cells = []
            for c, value in enumerate(row):
                if (r, c) in covered and (r, c) not in starts:
                    cells.append("<table:covered-table-cell/>")
                    continue
                span = ""
                if (r, c) in starts:
                    span = (f' table:number-rows-spanned="{starts[r, c][0]}"'
                            f' table:number-columns-spanned="{starts[r, c][1]}"')
                if value is None:
                    cells.append(f"<table:table-cell{span}/>")
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cells.append(f'<table:table-cell{span} office:value-type="float" office:value="{value}">'
                                 f"<text:p>{value}</text:p></table:table-cell>")
                else:
                    cells.append(f'<table:table-cell{span} office:value-type="string"><text:p>{escape(str(value))}'
                                 "</text:p></table:table-cell>")
            xml_rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        if i == 0:
            xml_rows.append(extra_rows)
        tables.append(f"<table:table table:name={quoteattr(title)}>{''.join(xml_rows)}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:body>'
               f"<office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return target


# ---- OLE2 compound files --------------------------------------------------------------------------------------

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_container(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams`` in the root storage.

    Streams are padded to 4096 bytes so that all live in regular sectors (no mini stream); enough for readers
    that look at the directory, which is what an encrypted OOXML package is recognised by.
    """
    data = {name: content.ljust(4096, b"\0") for name, content in streams.items()}
    n_entries = 1 + len(data)
    dir_sectors = -(-n_entries * 128 // 512)
    stream_sectors = [-(-len(c) // 512) for c in data.values()]
    n_fat = 1
    while (n_fat + dir_sectors + sum(stream_sectors)) > n_fat * 128:
        n_fat += 1
    fat = [_FATSECT] * n_fat
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [_END]
    starts = []
    for count in stream_sectors:
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (n_fat * 128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", _NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    names = list(data)
    entries = [entry("Root Entry", 5, 1 if names else _NOSTREAM, _NOSTREAM, _END, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(entry(name, 2, _NOSTREAM, right, starts[i], len(data[name])))
    directory = b"".join(entries).ljust(dir_sectors * 512, b"\0")
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, first_dir, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(c.ljust(-(-len(c) // 512) * 512, b"\0")
                                                                     for c in data.values())
    return header + body


def encrypted_ooxml(target: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE2 file with EncryptionInfo and
    EncryptedPackage streams (the content here is dummy bytes; the structure is what matters)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\"/>"
    target.write_bytes(cfb_container({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 8000) + bytes(8000),
                                      "\x06DataSpaces": b""}))
    return target


def word_doc(target: Path) -> Path:
    target.write_bytes(cfb_container({"WordDocument": b"\xec\xa5" + bytes(100), "1Table": bytes(100)}))
    return target


# ---- not spreadsheets ------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_XLS = "<html><head><meta charset='utf-8'></head><body><table><tr><td>项目名称</td></tr></table></body></html>"
CSV = "项目,内容\n项目名称,公共资源交易中心运转经费\n"
