"""The year-end batch: many workbooks in; per-project outputs, a summary workbook and a manifest out.

A run (:func:`run_batch`):

1. locks the output folder (``.perfeval.lock``, taken over when its holder is gone) and appends to ``perfeval.log``;
2. finds the inputs (files, and folders searched recursively) and hashes each;
3. reuses the earlier result of every file whose bytes, configuration digest and tool version are unchanged and
   whose outputs still exist (the previous ``manifest.json`` holds everything the summary needs); evaluates the
   others with :func:`process_file` behind a :class:`concurrent.futures.Executor` (:func:`make_executor`). Each
   worker writes its project's outputs into a staging folder inside the output folder, every file atomically (a
   dask.distributed worker, which cannot see that folder, returns them as bytes, written there by the run);
4. applies the superseded rule (the same project in two files: the one the workbook itself says was saved last
   counts; its file's time only where the workbook does not say) and gives each project a unique folder, in the
   order of the source paths;
5. commits: moves the staged outputs into their project folders (one rename per file), removes the outputs of the
   previous run that no input produces now, writes the summary workbook, and the manifest last;
6. removes the staging folder and the lock, also when interrupted (Ctrl-C, or SIGTERM from systemd): until the
   commit, the previous run's outputs are untouched.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .fileio import safe_name, unique_name, write_bytes
from .manifest import (FORMAT, MANIFEST_NAME, evaluation_record, file_record, load_manifest, make_entry,
                       problem_record, record_from_entry, write_manifest)
from .pipeline import (PROJECT_STATUSES, STATUS_HAS_ERRORS, STATUS_LABELS, STATUS_SKIPPED, STATUS_SUPERSEDED,
                       STATUS_UNREADABLE, evaluate, write_outputs)
from .problems import ERROR
from .render import display_width
from .summary import SUMMARY_NAME, write_summary

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DOCUMENT_SUFFIXES = (".docx",)  # official 自评表 filled in Word
LOG_NAME = "perfeval.log"
LOCK_NAME = ".perfeval.lock"
STAGING_NAME = ".perfeval-staging"
RESERVED_NAMES = (SUMMARY_NAME, MANIFEST_NAME, LOG_NAME, LOCK_NAME, STAGING_NAME)
STALE_LOCK_SECONDS = 12 * 3600  # a lock whose holder cannot be checked is taken over when untouched this long
UNREADABLE_LOCK_SECONDS = 60  # an empty or garbled lock file: being written right now, or left by a crash
WORST_SHOWN = 10  # files with errors named in the summary lines

_TMP_LEFTOVER = re.compile(r"^\..+\.\d+\.tmp(\.[^.]*)?$")  # fileio.atomic_path's temporary names

logger = logging.getLogger("perfeval")


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


# ---- the inputs ----------------------------------------------------------------------------------------------

@dataclass
class SourceFile:
    """One input file as found."""

    path: Path  # absolute
    name: str  # as shown to people: relative to the folder it was found in, or the file's name
    shown_path: str  # relative to the working folder when inside it, else absolute (posix)
    spreadsheet: bool
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    error: str = ""  # why the file could not be opened (permissions …)

    def describe(self) -> dict[str, Any]:
        modified = datetime.fromtimestamp(self.mtime_ns / 1e9).astimezone().isoformat(timespec="seconds")
        return {"path": self.shown_path, "absolute_path": self.path.as_posix(), "sha256": self.sha256,
                "size": self.size, "modified": modified}


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _ignored(name: str) -> bool:
    """Spreadsheet lock files (~$x.xlsx) and hidden files are not inputs."""
    return name.startswith(("~$", "."))


def discover(inputs: list[Path], exclude: Path | None = None) -> list[SourceFile]:
    """The input files, each once, ordered by path; folders are searched recursively (hidden folders and
    ``exclude``, the output folder, are not). Other files than spreadsheets are kept, to be listed as skipped."""
    exclude = exclude.resolve() if exclude else None
    found: dict[Path, SourceFile] = {}

    def add(path: Path, name: str) -> None:
        path = path.resolve()
        if path not in found:
            found[path] = SourceFile(path, name, _shown(path), path.suffix.lower() in SPREADSHEET_SUFFIXES)

    for item in inputs:
        item = Path(item)
        if item.is_file():
            if not _ignored(item.name):
                add(item, item.name)
            continue
        root = item.resolve()
        if exclude and root.is_relative_to(exclude):
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d) != exclude)
            for file in sorted(files):
                if not _ignored(file):
                    add(here / file, (here / file).relative_to(root).as_posix())
    files = sorted(found.values(), key=lambda f: f.shown_path)
    for f in files:
        try:
            stat = f.path.stat()
            f.size, f.mtime_ns = stat.st_size, stat.st_mtime_ns
            with open(f.path, "rb") as fh:
                f.sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            f.error = exc.strerror or type(exc).__name__
    return files


def not_evaluated(f: SourceFile, documents: bool = False) -> tuple[str, str, str, str] | None:
    """(status, problem code, short reason, message) of a found file that is not read as a workbook: one that
    cannot be opened, or is not a spreadsheet. None for a spreadsheet, to be read; with ``documents``, a Word
    document (official 自评表 in Word, read by ``check``) is read too."""
    if f.error:
        return (STATUS_UNREADABLE, "file-unreadable", f.error,
                f"无法打开文件（{f.error}）。请检查文件的访问权限后重新运行。")
    if not f.spreadsheet and not (documents and f.path.suffix.lower() in DOCUMENT_SUFFIXES):
        return (STATUS_SKIPPED, "file-skipped", "不是电子表格",
                f"不是电子表格文件（{f.path.suffix or '无扩展名'}），已跳过。只处理 .xlsx、.xlsm、.xls、.ods 格式的填报表。")
    return None


# ---- the lock ------------------------------------------------------------------------------------------------

def pid_alive(pid: int, since: float | None = None) -> bool | None:
    """Whether process ``pid`` runs on this host; None when that cannot be told.

    Uses psutil when it is installed (then a process started after ``since``, a timestamp, is a reused pid),
    else ``os.kill(pid, 0)`` on POSIX. On Windows without psutil: None.
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            if since is not None and process.create_time() > since + 1:
                return False
            return process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True
        except psutil.Error:
            return None
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return None
        return True
    return None


