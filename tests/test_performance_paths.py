"""The fast paths give the same outputs as the plain ones (docs/performance.md): the prepared Word template against
a fresh docxtpl render, the in-memory 自评表 against XlsxWriter's file-based one, the summary and the manifest
against figures computed here. No timing here: the figures live in bench/pipeline.py.
"""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import xlsxwriter

from perfeval.config import Config
from perfeval.pipeline import evaluate
from perfeval.problems import Problem
from perfeval.render import fastdocx
from perfeval.render.report import (TEMPLATE_DIR, PreparedDocx, ReportTemplateError, _prepared, prepared_docx,
                                    render_docx, render_docx_plain, report_context)
from perfeval.render.table import write_table
from helpers import make_entry
from render_fixtures import card_for, seed_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "input_templates" / "examples").glob("*.xlsx"))
PROBLEMS = sorted((ROOT / "input_templates" / "problems").glob("*.xlsx"))
sys.path.insert(0, str(ROOT / "bench"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def evaluations(paths) -> list:
    return [ev for ev in (evaluate(p, Config()) for p in paths) if ev.card is not None]


# ---- the report (.docx) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("outline", ["seed", "national"])
def test_prepared_docx_equals_docxtpl(tmp_path, outline):
    """Every part of the fast render equals the part docxtpl writes, member by member and in the same order, for
    clean workbooks, workbooks with problems (drafts) and texts that need escaping or split into paragraphs."""
    project = seed_project()
    project.info["项目背景"] = "第一段 <b>&amp; “引号” 'x' {{ not_a_tag }}\n第二段\t制表\n\n第三段"
    project.info["综合评价结论"] = "结论 & < >"
    contexts = [report_context(project, card_for(project), Config(),
                               [Problem("value-missing", "缺少", "f.xlsx", "基本信息", "B3")])]
    contexts += [report_context(ev.project, ev.card, Config(), ev.problems) for ev in evaluations(EXAMPLES + PROBLEMS)]
    assert len(contexts) > 5
    for i, context in enumerate(contexts):
        fast = render_docx(context, tmp_path / f"fast{i}.docx", outline)
        plain = render_docx_plain(context, tmp_path / f"plain{i}.docx", outline)
        fast_parts, plain_parts = parts(fast), parts(plain)
        assert list(fast_parts) == list(plain_parts)
        for name in plain_parts:
            assert fast_parts[name] == plain_parts[name], (i, name)
        assert [p.text for p in docx.Document(str(fast)).paragraphs] == \
            [p.text for p in docx.Document(str(plain)).paragraphs]


def test_prepared_docx_text_of_a_generated_project(tmp_path):
    """A large generated project (40 indicators, 30 spending lines): same paragraphs, tables and texts."""
    from make_workbooks import project as generated
    from perfeval.template import write_workbook

    for index in range(40):
        _, data = generated(index)
        if len(data["indicators"]) >= 25:
            break
    path = write_workbook(tmp_path / "big.xlsx", data)
    ev = evaluate(path, Config())
    context = report_context(ev.project, ev.card, Config(), ev.problems)
    fast = docx.Document(str(render_docx(context, tmp_path / "fast.docx")))
    plain = docx.Document(str(render_docx_plain(context, tmp_path / "plain.docx")))
    assert [p.text for p in fast.paragraphs] == [p.text for p in plain.paragraphs]
    assert [[c.text for c in row.cells] for t in fast.tables for row in t.rows] == \
        [[c.text for c in row.cells] for t in plain.tables for row in t.rows]
    assert any(data["indicators"][0]["三级指标"] in p.text for p in fast.paragraphs)


def test_prepared_docx_is_byte_stable(tmp_path):
    context = report_context(seed_project(), card_for(seed_project()), Config())
    first = render_docx(context, tmp_path / "1.docx").read_bytes()
    second = render_docx(context, tmp_path / "2.docx").read_bytes()
    assert first == second


def test_templates_with_placeholders_elsewhere_use_docxtpl(tmp_path):
    """A bureau template with a placeholder in its footer is rendered by docxtpl as a whole, and right."""
    own = tmp_path / "本局模板.docx"
    shutil.copy(TEMPLATE_DIR / "report_seed.docx", own)
    document = docx.Document(str(own))
    footer = document.sections[0].footer
    footer.paragraphs[0].text = "{{ unit }}（{{ year }}年度）"
    document.save(str(own))
    assert prepared_docx(own) is None
    assert prepared_docx(TEMPLATE_DIR / "report_seed.docx") is not None
    context = report_context(seed_project(), card_for(seed_project()), Config())
    out = render_docx(context, tmp_path / "out.docx", template_path=own)
    assert docx.Document(str(out)).sections[0].footer.paragraphs[0].text == "审批局（2025年度）"


def test_prepared_template_follows_a_changed_file(tmp_path):
    own = tmp_path / "模板.docx"
    shutil.copy(TEMPLATE_DIR / "report_seed.docx", own)
    context = report_context(seed_project(), card_for(seed_project()), Config())
    before = [p.text for p in docx.Document(str(render_docx(context, tmp_path / "a.docx", template_path=own))).paragraphs]
    document = docx.Document(str(own))
    document.add_paragraph("附：{{ project_name }}")
    document.save(str(own))
    after = [p.text for p in docx.Document(str(render_docx(context, tmp_path / "b.docx", template_path=own))).paragraphs]
    assert after[:-1] == before and after[-1] == "附：公共资源交易中心运转经费"


def test_zip_of_raw_members_is_valid():
    from perfeval.render.zipparts import raw_members, zip_of

    members = raw_members((TEMPLATE_DIR / "report_seed.docx").read_bytes())
    data = zip_of(members)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        with zipfile.ZipFile(TEMPLATE_DIR / "report_seed.docx") as original:
            assert {n: zf.read(n) for n in zf.namelist()} == {n: original.read(n) for n in original.namelist()}
            assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())


def test_prepare_refuses_nothing_it_renders():
    prepared = prepared_docx(TEMPLATE_DIR / "report_national.docx")
    assert isinstance(prepared, PreparedDocx)
    assert prepared is prepared_docx(TEMPLATE_DIR / "report_national.docx")  # once per process



# ---- the seam of the Word fast path (render/fastdocx.py) -------------------------------------------------------

@pytest.fixture
def fresh_preparations():
    """Templates prepared anew in the test, and again after it (the cache outlives monkeypatching)."""
    _prepared.cache_clear()
    yield
    _prepared.cache_clear()


def test_the_installed_docxtpl_and_python_docx_are_tested_versions():
    """Otherwise the fast path is off: check the new version (this module, tests/test_golden.py), then add it to
    fastdocx.TESTED_VERSIONS."""
    assert fastdocx.untested_versions() == {}


def test_a_fast_path_failing_at_render_time_gives_docxtpls_document(tmp_path, monkeypatch, fresh_preparations):
    def broken(self, context):
        raise RuntimeError("docxtpl's internals changed")

    monkeypatch.setattr(PreparedDocx, "render", broken)
    context = report_context(seed_project(), card_for(seed_project()), Config())
    fast = parts(render_docx(context, tmp_path / "fast.docx"))
    assert fast == parts(render_docx_plain(context, tmp_path / "plain.docx"))


@pytest.mark.parametrize("how", ["untested version", "preparing fails"])
def test_without_the_fast_path_docxtpl_renders_the_same_document(tmp_path, monkeypatch, fresh_preparations, how):
    plain = parts(render_docx_plain(report_context(seed_project(), card_for(seed_project()), Config()),
                                    tmp_path / "plain.docx"))
    if how == "untested version":
        monkeypatch.setattr(fastdocx, "untested_versions", lambda: {"docxtpl": "9.0.0"})
    else:
        def changed(cls, data, env):
            raise AttributeError("'DocxTemplate' object has no attribute 'patch_xml'")

        monkeypatch.setattr(PreparedDocx, "prepare", classmethod(changed))
    assert prepared_docx(TEMPLATE_DIR / "report_seed.docx") is None
    context = report_context(seed_project(), card_for(seed_project()), Config())
    assert parts(render_docx(context, tmp_path / "out.docx")) == plain


def test_a_template_error_is_still_reported_after_the_fast_path_failed(tmp_path, monkeypatch, fresh_preparations):
    own = tmp_path / "错字.docx"
    document = docx.Document()
    document.add_paragraph("{{ projct_name }}")
    document.save(str(own))
    monkeypatch.setattr(PreparedDocx, "render", lambda self, context: 1 / 0)
    with pytest.raises(ReportTemplateError, match="projct_name"):
        render_docx(report_context(seed_project(), card_for(seed_project()), Config()), tmp_path / "out.docx",
                    template_path=own)
    assert not (tmp_path / "out.docx").exists()

# ---- the 自评表 (.xlsx) ----------------------------------------------------------------------------------------

def test_table_in_memory_equals_file_based(tmp_path, monkeypatch):
    """The 自评表 assembled in memory has the same parts, byte for byte, as XlsxWriter's file-based assembly."""
    evs = evaluations(EXAMPLES + PROBLEMS)
    fast = [write_table(tmp_path / f"fast{i}.xlsx", ev.project, ev.card, ev.problems, Config())
            for i, ev in enumerate(evs)]
    real = xlsxwriter.Workbook

    def file_based(filename, options=None):
        options = dict(options or {})
        assert options.pop("in_memory") is True
        return real(filename, options)

    monkeypatch.setattr("perfeval.render.table.xlsxwriter.Workbook", file_based)
    plain = [write_table(tmp_path / f"plain{i}.xlsx", ev.project, ev.card, ev.problems, Config())
             for i, ev in enumerate(evs)]
    for a, b in zip(fast, plain):
        assert parts(a) == parts(b)


def test_table_cells(tmp_path):
    """The cells a person reads, from the written file."""
    import openpyxl

    ev = evaluate(EXAMPLES[0], Config())
    path = write_table(tmp_path / "t.xlsx", ev.project, ev.card, ev.problems, Config())
    ws = openpyxl.load_workbook(path)["自评表"]
    values = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}
    assert values["A1"].startswith("项目支出绩效自评表（ 2025 年度）")
    assert values["B2"] == ev.project.name and values["A2"] == "项目名称"
    assert values["B3"] == ev.project.department and values["G3"] == ev.project.unit
    assert ws["D5"].value == pytest.approx(float(ev.project.initial_budget))
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total_row, 8).value == pytest.approx(round(float(ev.card.total), 2))
    assert ws.cell(total_row, 9).value == f"等级：{ev.card.grade}"


