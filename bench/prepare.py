"""Benchmark: ``perfeval prepare`` of 1,000 projects from one 目标清单, with two workers (goal: under 60 s).

    python bench/prepare.py [--projects 1000] [--workers 2]

The 目标清单 repeats the five example projects of tools/make_targets.py under distinct units and codes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import make_targets  # noqa: E402
from make_examples import EXAMPLES  # noqa: E402

from perfeval.config import Config  # noqa: E402
from perfeval.targets.prepare import WRITTEN, prepare  # noqa: E402


def examples(n: int) -> list[tuple[str, dict]]:
    out = []
    for i in range(n):
        name, data = EXAMPLES[i % len(EXAMPLES)]
        info = {**data["info"], "实施单位": f"{data['info']['实施单位']}{i // len(EXAMPLES) + 1:04d}"}
        out.append((name, {**data, "info": info}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "目标清单.xlsx"
        codes = make_targets.CODES
        make_targets.CODES = {}  # joined by unit and name: every project is distinct
        try:
            make_targets.write_list(listing, examples(args.projects))
        finally:
            make_targets.CODES = codes
        start = time.perf_counter()
        result = prepare([listing], Path(tmp) / "prepared", Config(), workers=args.workers)
        elapsed = time.perf_counter() - start
    written = result.count(WRITTEN)
    print(f"prepare: {written} workbooks from one 目标清单 of {args.projects} projects, {args.workers} workers: "
          f"{elapsed:.1f} s ({elapsed / max(written, 1) * 1000:.0f} ms a workbook); problems: {len(result.problems)}")
    return 0 if written == args.projects else 1


if __name__ == "__main__":
    raise SystemExit(main())
