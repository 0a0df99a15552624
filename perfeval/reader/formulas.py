"""Formula cells without a cached value, found by a light scan of the sheet XML (calamine shows them as empty)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

# A cell's body stops at the next "<c": without that, many unclosed "<c" (in a comment, say) make the search
# quadratic — 20,000 of them took 16 s.
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>((?:(?!<(?:\w+:)?c\b).)*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+\d+)"')


def formulas_without_value(path: Path) -> dict[str, list[str]]:
    """Sheet name -> A1 cells holding a formula with no cached value (xlsx/xlsm only; others: {})."""
    found: dict[str, list[str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for sheet, part in _sheet_parts(zf).items():
                try:
                    data = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in data and b":f" not in data:
                    continue
                cells = [ref for attrs, body in _CELL_RE.findall(data) if body and b"<f" in body
                         and not _has_cached_value(attrs, body) and (ref := _REF_RE.search(attrs))]
                if cells:
                    found[sheet] = [ref[1].decode() for ref in cells]
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    return found


_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_STR_TYPE_RE = re.compile(rb'\bt="str"')


def _has_cached_value(attrs: bytes, body: bytes) -> bool:
    """A non-empty <v>, or an empty one on a text-typed cell (a formula whose result is "")."""
    if _VALUE_RE.search(body):
        return True
    return bool(_STR_TYPE_RE.search(attrs)) and (b"<v" in body or b":v" in body)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]+)"', rel[0])
        target = re.search(r'\bTarget="([^"]+)"', rel[0])
        if rid and target:
            t = target[1].lstrip("/")
            targets[rid[1]] = t if t.startswith("xl/") else "xl/" + t
    parts = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', sheet[0])
        rid = re.search(r'\br:id="([^"]+)"|\b\w+:id="([^"]+)"', sheet[0])
        if name and rid:
            key = rid[1] or rid[2]
            if key in targets:
                parts[_unescape(name[1])] = targets[key]
    return parts


def _unescape(text: str) -> str:
    """XML attribute text: named and numeric character references (&amp;, &#x57FA;)."""
    return html.unescape(text)
