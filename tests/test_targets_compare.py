"""On return: every change of an approved value, made by someone who unprotects the sheet, is reported at its cell
with the approved and the found value; removing the protection alone is no problem."""

from __future__ import annotations

import openpyxl
import pytest
from targets_builders import LIST_FILE, SEED, fill_like_a_clerk

from perfeval import cli
from perfeval.config import Config
from perfeval.pipeline import evaluate
from perfeval.targets import read_targets
from perfeval.targets.prepare import prepare

SEED_NAME = "2025_审批局_公共资源交易中心运转经费.xlsx"
APPROVED = ("approved-target-changed", "approved-indicator-deleted", "indicator-not-approved",
            "approved-budget-changed", "approved-identity-changed")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    out = tmp_path_factory.mktemp("returned")
    prepare([LIST_FILE], out, Config())
    return fill_like_a_clerk(out / SEED_NAME, SEED).read_bytes()


def returned(tmp_path, filled, edit=None):
    path = tmp_path / SEED_NAME
    path.write_bytes(filled)
    if edit:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            ws.protection.sheet = False  # as a unit does: 审阅 → 撤销工作表保护
        edit(wb)
        wb.save(path)
    return path


def found(path, targets=None):
    ev = evaluate(path, Config(), targets=targets)
    return [(p.code, p.where, p.value, p.message) for p in ev.problems if p.code in APPROVED]


def set_cell(sheet, ref, value):
    def edit(wb):
        wb[sheet][ref] = value
    return edit


CHANGES = [
    # (edit, code, where, approved value named in the message, found value)
    (set_cell("绩效指标", "C5", "采购招标完成率"), "approved-target-changed", "绩效指标!C5", "采购招标率", "采购招标完成率"),
    (set_cell("绩效指标", "E7", "≥90%"), "approved-target-changed", "绩效指标!E7", "≥95%", "≥90%"),
    (set_cell("绩效指标", "D7", "反向"), "approved-target-changed", "绩效指标!D7", "正向", "反向"),
    (set_cell("绩效指标", "G5", "次"), "approved-target-changed", "绩效指标!G5", "（空）", "次"),
    (set_cell("绩效指标", "H6", 25), "approved-target-changed", "绩效指标!H6", "30", "25"),
    (set_cell("绩效指标", "A6", "产出指标"), "approved-target-changed", "绩效指标!A6", "效益指标", "产出指标"),
    (set_cell("绩效指标", "B6", "经济效益指标"), "approved-target-changed", "绩效指标!B6", "社会效益指标", "经济效益指标"),
    (set_cell("资金情况", "B5", 40), "approved-budget-changed", "资金情况!B5", "32.9", "40"),
    (set_cell("资金情况", "B6", 5), "approved-budget-changed", "资金情况!B6", "0", "5"),
    (set_cell("基本信息", "B6", "交易中心运转经费"), "approved-identity-changed", "基本信息!B6", "公共资源交易中心运转经费",
     "交易中心运转经费"),
    (set_cell("基本信息", "B7", "2025-SPJ-999"), "approved-identity-changed", "基本信息!B7", "2025-SPJ-001", "2025-SPJ-999"),
    (set_cell("基本信息", "B9", "财政局"), "approved-identity-changed", "基本信息!B9", "审批局", "财政局"),
    (set_cell("基本信息", "B5", "2024"), "approved-identity-changed", "基本信息!B5", "2025", "2024"),
]


@pytest.mark.parametrize("edit, code, where, approved, value", CHANGES, ids=[c[2] for c in CHANGES])
def test_each_change_at_its_cell_with_both_values(tmp_path, filled, edit, code, where, approved, value):
    problems = [p for p in found(returned(tmp_path, filled, edit)) if p[1] == where]
    assert [(c, w, v) for c, w, v, _ in problems] == [(code, where, value)]
    assert approved in problems[0][3] and value in problems[0][3]


def test_a_deleted_indicator_is_named_at_the_table(tmp_path, filled):
    path = returned(tmp_path, filled, lambda wb: wb["绩效指标"].delete_rows(6))
    assert [(c, w) for c, w, _, m in found(path)] == [("approved-indicator-deleted", "绩效指标!C5:C6")]
    assert "公共服务水平" in found(path)[0][3]


def test_an_added_indicator_is_not_approved(tmp_path, filled):
    def add(wb):
        ws = wb["绩效指标"]
        for col, value in zip("ABCEFH", ("产出指标", "质量指标", "系统运行率", "≥99%", "100%", 0)):
            ws[f"{col}8"] = value
    problems = found(returned(tmp_path, filled, add))
    assert [(c, w, v) for c, w, v, _ in problems] == [("indicator-not-approved", "绩效指标!C8", "系统运行率")]


def test_the_same_target_written_otherwise_is_no_change(tmp_path, filled):
    def rewrite(wb):
        wb["绩效指标"]["E7"] = "＞＝95%"
        wb["资金情况"]["B5"] = "32.90"
        wb["基本信息"]["B6"] = "公共资源交易中心 运转经费"
    assert found(returned(tmp_path, filled, rewrite)) == []


def test_removing_the_protection_alone_is_no_problem(tmp_path, filled):
    path = returned(tmp_path, filled, lambda wb: None)
    assert not openpyxl.load_workbook(path)["绩效指标"].protection.sheet
    ev = evaluate(path, Config())
    assert ev.status == "ok" and found(path) == []


def test_a_tampered_hidden_sheet_is_caught_with_the_targets_list(tmp_path, filled):
    def tamper(wb):
        wb["绩效指标"]["E7"] = "≥80%"
        carried = wb["审定目标"]
        for row in carried.iter_rows():
            for cell in row:
                if cell.value == "≥95%":
                    cell.value = "≥80%"  # the approved value rewritten to match
    path = returned(tmp_path, filled, tamper)
    assert found(path) == []  # the workbook alone agrees with itself
    targets = read_targets([LIST_FILE])
    assert [(c, w, v) for c, w, v, _ in found(path, targets)] == [("approved-target-changed", "绩效指标!E7", "≥80%")]


def test_check_targets_on_the_command_line(tmp_path, filled, capsys):
    path = returned(tmp_path, filled, set_cell("绩效指标", "E7", "≥90%"))
    assert cli.main(["check", str(path), "--targets", str(LIST_FILE), "--targets", str(LIST_FILE.parent)]) == 1
    out = capsys.readouterr().out
    assert "绩效指标!E7" in out and "≥95%" in out and "≥90%" in out
    assert cli.main(["check", str(path), "--targets", str(tmp_path / "none.xlsx")]) == 2


def test_a_plain_workbook_is_compared_when_its_project_is_listed(tmp_path):
    from targets_builders import make_examples

    example = make_examples.EXAMPLES_DIR / "2025_第一中学_校园安全设施改造.xlsx"
    targets = read_targets([LIST_FILE])
    assert found(example, targets) == []  # the example is what was approved (joined by name, rows by 三级指标)
    assert found(example) == []  # no hidden sheet, no list: nothing to compare
