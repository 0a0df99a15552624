"""The summary workbook (绩效自评汇总.xlsx): its figures against figures computed here from the generated data,
its formatting, and byte stability."""

from __future__ import annotations

import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from helpers import (CLEAN, WITH_ERROR, add_oddities, by_name, copy_inputs, expected_grade, expected_total, make_entry,
                     run)
from perfeval.config import Config
from perfeval.results import ManifestEntry, SourceFacts
from perfeval.summary import SUMMARY_NAME, department_rows, write_summary

D = Decimal
GRADES = ("优", "良", "中", "差")


def rounded(value: Decimal, places: int = 2) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


def header(path: Path, sheet: str) -> list[str]:
    return [c.value for c in openpyxl.load_workbook(path)[sheet][1]]


def funding(data: dict) -> tuple[Decimal, Decimal]:
    f = data["funding"][0]
    return D(str(f["全年预算数"])), D(str(f["全年执行数"]))


@pytest.fixture(scope="module")
def batch(generated, tmp_path_factory):
    """The mixed batch (two departments with errors, all four grades, an unreadable file, a lock file, a
    non-spreadsheet file, the blank template), run once."""
    root = tmp_path_factory.mktemp("summary")
    inputs = copy_inputs(generated, root / "in", CLEAN | WITH_ERROR)
    add_oddities(inputs)
    result = run(inputs, root / "out")
    return root / "out", result


def test_the_grades_of_the_generated_data_cover_all_four():
    assert {expected_grade(expected_total(d)) for d in CLEAN.values()} == set(GRADES)


def test_project_rows_equal_the_figures_computed_from_the_data(batch):
    output, result = batch
    projects = CLEAN | WITH_ERROR
    key = {(d["info"]["主管部门"], d["info"]["实施单位"], d["info"]["项目名称"]): name for name, d in projects.items()}
    expected_order = [key[k] for k in sorted(key)]
    got = rows(output / SUMMARY_NAME, "项目汇总")
    assert header(output / SUMMARY_NAME, "项目汇总") == [
        "评价年度", "主管部门", "实施单位", "项目名称", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "执行率",
        "得分", "等级", "错误数", "警告数", "状态", "源文件", "来源类型", "单位自评得分", "差异（自评−规则）"]
    assert [Path(r[13]).name for r in got] == expected_order
    entries = by_name(output)
    for row in got:
        name = Path(row[13]).name
        data, entry = projects[name], entries[name]
        budget, spent = funding(data)
        total = expected_total(data)
        assert row[:4] == ("2025", data["info"]["主管部门"], data["info"]["实施单位"], data["info"]["项目名称"])
        assert row[4:8] == (rounded(budget), rounded(budget), rounded(spent), rounded(spent / budget, 4))
        assert row[8] == rounded(total) and row[9] == expected_grade(total)
        assert row[12] == ("有错误" if name in WITH_ERROR else "通过")
        assert row[14:] == ("标准填报表", None, None)  # no unit's own total beside the rule's
        # the manifest agrees
        assert (row[10], row[11]) == (entry["problem_counts"]["错误"], entry["problem_counts"]["警告"])
        assert entry["得分"] == f"{row[8]:.2f}" and entry["全年执行数"] == f"{row[6]:.2f}"
        assert entry["等级"] == row[9]
    assert result.exit_code == 1


