"""The reminder (催报) of a project of the targets list with no workbook back (a ``missing`` entry of the run):
on the chase list, and a mail to its unit re-sending its prepared workbook when it is found in the prepare folder
(``[targets] output``, by its 准备清单.xlsx)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import Config
from ..fileio import safe_name
from ..identity import identity, name_key
from ..results import ManifestEntry
from ..targets.listing import ListedWorkbook, read_listing
from .chase import ChaseItem, chase_item
from .mime import KIND_REMINDER, Attachment, Outgoing, parse_addresses
from .templates import Templates

NOT_RETURNED = "未报送"


def prepared_attachment(folder: Path, listed: ListedWorkbook) -> Attachment | None:
    """The prepared workbook of ``listed`` as it is on disk (byte-equal), None when it is not there."""
    if not listed.file or Path(listed.file).name != listed.file:  # the listing is data: a plain name only
        return None
    try:
        return Attachment(listed.file, (folder / listed.file).read_bytes())
    except OSError:
        return None


def unit_addresses(text: str, chase: list[ChaseItem], item: Callable[[str, str, str], ChaseItem],
                   none: str) -> list[str]:
    """The valid addresses of a 联系邮箱 text; malformed ones, or none at all (``none`` saying why), go on the chase
    list as ``item(category, reason, address)``."""
    to, bad = parse_addresses(text)
    if bad:
        chase.append(item("联系邮箱格式不正确", "联系邮箱无法使用，请核实", "；".join(bad)))
    if not to and not bad:
        chase.append(item("无联系邮箱", none, ""))
    return to


class Reminders:
    """The reminders of a mail run; the prepare folder's listing is read once, when the first is planned."""

    def __init__(self, config: Config, templates: Templates, settings: dict):
        self.folder = Path(config.targets["output"])
        self.templates, self.settings = templates, settings
        self._listed: dict | None = None

    def _workbook(self, entry: ManifestEntry) -> Attachment | None:
        if self._listed is None:
            self._listed = {}
            for listed in read_listing(self.folder) or []:
                for key in listed.keys:
                    self._listed.setdefault(key, listed)
        info = entry.info
        keys = [identity(info.code, info.year, info.unit, info.name)] if info.code else []
        for key in keys + [name_key(info.year, info.unit, info.name)]:
            if key in self._listed:
                return prepared_attachment(self.folder, self._listed[key])
        return None

    def plan(self, entry: ManifestEntry, chase: list[ChaseItem]) -> Outgoing | None:
        """The project on the chase list, and its reminder when its unit has an address."""
        info, origin = entry.info, entry.origin
        chase.append(chase_item(entry, NOT_RETURNED, f"批复目标中的该项目没有报送填报表（{origin}）", info.email))
        to = unit_addresses(info.email, chase, lambda *item: chase_item(entry, *item),
                            "批复目标中该项目没有联系邮箱，请电话催报")
        if not to:
            return None
        attachment = self._workbook(entry)
        attachments = [attachment] if attachment else []
        context = {"project": info.name, "unit": info.unit, "department": info.department, "year": info.year,
                   "code": info.code, "origin": origin, "attachments": [a.name for a in attachments]} | self.settings
        label = "：".join(x for x in (info.unit, info.name) if x)
        return Outgoing(KIND_REMINDER, label, to, self.templates.subject(KIND_REMINDER, context),
                        self.templates.body(KIND_REMINDER, context), attachments,
                        safe_name(f"催报_{info.unit}_{info.name}", 60), origin, entry)
