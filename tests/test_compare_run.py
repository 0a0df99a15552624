"""同比 through `perfeval run --compare`: two generated batches (last year, this year) run by the CLI; the sheet 同比
and the manifest's compare block against the matches, changes and lists computed here from the data; an older-format
or unreadable last-year manifest stops the run (exit 2) before the output folder is touched."""

from __future__ import annotations

import json
import os
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from helpers import expected_grade, expected_total, project_data, write_inputs
from perfeval import cli
from perfeval.manifest import MANIFEST_NAME
from perfeval.summary import SUMMARY_NAME

D = Decimal
GRADES = ("优", "良", "中", "差")


def project(name, unit, department, year, *, code="", budget=100, spent=95, done=100):
    data = project_data(name, unit, department, year=year, budget=budget, spent=spent, done=done)
    if code:
        data["info"]["项目编码"] = code
    return data


# file -> data. a: unchanged (a code this year only: matched by names); b: code in both years, renamed; c: renamed
# without a code (new + dropped); d: dropped; e: its department renamed, no code (new + dropped); g: names differing
# in spaces and bracket widths only (matched); f: new.
LAST = {
    "a.xlsx": project("档案数字化", "档案馆", "办公室", "2024", budget=32.9, spent=30),
    "b.xlsx": project("道路养护", "公路站", "交通局", "2024", code="JT-001", budget=200, spent=150, done=70),
    "c.xlsx": project("农技推广", "农技站", "农业局", "2024", budget=50, spent=23.93, done=60),
    "d.xlsx": project("村道硬化", "乡村办", "交通局", "2024", budget=80, spent=40, done=10),
    "e.xlsx": project("畜牧防疫", "防疫站", "农业局", "2024", budget=12.34, spent=12.34),
    "g.xlsx": project("水利巡查（汛期）", "水利站", "农业局", "2024", budget=40, spent=30, done=50),
}
THIS = {
    "a.xlsx": project("档案数字化", "档案馆", "办公室", "2025", code="BG-007", budget=35, spent=35),
    "b.xlsx": project("道路日常养护", "公路站", "交通局", "2025", code="JT-001", budget=220, spent=210, done=90),
    "c.xlsx": project("农业技术推广", "农技站", "农业局", "2025", budget=55, spent=50),
    "e.xlsx": project("畜牧防疫", "防疫站", "农业农村局", "2025", budget=13, spent=12),
    "f.xlsx": project("新建图书室", "文化站", "办公室", "2025", budget=10, spent=10),
    "g.xlsx": project("水利 巡查(汛期)", "水利站", "农业局", "2025", budget=40, spent=38, done=95),
}
MATCHED = {"a.xlsx": "名称", "b.xlsx": "项目编码", "g.xlsx": "名称"}  # this year's file (the same name last year)
NEW, DROPPED = ["c.xlsx", "e.xlsx", "f.xlsx"], ["c.xlsx", "d.xlsx", "e.xlsx"]


def half_up(value: Decimal, places: int) -> float:
    return float(value.quantize(D(1).scaleb(-places), ROUND_HALF_UP))


