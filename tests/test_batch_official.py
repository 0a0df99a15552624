"""Units' own 自评表 in the batch (official-table.md): one project is one manifest entry (``path`` + ``part``),
with its own outputs, status and superseding; the manifest and the summary say the source kind and show the
unit's own total beside the rule's; a rerun reuses every project of an unchanged file; hostile Word files are
refused with a clear message while the others are processed; the mail plans a message per project."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

import hostile_files as h
from helpers import leftovers, manifest, project_data, run, write_inputs
from official_helpers import docx_bytes, seed_sample, variant_sample
from perfeval.config import Config
from perfeval.mail import run_mail
from perfeval.manifest import MANIFEST_NAME
from perfeval.official.sample import layout, write_docx, write_xlsx
from perfeval.summary import SUMMARY_NAME

D = Decimal
STANDARD = {"标准_甲.xlsx": project_data("档案数字化", "档案馆", "办公室", budget=32.9, spent=32.5),
            "标准_乙.xlsx": project_data("道路养护", "公路站", "交通局", budget=200, spent=180, done=70)}


def _second():
    """The seed's twin under another name, its 总分 written wrongly (a departure: a warning, not an error)."""
    sample = seed_sample(total=99)
    sample.name = "政务服务大厅运行经费"
    return sample


def _word_sample():
    """Another project, its execution score rounded to a whole number as real tables do."""
    sample = seed_sample(execution_score=7)
    sample.name = "电子政务平台运维"
    return sample


def _mixed_inputs(folder: Path, tmp: Path) -> Path:
    """Two standard workbooks, an official .xlsx with two sheets, an official .xls, an official .docx."""
    write_inputs(folder, STANDARD)
    write_xlsx(folder / "两个项目.xlsx", [("项目一", layout(seed_sample())), ("项目二", layout(_second()))])
    h.to_xls(write_xlsx(tmp / "变体.xlsx", [("自评表", layout(variant_sample()))]), folder / "变体.xls")
    write_docx(folder / "单位.docx", [layout(_word_sample())])
    return folder


def _entries(output: Path) -> dict[tuple[str, str], dict]:
    return {(Path(e["path"]).name, e["part"]): e for e in manifest(output)["files"]}


@pytest.fixture
def mixed(tmp_path):
    inputs = _mixed_inputs(tmp_path / "in", tmp_path)
    result = run(inputs, tmp_path / "out")
    return inputs, tmp_path / "out", result


def test_a_mixed_batch_gives_an_entry_per_project_with_its_kind_part_and_figures(mixed):
    _, output, result = mixed
    entries = _entries(output)
    assert sorted(entries) == sorted([("标准_甲.xlsx", ""), ("标准_乙.xlsx", ""), ("两个项目.xlsx", "项目一"),
                                      ("两个项目.xlsx", "项目二"), ("变体.xls", "自评表"), ("单位.docx", "表1")])
    assert result.counts["ok"] == 6 and result.exit_code == 0 and len(result.entries) == 6
    kinds = {key: e["source_kind"] for key, e in entries.items()}
    assert kinds == {key: "标准填报表" if key[0].startswith("标准") else "自评表" for key in entries}
    names = {key: e["项目名称"] for key, e in entries.items()}
    assert names[("两个项目.xlsx", "项目一")] == "公共资源交易中心运转经费"
    assert names[("两个项目.xlsx", "项目二")] == "政务服务大厅运行经费"
    assert names[("变体.xls", "自评表")] == "高素质农民培训" and names[("单位.docx", "表1")] == "电子政务平台运维"
    # the rule's total beside the unit's own, and the difference (the unit's less the rule's)
    first, second, word = (entries[("两个项目.xlsx", "项目一")], entries[("两个项目.xlsx", "项目二")],
                           entries[("单位.docx", "表1")])
    assert (first["得分"], first["单位自评得分"], first["得分差异"]) == ("97.27", "97.27", "0.00")
    assert (second["得分"], second["单位自评得分"], second["得分差异"]) == ("97.27", "99.00", "1.73")
    assert word["得分"] == "97.27" and D(word["单位自评得分"]) == D(str(_word_sample().unit_total()))
    assert word["data"]["figures"]["单位总分"] == word["单位自评得分"].rstrip("0").rstrip(".")
    for key in (("标准_甲.xlsx", ""), ("标准_乙.xlsx", "")):
        assert (entries[key]["单位自评得分"], entries[key]["得分差异"], entries[key]["data"]["figures"]["单位总分"]) == ("", "", None)
    codes = {key: {p["code"] for p in e["problems"]} for key, e in entries.items()}
    assert "official-total-differs" in codes[("两个项目.xlsx", "项目二")]
    assert "official-execution-score-differs" in codes[("单位.docx", "表1")]
    assert "official-total-differs" not in codes[("两个项目.xlsx", "项目一")]
    assert [p["sheet"] for p in second["problems"] if p["code"] == "official-total-differs"] == ["项目二"]


