"""The mail run: read the manifest's entries, plan the messages, then write them as .eml (dry run) or send them."""

from __future__ import annotations

import os
import re
import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from ..config import Config
from ..fileio import write_bytes
from .chase import CHASE_FILE, ChaseItem, chase_item, write_chase_list
from .errors import MailError
from .ledger import LEDGER, Ledger, exclusive, pending
from .mime import ADDRESS, KIND_LABELS, Outgoing, serialize
from .planning import OUTBOX, plan, selected
from .entries import read_manifest
from .prepared import plan_prepared, read_prepared
from .prepared import selected as prepared_selected
from .smtp import PASSWORD_ENV, SmtpClient
from .templates import Templates

_EML_NAME = re.compile(r"^[0-9]{3,}_.*\.eml$")  # the outbox's messages, as plan() numbers them


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
    selected: int = 0  # manifest entries that --only selected
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
        kinds = "、".join(f"{KIND_LABELS[k]}{n}封" for k in KIND_LABELS
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
    if value and not ADDRESS.match(parseaddr(value)[1]):
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
             base_delay: float = 1.0, timeout: float = 60.0, ssl_context: ssl.SSLContext | None = None,
             prepared: bool = False) -> MailResult:
    """Plan the messages of the run in ``output``; write them as .eml (dry run) or send them. With ``prepared``,
    ``output`` is a prepare folder and the messages send out its prepared workbooks (:mod:`.prepared`).

    Raises :class:`MailError` before anything is sent when the run cannot start, and when the server's
    certificate is refused. ``base_delay`` is the first retry's wait in seconds (it doubles each time);
    ``timeout`` bounds each SMTP network operation; ``ssl_context`` verifies the server's certificate for
    ``tls = "ssl"`` / ``"starttls"`` (default: the system's trusted certificates), e.g. one that also trusts an
    internal authority.
    """
    output = Path(output)
    if prepared:
        listing = read_prepared(output)
    else:
        entries = read_manifest(output)
    password = _smtp_settings(config) if send else ""
    _check_address(config, "reply_to")
    templates = Templates(config, prepared)
    outbox = output / OUTBOX
    result = MailResult(outbox, dry_run=not send, only=only)
    if not config.mail["sender"].strip():
        result.warnings.append(NO_SENDER_WARNING)
    if prepared:
        result.selected = sum(1 for w in listing if prepared_selected(w, only))
    else:
        result.selected = sum(1 for e in entries if selected(e, only))
    with exclusive(outbox / ".lock"):
        if prepared:
            result.messages, result.chase = plan_prepared(listing, output, config, templates, only)
        else:
            result.messages, result.chase = plan(entries, output, config, templates, only)
        ledger = Ledger(outbox / LEDGER)
        result.ledger_damaged = ledger.unreadable_lines
        if send:
            _send_all(result, ledger, config, password, resend, base_delay, timeout, ssl_context)
        else:
            _write_outbox(result, ledger, config, resend)
        write_chase_list(result.chase_file, result.chase)
    return result


def _write_outbox(result: MailResult, ledger: Ledger, config: Config, resend: bool) -> None:
    """Dry run: each message that --send would send, as an .eml file (earlier .eml files are replaced)."""
    for old in result.outbox.glob("*.eml"):
        if _EML_NAME.match(old.name):  # NNN_…: three digits or more (a batch may have thousands of messages)
            old.unlink()
    for message in result.messages:
        if not pending(message, ledger, resend):
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
            recipients = pending(message, ledger, resend)
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
                result.chase.append(chase_item(message.entry, "发送失败", reason, recipient) if message.entry else
                                    ChaseItem("发送失败", department=message.source, address=recipient, reason=reason))
    finally:
        client.close()