def test_department_rows_count_every_project_and_sum_those_without_errors(batch):
    output, _ = batch
    groups: dict[str, list[tuple[str, dict]]] = {}
    for name, data in (CLEAN | WITH_ERROR).items():
        groups.setdefault(data["info"]["主管部门"], []).append((name, data))
    got = {r[1]: r for r in rows(output / SUMMARY_NAME, "部门汇总")}
    assert sorted(got) == sorted(groups) and [r[1] for r in rows(output / SUMMARY_NAME, "部门汇总")] == sorted(groups)
    for department, members in groups.items():
        counted = [d for name, d in members if name not in WITH_ERROR]
        budget = sum((funding(d)[0] for d in counted), D(0))
        spent = sum((funding(d)[1] for d in counted), D(0))
        totals = [expected_total(d) for d in counted]
        grades = [expected_grade(t) for t in totals]
        row = got[department]
        assert row[:4] == ("2025", department, len(members), len(members) - len(counted))
        assert row[4:8] == (rounded(budget), rounded(budget), rounded(spent), rounded(spent / budget, 4))
        assert row[8] == rounded(sum(totals, D(0)) / len(totals)) and row[9] == rounded(min(totals))
        assert row[10:14] == tuple(grades.count(g) for g in GRADES)


def test_detail_sheets_hold_every_row_of_every_project(batch):
    output, _ = batch
    projects = CLEAN | WITH_ERROR
    indicators = rows(output / SUMMARY_NAME, "指标明细")
    assert len(indicators) == 3 * len(projects)
    first = next(r for r in indicators if r[3] == "道路养护" and r[6] == "完成数量")
    assert first[4:12] == ("产出指标", "数量指标", "完成数量", "≥100个", "70个", 50, 35, "未完成")
    assert first[12] == "进度滞后。"
    spending = rows(output / SUMMARY_NAME, "支出明细")
    assert sorted(r[5] for r in spending) == sorted(rounded(funding(d)[1]) for d in projects.values())
    volumes = rows(output / SUMMARY_NAME, "业务量汇总")
    assert len(volumes) == len(projects) and {r[4:7] for r in volumes} == {("政府采购", 3, 1.5)}


def test_the_problem_list_names_every_problem_of_every_file(batch):
    output, result = batch
    problems = rows(output / SUMMARY_NAME, "问题清单")
    expected = sum(len(e.problems) for e in result.entries)
    assert len(problems) == expected
    files = {Path(r[0]).name: r for r in problems}
    assert files["损坏.xlsx"][3] == "无法读取" and files["损坏.xlsx"][6] == "错误"
    assert files["空白模板.xlsx"][7] == "file-blank-template"
    assert files["说明.txt"][3] == "已跳过"
    assert "weights-not-100" in {r[7] for r in problems if Path(r[0]).name == "f_错.xlsx"}
    assert "~$a_优.xlsx" not in files


def test_the_charts_are_native_excel_charts_over_the_department_rates(batch):
    output, _ = batch
    with zipfile.ZipFile(output / SUMMARY_NAME) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        xml = [zf.read(n).decode("utf-8") for n in charts]
    assert any("<c:barChart>" in x for x in xml) and any("<c:pieChart>" in x for x in xml)
    data = {r[0]: r[1] for r in rows(output / SUMMARY_NAME, "图表")[1:] if r[0]}
    departments = {r[1]: r[7] for r in rows(output / SUMMARY_NAME, "部门汇总")}
    assert data == departments


# ---- formatting, from hand-made entries ---------------------------------------------------------------------------

def entry(name: str, department: str, *, status: str = "ok", total: str = "95.5", grade: str = "优",
          budget: str = "10", spent: str = "9.5", unit: str = "某单位") -> ManifestEntry:
    indicators = [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "=SUM(A1:A9)", "年度指标值": "≥1",
                   "实际完成值": "1", "计量单位": "个", "分值": "50", "得分": "50", "完成情况": "met",
                   "偏差原因分析及改进措施": "http://example.com"}]
    return make_entry(name, department, status=status, total=total, grade=grade, budget=budget, spent=spent,
                      rate=str(D(spent) / D(budget)), unit=unit, indicators=indicators)


