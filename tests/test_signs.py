"""The warning signs (复核提示, review.md): each triggered by its own workbook or batch, silent just below its
threshold, switched off by configuration; never a problem, a status or an exit code."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from builders import build_workbook, seed_rows
from perfeval import cli
from perfeval.config import Config, DEFAULTS
from perfeval.pipeline import evaluate, write_outputs
from perfeval.signs import SIGN_CATALOGUE, ProjectBrief, batch_signs, evaluation_signs

ROOT = Path(__file__).resolve().parents[1]
SEED_EXAMPLE = ROOT / "input_templates" / "examples" / "2025_审批局_公共资源交易中心运转经费.xlsx"


def signs_of(tmp_path: Path, data: dict, config: Config | None = None) -> list:
    ev = evaluate(build_workbook(tmp_path / "project.xlsx", data), config or Config())
    return evaluation_signs(ev, config or Config())


def spent(data: dict, amount: float) -> dict:
    source, initial, budget, received, _ = data["funding"][0]
    data["funding"][0] = (source, initial, budget, received, amount)
    return data


def codes(signs) -> list[str]:
    return [s.code for s in signs]


def off(code: str) -> Config:
    return Config.from_dict({"warnings": {"disabled": [code]}})


# ---- full marks, little spent --------------------------------------------------------------------------------

def test_the_seed_is_flagged_full_marks_low_spending_at_its_spent_cell(tmp_path):
    signs = signs_of(tmp_path, seed_rows())  # 23.93 of 32.9 spent: 72.74 %, every target met
    assert [(s.code, s.severity, s.where, s.value) for s in signs] == [
        ("full-marks-low-spending", "警告", "资金情况!E2", "72.74%")]  # the 全年执行数 cell
    assert "72.74%" in signs[0].message and "80.00%" in signs[0].message


def test_full_marks_low_spending_is_silent_at_the_threshold_rate(tmp_path):
    assert codes(signs_of(tmp_path, spent(seed_rows(), 26.32))) == []  # 26.32 / 32.9 = 80 % exactly: not below
    assert codes(signs_of(tmp_path, spent(seed_rows(), 26.31))) == ["full-marks-low-spending"]


def test_full_marks_low_spending_can_be_switched_off_and_then_progress_is_not_reported_either(tmp_path):
    assert signs_of(tmp_path, seed_rows(), off("full-marks-low-spending")) == []


# ---- indicators ahead of money -------------------------------------------------------------------------------

def missed_one(data: dict) -> dict:
    row = list(data["indicators"][0])
    row[5] = "90%"  # 采购招标率 100% target, 90 % done: 45 of 50 points
    data["indicators"][0] = tuple(row)
    return data


def test_progress_ahead_of_spending_beyond_the_gap(tmp_path):
    share = D(45 + 30 + 10) / D(90)
    rate = D("23.93") / D("32.9")
    gap = share - rate  # 0.21708…: computed here, apart from the tool
    assert D("0.2170") < gap < D("0.2171")
    over = Config.from_dict({"warnings": {"progress_gap": 0.2170}})
    under = Config.from_dict({"warnings": {"progress_gap": 0.2171}})
    signs = signs_of(tmp_path, missed_one(seed_rows()), over)
    assert [(s.code, s.where) for s in signs] == [("progress-ahead-of-spending", "资金情况!E2")]
    assert "94.44%" in signs[0].message and "72.74%" in signs[0].message
    assert signs_of(tmp_path, missed_one(seed_rows()), under) == []
    assert signs_of(tmp_path, missed_one(seed_rows()), Config.from_dict(
        {"warnings": {"progress_gap": 0.2170, "disabled": ["progress-ahead-of-spending"]}})) == []


def test_progress_ahead_is_not_reported_where_full_marks_low_spending_is(tmp_path):
    assert codes(signs_of(tmp_path, seed_rows())) == ["full-marks-low-spending"]  # share 100 % vs 72.74 %


# ---- cost or deadline read as at least -----------------------------------------------------------------------

def with_indicator(level2: str, target: str, actual: str) -> dict:
    data = spent(seed_rows(), 32.9)  # all spent: no money sign
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", 40, 40, "")
    data["indicators"].insert(1, ("产出指标", level2, "考核的指标", "", target, actual, 10, 10, ""))
    return data


@pytest.mark.parametrize("level2, target, actual", [
    ("成本指标", "≥50万元", "52万元"), ("成本指标", "不少于50万元", "52万元"), ("时效指标", "不少于10天", "12天"),
    ("时效指标", "≥3个月", "3个月")])
def test_cost_or_deadline_read_as_at_least_is_flagged_at_its_target(tmp_path, level2, target, actual):
    signs = signs_of(tmp_path, with_indicator(level2, target, actual))
    assert [(s.code, s.where, s.value) for s in signs] == [("cost-target-at-least", "绩效指标!E3", target)]
    assert signs_of(tmp_path, with_indicator(level2, target, actual), off("cost-target-at-least")) == []


@pytest.mark.parametrize("level2, target, actual", [
    ("成本指标", "≤50万元", "45万元"), ("时效指标", "≤10天", "8天"), ("时效指标", "≥95%", "100%"),
    ("数量指标", "≥50万元", "52万元")])
def test_a_ceiling_a_percentage_or_another_indicator_is_not_flagged(tmp_path, level2, target, actual):
    assert signs_of(tmp_path, with_indicator(level2, target, actual)) == []


# ---- over the batch ------------------------------------------------------------------------------------------

def brief(identity: str, unit: str, total: str = "100", indicators=()) -> ProjectBrief:
    return ProjectBrief(identity, f"项目{identity}", unit, D(total), tuple(indicators))


def test_a_unit_all_at_100_is_a_hint_naming_the_unit_and_its_projects():
    briefs = [brief("a", "甲单位"), brief("b", "甲单位", "99.995"), brief("c", "甲单位"), brief("d", "乙单位")]
    signs = batch_signs(briefs, Config())
    assert [(s.code, s.severity, s.where, s.projects) for s in signs] == [
        ("unit-all-full-marks", "提示", "", ("a", "b", "c"))]
    assert "甲单位" in signs[0].message and "“项目a”、“项目b”、“项目c”" in signs[0].message
    assert batch_signs(briefs[:2] + briefs[3:], Config()) == []  # two projects: below unit_all_full_min 3
    assert batch_signs([*briefs[:2], brief("c", "甲单位", "99.994")], Config()) == []  # 99.99 shown
    assert batch_signs(briefs, off("unit-all-full-marks")) == []


TARGETS = [("培训人次", "≥500人次"), ("合格率", "≥90%"), ("完成时间", "2025年12月底前"), ("满意度", "≥95%")]


def test_the_same_indicators_at_different_units_are_a_hint():
    briefs = [brief("a", "甲单位", "90", TARGETS), brief("b", "乙单位", "88", reversed(TARGETS)),
              brief("c", "丙单位", "90", TARGETS[:3] + [("满意度", "≥90%")])]
    signs = batch_signs(briefs, Config())
    assert [(s.code, s.projects) for s in signs] == [("copied-targets", ("a", "b"))]
    assert "甲单位" in signs[0].message and "乙单位" in signs[0].message
    assert batch_signs([brief("a", "甲单位", "90", TARGETS[:3]), brief("b", "乙单位", "90", TARGETS[:3])],
                       Config()) == []  # three indicators: below copied_min 4
    assert batch_signs([brief("a", "甲单位", "90", TARGETS), brief("b", "甲单位", "90", TARGETS)], Config()) == []
    assert batch_signs(briefs, off("copied-targets")) == []


def test_every_sign_code_can_be_disabled_and_an_unknown_one_stops(tmp_path, capsys):
    assert DEFAULTS["warnings"]["disabled"] == []
    for code in SIGN_CATALOGUE:
        Config.from_dict({"warnings": {"disabled": [code]}})
    config = tmp_path / "perfeval.toml"
    config.write_text('[warnings]\ndisabled = ["full-marks"]\n', encoding="utf-8")
    assert cli.main(["check", "--config", str(config), str(SEED_EXAMPLE)]) == 2
    assert "warnings.disabled 中的 full-marks 不是复核提示的代码" in capsys.readouterr().err


# ---- where signs appear, and where not -----------------------------------------------------------------------

def test_check_prints_the_seed_example_s_sign_in_a_section_of_its_own_and_exits_0(capsys):
    assert cli.main(["check", str(SEED_EXAMPLE)]) == 0
    out = capsys.readouterr().out
    head, section = out.split("复核提示（供财政部门参考，不影响校验结果）：")
    assert "通过（错误 0，警告 0，提示 0）" in head
    assert section.strip().startswith("[警告] 资金情况!E5:E7  全部 3 项绩效指标均得满分，但预算执行率只有 72.74%")


def test_check_json_keeps_its_list_and_json_signs_adds_them_apart(capsys):
    assert cli.main(["check", "--json", str(SEED_EXAMPLE)]) == 0
    assert json.loads(capsys.readouterr().out) == []  # the problems only, as before
    assert cli.main(["check", "--json-signs", str(SEED_EXAMPLE)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problems"] == []
    assert [(s["code"], s["severity"], s["sheet"], s["cell"]) for s in data["signs"]] == [
        ("full-marks-low-spending", "警告", "资金情况", "E5:E7")]


def test_check_prints_batch_signs_over_the_files_checked(tmp_path, capsys):
    for n, unit in enumerate(("甲单位", "甲单位", "甲单位")):
        data = spent(seed_rows(), 32.9)
        data["info"]["实施单位"], data["info"]["项目名称"] = unit, f"项目{n}"
        data["info"]["联系邮箱"] = "a@example.gov.cn"
        build_workbook(tmp_path / f"p{n}.xlsx", data)
    assert cli.main(["check", str(tmp_path)]) == 1  # the spending lines no longer add up (an error), not the sign
    out = capsys.readouterr().out
    assert "== 复核提示（供财政部门参考，不影响校验结果），涉及多个文件：\n   [提示] 实施单位“甲单位”的全部 3 个项目" in out


def test_the_seed_example_s_outputs_carry_no_sign_and_no_marked_up_copy(tmp_path):
    ev = evaluate(SEED_EXAMPLE, Config())
    assert ev.problems == [] and ev.status == "ok"
    outputs = write_outputs(ev, tmp_path, Config(), root=tmp_path)
    assert "annotated" not in outputs
    report = (tmp_path / outputs["report_md"]).read_text(encoding="utf-8")
    assert "复核提示" not in report and "full-marks" not in report


def test_docs_checks_md_documents_every_sign_with_its_severity_and_title():
    import re

    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (\S+) · ([^|]+?) \|", text, flags=re.M)
    assert {code: (severity, title) for code, severity, title in rows} == SIGN_CATALOGUE
