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

The package, one concern a module:

* ``entries``: ``OUTPUT/manifest.json`` read as its typed entries (:class:`perfeval.results.ManifestEntry`);
* ``planning``: which message goes to whom with what (:func:`plan`), and the chase items;
* ``chase``: the chase list (待跟进清单) and its CSV;
* ``mime``: one message (:class:`Outgoing`), its MIME form (RFC 2231/2047 names) and valid addresses;
* ``templates``: the Jinja2 subject and body templates;
* ``ledger``: ``sent.jsonl``, the no-resend rule and the outbox's lock;
* ``smtp``: delivery over SMTP, retries and TLS;
* ``run``: :func:`run_mail`, which ties them, and its :class:`MailResult`.
"""

from .chase import CHASE_COLUMNS, CHASE_FILE, ChaseItem, write_chase_list
from .errors import MailError
from .ledger import LEDGER, Ledger
from .mime import (KIND_DEPARTMENT, KIND_ERRORS, KIND_LABELS, KIND_OK, KINDS, VOLATILE_PARTS, WIRE_POLICY, Attachment,
                   Outgoing, content_digest, encoded_word_name, parse_addresses, serialize)
from .entries import read_manifest
from .planning import DEPARTMENT_DIR, OUTBOX, department_entries, own_file_names, plan
from .run import NO_SENDER_WARNING, Failure, MailResult, run_mail
from .smtp import PASSWORD_ENV, SmtpClient
from .templates import BUILTIN_TEMPLATES, TEMPLATE_DIR, TEMPLATE_SETTINGS, Templates, template_settings

__all__ = [
    "BUILTIN_TEMPLATES", "CHASE_COLUMNS", "CHASE_FILE", "DEPARTMENT_DIR", "KINDS", "KIND_DEPARTMENT", "KIND_ERRORS",
    "KIND_LABELS", "KIND_OK", "LEDGER", "NO_SENDER_WARNING", "OUTBOX", "PASSWORD_ENV", "TEMPLATE_DIR",
    "TEMPLATE_SETTINGS", "VOLATILE_PARTS", "WIRE_POLICY", "Attachment", "ChaseItem", "Failure", "Ledger",
    "MailError", "MailResult", "Outgoing", "SmtpClient", "Templates", "content_digest",
    "department_entries", "encoded_word_name", "own_file_names", "parse_addresses", "plan", "read_manifest",
    "run_mail", "serialize", "template_settings", "write_chase_list",
]
