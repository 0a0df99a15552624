"""Planning: which message goes to whom, with what, from the run's manifest entries; and what goes on the chase list."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Callable

from ..config import Config
from ..fileio import safe_name
from ..model import SHEET_INFO
from ..problems import ERROR, WARNING, Problem
from ..results import (PROJECT_STATUSES, SOURCE_OFFICIAL, STATUS_HAS_ERRORS, STATUS_MISSING, STATUS_OK,
                       STATUS_UNREADABLE,
                       ManifestEntry, part_label)
from .chase import ChaseItem, chase_item
from .mime import KIND_DEPARTMENT, KIND_ERRORS, KIND_OK, Attachment, Outgoing, parse_addresses
from .reminders import Reminders
from .templates import Templates, template_settings

OUTBOX = "outbox"
DEPARTMENT_DIR = "departments"


def _info_sheet_missing(entry: ManifestEntry) -> str:
    """Why nothing could be read from 基本信息 (where the address and the department are written): the sheet is
    missing, or named otherwise (基本信息(1)); "" when it is there."""
    for p in entry.problems:
        if (p.code == "sheet-missing" and p.sheet == SHEET_INFO) or (
                p.code == "sheet-near-namesake" and f"“{SHEET_INFO}”" in p.message):
            return f"未能从填报表读取：{p.message}"
    return ""


def _matches(only: str | None, *names: str) -> bool:
    if not only:
        return True
    needle = only.strip().casefold()
    return any(needle in (n or "").casefold() for n in names)


def selected(entry: ManifestEntry, only: str | None) -> bool:
    """``--only``: the project, its 实施单位 or 主管部门 (or, for an unreadable file, its name) contains TEXT."""
    info = entry.info
    return _matches(only, info.name, info.unit, info.department, Path(entry.path).name)


def own_file_names(entries: list[ManifestEntry]) -> Callable[[str], str]:
    """A text for a unit: each input file of the run, as the bureau's texts name it (the path as shown, the
    absolute path, the path within its input folder), replaced by the file's own name — a unit never sees the
    bureau's folders."""
    names: dict[str, str] = {}
    for entry in entries:
        own = Path(entry.path).name
        for path in (entry.path, entry.source.absolute_path, entry.name):
            if path and path != own:
                names[path] = names[path.replace("/", "\\")] = own
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(path) for path in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


def _problem_view(p: Problem, for_unit: Callable[[str], str]) -> dict:
    """A problem as the templates see it: its fields, ``where`` (``sheet!cell``), the files named for the unit."""
    return {**p.to_dict(), "where": p.where, "message": for_unit(p.message), "value": p.value or "",
            "file": for_unit(p.file)}


def _result(entry: ManifestEntry) -> dict[str, str]:
    """得分 and 等级 as a mail shows them: "" for a project without a result (:attr:`ManifestEntry.has_result`)."""
    shown = entry.figures.shown() if entry.has_result else {}
    return {"score": shown.get("得分", ""), "grade": shown.get("等级", "")}


def _project_context(entry: ManifestEntry, attachments: list[Attachment], settings: dict,
                     for_unit: Callable[[str], str]) -> dict:
    info = entry.info
    return {"project": info.name, "unit": info.unit, "department": info.department, "year": info.year,
            "file": part_label(Path(entry.path).name, entry.part), "status": entry.status, "status_label": entry.status_label,
            **_result(entry), "counts": entry.problem_counts,
            "problems": [_problem_view(p, for_unit) for p in entry.problems],
            "attachments": [a.name for a in attachments]} | settings


def _read_outputs(entry: ManifestEntry, output: Path, kinds: tuple[str, ...]) -> tuple[list[Attachment], list[str]]:
    """The attachments of ``kinds`` from the run's outputs, and the kinds whose file is missing."""
    attachments, missing = [], []
    for kind in kinds:
        rel = entry.outputs.get(kind)
        path = (output / rel).resolve() if rel else None
        try:
            if path is None or not path.is_relative_to(output.resolve()):  # the manifest is data: never "../"
                raise FileNotFoundError(kind)
            attachments.append(Attachment(path.name, path.read_bytes()))
        except OSError:
            missing.append(rel or kind)
    return attachments, missing


def _no_address(entry: ManifestEntry) -> str:
    if entry.result.source_kind == SOURCE_OFFICIAL:
        return "自评表没有联系邮箱一栏，请将本项目的自评表和审核意见另行送交报送单位"
    return "填报表未填联系邮箱"