class OutputLock:
    """``OUTPUT/.perfeval.lock``, created with O_CREAT|O_EXCL, holding the pid, host and time of its run."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self.content = ""

    def _holder(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None
        except (OSError, ValueError):
            return None

    def _stale(self, holder: dict[str, Any] | None) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return True
        if holder is None:
            return age > UNREADABLE_LOCK_SECONDS
        if holder.get("host") == socket.gethostname():
            since = holder.get("time")
            alive = pid_alive(holder["pid"], since if isinstance(since, (int, float)) else None)
            if alive is not None:
                return not alive
        return age > STALE_LOCK_SECONDS

    def acquire(self) -> str:
        """Take the lock; returns a note (Chinese) when a stale lock was taken over, else "".

        Raises :class:`BatchLocked` when another live run holds it.
        """
        now = time.time()
        info = {"pid": os.getpid(), "host": socket.gethostname(), "time": now, "started": _stamp()}
        note = ""
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if not self._stale(holder):
                    pid = holder.get("pid") if holder else None
                    who = (f"进程 {pid}，主机 {holder.get('host', '?')}，开始于 {holder.get('started', '?')}"
                           if holder else "正在写入锁文件")
                    raise BatchLocked(
                        f"输出文件夹正被另一次运行使用：锁文件 {self.path}（{who}）。请等它结束后再运行；如确认没有"
                        f"其他运行，可删除该锁文件。/ output folder locked by pid {pid}", self.path, pid) from None
                who = (f"进程 {holder.get('pid')}，主机 {holder.get('host')}，开始于 {holder.get('started')}"
                       if holder else "内容无法读取")
                note = f"接管了过期的锁文件 {self.path}（{who}；该次运行已不存在）"
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            self.content = json.dumps(info, ensure_ascii=False)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.content)
            return note
        raise BatchLocked(f"无法取得锁文件 {self.path}：另一次运行正在同时启动。", self.path, None)

    def touch(self) -> None:
        """Show that the run is alive (a lock is judged by its age where its process cannot be checked)."""
        try:
            os.utime(self.path)
        except OSError:
            pass

    def release(self) -> None:
        """Remove the lock, if it is still ours."""
        try:
            if self.content and self.path.read_text(encoding="utf-8") == self.content:
                self.path.unlink()
        except OSError:
            pass
        self.content = ""


# ---- the log and the progress bar ----------------------------------------------------------------------------

def _stamp() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class _Reporter:
    """Timestamped lines appended to ``perfeval.log``; on a terminal a one-line progress bar on stderr, else the
    same lines to the ``perfeval`` logger (the CLI shows them on stderr)."""

    def __init__(self, log_path: Path, progress: bool, heartbeat: Callable[[], None] = lambda: None):
        self.log_path = log_path
        self.progress = progress
        self.heartbeat = heartbeat  # called at each file
        self.total = 0
        self.done = 0

    def log(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(f"{_stamp()} [{os.getpid()}] {text}\n")
        if not self.progress:
            logger.info(text)

    def start(self, total: int) -> None:
        self.total, self.done = total, 0

    def step(self, text: str, label: str) -> None:
        self.done += 1
        self.heartbeat()
        self.log(text)
        if self.progress and self.total:
            self._draw(label)

    def _draw(self, label: str) -> None:
        columns = shutil.get_terminal_size((80, 20)).columns - 1
        filled = round(30 * self.done / self.total)
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
        room = columns - len(line)
        shown = ""
        for ch in label:
            if display_width(shown + ch) > room:
                break
            shown += ch
        line += shown
        sys.stderr.write("\r" + line + " " * max(columns - len(line) - display_width(shown) + len(shown), 0))
        sys.stderr.flush()

    def finish(self) -> None:
        if self.progress and self.total:
            sys.stderr.write("\n")
            sys.stderr.flush()


# ---- the executor seam ---------------------------------------------------------------------------------------

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


def _worker_init() -> None:
    """Worker processes leave Ctrl-C to the main process (which lets them finish and cleans up)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _mp_context():
    """"fork" where it is available and safe (Linux and other Unixes, not macOS): much faster to start."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


def resolve_workers(workers: int) -> int:
    """0 means one per core."""
    return workers if workers > 0 else (os.cpu_count() or 1)


def make_executor(workers: int = 0, scheduler: str | None = None) -> Executor:
    """The engine that runs :func:`process_file`: in this process (1 worker), a process pool, or a dask.distributed
    cluster (``scheduler``, its address: :mod:`perfeval.distributed`, imported only then).
    """
    if scheduler:
        from .distributed import connect

        return connect(scheduler)
    workers = resolve_workers(workers)
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_worker_init)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


@contextmanager
def _local_copy(path_str: str, data: bytes | None) -> Iterator[Path]:
    """The input as a path: itself, or (bytes shipped to a worker) a temporary copy under the same name."""
    if data is None:
        yield Path(path_str)
        return
    with tempfile.TemporaryDirectory(prefix="perfeval-") as tmp:
        path = Path(tmp) / Path(path_str).name
        path.write_bytes(data)
        yield path


def _unreadable_record(name: str, message: str) -> dict[str, Any]:
    """The record of a file that gave nothing: status unreadable, one problem saying why."""
    return file_record(name, STATUS_UNREADABLE, [problem_record("file-unreadable", message, name)]) | {"staged": {}}


def _outputs_failed(record: dict[str, Any], exc: BaseException, name: str) -> None:
    """The outputs of an evaluated file could not be written: none are kept, and the record says why."""
    message = f"生成输出文件时出错（{_short(exc)}），未生成本项目的自评表和报告。请联系技术支持。"
    record["problems"].append(problem_record("file-unreadable", message, name))
    record["status"] = STATUS_HAS_ERRORS
    record["staged"] = {}


def process_file(path_str: str, output_root_str: str, config_dict: dict[str, Any], *, name: str, stage: str,
                 data: bytes | None = None, return_outputs: bool = False) -> dict[str, Any]:
    """Evaluate one workbook and write its outputs into ``output_root/stage``; return its record (plain data).

    Top-level and picklable, for any Executor; never raises for a bad input. ``data`` is the file's bytes, for a
    worker that cannot see the input folder. The record is :func:`perfeval.manifest.evaluation_record`'s, plus
    ``staged``: output kind -> file name inside the stage folder.

    ``return_outputs`` is for a worker that cannot write into the output folder (on a cluster): the outputs are
    written into a temporary folder and returned in the record as ``files`` (file name -> bytes), which
    :func:`_store_returned` writes into ``output_root/stage``. There, an input that cannot be read at
    ``path_str`` (no ``data``, and storage not shared) raises :class:`BatchError`: the cluster, not the
    workbook, is at fault.
    """
    if return_outputs:
        if data is None and not os.access(path_str, os.R_OK):
            raise BatchError(f"计算节点 {socket.gethostname()} 无法读取输入文件 {path_str}：集群的计算节点须能以同一路径"
                             "读取输入文件（共享存储），否则请使用 --ship-inputs 发送文件内容。 / input not readable on "
                             "the worker: use shared storage or --ship-inputs")
        with tempfile.TemporaryDirectory(prefix="perfeval-out-") as tmp:
            record = process_file(path_str, tmp, config_dict, name=name, stage=stage, data=data)
            record["files"] = {rel: (Path(tmp) / stage / rel).read_bytes() for rel in record["staged"].values()}
        return record
    config = Config.from_dict(config_dict)
    folder = Path(output_root_str) / stage
    with _local_copy(path_str, data) as path:
        try:
            ev = evaluate(path, config, name)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a bug, or a panic in the native reader: the batch goes on
            # Not the reader's own "file-unreadable" wording: this is an unexpected failure, worth reporting to us.
            return _unreadable_record(name, f"处理该文件时程序发生意外错误（{_short(exc)}），其他文件不受影响。请用 Excel "
                                      "或 WPS 重新保存后再提交；如仍出错，请将此文件交给系统管理员。")
        record = evaluation_record(ev)
        record["staged"] = {}
        if ev.project is not None and ev.card is not None and not ev.blank:
            try:
                record["staged"] = write_outputs(ev, folder, config, root=folder)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                _outputs_failed(record, exc, name)
    return record


@dataclass
class _Job:
    index: int
    kwargs: dict[str, Any]
    ship: bool = False  # send the input's bytes, read only when the job is submitted (few in memory at once)


def _arguments(job: _Job, remote: bool) -> dict[str, Any]:
    """:func:`process_file`'s arguments for ``job`` on a local or (``remote``) cluster worker. Raises OSError
    when the input, to be shipped, cannot be read."""
    kwargs = dict(job.kwargs)
    if job.ship:
        kwargs["data"] = Path(job.kwargs["path_str"]).read_bytes()
    if remote:
        kwargs["return_outputs"] = True
    return kwargs


def _unshippable(job: _Job, exc: OSError) -> dict[str, Any]:
    """The record of a file whose bytes, to be shipped, could not be read."""
    return _unreadable_record(job.kwargs["name"], f"无法读取文件（{exc.strerror or exc}）。请检查文件的访问权限后重新运行。")


def _store_returned(record: dict[str, Any], job: _Job) -> dict[str, Any]:
    """Write the outputs a cluster worker returned as bytes (``files``) into the job's stage folder, each file
    atomically, where a local worker would have written them."""
    files = record.pop("files", None)
    if files:
        folder = Path(job.kwargs["output_root_str"]) / job.kwargs["stage"]
        try:
            for rel, content in files.items():
                if (path := _inside(folder, rel)) is not None:
                    write_bytes(path, content)
        except OSError as exc:
            _outputs_failed(record, exc, job.kwargs["name"])
    return record


def _run_jobs(jobs: list[_Job], workers: int, scheduler: str | None, done: Callable[[int, dict], None]) -> None:
    """Run the jobs, at most ``2 × workers`` in flight (one in-process; on a cluster, twice its threads),
    calling ``done(index, record)`` as each finishes.

    A job whose worker process died (a crash in a native library, memory exhausted) is retried alone in a fresh
    process; when that dies too, the file is reported as unreadable and the batch goes on. On a cluster, the
    scheduler first runs it again on other workers (:mod:`perfeval.distributed`); a job that still lost its
    workers (:class:`WorkerLost`) is retried alone on the cluster once the others are done (a workbook that only
    shared a worker with one that kills it then comes through), and is unreadable when it loses them again.
    """
    if not jobs:
        return
    workers = min(resolve_workers(workers), len(jobs)) if not scheduler else workers
    broken: list[_Job] = []  # their process pool broke: retried alone in a fresh process
    lost: list[_Job] = []  # their cluster workers died too often: retried alone on the cluster
    executor = make_executor(workers, scheduler)
    remote = getattr(executor, "remote", False)  # a cluster: its workers return the outputs as bytes
    try:
        pending: dict[Future, _Job] = {}
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
                    record = future.result()
                except BrokenProcessPool:
                    broken.append(job)
                    continue
                except WorkerLost:
                    lost.append(job)
                    continue
                done(job.index, _store_returned(record, job))
            fill()
        for job in lost:
            done(job.index, _alone(executor, job, remote))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for job in broken:
        with ProcessPoolExecutor(max_workers=1, mp_context=_mp_context(), initializer=_worker_init) as alone:
            done(job.index, _alone(alone, job, remote=False))


def _alone(executor: Executor, job: _Job, remote: bool) -> dict[str, Any]:
    """Run ``job`` with nothing else in flight on ``executor``; the file is unreadable when its worker dies."""
    try:
        return _store_returned(executor.submit(process_file, **_arguments(job, remote)).result(), job)
    except BrokenProcessPool:
        return _unreadable_record(job.kwargs["name"], "处理该文件时工作进程异常退出（文件可能已损坏或过大）。"
                                  "请用 Excel 或 WPS 重新保存后提交。")
    except WorkerLost as exc:
        return _unreadable_record(job.kwargs["name"], str(exc))
    except OSError as exc:
        return _unshippable(job, exc)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (systemd stop, kill) ends the run like Ctrl-C: cleaned up, previous outputs intact."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def count_statuses(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Files per status, every status present."""
    counts = {status: 0 for status in STATUS_LABELS}
    for e in entries:
        counts[e["status"]] += 1
    return counts


