"""Writing files safely, and file names that every file system accepts.

Every output goes through :func:`atomic_path`: it is written under a temporary name in the same folder and
renamed into place only when complete, so an interrupted run never leaves a half-written file and the previous
output stays intact until it is replaced.
"""

from __future__ import annotations

import os
import re
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# Characters Windows refuses in names, plus control characters.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(text: str, max_len: int = 80, fallback: str = "未命名") -> str:
    """A file or folder name made from Chinese text, safe on Windows and Unix.

    Forbidden characters become "_", surrounding dots and spaces go, reserved device names get a "_" suffix,
    and the length is capped (in characters; Chinese file names stay well below the 255-byte limits).
    """
    text = unicodedata.normalize("NFC", text or "")
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = text[:max_len].rstrip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].upper() in _RESERVED:
        text += "_"
    return text


def unique_name(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3`` … the first not in ``used`` (compared case-folded); added to ``used``."""
    name, n = base, 2
    while name.casefold() in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name.casefold())
    return name


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
