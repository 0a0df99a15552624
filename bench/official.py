"""Reading an official 自评表 against reading a standard workbook (docs/performance.md, "Official tables").

    python bench/official.py [-n 200]

Writes the seed project as a standard workbook (tests/builders.py's layout, via perfeval.template) and as official
tables (.xlsx, .docx, perfeval.official.sample), then times, in this process, ``n`` readings of each after a
warm-up: the standard reader (``reader.read_workbook``) against the whole reading of an official file as
``perfeval check`` does it (``pipeline.evaluate_file`` less scoring and checks: the failed standard read that tells
the kinds apart, the pre-scan of every sheet, and the block reader). Nothing is asserted; the goal is ≤ 3×.
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

from perfeval.config import Config  # noqa: E402
from perfeval.official.sources import read_sources  # noqa: E402
from perfeval.pipeline import evaluate_file  # noqa: E402
from perfeval.reader import read_workbook  # noqa: E402

STANDARD = ROOT / "input_templates" / "examples" / "2025_审批局_公共资源交易中心运转经费.xlsx"


def _per_call(func, n: int) -> float:
    func()
    start = time.perf_counter()
    for _ in range(n):
        func()
    return (time.perf_counter() - start) / n


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args(argv)
    from make_official_examples import NATIONAL, WORD

    from perfeval.official.sample import layout, write_docx, write_xlsx

    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = write_xlsx(Path(tmp) / "unit.xlsx", [("自评表", layout(NATIONAL))])
        word = write_docx(Path(tmp) / "unit.docx", [layout(WORD)])
        standard = _per_call(lambda: read_workbook(STANDARD), args.n)
        rows = [("standard workbook: reader.read_workbook", standard)]
        for label, path in (("official .xlsx", xlsx), ("official .docx", word)):
            rows.append((f"{label}: read_sources (pre-scan + blocks)", _per_call(lambda: read_sources(path, "x"), args.n)))
            rows.append((f"{label}: evaluate_file (detection, read, score, check)",
                         _per_call(lambda: evaluate_file(path, config), args.n)))
        rows.append(("standard workbook: evaluate_file", _per_call(lambda: evaluate_file(STANDARD, config), args.n)))
    for label, seconds in rows:
        print(f"{label:<62} {seconds * 1000:7.2f} ms  {seconds / standard:5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
