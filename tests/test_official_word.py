"""Official tables in Word: merged cells counted once, a table split by a page break, several projects in one
document, and places that name the right table, row and column."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import docx

from official_helpers import seed_sample
from perfeval.cli import main
from perfeval.config import Config
from perfeval.official.sample import layout, write_docx
from perfeval.official.word import document_grids
from perfeval.pipeline import evaluate_file


def _docked(sample, row, score):
    sample.rows[row] = dataclasses.replace(sample.rows[row], score=score)
    return sample


def test_a_merged_cell_repeated_over_its_grid_positions_counts_once(tmp_path):
    path = write_docx(tmp_path / "unit.docx", [layout(seed_sample(weight_in_label=True))])
    table = docx.Document(str(path)).tables[0]
    assert [c.text for c in table.rows[0].cells].count("公共资源交易中心运转经费") == 8  # python-docx repeats it
    [grid] = document_grids(path)
    assert [text for _, text in grid.cells(0)] == ["项目名称", "公共资源交易中心运转经费"]
    [ev] = evaluate_file(path, Config())
    assert [(level, f.value, f.cell) for level, f in ev.official.unit.weight_labels] == [
        ("产出指标", Decimal(50), "B9"), ("效益指标", Decimal(30), "B10"), ("满意度指标", Decimal(10), "B11")]
    assert ev.problems == []


def test_a_merged_weight_over_two_rows_is_one_figure(tmp_path):
    sample = seed_sample()
    sample.rows.insert(2, dataclasses.replace(sample.rows[1], name="群众办事便利度", weight="", score=""))
    path = write_docx(tmp_path / "unit.docx", [layout(sample)])
    document = docx.Document(str(path))
    table = document.tables[0]
    table.cell(9, 6).merge(table.cell(10, 6))  # the 分值 30 over both 效益 rows
    document.save(str(path))
    [ev] = evaluate_file(path, Config())
    assert [i.weight for i in ev.project.indicators] == [Decimal(50), Decimal(30), None, Decimal(10)]


def test_a_table_split_by_a_page_break_is_one_project(tmp_path):
    path = write_docx(tmp_path / "unit.docx", [layout(_docked(seed_sample(), 2, 8))], split_at={0: 9})
    assert len(docx.Document(str(path)).tables) == 2
    [ev] = evaluate_file(path, Config())
    assert ev.part == "表1" and [i.level1 for i in ev.project.indicators] == ["产出指标", "效益指标", "满意度指标"]
    assert [(p.code, p.where) for p in ev.problems] == [("self-score-differs", "表1 第11行第8列"),
                                                        ("official-total-differs", "表1 第12行第8列")]


def test_two_projects_in_one_document_each_with_its_places(tmp_path):
    second = seed_sample(grade="良")
    second.name = "政务服务大厅运行经费"
    path = write_docx(tmp_path / "两个项目.docx", [layout(seed_sample()), layout(second)])
    first, other = evaluate_file(path, Config())
    assert (first.part, first.project.name, first.problems) == ("表1", "公共资源交易中心运转经费", [])
    assert (other.part, other.project.name) == ("表2", "政务服务大厅运行经费")
    [p] = other.problems
    assert (p.code, p.sheet, p.cell, p.where) == ("official-grade-differs", "表2", "第12行第9列", "表2 第12行第9列")


def test_check_prints_each_project_of_a_document_with_file_part_and_place(tmp_path, capsys):
    second = seed_sample(execution_score=7, total=97)
    path = write_docx(tmp_path / "自评表.docx", [layout(seed_sample()), layout(second)])
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"== {path}（表1）：通过（错误 0，警告 0，提示 0）" in out
    assert f"== {path}（表2）：通过（错误 0，警告 2，提示 0）" in out
    assert "[警告] 表2 第4行第9列  预算执行率得分填写为 7 分" in out
    assert "单位自评：总分 97.00，等级 优" in out
