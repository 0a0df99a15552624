"""The workbooks with typical errors in input_templates/problems/: what reading and checking say of each."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from helpers import checked

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "input_templates" / "problems"

EXPECTED = {
    "01_支出明细不符_分值合计110.xlsx": [
        ("breakdown-sum-mismatch", "支出明细", "B2:B7"),
        ("weights-not-100", "绩效指标", "G2:G4"),
    ],
    "02_工作表改名_基本信息(1).xlsx": [
        ("sheet-near-namesake", "基本信息(1)", ""),
    ],
    "03_未完成无原因_邮箱错误_无组长.xlsx": [
        ("email-malformed", "基本信息", "B8"),
        ("group-no-leader", "评价工作组", "A2:A7"),
        ("target-missed-no-reason", "绩效指标", "I2"),
    ],
    "04_数字无法识别_金额单位错误.xlsx": [
        ("number-unreadable", "资金情况", "B2"),
        ("unit-unknown", "支出明细", "B1"),
    ],
    "05_合计行公式未计算_执行数超预算_自评得分超档.xlsx": [
        ("funding-spent-over-budget", "资金情况", "E2"),
        ("formula-no-value", "资金情况", "B4"),
        ("formula-no-value", "资金情况", "C4"),
        ("formula-no-value", "资金情况", "D4"),
        ("formula-no-value", "资金情况", "E4"),
        ("self-score-outside-band", "绩效指标", "H3"),
    ],
}


def where(path: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.sheet, p.cell) for p in checked(path)]


def load_tool():
    spec = importlib.util.spec_from_file_location("make_problem_examples", ROOT / "tools" / "make_problem_examples.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_folder_holds_the_examples():
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_what_the_checks_say(name):
    assert where(FOLDER / name) == EXPECTED[name]


def test_the_messages_explain_in_chinese():
    problems = checked(FOLDER / "03_未完成无原因_邮箱错误_无组长.xlsx")
    assert [p.value for p in problems] == ["spj#example.gov.cn", None, None]
    assert "联系邮箱“spj#example.gov.cn”格式不正确" in problems[0].message
    assert problems[2].message.startswith("未完成年度指标值（年度指标值“100%”，实际完成值“90%”）")


def test_the_tool_writes_the_committed_examples(tmp_path):
    tool = load_tool()
    assert list(tool.EXAMPLES) == list(EXPECTED)
    for path in tool.write_examples(tmp_path):
        assert where(path) == where(FOLDER / path.name), path.name
