"""perfeval.frames: a batch's manifest as DataFrames — counts and sums equal the manifest's, money exact in 分,
the 部门汇总 figures equal the summary's, dtypes, code point order, clear errors, and check without pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from frames_data import awkward_batch, entry, plain_department_rows

from perfeval import fmt
from perfeval.batch import run_batch
from perfeval.config import Config
from perfeval.frames import WAN, YI, Frames, ManifestError, department_figures, from_entries, from_fen, load
from perfeval.frames.departments import records
from perfeval.manifest import MANIFEST_NAME, Manifest, write_manifest
from perfeval.results import ManifestEntry
from perfeval.summary import department_rows, write_summary

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "input_templates" / "examples"
D = Decimal
FRAMES = ("projects", "indicators", "spending", "volumes", "problems", "flags", "departments")


def dec(text) -> Decimal:
    return D(0) if text in (None, "") else D(text)


def write_batch(folder: Path, entries: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_manifest(folder / MANIFEST_NAME, Manifest([ManifestEntry.from_json(e) for e in entries]))
    return folder


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("examples") / "out"
    run_batch([EXAMPLES], output, Config(), workers=1)
    return output


@pytest.fixture(scope="module")
def awkward(tmp_path_factory) -> Path:
    return write_batch(tmp_path_factory.mktemp("awkward"), awkward_batch(300))


def plain(output: Path) -> list[dict]:
    """The manifest's entries read as plain JSON, independently of perfeval."""
    return json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]


# ---- every frame against the manifest ---------------------------------------------------------------------------

@pytest.mark.parametrize("batch", ["examples", "awkward"])
def test_row_counts_and_sums_equal_the_manifests(batch, request):
    output = request.getfixturevalue(batch)
    files, frames = plain(output), load(output)
    rows = {key: [(n, row) for n, e in enumerate(files) for row in e["data"][key]]
            for key in ("indicators", "spending", "volumes")}
    problems = [(n, p) for n, e in enumerate(files) for p in e["problems"]]

    p = frames.projects
    assert len(p) == len(files) and p["path"].tolist() == [e["path"] for e in files]
    assert p["entry"].tolist() == list(range(len(files)))
    for key in ("年初预算数", "全年预算数", "全年执行数"):
        assert from_fen(p[f"{key}_分"].sum()) == sum(dec(e["data"]["figures"][key]) for e in files)
    assert sum(p["得分"].dropna(), D(0)) == sum(dec(e["data"]["figures"]["得分"]) for e in files)
    for severity in ("错误", "警告", "提示"):
        assert p[f"{severity}数"].sum() == sum(e["problem_counts"][severity] for e in files)
        assert (frames.problems["severity"] == severity).sum() == sum(p["severity"] == severity for _, p in problems)
    assert p["等级"].tolist() == [e["data"]["figures"]["等级"] or "" for e in files]

    assert len(frames.indicators) == len(rows["indicators"])
    assert frames.indicators["entry"].tolist() == [n for n, _ in rows["indicators"]]
    assert sum(frames.indicators["分值"], D(0)) == sum(dec(r["分值"]) for _, r in rows["indicators"])
    assert sum(frames.indicators["得分"], D(0)) == sum(dec(r["得分"]) for _, r in rows["indicators"])
    assert len(frames.spending) == len(rows["spending"])
    assert from_fen(frames.spending["金额_分"].sum()) == sum(dec(r["金额"]) for _, r in rows["spending"])
    assert len(frames.volumes) == len(rows["volumes"])
    assert from_fen(frames.volumes["金额_分"].sum(), YI) == sum(dec(r["金额"]) for _, r in rows["volumes"])
    assert sum(frames.volumes["数量"], D(0)) == sum(dec(r["数量"]) for _, r in rows["volumes"])
    assert len(frames.problems) == len(problems)
    assert frames.problems["code"].tolist() == [p["code"] for _, p in problems]
    assert frames.problems["cell"].tolist() == [p["cell"] for _, p in problems]
    flags = [(n, s) for n, e in enumerate(files) for s in e.get("flags", [])]
    assert batch != "examples" or [s["code"] for _, s in flags] == ["full-marks-low-spending"]  # the seed's
    assert list(frames.flags.columns) == ["entry", "path", "code", "severity", "message"]
    assert [(n, s["code"], s["severity"], s["message"]) for n, s in flags] == list(
        zip(frames.flags["entry"], frames.flags["code"], frames.flags["severity"], frames.flags["message"]))

    counted = [e for e in files if e["status"] in ("ok", "has-errors")]
    d = frames.departments
    assert d["项目数"].sum() == len(counted)
    assert d["有错误未计入"].sum() == sum(e["status"] == "has-errors" for e in counted)
    clean = [e for e in counted if e["status"] == "ok"]
    assert from_fen(d["全年预算数合计_分"].sum()) == sum(dec(e["data"]["figures"]["全年预算数"]) for e in clean)
    assert sum(d[g].sum() for g in ("优", "良", "中", "差")) == sum(
        bool(e["data"]["figures"]["等级"]) for e in clean)