def figures(data: dict) -> dict:
    f = data["funding"][0]
    budget, spent = D(str(f["全年预算数"])), D(str(f["全年执行数"]))
    total = expected_total(data)
    return {"budget": budget, "spent": spent, "rate": spent / budget, "score": total, "grade": expected_grade(total)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_run")
    write_inputs(root / "last", LAST)
    write_inputs(root / "this", THIS)
    cwd = Path.cwd()
    try:
        os.chdir(root)
        assert cli.main(["run", "last", "-o", "out-last", "--workers", "1"]) == 0
        assert cli.main(["run", "this", "-o", "out-this", "--workers", "1", "--compare", "out-last"]) == 0
    finally:
        os.chdir(cwd)
    return root


def sections(path: Path) -> dict[str, list[dict]]:
    """The sheet 同比's tables: title (without its count) -> rows as {header: value}."""
    ws = openpyxl.load_workbook(path)["同比"]
    rows = list(ws.iter_rows(values_only=True))
    tables: dict[str, list[dict]] = {}
    i = 0
    while i < len(rows):
        first = rows[i][0]
        if isinstance(first, str) and first.endswith(" 个）") and "（" in first:
            title, header = first[:first.rindex("（")], rows[i + 1]
            body = []
            i += 2
            while i < len(rows) and any(v is not None for v in rows[i]) and rows[i][0] != "无。":
                body.append({h: v for h, v in zip(header, rows[i]) if h is not None})
                i += 1
            tables[title] = body
        i += 1
    return tables


def test_the_projects_matched_new_and_dropped(runs):
    tables = sections(runs / "out-this" / SUMMARY_NAME)
    matched = {r["项目名称"]: r for r in tables["两年均有的项目"]}
    assert {name: r["匹配方式"] for name, r in matched.items()} == {
        THIS[f]["info"]["项目名称"]: how for f, how in MATCHED.items()}
    assert {r["项目名称"] for r in tables["本年新增项目"]} == {THIS[f]["info"]["项目名称"] for f in NEW}
    assert {r["项目名称"] for r in tables["上年有、本年未报送的项目"]} == {LAST[f]["info"]["项目名称"] for f in DROPPED}
    assert {r["主管部门"] for r in tables["上年有、本年未报送的项目"] if r["项目名称"] == "畜牧防疫"} == {"农业局"}
    assert matched["道路日常养护"]["上年项目名称"] == "道路养护" and matched["道路日常养护"]["项目编码"] == "JT-001"
    assert matched["档案数字化"]["项目编码"] == "BG-007"  # this year's code; last year had none


def test_the_changes_of_each_matched_project(runs):
    matched = {r["项目名称"]: r for r in sections(runs / "out-this" / SUMMARY_NAME)["两年均有的项目"]}
    for file in MATCHED:
        old, new = figures(LAST[file]), figures(THIS[file])
        row = matched[THIS[file]["info"]["项目名称"]]
        assert (row["上年全年预算数（万元）"], row["本年全年预算数（万元）"]) == (half_up(old["budget"], 2),
                                                                  half_up(new["budget"], 2))
        assert row["预算增减率"] == half_up((new["budget"] - old["budget"]) / old["budget"], 4)
        assert (row["上年执行率"], row["本年执行率"]) == (half_up(old["rate"], 4), half_up(new["rate"], 4))
        assert row["执行率变动（百分点）"] == half_up((new["rate"] - old["rate"]) * 100, 2)
        assert (row["上年得分"], row["本年得分"]) == (half_up(old["score"], 2), half_up(new["score"], 2))
        assert row["得分变动"] == half_up(new["score"] - old["score"], 2)
        assert (row["上年等级"], row["本年等级"]) == (old["grade"], new["grade"])
        move = GRADES.index(new["grade"]) - GRADES.index(old["grade"])
        assert row["等级变化"] == ("上升" if move < 0 else "下降" if move > 0 else "不变")


def test_the_figures_of_each_department(runs):
    rows = sections(runs / "out-this" / SUMMARY_NAME)["各主管部门"]
    years = {"上年": LAST, "本年": THIS}
    names = sorted({d["info"]["主管部门"] for batch in years.values() for d in batch.values()})
    assert [r["主管部门"] for r in rows] == names  # a renamed department: two rows; code point order
    for row in rows:
        department = row["主管部门"]
        both = sum(1 for f in MATCHED if THIS[f]["info"]["主管部门"] == department)
        assert row["两年均有项目数"] == both
        for year, batch in years.items():
            members = [figures(d) for d in batch.values() if d["info"]["主管部门"] == department]
            assert row[f"{year}项目数"] == len(members)
            budget = sum((m["budget"] for m in members), D(0))
            spent = sum((m["spent"] for m in members), D(0))
            assert row[f"{year}全年预算数合计（万元）"] == (half_up(budget, 2) if members else 0)
            assert row[f"{year}执行率"] == (half_up(spent / budget, 4) if members else None)
            mean = sum((m["score"] for m in members), D(0)) / len(members) if members else None
            assert row[f"{year}平均得分"] == (half_up(mean, 2) if members else None)
            assert [row[f"{year}{g}"] for g in GRADES] == [sum(1 for m in members if m["grade"] == g) for g in GRADES]
        assert row["项目数增减"] == row["本年项目数"] - row["上年项目数"]


def test_the_manifests_compare_block(runs):
    block = json.loads((runs / "out-this" / MANIFEST_NAME).read_text(encoding="utf-8"))["compare"]
    assert block["last_output"] == (runs / "out-last").resolve().as_posix()
    assert (block["last_years"], block["years"]) == (["2024"], ["2025"])
    assert block["counts"] == {"matched": 3, "by_code": 1, "by_name": 2, "new": 3, "dropped": 3}
    assert sorted((m["path"], m["last_path"], m["matched_by"]) for m in block["matched"]) == sorted(
        (f"this/{f}", f"last/{f}", how) for f, how in MATCHED.items())
    assert sorted(block["new"]) == [f"this/{f}" for f in NEW]
    assert sorted(block["dropped"]) == [f"last/{f}" for f in DROPPED]
    assert "compare" not in json.loads((runs / "out-last" / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.mark.parametrize("damage, message", [
    ("older", "格式为 0，本版本只能读取格式 1、2"),
    ("unreadable", "不是完整的 perfeval 清单"),
    ("missing", "找不到 .*manifest.json"),
])
def test_a_last_year_manifest_it_cannot_read_stops_the_run(runs, tmp_path, capsys, monkeypatch, damage, message):
    last = tmp_path / "last-output"
    shutil.copytree(runs / "out-last", last)
    path = last / MANIFEST_NAME
    text = path.read_text(encoding="utf-8")
    if damage == "older":
        path.write_text(text.replace('"format": 2', '"format": 0'), encoding="utf-8")
    elif damage == "unreadable":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    else:
        path.unlink()
    output = tmp_path / "out"
    # through [run] compare this time (the option does the same)
    (tmp_path / "perfeval.toml").write_text(f'[run]\ncompare = "{last.as_posix()}"\n', encoding="utf-8")
    code = cli.main(["run", str(runs / "this"), "-o", str(output), "--workers", "1",
                     "--config", str(tmp_path / "perfeval.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "无法与上年的输出比较" in err and re.search(message, err)
    assert not output.exists()  # checked before the batch touched anything
