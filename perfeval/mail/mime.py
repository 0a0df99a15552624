"""One message: its kind, recipients and attachments, and its MIME form (RFC 2231/2047 attachment names).

Also the addresses: which texts are valid recipients.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..results import ManifestEntry

KIND_OK = "project_ok"
KIND_ERRORS = "project_errors"
KIND_DEPARTMENT = "department"
KIND_REMINDER = "reminder"  # 催报: a project of the targets list with no workbook back
KIND_PREPARED = "prepared"  # the prepared workbooks sent out (perfeval email PREPARE_DIR --prepared)
KINDS = (KIND_OK, KIND_ERRORS, KIND_DEPARTMENT, KIND_REMINDER)  # the blocks of the results mail's templates
PREPARED_KINDS = (KIND_PREPARED,)  # the blocks of the prepared mail's templates
KIND_LABELS = {KIND_OK: "项目结果", KIND_ERRORS: "修改通知", KIND_DEPARTMENT: "主管部门汇总", KIND_REMINDER: "催报",
               KIND_PREPARED: "下发填报表"}

# Messages are written with the SMTP policy (CRLF, 7-bit headers); headers this module folds itself (the
# Content-Type with an RFC 2047 name) must be kept as written, so the serialiser never refolds a stored header.
WIRE_POLICY = email_policy.SMTP.clone(refold_source="none")

ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ADDRESS_SEPARATORS = re.compile(r"[;,；，、\s]+")

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
    entry: ManifestEntry | None = None  # the project's manifest entry; None for a department's summary

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
        (good if ADDRESS.match(address) else bad).append(address if ADDRESS.match(address) else item)
    return list(dict.fromkeys(good)), bad

