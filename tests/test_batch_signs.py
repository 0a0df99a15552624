"""The warning signs (复核提示) through the batch: per project in its result and its manifest entry, over the batch
beside ``files``, on the summary's sheet 复核提示 — and never in a status, an exit code or a unit's outputs."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from builders import build_workbook, seed_rows
from helpers import manifest, run
from perfeval import cli
from perfeval.config import Config
from perfeval.frames import load as load_frames
from perfeval.manifest import FORMAT, load_manifest
from perfeval.review.source import drawable_projects
from perfeval.signs import SIGN_CATALOGUE
from perfeval.summary import SUMMARY_NAME

ROOT = Path(__file__).resolve().parents[1]
SEED_EXAMPLE = ROOT / "input_templates" / "examples" / "2025_审批局_公共资源交易中心运转经费.xlsx"
ALL_OFF = Config.from_dict({"warnings": {"disabled": list(SIGN_CATALOGUE)}})


# ---- a batch where each sign fires -----------------------------------------------------------------------------

def named(data: dict, name: str, unit: str) -> dict:
    data["info"]["项目名称"], data["info"]["实施单位"] = name, unit
    return data


def all_spent(data: dict) -> dict:
    """Every yuan of the budget spent (32.9 of 32.9), the spending lines adding up: no sign about money."""
    source, initial, budget, received, _ = data["funding"][0]
    data["funding"][0] = (source, initial, budget, budget, budget)
    data["spending"].append(("其他支出", round(32.9 - 23.93, 2), ""))
    return data


def ahead(data: dict) -> dict:
    """采购招标率 90 % of its 100 % (45 of 50 points): 94.44 % of the points with 72.74 % spent."""
    row = list(data["indicators"][0])
    row[5], row[8] = "90%", "招标项目减少。"
    data["indicators"][0] = tuple(row)
    return data


def cost_at_least(data: dict) -> dict:
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", 40, 40, "")
    data["indicators"].insert(1, ("产出指标", "成本指标", "运转成本", "", "≥50万元", "52万元", 10, 10, ""))
    return data


WORKBOOKS = {  # file -> (data, the project's own signs)
    "a_满分低执行.xlsx": (named(seed_rows(), "项目A", "甲单位"), ["full-marks-low-spending"]),
    "b_进度快于支出.xlsx": (named(ahead(seed_rows()), "项目B", "乙单位"), ["progress-ahead-of-spending"]),
    "c_成本不低于.xlsx": (named(cost_at_least(all_spent(seed_rows())), "项目C", "丙单位"), ["cost-target-at-least"]),
    "d_成本不低于.xlsx": (named(cost_at_least(all_spent(seed_rows())), "项目D", "丁单位"), ["cost-target-at-least"]),
    **{f"e{n}_全部满分.xlsx": (named(all_spent(seed_rows()), f"项目E{n}", "戊单位"), []) for n in (1, 2, 3)},
}
FOLDERS = {name: f"2025_{data['info']['实施单位']}_{data['info']['项目名称']}" for name, (data, _) in WORKBOOKS.items()}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("signs") / "incoming"
    folder.mkdir()
    for name, (data, _) in WORKBOOKS.items():
        build_workbook(folder / name, data)
    return folder


@pytest.fixture(scope="module")
def batch(inputs) -> Path:
    output = inputs.parent / "output"
    result = run(inputs, output)
    assert result.exit_code == 0  # the signs change no status and no exit code
    return output


def entries_by_file(output: Path) -> dict[str, dict]:
    return {Path(e["path"]).name: e for e in manifest(output)["files"]}


def test_each_project_sign_is_in_its_manifest_entry_and_the_batch_signs_beside_files(batch):
    data = manifest(batch)
    assert data["format"] == FORMAT == 2
    entries = entries_by_file(batch)
    assert {name: e["status"] for name, e in entries.items()} == {name: "ok" for name in WORKBOOKS}
    assert {name: [s["code"] for s in e["flags"]] for name, e in entries.items()} == {
        name: codes for name, (_, codes) in WORKBOOKS.items()}
    seed = entries["a_满分低执行.xlsx"]["flags"][0]
    assert (seed["severity"], seed["sheet"], seed["cell"], seed["value"]) == ("警告", "资金情况", "E2", "72.74%")
    cost = entries["c_成本不低于.xlsx"]["flags"][0]
    assert (cost["sheet"], cost["cell"], cost["value"]) == ("绩效指标", "E3", "≥50万元")
    assert [(s["code"], s["severity"], s["sheet"], s["cell"], s["projects"]) for s in data["flags"]] == [
        ("unit-all-full-marks", "提示", "", "", [FOLDERS[f"e{n}_全部满分.xlsx"] for n in (1, 2, 3)]),
        ("copied-targets", "提示", "", "", sorted([FOLDERS["c_成本不低于.xlsx"], FOLDERS["d_成本不低于.xlsx"]]))]
    assert "戊单位" in data["flags"][0]["message"] and "“项目C”（丙单位）" in data["flags"][1]["message"]
    typed = load_manifest(batch)  # read back as typed records, the same
    assert [s.code for s in typed.flags] == ["unit-all-full-marks", "copied-targets"]
    assert {e.name: [s.code for s in e.result.flags] for e in typed.entries} == {
        name: codes for name, (_, codes) in WORKBOOKS.items()}


def test_the_summary_lists_every_sign_on_its_sheet(batch):
    ws = openpyxl.load_workbook(batch / SUMMARY_NAME)["复核提示"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["范围", "评价年度", "主管部门", "实施单位", "项目名称", "严重程度", "提示代码", "提示", "提示说明"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    entries = entries_by_file(batch)
    expected = [("项目", e["项目名称"], s["code"], s["message"], s["sheet"], s["cell"])
                for e in sorted(entries.values(), key=lambda e: (e["实施单位"], e["项目名称"])) for s in e["flags"]]
    expected += [("全批", None, s["code"], s["message"], None, None) for s in manifest(batch)["flags"]]
    shown = [(r["范围"], r["项目名称"], r["提示代码"], r["提示说明"], r["工作表"], r["单元格"]) for r in rows]
    assert sorted(shown, key=repr) == sorted(expected, key=repr) and len(rows) == 6
    by_code = {r["提示代码"]: r for r in rows}
    assert by_code["full-marks-low-spending"]["提示"] == SIGN_CATALOGUE["full-marks-low-spending"][1]
    assert (by_code["full-marks-low-spending"]["实施单位"], by_code["full-marks-low-spending"]["单元格"]) == ("甲单位", "E2")
    assert by_code["unit-all-full-marks"]["范围"] == "全批" and by_code["unit-all-full-marks"]["项目名称"] is None
    assert by_code["unit-all-full-marks"]["涉及项目"] == "、".join(FOLDERS[f"e{n}_全部满分.xlsx"] for n in (1, 2, 3))
    assert [r["范围"] for r in rows] == ["项目"] * 4 + ["全批"] * 2  # the projects' own first


def test_the_flags_frame_holds_every_project_sign_and_meta_the_batch_ones(batch):
    frames = load_frames(batch)
    assert sorted(frames.flags["code"]) == sorted(c for _, codes in WORKBOOKS.values() for c in codes)
    assert [s["code"] for s in frames.meta["flags"]] == ["unit-all-full-marks", "copied-targets"]


def test_review_draws_with_the_batch_s_signs(batch):
    flags = {p.name: p.flags for p in drawable_projects(batch, Config())}
    assert flags["项目A"] == ("full-marks-low-spending",) and flags["项目B"] == ("progress-ahead-of-spending",)
    assert flags["项目C"] == ("cost-target-at-least", "copied-targets")  # its own, then the batch's naming it
    assert flags["项目E1"] == flags["项目E3"] == ("unit-all-full-marks",)


def test_disabled_signs_are_not_computed_and_batch_signs_are_recomputed_on_every_run(inputs, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(inputs.parent / "output", output)
    (output / "perfeval.log").unlink()
    result = run(inputs, output, ALL_OFF)  # another [warnings]: another digest, nothing reused
    assert result.exit_code == 0 and result.reused == 0
    data = manifest(output)
    assert data["flags"] == [] and all(e["flags"] == [] for e in data["files"])
    assert [r for r in openpyxl.load_workbook(output / SUMMARY_NAME)["复核提示"].iter_rows(min_row=2)] == []
    # one project of 戊单位 gone, the others reused: the batch's signs are computed again, not reused
    again = tmp_path / "again"
    shutil.copytree(inputs, again)
    result = run(again, tmp_path / "out2")
    (again / "e3_全部满分.xlsx").unlink()
    result = run(again, tmp_path / "out2")
    assert result.reused == len(WORKBOOKS) - 1
    data = manifest(tmp_path / "out2")
    assert [s["code"] for s in data["flags"]] == ["copied-targets"]  # two projects of 戊单位: below 3
    assert [s["code"] for s in entries_by_file(tmp_path / "out2")["a_满分低执行.xlsx"]["flags"]] == [
        "full-marks-low-spending"]  # a reused result keeps its own signs


# ---- the seed example --------------------------------------------------------------------------------------------

def test_the_seed_is_flagged_and_its_outputs_are_those_of_a_run_with_the_sign_off(tmp_path):
    shutil.copy2(SEED_EXAMPLE, tmp_path / SEED_EXAMPLE.name)
    flagged = run(tmp_path / SEED_EXAMPLE.name, tmp_path / "flagged")
    plain = run(tmp_path / SEED_EXAMPLE.name, tmp_path / "plain",
                Config.from_dict({"warnings": {"disabled": ["full-marks-low-spending"]}}))
    assert flagged.exit_code == plain.exit_code == 0
    on, off = manifest(tmp_path / "flagged")["files"][0], manifest(tmp_path / "plain")["files"][0]
    assert [s["code"] for s in on["flags"]] == ["full-marks-low-spending"] and off["flags"] == []
    assert (on["status"], on["problems"], on["outputs"]) == (off["status"], off["problems"], off["outputs"])
    assert "annotated" not in on["outputs"]
    for kind in ("table", "report_md"):
        assert (tmp_path / "flagged" / on["outputs"][kind]).read_bytes() == \
            (tmp_path / "plain" / off["outputs"][kind]).read_bytes(), kind
    assert _docx_text(tmp_path / "flagged" / on["outputs"]["report_docx"]) == \
        _docx_text(tmp_path / "plain" / off["outputs"]["report_docx"])
    assert "复核提示" not in (tmp_path / "flagged" / on["outputs"]["report_md"]).read_text(encoding="utf-8")


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


# ---- the manifest's review data ------------------------------------------------------------------------------------

def test_the_manifest_holds_what_the_worksheet_needs(batch):
    entry = entries_by_file(batch)["a_满分低执行.xlsx"]
    figures = entry["data"]["figures"]
    assert (D(figures["执行率分值"]), D(figures["执行率得分"])) == (10, D(10) * D("23.93") / D("32.9"))
    assert (figures["单位执行率得分"], figures["单位总分"]) == (None, None)  # a standard workbook states none
    rows = json.loads(json.dumps(entry["data"]["indicators"]))
    assert [(r["三级指标"], r["指标性质"], r["自评得分"]) for r in rows] == [
        ("采购招标率", "正向", "50"), ("公共服务水平", "定性", "30"), ("使用人员满意度", "正向", "10")]


def format_1(output: Path) -> None:
    """The batch's manifest as a run of the previous format wrote it: no signs, no review data."""
    path = output / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format"] = 1
    del data["flags"]
    for e in data["files"]:
        del e["flags"]
        for key in ("执行率分值", "执行率得分", "单位执行率得分", "单位总分"):
            del e["data"]["figures"][key]
        for row in e["data"]["indicators"]:
            del row["指标性质"], row["自评得分"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_format_1_manifest_is_read_with_defaults_refused_by_review_and_never_reused(inputs, tmp_path, capsys):
    output = tmp_path / "output"
    shutil.copytree(inputs.parent / "output", output)
    format_1(output)
    old = load_manifest(output)
    assert old is not None and old.format == 1 and old.flags == ()
    assert all(e.result.flags == () and e.figures.execution_weight is None for e in old.entries)
    assert len(load_frames(output).flags) == 0
    code = cli.main(["review", "sample", str(output), "--seed", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "格式（1）早于本版本所用的格式（2）" in err and "重新运行 perfeval run" in err
    assert not (output / "复核").exists()
    result = run(inputs, output)  # the batch run again: nothing reused from format 1, the data are there
    assert result.reused == 0 and manifest(output)["format"] == 2
    assert cli.main(["review", "sample", str(output), "--seed", "1"]) == 0


def test_the_sign_sheet_s_fast_rows_give_the_plain_workbook(batch, tmp_path, monkeypatch):
    import zipfile

    from perfeval import xlsxrows
    from perfeval.summary import write_summary

    typed = load_manifest(batch)

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as zf:
            return {name: zf.read(name) for name in zf.namelist()}

    fast = parts(write_summary(tmp_path / "fast.xlsx", typed.entries, Config(), typed.flags))
    monkeypatch.setattr(xlsxrows, "FAST_ROWS", False)
    assert parts(write_summary(tmp_path / "plain.xlsx", typed.entries, Config(), typed.flags)) == fast
    assert "复核提示" not in openpyxl.load_workbook(write_summary(tmp_path / "department.xlsx", typed.entries,
                                                               Config())).sheetnames  # a department's: none
