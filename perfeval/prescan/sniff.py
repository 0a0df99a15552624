"""The pre-scan's entry: the file's size and first bytes decide whether it is a zip container, an OLE2 container or
something that is no spreadsheet at all (each said in words)."""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem
from .limits import MAX_FILE_BYTES
from .ole import scan_ole
from .outcome import EXTENSIONS, FORMAT_NAMES, Prescan, Refused
from .zips import scan_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


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
    except Refused as exc:
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
        raise Refused("file-unreadable", f"无法打开文件（{exc.strerror or type(exc).__name__}）。"
                      "请确认文件未被其他程序占用、有读取权限后重试。") from None
    if size == 0:
        raise Refused("file-empty", "文件是空的（0 字节），可能在保存或传输时出错。请重新保存工作簿后再提交。")
    if size > MAX_FILE_BYTES:
        raise Refused("file-oversized", f"文件大小 {size / 2**20:.0f} MB，超出读取上限 {MAX_FILE_BYTES // 2**20} MB"
                      "（填好的模板通常不到 1 MB）。请删除多余的工作表、图片或行后重新提交。")
    if head.startswith(ZIP_MAGICS):
        return scan_zip(path, result, every_sheet, word)
    if head.startswith(OLE_MAGIC):
        return scan_ole(path, result)
    raise Refused("file-not-spreadsheet", _what_is(head))


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
