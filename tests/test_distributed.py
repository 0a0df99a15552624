"""perfeval run on a dask.distributed cluster (--scheduler, [run] scheduler).

One LocalCluster (two worker processes of one thread, restarted by their nannies when killed) serves the module;
its tests are skipped where the dask extra is not installed. The scheduler gives up on a task after two worker
deaths (allowed-failures 1), to keep the test of a workbook that kills its workers short.

Worker plugins (below, imported by the workers from this module) change the workers for one test: slow them down
and record which process worked on what, hide a folder from them, or make one workbook kill its worker.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from helpers import CLEAN, WITH_ERROR, add_oddities, copy_inputs, leftovers, manifest, snapshot, write_inputs
from perfeval import cli
from perfeval.batch import LOG_NAME, BatchError, run_batch
from perfeval.config import Config
from perfeval.summary import SUMMARY_NAME

try:
    from distributed import WorkerPlugin
except ImportError:  # the dask extra is missing: the cluster tests are skipped
    WorkerPlugin = object

ROOT = Path(__file__).resolve().parent.parent
VOLATILE = ("path", "absolute_path", "modified", "reused")  # where and when, not what
# no dashboard; the scheduler's other HTTP routes on a free port (not 8787, which a real cluster may hold); no logs
QUIET = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": ":0"}, "silence_logs": logging.CRITICAL}


# ---- the cluster ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    """(scheduler address, a client of the test's own)."""
    pytest.importorskip("distributed")
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **QUIET)
    client = Client(local, set_as_default=False)
    yield local.scheduler_address, client
    client.close()
    local.close()


