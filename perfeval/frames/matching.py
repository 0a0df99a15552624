"""Which project of last year is which of this year: two passes (issue 16; targets.md, "The project's identity").

1. 项目编码 to 项目编码.
2. Among the projects still unmatched, (主管部门, 实施单位, 项目名称) normalised — spaces removed (full-width and
   分散对齐 spaces included), brackets of either width alike, nothing else — where at most one side has a code:
   two different codes never match.

Several projects with the same code or the same names are paired one to one in their order (the callers sort
them in code point order). The normalisation is the identity module's once it lands (issue 13); until then it
is here, the same rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..identity import normalise_name as normalise  # the one identity's name rule (targets.md)

BY_CODE = "项目编码"
BY_NAME = "名称"


@dataclass(frozen=True)
class Identity:
    code: str
    department: str
    unit: str
    name: str

    @property
    def names(self) -> tuple[str, str, str]:
        return normalise(self.department), normalise(self.unit), normalise(self.name)


def match(old: Sequence[Identity], new: Sequence[Identity]) -> list[tuple[int, int, str]]:
    """Pairs (old position, new position, :data:`BY_CODE` or :data:`BY_NAME`), in the order of ``new``."""
    pairs: list[tuple[int, int, str]] = []
    old_codes: dict[str, list[int]] = defaultdict(list)
    for i, project in enumerate(old):
        if code := normalise(project.code):
            old_codes[code].append(i)
    for j, project in enumerate(new):
        code = normalise(project.code)
        waiting = old_codes.get(code) if code else None
        if waiting:
            pairs.append((waiting.pop(0), j, BY_CODE))
    paired_old = {i for i, _, _ in pairs}
    paired_new = {j for _, j, _ in pairs}
    old_names: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, project in enumerate(old):
        if i not in paired_old:
            old_names[project.names].append(i)
    for j, project in enumerate(new):
        if j in paired_new:
            continue
        candidates = old_names.get(project.names, [])
        found = next((i for i in candidates if not (normalise(old[i].code) and normalise(project.code))), None)
        if found is not None:
            candidates.remove(found)
            pairs.append((found, j, BY_NAME))
    return sorted(pairs, key=lambda pair: pair[1])
