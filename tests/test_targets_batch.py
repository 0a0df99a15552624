"""The batch half of the targets (targets.md, "On return" and "Sending them out"): ``run --targets``, ``missing``
entries in the manifest, the summary and the chase list, the reminder (催报), and ``email --prepared``."""

from __future__ import annotations

import csv
import json
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl
import pytest
from smtp_server import smtp_server
from targets_builders import INDICATORS, LIST_FILE, PROJECT, SEED, fill_like_a_clerk, target_list

from perfeval import cli
from perfeval.batch import run_batch
from perfeval.config import Config
from perfeval.mail import run_mail
from perfeval.targets.prepare import prepare

SEED_NAME = "2025_审批局_公共资源交易中心运转经费.xlsx"
SENDER = "财政局绩效科 <jxk@czj.example.gov.cn>"


def manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return list(wb[sheet].iter_rows(values_only=True))


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """prepare from the example 目标清单 → the seed filled in by a clerk → run --targets (the other four missing)."""
    root = tmp_path_factory.mktemp("round_trip")
    prepared, incoming, output = root / "prepared", root / "incoming", root / "output"
    assert prepare([LIST_FILE], prepared, Config()).exit_code == 0
    incoming.mkdir()
    shutil.copy(prepared / SEED_NAME, incoming / SEED_NAME)
    fill_like_a_clerk(incoming / SEED_NAME, SEED)
    result = run_batch([incoming], output, Config(), workers=1, targets=[LIST_FILE])
    return prepared, output, result


def test_the_example_round_trip_gives_the_seed_s_97_27(round_trip):
    _, output, result = round_trip
    seed = next(e for e in manifest(output)["files"] if e["path"])
    assert (seed["status"], seed["得分"], seed["等级"]) == ("ok", "97.27", "优")
    assert seed["项目编码"] == "2025-SPJ-001" and seed["origin"].endswith("项目!D2")
    assert result.exit_code == 0  # missing projects do not change it


def test_missing_projects_are_entries_of_their_own(round_trip):
    _, output, result = round_trip
    data = manifest(output)
    missing = [e for e in data["files"] if e["status"] == "missing"]
    assert data["counts"]["missing"] == 4 and len(missing) == 4 and data["targets_digest"]
    school = next(e for e in missing if e["实施单位"] == "第一中学")
    assert (school["path"], school["status_label"], school["评价年度"], school["主管部门"], school["项目名称"],
            school["项目编码"], school["联系邮箱"]) == ("", "未报送", "2025", "教育局", "校园安全设施改造",
                                                 "2025-JYJ-014", "yizhong@example.edu.cn")
    assert school["origin"] == f"{LIST_FILE} 项目!D3"
    assert [p["code"] for p in school["problems"]] == ["project-not-returned"]
    assert (school["problems"][0]["sheet"], school["problems"][0]["cell"]) == ("项目", "D3")
    assert any("4 个项目未报送" in line for line in result.summary_lines())


def test_missing_projects_in_the_summary(round_trip):
    _, output, _ = round_trip
    summary = output / "绩效自评汇总.xlsx"
    departments = sheet_rows(summary, "部门汇总")
    header = departments[0]
    at = {title: header.index(title) for title in ("主管部门", "项目数", "应报", "已报")}
    got = {row[at["主管部门"]]: (row[at["项目数"]], row[at["应报"]], row[at["已报"]]) for row in departments[1:]}
    assert got["审批局"] == (1, 1, 1) and got["教育局"] == (0, 1, 0) and len(got) == 5
    problems = [row for row in sheet_rows(summary, "问题清单")[1:] if row[7] == "project-not-returned"]
    assert len(problems) == 4 and {row[3] for row in problems} == {"未报送"}
    assert f"{LIST_FILE} 项目!D3" in {row[0] for row in problems}


