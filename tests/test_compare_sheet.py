"""The sheet 同比 (perfeval.compare_sheet): written alone into a workbook, read back with openpyxl, cell by cell;
its chart's series; rows in order (constant_memory)."""

from __future__ import annotations

import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
import xlsxwriter
from frames_data import entry

from perfeval.compare_sheet import SHEET_COMPARE, write_compare_sheet
from perfeval.frames import compare, from_entries

D = Decimal


def shown(value: Decimal, places: int) -> float:
    return float(value.quantize(D(1).scaleb(-places), ROUND_HALF_UP))


def comparison():
    old = from_entries([
        entry("2024/a.xlsx", year="2024", department="交通局", unit="公路站", name="道路养护", budget="100", spent="80",
              score="85"),
        entry("2024/b.xlsx", year="2024", department="交通局", unit="公路站", name="桥梁检测", budget="3", spent="3",
              score="70"),
        entry("2024/c.xlsx", year="2024", department="教育局", unit="一中", name="=操场", code="E-1", budget="8",
              spent="0.98765", score="89.995")])
    new = from_entries([
        entry("2025/a.xlsx", department="交通局", unit="公路站", name="道路养护", budget="120", spent="119",
              score="95.5"),
        entry("2025/c.xlsx", department="教育局", unit="一中", name="操场改造", code="E-1", budget="8", spent="8",
              score="90.005"),
        entry("2025/d.xlsx", department="教育局", unit="二中", name="路灯", budget="1.005", spent="1", score="77")])
    return compare(old, new)


def write(path, result, **options):
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False, **options})
    write_compare_sheet(wb, result)
    wb.close()
    return path


def cells(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[SHEET_COMPARE].iter_rows(values_only=True))


def section(rows: list[tuple], title: str) -> tuple[list, list[tuple]]:
    """A section's header and data rows (up to the blank row)."""
    start = next(n for n, r in enumerate(rows) if r[0] == title)
    header = [v for v in rows[start + 1] if v is not None]
    data = []
    for r in rows[start + 2:]:
        if r[0] is None:
            break
        data.append(r[:len(header)])
    return header, data


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write(tmp_path_factory.mktemp("sheet") / "同比.xlsx", comparison())


def test_only_the_sheet_and_its_title(book):
    assert openpyxl.load_workbook(book).sheetnames == [SHEET_COMPARE]
    rows = cells(book)
    assert rows[0][0] == "同比：本年（2025年度）与上年（2024年度）"
    assert rows[1][0].startswith("项目先按项目编码匹配")


def test_department_cells(book):
    header, data = section(cells(book), "各主管部门（2 个）")
    assert header[:17] == ["主管部门", "两年均有项目数", "上年项目数", "本年项目数", "项目数增减", "上年全年预算数合计（万元）",
                           "本年全年预算数合计（万元）", "预算增减率", "上年全年执行数合计（万元）", "本年全年执行数合计（万元）",
                           "执行增减率", "上年执行率", "本年执行率", "执行率变动（百分点）", "上年平均得分", "本年平均得分",
                           "平均得分变动"]
    assert header[17:] == ["上年优", "本年优", "优增减", "上年良", "本年良", "良增减", "上年中", "本年中", "中增减",
                           "上年差", "本年差", "差增减"]
    traffic, education = data
    assert traffic[:17] == ("交通局", 1, 2, 1, -1, 103, 120, shown(D(17) / 103, 4), 83, 119, shown(D(36) / 83, 4),
                            shown(D(83) / 103, 4), shown(D(119) / 120, 4),
                            shown((D(119) / 120 - D(83) / 103) * 100, 2), 77.5, 95.5, 18)
    assert traffic[17:] == (0, 1, 1, 1, 0, -1, 1, 0, -1, 0, 0, 0)  # 85 良 and 70 中 -> 95.5 优
    old_rate, new_rate = D("0.98765") / 8, D(9) / D("9.005")
    assert education[:17] == ("教育局", 1, 1, 2, 1, 8, 9.01, shown(D("1.005") / 8, 4), 0.99, 9,
                              shown((9 - D("0.98765")) / D("0.98765"), 4), shown(old_rate, 4), shown(new_rate, 4),
                              shown((new_rate - old_rate) * 100, 2), 90.0, shown((D("90.005") + 77) / 2, 2),
                              shown((D("90.005") + 77) / 2 - D("89.995"), 2))
    assert education[14] == 90.0  # 89.995, half up


