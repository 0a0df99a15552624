"""What stops a run, and how an exception is named in a one-line message."""

from __future__ import annotations

from pathlib import Path


class BatchError(Exception):
    """The batch cannot run (the output folder is unusable, the cluster cannot be reached …)."""


class WorkerLost(Exception):
    """The workers running a job died too often (on a cluster: dask's KilledWorker); the message (Chinese) says
    so, and the file is reported as unreadable."""


class BatchLocked(BatchError):
    """Another run holds the output folder's lock."""

    def __init__(self, message: str, lock_path: Path, pid: int | None):
        super().__init__(message)
        self.lock_path = lock_path
        self.pid = pid


def short(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), at most 120 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
