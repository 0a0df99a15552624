"""The stratified, reproducible draw of review.md, as pure functions.

No random-number generator: within a group, projects are ordered by the sha256 of ``seed|identity``, so the same
seed and the same batch give the same sample on every machine and Python version, whatever the order of files.
Shares are exact fractions; ties go to the group whose name comes first in code-point order.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from ..fmt import round_half_up
from . import ReviewError
from .model import DrawableProject, Drawn, Sample

GROUPINGS = ("主管部门", "实施单位")


def new_seed() -> int:
    """A seed for a draw that was given none (printed and written into the worksheet, so it can be redrawn)."""
    return secrets.randbelow(1_000_000)


def groups_of(projects: Iterable[DrawableProject], by: str) -> dict[str, list[DrawableProject]]:
    if by not in GROUPINGS:
        raise ReviewError(f"分组依据只能是 {' 或 '.join(GROUPINGS)}，实际为“{by}”")
    groups: dict[str, list[DrawableProject]] = defaultdict(list)
    for p in projects:
        groups[p.group(by)].append(p)
    return dict(sorted(groups.items()))


def shares_by_count(sizes: dict[str, int], count: int) -> dict[str, int]:
    """Exactly ``count`` in all: each group one, then one at a time to the group furthest below its share
    size × count ÷ total (the largest remainder), ties by name, never more than a group's size."""
    total = sum(sizes.values())
    if count < len(sizes):
        raise ReviewError(f"抽取数量 {count} 少于分组数 {len(sizes)}：每组至少抽取 1 个项目，请增大 --count 或改用 "
                          "--fraction")
    if count > total:
        raise ReviewError(f"抽取数量 {count} 超过可抽取的项目数 {total}")
    quota = {g: Fraction(size * count, total) for g, size in sizes.items()}
    drawn = {g: 1 for g in sizes}
    for _ in range(count - len(sizes)):
        open_groups = [g for g in sorted(sizes) if drawn[g] < sizes[g]]
        best = max(open_groups, key=lambda g: quota[g] - drawn[g])  # max keeps the first of equals: by name
        drawn[best] += 1
    return drawn


def shares_by_fraction(sizes: dict[str, int], fraction: Decimal) -> dict[str, int]:
    """Each group its size × fraction rounded half up, at least one."""
    if not 0 < fraction <= 1:
        raise ReviewError(f"抽取比例应大于 0、不大于 1，实际为 {fraction}")
    return {g: min(size, max(1, int(round_half_up(size * fraction, 0)))) for g, size in sizes.items()}


def draw_order(seed: int, project: DrawableProject, prefer_flagged: bool) -> tuple:
    """A project's place in its group: flagged first when asked, then by sha256 of ``seed|identity``."""
    digest = hashlib.sha256(f"{seed}|{project.identity}".encode("utf-8")).hexdigest()
    return (prefer_flagged and not project.flags, digest, project.identity)


def draw(projects: Sequence[DrawableProject], seed: int, *, by: str = "主管部门", count: int | None = None,
         fraction: Decimal | None = None, prefer_flagged: bool = False) -> Sample:
    """The sample: ``count`` projects in all, or ``fraction`` of each group (one of them must be given)."""
    if (count is None) == (fraction is None):
        raise ReviewError("请给出抽取数量（--count）或抽取比例（--fraction）之一")
    if not projects:
        raise ReviewError("没有可抽取的项目（批量结果中没有已评价的项目）")
    identities = [p.identity for p in projects]
    if len(set(identities)) != len(identities):
        raise ReviewError("项目标识重复，无法抽取")
    groups = groups_of(projects, by)
    sizes = {g: len(members) for g, members in groups.items()}
    shares = shares_by_count(sizes, count) if count is not None else shares_by_fraction(sizes, fraction)
    drawn = []
    for group, members in groups.items():
        ordered = sorted(members, key=lambda p: draw_order(seed, p, prefer_flagged))
        drawn.extend(Drawn(p, p.flags if prefer_flagged else ()) for p in ordered[:shares[group]])
    return Sample(seed, by, tuple(drawn))