# ---- the result ----------------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    """What a run did: one manifest entry per input file."""

    output: Path
    entries: list[dict[str, Any]]
    started: str
    finished: str
    notes: list[str] = field(default_factory=list)  # e.g. a stale lock taken over
    summary_written: bool = True

    @property
    def counts(self) -> dict[str, int]:
        return count_statuses(self.entries)

    @property
    def reused(self) -> int:
        return sum(1 for e in self.entries if e["reused"])

    @property
    def exit_code(self) -> int:
        """0 when every workbook is clean, 1 when some workbook has errors or could not be read (or the summary
        could not be replaced)."""
        counts = self.counts
        return 1 if counts[STATUS_HAS_ERRORS] or counts[STATUS_UNREADABLE] or not self.summary_written else 0

    @property
    def summary_path(self) -> Path:
        return self.output / SUMMARY_NAME

    @property
    def manifest_path(self) -> Path:
        return self.output / MANIFEST_NAME

    @property
    def log_path(self) -> Path:
        return self.output / LOG_NAME

    def summary_lines(self) -> list[str]:
        """What the command line prints (Chinese)."""
        lines = list(self.notes)
        if not self.entries:
            lines.append("未找到任何文件（只处理 .xlsx、.xlsm、.xls、.ods 填报表）。")
        else:
            counts = self.counts
            parts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items() if n)
            lines.append(f"共 {len(self.entries)} 个文件：{parts}。")
            if self.reused:
                lines.append(f"其中 {self.reused} 个文件内容和配置均未改变，沿用上次的结果。")
        lines += [f"汇总表：{self.summary_path}", f"清单：{self.manifest_path}", f"日志：{self.log_path}"]
        worst = sorted((e for e in self.entries if e["status"] in (STATUS_HAS_ERRORS, STATUS_UNREADABLE)),
                       key=lambda e: (e["status"] != STATUS_UNREADABLE, -e["problem_counts"][ERROR], e["path"]))
        if worst:
            lines.append("需要修改的文件：")
            for e in worst[:WORST_SHOWN]:
                first = next((p for p in e["problems"] if p["severity"] == ERROR), None)
                where = f"{_where(first)} " if first and _where(first) else ""
                text = f"{where}{first['message']}" if first else ""
                lines.append(f"  {e['path']}：{e['status_label']}，错误 {e['problem_counts'][ERROR]} 个 — {text}")
            if len(worst) > WORST_SHOWN:
                lines.append(f"  另有 {len(worst) - WORST_SHOWN} 个文件有错误，见汇总表“问题清单”。")
        return lines


