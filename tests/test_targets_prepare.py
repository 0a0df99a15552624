"""perfeval prepare: pre-filled workbooks with the approved values locked, the open cells open, the approved
values carried inside; filled in by a clerk they pass check and score as the examples do."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from targets_builders import LIST_FILE, SEED, fill_like_a_clerk, make_examples, target_list

from perfeval import cli
from perfeval.config import Config
from perfeval.pipeline import evaluate
from perfeval.targets.prepare import prepare

SEED_NAME = "2025_审批局_公共资源交易中心运转经费.xlsx"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    out = tmp_path_factory.mktemp("prepared")
    result = prepare([LIST_FILE], out, Config())
    assert result.exit_code == 0
    return out


@pytest.fixture(scope="module")
def seed_book(prepared):
    return openpyxl.load_workbook(prepared / SEED_NAME)


def test_one_workbook_per_project_named_like_the_batch_folders(prepared):
    assert sorted(p.name for p in prepared.iterdir()) == sorted(
        [name for name, _ in make_examples.EXAMPLES] + ["准备清单.xlsx"])


def test_basic_information_from_the_targets_is_locked_the_rest_open(seed_book):
    ws = seed_book["基本信息"]
    assert ws.protection.sheet and ws.protection.password is None
    values = {str(ws.cell(r, 1).value).rstrip("*"): ws.cell(r, 2) for r in range(5, 23)}
    assert values["评价年度"].value == "2025" and values["项目编码"].value == "2025-SPJ-001"
    assert values["项目名称"].value == "公共资源交易中心运转经费" and values["联系邮箱"].value == "spj@example.gov.cn"
    for label in ("评价年度", "项目名称", "项目编码", "主管部门", "实施单位", "联系人", "联系邮箱", "年度总体目标"):
        assert values[label].protection.locked, label
    for label in ("项目负责人", "总体目标完成情况", "预算执行偏差原因", "综合评价结论"):
        assert not values[label].protection.locked, label


def test_funding_sources_and_initial_budget_locked(seed_book):
    ws = seed_book["资金情况"]
    assert ws.protection.sheet
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (5, 6, 7)] == [
        ("当年财政拨款", 32.9), ("上年结转资金", 0), ("其他资金", 0)]
    assert all(ws[f"{c}5"].protection.locked for c in "AB")
    assert not any(ws[f"{c}{r}"].protection.locked for c in "CDE" for r in (5, 6, 7))


def test_approved_indicators_locked_actuals_open_and_five_open_rows(seed_book):
    ws = seed_book["绩效指标"]
    assert ws.protection.sheet
    assert [ws[f"C{r}"].value for r in (5, 6, 7)] == ["采购招标率", "公共服务水平", "使用人员满意度"]
    assert [ws[f"E{r}"].value for r in (5, 6, 7)] == ["100%", "提升", "≥95%"]
    assert [ws[f"H{r}"].value for r in (5, 6, 7)] == [50, 30, 10]
    for r in (5, 6, 7):
        assert all(ws[f"{c}{r}"].protection.locked for c in "ABCDEGH"), r
        assert not any(ws[f"{c}{r}"].protection.locked for c in "FIJ"), r
    for r in range(8, 13):  # five fully open rows for added indicators
        assert not any(ws[f"{c}{r}"].protection.locked for c in "ABCDEFGHIJ"), r


def test_free_tables_are_not_protected(seed_book):
    assert not any(seed_book[name].protection.sheet for name in ("评价工作组", "支出明细", "业务量"))


def test_approved_values_travel_in_a_very_hidden_sheet_and_a_hidden_id_column(seed_book):
    carried = seed_book["审定目标"]
    assert carried.sheet_state == "veryHidden"
    rows = [[c for c in row if c is not None] for row in carried.iter_rows(values_only=True)]
    assert ["项目", "项目编码", "2025-SPJ-001"] in rows and ["资金", "当年财政拨款", "32.9"] in rows
    assert ["指标", "ZB003", "满意度指标", "服务对象满意度指标", "使用人员满意度", "正向", "≥95%", "10"] in rows
    ws = seed_book["绩效指标"]
    col = next(c for c in range(1, 40) if ws.cell(4, c).value == "审定编号")
    letter = openpyxl.utils.get_column_letter(col)
    assert ws.column_dimensions[letter].hidden
    assert [ws.cell(r, col).value for r in (5, 6, 7, 8)] == ["ZB001", "ZB002", "ZB003", None]


def test_live_checks_are_there(seed_book):
    ws = seed_book["绩效指标"]
    formulas = [ws.cell(3, c).value for c in range(12, 20)]
    assert any(str(f).startswith("=SUM(") for f in formulas)


def test_a_password_only_when_configured(tmp_path):
    prepare([LIST_FILE], tmp_path, Config.from_dict({"targets": {"password": "秘密"}}))
    book = openpyxl.load_workbook(tmp_path / SEED_NAME)
    assert book["绩效指标"].protection.password and book["基本信息"].protection.password


def test_prepared_workbooks_are_byte_stable(tmp_path, prepared):
    prepare([LIST_FILE], tmp_path, Config())
    assert (tmp_path / SEED_NAME).read_bytes() == (prepared / SEED_NAME).read_bytes()


def test_the_seed_round_trip_scores_97_27(tmp_path, prepared):
    path = tmp_path / SEED_NAME
    path.write_bytes((prepared / SEED_NAME).read_bytes())
    fill_like_a_clerk(path, SEED)
    ev = evaluate(path, Config())
    assert ev.status == "ok", [p.message for p in ev.problems]
    assert (ev.card.total.quantize(Decimal("0.01")), ev.card.grade) == (Decimal("97.27"), "优")
    assert not [p for p in ev.problems if p.code.startswith(("approved-", "indicator-not"))]


@pytest.mark.parametrize("name, data", make_examples.EXAMPLES[1:], ids=lambda v: v if isinstance(v, str) else "")
def test_every_example_filled_in_scores_as_the_example(tmp_path, prepared, name, data):
    path = tmp_path / name
    path.write_bytes((prepared / name).read_bytes())
    fill_like_a_clerk(path, data)
    filled, example = evaluate(path, Config()), evaluate(make_examples.EXAMPLES_DIR / name, Config())
    assert filled.card.total == example.card.total and filled.card.grade == example.card.grade
    assert {p.code for p in filled.problems} == {p.code for p in example.problems}


def test_existing_workbooks_are_skipped_unless_forced_and_the_listing_rewritten(tmp_path, capsys):
    assert cli.main(["prepare", str(LIST_FILE), "-o", str(tmp_path)]) == 0
    seed = tmp_path / SEED_NAME
    seed.write_bytes(b"started by the unit")
    (tmp_path / "2025_公路养护中心_农村公路日常养护.xlsx").unlink()  # this one is written again
    (tmp_path / "准备清单.xlsx").write_bytes(b"old")
    capsys.readouterr()
    assert cli.main(["prepare", str(LIST_FILE), "-o", str(tmp_path)]) == 0
    assert "已存在，未覆盖" in capsys.readouterr().out and seed.read_bytes() == b"started by the unit"
    listing = openpyxl.load_workbook(tmp_path / "准备清单.xlsx")["准备清单"]
    statuses = {row[3]: row[6] for row in listing.iter_rows(min_row=2, values_only=True)}
    assert statuses["公共资源交易中心运转经费"] == "已存在，未覆盖" and statuses["农村公路日常养护"] == "已生成"
    assert cli.main(["prepare", str(LIST_FILE), "-o", str(tmp_path), "--force"]) == 0
    assert seed.read_bytes().startswith(b"PK")


def test_a_project_with_an_error_gets_no_workbook_and_exit_1(tmp_path, capsys):
    other = {**__import__("targets_builders").PROJECT, "项目编码": "XM-2", "项目名称": "操场翻新"}
    targets = target_list(tmp_path / "清单.xlsx", [__import__("targets_builders").PROJECT, other])
    assert cli.main(["prepare", str(targets), "-o", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "[错误]" in out and "操场翻新" in out and "没有任何绩效指标" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025_第二中学_食堂改造.xlsx", "准备清单.xlsx"]
    listing = openpyxl.load_workbook(tmp_path / "out" / "准备清单.xlsx")["准备清单"]
    rows = {row[3]: row for row in listing.iter_rows(min_row=2, values_only=True)}
    assert rows["操场翻新"][5:7] == (None, "有错误，未生成") and "targets" not in rows["操场翻新"][13]
    assert rows["食堂改造"][8] == "erzhong@example.edu.cn"


def test_same_names_get_unique_files(tmp_path):
    from targets_builders import INDICATORS, PROJECT

    twin = {**PROJECT, "项目编码": "XM-2"}
    indicators = [{"项目编码": code, **row} for code in ("XM-1", "XM-2") for row in INDICATORS]
    result = prepare([target_list(tmp_path / "清单.xlsx", [PROJECT, twin], indicators)], tmp_path / "out", Config())
    assert [item.file for item in result.items] == ["2025_第二中学_食堂改造.xlsx", "2025_第二中学_食堂改造_2.xlsx"]


def test_unusable_invocations_exit_2(tmp_path):
    assert cli.main(["prepare", str(tmp_path / "nothing.xlsx")]) == 2
    assert cli.main(["prepare", str(LIST_FILE), "--workers", "-1"]) == 2
