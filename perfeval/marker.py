"""The mark on the files perfeval writes, so that its own outputs found among the inputs are skipped.

Every workbook or document the tool writes (the 自评表, the summary, the marked-up copy, the 审核意见) carries
the custom document property ``perfeval-output`` naming what it is. The summary's older ``perfeval-digest``
property marks it too. Only the zip's ``docProps/custom.xml`` is read, bounded.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

OUTPUT_PROPERTY = "perfeval-output"
DIGEST_PROPERTY = "perfeval-digest"
MAX_CUSTOM_BYTES = 2**20
_PROPERTY = re.compile(r'<property\b[^>]*\bname="(perfeval-output|perfeval-digest)"[^>]*>\s*<vt:lpwstr\b[^>]*>([^<]*)<', re.S)


def output_kind(path: str | Path) -> str | None:
    """What the tool wrote ``path`` as (自评表, 汇总表, 标注版 …), or None when it is not one of its outputs."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > MAX_CUSTOM_BYTES:
                return None
            text = zf.read(info).decode("utf-8", "replace")
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, RuntimeError, EOFError):
        return None
    match = _PROPERTY.search(text)
    if not match:
        return None
    return "汇总表" if match[1] == DIGEST_PROPERTY else (match[2] or "输出文件")
