"""The jobs: each input file's call of the worker function, run at most a window at a time, and the retries of
files whose workers died.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..fileio import write_bytes
from .errors import WorkerLost
from .executors import InlineExecutor, fresh_process, make_executor, resolve_workers
from .folder import inside
from .worker import Outcome, outputs_failed, process_file, unreadable


@dataclass
class Job:
    """One call of :func:`process_file`: the file's index in the run and the call's arguments."""

    index: int
    kwargs: dict[str, Any]
    ship: bool = False  # send the input's bytes, read only when the job is submitted (few in memory at once)


def _arguments(job: Job, remote: bool) -> dict[str, Any]:
    """:func:`process_file`'s arguments for ``job`` on a local or (``remote``) cluster worker. Raises OSError
    when the input, to be shipped, cannot be read."""
    kwargs = dict(job.kwargs)
    if job.ship:
        kwargs["data"] = Path(job.kwargs["path_str"]).read_bytes()
    if remote:
        kwargs["return_outputs"] = True
    return kwargs


def _unshippable(job: Job, exc: OSError) -> Outcome:
    """A file whose bytes, to be shipped, could not be read."""
    return unreadable(job.kwargs["name"], f"无法读取文件（{exc.strerror or exc}）。请检查文件的访问权限后重新运行。")


def store_returned(outcome: Outcome, job: Job) -> Outcome:
    """Write the outputs a cluster worker returned as bytes (``files``) into the job's stage folder, each file
    atomically, where a local worker would have written them."""
    files = outcome.files
    if files is None:
        return outcome
    outcome = replace(outcome, files=None)
    folder = Path(job.kwargs["output_root_str"]) / job.kwargs["stage"]
    try:
        for rel, content in files.items():
            if (path := inside(folder, rel)) is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_bytes(path, content)
    except OSError as exc:
        return replace(outcome, parts=tuple(outputs_failed(p, exc) if p.staged else p for p in outcome.parts))
    return outcome


def run_jobs(jobs: list[Job], workers: int, scheduler: str | None, done: Callable[[int, Outcome], None]) -> None:
    """Run the jobs, at most ``2 × workers`` in flight (one in-process; on a cluster, twice its threads),
    calling ``done(index, outcome)`` as each finishes.

    A job whose worker process died (a crash in a native library, memory exhausted) is retried alone in a fresh
    process; when that dies too, the file is reported as unreadable and the batch goes on. On a cluster, the
    scheduler first runs it again on other workers (:mod:`.cluster`); a job that still lost its
    workers (:class:`WorkerLost`) is retried alone on the cluster once the others are done (a workbook that only
    shared a worker with one that kills it then comes through), and is unreadable when it loses them again.
    """
    if not jobs:
        return
    workers = min(resolve_workers(workers), len(jobs)) if not scheduler else workers
    broken: list[Job] = []  # their process pool broke: retried alone in a fresh process
    lost: list[Job] = []  # their cluster workers died too often: retried alone on the cluster
    executor = make_executor(workers, scheduler)
    remote = getattr(executor, "remote", False)  # a cluster: its workers return the outputs as bytes
    try:
        pending: dict[Future, Job] = {}
        queue = iter(jobs)

        def window() -> int:
            return 1 if isinstance(executor, InlineExecutor) else max(1, 2 * getattr(executor, "slots", workers))

        def fill() -> None:
            nonlocal executor
            while len(pending) < window():
                job = next(queue, None)
                if job is None:
                    return
                try:
                    kwargs = _arguments(job, remote)
                except OSError as exc:
                    done(job.index, _unshippable(job, exc))
                    continue
                try:
                    pending[executor.submit(process_file, **kwargs)] = job
                except BrokenProcessPool:  # a worker died: the jobs it broke are retried alone, the rest go on
                    executor.shutdown(wait=True)  # in a fresh pool
                    executor = make_executor(workers, scheduler)
                    pending[executor.submit(process_file, **kwargs)] = job

        fill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f].index):
                job = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken.append(job)
                    continue
                except WorkerLost:
                    lost.append(job)
                    continue
                done(job.index, store_returned(outcome, job))
            fill()
        for job in lost:
            done(job.index, alone(executor, job, remote))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for job in broken:
        with fresh_process() as one:
            done(job.index, alone(one, job, remote=False))


def alone(executor: Executor, job: Job, remote: bool) -> Outcome:
    """Run ``job`` with nothing else in flight on ``executor``; the file is unreadable when its worker dies."""
    try:
        return store_returned(executor.submit(process_file, **_arguments(job, remote)).result(), job)
    except BrokenProcessPool:
        return unreadable(job.kwargs["name"], "处理该文件时工作进程异常退出（文件可能已损坏或过大）。"
                          "请用 Excel 或 WPS 重新保存后提交。")
    except WorkerLost as exc:
        return unreadable(job.kwargs["name"], str(exc))
    except OSError as exc:
        return _unshippable(job, exc)
