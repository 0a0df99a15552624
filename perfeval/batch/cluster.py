"""The batch on a dask.distributed cluster (``perfeval run --scheduler ADDRESS``, or ``[run] scheduler``).

Imported only when a scheduler is given: without one, nothing of dask is loaded. dask is the optional extra
``perfeval[dask]``.

:class:`DaskExecutor` is a :class:`concurrent.futures.Executor` over a ``distributed.Client``, so the batch runs
its jobs on a cluster exactly as on a local process pool (:func:`perfeval.batch.executors.make_executor`). Its
``remote`` flag tells the batch that the workers cannot write into the output folder: they return the outputs'
bytes, which the batch writes into its staging folder (see :func:`perfeval.batch.worker.process_file`'s
``return_outputs``).

Worker deaths: the scheduler runs the tasks of a dead worker again elsewhere; a task on which more workers died
than ``distributed.scheduler.allowed-failures`` (default 3) allows fails with ``KilledWorker``, which becomes
:class:`perfeval.batch.errors.WorkerLost`: the batch retries the workbook alone once the others are done (it
may only have shared the workers of one that kills them), and reports it unreadable when it loses its workers
again; the batch goes on. Any other failure of a task (process_file itself never raises for a bad workbook) is a
fault of the cluster, not of the workbook: the run stops with :class:`perfeval.batch.errors.BatchError`, leaving
the previous outputs intact.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor, Future

from .. import __version__
from .errors import BatchError, WorkerLost, short

RETRIES = 1  # a task that raises (a fault of its worker: full disk, …) is run once more before the run stops
SLOTS_SECONDS = 5.0  # how often the number of threads in the cluster is asked again

MISSING = ("未安装 dask，无法使用 --scheduler（[run] scheduler）：请安装 pip install \"perfeval[dask]\"。"
           " / dask.distributed is not installed: pip install \"perfeval[dask]\"")


def require() -> None:
    """Raise :class:`BatchError` (bilingual) when dask.distributed cannot be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BatchError(MISSING) from None


def _worker_version() -> str:
    """Run on each worker: the perfeval version it has installed."""
    return __version__


def connect(address: str) -> DaskExecutor:
    """A :class:`DaskExecutor` on the scheduler at ``address``, checked: reachable (within dask's connect
    timeout, ``distributed.comm.timeouts.connect``), with at least one worker (same timeout), and the scheduler
    and every worker running this perfeval version. Raises :class:`BatchError` (bilingual) otherwise."""
    require()
    import dask
    from dask.utils import parse_timedelta
    from distributed import Client

    timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s")
    # Made in two steps, to close a client that failed to connect now: left to the garbage collector, it would be
    # closed at exit, after a long wait.
    client = Client.__new__(Client)
    try:
        client.__init__(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        _close(client)
        raise BatchError(f"无法连接 dask 调度器 {address}（{short(exc)}）。请确认调度器已启动、地址和端口正确。"
                         f" / cannot connect to the dask scheduler {address}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise BatchError(f"dask 调度器 {address} 在 {timeout:g} 秒内没有可用的计算节点（dask worker）。请先启动"
                             f"计算节点。 / no dask worker joined the scheduler {address}") from None
        try:  # the scheduler unpickles the tasks too
            versions = client.run(_worker_version) | {"调度器": client.run_on_scheduler(_worker_version)}
        except Exception as exc:
            raise BatchError(f"dask 调度器或计算节点无法运行 perfeval（{type(exc).__name__}: {short(exc)}）。调度器和每个"
                             f"计算节点都须安装与本机相同版本的 perfeval。 / perfeval is not installed on the dask "
                             f"scheduler or workers") from None
        wrong = sorted(f"{where}: {version}" for where, version in versions.items() if version != __version__)
        if wrong:
            raise BatchError(f"dask 集群上的 perfeval 版本与本机（{__version__}）不同：{'；'.join(wrong)}。请在调度器和每个"
                             f"计算节点安装相同版本。 / perfeval version mismatch on the dask cluster")
    except BaseException:
        _close(client)
        raise
    return DaskExecutor(client, address)


def _close(client) -> None:
    try:
        client.close()
    except Exception:  # closing what could not be used: nothing more to do
        pass


class DaskExecutor(Executor):
    """Runs each submitted call as one task (``pure=False``: each call is new work) on a dask.distributed
    cluster, returning standard futures. Their failures are translated: ``KilledWorker`` to :class:`WorkerLost`,
    any other error or a lost scheduler to :class:`BatchError`. ``shutdown`` cancels what is left and closes the
    client (never the cluster)."""

    remote = True  # the workers cannot see the output folder

    def __init__(self, client, address: str = ""):
        self.client = client
        self.address = address or str(client.scheduler.address)
        self._tasks: set = set()  # dask futures in flight (a finished one is dropped, freeing its result)
        self._shutdown = False
        self._slots = 1
        self._counted = float("-inf")

    @property
    def slots(self) -> int:
        """Threads in the cluster now (asked again every few seconds: workers come and go)."""
        now = time.monotonic()
        if now - self._counted > SLOTS_SECONDS:
            try:
                self._slots = max(1, sum(self.client.nthreads().values()))
            except (OSError, TimeoutError):
                pass
            self._counted = now
        return self._slots

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        result: Future = Future()
        task = self.client.submit(fn, *args, pure=False, retries=RETRIES, **kwargs)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._settle(t, result))
        return result

    def _settle(self, task, result: Future) -> None:
        """Called in dask's callback thread when ``task`` is over: pass its outcome to ``result``."""
        from distributed import KilledWorker

        self._tasks.discard(task)
        if self._shutdown:
            result.cancel()
            return
        try:
            result.set_result(task.result())
        except KilledWorker as exc:
            result.set_exception(WorkerLost(
                f"处理该文件时先后有 {exc.allowed_failures + 1} 个集群计算节点（dask worker）异常退出（文件可能已损坏或过大）。"
                "请用 Excel 或 WPS 重新保存后提交。"))
        except BatchError as exc:  # process_file's own: the cluster is not set up for the run
            result.set_exception(exc)
        except BaseException as exc:  # an error of the task (never a bad workbook), or the scheduler lost
            if task.status == "cancelled":
                what = "任务被取消，与调度器的连接可能已中断"
            else:
                what = f"{type(exc).__name__}: {short(exc)}"
            result.set_exception(BatchError(
                f"dask 集群 {self.address} 未能完成任务（{what}）。调度器和每个计算节点都须安装与本机相同版本的 perfeval"
                f"及其依赖。本次运行已停止，上次的输出保持不变。 / the dask cluster failed a task"))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel the tasks still in flight when ``cancel_futures`` (or not ``wait``), then close the client."""
        if self._shutdown:
            return
        self._shutdown = True
        tasks = list(self._tasks)
        try:
            if tasks and (cancel_futures or not wait):
                self.client.cancel(tasks)
            elif tasks:
                from distributed import wait as wait_for

                wait_for(tasks)
        finally:
            self.client.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address!r})"