# ---- the manifest: rows kept compressed, an entry on a line ----------------------------------------------------

def _entry(name, department, *, year="2025", status="ok", total="95.5", grade="优", budget="10", spent="9.5",
           indicators=2, problems=()):
    rows = [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": f"指标{i}", "年度指标值": "≥1", "实际完成值": "1",
             "计量单位": "个", "分值": "10", "得分": "10", "完成情况": "met", "偏差原因分析及改进措施": "原因\n第二行"}
            for i in range(indicators)]
    spending = [{"支出内容": "办公", "金额": spent, "说明": "“引号”\\ \u2028"}]
    return make_entry(name, department, year=year, status=status, total=total, grade=grade, budget=budget,
                      spent=spent, indicators=rows, spending=spending, problems=problems, sha256=name,
                      outputs={"table": f"{name}/t.xlsx"})


def test_packed_rows_behave_as_lists():
    import pickle

    from perfeval.packed import Packed

    rows = [{"a": "甲", "b": None}, {"a": "x\ny", "b": "1.5"}]
    packed = Packed(rows)
    assert packed == rows and rows == packed and list(packed) == rows and len(packed) == 2
    assert packed[1]["a"] == "x\ny" and packed[-1] == rows[-1]
    assert pickle.loads(pickle.dumps(packed)) == packed and Packed.of(packed) is packed
    assert Packed([]) == [] and Packed(rows) != rows[:1]


