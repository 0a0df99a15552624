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
from perfeval.render import report as report_module
from perfeval.render.report import (TEMPLATE_DIR, PreparedDocx, prepared_docx, render_docx, render_docx_plain,
                                    report_context)
from perfeval.render.table import write_table
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
    members = report_module._raw_members((TEMPLATE_DIR / "report_seed.docx").read_bytes())
    data = report_module._zip(members)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        with zipfile.ZipFile(TEMPLATE_DIR / "report_seed.docx") as original:
            assert {n: zf.read(n) for n in zf.namelist()} == {n: original.read(n) for n in original.namelist()}
            assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())


def test_prepare_refuses_nothing_it_renders():
    prepared = prepared_docx(TEMPLATE_DIR / "report_national.docx")
    assert isinstance(prepared, PreparedDocx)
    assert prepared is prepared_docx(TEMPLATE_DIR / "report_national.docx")  # once per process


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
    assert ws.cell(total_row, 9).value == ev.card.grade
