"""The run that ties the batch's rooms together (:func:`run_batch`); the steps are listed in :mod:`perfeval.batch`."""

from __future__ import annotations

import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..config import Config
from ..manifest import FORMAT, MANIFEST_NAME, Manifest, load_manifest, write_manifest
from ..results import PROJECT_STATUSES, STATUS_LABELS, STATUS_SUPERSEDED, FileResult, ManifestEntry, brief
from ..signs import Sign, batch_signs
from ..summary import SUMMARY_NAME, write_summary
from .approved import answer_targets, targets_digest, worker_targets
from .commit import assign_folders, commit_outputs, remove_stale
from .discovery import discover, not_evaluated, shown
from .errors import BatchError
from .folder import LOG_NAME, clean_leftovers, outputs_exist
from .jobs import run_jobs
from .lock import OutputLock
from .log import Progress, RunLog, stamp
from .result import BatchResult
from .state import Item, Run
from .supersede import NEWEST_BY_TEXT, supersede
from .worker import Outcome

if TYPE_CHECKING:  # pandas: imported only when a run compares with last year's batch, or writes its summary
    from ..frames import Comparison, Frames


def run_batch(inputs: list[Path], output: Path, config: Config, *, workers: int = 0, scheduler: str | None = None,
              ship_inputs: bool = False, progress: Progress | None = None,
              targets: list[str | Path] | tuple = (), compare: Path | None = None) -> BatchResult:
    """Evaluate every workbook under ``inputs`` and write all outputs into ``output`` (see :mod:`perfeval.batch`).

    ``progress(done, total, name)`` is called as each file is done (the CLI's progress bar); without it, each line
    of the log also goes to the ``perfeval`` logger. ``targets`` are targets lists (files or folders): each workbook
    is compared with them, and each of their projects with no workbook back is a ``missing`` entry. ``compare``:
    last year's output folder (同比): the summary gets the sheet 同比 and the manifest a ``compare`` block; its
    manifest is read before anything is touched.

    Raises :class:`BatchLocked` when another run holds the output folder, :class:`BatchError` when the output
    folder is unusable, the cluster (``scheduler``) cannot run the jobs (then the previous outputs stay as they
    were) or last year's manifest (``compare``) cannot be read (then nothing is touched). Never raises for a bad
    input workbook: its problems are in the result.
    """
    if scheduler:  # without dask, stop before touching anything; the cluster itself is reached when needed
        from .cluster import require

        require()
    if config.report["docx_template"]:  # a bureau's own: when unusable, no workbook is to be blamed for it
        _check_docx_template(config.report["docx_template"])
    last = _last_year(Path(compare)) if compare else None
    output = Path(output)
    started = stamp()
    _make_folder(output)
    lock = OutputLock(output)
    note = lock.acquire()
    log = RunLog(output / LOG_NAME, progress, lock.touch)
    run = Run(list(inputs), output, config, workers, scheduler, ship_inputs, log, tuple(str(p) for p in targets),
              last=last)
    try:
        with _sigterm_as_interrupt():
            return _run(run, started, note)
    except KeyboardInterrupt:
        log.log("中断：本次运行未完成，上次的输出保持不变")
        raise
    except BatchError as exc:  # the cluster failed
        log.log(f"停止：{exc}")
        raise
    finally:
        shutil.rmtree(run.staging, ignore_errors=True)
        lock.release()