def test_manifest_round_trip(tmp_path):
    """Written an entry on a line and read back, the manifest holds the same data as the plain JSON reading."""
    import json

    from perfeval.manifest import MANIFEST_NAME, Manifest, load_manifest, write_manifest

    problem = Problem("value-missing", "缺少“项目名称”", "in/项目1.xlsx", "基本信息", "B3")
    entries = [_entry(f"项目{i}", f"部门{i % 3}", indicators=i, problems=(problem,) * (i % 2)) for i in range(5)]
    entries.append(_entry("空", "部门", indicators=0, total=None, grade=None))
    manifest = Manifest(entries, config_digest="d", inputs=("in",), summary="s.xlsx", log="l.log")
    write_manifest(tmp_path / MANIFEST_NAME, manifest)
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    plain = json.loads(text)
    assert text.count("\n") == len(manifest.head_json()) + len(entries) + 4  # an entry on a line (U+2028 is no end)
    assert plain["counts"]["ok"] == 6 and plain["summary"] == "s.xlsx" and plain["inputs"] == ["in"]
    loaded = load_manifest(tmp_path)
    assert loaded == manifest
    for a, b in zip(plain["files"], loaded.entries):
        assert a == b.to_json()
        assert a["data"]["indicators"] == list(b.result.indicators)
    # an earlier version's manifest (indented JSON) is read too
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(plain, ensure_ascii=False, indent=1), encoding="utf-8")
    assert load_manifest(tmp_path) == manifest
    write_manifest(tmp_path / MANIFEST_NAME, Manifest([]))
    assert load_manifest(tmp_path).entries == []


