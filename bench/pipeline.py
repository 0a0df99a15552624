"""The performance of the whole pipeline, against the obvious implementation of the same outputs (docs/performance.md).

    python bench/pipeline.py [-n 1000] [--workers 2] [--sample 100] [--skip-baseline] [--rerun] [--seed 2025]
                             [--errors FRACTION]

1. Generates ``n`` realistic filled workbooks (bench/make_workbooks.py; cached in ``<tmp>/perfeval-bench``, keyed by
   n and seed, so reruns do not generate them again).
2. Runs ``perfeval run`` on them in a child process, as a finance bureau would (a fresh output folder, all outputs),
   and reports its wall time, CPU time per workbook (all processes: the run and its workers) and peak memory (the
   largest single process, and all processes together — RSS, which counts pages shared after fork once per
   process, and PSS, which shares them out), sampled with psutil every 50 ms.
3. With ``--rerun``: runs it again on the same, unchanged inputs (every result is reused) and reports the same.
4. A profiling pass in a child process over a sample of the workbooks, one process, with ``time.perf_counter``
   around each stage: read, score, check, 自评表 workbook, report .docx, Markdown, marked-up copy (only for
   workbooks with problems: ``--errors``), the file's result, summary
   workbook (the summary and the manifest are written for the sample and shared out per workbook).
5. The BASELINE, in another child process, over the same sample: the obvious implementation of the same outputs —
   ``pandas.read_excel(sheet_name=None, engine="openpyxl")`` mapped to the same Project (:func:`baseline_read`),
   the same scoring and checks, a fresh ``DocxTemplate`` loaded, rendered and saved per report with the same
   template and context, the 自评表 written with ``DataFrame.to_excel`` (the same cells, merges and formats), the
   same Markdown, and the summary written with pandas (``groupby`` and ``to_excel``). Its time per workbook is
   extrapolated to ``n``; the ratio baseline ÷ perfeval compares CPU per workbook.

Nothing is asserted: the figures are for docs/performance.md. ``--json FILE`` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from make_workbooks import CACHE_ROOT, DEFAULT_SEED, ensure_workbooks  # noqa: E402

STAGES = ("read", "score", "check", "table", "docx", "markdown", "annotated", "result", "summary", "manifest")


# ---- measuring a child process ---------------------------------------------------------------------------------

class _Sampler(threading.Thread):
    """Peak memory of a process tree, sampled every ``interval`` seconds: the largest single RSS, the largest sum
    of RSS, and (Linux, every tenth sample) the largest sum of PSS."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.stop = threading.Event()
        self.max_single = self.max_total = self.max_pss = 0
        self.max_processes = 0

    def run(self) -> None:
        psutil = self.psutil
        tick = 0
        while not self.stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                break
            total = pss = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if tick % 10 == 0:
                        pss += getattr(p.memory_full_info(), "pss", rss)
                except psutil.Error:
                    continue
                total += rss
                self.max_single = max(self.max_single, rss)
            self.max_total = max(self.max_total, total)
            self.max_pss = max(self.max_pss, pss)
            self.max_processes = max(self.max_processes, len(procs))
            tick += 1
            self.stop.wait(self.interval)