def test_from_entries_gives_the_frames_load_gives(awkward):
    loaded = load(awkward)
    built = from_entries(iter(awkward_batch(300)))  # a generator: consumed once, one entry at a time
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(built, name))
    assert loaded.meta["version"] == "0.2.0" and "files" not in loaded.meta and built.meta == {}


def test_money_sums_are_exact_where_float_is_not():
    amounts = ["0.1", "0.2"] * 500 + ["0.000001"] * 7 + ["0.125"]  # 万元
    frames = from_entries([entry("in/a.xlsx", spending=amounts), entry("in/b.xlsx", budget="0.1", spent="0.1"),
                           entry("in/c.xlsx", budget="0.2", spent="0.2")])
    exact_sum = sum(map(D, amounts), D(0))
    assert sum(map(float, amounts)) != float(exact_sum)  # what float would have shown
    total = frames.spending["金额_分"].sum()
    assert from_fen(total) == exact_sum == D("150.125007")
    assert frames.spending["金额_分"].tolist()[:2] == [100_000, 200_000]
    assert from_fen(frames.projects["全年预算数_分"].sum()) == D("10.3")  # 10 + 0.1 + 0.2, not 10.299999…
    assert 0.1 + 0.2 != 0.3
    # shown to people: the exact sum rounded half up (float would round 0.125 down)
    only_edge = from_entries([entry("in/x.xlsx", spending=["0.1", "0.025"])])
    shown = fmt.fixed(from_fen(only_edge.spending["金额_分"].sum()))
    assert shown == "0.13" and round(0.1 + 0.025, 2) == 0.12  # float: 0.12


def test_an_amount_finer_than_a_fen_is_rounded_half_up_to_the_fen():
    frames = from_entries([entry("in/a.xlsx", spending=["0.30000000000000004", "0.0000005", "0.0000004999"],
                                 volumes=[("1", "0.00000000005")])])
    assert frames.spending["金额_分"].tolist() == [300_000, 1, 0]
    assert frames.volumes["金额_分"].tolist() == [1]  # 亿元: 10**10 分 each


def test_dtypes(awkward):
    frames = load(awkward)
    text, fen = pd.StringDtype("python"), pd.Int64Dtype()
    p = frames.projects
    for column in ("path", "name", "评价年度", "主管部门", "实施单位", "项目名称", "项目编码", "等级"):
        assert p[column].dtype == text, column
    for column in ("entry", "年初预算数_分", "全年预算数_分", "全年执行数_分", "错误数", "警告数", "提示数"):
        assert p[column].dtype == fen, column
    assert isinstance(p["status"].dtype, pd.CategoricalDtype) and not p["status"].dtype.ordered
    for column in ("执行率", "得分"):
        assert p[column].dtype == object and p[f"{column}_float"].dtype == "float64"
        assert all(v is None or isinstance(v, Decimal) for v in p[column])
        known = p[column].notna()
        assert (p.loc[known, f"{column}_float"] == [float(v) for v in p.loc[known, column]]).all()
        assert p.loc[~known, f"{column}_float"].isna().all()
    assert (p["项目编码"] == "").all()  # none of these entries has a code
    assert p["全年执行数_分"].isna().any() and p["得分"].isna().any()  # unknown is NA / None, never 0
    assert frames.spending["金额_分"].dtype == fen and frames.volumes["金额_分"].dtype == fen
    assert frames.volumes["数量"].dtype == object and frames.indicators["分值"].dtype == object
    assert isinstance(frames.problems["severity"].dtype, pd.CategoricalDtype)
    d = frames.departments
    assert d["全年预算数合计_分"].dtype == fen and d["项目数"].dtype == fen and d["优"].dtype == fen
    assert d["执行率"].dtype == object and d["平均得分_float"].dtype == "float64"
    assert WAN == 6 and YI == 10


def test_groups_are_in_code_point_order(awkward):
    d = load(awkward).departments
    keys = list(zip(d["评价年度"], d["主管部门"]))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    names = [name for year, name in keys if year == "2025"]
    assert names.index("Z局") < names.index("a局") < names.index("乙局") < names.index("甲局")  # not pinyin: 甲 < 乙
    assert "教育局 " in names  # nothing normalised in 部门汇总: as the summary


# ---- the 部门汇总 figures against the summary's -------------------------------------------------------------------

def summary_figures(entries) -> list[tuple]:
    """The 部门汇总 figures computed plainly (entries typed, or as the manifest's JSON)."""
    return plain_department_rows(entries)