@pytest.fixture
def plugin(cluster):
    """``plugin(p)`` registers worker plugin ``p`` (also on workers started later) until the test ends."""
    _, client = cluster
    names = []

    def register(p):
        client.register_plugin(p, name=p.name)
        names.append(p.name)

    yield register
    for name in names:
        client.unregister_worker_plugin(name)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Clean workbooks, one with errors, and oddities (unreadable, lock file, text, blank template)."""
    folder = write_inputs(tmp_path_factory.mktemp("inputs"), CLEAN | WITH_ERROR)
    add_oddities(folder)
    return folder


@pytest.fixture(scope="module")
def local(inputs, tmp_path_factory) -> Path:
    """The same batch on the local process pool: the reference."""
    output = tmp_path_factory.mktemp("local") / "out"
    run_batch([inputs], output, Config(), workers=2)
    return output


def figures(output: Path) -> dict[str, dict]:
    """The manifest entries by file name, without where and when."""
    return {e["name"]: {k: v for k, v in e.items() if k not in VOLATILE} for e in manifest(output)["files"]}


def cells(path: Path) -> dict[str, list[tuple]]:
    """Every cell value of a workbook, by sheet; of an absolute path (a source file), only the file's name."""
    def plain(value):
        return Path(value).name if isinstance(value, str) and os.path.isabs(value) else value

    book = openpyxl.load_workbook(path)
    return {ws.title: [tuple(map(plain, row)) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def markdown(output: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(output).items() if k.endswith(".md")}


def assert_same_as(output: Path, reference: Path, names=None) -> None:
    """Same manifest entries (but paths and times), summary cells and reports as the reference run."""
    got, expected = figures(output), figures(reference)
    if names is not None:
        got, expected = ({n: e for n, e in entries.items() if n in names} for entries in (got, expected))
    assert got == expected
    if names is None:
        assert cells(output / SUMMARY_NAME) == cells(reference / SUMMARY_NAME)
        assert markdown(output) == markdown(reference) and markdown(output)
    for e in manifest(output)["files"]:
        assert all((output / rel).is_file() for rel in e["outputs"].values())
    assert leftovers(output) == []


# ---- worker plugins -------------------------------------------------------------------------------------------

def _patch_evaluate(wrapper) -> object:
    """Replace the worker function's evaluate in this (worker) process by ``wrapper(real, path, config, name)``;
    returns the real one."""
    from perfeval.batch import worker

    real = worker.evaluate_file
    worker.evaluate_file = lambda path, config, name=None, targets=None: wrapper(real, path, config, name)
    return real


def _restore_evaluate(real) -> None:
    from perfeval.batch import worker

    worker.evaluate_file = real


class Slow(WorkerPlugin):
    """Each workbook takes ``seconds`` more; ``started-<pid>-<n>`` and ``finished-<pid>-<n>`` files in
    ``markers`` tell which worker process worked on what."""

    name = "perfeval-test-slow"

    def __init__(self, markers: Path, seconds: float):
        self.markers, self.seconds = str(markers), seconds

    def setup(self, worker=None):
        def slow(real, path, config, name):
            mark = f"{os.getpid()}-{name}"
            Path(self.markers, f"started-{mark}").touch()
            time.sleep(self.seconds)
            result = real(path, config, name)
            Path(self.markers, f"finished-{mark}").touch()
            return result

        self.real = _patch_evaluate(slow)

    def teardown(self, worker=None):
        _restore_evaluate(self.real)


class Crash(WorkerPlugin):
    """Workbook ``name`` kills the worker process that reads it, as a crash in a native library would."""

    name = "perfeval-test-crash"

    def __init__(self, name: str):
        self.bad = name

    def setup(self, worker=None):
        def crash(real, path, config, name):
            if name == self.bad:
                os._exit(3)
            return real(path, config, name)

        self.real = _patch_evaluate(crash)

    def teardown(self, worker=None):
        _restore_evaluate(self.real)


class FullDisk(WorkerPlugin):
    """Every task fails in the worker processes (outside the evaluation of the workbook): a fault of the cluster."""

    name = "perfeval-test-full-disk"

    def setup(self, worker=None):
        from perfeval.batch import worker

        class Failing:
            @staticmethod
            def from_dict(data):
                raise OSError(errno.ENOSPC, "No space left on device")

        self.real, worker.Config = worker.Config, Failing

    def teardown(self, worker=None):
        from perfeval.batch import worker

        worker.Config = self.real


_HIDDEN: list[str] = []  # in a worker: the folder hidden from it
_TRIED: list[str] = []  # in a worker: what it tried to open or check inside that folder
_HOOKED: list[bool] = []


def _hidden(path) -> bool:
    if not _HIDDEN or path is None or isinstance(path, int):
        return False
    path = os.path.abspath(os.fsdecode(path))
    if path == _HIDDEN[0] or path.startswith(_HIDDEN[0] + os.sep):
        _TRIED.append(path)
        return True
    return False


def _audit(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args and _hidden(args[0]):
        raise PermissionError(errno.EACCES, "hidden from the workers by the test", args[0])


def _tried() -> list[str]:
    return list(_TRIED)


class Hide(WorkerPlugin):
    """Hides ``folder`` from the worker processes: ``os.access`` says no and opening anything inside it fails (an
    audit hook, in Python's own ``open`` and folder listings); :func:`_tried` tells what they tried."""

    name = "perfeval-test-hide"

    def __init__(self, folder: Path):
        self.folder = str(Path(folder).resolve())

    def setup(self, worker=None):
        _HIDDEN[:] = [self.folder]
        _TRIED.clear()
        if not _HOOKED:
            sys.addaudithook(_audit)
            _HOOKED.append(True)
        self.access = os.access
        os.access = lambda path, mode, **kw: False if _hidden(path) else self.access(path, mode, **kw)

    def teardown(self, worker=None):
        _HIDDEN.clear()
        os.access = self.access


# ---- without a scheduler, nothing of dask ---------------------------------------------------------------------

def test_a_batch_without_a_scheduler_imports_nothing_of_dask(tmp_path):
    inputs = copy_inputs(write_inputs(tmp_path / "gen", CLEAN), tmp_path / "in", ["a_优.xlsx", "b_良.xlsx"])
    code = (f"import sys\nfrom perfeval import cli\n"
            f"code = cli.main(['run', {str(inputs)!r}, '-o', {str(tmp_path / 'out')!r}, '--workers', '2'])\n"
            f"assert code == 0, code\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_scheduler_without_dask_installed_exits_2_with_a_bilingual_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an installation without the extra gives
    inputs = copy_inputs(write_inputs(tmp_path / "gen", CLEAN), tmp_path / "in", ["a_优.xlsx"])
    code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:8786"])
    err = capsys.readouterr().err
    assert code == 2
    assert "未安装 dask" in err and "not installed" in err and 'pip install "perfeval[dask]"' in err
    assert not (tmp_path / "out").exists()  # stopped before touching anything


# ---- on the cluster -------------------------------------------------------------------------------------------

@pytest.mark.cluster
def test_a_batch_on_the_cluster_gives_the_same_results_as_the_process_pool(cluster, inputs, local, tmp_path):
    address, _ = cluster
    result = run_batch([inputs], tmp_path / "out", Config(), scheduler=address)
    assert result.exit_code == 1 and result.counts == {"ok": 5, "has-errors": 1, "unreadable": 1, "skipped": 2,
                                                        "superseded": 0, "missing": 0}
    assert_same_as(tmp_path / "out", local)
    # a rerun reuses everything without asking the cluster
    again = run_batch([inputs], tmp_path / "out", Config(), scheduler="tcp://127.0.0.1:9")
    assert again.reused == 8 and again.exit_code == 1


@pytest.mark.cluster
def test_shipped_inputs_reach_workers_that_cannot_see_them(cluster, inputs, local, plugin, tmp_path):
    address, client = cluster
    hidden = copy_inputs(inputs, tmp_path / "hidden", [p.name for p in inputs.iterdir()])
    plugin(Hide(hidden))
    result = run_batch([hidden], tmp_path / "out", Config(), scheduler=address, ship_inputs=True)
    assert result.counts["ok"] == 5
    assert_same_as(tmp_path / "out", local)
    assert client.run(_tried) == {w: [] for w in client.scheduler_info()["workers"]}  # never looked there
    # without --ship-inputs the workers cannot read them: the run stops (exit 2), its previous outputs intact
    before = snapshot(tmp_path / "out")
    other = Config.from_dict({"report": {"markdown": False}})  # another configuration: everything is redone
    with pytest.raises(BatchError, match="--ship-inputs") as stopped:
        run_batch([hidden], tmp_path / "out", other, scheduler=address)
    assert "无法读取输入文件" in str(stopped.value) and "共享存储" in str(stopped.value)
    assert snapshot(tmp_path / "out") == before and leftovers(tmp_path / "out") == []
    assert "停止：" in (tmp_path / "out" / LOG_NAME).read_text(encoding="utf-8").splitlines()[-1]
    assert any(any(p.startswith(str(hidden.resolve())) for p in tried) for tried in client.run(_tried).values())


@pytest.mark.cluster
def test_a_worker_killed_during_the_batch_loses_no_workbook(cluster, inputs, plugin, tmp_path):
    address, _ = cluster
    names = ["a_优.xlsx", "b_良.xlsx", "c_中.xlsx", "f_错.xlsx"]
    subset = copy_inputs(inputs, tmp_path / "in", names)
    reference = tmp_path / "reference"
    run_batch([subset], reference, Config(), workers=1)
    markers = tmp_path / "markers"
    markers.mkdir()
    plugin(Slow(markers, seconds=1.0))
    killed: list[int] = []

    def kill_the_first_busy_worker():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = sorted(markers.glob("started-*"))
            if started:
                pid = int(started[0].name.split("-")[1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_first_busy_worker)
    killer.start()
    result = run_batch([subset], tmp_path / "out", Config(), scheduler=address)
    killer.join()
    assert killed, "no worker was killed"
    lost = {p.name.split("-", 2)[2] for p in markers.glob(f"started-{killed[0]}-*")
            if not (markers / p.name.replace("started-", "finished-")).exists()}
    assert lost  # the killed worker was busy with these
    finished = {p.name.split("-", 2)[2] for p in markers.glob("finished-*")}
    assert lost <= finished  # done again by another worker
    assert result.counts == {"ok": 3, "has-errors": 1, "unreadable": 0, "skipped": 0, "superseded": 0, "missing": 0}
    assert_same_as(tmp_path / "out", reference)


@pytest.mark.cluster
def test_a_workbook_that_kills_every_worker_it_runs_on_is_unreadable_and_the_batch_goes_on(
        cluster, inputs, local, plugin, tmp_path):
    address, _ = cluster
    # the bad workbook comes last: the others never wait behind it on a worker that it kills
    names = ["a_优.xlsx", "b_良.xlsx", "c_中.xlsx"]
    subset = copy_inputs(inputs, tmp_path / "in", names)
    plugin(Crash("c_中.xlsx"))
    result = run_batch([subset], tmp_path / "out", Config(), scheduler=address)
    statuses = {e.name: e.status for e in result.entries}
    assert statuses == {"a_优.xlsx": "ok", "b_良.xlsx": "ok", "c_中.xlsx": "unreadable"}
    bad = {e["name"]: e for e in manifest(tmp_path / "out")["files"]}["c_中.xlsx"]
    assert [p["code"] for p in bad["problems"]] == ["file-unreadable"]
    assert "先后有 2 个集群计算节点（dask worker）异常退出" in bad["problems"][0]["message"]
    assert result.exit_code == 1
    assert_same_as(tmp_path / "out", local, names=["a_优.xlsx", "b_良.xlsx"])


# ---- the command line, and a cluster that cannot run the batch ------------------------------------------------

@pytest.mark.cluster
def test_perfeval_run_with_a_scheduler_on_the_command_line_and_in_the_configuration(cluster, inputs, local,
                                                                                     tmp_path, capsys):
    address, _ = cluster
    code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--scheduler", address])
    out = capsys.readouterr().out
    assert code == 1 and "共 9 个文件：通过 5，有错误 1，无法读取 1，已跳过 2。" in out
    assert_same_as(tmp_path / "out", local)
    config = tmp_path / "perfeval.toml"
    config.write_text(f'[run]\nscheduler = "{address}"\n', encoding="utf-8")
    subset = copy_inputs(inputs, tmp_path / "in", ["a_优.xlsx"])
    assert cli.main(["run", str(subset), "-o", str(tmp_path / "two"), "--config", str(config)]) == 0
    assert manifest(tmp_path / "two")["files"][0]["得分"] == figures(local)["a_优.xlsx"]["得分"]


@pytest.mark.cluster
def test_an_unreachable_or_empty_cluster_exits_2_and_keeps_the_previous_outputs(cluster, tmp_path, capsys):
    import dask
    from distributed import LocalCluster

    inputs = copy_inputs(write_inputs(tmp_path / "gen", CLEAN), tmp_path / "in", ["a_优.xlsx"])
    output = tmp_path / "out"
    assert cli.main(["run", str(inputs), "-o", str(output), "--workers", "1"]) == 0
    before = snapshot(output)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = cli.main(["run", str(inputs), "-o", str(output), "--config", str(_markdown_off(tmp_path)),
                         "--scheduler", "tcp://127.0.0.1:9"])
        assert code == 2 and "无法连接 dask 调度器 tcp://127.0.0.1:9" in capsys.readouterr().err
        code = cli.main(["run", str(inputs), "-o", str(output), "--config", str(_markdown_off(tmp_path)),
                         "--scheduler", "127.0.0.1"])
        assert code == 2 and "无法连接 dask 调度器 127.0.0.1（missing port number" in capsys.readouterr().err
        with LocalCluster(n_workers=0, processes=False, **QUIET) as empty:
            code = cli.main(["run", str(inputs), "-o", str(output), "--config", str(_markdown_off(tmp_path)),
                             "--scheduler", empty.scheduler_address])
        assert code == 2 and "没有可用的计算节点" in capsys.readouterr().err
    assert snapshot(output) == before and leftovers(output) == []


@pytest.mark.cluster
def test_a_task_failing_on_the_cluster_stops_the_run_with_exit_2(cluster, plugin, tmp_path, capsys):
    address, _ = cluster
    inputs = copy_inputs(write_inputs(tmp_path / "gen", CLEAN), tmp_path / "in", ["a_优.xlsx"])
    plugin(FullDisk())
    code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 2 and f"dask 集群 {address} 未能完成任务（OSError: [Errno 28] No space left on device）" in err
    assert "本次运行已停止，上次的输出保持不变" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [LOG_NAME]


@pytest.mark.cluster
def test_workers_with_another_perfeval_version_are_refused(cluster, inputs, tmp_path, capsys):
    address, client = cluster
    client.run(_set_version, "0.0.0-other")
    try:
        code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--scheduler", address])
    finally:
        client.run(_set_version, None)
    assert code == 2 and "版本与本机" in capsys.readouterr().err
    assert leftovers(tmp_path / "out") == []


_REAL_VERSION: list[str] = []


def _set_version(version: str | None) -> None:
    """In a worker: pretend to run another perfeval version (None: the real one again)."""
    import perfeval.batch.cluster as remote

    if not _REAL_VERSION:
        _REAL_VERSION.append(remote.__version__)
    remote.__version__ = version or _REAL_VERSION[0]


def _markdown_off(folder: Path) -> Path:
    """A configuration that changes the results (no Markdown report): every workbook must be done again."""
    path = folder / "markdown-off.toml"
    path.write_text("[report]\nmarkdown = false\n", encoding="utf-8")
    return path
