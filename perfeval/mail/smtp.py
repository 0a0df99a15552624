"""SMTP delivery: one connection, opened on demand; retries with backoff; TLS and its failures in Chinese."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time

from .errors import MailError
from .ledger import LEDGER

PASSWORD_ENV = "PERFEVAL_SMTP_PASSWORD"


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

