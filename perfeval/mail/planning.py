"""Planning: which message goes to whom, with what, from the run's records; and what goes on the chase list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ..config import Config
from ..fileio import safe_name
from ..model import SHEET_INFO
from ..results import PROJECT_STATUSES, STATUS_HAS_ERRORS, STATUS_LABELS, STATUS_MISSING, STATUS_OK, STATUS_UNREADABLE
from ..problems import SEVERITIES
from .chase import ChaseItem, chase_item
from .mime import KIND_DEPARTMENT, KIND_ERRORS, KIND_OK, Attachment, Outgoing, parse_addresses
from .records import Record
from .reminders import Reminders
from .templates import Templates, template_settings

OUTBOX = "outbox"
DEPARTMENT_DIR = "departments"


def _info_sheet_missing(rec: Record) -> str:
    """Why nothing could be read from 基本信息 (where the address and the department are written): the sheet is
    missing, or named otherwise (基本信息(1)); "" when it is there."""
    for p in rec.problems:
        if (p.get("code") == "sheet-missing" and p.get("sheet") == SHEET_INFO) or (
                p.get("code") == "sheet-near-namesake" and f"“{SHEET_INFO}”" in p.get("message", "")):
            return f"未能从填报表读取：{p.get('message', '')}"
    return ""


def _matches(only: str | None, *names: str) -> bool:
    if not only:
        return True
    needle = only.strip().casefold()
    return any(needle in (n or "").casefold() for n in names)


def selected(rec: Record, only: str | None) -> bool:
    """``--only``: the project, its 实施单位 or 主管部门 (or, for an unreadable file, its name) contains TEXT."""
    return _matches(only, rec.project, rec.unit, rec.department, Path(rec.path).name)


def own_file_names(records: list[Record]) -> Callable[[str], str]:
    """A text for a unit: each input file of the run, as the bureau's texts name it (the path as shown, the
    absolute path, the path within its input folder), replaced by the file's own name — a unit never sees the
    bureau's folders."""
    names: dict[str, str] = {}
    for rec in records:
        own = Path(rec.path).name
        for path in rec.names:
            if path and path != own:
                names[path] = names[path.replace("/", "\\")] = own
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(path) for path in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


def _problem_view(p: dict, for_unit: Callable[[str], str]) -> dict:
    sheet, cell = p.get("sheet") or "", p.get("cell") or ""
    return {**p, "where": f"{sheet}!{cell}" if sheet and cell else sheet, "severity": p.get("severity", ""),
            "message": for_unit(p.get("message") or ""), "value": p.get("value") or "",
            "file": for_unit(p.get("file") or "")}


def _project_context(rec: Record, attachments: list[Attachment], settings: dict,
                     for_unit: Callable[[str], str]) -> dict:
    problems = [_problem_view(p, for_unit) for p in rec.problems]
    return {"project": rec.project, "unit": rec.unit, "department": rec.department, "year": rec.year,
            "file": Path(rec.path).name, "status": rec.status, "status_label": STATUS_LABELS.get(rec.status, rec.status),
            "score": rec.score, "grade": rec.grade, "counts": rec.counts, "problems": problems,
            "attachments": [a.name for a in attachments]} | settings


def _read_outputs(rec: Record, output: Path, kinds: tuple[str, ...]) -> tuple[list[Attachment], list[str]]:
    """The attachments of ``kinds`` from the run's outputs, and the kinds whose file is missing."""
    attachments, missing = [], []
    for kind in kinds:
        rel = rec.outputs.get(kind)
        path = (output / rel).resolve() if rel else None
        try:
            if path is None or not path.is_relative_to(output.resolve()):  # the manifest is data: never "../"
                raise FileNotFoundError(kind)
            attachments.append(Attachment(path.name, path.read_bytes()))
        except OSError:
            missing.append(rel or kind)
    return attachments, missing


