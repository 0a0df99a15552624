"""E-mail each unit its results, or the problems it must fix (``perfeval email OUTPUT``).

The messages are planned from the manifest of a finished run (``OUTPUT/manifest.json``):

* a project whose workbook passed (``ok``) gets its 自评表 workbook and its report (.docx);
* a project whose workbook has errors gets the marked-up copy (标注版) and the list of problems to fix;
* each 主管部门 with an address in ``[mail.departments]`` gets a summary workbook of its projects;
* what cannot be sent (no address, unreadable file, failed delivery) goes on the chase list (待跟进清单).

By default nothing is sent: each message is written to ``OUTPUT/outbox/NNN_….eml``. With ``send=True`` the
messages go out over SMTP; each delivery is appended to the ledger ``OUTPUT/outbox/sent.jsonl``, and a message
whose attachments a recipient already received is not sent to that recipient again (unless ``resend``).
See docs/email.md.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
import mimetypes
import os
import re
import smtplib
import socket
import ssl
import sys
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Callable, Iterator

import jinja2

from .config import Config
from .fileio import safe_name, write_bytes
from .model import SHEET_INFO
from .pipeline import PROJECT_STATUSES, STATUS_HAS_ERRORS, STATUS_LABELS, STATUS_OK, STATUS_UNREADABLE
from .problems import SEVERITIES
from .results import ManifestEntry

PASSWORD_ENV = "PERFEVAL_SMTP_PASSWORD"
OUTBOX = "outbox"
LEDGER = "sent.jsonl"
CHASE_FILE = "待跟进清单.csv"
DEPARTMENT_DIR = "departments"

KIND_OK = "project_ok"
KIND_ERRORS = "project_errors"
KIND_DEPARTMENT = "department"
KINDS = (KIND_OK, KIND_ERRORS, KIND_DEPARTMENT)
KIND_LABELS = {KIND_OK: "项目结果", KIND_ERRORS: "修改通知", KIND_DEPARTMENT: "主管部门汇总"}


TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
BUILTIN_TEMPLATES = {"subject": "mail_subject.j2", "body": "mail_body.j2"}

# Messages are written with the SMTP policy (CRLF, 7-bit headers); headers this module folds itself (the
# Content-Type with an RFC 2047 name) must be kept as written, so the serialiser never refolds a stored header.
WIRE_POLICY = email_policy.SMTP.clone(refold_source="none")

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ADDRESS_SEPARATORS = re.compile(r"[;,；，、\s]+")
_EML_NAME = re.compile(r"^[0-9]{3,}_.*\.eml$")  # the outbox's messages, as plan() numbers them


class MailError(Exception):
    """The mail run cannot start: no manifest, incomplete SMTP settings, a broken template, a refused login."""


# ---- the manifest -------------------------------------------------------------------------------------------

@dataclass
class Record:
    """One input file of the run, as the manifest describes it."""

    path: str  # the input file as the run named it
    status: str  # ok / has-errors / unreadable / skipped / superseded
    project: str = ""  # 项目名称
    unit: str = ""  # 实施单位
    department: str = ""  # 主管部门
    year: str = ""  # 评价年度
    email: str = ""  # 联系邮箱, as written
    score: str = ""  # total score as displayed; "" unless the workbook passed (ok)
    grade: str = ""  # likewise
    problems: list[dict] = field(default_factory=list)  # {file, sheet, cell, code, severity, message, value}
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to OUTPUT
    raw: dict = field(default_factory=dict)  # the manifest's own entry, as JSON
    entry: ManifestEntry | None = None  # the manifest's own entry

    @property
    def counts(self) -> dict[str, int]:
        return {s: 0 for s in SEVERITIES} | self.raw.get("problem_counts", {})


def read_manifest(output: Path) -> list[Record]:
    """The records of ``OUTPUT/manifest.json``: the one place that knows the batch's manifest format."""
    from .manifest import MANIFEST_NAME, load_manifest

    path = output / MANIFEST_NAME
    if not path.is_file():
        raise MailError(f"找不到 {path}：请先运行 perfeval run 生成结果，再发送邮件")
    manifest = load_manifest(output)
    if manifest is None:
        raise MailError(f"无法读取 {path}（文件损坏，或由另一版本的 perfeval 生成）：请重新运行 perfeval run")
    # A project with errors has no result: its score and grade (the run computes them) are never mailed, so
    # that the unit's request to fix and its department's list tell the same story.
    return [_record(entry.to_json(), entry) for entry in manifest.entries]


