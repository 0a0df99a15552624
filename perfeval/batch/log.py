"""The run's log: timestamped lines appended to ``perfeval.log``, and the progress of the files as they are done.

Nothing here writes to the console. Without a ``progress`` callback, each line also goes to the ``perfeval``
logger (the CLI shows it on stderr); with one (the CLI's progress bar, on a terminal), the callback is told of
each file done instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

logger = logging.getLogger("perfeval")

Progress = Callable[[int, int, str], None]  # (files done, files in all, the file's name)


def stamp() -> str:
    """Now, as the log and the manifest write times (ISO 8601, local time, seconds)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class RunLog:
    """``perfeval.log`` of one run, and its count of files done."""

    def __init__(self, log_path: Path, progress: Progress | None = None,
                 heartbeat: Callable[[], None] = lambda: None):
        self.log_path = log_path
        self.progress = progress
        self.heartbeat = heartbeat  # called at each file
        self.total = 0
        self.done = 0

    def log(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp()} [{os.getpid()}] {text}\n")
        if self.progress is None:
            logger.info(text)

    def start(self, total: int) -> None:
        self.total, self.done = total, 0

    def step(self, text: str, label: str) -> None:
        """One more file done: ``text`` to the log, ``label`` (its name) to the progress callback."""
        self.done += 1
        self.heartbeat()
        self.log(text)
        if self.progress is not None and self.total:
            self.progress(self.done, self.total, label)
