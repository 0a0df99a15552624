"""The year-end batch: many workbooks in; per-project outputs, a summary workbook and a manifest out.

A run (:func:`run_batch`, in :mod:`.run`):

1. locks the output folder (:mod:`.lock`: ``.perfeval.lock``, taken over when its holder is gone) and appends to
   ``perfeval.log`` (:mod:`.log`);
2. finds the inputs (:mod:`.discovery`: files, and folders searched recursively) and hashes each;
3. reuses the earlier result of every file whose bytes, configuration digest and tool version are unchanged and
   whose outputs still exist (the previous ``manifest.json`` holds everything the summary needs); evaluates the
   others as jobs (:mod:`.jobs`) of the worker function (:mod:`.worker`) behind a
   :class:`concurrent.futures.Executor` (:mod:`.executors`; a dask cluster: :mod:`.cluster`). Each worker writes
   its project's outputs into a staging folder inside the output folder (:mod:`.folder`), every file atomically (a
   dask.distributed worker, which cannot see that folder, returns them as bytes, written there by the run);
4. applies the superseded rule (:mod:`.supersede`: the same project in two files: the one the workbook itself says
   was saved last counts; its file's time only where the workbook does not say) and gives each project a unique
   folder, in the order of the source paths;
5. commits (:mod:`.commit`): moves the staged outputs into their project folders (one rename per file), removes the
   outputs of the previous run that no input produces now, writes the summary workbook, and the manifest last;
6. removes the staging folder and the lock, also when interrupted (Ctrl-C, or SIGTERM from systemd): until the
   commit, the previous run's outputs are untouched.

The run's state is one :class:`~.state.Run` holding an :class:`~.state.Item` per file; what it did is a
:class:`~.result.BatchResult`, whose entries are :class:`perfeval.results.ManifestEntry`.
"""

from .discovery import SourceFile, discover, not_evaluated
from .errors import BatchError, BatchLocked, WorkerLost
from .executors import InlineExecutor, make_executor
from .folder import LOCK_NAME, LOG_NAME, STAGING_NAME
from .result import BatchResult
from .run import run_batch, warm_up
from .worker import Outcome, process_file

__all__ = ["LOCK_NAME", "LOG_NAME", "STAGING_NAME", "BatchError", "BatchLocked", "BatchResult", "InlineExecutor",
           "Outcome", "SourceFile", "WorkerLost", "discover", "make_executor", "not_evaluated", "process_file",
           "run_batch", "warm_up"]
