"""Time and peak memory of perfeval on the hostile set, so that the bounds of docs/security.md are seen.

    python bench/hostile.py [--keep DIR]

Generates every hostile file of tests/test_hostile.py (and the good seed workbook) into a temporary folder, reads
each one in a fresh child process (so that its peak RSS is its own: Python, calamine and all), then runs the whole
folder as one batch with two workers. Prints, per file: its size, the status and first problem code, seconds and
peak RSS in MB (the first line, an import-only child, is the floor). Nothing is asserted: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

CHILD = r"""
import json, resource, sys, time
from perfeval.config import Config
from perfeval.pipeline import evaluate
start = time.perf_counter()
status, code = "-", ""
if sys.argv[1] != "-":
    ev = evaluate(sys.argv[1], Config())
    status, code = ev.status, (ev.problems[0].code if ev.problems else "")
try:  # VmHWM starts again at exec; ru_maxrss would carry the forking parent's peak
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "status": status, "code": code, "peak_mb": peak}))
"""


def measure(path: str) -> dict:
    run = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        return {"seconds": float("nan"), "status": f"CRASH rc={run.returncode}", "code": run.stderr[-200:],
                "peak_mb": float("nan")}
    return json.loads(run.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files")
    args = parser.parse_args()
    import hostile_files as h
    from test_hostile import CASES, SAME_AS_SEED, formula_workbook, long_text_workbook, numbers_workbook

    from perfeval.batch import run_batch
    from perfeval.config import Config

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-hostile-"))
    inputs, tmp = root / "in", root / "tmp"
    for folder in (inputs, tmp):
        folder.mkdir(parents=True, exist_ok=True)
    print(f"generating into {inputs} …", flush=True)
    h.good(inputs / "好.xlsx")
    makers = {name: case[0] for name, case in CASES.items()}
    makers.update({k: v for k, v in SAME_AS_SEED.items() if v is not None})
    makers.update({"公式文本.xlsx": formula_workbook, "长文本.xlsx": long_text_workbook, "数字.xlsx": numbers_workbook})
    for name, maker in makers.items():
        maker(tmp, inputs / name)
    shutil.rmtree(tmp)

    print(f"\n{'file':<22}{'size KB':>10}  {'status':<11}{'first problem':<24}{'s':>7}{'peak MB':>9}")
    floor = measure("-")
    print(f"{'(import only)':<22}{'':>10}  {'':<11}{'':<24}{floor['seconds']:>7.2f}{floor['peak_mb']:>9.0f}")
    for path in sorted(inputs.iterdir()):
        r = measure(str(path))
        print(f"{path.name:<22}{path.stat().st_size / 1024:>10.0f}  {r['status']:<11}{r['code'][:23]:<24}"
              f"{r['seconds']:>7.2f}{r['peak_mb']:>9.0f}", flush=True)

    start = time.perf_counter()
    result = run_batch([inputs], root / "out", Config(), workers=2)
    seconds = time.perf_counter() - start
    print(f"\nwhole set as one batch, 2 workers: {seconds:.1f} s; counts {result.counts}")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