# ---- the summary -----------------------------------------------------------------------------------------------

def _reference_departments(entries):
    """The department figures computed independently, with pandas (as the summary once did)."""
    from decimal import Decimal

    import pandas as pd

    def num(text):
        return None if text in (None, "") else Decimal(text)

    entries = [e.to_json() for e in entries]  # as the manifest holds them
    rows = [{"year": e["评价年度"], "department": e["主管部门"], "errors": e["status"] == "has-errors",
             "initial": num(e["data"]["figures"]["年初预算数"]), "budget": num(e["data"]["figures"]["全年预算数"]),
             "spent": num(e["data"]["figures"]["全年执行数"]), "score": num(e["data"]["figures"]["得分"]),
             "grade": e["data"]["figures"]["等级"] or ""} for e in entries if e["status"] in ("ok", "has-errors")]
    df = pd.DataFrame.from_records(rows)
    result = []
    for (year, department), group in df.groupby(["year", "department"], sort=True):
        clean = group[~group["errors"]]
        scores = [s for s in clean["score"] if s is not None]
        budget = sum((v for v in clean["budget"] if v is not None), Decimal(0))
        spent = sum((v for v in clean["spent"] if v is not None), Decimal(0))
        result.append((year, department, len(group), int(group["errors"].sum()),
                       sum((v for v in clean["initial"] if v is not None), Decimal(0)), budget, spent,
                       spent / budget if budget else None, sum(scores) / len(scores) if scores else None,
                       min(scores, default=None),
                       {g: int((clean["grade"] == g).sum()) for g in ("优", "良", "中", "差")}))
    return result


def test_department_rows_equal_an_independent_computation():
    from perfeval.summary import department_rows

    entries = [_entry(f"p{i}", f"部门{i % 4}", year=("2024", "2025")[i % 2], total=f"{60 + i * 1.7:.3f}",
                      grade="优良中差"[i % 4], budget=str(10 + i), spent=f"{9 + i * 0.9:.2f}",
                      status="has-errors" if i % 5 == 0 else "ok") for i in range(40)]
    entries += [_entry("无分", "部门9", total=None, grade=None, budget="0", spent="0"),
                _entry("跳过", "部门0", status="skipped"), _entry("错", "部门8", status="has-errors")]
    got = [(d.year, d.department, d.projects, d.with_errors, d.initial, d.budget, d.spent, d.rate, d.mean_score,
            d.lowest_score, d.grades) for d in department_rows(entries)]
    assert got == _reference_departments(entries)


