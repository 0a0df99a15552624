"""Test helpers for the mail tests: a real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives
and can be told to refuse a recipient or to fail the first attempts; and finished runs to mail from.
"""

from __future__ import annotations

import socket
import ssl
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Iterator

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from builders import build_workbook, seed_rows

# ---- the server -----------------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    encrypted: bool = False  # the message came over TLS (SMTPS, or after STARTTLS)
    login: str = ""  # the user that logged in on its connection

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Recorder:
    """The server's handler: records each accepted message; ``refuse`` recipients get 550; the first
    ``fail_first`` DATA commands get 421, and the first ``drop_first`` have the connection dropped. With
    ``password`` set, a login must give it (any user)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_first: int = 0
    drop_first: int = 0
    attempts: int = 0  # DATA commands seen
    password: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.drop_first:
            self.drop_first -= 1
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        if self.fail_first:
            self.fail_first -= 1
            return "421 4.3.2 Service busy, try again later"
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else ""
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                      server.transport.get_extra_info("ssl_object") is not None, login))
        return "250 2.0.0 OK queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and auth_data.password.decode() == self.password:
            return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(tls: str = "none", context: ssl.SSLContext | None = None, password: str = ""
                ) -> Iterator[tuple[Recorder, int]]:
    """A recording SMTP server on 127.0.0.1 for the duration of the block: (handler, port).

    ``tls`` as in [mail]: "ssl" speaks TLS from the start (SMTPS), "starttls" offers STARTTLS and requires it
    before MAIL; both present the certificate of the server-side ``context``. With ``password``, the server
    offers AUTH (over TLS only, unless ``tls`` is "none") and requires a login."""
    handler = Recorder(password=password)
    port = free_port()
    options: dict = {}
    if tls == "ssl":
        options["ssl_context"] = context
    elif tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if password:  # aiosmtpd counts only STARTTLS as TLS: on an SMTPS port AUTH is allowed by saying so
        options.update(authenticator=handler.authenticate, auth_required=True, auth_require_tls=tls != "ssl")
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


# ---- finished runs ------------------------------------------------------------------------------------------

OK_ADDRESS = "spj@example.gov.cn"  # the seed's 联系邮箱
ERROR_ADDRESS = "jyj-xx@example.gov.cn"


def ok_data() -> dict:
    """The seed: 审批局's project, clean."""
    return seed_rows()


def error_data() -> dict:
    """A second unit's project whose spending lines do not add up (an error)."""
    data = seed_rows()
    data["info"].update({"项目名称": "校舍维修经费", "实施单位": "第一中学", "主管部门": "教育局", "联系邮箱": ERROR_ADDRESS})
    data["spending"][0] = ("日常办公经费", 6, "")  # 24.93, not 23.93
    return data


def corrected_data() -> dict:
    """:func:`error_data` with the spending fixed."""
    data = error_data()
    data["spending"][0] = ("日常办公经费", 5, "")
    return data


def no_address_data() -> dict:
    data = seed_rows()
    data["info"].update({"项目名称": "档案数字化经费", "实施单位": "档案馆", "主管部门": "教育局", "联系邮箱": ""})
    return data


def write_inputs(folder: Path, workbooks: dict[str, dict | bytes]) -> Path:
    """``file name -> data`` (a workbook's data for builders.build_workbook, or raw bytes) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in workbooks.items():
        if isinstance(data, bytes):
            (folder / name).write_bytes(data)
        else:
            build_workbook(folder / name, data)
    return folder


def run(inputs: Path, output: Path) -> Path:
    """Run the batch on ``inputs`` into ``output`` (the real one, in this process); returns ``output``."""
    from perfeval.batch import run_batch
    from perfeval.config import Config

    run_batch([inputs], output, Config(), workers=1)
    return output