def _where(problem: dict[str, Any]) -> str:
    """``sheet!cell`` of a problem record."""
    if problem["sheet"] and problem["cell"]:
        return f"{problem['sheet']}!{problem['cell']}"
    return problem["sheet"]


# ---- the run -------------------------------------------------------------------------------------------------

@dataclass
class _Item:
    """One input file during a run."""

    file: SourceFile
    record: dict[str, Any] | None = None
    reused: bool = False
    previous: dict[str, Any] | None = None  # its entry in the previous manifest, when reused
    status: str = ""
    folder: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    superseded_by: str = ""
    newest_by: str = ""  # what decided between the files of its project: saved_at, modified or path
    extra: list[dict[str, Any]] = field(default_factory=list)  # file-superseded warnings
    complete: bool = True  # every output was put in place


def _inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it stays inside ``root`` (a manifest is data, never trusted with ``..``)."""
    base = _resolved(str(root), os.getcwd())  # asked for every output of every project: root resolved once
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) and path != base else None


@functools.lru_cache(maxsize=8)
def _resolved(root: str, cwd: str) -> Path:
    return (Path(cwd) / root).resolve()


def _outputs_exist(output: Path, outputs: dict[str, str]) -> bool:
    return all((p := _inside(output, rel)) is not None and p.is_file() for rel in outputs.values())


def _reusable(previous: dict | None, config: Config) -> dict[str, dict]:
    """Previous entries by absolute path, when the previous run used this tool version and configuration."""
    if not previous or previous.get("version") != __version__ or previous.get("config_digest") != config.digest():
        return {}
    return {e["absolute_path"]: e for e in previous["files"] if isinstance(e, dict) and "data" in e}


def _clean_leftovers(output: Path, previous: dict | None) -> None:
    """Remove what an interrupted or killed run may have left: its staging folder and temporary files."""
    shutil.rmtree(output / STAGING_NAME, ignore_errors=True)
    folders = [output] + [_inside(output, e["folder"]) for e in (previous or {}).get("files", []) if e.get("folder")]
    for folder in folders:
        if folder is not None and folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() and _TMP_LEFTOVER.match(path.name):
                    path.unlink(missing_ok=True)


def _identity(record: dict[str, Any]) -> tuple[str, str, str] | None:
    info = record["info"]
    key = (info["评价年度"], info["实施单位"], info["项目名称"])
    return key if all(key) else None


def _saved_time(item: _Item) -> datetime | None:
    """When the workbook says it was last saved (from its record), None when it does not say."""
    try:
        return datetime.fromisoformat(item.record.get("saved_at") or "")
    except ValueError:
        return None


def _file_time(item: _Item) -> datetime:
    return datetime.fromtimestamp(item.file.mtime_ns / 1e9).astimezone()


def _newness(item: _Item) -> tuple[datetime, int, str]:
    """What orders the files of one project: the workbook's saved time (its file's time where it has none), then
    the file's time, then the path."""
    return _saved_time(item) or _file_time(item), item.file.mtime_ns, item.file.shown_path


