"""Write the golden files: reference outputs that tests/test_golden.py compares every new output with, part by
part, with the XML normalised.

    python tests/golden/regenerate.py

Run it only when an output is meant to change (a new layout, a new wording) or after checking that a library
upgrade (XlsxWriter, docxtpl, python-docx, openpyxl) changes them in a way that is right; commit the files it
writes with the change. The outputs are made in the time zone of the tool's users (UTC+8), since the 填报日期 is
the local day of the workbook's saved time.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parent.parent
EXAMPLES = ROOT / "input_templates" / "examples"
SEED = EXAMPLES / "2025_审批局_公共资源交易中心运转经费.xlsx"
PROBLEM = ROOT / "input_templates" / "problems" / "03_未完成无原因_邮箱错误_无组长.xlsx"
TIME_ZONE = "Asia/Shanghai"

# golden file -> what it is
GOLDEN_FILES = {
    "seed_table.xlsx": "the seed's 自评表 (XlsxWriter)",
    "seed_report.docx": "the seed's 绩效自评报告 (docxtpl, the prepared template)",
    "examples_summary.xlsx": "the summary of input_templates/examples (XlsxWriter)",
    "problem_annotated.xlsx": "the marked-up copy (标注版) of a problem example (openpyxl)",
}


def use_time_zone(name: str = TIME_ZONE) -> str | None:
    """Set the process's local time zone; returns the previous TZ (None when unset)."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    return previous


def build(folder: Path) -> dict[str, Path]:
    """Golden file name -> the output just made in ``folder``."""
    from perfeval.batch import run_batch
    from perfeval.config import Config
    from perfeval.pipeline import evaluate, write_outputs
    from perfeval.summary import SUMMARY_NAME

    config = Config()
    seed = write_outputs(evaluate(SEED, config), folder / "seed", config)
    problem = write_outputs(evaluate(PROBLEM, config), folder / "problem", config)
    run_batch([EXAMPLES], folder / "batch", config, workers=1)
    return {"seed_table.xlsx": Path(seed["table"]), "seed_report.docx": Path(seed["report_docx"]),
            "examples_summary.xlsx": folder / "batch" / SUMMARY_NAME,
            "problem_annotated.xlsx": Path(problem["annotated"])}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    use_time_zone()
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in build(Path(tmp)).items():
            shutil.copyfile(path, GOLDEN / name)
            print(f"{GOLDEN / name}: {GOLDEN_FILES[name]}")


if __name__ == "__main__":
    main()
