"""Manifest entries made by hand (perfeval.results), for the summary's and the manifest's tests."""

from __future__ import annotations

from decimal import Decimal

from perfeval.packed import Packed
from perfeval.problems import Problem
from perfeval.results import Figures, FileResult, ManifestEntry, ProjectInfo, SourceFacts


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def make_entry(name: str, department: str, *, year: str = "2025", status: str = "ok", total: str | None = "95.5",
               grade: str | None = "优", budget: str = "10", spent: str = "9.5", rate: str | None = None,
               unit: str = "单位", indicators=(), spending=(), problems: tuple[Problem, ...] = (),
               outputs: dict[str, str] | None = None, sha256: str = "0") -> ManifestEntry:
    """A project ``name`` of ``department``, read from ``in/NAME.xlsx``, with the figures given as exact decimals."""
    figures = Figures(_number(budget), _number(budget), _number(spent), _number(rate), _number(total), grade)
    result = FileResult(f"{name}.xlsx", status, tuple(problems), info=ProjectInfo(year, name, department, unit, ""),
                        folder_base=name, figures=figures, indicators=Packed(indicators), spending=Packed(spending))
    source = SourceFacts(f"in/{name}.xlsx", f"/in/{name}.xlsx", sha256, 1, "")
    return ManifestEntry(source, result, status, folder=name, outputs=outputs or {})