def measure(cmd: list[str], cwd: Path, log: Path | None = None) -> dict:
    """Run ``cmd``; its wall time, CPU time (it and every descendant it waited for), peak memory, exit code and
    standard output."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log or os.devnull, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err)
        sampler = _Sampler(proc.pid)
        sampler.start()
        out, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "exit": proc.returncode, "peak_single_mb": sampler.max_single / 2**20,
            "peak_total_rss_mb": sampler.max_total / 2**20, "peak_total_pss_mb": sampler.max_pss / 2**20,
            "processes": sampler.max_processes, "stdout": out.decode("utf-8", "replace")}


# ---- the stage profile (child process) -------------------------------------------------------------------------

def _sample(folder: Path, k: int) -> list[Path]:
    files = sorted(folder.glob("*.xlsx"))
    step = max(1, len(files) // k)
    return files[::step][:k]


def _profile(files: list[Path], out: Path, read, table, docx, summary, manifest) -> dict:
    """ms per workbook of each stage, in one process (the first workbook warms the caches and is not counted).

    perfeval and the baseline differ only in the five functions given; everything else is the same code.
    """
    from perfeval.annotate import write_annotated
    from perfeval.checks import check_project, sort_problems
    from perfeval.config import Config
    from perfeval.fileio import write_text
    from perfeval.pipeline import Evaluation, file_result, project_folder_name
    from perfeval.results import ManifestEntry, SourceFacts
    from perfeval.render.report import render_markdown, report_context
    from perfeval.scoring import score_project

    config = Config()
    times = {s: 0.0 for s in STAGES}
    cpu_start = time.process_time()
    entries, scores = [], []
    counted = 0
    for i, path in enumerate(files):
        t = [time.perf_counter()]

        def lap():
            t.append(time.perf_counter())

        result = read(path)
        lap()
        card = score_project(result.project, config)
        lap()
        problems = sort_problems(result.problems + check_project(result.project, card, config,
                                                                   known=result.problems))
        lap()
        folder = out / project_folder_name(result.project, path.stem)
        folder.mkdir(parents=True, exist_ok=True)
        table(folder / "table.xlsx", result.project, card, problems, config)
        lap()
        context = report_context(result.project, card, config, problems)
        docx(context, folder / "report.docx")
        lap()
        write_text(folder / "report.md", render_markdown(context))
        lap()
        if problems:  # the marked-up copy (openpyxl), as write_outputs writes it
            write_annotated(path, problems, folder / f"{path.stem}_标注版{path.suffix}")
        lap()
        ev = Evaluation(path, path.name, result.project, card, problems)
        entries.append(ManifestEntry(SourceFacts(path.name, str(path)), file_result(ev), ev.status,
                                     folder=folder.name))
        scores.append(str(card.total))
        lap()
        if i == 0:
            cpu_start = time.process_time()
            continue
        counted += 1
        for stage, (a, b) in zip(STAGES, zip(t, t[1:])):
            times[stage] += b - a
    start = time.perf_counter()
    summary(out / "summary.xlsx", entries[1:], config)
    times["summary"] = time.perf_counter() - start
    start = time.perf_counter()
    manifest(out / "manifest.json", entries[1:])
    times["manifest"] = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {"workbooks": counted, "ms": {s: v / counted * 1000 for s, v in times.items()},
            "cpu_ms": cpu / counted * 1000, "scores": scores}


def profile_stages(files: list[Path], out: Path) -> dict:
    """ms per workbook of each stage of perfeval."""
    from perfeval.manifest import Manifest, write_manifest
    from perfeval.reader import read_workbook
    from perfeval.render.report import render_docx
    from perfeval.render.table import write_table
    from perfeval.summary import write_summary

    return _profile(files, out, read=lambda path: read_workbook(path, path.name), table=write_table,
                    docx=render_docx, summary=write_summary,
                    manifest=lambda path, entries: write_manifest(path, Manifest(entries)))


def baseline_read(path: Path):
    """The obvious reader: pandas.read_excel over openpyxl, its DataFrames mapped to the same Project.

    Each sheet becomes rows of Python values (NaN -> ""); merged 一级/二级指标 cells, which pandas gives only in
    their first row, are filled down; then perfeval's own table readers map the rows to the Project (the same
    labels, aliases and number parsing), so that both read the same figures.
    """
    import pandas as pd

    from perfeval import model as m
    from perfeval.reader import Grid, ReadResult, _Reader

    frames = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None)
    reader = _Reader(path, path.name)
    sheets = reader.find_sheets(list(frames))
    grids = {}
    for std, real in sheets.items():
        df = frames[real]
        rows = df.astype(object).where(df.notna(), "").values.tolist()
        if std == m.SHEET_INDICATORS:
            header = next((r for r, row in enumerate(rows) if "一级指标" in row), None)
            if header is not None:
                for r in range(header + 2, len(rows)):
                    for c in (0, 1):
                        if rows[r][c] == "" and rows[r][2] != "":
                            rows[r][c] = rows[r - 1][c]
        grids[std] = Grid(real, rows)
    project = m.Project(file=path.name)
    readers = {m.SHEET_INFO: reader.read_info, m.SHEET_GROUP: reader.read_group, m.SHEET_FUNDING: reader.read_funding,
               m.SHEET_SPENDING: reader.read_spending, m.SHEET_INDICATORS: reader.read_indicators,
               m.SHEET_VOLUMES: reader.read_volumes}
    for std, grid in grids.items():
        if std in readers:
            readers[std](grid, project)
    reader.read_version(grids.get(m.SHEET_GUIDE), project)
    return ReadResult(project, reader.problems)


class _Recorder:
    """Stands for an XlsxWriter workbook and its worksheets: records what perfeval's table writer writes, so that
    the baseline writes the same cells, merges and formats through pandas."""

    def __init__(self):
        self.sheets: dict[str, dict] = {}

    def add_format(self, props=None):
        return dict(props or {})

    def add_worksheet(self, name):
        sheet = _RecordedSheet()
        self.sheets[name] = sheet
        return sheet


class _RecordedSheet:
    def __init__(self):
        self.cells: dict[tuple[int, int], tuple[object, dict | None]] = {}
        self.merges: list[tuple[int, int, int, int, dict]] = []
        self.rows: dict[int, float] = {}
        self.cols: dict[int, float] = {}

    def write_string(self, r, c, value, f=None):
        self.cells[(r, c)] = (value, f)

    write_number = write_string

    def write_blank(self, r, c, value, f=None):
        self.cells.setdefault((r, c), ("", f))

    def merge_range(self, r0, c0, r1, c1, value, f=None):
        self.merges.append((r0, c0, r1, c1, f))

    def set_row(self, r, height, *args):
        self.rows[r] = height

    def set_column(self, c0, c1, width, *args):
        for c in range(c0, c1 + 1):
            self.cols[c] = width

    def __getattr__(self, name):  # page setup and the like: what to_excel's sheet gets too, not timed apart
        return lambda *args, **kwargs: None


def baseline_table(path: Path, project, card, problems, config) -> None:
    """The 自评表 by DataFrame.to_excel: the cells as one DataFrame per sheet, then merges, formats and sizes."""
    import pandas as pd

    from perfeval.problems import has_errors
    from perfeval.render import table

    recorder = _Recorder()
    table._write_main(recorder, project, card, config, has_errors(problems))
    table._write_problems(recorder, list(problems))
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        formats: dict[str, object] = {}

        def fmt(props):
            if not props:
                return None
            key = json.dumps(props, sort_keys=True)
            if key not in formats:
                formats[key] = book.add_format(props)
            return formats[key]

        for name, sheet in recorder.sheets.items():
            rows = 1 + max((r for r, _ in sheet.cells), default=0)
            cols = 1 + max((c for _, c in sheet.cells), default=0)
            grid = [[None] * cols for _ in range(rows)]
            for (r, c), (value, _) in sheet.cells.items():
                grid[r][c] = value if value != "" else None
            pd.DataFrame(grid).to_excel(writer, sheet_name=name, header=False, index=False)
            ws = writer.sheets[name]
            merged = set()
            for r0, c0, r1, c1, f in sheet.merges:
                value = sheet.cells.get((r0, c0), ("", None))[0]
                ws.merge_range(r0, c0, r1, c1, value, fmt(f))
                merged.add((r0, c0))
            for (r, c), (value, f) in sheet.cells.items():  # the formats, cell by cell
                if (r, c) not in merged and f:
                    ws.write(r, c, value if value != "" else None, fmt(f))
            for c, width in sheet.cols.items():
                ws.set_column(c, c, width)
            for r, height in sheet.rows.items():
                ws.set_row(r, height)


def baseline_docx(context: dict, path: Path, outline: str = "seed") -> None:
    """A fresh DocxTemplate per report: loaded from the template file, rendered, saved."""
    from docxtpl import DocxTemplate

    from perfeval.render.report import TEMPLATE_DIR, _map_strings

    doc = DocxTemplate(str(TEMPLATE_DIR / f"report_{outline}.docx"))
    doc.render(_map_strings(context, lambda s: s.replace("\n", "\a")), autoescape=True)
    doc.save(str(path))


def baseline_summary(path: Path, entries: list) -> None:
    """The summary workbook by pandas: a DataFrame per sheet, groupby for the departments, to_excel."""
    import pandas as pd

    from perfeval.summary import (INDICATOR_COLUMNS, PROBLEM_COLUMNS, PROJECT_COLUMNS,
                                  SPENDING_COLUMNS, VOLUME_COLUMNS, _detail_rows, _indicator_values, _problem_rows,
                                  _project_row, _spending_values, _volume_values, projects)

    def floats(row):
        return [float(v) if hasattr(v, "as_tuple") else v for v in row]

    rows = projects(entries)
    project_df = pd.DataFrame([floats(_project_row(e)) for e in rows], columns=[c.header for c in PROJECT_COLUMNS])
    ok = project_df[project_df["状态"] == "通过"]
    keys = ["评价年度", "主管部门"]
    departments = project_df.groupby(keys).size().rename("项目数").to_frame()
    departments["有错误未计入"] = project_df.groupby(keys)["状态"].apply(lambda s: int((s != "通过").sum()))
    sums = ok.groupby(keys)[["年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）"]].sum()
    departments = departments.join(sums)
    departments["执行率"] = departments["全年执行数（万元）"] / departments["全年预算数（万元）"]
    departments["平均得分"] = ok.groupby(keys)["得分"].mean()
    departments["最低得分"] = ok.groupby(keys)["得分"].min()
    departments = departments.join(pd.crosstab([ok["评价年度"], ok["主管部门"]], ok["等级"]))
    sheets = {
        "项目汇总": project_df,
        "部门汇总": departments.reset_index(),
        "指标明细": pd.DataFrame([floats(r) for r in _detail_rows(rows, "indicators", _indicator_values)],
                             columns=[c.header for c in INDICATOR_COLUMNS]),
        "支出明细": pd.DataFrame([floats(r) for r in _detail_rows(rows, "spending", _spending_values)],
                             columns=[c.header for c in SPENDING_COLUMNS]),
        "业务量汇总": pd.DataFrame([floats(r) for r in _detail_rows(rows, "volumes", _volume_values)],
                              columns=[c.header for c in VOLUME_COLUMNS]),
        "问题清单": pd.DataFrame(list(_problem_rows(entries)), columns=[c.header for c in PROBLEM_COLUMNS]),
    }
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, df in sheets.items():
            df.to_excel(writer, sheet_name=name, index=False)


def profile_baseline(files: list[Path], out: Path) -> dict:
    """ms per workbook of each stage of the baseline."""
    import pandas  # noqa: F401 - imported up front, as the baseline's module would

    def manifest(path: Path, entries: list) -> None:  # rows perfeval keeps packed, as plain lists
        files = [e.to_json() for e in entries]
        path.write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1, default=list))

    return _profile(files, out, read=baseline_read, table=baseline_table, docx=baseline_docx,
                    summary=lambda path, entries, config: baseline_summary(path, entries), manifest=manifest)


def _child(kind: str, folder: Path, k: int) -> None:
    files = _sample(folder, k)
    with tempfile.TemporaryDirectory(prefix=f"perfeval-bench-{kind}-") as tmp:
        result = (profile_stages if kind == "stages" else profile_baseline)(files, Path(tmp))
    print(json.dumps(result))  # with the scores, which main() checks are the same for both


# ---- the report ------------------------------------------------------------------------------------------------

def _machine() -> str:
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    import psutil

    return (f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def _run_line(label: str, r: dict, n: int) -> str:
    return (f"{label:<22} wall {r['wall_s']:7.1f} s   CPU {r['cpu_s'] / n * 1000:6.1f} ms/workbook   "
            f"peak: largest process {r['peak_single_mb']:5.0f} MB, all {r['peak_total_rss_mb']:5.0f} MB RSS / "
            f"{r['peak_total_pss_mb']:5.0f} MB PSS ({r['processes']} processes)   exit {r['exit']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="perfeval pipeline benchmark (see the module's doc)")
    parser.add_argument("-n", type=int, default=1000, help="workbooks (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="perfeval run --workers (default 2)")
    parser.add_argument("--sample", type=int, default=100, help="workbooks of the profiling and baseline passes")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--errors", type=float, default=0.0, metavar="FRACTION",
                        help="this fraction of the workbooks has an error (default 0: all valid)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure the baseline")
    parser.add_argument("--rerun", action="store_true", help="also time a rerun over the unchanged inputs")
    parser.add_argument("--json", type=Path, help="write the figures to this file too")
    parser.add_argument("--child", choices=("stages", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.folder, args.sample)
        return 0

    n = args.n
    folder = ensure_workbooks(n, args.seed, errors=args.errors)
    work = CACHE_ROOT / f"run-n{n}-s{args.seed}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    output = work / "output"
    figures: dict = {"date": date.today().isoformat(), "machine": _machine(), "n": n, "workers": args.workers,
                     "sample": min(args.sample, n)}
    print(f"perfeval pipeline benchmark — {figures['date']}\nmachine: {figures['machine']}")
    print(f"inputs: {n} workbooks in {folder} (seed {args.seed}, with errors: {args.errors:.0%}); "
          f"output {output}\n")

    run = [sys.executable, "-m", "perfeval", "run", str(folder), "-o", str(output), "--workers", str(args.workers)]
    first = measure(run, work, work / "run.log")
    figures["run"] = {k: v for k, v in first.items() if k != "stdout"}
    print(_run_line("perfeval run", first, n))
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    print(f"{'':<22} {manifest['counts']}; manifest {(output / 'manifest.json').stat().st_size / 2**20:.1f} MB, "
          f"summary {(output / '绩效自评汇总.xlsx').stat().st_size / 2**20:.1f} MB")
    if args.rerun:
        again = measure(run, work, work / "rerun.log")
        figures["rerun"] = {k: v for k, v in again.items() if k != "stdout"}
        reused = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["reused"]
        print(_run_line("perfeval run (rerun)", again, n) + f"   reused {reused}/{n}")

    k = figures["sample"]
    child = [sys.executable, str(Path(__file__).resolve()), "--folder", str(folder), "--sample", str(k)]
    stages = measure(child + ["--child", "stages"], work, work / "stages.log")
    if stages["exit"]:
        sys.exit(f"the profiling pass failed: see {work / 'stages.log'}")
    prof = json.loads(stages["stdout"])
    figures["stages"] = prof
    rows = [("perfeval", prof)]
    if not args.skip_baseline:
        base_run = measure(child + ["--child", "baseline"], work, work / "baseline.log")
        if base_run["exit"]:
            sys.exit(f"the baseline pass failed: see {work / 'baseline.log'}")
        base = json.loads(base_run["stdout"])
        figures["baseline"] = base
        figures["baseline_process"] = {k: v for k, v in base_run.items() if k != "stdout"}
        rows.append(("baseline", base))
        same = base["scores"] == prof["scores"]
        figures["baseline_same_scores"] = same

    print(f"\nms per workbook by stage, one process, over {prof['workbooks']} workbooks (summary and manifest: "
          f"written for them, shared out):")
    print(f"{'':<10}" + "".join(f"{s:>10}" for s in STAGES) + f"{'total':>10}{'CPU':>10}")
    for label, p in rows:
        print(f"{label:<10}" + "".join(f"{p['ms'][s]:10.2f}" for s in STAGES)
              + f"{sum(p['ms'].values()):10.2f}{p['cpu_ms']:10.2f}")
    cpu_per_workbook = first["cpu_s"] / n * 1000
    print(f"\nperfeval run: {cpu_per_workbook:.1f} ms CPU per workbook (all processes), "
          f"{first['wall_s'] / n * 1000:.1f} ms wall per workbook with {args.workers} workers")
    if not args.skip_baseline:
        base_cpu = base["cpu_ms"]
        figures["ratio_cpu"] = base_cpu / cpu_per_workbook
        print(f"baseline:     {base_cpu:.1f} ms CPU per workbook (one process; for {n} workbooks about "
              f"{base_cpu * n / 1000:.0f} s), peak {base_run['peak_single_mb']:.0f} MB over {base['workbooks']} "
              f"workbooks; reads the same scores: {'yes' if figures['baseline_same_scores'] else 'NO'}")
        print(f"ratio baseline ÷ perfeval, CPU per workbook: {figures['ratio_cpu']:.1f}×")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
