"""The year-end batch (perfeval run): statuses, exit codes, outputs, reuse, interruption, lock, superseded rule.

Workbooks are generated with the template writer from small dicts (helpers.project_data); the expected figures
are computed from those dicts, independently of the tool (helpers.py). test_summary.py checks the summary workbook.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from helpers import (CLEAN, WITH_ERROR, add_oddities, by_name, copy_inputs, expected_grade, expected_total, leftovers,
                     manifest, project_data, run, snapshot, write_inputs)
from perfeval import cli
from perfeval.batch import LOCK_NAME, LOG_NAME, BatchLocked, make_executor
from perfeval.config import Config
from perfeval.manifest import MANIFEST_NAME
from perfeval.summary import SUMMARY_NAME
from perfeval.template import write_workbook

D = Decimal


def two(value: Decimal) -> str:
    return str(value.quantize(D("0.01"), ROUND_HALF_UP))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- statuses, exit codes, outputs ----------------------------------------------------------------------------

def test_a_clean_batch_exits_0_with_every_output(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN)
    result = run(inputs, tmp_path / "out")
    assert result.exit_code == 0
    assert result.counts["ok"] == len(CLEAN)
    entries = by_name(tmp_path / "out")
    for name, data in CLEAN.items():
        e = entries[name]
        assert e["status"] == "ok" and e["reused"] is False
        info = data["info"]
        assert e["folder"] == f"{info['评价年度']}_{info['实施单位']}_{info['项目名称']}"
        assert set(e["outputs"]) == {"table", "report_docx", "report_md"}  # no marked-up copy: no problems
        for rel in e["outputs"].values():
            assert rel.startswith(e["folder"] + "/") and (tmp_path / "out" / rel).is_file()
    lines = "\n".join(result.summary_lines())
    assert f"共 {len(CLEAN)} 个文件：通过 {len(CLEAN)}" in lines
    assert str(tmp_path / "out" / SUMMARY_NAME) in lines and str(tmp_path / "out" / MANIFEST_NAME) in lines
    assert leftovers(tmp_path / "out") == []


def test_a_mixed_batch_lists_every_file_with_its_status_and_exits_1(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN | WITH_ERROR)
    add_oddities(inputs)
    before = {p.name: sha(p) for p in inputs.iterdir()}
    result = run(inputs, tmp_path / "out")
    assert result.exit_code == 1
    entries = by_name(tmp_path / "out")
    assert "~$a_优.xlsx" not in entries  # lock files are not inputs
    statuses = {name: e["status"] for name, e in entries.items()}
    assert statuses == {**{n: "ok" for n in CLEAN}, "f_错.xlsx": "has-errors", "损坏.xlsx": "unreadable",
                        "说明.txt": "skipped", "空白模板.xlsx": "skipped"}
    assert result.counts == {"ok": 5, "has-errors": 1, "unreadable": 1, "skipped": 2, "superseded": 0,
                             "missing": 0}
    # unreadable and skipped files: problems in the manifest, no outputs, no folder
    for name in ("损坏.xlsx", "说明.txt", "空白模板.xlsx"):
        assert entries[name]["outputs"] == {} and entries[name]["folder"] == ""
        assert entries[name]["source_kind"] == ""  # no project read
    assert [p["severity"] for p in entries["损坏.xlsx"]["problems"]] == ["错误"]
    assert [p["code"] for p in entries["空白模板.xlsx"]["problems"]] == ["file-blank-template"]
    assert [p["code"] for p in entries["说明.txt"]["problems"]] == ["file-skipped"]
    # the file with errors still gets its outputs, and a marked-up copy
    assert "weights-not-100" in {p["code"] for p in entries["f_错.xlsx"]["problems"]}
    assert "annotated" in entries["f_错.xlsx"]["outputs"]
    assert entries["f_错.xlsx"]["problem_counts"]["错误"] >= 1
    # the worst files are named in the summary lines
    lines = "\n".join(result.summary_lines())
    assert "损坏.xlsx：无法读取" in lines and "f_错.xlsx：有错误" in lines
    # inputs are never modified; nothing temporary is left
    assert {p.name: sha(p) for p in inputs.iterdir()} == before
    assert leftovers(tmp_path / "out") == []


def test_the_manifest_holds_each_files_figures_as_fixed_decimal_strings(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN)
    run(inputs, tmp_path / "out")
    m = manifest(tmp_path / "out")
    assert m["version"] and m["config_digest"] == Config().digest() and m["started"] <= m["finished"]
    entries = {Path(e["path"]).name: e for e in m["files"]}
    for name, data in CLEAN.items():
        e, funding, total = entries[name], data["funding"][0], expected_total(data)
        assert e["sha256"] == sha(inputs / name) and e["source_kind"] == "标准填报表"
        assert Path(e["absolute_path"]) == (inputs / name).resolve()
        assert (e["项目名称"], e["实施单位"], e["主管部门"], e["评价年度"], e["联系邮箱"]) == (
            data["info"]["项目名称"], data["info"]["实施单位"], data["info"]["主管部门"], "2025", "unit@example.gov.cn")
        assert e["年初预算数"] == e["全年预算数"] == two(D(str(funding["年初预算数"])))
        assert e["全年执行数"] == two(D(str(funding["全年执行数"])))
        rate = D(str(funding["全年执行数"])) / D(str(funding["全年预算数"]))
        assert e["执行率"] == two(rate * 100) + "%"
        assert e["得分"] == two(total) and e["等级"] == expected_grade(total)
        assert D(e["data"]["figures"]["得分"]) == total  # full precision for the summary
        assert [i["三级指标"] for i in e["data"]["indicators"]] == ["完成数量", "服务水平", "满意度"]
        assert e["data"]["spending"] == [{"支出内容": "业务经费", "金额": str(funding["全年执行数"]), "说明": ""}]
        assert e["data"]["volumes"][0]["业务类别"] == "政府采购"
    assert sorted(m["files"], key=lambda e: e["path"]) == m["files"]


def test_a_process_pool_gives_the_same_results(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN | WITH_ERROR)
    one = run(inputs, tmp_path / "one", workers=1)
    two_ = run(inputs, tmp_path / "two", workers=2)
    volatile = ("reused", "modified")

    def comparable(result):
        return [{k: v for k, v in e.to_json().items() if k not in volatile} for e in result.entries]

    assert comparable(one) == comparable(two_)
    assert two_.exit_code == 1
    for e in two_.entries:
        assert all((tmp_path / "two" / rel).is_file() for rel in e.outputs.values())
    assert leftovers(tmp_path / "two") == []


def test_make_executor_runs_in_process_for_one_worker():
    executor = make_executor(1)
    assert executor.submit(os.getpid).result() == os.getpid()
    with make_executor(2) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()


def test_inputs_may_be_shipped_as_bytes(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    result = run(inputs, tmp_path / "out", ship_inputs=True)
    assert result.exit_code == 0 and result.entries[0].figures.shown()["得分"] == two(expected_total(CLEAN["a_优.xlsx"]))


def test_the_log_gets_start_each_file_and_end(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx", "f_错.xlsx"])
    run(inputs, tmp_path / "out")
    run(inputs, tmp_path / "out")
    lines = (tmp_path / "out" / LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12  # twice: start, each file as it is read, each file's status, end
    assert "开始" in lines[0] and "a_优.xlsx：已读取" in lines[1] and "f_错.xlsx：已读取" in lines[2]
    assert "a_优.xlsx：通过" in lines[3] and "f_错.xlsx：有错误" in lines[4]
    assert "结束" in lines[5] and "退出码 1" in lines[5]
    assert "a_优.xlsx：沿用上次结果" in lines[7] and "a_优.xlsx：通过" in lines[9]
    assert all(line[:4].isdigit() and "T" in line.split()[0] for line in lines)  # timestamped


# ---- folders -------------------------------------------------------------------------------------------------

def test_project_folders_are_unique_in_the_order_of_the_source_paths(tmp_path):
    # "/" and ":" both become "_" in a folder name: two projects, one folder name
    inputs = write_inputs(tmp_path / "in", {"x1.xlsx": project_data("养护/维修", "公路站", "交通局"),
                                            "x2.xlsx": project_data("养护:维修", "公路站", "交通局")})
    run(inputs, tmp_path / "out")
    entries = by_name(tmp_path / "out")
    assert entries["x1.xlsx"]["folder"] == "2025_公路站_养护_维修"
    assert entries["x2.xlsx"]["folder"] == "2025_公路站_养护_维修_2"
    assert all((tmp_path / "out" / e["folder"]).is_dir() for e in entries.values())


# ---- interruption ----------------------------------------------------------------------------------------------

def test_an_interrupted_run_leaves_the_previous_outputs_intact(generated, tmp_path, monkeypatch):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN | WITH_ERROR)
    output = tmp_path / "out"
    run(inputs, output)
    before = snapshot(output)
    calls = []

    import perfeval.render.report as report

    real = report.render_docx

    def render_then_interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(report, "render_docx", render_then_interrupt)
    changed = Config.from_dict({"scoring": {"prose_decimals": 2}})  # another configuration: nothing is reused
    with pytest.raises(KeyboardInterrupt):
        run(inputs, output, changed)
    assert len(calls) == 3
    assert snapshot(output) == before
    assert leftovers(output) == []
    assert "中断" in (output / LOG_NAME).read_text(encoding="utf-8").splitlines()[-1]
    # the next run is not hindered
    monkeypatch.setattr(report, "render_docx", real)
    assert run(inputs, output, changed).counts["ok"] == len(CLEAN)


# ---- reuse -------------------------------------------------------------------------------------------------------

def test_a_rerun_reuses_unchanged_files_redoes_changed_ones_and_forgets_removed_ones(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", CLEAN | WITH_ERROR)
    output = tmp_path / "out"
    first = run(inputs, output)
    mtimes = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file() and p.parent != output}
    second = run(inputs, output)
    assert second.reused == len(CLEAN) + 1
    assert all(e["reused"] for e in manifest(output)["files"])
    assert any("沿用上次的结果" in line for line in second.summary_lines())
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes  # the per-project outputs are not rewritten
    assert [e.figures for e in second.entries] == [e.figures for e in first.entries]

    # change one input, remove another
    write_workbook(inputs / "b_良.xlsx", project_data("道路养护", "公路站", "交通局", budget=200, spent=200))
    removed = by_name(output)["e_优.xlsx"]
    (inputs / "e_优.xlsx").unlink()
    third = run(inputs, output)
    entries = by_name(output)
    assert "e_优.xlsx" not in entries
    assert not (output / removed["folder"]).exists()
    assert entries["b_良.xlsx"]["reused"] is False and entries["b_良.xlsx"]["全年执行数"] == "200.00"
    assert entries["b_良.xlsx"]["等级"] == "优"
    assert all(e["reused"] for n, e in entries.items() if n != "b_良.xlsx")
    assert third.reused == len(CLEAN) - 1
    import openpyxl

    rows = list(openpyxl.load_workbook(output / SUMMARY_NAME)["项目汇总"].iter_rows(min_row=2, values_only=True))
    assert "畜牧防疫" not in {r[3] for r in rows} and len(rows) == len(CLEAN)


def test_a_reused_result_needs_its_outputs(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx", "c_中.xlsx"])
    output = tmp_path / "out"
    run(inputs, output)
    lost = by_name(output)["a_优.xlsx"]["outputs"]["report_docx"]
    (output / lost).unlink()
    run(inputs, output)
    entries = by_name(output)
    assert entries["a_优.xlsx"]["reused"] is False and (output / lost).is_file()
    assert entries["c_中.xlsx"]["reused"] is True


def test_another_configuration_redoes_everything(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    run(inputs, tmp_path / "out")
    result = run(inputs, tmp_path / "out", Config.from_dict({"scoring": {"execution_weight": 20, "level1_weights": {
        "产出指标": 40, "效益指标": 30, "满意度指标": 10}}}))
    assert result.reused == 0


# ---- the lock ------------------------------------------------------------------------------------------------------

def live_lock(output: Path, pid: int, host: str | None = None) -> Path:
    """A lock file as a run on ``host`` (default: this one) leaves it."""
    output.mkdir(parents=True, exist_ok=True)
    import socket
    import time

    lock = output / LOCK_NAME
    lock.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(), "time": time.time(),
                                "started": "2025-12-31T08:00:00+08:00"}), encoding="utf-8")
    return lock


def test_a_locked_output_folder_is_refused(generated, tmp_path, capsys):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    output = tmp_path / "out"
    lock = live_lock(output, os.getpid())  # this very process: alive
    with pytest.raises(BatchLocked) as caught:
        run(inputs, output)
    message = str(caught.value)
    assert str(lock) in message and str(os.getpid()) in message and "另一次运行" in message
    assert caught.value.pid == os.getpid()
    assert lock.exists() and not (output / MANIFEST_NAME).exists()
    # through the command line: exit 2 and the message
    assert cli.main(["run", str(inputs), "-o", str(output), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "另一次运行" in err and str(lock) in err


def test_a_stale_lock_is_taken_over_with_a_log_line(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    output = tmp_path / "out"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    live_lock(output, gone.pid)
    result = run(inputs, output)
    assert result.exit_code == 0
    assert not (output / LOCK_NAME).exists()
    assert "接管了过期的锁文件" in (output / LOG_NAME).read_text(encoding="utf-8")
    assert any("接管" in line for line in result.summary_lines())


# ---- the superseded rule -------------------------------------------------------------------------------------------

def test_the_most_recently_modified_file_of_a_project_counts(tmp_path):
    old = project_data("道路养护", "公路站", "交通局", spent=90)
    new = project_data("道路养护", "公路站", "交通局", spent=99)
    inputs = write_inputs(tmp_path / "in", {"z_first.xlsx": old, "a_resubmitted.xlsx": new})
    os.utime(inputs / "z_first.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(inputs / "a_resubmitted.xlsx", (1_700_100_000, 1_700_100_000))
    result = run(inputs, tmp_path / "out")
    assert result.exit_code == 0
    entries = by_name(tmp_path / "out")
    winner, loser = entries["a_resubmitted.xlsx"], entries["z_first.xlsx"]
    assert winner["status"] == "ok" and winner["全年执行数"] == "99.00" and winner["outputs"]
    assert loser["status"] == "superseded" and loser["outputs"] == {} and loser["folder"] == ""
    assert loser["superseded_by"] == winner["path"]
    for e in (winner, loser):
        warning = next(p for p in e["problems"] if p["code"] == "file-superseded")
        assert warning["severity"] == "警告"
        assert "a_resubmitted.xlsx" in warning["message"] and "z_first.xlsx" in warning["message"]
    assert result.counts["superseded"] == 1
    # a rerun keeps the decision, and when the newer file goes, the older one counts again
    assert by_name(tmp_path / "out")["z_first.xlsx"]["status"] == run(inputs, tmp_path / "out").entries[1].status
    (inputs / "a_resubmitted.xlsx").unlink()
    run(inputs, tmp_path / "out")
    only = by_name(tmp_path / "out")["z_first.xlsx"]
    assert only["status"] == "ok" and only["全年执行数"] == "90.00" and only["outputs"]
    assert all((tmp_path / "out" / rel).is_file() for rel in only["outputs"].values())
    assert not [p for p in only["problems"] if p["code"] == "file-superseded"]


def saved_by_excel(path: Path, when: str) -> Path:
    """``path`` as if Excel had last saved it at ``when`` (docProps/core.xml's dcterms:modified, W3CDTF)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            zout.writestr(info, data)
    return path


def local(when: str) -> str:
    """A UTC W3CDTF time as the messages show it: local time."""
    from datetime import datetime

    return datetime.fromisoformat(when).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def test_the_workbook_saved_last_counts_not_the_file_copied_last(tmp_path):
    # Copying a folder gave the older workbook, with an error, the newer file time: it must not win.
    older = project_data("道路养护", "公路站", "交通局", weight=40)  # weights total 90: an error
    newer = project_data("道路养护", "公路站", "交通局", spent=99)
    inputs = write_inputs(tmp_path / "in", {"a_older.xlsx": older, "z_newer.xlsx": newer})
    saved_by_excel(inputs / "a_older.xlsx", "2025-03-01T08:00:00Z")
    saved_by_excel(inputs / "z_newer.xlsx", "2025-03-02T09:30:00Z")
    os.utime(inputs / "a_older.xlsx", (1_700_100_000, 1_700_100_000))  # copied last
    os.utime(inputs / "z_newer.xlsx", (1_700_000_000, 1_700_000_000))
    result = run(inputs, tmp_path / "out")
    assert result.exit_code == 0 and result.counts["superseded"] == 1 and result.counts["has-errors"] == 0
    entries = by_name(tmp_path / "out")
    winner, loser = entries["z_newer.xlsx"], entries["a_older.xlsx"]
    assert winner["status"] == "ok" and winner["全年执行数"] == "99.00"
    assert loser["status"] == "superseded" and loser["superseded_by"] == winner["path"]
    from datetime import datetime

    assert datetime.fromisoformat(winner["saved_at"]) == datetime.fromisoformat("2025-03-02T09:30:00+00:00")
    assert datetime.fromisoformat(loser["saved_at"]) == datetime.fromisoformat("2025-03-01T08:00:00+00:00")
    assert winner["newest_by"] == loser["newest_by"] == "saved_at"
    loser_time = datetime.fromtimestamp(1_700_100_000).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    message = next(p["message"] for p in loser["problems"] if p["code"] == "file-superseded")
    assert f"保存于 {local('2025-03-01T08:00:00+00:00')}，文件修改时间 {loser_time}" in message
    assert f"保存于 {local('2025-03-02T09:30:00+00:00')}" in message and "最后保存时间" in message
    message = next(p["message"] for p in winner["problems"] if p["code"] == "file-superseded")
    assert "a_older.xlsx" in message and "以本文件“" in message and "最后保存时间" in message
    # the log gives each file one status, the final one
    lines = (tmp_path / "out" / LOG_NAME).read_text(encoding="utf-8").splitlines()
    older_statuses = [line.split("a_older.xlsx：", 1)[1] for line in lines if "a_older.xlsx：" in line]
    assert older_statuses[0] == "已读取" and older_statuses[1].startswith("已被新版本替代（以 ")
    assert len(older_statuses) == 2 and not any(s.startswith(("通过", "有错误")) for s in older_statuses)


def test_equal_saved_times_fall_back_to_the_file_time_then_the_path(tmp_path):
    data = project_data("道路养护", "公路站", "交通局")
    inputs = write_inputs(tmp_path / "in", {"a.xlsx": data, "b.xlsx": data, "c.xlsx": data})
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        saved_by_excel(inputs / name, "2025-03-01T08:00:00Z")
    os.utime(inputs / "a.xlsx", (1_700_100_000, 1_700_100_000))
    os.utime(inputs / "b.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(inputs / "c.xlsx", (1_700_000_000, 1_700_000_000))
    run(inputs, tmp_path / "out")
    entries = by_name(tmp_path / "out")
    assert [entries[n]["status"] for n in ("a.xlsx", "b.xlsx", "c.xlsx")] == ["ok", "superseded", "superseded"]
    assert entries["a.xlsx"]["newest_by"] == "modified" and entries["b.xlsx"]["newest_by"] == "modified"
    assert "保存时间相同，以文件修改时间最新者为准" in entries["b.xlsx"]["problems"][-1]["message"]
    (inputs / "a.xlsx").unlink()
    run(inputs, tmp_path / "out")
    entries = by_name(tmp_path / "out")
    assert entries["c.xlsx"]["status"] == "ok" and entries["b.xlsx"]["status"] == "superseded"
    assert entries["b.xlsx"]["newest_by"] == "path" and "以路径排序在后者为准" in entries["b.xlsx"]["problems"][-1]["message"]


def test_a_project_in_one_file_has_no_newest_by(generated, tmp_path):
    run(copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"]), tmp_path / "out")
    entry = by_name(tmp_path / "out")["a_优.xlsx"]
    assert entry["newest_by"] == "" and entry["saved_at"].startswith("2025-01-01")  # xlsxwriter's fixed time


def test_the_saved_time_is_read_from_xls_and_ods_too(tmp_path):
    import struct
    from datetime import datetime, timezone

    from hostile_files import cfb_container, rewrite_zip, to_ods, to_xls
    from perfeval.prescan import _Cfb
    from perfeval.reader import read_workbook

    from builders import build_workbook

    source = build_workbook(tmp_path / "source.xlsx")
    meta = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            b"<office:meta><meta:creation-date>2024-01-01T00:00:00</meta:creation-date>"
            b"<dc:date>2025-03-04T10:11:12.123456789</dc:date></office:meta></office:document-meta>")
    ods = rewrite_zip(to_ods(source, tmp_path / "plain.ods"), tmp_path / "saved.ods", extra={"meta.xml": meta})
    assert read_workbook(ods).project.saved_at == datetime(2025, 3, 4, 10, 11, 12, 123456).astimezone()
    assert read_workbook(tmp_path / "plain.ods").project.saved_at is None  # says nothing: the file's time counts

    # .xls: PIDSI_LASTSAVE_DTM (13) of the SummaryInformation property set, a FILETIME
    when = datetime(2025, 3, 5, 6, 7, 8, tzinfo=timezone.utc)
    ticks = int((when - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 10_000_000
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    section = struct.pack("<II", 8 + 8 + 12, 1) + struct.pack("<II", 13, 16) + struct.pack("<HHQ", 0x40, 0, ticks)
    summary = struct.pack("<HHI16sI", 0xFFFE, 0, 0x20006, bytes(16), 1) + fmtid + struct.pack("<I", 48) + section
    workbook = _Cfb(to_xls(source, tmp_path / "plain.xls").read_bytes()).stream("Workbook")
    xls = tmp_path / "saved.xls"
    xls.write_bytes(cfb_container({"Workbook": workbook, "\x05SummaryInformation": summary}))
    project = read_workbook(xls).project
    assert project.saved_at == when and project.name == "公共资源交易中心运转经费"
    assert read_workbook(tmp_path / "plain.xls").project.saved_at is None


# ---- a renamed 基本信息 -------------------------------------------------------------------------------------------

def test_a_renamed_info_sheet_still_names_groups_and_addresses_the_project(tmp_path):
    from builders import build_workbook, seed_rows
    from perfeval.mail import run_mail

    inputs = tmp_path / "in"
    inputs.mkdir()
    build_workbook(inputs / "renamed.xlsx", sheet_names={"基本信息": "基本信息(1)"})
    no_mail = seed_rows()
    no_mail["info"].update({"项目名称": "档案数字化", "联系邮箱": ""})
    build_workbook(inputs / "renamed_no_mail.xlsx", no_mail, sheet_names={"基本信息": "基本信息(1)"})
    gone = seed_rows()
    gone["info"]["项目名称"] = "道路养护"
    build_workbook(inputs / "no_info.xlsx", gone, skip_sheets=("基本信息",))
    result = run(inputs, tmp_path / "out")
    entries = by_name(tmp_path / "out")
    entry = entries["renamed.xlsx"]
    assert (entry["评价年度"], entry["主管部门"], entry["实施单位"], entry["项目名称"], entry["联系邮箱"]) == (
        "2025", "审批局", "审批局", "公共资源交易中心运转经费", "spj@example.gov.cn")
    assert entry["folder"] == "2025_审批局_公共资源交易中心运转经费"
    # the error stays, with its suggestion, and nothing else is reported from the sheet under the wrong name
    assert entry["status"] == "has-errors"
    assert [(p["code"], p["sheet"]) for p in entry["problems"] if p["severity"] == "错误"] == [
        ("sheet-near-namesake", "基本信息(1)")]
    assert "请将其改名为“基本信息”" in entry["problems"][0]["message"]
    assert result.exit_code == 1
    mail = run_mail(tmp_path / "out", Config())
    chased = {c.file: c for c in mail.chase}
    assert "renamed.xlsx" not in {Path(f).name for f in chased}  # its address and department are known
    assert any(Path(m.source).name == "renamed.xlsx" for m in mail.messages)
    no_address = next(c for f, c in chased.items() if Path(f).name == "renamed_no_mail.xlsx")
    assert (no_address.category, no_address.department) == ("无联系邮箱", "审批局")
    no_sheet = [c for f, c in chased.items() if Path(f).name == "no_info.xlsx"]
    reasons = {c.category: c.reason for c in mail.chase if Path(c.file).name == "no_info.xlsx"}
    assert no_sheet and set(reasons) == {"无联系邮箱", "未填主管部门"}
    assert all("缺少必填工作表“基本信息”" in reason for reason in reasons.values())


# ---- what an unattended run meets --------------------------------------------------------------------------------

def test_an_output_folder_inside_the_input_folder_is_not_read_as_input(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    run(inputs, inputs / "output")
    result = run(inputs, inputs / "output")
    assert [e.name for e in result.entries] == ["a_优.xlsx"] and result.reused == 1


def test_an_output_that_cannot_be_replaced_is_kept_and_done_again_next_time(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx", "c_中.xlsx"])
    output = tmp_path / "out"
    run(inputs, output)
    md = output / by_name(output)["a_优.xlsx"]["outputs"]["report_md"]
    md.unlink()
    md.mkdir()  # os.replace onto a folder fails, as onto a file open in Word on Windows
    result = run(inputs, output, Config.from_dict({"scoring": {"prose_decimals": 2}}))
    entry = by_name(output)["a_优.xlsx"]
    assert entry["complete"] is False and "report_md" not in entry["outputs"] and result.exit_code == 0
    assert "无法替换" in (output / LOG_NAME).read_text(encoding="utf-8")
    md.rmdir()
    run(inputs, output, Config.from_dict({"scoring": {"prose_decimals": 2}}))
    entries = by_name(output)
    assert entries["a_优.xlsx"]["reused"] is False and entries["a_优.xlsx"]["complete"] is True and md.is_file()
    assert entries["c_中.xlsx"]["reused"] is True


def test_a_summary_open_elsewhere_is_reported_and_the_run_exits_1(generated, tmp_path, monkeypatch):
    import perfeval.batch as batch

    def refuse(path, entries, config, flags=None, **options):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(batch.run, "write_summary", refuse)
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    result = run(inputs, tmp_path / "out")
    assert result.exit_code == 1 and (tmp_path / "out" / MANIFEST_NAME).is_file()
    assert any("汇总表" in line and "未能更新" in line for line in result.summary_lines())


@pytest.mark.skipif(sys.platform != "linux", reason="the patched worker is inherited by fork")
def test_a_workbook_that_kills_its_worker_is_unreadable_and_the_batch_goes_on(generated, tmp_path, monkeypatch):
    import perfeval.batch as batch

    real = batch.worker.evaluate_file

    def crash_on_one(path, config, name=None, targets=None):
        if name == "c_中.xlsx":
            os._exit(3)  # as a crash inside a native library would
        return real(path, config, name)

    monkeypatch.setattr(batch.worker, "evaluate_file", crash_on_one)
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx", "b_良.xlsx", "c_中.xlsx", "d_差.xlsx"])
    result = run(inputs, tmp_path / "out", workers=2)
    statuses = {e.name: e.status for e in result.entries}
    assert statuses == {"a_优.xlsx": "ok", "b_良.xlsx": "ok", "c_中.xlsx": "unreadable", "d_差.xlsx": "ok"}
    assert "工作进程异常退出" in by_name(tmp_path / "out")["c_中.xlsx"]["problems"][0]["message"]
    assert result.exit_code == 1 and leftovers(tmp_path / "out") == []


@pytest.mark.skipif(sys.platform != "linux", reason="the patched worker is inherited by fork")
def test_after_a_worker_crash_the_rest_of_the_batch_runs_on_a_fresh_pool(generated, tmp_path, monkeypatch):
    import perfeval.batch as batch

    real_evaluate, real_alone = batch.worker.evaluate_file, batch.jobs.alone
    alone: list[str] = []

    def crash_on_one(path, config, name=None, targets=None):
        if name == "0_a.xlsx":
            os._exit(3)
        return real_evaluate(path, config, name)

    def counted(executor, job, remote):
        alone.append(job.kwargs["name"])
        return real_alone(executor, job, remote)

    monkeypatch.setattr(batch.worker, "evaluate_file", crash_on_one)
    monkeypatch.setattr(batch.jobs, "alone", counted)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(10):
        shutil.copy2(generated / "a_优.xlsx", inputs / f"{i}_a.xlsx")
    result = run(inputs, tmp_path / "out", workers=2)
    assert result.counts["unreadable"] == 1 and result.counts["ok"] == 1 and result.counts["superseded"] == 8
    # only the jobs in flight when the pool broke (at most 2 × workers) are retried one by one, not the rest
    assert "0_a.xlsx" in alone and len(alone) <= 4


@pytest.mark.parametrize("template", ["missing.docx", "not_a_docx.docx"])
def test_an_unusable_word_template_stops_the_run_and_is_not_blamed_on_the_workbooks(generated, tmp_path, capsys,
                                                                                    template):
    (tmp_path / "not_a_docx.docx").write_bytes(b"not a zip")
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    config = tmp_path / "perfeval.toml"
    config.write_text(f'[report]\ndocx_template = "{(tmp_path / template).as_posix()}"\n', encoding="utf-8")
    code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--config", str(config), "--workers", "1"])
    assert code == 2 and "docx_template" in capsys.readouterr().err
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()  # no workbook reported with errors it does not have


# ---- the command line ----------------------------------------------------------------------------------------------

def test_perfeval_run_prints_the_summary_lines_and_a_line_per_file(generated, tmp_path, capsys):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx", "f_错.xlsx"])
    code = cli.main(["run", str(inputs), "-o", str(tmp_path / "out"), "--workers", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "共 2 个文件：通过 1，有错误 1。" in out and "f_错.xlsx：有错误" in out
    assert "a_优.xlsx：通过" in err  # no terminal: plain lines instead of the progress bar


def test_the_bundled_examples_are_a_clean_batch(tmp_path, capsys):
    examples = Path(__file__).resolve().parent.parent / "input_templates" / "examples"
    assert cli.main(["run", str(examples), "-o", str(tmp_path / "out")]) == 0
    entries = manifest(tmp_path / "out")["files"]
    assert len(entries) >= 5 and {e["status"] for e in entries} == {"ok"}
    assert all(e["problem_counts"] == {"错误": 0, "警告": 0, "提示": 0} for e in entries)


def test_a_lock_that_cannot_be_checked_is_taken_over_only_when_old(generated, tmp_path):
    inputs = copy_inputs(generated, tmp_path / "in", ["a_优.xlsx"])
    output = tmp_path / "out"
    lock = live_lock(output, 4242, host="another-host")
    with pytest.raises(BatchLocked):
        run(inputs, output)
    os.utime(lock, (1_700_000_000, 1_700_000_000))  # untouched for long
    assert run(inputs, output).exit_code == 0 and not lock.exists()