def _plan_project(entry: ManifestEntry, output: Path, templates: Templates, settings: dict,
                  for_unit: Callable[[str], str], chase: list[ChaseItem]) -> Outgoing | None:
    if entry.status == STATUS_UNREADABLE:
        chase.append(chase_item(entry, "文件无法读取", "文件无法读取，无从得知项目和联系邮箱，请联系报送单位重新报送"))
        return None
    if entry.status not in PROJECT_STATUSES:
        return None  # skipped (blank) and superseded files get nothing
    info = entry.info
    to, bad = parse_addresses(info.email)
    if bad:
        chase.append(chase_item(entry, "联系邮箱格式不正确", "联系邮箱无法使用，请核实", "；".join(bad)))
    if not to:
        if not bad:
            chase.append(chase_item(entry, "无联系邮箱", _info_sheet_missing(entry) or _no_address(entry)))
        return None
    kind = KIND_OK if entry.status == STATUS_OK else KIND_ERRORS
    # an official 自评表's report is its 审核意见; a Word source with errors has no marked-up copy (its problems
    # are listed in the message)
    official = entry.result.source_kind == SOURCE_OFFICIAL
    wanted = ("table", "audit_docx" if official else "report_docx") if kind == KIND_OK else ("annotated",)
    attachments, missing = _read_outputs(entry, output, wanted)
    if kind == KIND_OK and missing:
        chase.append(chase_item(entry, "附件缺失", f"找不到输出文件 {', '.join(missing)}，请重新运行 perfeval run",
                                "；".join(to)))
        return None
    context = _project_context(entry, attachments, settings, for_unit)
    label = "：".join(x for x in (info.unit, info.name) if x) or Path(entry.path).name
    return Outgoing(kind, label, to, templates.subject(kind, context), templates.body(kind, context), attachments,
                    safe_name("_".join(x for x in (info.unit, info.name) if x) or Path(entry.path).stem, 60),
                    entry.path, entry)


def _department_context(department: str, entries: list[ManifestEntry], attachments: list[Attachment],
                        settings: dict) -> dict:
    group = [e for e in entries if e.status in PROJECT_STATUSES]
    projects = [{"project": e.info.name, "unit": e.info.unit, "status": e.status, "status_label": e.status_label,
                 **_result(e), "errors": e.problem_counts[ERROR], "warnings": e.problem_counts[WARNING]}
                for e in group]
    return {"department": department, "projects": projects,
            "status_counts": dict(Counter(e.status_label for e in group)),
            "with_errors": sum(1 for e in group if e.status == STATUS_HAS_ERRORS),
            "attachments": [a.name for a in attachments]} | settings


def department_entries(entries: list[ManifestEntry]) -> dict[str, list[ManifestEntry]]:
    """主管部门 -> the entries that name it, for the departments with at least one evaluated project."""
    groups: dict[str, list[ManifestEntry]] = {}
    for entry in entries:
        if entry.info.department:
            groups.setdefault(entry.info.department, []).append(entry)
    return {d: group for d, group in groups.items() if any(e.status in PROJECT_STATUSES for e in group)}


def _department_workbook(department: str, entries: list[ManifestEntry], config: Config, outbox: Path) -> Attachment:
    """The department's summary workbook under ``outbox/departments/``, by the batch's summary writer (which is
    byte-stable: unchanged results give the same bytes, so a rerun does not send the same summary again). A
    project with errors has no score or grade in it, as in the mails (:attr:`ManifestEntry.has_result`)."""
    from ..summary import write_summary

    target = outbox / DEPARTMENT_DIR / f"{safe_name(department, 60)}_绩效自评汇总.xlsx"
    write_summary(target, entries, config, scores_of_failed=False)
    return Attachment(target.name, target.read_bytes())


def plan(entries: list[ManifestEntry], output: Path, config: Config, templates: Templates,
         only: str | None = None) -> tuple[list[Outgoing], list[ChaseItem]]:
    """Every message of the run (projects in manifest order, then departments) and the chase list."""
    settings = template_settings(config)
    for_unit = own_file_names(entries)
    messages: list[Outgoing] = []
    chase: list[ChaseItem] = []
    reminders = Reminders(config, templates, settings)
    for entry in entries:
        if not selected(entry, only):
            continue
        if entry.status == STATUS_MISSING:  # a project of the targets list with no workbook back: 催报
            if message := reminders.plan(entry, chase):
                messages.append(message)
            continue
        message = _plan_project(entry, output, templates, settings, for_unit, chase)
        if message:
            messages.append(message)
        if entry.status in PROJECT_STATUSES and not entry.info.department:
            chase.append(chase_item(entry, "未填主管部门",
                                    _info_sheet_missing(entry) or "项目未填主管部门，不在任何主管部门汇总中"))
    addresses = config.mail["departments"]
    outbox = output / OUTBOX
    for department, group in department_entries(entries).items():
        if not _matches(only, department):
            continue
        to, bad = parse_addresses(addresses.get(department, ""))
        if not to:
            reason = f"[mail.departments] 中的邮箱格式不正确：{'；'.join(bad)}" if bad else \
                "配置文件 [mail.departments] 中没有该主管部门的邮箱"
            chase.append(ChaseItem("主管部门未配置邮箱", department=department, reason=reason))
            continue
        attachment = _department_workbook(department, group, config, outbox)
        context = _department_context(department, group, [attachment], settings)
        messages.append(Outgoing(KIND_DEPARTMENT, department, to, templates.subject(KIND_DEPARTMENT, context),
                                 templates.body(KIND_DEPARTMENT, context), [attachment],
                                 safe_name(f"{department}_汇总", 60), department))
    for number, message in enumerate(messages, 1):
        message.eml_name = f"{number:03d}_{message.eml_name}.eml"
    return messages, chase
