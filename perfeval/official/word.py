"""The tables of a Word document (.docx, python-docx's XML classes) as :class:`~perfeval.official.grid.Grid` objects.

Word stores a merged cell once, with a ``gridSpan`` across columns and ``vMerge`` continuations down rows;
python-docx's ``row.cells`` repeats such a cell over every grid position it covers. Here it is one value, at its
first row and first grid column, as in a sheet. A table interrupted by a page break is stored as two tables: a
table without a title and without 项目名称 whose column grid equals the previous table's continues it, and is
joined to it (its rows numbered after the previous table's). Nested tables are not read.
"""

from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import qn

from ..cells import label_of
from .grid import KIND_WORD, Grid

TITLE_WORD = "自评表"
TITLE_LINES = 3  # paragraphs above a table that may hold its title


def _text(element) -> str:
    """The text of a cell or paragraph: its paragraphs joined by line breaks, tabs and breaks kept."""
    paragraphs = element.iter(qn("w:p")) if element.tag != qn("w:p") else [element]
    lines = []
    for p in paragraphs:
        parts = []
        for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
            parts.append(node.text or "" if node.tag == qn("w:t") else "\t" if node.tag == qn("w:tab") else "\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _grid_columns(tbl) -> tuple[int, ...]:
    grid = tbl.find(qn("w:tblGrid"))
    return tuple(int(col.get(qn("w:w")) or 0) for col in grid.findall(qn("w:gridCol"))) if grid is not None else ()


def _rows(tbl, first_row: int) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    """The table's rows (values at merge origins) and its covered positions, rows numbered from ``first_row``."""
    rows: list[list[str]] = []
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    above: dict[int, tuple[int, int]] = {}  # grid column -> origin of the cell that ends there in the row above
    for i, tr in enumerate(tbl.findall(qn("w:tr"))):
        r = first_row + i
        row: list[str] = []
        col = tr.grid_before if hasattr(tr, "grid_before") else 0
        row.extend([""] * col)
        here: dict[int, tuple[int, int]] = {}
        for tc in tr.findall(qn("w:tc")):
            span = tc.grid_span
            merge = tc.vMerge
            origin = above.get(col) if merge == "continue" else None
            if origin is None:
                origin = (r, col)
                row.append(_text(tc))
            else:
                row.append("")
                covered[(r, col)] = origin
            row.extend([""] * (span - 1))
            for extra in range(col + 1 if origin == (r, col) else col, col + span):
                covered[(r, extra)] = origin
            here[col] = origin
            col += span
        above = here
        rows.append(row)
    return rows, covered


def _title_before(tbl) -> list[str]:
    """The texts of the few non-empty paragraphs just above a table (its title, usually)."""
    texts = []
    node = tbl.getprevious()
    while node is not None and len(texts) < TITLE_LINES and node.tag == qn("w:p"):
        text = _text(node)
        if text:
            texts.append(text)
        node = node.getprevious()
    return texts[::-1]


def _continues(grid: Grid, columns: tuple[int, ...], prev_columns: tuple[int, ...], rows: list[list[str]],
               title: list[str]) -> bool:
    """A table continues the previous one: no title above it, no 项目名称 in it, and the same column grid."""
    if columns != prev_columns or any(TITLE_WORD in t for t in title):
        return False
    return not any(label_of(cell) == "项目名称" or TITLE_WORD in cell for row in rows for cell in row)


def document_grids(path: Path) -> list[Grid]:
    """Every top-level table of the document as a grid (continuations joined), named 表1, 表2 …"""
    import zipfile

    from docx.oxml.parser import parse_xml

    # Only the main document is parsed, with python-docx's element classes (the pre-scan has checked its size and
    # that it declares no entities); styles, numbering and the rest are not needed to read tables.
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower() == "word/document.xml")
        body = parse_xml(zf.read(name)).body
    grids: list[Grid] = []
    prev_columns: tuple[int, ...] | None = None
    for tbl in body.iterchildren(qn("w:tbl")):
        columns = _grid_columns(tbl)
        title = _title_before(tbl)
        first = len(grids[-1].rows) if grids else 0
        rows, covered = _rows(tbl, first)
        if grids and prev_columns is not None and _continues(grids[-1], columns, prev_columns, rows, title):
            grids[-1].rows.extend(rows)
            grids[-1].covered.update(covered)
            continue
        rows, covered = _rows(tbl, 0)
        grids.append(Grid(f"表{len(grids) + 1}", rows, KIND_WORD, covered, title))
        prev_columns = columns
    return grids