@pytest.mark.parametrize("batch", ["examples", "awkward"])
def test_department_figures_equal_the_summarys(batch, request):
    from perfeval.manifest import load_manifest

    output = request.getfixturevalue(batch)
    entries = load_manifest(output).entries
    expected = summary_figures(entries)
    got = list(records(load(output).departments))
    assert len(got) == len(expected) > 0
    for a, b in zip(got, expected):
        assert a == b
        for x, y in zip(a, b):  # the same Decimals: the same digits shown, half up
            if isinstance(y, Decimal):
                assert fmt.fixed(x, 4) == fmt.fixed(y, 4) and str(x.normalize()) == str(y.normalize())


@pytest.mark.parametrize("batch", ["examples", "awkward"])
def test_every_summary_department_cell_equals_the_plain_computation(batch, request, tmp_path):
    """The summary aggregates with pandas; every cell of its 部门汇总 is the plain exact computation's, rounded half
    up as shown (money 2 places, rates 4, scores [scoring] table_decimals)."""
    import openpyxl

    from perfeval.manifest import load_manifest
    from perfeval.render import clean

    entries = load_manifest(request.getfixturevalue(batch)).entries
    path = write_summary(tmp_path / "s.xlsx", entries, Config())
    cells = list(openpyxl.load_workbook(path)["部门汇总"].iter_rows(min_row=2, values_only=True))
    expected = []
    for year, department, count, errors, initial, budget, spent, rate, mean, lowest, grades in \
            plain_department_rows(entries):
        shown = [fmt.table_value(v, places) if v is not None else None
                 for v, places in ((initial, 2), (budget, 2), (spent, 2), (rate, 4), (mean, 2), (lowest, 2))]
        # text as written; 应报 / 已报 blank without a targets list
        expected.append((year, clean(department), count, errors, *shown, *grades.values(), None, None))
    assert len(cells) == len(expected) > 0
    assert cells == expected


def test_department_figures_of_all_errors_and_of_nothing():
    frames = from_entries([entry("in/a.xlsx", department="甲", status="has-errors", problems=["错误"]),
                           entry("in/b.xlsx", department="乙", budget="0", spent="0", score=None, grade=None),
                           entry("in/c.xlsx", department="丙", status="skipped")])
    assert list(records(frames.departments)) == summary_figures(
        [entry("in/a.xlsx", department="甲", status="has-errors", problems=["错误"]),
         entry("in/b.xlsx", department="乙", budget="0", spent="0", score=None, grade=None)])
    assert len(department_figures(frames.projects[frames.projects["status"] == "skipped"])) == 0


# ---- errors ---------------------------------------------------------------------------------------------------

def test_a_missing_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(ManifestError, match="找不到 .*manifest.json"):
        load(tmp_path)


def test_a_manifest_of_an_older_format_is_a_clear_error(tmp_path):
    write_batch(tmp_path, [entry("in/a.xlsx")])
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    (tmp_path / MANIFEST_NAME).write_text(text.replace('"format": 2', '"format": 0'), encoding="utf-8")
    with pytest.raises(ManifestError, match="格式为 0，本版本只能读取格式 1、2"):
        load(tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "not json", "no files"])
def test_an_unreadable_manifest_is_a_clear_error(tmp_path, damage):
    write_batch(tmp_path, [entry("in/a.xlsx"), entry("in/b.xlsx")])
    path = tmp_path / MANIFEST_NAME
    text = path.read_text(encoding="utf-8")
    damaged = {"truncated": text[: len(text) // 2], "not json": "这不是清单",
               "no files": '{"format": 1, "tool": "perfeval"}'}[damage]
    path.write_text(damaged, encoding="utf-8")
    with pytest.raises(ManifestError, match="无法读取 .*不是完整的 perfeval 清单"):
        load(tmp_path)


def test_an_entry_without_its_data_is_a_clear_error(tmp_path):
    write_batch(tmp_path, [entry("in/a.xlsx"), entry("in/b.xlsx")])
    path = tmp_path / MANIFEST_NAME
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[-3] = lines[-3][:lines[-3].index(',"data":')] + "}"  # the last entry without its data
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="无法读取 .*不是完整的 perfeval 清单"):
        load(tmp_path)
    with pytest.raises(ManifestError, match="第 2 个条目无法读取"):  # an entry in hand, made otherwise
        from_entries([entry("in/a.xlsx"), {k: v for k, v in entry("in/b.xlsx").items() if k != "data"}])


def test_frames_is_a_value():
    frames = from_entries([])
    assert isinstance(frames, Frames) and all(len(getattr(frames, name)) == 0 for name in FRAMES)
    assert list(frames.departments.columns)[:4] == ["评价年度", "主管部门", "项目数", "有错误未计入"]


# ---- check stays without pandas -------------------------------------------------------------------------------

def test_check_does_not_import_pandas():
    seed = EXAMPLES / "2025_审批局_公共资源交易中心运转经费.xlsx"
    code = ("import sys, perfeval.cli as cli\n"
            f"code = cli.main(['check', {str(seed)!r}])\n"
            "assert 'pandas' not in sys.modules, 'check imported pandas'\n"
            "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
