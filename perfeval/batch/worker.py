"""The worker function: one input file evaluated, its outputs written into a stage folder, its results returned.

:func:`process_file` runs in a worker process or on a cluster worker (top-level and picklable, for any Executor)
and never raises for a bad input: what the file gave travels back as an :class:`Outcome`, a :class:`Part` per
project (a workbook of official tables holds one per sheet, a Word document one per table).
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..pipeline import evaluate_file, file_result, write_outputs
from ..problems import Problem
from ..results import STATUS_HAS_ERRORS, STATUS_UNREADABLE, FileResult
from ..signs import evaluation_signs
from .approved import worker_targets
from .errors import BatchError, short


@dataclass(frozen=True, slots=True)
class Part:
    """One project of the file: its result and where its outputs are."""

    result: FileResult
    staged: dict[str, str] = field(default_factory=dict)  # output kind -> path inside the stage folder ("0/x.xlsx")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a worker returns for one file: a :class:`Part` per project, in the file's order (one at least)."""

    parts: tuple[Part, ...]
    files: dict[str, bytes] | None = None  # a cluster worker's outputs, as bytes (path in the stage -> content)


def unreadable(name: str, message: str) -> Outcome:
    """A file that gave nothing: status unreadable, one problem saying why."""
    return Outcome((Part(FileResult.of_file(name, STATUS_UNREADABLE, "file-unreadable", message)),))


def outputs_failed(part: Part, exc: BaseException) -> Part:
    """The outputs of an evaluated project could not be written: none are kept, and the result says why."""
    result = part.result
    message = f"生成输出文件时出错（{short(exc)}），未生成本项目的自评表和报告。请联系技术支持。"
    return Part(result.with_problem(Problem("file-unreadable", message, result.name), STATUS_HAS_ERRORS))


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


def process_file(path_str: str, output_root_str: str, config_dict: dict[str, Any], *, name: str, stage: str,
                 data: bytes | None = None, return_outputs: bool = False, targets: tuple[str, ...] = ()) -> Outcome:
    """Evaluate one file and write the outputs of its projects into ``output_root/stage`` (project k's in the
    sub-folder ``k``); return its :class:`Outcome`. ``targets`` are the approved-targets files to compare with.

    ``data`` is the file's bytes, for a worker that cannot see the input folder. ``return_outputs`` is for a worker
    that cannot write into the output folder (on a cluster): the outputs are written into a temporary folder and
    returned as the outcome's ``files``, which :func:`perfeval.batch.jobs.store_returned` writes into
    ``output_root/stage``. There, an input that cannot be read at ``path_str`` (no ``data``, and storage not
    shared) raises :class:`BatchError`: the cluster, not the workbook, is at fault. ``targets`` are the paths of
    the run's targets lists, read once per worker process (:func:`.approved.worker_targets`).
    """
    if return_outputs:
        if data is None and not os.access(path_str, os.R_OK):
            raise BatchError(f"计算节点 {socket.gethostname()} 无法读取输入文件 {path_str}：集群的计算节点须能以同一路径"
                             "读取输入文件（共享存储），否则请使用 --ship-inputs 发送文件内容。 / input not readable on "
                             "the worker: use shared storage or --ship-inputs")
        with tempfile.TemporaryDirectory(prefix="perfeval-out-") as tmp:
            outcome = process_file(path_str, tmp, config_dict, name=name, stage=stage, data=data, targets=targets)
            files = {rel: (Path(tmp) / stage / rel).read_bytes()
                     for part in outcome.parts for rel in part.staged.values()}
        return replace(outcome, files=files)
    config = Config.from_dict(config_dict)
    folder = Path(output_root_str) / stage
    with _local_copy(path_str, data) as path:
        try:
            evaluations = evaluate_file(path, config, name, worker_targets(targets, str(config.execution_weight)))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a bug, or a panic in the native reader: the batch goes on
            # Not the reader's own "file-unreadable" wording: this is an unexpected failure, worth reporting to us.
            return unreadable(name, f"处理该文件时程序发生意外错误（{short(exc)}），其他文件不受影响。请用 Excel "
                              "或 WPS 重新保存后再提交；如仍出错，请将此文件交给系统管理员。")
        if not evaluations:  # evaluate_file always says something of a file; never leave it without an entry
            return unreadable(name, "未能从该文件读取任何项目。请将此文件交给系统管理员。")
        return Outcome(tuple(_part(ev, folder / str(k), config, folder) for k, ev in enumerate(evaluations)))


def _part(ev, folder: Path, config: Config, root: Path) -> Part:
    """One project's result, its outputs written into ``folder`` (paths relative to ``root``, the stage folder)."""
    # the signs are the bureau's: in the result, never in the outputs below
    part = Part(replace(file_result(ev), flags=tuple(evaluation_signs(ev, config))))
    if ev.project is not None and ev.card is not None and not ev.blank:
        try:
            part = Part(part.result, write_outputs(ev, folder, config, root=root))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            part = outputs_failed(part, exc)
    return part