NEWEST_BY = ("saved_at", "modified", "path")  # manifest ``newest_by``: the first of _newness that differed
_NEWEST_BY_TEXT = {"saved_at": "以工作簿记录的最后保存时间最新者为准（未记录保存时间的，以文件修改时间代替）",
                   "modified": "两份的保存时间相同，以文件修改时间最新者为准",
                   "path": "两份的保存时间和文件修改时间都相同，以路径排序在后者为准"}


def _decided_by(winner: _Item, other: _Item) -> str:
    return next((basis for basis, a, b in zip(NEWEST_BY, _newness(winner), _newness(other)) if a != b), "path")


def _when(item: _Item) -> str:
    """The file's two times, as the superseded messages give them."""
    modified = f"文件修改时间 {_file_time(item):%Y-%m-%d %H:%M:%S}"
    saved = _saved_time(item)
    return f"保存于 {saved:%Y-%m-%d %H:%M:%S}，{modified}" if saved else f"工作簿未记录保存时间，{modified}"


def _supersede(items: list[_Item]) -> None:
    """The same project (评价年度, 实施单位, 项目名称) in several files: the one saved last counts (:func:`_newness`)."""
    groups: dict[tuple, list[_Item]] = defaultdict(list)
    for item in items:
        if item.status in PROJECT_STATUSES and (key := _identity(item.record)):
            groups[key].append(item)
    for (year, unit, name), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=_newness, reverse=True)
        winner, runner_up = group[0], group[1]
        losers = sorted(group[1:], key=lambda i: i.file.shown_path)
        project = f"{year}年度 {unit} {name}"
        won = winner.file.shown_path
        for loser in losers:
            loser.status = STATUS_SUPERSEDED
            loser.superseded_by = won
            loser.newest_by = _decided_by(winner, loser)
            loser.extra.append(problem_record(
                "file-superseded", f"本文件“{loser.file.shown_path}”（{_when(loser)}）与“{won}”（{_when(winner)}）是同一"
                f"项目（{project}）的多份填报，{_NEWEST_BY_TEXT[loser.newest_by]}：以“{won}”为准，本文件不再处理。",
                loser.record["name"]))
        winner.newest_by = _decided_by(winner, runner_up)
        others = "、".join(f"“{i.file.shown_path}”（{_when(i)}）" for i in losers)
        winner.extra.append(problem_record(
            "file-superseded", f"同一项目（{project}）另有填报{others}，{_NEWEST_BY_TEXT[winner.newest_by]}：以本文件"
            f"“{won}”（{_when(winner)}）为准。", winner.record["name"]))


