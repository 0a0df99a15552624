"""OLE2 (compound file) containers: an encrypted OOXML package, Word and PowerPoint files, and an .xls's BIFF
cell records (for its cell area) and FILEPASS record."""

from __future__ import annotations

import struct
from datetime import datetime
from pathlib import Path

from .areas import Box, check_areas
from .outcome import KIND_XLS, Prescan, Refused, not_sheet
from .saved import MAX_PROPERTY_BYTES, SUMMARY_STREAM, summary_saved_time

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}  # FORMULA NUMBER LABEL BOOLERR RK LABELSST RSTRING
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x00BD, 0x0809, 0x000A, 0x0085, 0x002F


class Cfb:
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


def scan_ole(path: Path, result: Prescan) -> str:
    try:
        cfb = Cfb(path.read_bytes())
        names = cfb.names()
    except (ValueError, struct.error, IndexError, OSError):
        raise Refused("file-unreadable", "文件已损坏（OLE 复合文档结构有误），无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。"
                      ) from None
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        raise Refused("file-encrypted", "工作簿设有打开密码，无法读取。请取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）"
                      "后重新提交。")
    book = "Workbook" if "Workbook" in names else "Book" if "Book" in names else None
    if book is None:
        if "WordDocument" in names:
            raise not_sheet("Word 文档（.doc）")
        if "PowerPoint Document" in names:
            raise not_sheet("PowerPoint 演示文稿（.ppt）")
        raise Refused("file-not-spreadsheet", "这是 OLE 复合文档，但不是 Excel 工作簿。请提交用标准填报模板填写的工作簿（.xlsx）。")
    try:
        stream = cfb.stream(book)
    except (ValueError, StopIteration, struct.error):
        raise Refused("file-unreadable", "文件已损坏（工作簿数据不完整），无法读取。请用 Excel 或 WPS 重新保存为 .xlsx 后提交。"
                      ) from None
    check_areas(result, _biff_boxes(stream), book_limit=True)
    result.saved_at = _saved_time(cfb)
    return KIND_XLS


def _saved_time(cfb: Cfb) -> datetime | None:
    """When the SummaryInformation stream says the file was last saved; None when it has no such stream."""
    try:
        if SUMMARY_STREAM not in cfb.names():
            return None
        data = cfb.stream(SUMMARY_STREAM)[:MAX_PROPERTY_BYTES]
    except (ValueError, StopIteration, struct.error, OverflowError, OSError):
        return None
    return summary_saved_time(data)


def _biff_boxes(stream: bytes) -> dict[str, Box]:
    """Sheet name -> area of its cell records, walking the BIFF records of a Workbook stream."""
    sheet_at: dict[int, str] = {}
    boxes: dict[str, Box] = {}
    box: Box | None = None
    pos, n, depth = 0, len(stream), 0
    while pos + 4 <= n:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + length]
        if rtype == _BIFF_BOF:
            depth += 1
            box = boxes.setdefault(sheet_at.get(pos, f"#{len(boxes)}"), Box()) if pos else None
        elif rtype == _BIFF_EOF:
            depth -= 1
            box = None
        elif rtype == _BIFF_FILEPASS and box is None:
            raise Refused("file-encrypted", "工作簿设有打开密码，无法读取。请取消密码（文件→信息→保护工作簿）后重新提交。")
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