def _make_folder(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise BatchError(f"输出位置 {output} 不是文件夹 / output is not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"无法创建输出文件夹 {output}：{exc}") from None


def _run(run: Run, started: str, note: str) -> BatchResult:
    """The run, its output folder locked: evaluate, commit, then the summary and the manifest last."""
    config, log = run.config, run.log
    inputs = [shown(Path(p).resolve()) for p in run.inputs]
    log.log(f"开始：perfeval {__version__}，配置 {config.digest()}，输入 {'、'.join(inputs)}，"
            f"输出 {shown(run.output.resolve())}")
    if note:
        log.log(note)
    run.previous = load_manifest(run.output)
    clean_leftovers(run.output, run.previous)
    digest = targets_digest(run.targets)
    approved = worker_targets(run.targets, str(config.execution_weight))  # before the workers start: they inherit it
    if approved is not None:
        log.log(f"批复目标：{'、'.join(approved.files)}，{len(approved.projects)} 个项目")
    _evaluate_all(run, digest)
    entries = answer_targets(_commit(run), approved)
    # over the batch, on every run (a reused file's neighbours may have changed); for the bureau only
    flags = tuple(batch_signs((brief(e) for e in entries if e.status in PROJECT_STATUSES), config))
    finished = stamp()
    notes = [note] if note else []
    frames, comparison, block = _compare(run, entries)
    summary_written = _write_summary(run, entries, flags, notes, comparison, frames)
    write_manifest(run.output / MANIFEST_NAME, Manifest(
        entries, __version__, config.digest(), config.source, started, finished, Path.cwd().resolve().as_posix(),
        tuple(inputs), run.output.resolve().as_posix(), SUMMARY_NAME, LOG_NAME, flags, targets_digest=digest,
        compare=block))
    result = BatchResult(run.output, entries, started, finished, notes, summary_written=summary_written)
    counts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in result.counts.items() if n) or "没有文件"
    log.log(f"结束：{counts}；沿用 {result.reused} 个；退出码 {result.exit_code}")
    return result


def _last_year(folder: Path) -> Frames:
    """Last year's batch (同比), its projects read from its manifest; :class:`BatchError` when it cannot be read (a
    missing, damaged or unknown-format manifest is never compared)."""
    from ..frames import ManifestError, load

    try:
        return load(folder, details=False)
    except ManifestError as exc:
        raise BatchError(f"无法与上年的输出比较（{folder}）：{exc}") from None


def _compare(run: Run, entries: list[ManifestEntry]) -> tuple[Frames | None, Comparison | None, dict | None]:
    """This batch's frames, its comparison with last year's and the manifest's ``compare`` block; Nones when the
    run compares with nothing."""
    if run.last is None:
        return None, None, None
    from ..frames import compare, compare_block, from_entries

    frames = from_entries(entries, details=False)
    comparison = compare(run.last, frames)
    block = compare_block(comparison)
    counts = block["counts"]
    run.log.log(f"同比：与 {block['last_output'] or '上年的输出'} 比较，两年均有 {counts['matched']} 个项目（按项目编码 "
                f"{counts['by_code']} 个，按名称 {counts['by_name']} 个），本年新增 {counts['new']} 个，"
                f"上年有、本年未报送 {counts['dropped']} 个")
    return frames, comparison, block


def _write_summary(run: Run, entries: list[ManifestEntry], flags: tuple[Sign, ...], notes: list[str],
                   comparison: Comparison | None = None, frames: Frames | None = None) -> bool:
    """Write the summary workbook (with its sheets 复核提示 and, comparing, 同比); False (and a note saying so) when
    it is open elsewhere."""
    path = run.output / SUMMARY_NAME
    try:
        write_summary(path, entries, run.config, flags, comparison=comparison, frames=frames)
    except PermissionError as exc:  # on Windows: open in Excel
        notes.append(f"汇总表 {path} 未能更新（{exc.strerror or exc}；可能正被打开），请关闭后重新运行。")
        run.log.log(notes[-1])
        return False
    return True


def _check_docx_template(path: str) -> None:
    """Raise :class:`BatchError` when the configured Word template cannot be used (missing, not a .docx, a
    template error): a configuration error, which would otherwise fail every report as if each workbook were wrong."""
    from ..render.report import ReportTemplateError, prepared_docx

    try:
        prepared_docx(path)
    except ReportTemplateError as exc:
        raise BatchError(f"配置错误 / configuration error: [report] docx_template：{exc}") from None


def warm_up(config: Config) -> None:
    """Import the readers and writers and prepare the report template in this process, before the workers start:
    forked workers begin with them ready (each would otherwise spend a few hundred milliseconds on them)."""
    from .. import checks, reader, scoring  # noqa: F401
    from ..render import report, table  # noqa: F401

    report.warm_up(config.report["outline"], config.report["docx_template"] or None)


# ---- evaluating ---------------------------------------------------------------------------------------------

def _reusable(previous: Manifest | None, config: Config, targets: str) -> dict[str, list[ManifestEntry]]:
    """Previous entries by absolute path (a file's projects in their order), when the previous run used this tool
    version, manifest format, configuration and targets lists (``targets``: their digest). Missing entries are never
    reused: they are recomputed every run."""
    if not previous or previous.version != __version__ or previous.format != FORMAT or \
            previous.config_digest != config.digest() or previous.targets_digest != targets:
        return {}
    earlier: dict[str, list[ManifestEntry]] = {}
    for e in previous.entries:
        if e.source.absolute_path:
            earlier.setdefault(e.source.absolute_path, []).append(e)
    return earlier


def _evaluate_all(run: Run, targets: str) -> None:
    """Find the inputs; reuse what can be reused; evaluate the rest (writing their outputs into staging). A file
    holding several projects becomes an item per project, in the file's order."""
    run.items = [Item(f) for f in discover(run.inputs, run.output)]
    earlier = _reusable(run.previous, run.config, targets)
    others: dict[int, list[Item]] = {}  # the projects of a file after its first, by the file's index
    jobs = []
    run.log.start(len(run.items))

    def projects(index: int, count: int) -> list[Item]:
        """The items of file ``index`` holding ``count`` projects (the progress counts each)."""
        item = run.items[index]
        others[index] = [Item(item.file) for _ in range(count - 1)]
        run.log.total += count - 1
        return [item, *others[index]]

    for index, item in enumerate(run.items):
        entries = earlier.get(item.file.path.as_posix(), [])
        if skip := not_evaluated(item.file, documents=True):
            _settle(item, *skip, run.log)
        elif entries and all(e.source.sha256 == item.file.sha256 and e.complete
                             and outputs_exist(run.output, e.outputs) for e in entries):
            for one, entry in zip(projects(index, len(entries)), entries):  # all the file's projects together
                one.settle(entry.result)
                one.reused, one.previous = True, entry
                run.log.step(_progress_line(one, "沿用上次结果"), one.file.name)
        else:
            jobs.append(run.job(index, str(index)))

    def done(index: int, outcome: Outcome) -> None:
        for one, part in zip(projects(index, len(outcome.parts)), outcome.parts):
            one.take(part, str(index))
            run.log.step(_progress_line(one), one.file.name)

    if jobs and not run.scheduler:  # (a cluster's workers are other processes, elsewhere)
        warm_up(run.config)
    run_jobs(jobs, run.workers, run.scheduler, done)
    run.items = [one for index, item in enumerate(run.items) for one in (item, *others.get(index, ()))]


def _settle(item: Item, status: str, code: str, why: str, message: str, log: RunLog) -> None:
    """A file that is not evaluated: its status and its one problem."""
    item.settle(FileResult.of_file(item.file.name, status, code, message))
    log.step(f"{item.file.shown_path}：{STATUS_LABELS[status]}（{why}）", item.file.name)


def _progress_line(item: Item, note: str = "") -> str:
    """The line of a file as it is done. A file read as a project gets its status only once every file is done
    (:func:`_status_line`): another file may hold the same project and supersede it."""
    if item.status in PROJECT_STATUSES:
        return f"{item.label}：{note or '已读取'}"
    return f"{item.label}：{STATUS_LABELS[item.status]}" + (f"（{note}）" if note else "")


# ---- committing ---------------------------------------------------------------------------------------------

def _commit(run: Run) -> list[ManifestEntry]:
    """Superseded rule, folders, the commit of the per-project outputs; returns the manifest entries."""
    supersede(run.items)
    assign_folders(run.items)
    # A reused project keeps its outputs when it keeps its folder; otherwise (its folder changed, or it was
    # superseded before) it is done again.
    again = []
    for index, item in enumerate(run.items):
        if item.reused and item.status in PROJECT_STATUSES:
            previous = item.previous
            if previous.folder == item.folder and previous.status in PROJECT_STATUSES:
                item.outputs = dict(previous.outputs)
            else:
                item.reused = False
                again.append(run.job(index, f"again-{index}"))

    def done_again(index: int, outcome: Outcome) -> None:
        item = run.items[index]  # the file is evaluated again: its outputs are this project's
        same = next((p for p in outcome.parts if p.result.part == item.result.part), outcome.parts[0])
        item.take(same, f"again-{index}")

    run_jobs(again, run.workers, run.scheduler, done_again)
    for item in run.items:
        if item.status in PROJECT_STATUSES and not item.reused:
            commit_outputs(item, run.output, run.staging, item.stage, run.log)
    remove_stale(run.output, run.previous, run.items, run.log)
    for item in run.items:
        if item.status in PROJECT_STATUSES + (STATUS_SUPERSEDED,):
            run.log.log(_status_line(item))
    return [item.entry() for item in run.items]


def _status_line(item: Item) -> str:
    """The status of a file read as a project, once the superseded rule has been applied."""
    line = f"{item.label}：{STATUS_LABELS[item.status]}"
    if item.status == STATUS_SUPERSEDED:
        line += f"（以 {item.superseded_by} 为准：{NEWEST_BY_TEXT[item.newest_by]}）"
    return line


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