def _assign_folders(items: list[_Item]) -> None:
    """A folder per project, from 评价年度_实施单位_项目名称, made unique (_2, _3 …) in the order of the paths."""
    used = {name.casefold() for name in RESERVED_NAMES}
    for item in items:  # already ordered by path
        if item.status not in PROJECT_STATUSES:
            continue
        item.folder = unique_name(item.record["folder_base"] or safe_name(item.file.path.stem), used)


def _commit_outputs(item: _Item, output: Path, staging: Path, stage: str, report: _Reporter) -> None:
    """Move a project's staged outputs into its folder, one atomic rename per file.

    A file that cannot be replaced (on Windows: open in Excel or Word) keeps its old version; the entry is marked
    incomplete, so that the next run does the workbook again.
    """
    target = output / item.folder
    target.mkdir(parents=True, exist_ok=True)
    item.outputs = {}
    for kind, file_name in item.record.get("staged", {}).items():
        try:
            os.replace(staging / stage / file_name, target / file_name)
        except OSError as exc:
            item.complete = False
            report.log(f"无法替换 {item.folder}/{file_name}（{exc.strerror or exc}；文件可能正被打开），保留旧文件，"
                       "下次运行将重新生成")
            if not (target / file_name).is_file():
                continue
        item.outputs[kind] = f"{item.folder}/{file_name}"


