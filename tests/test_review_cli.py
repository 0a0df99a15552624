"""perfeval review sample / collect as a bureau runs them, on a batch of the bundled examples."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from perfeval import cli, fmt
from review_helpers import fill, sheet_rows

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def batch_output(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    shutil.copytree(ROOT / "input_templates" / "examples", folder / "incoming")
    assert cli.main(["run", str(folder / "incoming"), "-o", str(folder / "output"), "--workers", "1"]) == 0
    return folder / "output"


@pytest.fixture
def output(batch_output, tmp_path) -> Path:
    target = tmp_path / "output"
    shutil.copytree(batch_output, target)
    return target


def manifest_entries(output: Path) -> dict[str, dict]:
    data = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    return {e["项目名称"]: e for e in data["files"]}


def test_sample_writes_the_worksheet_whose_rows_match_the_manifest(output, capsys):
    code, out, err = run_cli(capsys, "review", "sample", str(output), "--count", "5", "--seed", "11")
    assert code == 0, err
    target = output / "复核" / "复核底稿.xlsx"
    assert "随机种子 / seed: 11" in out and str(target) in out
    entries = manifest_entries(output)
    _, rows = sheet_rows(target)
    assert {r["项目名称"] for r in rows} == set(entries)  # one per 主管部门: all five
    for name, entry in entries.items():
        mine = [r for r in rows if r["项目名称"] == name]
        figures = entry["data"]["figures"]
        execution, *indicators = mine
        assert (execution["一级指标"], execution["实际完成值"]) == ("预算执行率", entry["执行率"])
        assert [(r["三级指标"], r["实际完成值"], D(str(r["分值"])), D(str(r["规则得分"]))) for r in indicators] == [
            (i["三级指标"], i["实际完成值"], D(i["分值"]), fmt.round_half_up(D(i["得分"]), 2))
            for i in entry["data"]["indicators"]]
        # the unit's own 自评得分 and 指标性质 as the manifest holds them (blank where it gave none)
        assert [(r["指标性质"], r["单位自评得分"]) for r in indicators] == [
            (i["指标性质"] or None, None if i["自评得分"] is None else int(i["自评得分"]))
            for i in entry["data"]["indicators"]]
        rule_execution = D(figures["得分"]) - sum(D(i["得分"]) for i in entry["data"]["indicators"])
        assert D(figures["执行率得分"]) == D(figures["执行率分值"]) * min(D(figures["执行率"]), D(1))
        assert D(str(execution["规则得分"])) == fmt.round_half_up(rule_execution, 2)
        assert D(str(execution["分值"])) == D(figures["执行率分值"]) == 10
        assert execution["单位自评得分"] is None  # a standard workbook states no execution score of its own
    assert [r["单位自评得分"] for r in rows if r["三级指标"] == "采购招标率"] == [50]  # the seed's own 50
    listed = list(openpyxl.load_workbook(target)["抽查名单"].iter_rows(min_row=3, values_only=True))
    assert {r[4]: f"{r[5]:.2f}" for r in listed} == {name: e["得分"] for name, e in entries.items()}


def test_the_seed_example_is_drawn_first_for_its_sign_with_prefer_flagged(output, capsys):
    code, _, err = run_cli(capsys, "review", "sample", str(output), "--count", "5", "--prefer-flagged", "--seed", "3")
    assert code == 0, err
    listed = list(openpyxl.load_workbook(output / "复核" / "复核底稿.xlsx")["抽查名单"].iter_rows(min_row=3,
                                                                                              values_only=True))
    reasons = {r[4]: r[8] for r in listed}
    assert reasons["公共资源交易中心运转经费"] == "指标全部满分而预算执行率偏低（full-marks-low-spending）"
    assert sum(1 for r in reasons.values() if r == "随机") == 4


def test_sample_refuses_to_overwrite_a_worksheet_unless_forced(output, capsys):
    assert run_cli(capsys, "review", "sample", str(output), "--seed", "1")[0] == 0
    target = output / "复核" / "复核底稿.xlsx"
    before = target.read_bytes()
    code, _, err = run_cli(capsys, "review", "sample", str(output), "--seed", "2")
    assert code == 2 and "文件已存在，未覆盖" in err and str(target) in err
    assert target.read_bytes() == before
    assert run_cli(capsys, "review", "sample", str(output), "--seed", "2", "--force")[0] == 0


def test_sample_without_a_seed_chooses_one_prints_it_and_records_it(output, capsys):
    code, out, _ = run_cli(capsys, "review", "sample", str(output), "--fraction", "0.5")
    assert code == 0
    seed = int(out.split("随机种子 / seed: ")[1].split("（")[0])
    first = openpyxl.load_workbook(output / "复核" / "复核底稿.xlsx")["抽查名单"]
    assert f"随机种子 {seed}" in first["A1"].value and first["J3"].value == seed


@pytest.mark.parametrize("args, message", [
    (("--count", "3"), "抽取数量 3 少于分组数 5"),
    (("--fraction", "0"), "抽取比例应大于 0"),
])
def test_sample_usage_errors_exit_2(output, capsys, args, message):
    code, _, err = run_cli(capsys, "review", "sample", str(output), *args)
    assert code == 2 and message in err
    assert not (output / "复核").exists()


def test_a_manifest_of_another_format_is_refused(output, capsys):
    path = output / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | {"format": 0}, ensure_ascii=False), encoding="utf-8")
    code, _, err = run_cli(capsys, "review", "sample", str(output))
    assert code == 2 and "格式（0）不是本版本所用的格式（2）" in err and "重新运行 perfeval run" in err
    code, _, err = run_cli(capsys, "review", "sample", str(output / "复核"))
    assert code == 2 and "找不到输出文件夹" in err


def test_collect_writes_the_result_and_exits_as_check(output, tmp_path, capsys):
    assert run_cli(capsys, "review", "sample", str(output), "--count", "5", "--seed", "5")[0] == 0
    worksheet = output / "复核" / "复核底稿.xlsx"

    def lower(row):
        if row["项目名称"] == "公共资源交易中心运转经费" and row["三级指标"] == "采购招标率":
            row["复核得分"], row["扣分原因"] = 38, "招标文件不全"
    filled = fill(worksheet, output / "复核" / "复核底稿_已填.xlsx", lower)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file() and p.parent.name != "复核"}
    code, out, err = run_cli(capsys, "review", "collect", str(filled))
    assert code == 0, err
    result = filled.with_name("复核结果.xlsx")
    assert "相差超过 10 分的 1 个" in out and str(result) in out
    rows = {r[3]: r for r in openpyxl.load_workbook(result)["项目对比"].iter_rows(min_row=3, values_only=True)}
    assert rows["公共资源交易中心运转经费"][7] == -12 and rows["公共资源交易中心运转经费"][10] == "是"
    assert {p: p.read_bytes() for p in before} == before  # the batch's outputs are untouched
    code, _, err = run_cli(capsys, "review", "collect", str(filled))
    assert code == 2 and "文件已存在，未覆盖" in err and str(result) in err

    def forgot(row):
        lower(row)
        row["扣分原因"] = None if row["复核得分"] == 38 else row["扣分原因"]
    filled = fill(worksheet, output / "复核" / "复核底稿_已填.xlsx", forgot)
    code, out, _ = run_cli(capsys, "review", "collect", str(filled), "--force")
    assert code == 1
    assert "== " + str(filled) + "：有错误（错误 1）" in out
    assert "[错误] 复核底稿!P" in out and "未填写扣分原因" in out
    assert run_cli(capsys, "review", "collect", str(tmp_path / "none.xlsx"))[0] == 2