def test_missing_projects_on_the_chase_list_with_a_reminder_re_sending_the_prepared_workbook(round_trip, tmp_path):
    prepared, output, _ = round_trip
    result = run_mail(output, Config.from_dict({"mail": {"sender": SENDER}, "targets": {"output": str(prepared)}}))
    with open(result.chase_file, encoding="utf-8-sig") as fh:
        chased = [row for row in csv.DictReader(fh) if row["类别"] == "未报送"]
    assert sorted(row["实施单位"] for row in chased) == ["公路养护中心", "农业技术推广站", "疾病预防控制中心", "第一中学"]
    reminders = [m for m in result.messages if m.kind == "reminder"]
    assert len(reminders) == 4
    school = next(m for m in reminders if m.to == ["yizhong@example.edu.cn"])
    eml = next(p for p in result.written if p.name == school.eml_name)
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert "催报" in msg["Subject"]
    name = "2025_第一中学_校园安全设施改造.xlsx"
    assert attachments(msg) == {name: (prepared / name).read_bytes()}


def test_run_targets_reports_a_changed_target_at_its_cell_and_the_targets_join_the_reuse(tmp_path):
    prepared, incoming, output = tmp_path / "prepared", tmp_path / "incoming", tmp_path / "output"
    prepare([LIST_FILE], prepared, Config())
    incoming.mkdir()
    path = fill_like_a_clerk(shutil.copy(prepared / SEED_NAME, incoming / SEED_NAME), SEED)
    wb = openpyxl.load_workbook(path)
    wb["绩效指标"].protection.sheet = False
    wb["绩效指标"]["E7"] = "≥80%"
    for row in wb["审定目标"].iter_rows():  # the carried value tampered to match: only the list catches it
        for cell in row:
            if cell.value == "≥95%":
                cell.value = "≥80%"
    wb.save(path)
    targets = tmp_path / "目标清单.xlsx"
    shutil.copy(LIST_FILE, targets)
    argv = ["run", str(incoming), "-o", str(output), "--workers", "1", "--targets", str(targets)]
    assert cli.main(argv) == 1
    seed = next(e for e in manifest(output)["files"] if e["path"])
    changed = [p for p in seed["problems"] if p["code"] == "approved-target-changed"]
    assert [(p["sheet"], p["cell"], p["value"]) for p in changed] == [("绩效指标", "E7", "≥80%")]
    assert "≥95%" in changed[0]["message"]
    assert cli.main(argv) == 1 and manifest(output)["reused"] == 1
    wb = openpyxl.load_workbook(targets)  # the list's contents change (a value rewritten the same): not reused
    wb.save(targets)
    assert cli.main(argv) == 1 and manifest(output)["reused"] == 0
    assert cli.main(["run", str(incoming), "-o", str(output), "--targets", str(tmp_path / "none.xlsx")]) == 2


def test_a_workbook_whose_identity_was_changed_answers_its_project_by_the_hidden_sheet(tmp_path):
    """Joined by the very hidden sheet first (targets.md): a renamed project is a change at its cell, not a project
    missing beside an unknown one."""
    prepared, incoming, output = tmp_path / "prepared", tmp_path / "incoming", tmp_path / "output"
    prepare([LIST_FILE], prepared, Config())
    incoming.mkdir()
    path = fill_like_a_clerk(shutil.copy(prepared / SEED_NAME, incoming / SEED_NAME), SEED)
    wb = openpyxl.load_workbook(path)
    info = wb["基本信息"]
    info.protection.sheet = False
    rows = {str(info.cell(r, 1).value).rstrip("*"): r for r in range(5, 40) if info.cell(r, 1).value}
    row = rows["项目名称"]
    info.cell(row, 2).value = "公共资源交易中心运转经费（改）"
    info.cell(rows["项目编码"], 2).value = "2025-SPJ-999"  # neither its code nor its name is the approved one now
    wb.save(path)
    run_batch([incoming], output, Config(), workers=1, targets=[LIST_FILE])
    files = manifest(output)["files"]
    seed = next(e for e in files if e["path"])
    assert sorted(p["cell"] for p in seed["problems"] if p["code"] == "approved-identity-changed") == sorted(
        [f"B{row}", f"B{rows['项目编码']}"])
    assert seed["origin"].endswith("项目!D2")
    missing = {e["项目名称"] for e in files if e["status"] == "missing"}
    assert "公共资源交易中心运转经费" not in missing and len(missing) == 4