def test_each_project_of_a_file_has_its_own_folder_and_outputs(mixed):
    _, output, _ = mixed
    entries = _entries(output)
    folders = [e["folder"] for e in entries.values()]
    assert len(set(folders)) == len(folders) and all(folders)
    for (name, part), e in entries.items():
        for rel in e["outputs"].values():
            assert rel.startswith(e["folder"] + "/") and (output / rel).is_file()
        kinds = set(e["outputs"])
        if not part:
            assert kinds == {"table", "report_docx", "report_md"}
        elif name.endswith(".docx"):  # a Word source with problems: the problem list only, no marked-up copy
            assert kinds == {"table", "audit_docx", "audit_md"} and e["problems"]
        else:  # a workbook source: its marked-up copy when it has problems
            assert kinds == {"table", "audit_docx", "audit_md"} | ({"annotated"} if e["problems"] else set())
    annotated = entries[("两个项目.xlsx", "项目二")]["outputs"]["annotated"]
    marked = openpyxl.load_workbook(output / annotated)
    assert any(c.comment for row in marked["项目二"].iter_rows() for c in row)  # its own problems marked
    assert "annotated" not in entries[("两个项目.xlsx", "项目一")]["outputs"]  # the first sheet follows the rules
    assert leftovers(output) == []


def test_the_summary_says_the_source_kind_and_the_units_total_beside_the_rules(mixed):
    _, output, _ = mixed
    ws = openpyxl.load_workbook(output / SUMMARY_NAME)["项目汇总"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    at = {name: header.index(name) for name in ("项目名称", "得分", "源文件", "来源类型", "单位自评得分",
                                                  "差异（自评−规则）")}
    got = {r[at["项目名称"]]: r for r in body}
    assert len(body) == 6
    second = got["政务服务大厅运行经费"]
    assert (second[at["来源类型"]], second[at["得分"]], second[at["单位自评得分"]], second[at["差异（自评−规则）"]]) == (
        "自评表", 97.27, 99.0, 1.73)
    assert second[at["源文件"]].endswith("两个项目.xlsx（项目二）")
    assert got["电子政务平台运维"][at["源文件"]].endswith("单位.docx（表1）")
    standard = got["档案数字化"]
    assert (standard[at["来源类型"]], standard[at["单位自评得分"]], standard[at["差异（自评−规则）"]]) == (
        "标准填报表", None, None)


def test_a_rerun_reuses_every_project_of_an_unchanged_file(mixed, tmp_path):
    inputs, output, _ = mixed
    before = _entries(output)
    again = run(inputs, output)
    assert again.reused == 6 and again.counts["ok"] == 6
    after = _entries(output)
    assert sorted(after) == sorted(before)
    for key, e in after.items():
        assert e["reused"] is True and e["outputs"] == before[key]["outputs"] and e["单位自评得分"] == \
            before[key]["单位自评得分"]
    assert "其中 6 项内容和配置均未改变" in "\n".join(again.summary_lines())
    # a changed file is read again, all its projects; the others are still reused
    write_xlsx(inputs / "两个项目.xlsx", [("项目一", layout(seed_sample())), ("项目二", layout(_third()))])
    third = run(inputs, output)
    entries = _entries(output)
    assert {key for key, e in entries.items() if not e["reused"]} == {("两个项目.xlsx", "项目一"),
                                                                       ("两个项目.xlsx", "项目二")}
    assert entries[("两个项目.xlsx", "项目二")]["单位自评得分"] == "98.00" and third.reused == 4
    assert all((output / rel).is_file() for e in entries.values() for rel in e["outputs"].values())
    assert leftovers(output) == []


def _third():
    sample = _second()
    sample.total = 98
    return sample


def test_the_log_and_the_summary_lines_count_projects(mixed):
    _, output, result = mixed
    log = (output / "perfeval.log").read_text(encoding="utf-8")
    assert "两个项目.xlsx（项目一）：已读取" in log and "两个项目.xlsx（项目二）：已读取" in log
    assert "两个项目.xlsx（项目二）：通过" in log and "单位.docx（表1）：通过" in log
    assert "共 5 个文件，6 项：通过 6。" in result.summary_lines()


def test_two_sheets_of_one_project_supersede_each_other_by_part(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_xlsx(inputs / "重复.xlsx", [("初稿", layout(seed_sample(total=90))), ("定稿", layout(seed_sample()))])
    run(inputs, tmp_path / "out")
    entries = _entries(tmp_path / "out")
    statuses = {part: e["status"] for (_, part), e in entries.items()}
    assert sorted(statuses.values()) == ["ok", "superseded"]
    loser = next(e for e in entries.values() if e["status"] == "superseded")
    assert loser["outputs"] == {} and "重复.xlsx（" in loser["problems"][-1]["message"]


# ---- hostile Word files in a batch --------------------------------------------------------------------------

def test_hostile_and_foreign_word_files_are_refused_clearly_while_the_others_are_processed(tmp_path):
    inputs = write_inputs(tmp_path / "in", {"标准_甲.xlsx": STANDARD["标准_甲.xlsx"]})
    write_docx(inputs / "自评.docx", [layout(seed_sample()), layout(_word_sample())])
    (inputs / "炸弹.docx").write_bytes(docx_bytes(big=60 * 2**20))
    xml = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
    (inputs / "实体.docx").write_bytes(docx_bytes(xml))
    full = (inputs / "自评.docx").read_bytes()
    (inputs / "截断.docx").write_bytes(full[: len(full) // 2])
    letter = docx.Document()
    letter.add_paragraph("关于报送项目支出绩效自评结果的函")
    letter.save(str(inputs / "函.docx"))
    roster = docx.Document()
    roster.add_table(rows=2, cols=2).cell(0, 0).text = "姓名"
    roster.save(str(inputs / "名单.docx"))
    result = run(inputs, tmp_path / "out", workers=2)
    entries = _entries(tmp_path / "out")
    got = {key: (e["status"], [p["code"] for p in e["problems"]]) for key, e in entries.items()}
    assert got[("炸弹.docx", "")] == ("unreadable", ["file-too-large"])
    assert got[("实体.docx", "")] == ("unreadable", ["file-xml-entities"])
    assert got[("截断.docx", "")] == ("unreadable", ["file-unreadable"])
    assert got[("函.docx", "")] == ("skipped", ["file-skipped"])
    assert got[("名单.docx", "")] == ("skipped", ["file-skipped"])
    messages = {key[0]: e["problems"][0]["message"] for key, e in entries.items() if e["problems"]}
    assert "文件已损坏" in messages["截断.docx"] and "没有表格" in messages["函.docx"]
    assert "不是项目支出绩效自评表" in messages["名单.docx"]
    # the others are processed: the standard workbook and both tables of the good document
    assert {key: e["status"] for key, e in entries.items() if e["status"] == "ok"} == {
        ("标准_甲.xlsx", ""): "ok", ("自评.docx", "表1"): "ok", ("自评.docx", "表2"): "ok"}
    assert all(entries[(n, "")]["outputs"] == {} and entries[(n, "")]["source_kind"] in ("", "自评表")
               for n in ("炸弹.docx", "实体.docx", "截断.docx", "函.docx", "名单.docx"))
    assert result.counts == {"ok": 3, "has-errors": 0, "unreadable": 3, "skipped": 2, "superseded": 0,
                             "missing": 0}
    assert result.exit_code == 1 and leftovers(tmp_path / "out") == []


# ---- the mail: a message per project -------------------------------------------------------------------------

def test_the_mail_plans_a_message_per_project_with_its_table_and_audit(mixed):
    _, output, _ = mixed
    # an official table has no place for 联系邮箱: each of its projects is on the chase list, by its part
    dry = run_mail(output, Config())
    chased = {c.file[c.file.find("in/"):]: c.reason for c in dry.chase if c.category == "无联系邮箱"}
    assert set(chased) == {"in/两个项目.xlsx（项目一）", "in/两个项目.xlsx（项目二）", "in/变体.xls（自评表）",
                           "in/单位.docx（表1）"}
    assert all("自评表没有联系邮箱" in reason for reason in chased.values())
    # with an address (as a bureau may add one), the unit gets one message per project: 自评表 + 审核意见
    path = output / MANIFEST_NAME
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if '"自评表"' in line and line.lstrip().startswith("{"):
            entry = json.loads(line.rstrip(","))
            entry["联系邮箱"] = "unit@example.gov.cn"
            lines[i] = json.dumps(entry, ensure_ascii=False) + ("," if line.endswith(",") else "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    planned = run_mail(output, Config())
    projects = [m for m in planned.messages if m.kind == "project_ok"]
    attached = {m.label: sorted(a.name for a in m.attachments) for m in projects}
    assert attached["审批局：政务服务大厅运行经费"] == ["政务服务大厅运行经费_审核意见.docx", "政务服务大厅运行经费_绩效自评表.xlsx"]
    assert attached["审批局：公共资源交易中心运转经费"] == ["公共资源交易中心运转经费_审核意见.docx",
                                                  "公共资源交易中心运转经费_绩效自评表.xlsx"]
