"""The executors that run the jobs: in this process, a local process pool, or (:mod:`.cluster`) a dask cluster."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import Executor, Future, ProcessPoolExecutor


class InlineExecutor(Executor):
    """Runs each task at once in this process (``--workers 1``): simple to debug, and what most tests use."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


def worker_init() -> None:
    """Worker processes leave Ctrl-C to the main process (which lets them finish and cleans up)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def mp_context():
    """"fork" where it is available and safe (Linux and other Unixes, not macOS): much faster to start."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


def resolve_workers(workers: int) -> int:
    """0 means one per core."""
    return workers if workers > 0 else (os.cpu_count() or 1)


def make_executor(workers: int = 0, scheduler: str | None = None) -> Executor:
    """The engine that runs :func:`perfeval.batch.worker.process_file`: in this process (1 worker), a process pool,
    or a dask.distributed cluster (``scheduler``, its address: :mod:`perfeval.batch.cluster`, imported only then).
    """
    if scheduler:
        from .cluster import connect

        return connect(scheduler)
    workers = resolve_workers(workers)
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context(), initializer=worker_init)


def fresh_process() -> ProcessPoolExecutor:
    """A pool of one new process: a job whose pool broke runs in one alone."""
    return ProcessPoolExecutor(max_workers=1, mp_context=mp_context(), initializer=worker_init)