def _remove_stale(output: Path, previous: dict | None, items: list[_Item], report: _Reporter) -> None:
    """Remove the outputs the previous manifest lists that no current input produces, then their emptied
    folders. Nothing the previous manifest does not list is touched."""
    if not previous:
        return
    current = {rel.casefold() for item in items for rel in item.outputs.values()}
    folders = {item.folder.casefold() for item in items if item.folder}
    old_folders = set()
    for entry in previous.get("files", []):
        for rel in (entry.get("outputs") or {}).values():
            path = _inside(output, rel)
            if path is not None and rel.casefold() not in current:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    report.log(f"无法删除过期的输出 {rel}（{exc.strerror or exc}）")
        if entry.get("folder") and entry["folder"].casefold() not in folders:
            old_folders.add(entry["folder"])
    for folder in sorted(old_folders):
        path = _inside(output, folder)
        if path is not None and path.is_dir() and not any(path.iterdir()):
            try:
                path.rmdir()
            except OSError:
                pass


def run_batch(inputs: list[Path], output: Path, config: Config, *, workers: int = 0, scheduler: str | None = None,
              ship_inputs: bool = False, progress: bool = False) -> BatchResult:
    """Evaluate every workbook under ``inputs`` and write all outputs into ``output`` (see the module's doc).

    Raises :class:`BatchLocked` when another run holds the output folder, :class:`BatchError` when the output
    folder is unusable or the cluster (``scheduler``) cannot run the jobs (then the previous outputs stay as they
    were). Never raises for a bad input workbook: its problems are in the result.
    """
    if scheduler:  # without dask, stop before touching anything; the cluster itself is reached when needed
        from .distributed import require

        require()
    if config.report["docx_template"]:  # a bureau's own: when unusable, no workbook is to be blamed for it
        _check_docx_template(config.report["docx_template"])
    output = Path(output)
    started = _stamp()
    if output.exists() and not output.is_dir():
        raise BatchError(f"输出位置 {output} 不是文件夹 / output is not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"无法创建输出文件夹 {output}：{exc}") from None
    lock = OutputLock(output)
    note = lock.acquire()
    staging = output / STAGING_NAME
    report = _Reporter(output / LOG_NAME, progress, lock.touch)
    try:
        with _sigterm_as_interrupt():
            report.log(f"开始：perfeval {__version__}，配置 {config.digest()}，输入 "
                       f"{'、'.join(_shown(Path(p).resolve()) for p in inputs)}，输出 {_shown(output.resolve())}")
            if note:
                report.log(note)
            previous = load_manifest(output)
            _clean_leftovers(output, previous)
            items = _evaluate_all(inputs, output, config, previous, workers, scheduler, ship_inputs, report)
            entries = _finish(items, output, config, previous, workers, scheduler, ship_inputs, report)
            finished = _stamp()
            notes = [note] if note else []
            summary_written = True
            try:
                write_summary(output / SUMMARY_NAME, entries, config)
            except PermissionError as exc:  # on Windows: open in Excel
                summary_written = False
                notes.append(f"汇总表 {output / SUMMARY_NAME} 未能更新（{exc.strerror or exc}；可能正被打开），"
                             "请关闭后重新运行。")
                report.log(notes[-1])
            write_manifest(output / MANIFEST_NAME, {
                "format": FORMAT, "tool": "perfeval", "version": __version__, "config_digest": config.digest(),
                "config_source": config.source, "started": started, "finished": finished,
                "working_folder": Path.cwd().resolve().as_posix(),
                "inputs": [_shown(Path(p).resolve()) for p in inputs], "output": output.resolve().as_posix(),
                "summary": SUMMARY_NAME, "log": LOG_NAME,
                "counts": count_statuses(entries),
                "reused": sum(1 for e in entries if e["reused"]), "files": entries})
            result = BatchResult(output, entries, started, finished, notes, summary_written=summary_written)
            counts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in result.counts.items() if n) or "没有文件"
            report.log(f"结束：{counts}；沿用 {result.reused} 个；退出码 {result.exit_code}")
            return result
    except KeyboardInterrupt:
        report.finish()
        report.log("中断：本次运行未完成，上次的输出保持不变")
        raise
    except BatchError as exc:  # the cluster failed
        report.finish()
        report.log(f"停止：{exc}")
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.release()


def _check_docx_template(path: str) -> None:
    """Raise :class:`BatchError` when the configured Word template cannot be used (missing, not a .docx, a
    template error): a configuration error, which would otherwise fail every report as if each workbook were wrong."""
    from .render.report import ReportTemplateError, prepared_docx

    try:
        prepared_docx(path)
    except ReportTemplateError as exc:
        raise BatchError(f"配置错误 / configuration error: [report] docx_template：{exc}") from None