def test_project_cells_and_lists(book):
    rows = cells(book)
    header, data = section(rows, "两年均有的项目（2 个）")
    assert header[:8] == ["主管部门", "实施单位", "项目名称", "项目编码", "匹配方式", "上年主管部门", "上年实施单位", "上年项目名称"]
    assert header[8:] == ["上年全年预算数（万元）", "本年全年预算数（万元）", "预算增减率", "上年全年执行数（万元）",
                          "本年全年执行数（万元）", "上年执行率", "本年执行率", "执行率变动（百分点）", "上年得分", "本年得分", "得分变动",
                          "上年等级", "本年等级", "等级变化"]
    assert data[0] == ("交通局", "公路站", "道路养护", None, "名称", "交通局", "公路站", "道路养护", 100, 120, 0.2, 80, 119,
                       0.8, shown(D(119) / 120, 4), shown((D(119) / 120 - D("0.8")) * 100, 2), 85, 95.5, 10.5,
                       "良", "优", "上升")
    assert data[1][:8] == ("教育局", "一中", "操场改造", "E-1", "项目编码", "教育局", "一中", "=操场")  # text, never a formula
    assert data[1][-6:] == (90.0, 90.01, 0.01, "良", "优", "上升")
    header, data = section(rows, "本年新增项目（1 个）")
    assert header == ["评价年度", "主管部门", "实施单位", "项目名称", "项目编码", "全年预算数（万元）", "全年执行数（万元）",
                      "执行率", "得分", "等级", "源文件"]
    assert data == [("2025", "教育局", "二中", "路灯", None, 1.01, 1, shown(1 / D("1.005"), 4), 77, "中", "2025/d.xlsx")]
    _, data = section(rows, "上年有、本年未报送的项目（1 个）")
    assert data == [("2024", "交通局", "公路站", "桥梁检测", None, 3, 3, 1, 70, "中", "2024/b.xlsx")]


def test_the_chart_shows_both_years_execution_rates(book):
    with zipfile.ZipFile(book) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = zf.read(charts[0]).decode("utf-8")
    assert '<c:barChart><c:barDir val="col"/>' in xml
    refs = re.findall(r"<c:f>([^<]*)</c:f>", xml)
    rows = cells(book)
    first = next(n for n, r in enumerate(rows) if r[0] == "交通局") + 1  # 1-based row of the first department
    assert refs == [f"同比!$L${first - 1}", f"同比!$A${first}:$A${first + 1}", f"同比!$L${first}:$L${first + 1}",
                    f"同比!$M${first - 1}", f"同比!$A${first}:$A${first + 1}", f"同比!$M${first}:$M${first + 1}"]
    assert rows[first - 2][11:13] == ("上年执行率", "本年执行率")


def test_the_same_cells_without_constant_memory(book, tmp_path):
    assert cells(write(tmp_path / "plain.xlsx", comparison(), constant_memory=False)) == cells(book)


def test_nothing_to_compare(tmp_path):
    path = write(tmp_path / "空.xlsx", compare(from_entries([]), from_entries([])))
    rows = cells(path)
    assert rows[0][0] == "同比：本年与上年"
    assert [r[0] for r in rows if r[0] == "无。"] == ["无。"] * 4
    with zipfile.ZipFile(path) as zf:
        assert not [n for n in zf.namelist() if n.startswith("xl/charts/")]