def _record(e: dict, entry: ManifestEntry) -> Record:
    """An entry as the mail's record (``e``: the entry as JSON)."""
    return Record(path=e["path"], status=e["status"], project=e.get("项目名称", ""), unit=e.get("实施单位", ""),
                  department=e.get("主管部门", ""), year=e.get("评价年度", ""), email=e.get("联系邮箱", ""),
                  score=e.get("得分", "") if e["status"] == STATUS_OK else "",
                  grade=e.get("等级", "") if e["status"] == STATUS_OK else "",
                  problems=list(e.get("problems", [])), outputs=dict(e.get("outputs", {})), raw=e, entry=entry)


# ---- templates ----------------------------------------------------------------------------------------------

class Templates:
    """The subject and body templates: for each part a file with one ``{% block <kind> %}`` per kind.

    A bureau's file (config ``subject_template`` / ``body_template``) replaces the blocks it defines; a block it
    leaves out falls back to the built-in one. A block name that is not a kind is an error (a typo would
    otherwise be ignored silently).
    """

    def __init__(self, config: Config):
        self.env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True, loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)))
        self.blocks: dict[tuple[str, str], tuple[jinja2.Template, str]] = {}
        base = Path(config.source).parent if config.source else Path.cwd()
        for part, builtin in BUILTIN_TEMPLATES.items():
            self._add(part, self.env.get_template(builtin), builtin)
            own = config.mail[f"{part}_template"]
            if own:
                path = Path(own) if Path(own).is_absolute() else base / own
                self._add(part, self._load(path), str(path))

    def _load(self, path: Path) -> jinja2.Template:
        try:
            return self.env.from_string(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise MailError(f"无法读取邮件模板 {path}：{exc}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise MailError(f"邮件模板 {path} 第{exc.lineno}行有语法错误：{exc.message}") from None

    def _add(self, part: str, template: jinja2.Template, name: str) -> None:
        unknown = sorted(set(template.blocks) - set(KINDS))
        if unknown:
            raise MailError(f"邮件模板 {name} 中有未知的块 {', '.join(unknown)}（可用：{', '.join(KINDS)}）")
        if not template.blocks:
            raise MailError(f"邮件模板 {name} 没有定义任何块（{{% block project_ok %}} 等，见 docs/email.md）")
        for kind in template.blocks:
            self.blocks[(part, kind)] = (template, name)

    def render(self, part: str, kind: str, context: dict) -> str:
        template, name = self.blocks[(part, kind)]
        try:
            return "".join(template.blocks[kind](template.new_context(context)))
        except jinja2.TemplateError as exc:
            raise MailError(f"邮件模板 {name} 的 {kind} 块无法生成：{exc}") from None

    def subject(self, kind: str, context: dict) -> str:
        text = " ".join(self.render("subject", kind, context).split())
        if not text:
            raise MailError(f"邮件模板的 {kind} 块生成的主题为空")
        return text

    def body(self, kind: str, context: dict) -> str:
        text = self.render("body", kind, context).replace("\r\n", "\n")
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


# ---- messages -----------------------------------------------------------------------------------------------

VOLATILE_PARTS = frozenset({"docProps/core.xml"})  # when an Office file was written, not what it says


def content_digest(data: bytes) -> str:
    """A sha256 of what a file says: for an Office file (a zip), of its parts by name, leaving out the zip's
    timestamps and docProps/core.xml, so that the same results written again by a later run count as the same;
    for any other file, of its bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            digest = hashlib.sha256(b"zip-parts\0")
            for name in sorted(archive.namelist()):
                if name not in VOLATILE_PARTS:
                    digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(archive.read(name)).digest())
            return digest.hexdigest()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        return hashlib.sha256(data).hexdigest()


@dataclass
class Attachment:
    name: str  # the name the recipient sees (Chinese)
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @functools.cached_property
    def content(self) -> str:
        return content_digest(self.data)


@dataclass
class Outgoing:
    """One message to send: who, what, and where it came from."""

    kind: str
    label: str  # what the message is about, for people: 实施单位：项目名称, or the 主管部门
    to: list[str]
    subject: str
    body: str
    attachments: list[Attachment]
    eml_name: str = ""
    source: str = ""  # the input file, or the 主管部门
    record: Record | None = None  # the project's record; None for a department's summary

    def fingerprint(self) -> tuple[str, ...]:
        """What a recipient has received when this message reached them: what its attachments say (or, lacking
        any, its text)."""
        if self.attachments:
            return tuple(sorted(a.content for a in self.attachments))
        return ("body:" + hashlib.sha256(self.body.encode("utf-8")).hexdigest(),)

    def build(self, sender: str, reply_to: str = "") -> EmailMessage:
        msg = EmailMessage(policy=email_policy.SMTP)
        if sender:
            msg["From"] = sender
        if reply_to:
            msg["Reply-To"] = reply_to
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(localtime=True)
        domain = parseaddr(sender)[1].rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid(domain=domain)
        msg.set_content(self.body, cte="base64")
        for att in self.attachments:
            maintype, subtype = _mime_type(att.name)
            msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.name)
        return msg


def _mime_type(name: str) -> tuple[str, str]:
    known = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".xls": "application/vnd.ms-excel", ".md": "text/markdown"}
    suffix = Path(name).suffix.lower()
    mime = known.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, _, subtype = mime.partition("/")
    return maintype, subtype


def encoded_word_name(name: str) -> str:
    """``name`` as RFC 2047 encoded words, folded into a quoted string: ``"=?utf-8?B?…?=\\r\\n =?utf-8?B?…?="``.

    Each word carries whole characters of at most 39 bytes, so each line stays below 78 characters.
    """
    words, chunk = [], b""
    for char in name:
        piece = char.encode("utf-8")
        if len(chunk) + len(piece) > 39:
            words.append(chunk)
            chunk = b""
        chunk += piece
    words.append(chunk)
    encoded = [f"=?utf-8?B?{base64.b64encode(w).decode('ascii')}?=" for w in words]
    return '"' + "\r\n ".join(encoded) + '"'


def serialize(msg: EmailMessage, ascii_filenames: bool) -> bytes:
    """The message as sent and as written to .eml.

    Attachment names are always in Content-Disposition as RFC 2231 (``filename*=utf-8''…``). With
    ``ascii_filenames`` each attachment's Content-Type also gets ``name="=?utf-8?B?…?="`` (RFC 2047), which the
    mail clients that ignore RFC 2231 (older Outlook, Foxmail) show instead.
    """
    if ascii_filenames:
        for part in msg.iter_attachments():
            filename = part.get_filename()
            if filename and not filename.isascii():
                content_type = part.get_content_type()
                del part["Content-Type"]
                # stored as written: WIRE_POLICY never refolds it (the standard folder would turn the name
                # back into RFC 2231, and garble the long MIME type)
                part.set_raw("Content-Type", f"{content_type};\r\n name={encoded_word_name(filename)}")
    return msg.as_bytes(policy=WIRE_POLICY)


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """The valid and the malformed addresses in a 联系邮箱 text (several may be separated by ; , 、 or spaces)."""
    good, bad = [], []
    for item in _ADDRESS_SEPARATORS.split(text.strip()):
        if not item:
            continue
        address = parseaddr(item)[1] or item
        (good if _ADDRESS.match(address) else bad).append(address if _ADDRESS.match(address) else item)
    return list(dict.fromkeys(good)), bad


# ---- the chase list ----------------------------------------------------------------------------------------

@dataclass
class ChaseItem:
    """Something that could not be sent, for someone to follow up by hand."""

    category: str  # 无联系邮箱 / 联系邮箱格式不正确 / 主管部门未配置邮箱 / 未填主管部门 / 文件无法读取 / 附件缺失 / 发送失败
    project: str = ""
    unit: str = ""
    department: str = ""
    file: str = ""
    address: str = ""
    reason: str = ""

    @property
    def who(self) -> str:
        return "：".join(x for x in (self.unit or self.department, self.project) if x) or self.file

    def line(self) -> str:
        return f"  [{self.category}] {self.who}" + (f"（{self.address}）" if self.address else "") + \
            (f"：{self.reason}" if self.reason else "")


CHASE_COLUMNS = ("类别", "项目名称", "实施单位", "主管部门", "文件", "邮箱", "说明")


def write_chase_list(path: Path, items: list[ChaseItem]) -> None:
    """The chase list as CSV in UTF-8 with a BOM, so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CHASE_COLUMNS)
    for c in items:
        writer.writerow([c.category, c.project, c.unit, c.department, c.file, c.address, c.reason])
    write_bytes(path, buffer.getvalue().encode("utf-8-sig"))


def _chase(rec: Record, category: str, reason: str = "", address: str = "") -> ChaseItem:
    return ChaseItem(category, rec.project, rec.unit, rec.department, rec.path, address, reason)


def _info_sheet_missing(rec: Record) -> str:
    """Why nothing could be read from 基本信息 (where the address and the department are written): the sheet is
    missing, or named otherwise (基本信息(1)); "" when it is there."""
    for p in rec.problems:
        if (p.get("code") == "sheet-missing" and p.get("sheet") == SHEET_INFO) or (
                p.get("code") == "sheet-near-namesake" and f"“{SHEET_INFO}”" in p.get("message", "")):
            return f"未能从填报表读取：{p.get('message', '')}"
    return ""


# ---- planning -----------------------------------------------------------------------------------------------

def _matches(only: str | None, *names: str) -> bool:
    if not only:
        return True
    needle = only.strip().casefold()
    return any(needle in (n or "").casefold() for n in names)


def _selected(rec: Record, only: str | None) -> bool:
    """``--only``: the project, its 实施单位 or 主管部门 (or, for an unreadable file, its name) contains TEXT."""
    return _matches(only, rec.project, rec.unit, rec.department, Path(rec.path).name)


def own_file_names(records: list[Record]) -> Callable[[str], str]:
    """A text for a unit: each input file of the run, as the bureau's texts name it (the path as shown, the
    absolute path, the path within its input folder), replaced by the file's own name — a unit never sees the
    bureau's folders."""
    names: dict[str, str] = {}
    for rec in records:
        own = Path(rec.path).name
        for path in (rec.path, rec.raw.get("absolute_path") or "", rec.raw.get("name") or ""):
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
        chase.append(_chase(rec, "文件无法读取", "文件无法读取，无从得知项目和联系邮箱，请联系报送单位重新报送"))
        return None
    if rec.status not in PROJECT_STATUSES:
        return None  # skipped (blank) and superseded files get nothing
    to, bad = parse_addresses(rec.email)
    if bad:
        chase.append(_chase(rec, "联系邮箱格式不正确", "联系邮箱无法使用，请核实", "；".join(bad)))
    if not to:
        if not bad:
            chase.append(_chase(rec, "无联系邮箱", _info_sheet_missing(rec) or "填报表未填联系邮箱"))
        return None
    kind = KIND_OK if rec.status == STATUS_OK else KIND_ERRORS
    wanted = ("table", "report_docx") if kind == KIND_OK else ("annotated",)
    attachments, missing = _read_outputs(rec, output, wanted)
    if kind == KIND_OK and missing:
        chase.append(_chase(rec, "附件缺失", f"找不到输出文件 {', '.join(missing)}，请重新运行 perfeval run",
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
    from .summary import write_summary

    target = outbox / DEPARTMENT_DIR / f"{safe_name(department, 60)}_绩效自评汇总.xlsx"
    write_summary(target, [r.entry for r in records], config)
    return Attachment(target.name, target.read_bytes())


TEMPLATE_SETTINGS = ("sender", "bureau", "reply_to", "deadline")  # the [mail] keys every template sees


def template_settings(config: Config) -> dict[str, str]:
    """Who sends, who asks, where to reply and by when: ``[mail]`` keys, "" when not set."""
    return {key: config.mail[key].strip() for key in TEMPLATE_SETTINGS}


def plan(records: list[Record], output: Path, config: Config, templates: Templates,
         only: str | None = None) -> tuple[list[Outgoing], list[ChaseItem]]:
    """Every message of the run (projects in manifest order, then departments) and the chase list."""
    settings = template_settings(config)
    for_unit = own_file_names(records)
    messages: list[Outgoing] = []
    chase: list[ChaseItem] = []
    for rec in records:
        if not _selected(rec, only):
            continue
        message = _plan_project(rec, output, templates, settings, for_unit, chase)
        if message:
            messages.append(message)
        if rec.status in PROJECT_STATUSES and not rec.department:
            chase.append(_chase(rec, "未填主管部门", _info_sheet_missing(rec) or "项目未填主管部门，不在任何主管部门汇总中"))
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


# ---- the ledger ---------------------------------------------------------------------------------------------

class Ledger:
    """``outbox/sent.jsonl``: one JSON object per delivered message, appended and fsync'd as it is sent."""

    def __init__(self, path: Path):
        self.path = path
        self.delivered: set[tuple[str, tuple[str, ...]]] = set()
        self.unreadable_lines = 0
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = ""
        self._cut_short = bool(text) and not text.endswith("\n")  # the next entry starts on a line of its own
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                self._remember(entry["to"], tuple(entry["fingerprint"]))
            except (ValueError, KeyError, TypeError):
                self.unreadable_lines += 1  # a line cut short by a crash: that delivery may be repeated

    def _remember(self, recipients: list[str], fingerprint: tuple[str, ...]) -> None:
        for r in recipients:
            self.delivered.add((r.lower(), tuple(sorted(fingerprint))))

    def already_sent(self, recipient: str, message: Outgoing) -> bool:
        return (recipient.lower(), message.fingerprint()) in self.delivered

    def record(self, message: Outgoing, recipients: list[str], message_id: str, reply: str) -> None:
        entry = {"time": datetime.now().astimezone().isoformat(timespec="seconds"), "kind": message.kind,
                 "source": message.source, "to": recipients, "subject": message.subject,
                 "attachments": [{"name": a.name, "sha256": a.sha256, "content_sha256": a.content,
                                  "size": len(a.data)}
                                 for a in message.attachments],
                 "fingerprint": list(message.fingerprint()), "message_id": message_id, "reply": reply}
        line = ("\n" if self._cut_short else "") + json.dumps(entry, ensure_ascii=False) + "\n"
        self._cut_short = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self._remember(recipients, message.fingerprint())


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (released when the process ends, even on a crash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise MailError(f"另一个 perfeval email --send 正在使用 {path.parent}，请等它结束后再运行") from None
        yield


# ---- SMTP ---------------------------------------------------------------------------------------------------

def _reply_text(code: int, resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return f"{code} {text}".strip()


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, socket.timeout, TimeoutError, ConnectionError, OSError))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "；".join(f"{r}：{_reply_text(*v)}" for r, v in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"服务器断开连接（{exc}）"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "连接超时"
    return f"{type(exc).__name__}: {exc}"


# Why a server's certificate was refused, by OpenSSL's verification code.
_CERTIFICATE_REFUSED = {
    10: "证书已过期",
    18: "证书是自签名证书，本机不信任",
    19: "证书链中有自签名证书，本机不信任",
    20: "证书的签发机构不在本机信任的证书中",
    21: "证书的签发机构不在本机信任的证书中",
    62: "证书上的名称与 smtp_host 不符",
    64: "证书上的地址与 smtp_host 不符",
}


def _tls_failure(exc: ssl.SSLError, host: str, port: int, sent: int) -> MailError:
    """The Chinese message for a failed TLS handshake: the certificate refused, or no TLS on that port."""
    where = f"与邮件服务器 {host}:{port} 建立加密连接失败"
    stopped = f"已停止发送（此前已发送的 {sent} 封已记入 {LEDGER}，重新运行不会重复发送）" if sent else "未发送任何邮件"
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = _CERTIFICATE_REFUSED.get(exc.verify_code, "证书未通过验证")
        return MailError(f"{where}：服务器的{why}（{exc.verify_message}），{stopped}。请确认 smtp_host 是证书上的"
                         "服务器名称；若服务器使用单位内部签发的证书，请由系统管理员将其签发机构加入本机信任的证书")
    return MailError(f"{where}（{exc.reason or exc}），{stopped}。请确认端口与 [mail] tls 相符："
                     "tls = \"ssl\" 通常用 465 端口，tls = \"starttls\" 通常用 587 端口")


class SmtpClient:
    """One SMTP connection, opened on first use and reopened after a failure; deliveries retried with
    exponential backoff (``base_delay`` × 2^attempt) on transient failures. ``context`` verifies the server's
    certificate (default: the system's trusted certificates; verification is never turned off)."""

    def __init__(self, mail: dict, password: str, max_retries: int, base_delay: float, timeout: float,
                 context: ssl.SSLContext | None = None):
        self.mail = mail
        self.password = password
        self.max_retries = max(0, max_retries)
        self.base_delay = base_delay
        self.timeout = timeout
        self.context = context
        self.smtp: smtplib.SMTP | None = None
        self.down: str = ""  # set when the server could not be reached at all: the rest fail at once
        self.sent = 0  # messages delivered to at least one recipient

    def _tls_context(self) -> ssl.SSLContext:
        if self.context is None:
            self.context = ssl.create_default_context()
        return self.context

    def _open(self) -> smtplib.SMTP:
        host, port, tls = self.mail["smtp_host"], self.mail["smtp_port"], self.mail["tls"]
        if tls == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=self._tls_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=self.timeout)
        try:
            smtp.ehlo_or_helo_if_needed()
            if tls == "starttls":
                try:
                    smtp.starttls(context=self._tls_context())
                except smtplib.SMTPNotSupportedError:
                    raise MailError(f"邮件服务器 {host}:{port} 不支持 STARTTLS；请确认端口，或在配置 [mail] 中设置 "
                                    "tls = \"ssl\"（或在可信的内网中设置 tls = \"none\"）") from None
                smtp.ehlo()
            if self.mail["user"]:
                try:
                    smtp.login(self.mail["user"], self.password)
                except smtplib.SMTPAuthenticationError as exc:
                    raise MailError(f"邮件服务器拒绝登录（用户 {self.mail['user']}）：{_describe(exc)}；请检查环境变量 "
                                    f"{PASSWORD_ENV}") from None
                except smtplib.SMTPNotSupportedError:
                    raise MailError(f"邮件服务器 {host}:{port} 不支持登录（AUTH）；请清空配置 [mail] user") from None
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def _transaction(self, from_addr: str, recipients: list[str], data: bytes) -> tuple[dict, str]:
        """MAIL, RCPT, DATA on the open connection; returns (refused recipients, the server's final reply)."""
        smtp = self.smtp
        code, resp = smtp.mail(from_addr)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, resp, from_addr)
        refused = {}
        for r in recipients:
            code, resp = smtp.rcpt(r)
            if code not in (250, 251):
                if code == 421:  # the server is closing the connection: nothing was sent to anyone
                    raise smtplib.SMTPResponseException(code, resp)
                refused[r] = (code, resp)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, resp = smtp.data(data)
        if code != 250:
            raise smtplib.SMTPDataError(code, resp)
        return refused, _reply_text(code, resp)

    def deliver(self, from_addr: str, recipients: list[str], data: bytes
                ) -> tuple[list[str], dict[str, str], str]:
        """Send ``data`` to ``recipients``: (delivered, failed recipient -> reason, the server's reply).

        A transient failure (4xx, dropped connection, timeout) is retried up to ``max_retries`` times for the
        recipients it concerns; a permanent one (5xx) is final for them. When the server cannot be reached at
        all, every later delivery fails at once with the same reason instead of waiting through its retries.
        """
        pending, delivered, failed, reply = list(recipients), [], {}, ""
        reasons: dict[str, str] = {}
        unreachable = False
        for attempt in range(self.max_retries + 1):
            if self.down:
                break
            if attempt:
                time.sleep(self.base_delay * 2 ** (attempt - 1))
            unreachable = False
            self._check_alive()
            try:
                if self.smtp is None:
                    self.smtp = self._open()
            except ssl.SSLError as exc:
                raise _tls_failure(exc, self.mail["smtp_host"], self.mail["smtp_port"], self.sent) from None
            except (smtplib.SMTPException, OSError) as exc:
                unreachable = True
                reasons = dict.fromkeys(pending, f"无法连接邮件服务器 {self.mail['smtp_host']}:"
                                                 f"{self.mail['smtp_port']}（{_describe(exc)}）")
                if not _is_transient(exc):
                    break
                continue
            try:
                refused, reply = self._transaction(from_addr, pending, data)
            except smtplib.SMTPRecipientsRefused as exc:
                self._drop()
                refused = exc.recipients
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                reasons = dict.fromkeys(pending, _describe(exc))
                if not _is_transient(exc):
                    break
                continue
            delivered += [r for r in pending if r not in refused]
            reasons = {r: _reply_text(*refused[r]) for r in refused}
            failed.update((r, reasons.pop(r)) for r in refused if not 400 <= refused[r][0] < 500)
            pending = list(reasons)
            if not pending:
                break
        if pending and unreachable:
            self.down = next(iter(reasons.values()))
        self.sent += bool(delivered)
        failed.update((r, reasons.get(r) or self.down) for r in pending)
        return delivered, failed, reply

    def _check_alive(self) -> None:
        """Drop a connection the server has closed meanwhile (an idle timeout), so that it is opened again."""
        if self.smtp is not None:
            try:
                alive = self.smtp.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self._drop()

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None


# ---- the run ------------------------------------------------------------------------------------------------

@dataclass
class Failure:
    message: Outgoing
    recipient: str
    reason: str


@dataclass
class MailResult:
    """What a mail run did; ``summary_lines()`` says it in Chinese for the console."""

    outbox: Path
    dry_run: bool
    messages: list[Outgoing] = field(default_factory=list)  # every message planned
    written: list[Path] = field(default_factory=list)  # dry run: the .eml files
    sent: list[Outgoing] = field(default_factory=list)  # delivered to at least one recipient
    failed: list[Failure] = field(default_factory=list)
    already_sent: list[Outgoing] = field(default_factory=list)  # every recipient already had these attachments
    chase: list[ChaseItem] = field(default_factory=list)
    only: str | None = None
    selected: int = 0  # manifest records that --only selected
    ledger_damaged: int = 0  # ledger lines that could not be read
    warnings: list[str] = field(default_factory=list)  # about the settings, for the console's error stream

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def chase_file(self) -> Path:
        return self.outbox / CHASE_FILE

    def summary_lines(self) -> list[str]:
        lines = []
        if self.only and not self.selected:
            lines.append(f"没有名称含“{self.only}”的项目或单位")
        kinds = "、".join(f"{KIND_LABELS[k]}{n}封" for k in KINDS
                         if (n := sum(1 for m in self.messages if m.kind == k)))
        if self.dry_run:
            lines.append(f"试运行，未发送：已在 {self.outbox} 生成 {len(self.written)} 封邮件（.eml）" +
                         (f"，共计划 {kinds}" if kinds else "") + "；核对无误后加 --send 发送")
        else:
            lines.append(f"已发送 {len(self.sent)} 封邮件" + (f"（计划 {kinds}）" if kinds else ""))
        if self.ledger_damaged:
            lines.append(f"发送记录 {LEDGER} 中有 {self.ledger_damaged} 行无法读取（可能因中断写了一半），"
                         "其记录的邮件可能再次发送")
        if self.already_sent:
            verb = "将跳过" if self.dry_run else "本次跳过"
            lines.append(f"已发送过相同附件，{verb} {len(self.already_sent)} 封（需要重发请加 --resend）")
        if self.failed:
            lines.append(f"发送失败 {len(self.failed)} 个收件人：")
            lines += [f"  {f.message.label} → {f.recipient}：{f.reason}" for f in self.failed]
        if self.chase:
            lines.append(f"待跟进 {len(self.chase)} 项（见 {self.chase_file}）：")
            lines += [c.line() for c in self.chase]
        return lines


NO_SENDER_WARNING = ("配置文件中未填写 [mail] sender：生成的邮件没有发件人（From），--send 将拒绝发送；"
                     "请在 [mail] 中填写 sender（见 docs/email.md）")


def _check_address(config: Config, key: str) -> None:
    value = config.mail[key].strip()
    if value and not _ADDRESS.match(parseaddr(value)[1]):
        raise MailError(f"配置 [mail] {key} 不是有效的邮箱地址：{value}")


def _smtp_settings(config: Config) -> str:
    """Check the settings --send needs; returns the password (from the environment only)."""
    mail = config.mail
    missing = [f"[mail] {key}" for key in ("smtp_host", "sender") if not mail[key].strip()]
    if missing:
        raise MailError(f"发送邮件需要在配置文件中填写 {'、'.join(missing)}（见 docs/email.md）")
    _check_address(config, "sender")
    password = os.environ.get(PASSWORD_ENV, "")
    if mail["user"] and not password:
        raise MailError(f"配置 [mail] user 已填写，但环境变量 {PASSWORD_ENV} 中没有密码")
    return password


def run_mail(output: Path, config: Config, send: bool = False, resend: bool = False, only: str | None = None, *,
             base_delay: float = 1.0, timeout: float = 60.0, ssl_context: ssl.SSLContext | None = None) -> MailResult:
    """Plan the messages of the run in ``output``; write them as .eml (dry run) or send them.

    Raises :class:`MailError` before anything is sent when the run cannot start, and when the server's
    certificate is refused. ``base_delay`` is the first retry's wait in seconds (it doubles each time);
    ``timeout`` bounds each SMTP network operation; ``ssl_context`` verifies the server's certificate for
    ``tls = "ssl"`` / ``"starttls"`` (default: the system's trusted certificates), e.g. one that also trusts an
    internal authority.
    """
    output = Path(output)
    records = read_manifest(output)
    password = _smtp_settings(config) if send else ""
    _check_address(config, "reply_to")
    templates = Templates(config)
    outbox = output / OUTBOX
    result = MailResult(outbox, dry_run=not send, only=only)
    if not config.mail["sender"].strip():
        result.warnings.append(NO_SENDER_WARNING)
    result.selected = sum(1 for r in records if _selected(r, only))
    with _exclusive(outbox / ".lock"):
        result.messages, result.chase = plan(records, output, config, templates, only)
        ledger = Ledger(outbox / LEDGER)
        result.ledger_damaged = ledger.unreadable_lines
        if send:
            _send_all(result, ledger, config, password, resend, base_delay, timeout, ssl_context)
        else:
            _write_outbox(result, ledger, config, resend)
        write_chase_list(result.chase_file, result.chase)
    return result


def _pending(message: Outgoing, ledger: Ledger, resend: bool) -> list[str]:
    return [r for r in message.to if resend or not ledger.already_sent(r, message)]


def _write_outbox(result: MailResult, ledger: Ledger, config: Config, resend: bool) -> None:
    """Dry run: each message that --send would send, as an .eml file (earlier .eml files are replaced)."""
    for old in result.outbox.glob("*.eml"):
        if _EML_NAME.match(old.name):  # NNN_…: three digits or more (a batch may have thousands of messages)
            old.unlink()
    for message in result.messages:
        if not _pending(message, ledger, resend):
            result.already_sent.append(message)
            continue
        msg = message.build(config.mail["sender"], config.mail["reply_to"])
        data = serialize(msg, config.mail["ascii_filenames"])
        path = result.outbox / message.eml_name
        write_bytes(path, data)
        result.written.append(path)


def _send_all(result: MailResult, ledger: Ledger, config: Config, password: str, resend: bool,
              base_delay: float, timeout: float, ssl_context: ssl.SSLContext | None) -> None:
    mail = config.mail
    client = SmtpClient(mail, password, mail["max_retries"], base_delay, timeout, ssl_context)
    from_addr = parseaddr(mail["sender"])[1]
    try:
        for message in result.messages:
            recipients = _pending(message, ledger, resend)
            if not recipients:
                result.already_sent.append(message)
                continue
            msg = message.build(mail["sender"], mail["reply_to"])
            data = serialize(msg, mail["ascii_filenames"])
            delivered, failed, reply = client.deliver(from_addr, recipients, data)
            if delivered:
                ledger.record(message, delivered, msg["Message-ID"], reply)
                result.sent.append(message)
            for recipient, reason in failed.items():
                result.failed.append(Failure(message, recipient, reason))
                result.chase.append(_chase(message.record, "发送失败", reason, recipient) if message.record else
                                    ChaseItem("发送失败", department=message.source, address=recipient, reason=reason))
    finally:
        client.close()
