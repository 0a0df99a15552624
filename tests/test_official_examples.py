"""The three example official tables in input_templates/official/: what the tool finds in each."""

from __future__ import annotations

from pathlib import Path

from perfeval.config import Config
from perfeval.pipeline import evaluate_file

FOLDER = Path(__file__).resolve().parent.parent / "input_templates" / "official"


def _one(name):
    [ev] = evaluate_file(FOLDER / name, Config())
    return ev


def test_the_national_example_departs_as_real_tables_do():
    ev = _one("2025_审批局_公共资源交易中心运转经费_自评表.xlsx")
    assert [(p.code, p.where, p.value) for p in ev.problems] == [
        ("official-execution-score-differs", "自评表!I5", "7"), ("self-score-differs", "自评表!H10", "48"),
        ("official-total-differs", "自评表!H13", "95")]
    assert (f"{ev.card.total:.2f}", ev.card.grade, ev.status) == ("97.27", "优", "ok")


def test_the_variant_example_follows_the_rules():
    ev = _one("2025_农业技术推广站_高素质农民培训_自评表.xlsx")
    assert ev.problems == [] and ev.part == "绩效自评表"
    assert [f.value for _, f in ev.official.unit.weight_labels] == [50, 30, 10]
    assert ev.project.budget == 58 and ev.project.spent == 54.5  # 元 converted to 万元


def test_the_word_example_is_one_table_over_a_page_break_with_a_wrong_grade():
    ev = _one("2025_公路养护中心_农村公路日常养护_自评表.docx")
    assert ev.part == "表1" and len(ev.project.indicators) == 6
    assert [(p.code, p.where) for p in ev.problems] == [("official-grade-differs", "表1 第16行第9列")]


def test_the_files_result_says_it_was_read_from_a_units_own_table():
    from perfeval.pipeline import file_result
    from perfeval.results import ManifestEntry, SourceFacts

    result = file_result(_one("2025_农业技术推广站_高素质农民培训_自评表.xlsx"))
    assert result.source_kind == "自评表"
    entry = ManifestEntry(SourceFacts("in/x.xlsx", "/in/x.xlsx"), result, result.status)
    assert entry.to_json()["source_kind"] == "自评表" and ManifestEntry.from_json(entry.to_json()) == entry