def test_run_takes_the_targets_from_the_configuration(tmp_path):
    prepared, incoming = tmp_path / "prepared", tmp_path / "incoming"
    prepare([LIST_FILE], prepared, Config())
    incoming.mkdir()
    fill_like_a_clerk(shutil.copy(prepared / SEED_NAME, incoming / SEED_NAME), SEED)
    config = tmp_path / "perfeval.toml"
    config.write_text(f'[run]\ntargets = ["{LIST_FILE.as_posix()}"]\n', encoding="utf-8")
    assert cli.main(["run", str(incoming), "-o", str(tmp_path / "out"), "--workers", "1", "--config",
                     str(config)]) == 0
    assert manifest(tmp_path / "out")["counts"]["missing"] == 4


# ---- email --prepared ------------------------------------------------------------------------------------------

@pytest.fixture
def prepare_dir(tmp_path) -> Path:
    """Three projects of one unit address, one of another, one without an address."""
    projects = [PROJECT | {"项目名称": name, "项目编码": code} for name, code in
                (("食堂改造", "XM-1"), ("操场改造", "XM-2"), ("图书馆改造", "XM-3"))]
    projects.append(PROJECT | {"实施单位": "第三中学", "项目名称": "校门改造", "项目编码": "XM-4",
                               "联系邮箱": "sanzhong@example.edu.cn"})
    projects.append(PROJECT | {"实施单位": "第四中学", "项目名称": "围墙改造", "项目编码": "XM-5", "联系邮箱": ""})
    indicators = [{"项目编码": p["项目编码"], **row} for p in projects for row in INDICATORS]
    folder = tmp_path / "prepared"
    result = prepare([target_list(tmp_path / "目标清单.xlsx", projects, indicators)], folder, Config())
    assert result.exit_code == 0 and len(list(folder.glob("2025_*.xlsx"))) == 5
    return folder


def test_prepared_workbooks_one_mail_per_unit_address_with_all_its_workbooks(prepare_dir):
    with smtp_server() as (handler, port):
        config = Config.from_dict({"mail": {"smtp_host": "127.0.0.1", "smtp_port": port, "sender": SENDER,
                                            "tls": "none", "bureau": "XX区财政局", "deadline": "2026年1月15日",
                                            "reply_to": "jxk@czj.example.gov.cn"}})
        result = run_mail(prepare_dir, config, send=True, prepared=True, base_delay=0.01, timeout=10)
        assert result.exit_code == 0 and len(handler.received) == 2
        by_address = {tuple(r.rcpt_tos): r.message for r in handler.received}
        second = by_address[("erzhong@example.edu.cn",)]
        expected = {p.name: p.read_bytes() for p in prepare_dir.glob("2025_第二中学_*.xlsx")}
        assert len(expected) == 3 and attachments(second) == expected  # byte-equal
        body = second.get_body(("plain",)).get_content()
        assert "XX区财政局" in body and "2026年1月15日" in body and "jxk@czj.example.gov.cn" in body
        assert attachments(by_address[("sanzhong@example.edu.cn",)]) == {
            "2025_第三中学_校门改造.xlsx": (prepare_dir / "2025_第三中学_校门改造.xlsx").read_bytes()}
        assert [(c.category, c.unit) for c in result.chase] == [("无联系邮箱", "第四中学")]
        assert (prepare_dir / "outbox" / "sent.jsonl").is_file()
        again = run_mail(prepare_dir, config, send=True, prepared=True, base_delay=0.01, timeout=10)
        assert len(handler.received) == 2 and len(again.already_sent) == 2  # never sent twice


def test_prepared_dry_run_leaves_out_empty_sentences_and_takes_only(prepare_dir, capsys):
    assert cli.main(["email", str(prepare_dir), "--prepared", "--only", "第三中学"]) == 0
    emls = sorted((prepare_dir / "outbox").glob("*.eml"))
    assert len(emls) == 1
    body = message_from_bytes(emls[0].read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert "校门改造" in body and "请于" not in body and "发送至" not in body
    assert "下发填报表1封" in capsys.readouterr().out
    assert cli.main(["email", str(prepare_dir.parent), "--prepared"]) == 2  # no 准备清单 there