def test_text_is_written_as_text_and_figures_with_number_formats(tmp_path):
    entries = [entry("=1+1", "部门一"), entry("一个名字很长很长很长的项目", "部门二", total="72.125", grade="中")]
    path = write_summary(tmp_path / SUMMARY_NAME, entries, Config())
    wb = openpyxl.load_workbook(path)
    ws = wb["项目汇总"]
    assert ws["D2"].value == "=1+1" and ws["D2"].data_type == "s"  # never a formula
    assert ws["E2"].number_format == "0.00" and ws["H2"].number_format == "0.00%"
    assert ws["I2"].number_format == "0.00" and ws["I3"].value == 72.13  # half up, in fmt
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:Q3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["D"].width >= 2 * len("一个名字很长很长很长的项目")  # a Chinese character ≈ 2
    details = wb["指标明细"]
    assert details["G2"].value == "=SUM(A1:A9)" and details["G2"].data_type == "s"
    assert details["I2"].value == "1个" and details["M2"].value == "http://example.com"  # 计量单位 appended
    assert not details._hyperlinks
    for name in ("部门汇总", "指标明细", "支出明细", "业务量汇总", "问题清单"):
        assert wb[name].freeze_panes == "A2" and wb[name].page_setup.orientation == "landscape"


def test_the_summary_is_byte_stable(tmp_path):
    entries = [entry("甲", "部门甲"), entry("乙", "部门乙", status="has-errors")]
    first = write_summary(tmp_path / "1.xlsx", entries, Config()).read_bytes()
    assert write_summary(tmp_path / "2.xlsx", entries, Config()).read_bytes() == first


def test_a_department_whose_projects_all_have_errors_is_counted_but_has_no_figures():
    entries = [entry("甲", "部门甲", status="has-errors"), entry("乙", "部门甲", status="has-errors"),
               entry("丙", "部门乙", total="85", grade="良", budget="20", spent="10"),
               entry("丁", "部门乙", total="59.994", grade="差", budget="30", spent="30")]
    second, first = department_rows(entries)  # in code point order: 乙 before 甲
    assert (first.department, first.projects, first.with_errors) == ("部门甲", 2, 2)
    assert first.rate is None and first.mean_score is None and first.lowest_score is None
    assert first.budget == 0 and first.grades == {g: 0 for g in GRADES}
    assert (second.projects, second.with_errors, second.budget, second.spent) == (2, 0, D(50), D(40))
    assert second.rate == D("0.8") and second.mean_score == D("72.497") and second.lowest_score == D("59.994")
    assert second.grades == {"优": 0, "良": 1, "中": 0, "差": 1}


def test_an_empty_batch_gives_an_empty_summary(tmp_path):
    path = write_summary(tmp_path / SUMMARY_NAME, [], Config())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["项目汇总", "部门汇总", "指标明细", "支出明细", "业务量汇总", "问题清单", "图表"]
    assert rows(path, "项目汇总") == []


def test_indicator_details_show_the_actual_as_the_table_does(tmp_path):
    """A fraction against a percent target (a cell formatted as a percentage) reads 98% in 指标明细, as in the
    自评表, not 0.98 (or 0.98% with a 计量单位 of %)."""
    from perfeval.pipeline import Evaluation, file_result
    from perfeval.scoring import score_project
    from render_fixtures import seed_project

    project = seed_project()
    project.indicators[0].actual = "1"
    project.indicators[2].target, project.indicators[2].actual, project.indicators[2].unit = "≥95", "0.98", "%"
    ev = Evaluation(Path("seed.xlsx"), "seed.xlsx", project, score_project(project, Config()), [])
    e = ManifestEntry(SourceFacts("seed.xlsx", "/seed.xlsx"), file_result(ev), "ok", folder="f")
    assert e.result.source_kind == "标准填报表" and ManifestEntry.from_json(e.to_json()) == e
    path = write_summary(tmp_path / SUMMARY_NAME, [e], Config())
    assert [(r[6], r[7], r[8]) for r in rows(path, "指标明细")] == [
        ("采购招标率", "100%", "100%"), ("公共服务水平", "提升", "提升"), ("使用人员满意度", "≥95%", "98%")]