def test_summary_rows_and_reuse(tmp_path):
    """The summary's rows are the entries' figures; an unchanged summary is not written again, a changed one is."""
    import openpyxl

    from perfeval.summary import SUMMARY_NAME, write_summary

    entries = [_entry(f"项目{i}", f"部门{i % 2}", indicators=i + 1, total=f"{80 + i}.125") for i in range(6)]
    path = write_summary(tmp_path / SUMMARY_NAME, entries, Config())
    wb = openpyxl.load_workbook(path)
    projects = list(wb["项目汇总"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[8]) for r in projects] == sorted(
        (e.info.department, e.info.name, round(float(e.figures.score) + 1e-9, 2)) for e in entries)
    indicators = list(wb["指标明细"].iter_rows(min_row=2, values_only=True))
    assert len(indicators) == sum(len(e.result.indicators) for e in entries)
    assert indicators[0][12] == "原因\n第二行"
    stamp = path.stat().st_mtime_ns
    before = path.read_bytes()
    write_summary(path, list(entries), Config())
    assert path.stat().st_mtime_ns == stamp  # unchanged: left as it was
    changed = entries[:-1] + [_entry("项目5", "部门1", indicators=6, total="99")]
    write_summary(path, changed, Config())
    assert path.read_bytes() != before
    assert list(openpyxl.load_workbook(path)["项目汇总"].iter_rows(min_row=2, values_only=True))[-1][8] == 99
    write_summary(path, entries, Config())
    assert path.read_bytes() == before  # byte-stable: the same entries give the same file


def test_clean_fast_path_equals_the_full_cleaning():
    import random
    import re

    from perfeval.render import clean

    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

    def full(text):
        text = forbidden.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
        return "\n".join(line.strip() for line in text.split("\n") if line.strip())

    rng = random.Random(7)
    alphabet = [chr(c) for c in [*range(0, 0x80), 0x85, 0xA0, 0x1680, *range(0x2000, 0x2030), 0x3000, 0x4E2D,
                                 0xFEFF, 0xFFFE, 0xD800]]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert clean(text) == full(text), repr(text)
    assert clean(12.5) == "12.5" and clean(None) == ""


def test_summary_fast_rows_equal_xlsxwriter_cells(tmp_path, monkeypatch):
    """The summary's data rows written as XML by perfeval give the same parts as every cell through XlsxWriter:
    texts to escape, control characters, a text over Excel's limit, blanks, numbers, one-row and empty sheets."""
    from dataclasses import replace

    from perfeval import xlsxrows
    from perfeval.packed import Packed
    from perfeval.summary import write_summary

    odd = ["A & B <c> \"d\"", "_x0041_ 与 \t tab", "第一行\n第二行", "<r>raw</r>", "x" * 40000, "  边  ", "=1+1",
           "\u2028分隔", "😀" * 20000]
    entries = [_entry(f"项目{i}", f"部门{i % 3}", indicators=i % 4, total=f"{70 + i}.005",
                      problems=[Problem("value-missing", odd[i % len(odd)], "f", "s", "A1", odd[(i + 1) % len(odd)])])
               for i in range(12)]
    indicators = Packed(dict(r, 三级指标=text) for r, text in zip(list(entries[3].result.indicators) * 9, odd))
    entries[0] = replace(entries[0], result=replace(entries[0].result, indicators=indicators))
    assert xlsxrows.FAST_ROWS
    fast = write_summary(tmp_path / "fast.xlsx", entries, Config())
    monkeypatch.setattr(xlsxrows, "FAST_ROWS", False)
    plain = write_summary(tmp_path / "plain.xlsx", entries, Config())
    assert parts(fast) == parts(plain)
    for few in ([], entries[:1]):
        monkeypatch.setattr(xlsxrows, "FAST_ROWS", True)
        a = write_summary(tmp_path / f"fast{len(few)}.xlsx", few, Config())
        monkeypatch.setattr(xlsxrows, "FAST_ROWS", False)
        b = write_summary(tmp_path / f"plain{len(few)}.xlsx", few, Config())
        assert parts(a) == parts(b)