def _plan_project(rec: Record, output: Path, templates: Templates, settings: dict,
                  for_unit: Callable[[str], str], chase: list[ChaseItem]) -> Outgoing | None:
    if rec.status == STATUS_UNREADABLE:
        chase.append(chase_item(rec, "文件无法读取", "文件无法读取，无从得知项目和联系邮箱，请联系报送单位重新报送"))
        return None
    if rec.status not in PROJECT_STATUSES:
        return None  # skipped (blank) and superseded files get nothing
    to, bad = parse_addresses(rec.email)
    if bad:
        chase.append(chase_item(rec, "联系邮箱格式不正确", "联系邮箱无法使用，请核实", "；".join(bad)))
    if not to:
        if not bad:
            chase.append(chase_item(rec, "无联系邮箱", _info_sheet_missing(rec) or "填报表未填联系邮箱"))
        return None
    kind = KIND_OK if rec.status == STATUS_OK else KIND_ERRORS
    wanted = ("table", "report_docx") if kind == KIND_OK else ("annotated",)
    attachments, missing = _read_outputs(rec, output, wanted)
    if kind == KIND_OK and missing:
        chase.append(chase_item(rec, "附件缺失", f"找不到输出文件 {', '.join(missing)}，请重新运行 perfeval run",
                            "；".join(to)))
        return None
    context = _project_context(rec, attachments, settings, for_unit)
    label = "：".join(x for x in (rec.unit, rec.project) if x) or Path(rec.path).name
    return Outgoing(kind, label, to, templates.subject(kind, context), templates.body(kind, context), attachments,
                    safe_name("_".join(x for x in (rec.unit, rec.project) if x) or Path(rec.path).stem, 60),
                    rec.path, rec)


def _department_context(department: str, records: list[Record], attachments: list[Attachment],
                        settings: dict) -> dict:
    projects = [{"project": r.project, "unit": r.unit, "status": r.status,
                 "status_label": STATUS_LABELS.get(r.status, r.status), "score": r.score, "grade": r.grade,
                 "errors": r.counts[SEVERITIES[0]], "warnings": r.counts[SEVERITIES[1]]}
                for r in records if r.status in PROJECT_STATUSES]
    status_counts: dict[str, int] = {}
    for p in projects:
        status_counts[p["status_label"]] = status_counts.get(p["status_label"], 0) + 1
    return {"department": department, "projects": projects, "status_counts": status_counts,
            "with_errors": sum(1 for p in projects if p["status"] == STATUS_HAS_ERRORS),
            "attachments": [a.name for a in attachments]} | settings


def department_records(records: list[Record]) -> dict[str, list[Record]]:
    """主管部门 -> the records that name it, for the departments with at least one evaluated project."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        if rec.department:
            groups.setdefault(rec.department, []).append(rec)
    return {d: group for d, group in groups.items() if any(r.status in PROJECT_STATUSES for r in group)}


def _department_workbook(department: str, records: list[Record], config: Config, outbox: Path) -> Attachment:
    """The department's summary workbook under ``outbox/departments/``, by the batch's summary writer (which is
    byte-stable: unchanged results give the same bytes, so a rerun does not send the same summary again)."""
    from ..summary import write_summary

    target = outbox / DEPARTMENT_DIR / f"{safe_name(department, 60)}_绩效自评汇总.xlsx"
    write_summary(target, [r.entry for r in records], config)
    return Attachment(target.name, target.read_bytes())



def plan(records: list[Record], output: Path, config: Config, templates: Templates,
         only: str | None = None) -> tuple[list[Outgoing], list[ChaseItem]]:
    """Every message of the run (projects in manifest order, then departments) and the chase list."""
    settings = template_settings(config)
    for_unit = own_file_names(records)
    messages: list[Outgoing] = []
    chase: list[ChaseItem] = []
    reminders = Reminders(config, templates, settings)
    for rec in records:
        if not selected(rec, only):
            continue
        if rec.status == STATUS_MISSING:  # a project of the targets list with no workbook back: 催报
            if message := reminders.plan(rec, chase):
                messages.append(message)
            continue
        message = _plan_project(rec, output, templates, settings, for_unit, chase)
        if message:
            messages.append(message)
        if rec.status in PROJECT_STATUSES and not rec.department:
            chase.append(chase_item(rec, "未填主管部门", _info_sheet_missing(rec) or "项目未填主管部门，不在任何主管部门汇总中"))
    addresses = config.mail["departments"]
    outbox = output / OUTBOX
    for department, group in department_records(records).items():
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

