"""The one identity of a project (targets.md, "The project's identity").

A project is its 项目编码 when it has one, else its normalised (评价年度, 实施单位, 项目名称). Names are normalised by
removing every kind of space (full-width and 分散对齐 spaces included) and reading brackets of either width alike —
nothing else: a bracketed part of a name is part of the name. Resubmissions, approved targets and the
year-over-year comparison all use this identity.
"""

from __future__ import annotations

import re

from .model import Project

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "［": "[", "］": "]", "｛": "{", "｝": "}"})
_YEAR = re.compile(r"(\d{4})")

Identity = tuple[str, ...]  # ("code", 项目编码) or ("name", 评价年度, 实施单位, 项目名称)


def normalise_name(text: str | None) -> str:
    """A name as identities compare it: without spaces, brackets of either width alike."""
    return _SPACES.sub("", str(text or "")).translate(_BRACKETS)


def normalise_year(text: str | int | None) -> str:
    """2025, "2025", "2025年", "2025年度" -> "2025"; anything else normalised as a name."""
    found = _YEAR.search(normalise_name(str(text if text is not None else "")))
    return found[1] if found else normalise_name(str(text or ""))


def identity(code: str | None, year: str | int | None, unit: str | None, name: str | None) -> Identity:
    """The project's identity: its code when it has one, else the normalised (year, unit, name)."""
    code = normalise_name(code)
    if code:
        return ("code", code)
    return ("name", normalise_year(year), normalise_name(unit), normalise_name(name))


def name_key(year: str | int | None, unit: str | None, name: str | None) -> Identity:
    """The (year, unit, name) form of the identity, for joining a project with a code to one without."""
    return identity(None, year, unit, name)


def project_identity(project: Project) -> Identity:
    info = project.info
    return identity(info.get("项目编码"), info.get("评价年度"), info.get("实施单位"), info.get("项目名称"))