def _job(item: _Item, index: int, output: Path, config: Config, ship_inputs: bool, stage: str) -> _Job:
    kwargs = {"path_str": str(item.file.path), "output_root_str": str(output / STAGING_NAME),
              "config_dict": config.data, "name": item.file.name, "stage": stage}
    return _Job(index, kwargs, ship_inputs)


def _settle(item: _Item, status: str, code: str, why: str, message: str, report: _Reporter) -> None:
    """A file that is not evaluated: its status and its one problem."""
    item.record = file_record(item.file.name, status, [problem_record(code, message, item.file.name)])
    item.status = status
    report.step(f"{item.file.shown_path}：{STATUS_LABELS[status]}（{why}）", item.file.name)


def warm_up(config: Config) -> None:
    """Import the readers and writers and prepare the report template in this process, before the workers start:
    forked workers begin with them ready (each would otherwise spend a few hundred milliseconds on them)."""
    from . import checks, reader, scoring  # noqa: F401
    from .render import report, table  # noqa: F401

    report.warm_up(config.report["outline"], config.report["docx_template"] or None)


def _evaluate_all(inputs, output, config, previous, workers, scheduler, ship_inputs, report) -> list[_Item]:
    """Find the inputs; reuse what can be reused; evaluate the rest (writing their outputs into staging)."""
    items = [_Item(f) for f in discover(inputs, output)]
    earlier = _reusable(previous, config)
    jobs = []
    report.start(len(items))
    for index, item in enumerate(items):
        entry = earlier.get(item.file.path.as_posix())
        if skip := not_evaluated(item.file):
            _settle(item, *skip, report)
        elif (entry and entry["sha256"] == item.file.sha256 and entry.get("complete", True)
              and _outputs_exist(output, entry.get("outputs") or {})):
            item.record, item.reused, item.previous = record_from_entry(entry), True, entry
            item.status = item.record["status"]
            report.step(_progress_line(item, "沿用上次结果"), item.file.name)
        else:
            jobs.append(_job(item, index, output, config, ship_inputs, str(index)))

    def done(index: int, record: dict) -> None:
        item = items[index]
        item.record, item.status = record, record["status"]
        report.step(_progress_line(item), item.file.name)

    if jobs and not scheduler:  # (a cluster's workers are other processes, elsewhere)
        warm_up(config)
    _run_jobs(jobs, workers, scheduler, done)
    report.finish()
    return items


def _progress_line(item: _Item, note: str = "") -> str:
    """The line of a file as it is done. A file read as a project gets its status only once every file is done
    (:func:`_status_line`): another file may hold the same project and supersede it."""
    if item.status in PROJECT_STATUSES:
        return f"{item.file.shown_path}：{note or '已读取'}"
    return f"{item.file.shown_path}：{STATUS_LABELS[item.status]}" + (f"（{note}）" if note else "")


def _status_line(item: _Item) -> str:
    """The status of a file read as a project, once the superseded rule has been applied."""
    line = f"{item.file.shown_path}：{STATUS_LABELS[item.status]}"
    if item.status == STATUS_SUPERSEDED:
        line += f"（以 {item.superseded_by} 为准：{_NEWEST_BY_TEXT[item.newest_by]}）"
    return line


def _finish(items, output, config, previous, workers, scheduler, ship_inputs, report) -> list[dict]:
    """Superseded rule, folders, the commit of the per-project outputs; returns the manifest entries."""
    _supersede(items)
    _assign_folders(items)
    # A reused project keeps its outputs when it keeps its folder; otherwise (its folder changed, or it was
    # superseded before) it is done again.
    again = []
    for index, item in enumerate(items):
        if item.reused and item.status in PROJECT_STATUSES:
            prev = item.previous
            if prev["folder"] == item.folder and prev["status"] in PROJECT_STATUSES:
                item.outputs = dict(prev["outputs"])
            else:
                item.reused = False
                again.append(_job(item, index, output, config, ship_inputs, f"again-{index}"))

    def redone(index: int, record: dict) -> None:
        items[index].record, items[index].status = record, record["status"]

    _run_jobs(again, workers, scheduler, redone)
    staging = output / STAGING_NAME
    done_again = {job.index for job in again}
    for index, item in enumerate(items):
        if item.status in PROJECT_STATUSES and not item.reused:
            _commit_outputs(item, output, staging, f"again-{index}" if index in done_again else str(index), report)
    _remove_stale(output, previous, items, report)
    for item in items:
        if item.status in PROJECT_STATUSES + (STATUS_SUPERSEDED,):
            report.log(_status_line(item))
    return [make_entry(item.file.describe(), item.record, status=item.status, reused=item.reused,
                       folder=item.folder, outputs=item.outputs, superseded_by=item.superseded_by,
                       newest_by=item.newest_by, extra_problems=item.extra, complete=item.complete)
            for item in items]
