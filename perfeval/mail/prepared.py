"""Sending the prepared workbooks out (``perfeval email PREPARE_DIR --prepared``, targets.md "Sending them out").

The projects are read from ``PREPARE_DIR/准备清单.xlsx``; each distinct unit address gets one mail with all of its
prepared workbooks attached, as they are on disk. A project without a (valid) address, or whose workbook was not
written or is gone, goes on the chase list. The dry run, the ledger, the retries and the no-resend rule are the
results mail's own (:func:`perfeval.mail.run.run_mail` with ``prepared=True``).
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..fileio import safe_name
from ..targets.listing import LISTING_NAME, ListedWorkbook, read_listing
from .chase import ChaseItem
from .errors import MailError
from .mime import KIND_PREPARED, Attachment, Outgoing
from .planning import _matches
from .reminders import prepared_attachment, unit_addresses
from .templates import Templates, template_settings


def read_prepared(folder: Path) -> list[ListedWorkbook]:
    """The projects of ``folder/准备清单.xlsx``; :class:`MailError` when there is none."""
    listed = read_listing(folder)
    if listed is None:
        raise MailError(f"找不到或无法读取 {folder / LISTING_NAME}：请先运行 perfeval prepare 生成填报表，再发送")
    return listed


def selected(listed: ListedWorkbook, only: str | None) -> bool:
    """``--only``: the project, its 实施单位 or 主管部门, or its workbook's name contains TEXT."""
    return _matches(only, listed.name, listed.unit, listed.department, listed.file)


def _chase(listed: ListedWorkbook, category: str, reason: str, address: str = "") -> ChaseItem:
    return ChaseItem(category, listed.name, listed.unit, listed.department, listed.file, address, reason)


def _joined(values) -> str:
    return "、".join(dict.fromkeys(v for v in values if v))


def plan_prepared(listing: list[ListedWorkbook], folder: Path, config: Config, templates: Templates,
                  only: str | None = None) -> tuple[list[Outgoing], list[ChaseItem]]:
    """One message per distinct unit address (in the listing's order), and the chase list."""
    groups: dict[tuple[str, ...], tuple[list[str], list[tuple[ListedWorkbook, Attachment]]]] = {}
    chase: list[ChaseItem] = []
    for listed in listing:
        if not selected(listed, only):
            continue
        if not listed.file:
            chase.append(_chase(listed, "未生成填报表", f"批复目标有错误，未生成填报表（见 {LISTING_NAME}）"))
            continue
        to = unit_addresses(listed.email, chase, lambda *item: _chase(listed, *item),
                            "批复目标中该项目没有联系邮箱，请另行送达填报表")
        if not to:
            continue
        attachment = prepared_attachment(folder, listed)
        if attachment is None:
            chase.append(_chase(listed, "附件缺失", f"找不到填报表 {listed.file}，请重新运行 perfeval prepare",
                                "；".join(to)))
            continue
        key = tuple(sorted(address.lower() for address in to))
        groups.setdefault(key, (to, []))[1].append((listed, attachment))
    settings = template_settings(config)
    messages = []
    for number, (to, items) in enumerate(groups.values(), 1):
        projects = [{"project": w.name, "unit": w.unit, "department": w.department, "year": w.year, "code": w.code,
                     "file": w.file} for w, _ in items]
        units = _joined(w.unit for w, _ in items)
        context = {"unit": units, "department": _joined(w.department for w, _ in items),
                   "year": _joined(w.year for w, _ in items), "projects": projects,
                   "attachments": [a.name for _, a in items]} | settings
        messages.append(Outgoing(KIND_PREPARED, units or "；".join(to), to, templates.subject(KIND_PREPARED, context),
                                 templates.body(KIND_PREPARED, context), [a for _, a in items],
                                 f"{number:03d}_{safe_name(units or to[0], 60)}.eml", "；".join(to)))
    return messages, chase
