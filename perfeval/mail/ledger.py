"""The ledger ``outbox/sent.jsonl``: what was delivered to whom, and the rule that nothing is sent twice.

Also the outbox's lock, so that two runs never send (or write the ledger) at once.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .errors import MailError
from .mime import Outgoing

LEDGER = "sent.jsonl"


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
def exclusive(path: Path) -> Iterator[None]:
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



def pending(message: Outgoing, ledger: Ledger, resend: bool) -> list[str]:
    """The no-resend rule: the recipients of ``message`` that have not yet received what it carries (all of
    them with ``resend``)."""
    return [r for r in message.to if resend or not ledger.already_sent(r, message)]
