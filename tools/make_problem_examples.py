"""Write the workbooks with typical errors into input_templates/problems/.

Run from anywhere: ``python tools/make_problem_examples.py``. Each example is the seed's project (as the tests'
hand-made workbook, tests/builders.py) with a few mistakes that units really make; the 填表说明 sheet of each
says which. tests/test_problem_examples.py states what ``perfeval check`` reports for each file, cell by cell.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import build_workbook, seed_rows  # noqa: E402

OUT_DIR = ROOT / "input_templates" / "problems"


def _spending_and_weights(path: Path) -> None:
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")  # the lines add up to 24.93, not 23.93
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", 60, 60, "")  # 60+30+10+10
    build_workbook(path, data)


def _sheet_near_namesake(path: Path) -> None:
    build_workbook(path, sheet_names={"基本信息": "基本信息(1)"})


def _reason_email_leader(path: Path) -> None:
    data = seed_rows()
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "90%", 50, 45, "")
    data["info"]["联系邮箱"] = "spj#example.gov.cn"
    data["group"][0] = ("副组长", "李春丽")
    build_workbook(path, data)


def _unreadable_numbers(path: Path) -> None:
    data = seed_rows()
    data["funding"] = [("当年财政拨款", "三十二万", 32.9, 23.93, 23.93)]
    build_workbook(path, data)
    _edit(path, lambda book: book["支出明细"].cell(1, 2, "金额（千元）"))


def _formulas_budget_band(path: Path) -> None:
    data = seed_rows()
    data["funding"] = [("当年财政拨款", 20, 20, 23.93, 23.93), ("上年结转资金", 12.9, 12.9, 0, 0),
                       ("合计", *(f"=SUM({c}2:{c}3)" for c in "BCDE"))]  # never calculated: no cached values
    data["indicators"][1] = ("效益指标", "社会效益指标", "公共服务水平", "定性", "提升", "提升", 30, 20, "")
    build_workbook(path, data)


# file name -> (what is wrong, in the words of the person who filled it, writer)
EXAMPLES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "01_支出明细不符_分值合计110.xlsx": (
        "支出明细合计 24.93 万元与全年执行数 23.93 万元不符；指标分值合计 100 分，加预算执行率 10 分共 110 分。",
        _spending_and_weights),
    "02_工作表改名_基本信息(1).xlsx": (
        "“基本信息”工作表被改名为“基本信息(1)”，无法识别。", _sheet_near_namesake),
    "03_未完成无原因_邮箱错误_无组长.xlsx": (
        "采购招标率未完成且未说明偏差原因；联系邮箱写错；评价工作组没有组长。", _reason_email_leader),
    "04_数字无法识别_金额单位错误.xlsx": (
        "年初预算数写成“三十二万”；支出明细的金额单位写成“千元”。", _unreadable_numbers),
    "05_合计行公式未计算_执行数超预算_自评得分超档.xlsx": (
        "资金情况合计行的公式没有计算结果；当年财政拨款执行数超过预算；定性指标自评得分低于“达成”档的下限。",
        _formulas_budget_band),
}


def _edit(path: Path, change: Callable) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def _describe(path: Path, what: str) -> None:
    """Say in 填表说明 which mistakes the example holds (the reader reads only the version there)."""
    def change(book):
        guide = book["填表说明"]
        guide.append([])
        guide.append([f"问题示例：{what}"])
    _edit(path, change)


def write_examples(folder: Path = OUT_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (what, write) in EXAMPLES.items():
        path = folder / name
        write(path)
        _describe(path, what)
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write_examples():
        print(written.relative_to(ROOT))
