"""perfeval email: the messages each unit and department gets, delivered to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import email
import hashlib
import io
import json
import os
import re
import ssl
import zipfile
from email import policy
from pathlib import Path

import openpyxl
import pytest
import trustme

from perfeval import cli
from perfeval.config import Config, load_config
from perfeval.mail import MailError, run_mail
from perfeval.mail.smtp import _tls_failure
from smtp_server import (ERROR_ADDRESS, OK_ADDRESS, corrected_data, error_data, free_port, no_address_data, ok_data,
                         run, smtp_server, write_inputs)

SENDER = "财政局绩效科 <jxk@czj.example.gov.cn>"
DEPARTMENT_ADDRESS = "office@spj.example.gov.cn"
OK_PROJECT, ERROR_PROJECT = "公共资源交易中心运转经费", "校舍维修经费"
FAST = {"base_delay": 0.01, "timeout": 10}


@pytest.fixture
def server():
    with smtp_server() as (handler, port):
        yield handler, port


@pytest.fixture
def inputs(tmp_path) -> Path:
    return write_inputs(tmp_path / "inputs", {"a.xlsx": ok_data(), "b.xlsx": error_data(),
                                              "c.xlsx": no_address_data(), "d.xlsx": b"not a workbook"})


@pytest.fixture
def output(tmp_path, inputs) -> Path:
    return run(inputs, tmp_path / "output")


def mail_config(port: int = 25, **mail) -> Config:
    settings = {"smtp_host": "127.0.0.1", "smtp_port": port, "sender": SENDER, "tls": "none",
                "departments": {"审批局": DEPARTMENT_ADDRESS}} | mail
    return Config.from_dict({"mail": settings})


def entry(output: Path, name: str) -> dict:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    return next(e for e in manifest["files"] if Path(e["path"]).name == name)


def body_of(msg) -> str:
    """The text of a message (in canonical form its lines end in CRLF)."""
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def attachments(msg) -> dict[str, bytes]:
    return {a.get_filename(): a.get_content() for a in msg.iter_attachments()}


def only_message(handler, address: str):
    messages = handler.messages_to(address)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def chase_rows(output: Path) -> list[dict]:
    data = (output / "outbox" / "待跟进清单.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    return list(csv.DictReader(data.decode("utf-8-sig").splitlines()))


def ledger(output: Path) -> list[dict]:
    return [json.loads(line) for line in (output / "outbox" / "sent.jsonl").read_text(encoding="utf-8").splitlines()]


# ---- what is sent --------------------------------------------------------------------------------------------

def test_each_unit_gets_its_results_or_its_problems(server, output):
    handler, port = server
    result = run_mail(output, mail_config(port), send=True, **FAST)
    assert result.exit_code == 0
    assert {tuple(r.rcpt_tos) for r in handler.received} == {(OK_ADDRESS,), (ERROR_ADDRESS,), (DEPARTMENT_ADDRESS,)}
    assert {r.mail_from for r in handler.received} == {"jxk@czj.example.gov.cn"}

    ok = only_message(handler, OK_ADDRESS)
    assert ok["To"] == OK_ADDRESS and ok["From"].addresses[0].display_name == "财政局绩效科"
    assert ok["Subject"] == f"【绩效自评结果】2025年度 审批局：{OK_PROJECT}"
    body = body_of(ok)
    assert "已通过校验，自评得分97.27分，评价等级“优”" in body
    outputs = entry(output, "a.xlsx")["outputs"]
    assert attachments(ok) == {f"{OK_PROJECT}_绩效自评表.xlsx": (output / outputs["table"]).read_bytes(),
                               f"{OK_PROJECT}_绩效自评报告.docx": (output / outputs["report_docx"]).read_bytes()}

    bad = only_message(handler, ERROR_ADDRESS)
    assert bad["Subject"] == f"【请修改后重新报送】2025年度 第一中学：{ERROR_PROJECT}（1处错误）"
    body = body_of(bad)
    problem = entry(output, "b.xlsx")["problems"][0]
    assert f"[错误] 支出明细!{problem['cell']}  {problem['message']}" in body
    assert "修改后重新报送" in body
    annotated = entry(output, "b.xlsx")["outputs"]["annotated"]
    assert attachments(bad) == {Path(annotated).name: (output / annotated).read_bytes()}
    assert "标注版" in Path(annotated).name

    summary = only_message(handler, DEPARTMENT_ADDRESS)
    assert summary["Subject"] == "【绩效自评汇总】审批局所属项目（共1个）"
    workbook = output / "outbox" / "departments" / "审批局_绩效自评汇总.xlsx"
    assert attachments(summary) == {workbook.name: workbook.read_bytes()}
    rows = list(openpyxl.load_workbook(workbook)["项目汇总"].values)
    assert [r[3] for r in rows[1:]] == [OK_PROJECT]  # the department's own projects only

    assert result.summary_lines()[0].startswith("已发送 3 封邮件")


def test_what_cannot_be_sent_goes_on_the_chase_list(server, output):
    handler, port = server
    result = run_mail(output, mail_config(port), send=True, **FAST)
    rows = {(r["类别"], r["项目名称"] or r["主管部门"] or Path(r["文件"]).name) for r in chase_rows(output)}
    assert rows == {("无联系邮箱", "档案数字化经费"), ("文件无法读取", "d.xlsx"), ("主管部门未配置邮箱", "教育局")}
    text = "\n".join(result.summary_lines())
    assert "待跟进 3 项" in text and "档案数字化经费" in text and "d.xlsx" in text and "教育局" in text


def test_a_refused_recipient_does_not_stop_the_others(server, output):
    handler, port = server
    handler.refuse = {OK_ADDRESS}
    result = run_mail(output, mail_config(port), send=True, **FAST)
    assert result.exit_code == 1
    assert handler.messages_to(ERROR_ADDRESS) and handler.messages_to(DEPARTMENT_ADDRESS)
    assert [(f.recipient, f.reason[:3]) for f in result.failed] == [(OK_ADDRESS, "550")]
    assert ("发送失败", OK_PROJECT, OK_ADDRESS) in {(r["类别"], r["项目名称"], r["邮箱"]) for r in chase_rows(output)}
    assert OK_ADDRESS not in {to for e in ledger(output) for to in e["to"]}
    assert any(OK_ADDRESS in line and "550" in line for line in result.summary_lines())

    handler.refuse = set()  # the address is fixed: the next run sends what failed, and only that
    handler.received.clear()
    again = run_mail(output, mail_config(port), send=True, **FAST)
    assert again.exit_code == 0
    assert [r.rcpt_tos for r in handler.received] == [[OK_ADDRESS]]


@pytest.mark.parametrize("failure", ["fail_first", "drop_first"])
def test_a_transient_failure_is_retried(server, output, failure):
    handler, port = server
    setattr(handler, failure, 2)  # 421, or the connection dropped, twice
    result = run_mail(output, mail_config(port, max_retries=3), send=True, **FAST)
    assert result.exit_code == 0, result.summary_lines()
    assert len(handler.received) == 3 and handler.attempts == 5
    assert len(handler.messages_to(OK_ADDRESS)) == 1  # retried, not doubled


def test_retries_give_up_after_max_retries(server, output):
    handler, port = server
    handler.fail_first = 2
    result = run_mail(output, mail_config(port, max_retries=1), send=True, **FAST)
    assert result.exit_code == 1
    assert [(f.recipient, f.reason[:3]) for f in result.failed] == [(OK_ADDRESS, "421")]
    assert len(handler.received) == 2  # the others still went out


def test_an_unreachable_server_fails_every_message_at_once(output):
    result = run_mail(output, mail_config(free_port(), max_retries=2), send=True, **FAST)
    assert result.exit_code == 1
    assert len(result.failed) == 3 and all("无法连接邮件服务器" in f.reason for f in result.failed)
    assert not (output / "outbox" / "sent.jsonl").exists()


# ---- one story per project, in the unit's own words ---------------------------------------------------------

EDU_ADDRESS = "jyj@example.gov.cn"


def test_a_project_with_errors_has_no_score_or_grade_in_any_mail(server, output, tmp_path):
    handler, port = server
    assert (entry(output, "b.xlsx")["得分"], entry(output, "b.xlsx")["等级"]) == ("97.27", "优")  # not a result
    departments = {"审批局": DEPARTMENT_ADDRESS, "教育局": EDU_ADDRESS}
    run_mail(output, mail_config(port, departments=departments), send=True, **FAST)
    assert body_of(only_message(handler, EDU_ADDRESS)) == (
        "教育局：\n\n"
        "附件为贵部门所属项目的支出绩效自评汇总表，共2个项目，有错误1个，通过1个：\n"
        f"  1. 第一中学：{ERROR_PROJECT}（有错误，错误1处）\n"
        "  2. 档案馆：档案数字化经费（通过，得分97.27，等级优）\n\n"
        "其中1个项目的填报表有错误，其结果未计入汇总表的部门汇总；已另行通知实施单位修改后重新报送。\n\n"
        "此邮件由绩效自评批量工具自动发送，如有疑问请直接回复。\n")
    assert "97.27" not in body_of(only_message(handler, ERROR_ADDRESS))

    handler.received.clear()  # nor in a bureau's own templates
    (tmp_path / "body.j2").write_text("{% block project_errors %}[{{ score }}|{{ grade }}]{% endblock %}"
                                      "{% block department %}{% for p in projects %}[{{ p.score }}|{{ p.grade }}]"
                                      "{% endfor %}{% endblock %}", encoding="utf-8")
    config = mail_config(port, departments=departments, body_template=str(tmp_path / "body.j2"))
    run_mail(output, config, send=True, resend=True, **FAST)
    assert body_of(only_message(handler, ERROR_ADDRESS)) == "[|]\n"
    assert body_of(only_message(handler, EDU_ADDRESS)) == "[|][97.27|优]\n"


def sheet_rows(data: bytes, sheet: str) -> list[dict]:
    """A sheet of a workbook (its bytes) as rows by header."""
    rows = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True)[sheet].values)
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_department_summary_attached_has_no_score_or_grade_for_a_project_with_errors(server, output):
    handler, port = server
    run_mail(output, mail_config(port, departments={"教育局": EDU_ADDRESS}), send=True, **FAST)
    (data,) = attachments(only_message(handler, EDU_ADDRESS)).values()
    projects = {r["项目名称"]: r for r in sheet_rows(data, "项目汇总")}
    assert (projects[ERROR_PROJECT]["得分"], projects[ERROR_PROJECT]["等级"]) == (None, None)
    assert projects[ERROR_PROJECT]["状态"] == "有错误" and projects[ERROR_PROJECT]["错误数"] == 1
    assert (projects["档案数字化经费"]["得分"], projects["档案数字化经费"]["等级"]) == (97.27, "优")
    indicators = sheet_rows(data, "指标明细")
    assert {r["得分"] for r in indicators if r["项目名称"] == ERROR_PROJECT} == {None}
    assert None not in {r["得分"] for r in indicators if r["项目名称"] == "档案数字化经费"}
    assert {r["分值"] for r in indicators if r["项目名称"] == ERROR_PROJECT} != {None}  # weights are no result

    # the bureau's own summary of the batch shows what the run computed
    bureau = {r["项目名称"]: r for r in sheet_rows((output / "绩效自评汇总.xlsx").read_bytes(), "项目汇总")}
    assert (bureau[ERROR_PROJECT]["得分"], bureau[ERROR_PROJECT]["等级"]) == (97.27, "优")


def test_a_unit_sees_its_own_file_names_never_the_bureau_folders(server, tmp_path):
    handler, port = server
    inbox = tmp_path / "收件箱"
    first = write_inputs(inbox / "01_第一中学", {"b.xlsx": error_data()}) / "b.xlsx"
    again = write_inputs(inbox / "07_补报", {"b2.xlsx": error_data()}) / "b2.xlsx"  # the same project, later
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(again, (1_700_086_400, 1_700_086_400))
    output = run(inbox, tmp_path / "output")
    winner = entry(output, "b2.xlsx")
    assert winner["status"] == "has-errors" and entry(output, "b.xlsx")["status"] == "superseded"
    notice = next(p for p in winner["problems"] if p["code"] == "file-superseded")
    assert "收件箱/01_第一中学/b.xlsx" in notice["message"]  # the bureau's own texts keep its paths

    (tmp_path / "body.j2").write_text("{% block project_errors %}{% for p in problems %}{{ p.file }}|{{ p.message }}\n"
                                      "{% endfor %}{% endblock %}", encoding="utf-8")
    run_mail(output, mail_config(port, body_template=str(tmp_path / "body.j2")), send=True, **FAST)
    mail = only_message(handler, ERROR_ADDRESS)
    text = body_of(mail)
    assert "收件箱" not in text and "01_第一中学" not in text and "07_补报" not in text
    unit_notice = notice["message"]
    for e in (winner, entry(output, "b.xlsx")):
        unit_notice = unit_notice.replace(e["path"], Path(e["path"]).name)
    assert f"b2.xlsx|{unit_notice}\n" in text
    assert "本文件“b.xlsx”" in unit_notice or "“b.xlsx”" in unit_notice


# ---- who asks, by when, and where to reply ---------------------------------------------------------------------

ASK = {"bureau": "XX区财政局绩效管理科", "deadline": "2026年1月15日", "reply_to": "tb@czj.example.gov.cn"}


def errors_body(resubmit: str, bureau: str) -> str:
    problem = "支出明细合计 24.93 万元与资金情况的全年执行数 23.93 万元不符（相差 1 万元）。请核对各项支出金额，使其合计等于全年执行数。"
    return ("第一中学：\n\n"
            f"贵单位报送的“{ERROR_PROJECT}”项目支出绩效自评填报表（b.xlsx）经校验发现1处错误，暂不能形成评价结果。"
            "请按以下清单逐项修改后重新报送：\n"
            f"  1. [错误] 支出明细!B2:B7  {problem}（填写值：24.93）\n\n"
            "附件“b_标注版.xlsx”是贵单位填报表的标注版，有问题的单元格已标出并附批注，可直接在其中修改后报送。\n\n" +
            (f"{resubmit}\n\n" if resubmit else "") +
            "此邮件由绩效自评批量工具自动发送，如有疑问请直接回复。\n" + (f"\n{bureau}\n" if bureau else ""))


@pytest.mark.parametrize("keys, resubmit", [
    (("bureau", "deadline", "reply_to"), "请于2026年1月15日前将修改后的填报表发送至 tb@czj.example.gov.cn。"),
    (("deadline",), "请于2026年1月15日前将修改后的填报表重新报送。"),
    (("bureau", "reply_to"), "请将修改后的填报表发送至 tb@czj.example.gov.cn。"),
    ((), ""),
], ids=["all", "deadline", "bureau-reply_to", "none"])
def test_a_request_to_fix_names_who_asks_by_when_and_where_to_reply(server, output, keys, resubmit):
    handler, port = server
    settings = {k: ASK[k] for k in keys}
    run_mail(output, mail_config(port, **settings), send=True, **FAST)
    mail = only_message(handler, ERROR_ADDRESS)
    assert body_of(mail) == errors_body(resubmit, settings.get("bureau", ""))
    assert mail["Reply-To"] == settings.get("reply_to")
    ok = body_of(only_message(handler, OK_ADDRESS))  # asks for nothing: no deadline; signed by the bureau
    assert "请于" not in ok and ok.endswith("直接回复。\n" + (f"\n{ASK['bureau']}\n" if "bureau" in keys else ""))


def test_a_result_with_warnings_says_by_when_a_correction_is_due(server, tmp_path):
    handler, port = server
    data = ok_data()
    data["info"]["预算执行偏差原因"] = ""  # a warning (a low execution rate, unexplained): the project still passes
    output = run(write_inputs(tmp_path / "inputs", {"a.xlsx": data}), tmp_path / "output")
    assert entry(output, "a.xlsx")["status"] == "ok" and entry(output, "a.xlsx")["problems"]
    run_mail(output, mail_config(port, **ASK), send=True, **FAST)
    body = body_of(only_message(handler, OK_ADDRESS))
    assert "\n\n如需更正，请于2026年1月15日前将修改后的填报表发送至 tb@czj.example.gov.cn。\n\n" in body


def test_an_invalid_reply_to_stops_before_anything_is_written(output):
    with pytest.raises(MailError, match=r"配置 \[mail\] reply_to 不是有效的邮箱地址：财政局"):
        run_mail(output, mail_config(reply_to="财政局"), **FAST)
    assert not list((output / "outbox").glob("*.eml"))


# ---- the ledger --------------------------------------------------------------------------------------------

def test_a_second_send_sends_nothing_and_resend_sends_again(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    assert len(handler.received) == 3
    second = run_mail(output, mail_config(port), send=True, **FAST)
    assert len(handler.received) == 3 and second.exit_code == 0
    assert len(second.already_sent) == 3 and not second.sent
    assert "已发送过相同附件，本次跳过 3 封" in "\n".join(second.summary_lines())
    third = run_mail(output, mail_config(port), send=True, resend=True, **FAST)
    assert len(handler.received) == 6 and len(third.sent) == 3


def test_the_ledger_records_each_delivery(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    entries = ledger(output)
    assert [e["to"] for e in entries] == [[OK_ADDRESS], [ERROR_ADDRESS], [DEPARTMENT_ADDRESS]]
    first = entries[0]
    assert first["kind"] == "project_ok" and first["subject"].startswith("【绩效自评结果】")
    assert first["reply"].startswith("250")
    sent = attachments(only_message(handler, OK_ADDRESS))
    assert {a["name"]: a["sha256"] for a in first["attachments"]} == \
        {name: hashlib.sha256(data).hexdigest() for name, data in sent.items()}
    assert first["time"] and first["message_id"].startswith("<")


def test_a_ledger_line_cut_short_by_a_crash_loses_only_itself(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    path = output / "outbox" / "sent.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"time": "2026-01-01T00:00:00+08:00", "to": ["x@')  # the process died here
    second = run_mail(output, mail_config(port), send=True, **FAST)
    assert len(handler.received) == 3 and len(second.already_sent) == 3
    assert "1 行无法读取" in "\n".join(second.summary_lines())
    run_mail(output, mail_config(port), send=True, resend=True, **FAST)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and all(json.loads(line) for line in lines[4:])  # new entries on lines of their own


def rezip(path: Path) -> None:
    """Write an Office file again as a later run would: the same parts, other timestamps and creation date."""
    with zipfile.ZipFile(path) as archive:
        parts = [(name, archive.read(name)) for name in archive.namelist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2031-01-01T00:00:00Z", data)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2031, 1, 1, 0, 0, 0)), data)


def test_the_same_results_written_again_are_not_sent_again(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    for kind in ("table", "report_docx"):
        path = output / entry(output, "a.xlsx")["outputs"][kind]
        before = path.read_bytes()
        rezip(path)
        assert path.read_bytes() != before
    handler.received.clear()
    result = run_mail(output, mail_config(port), send=True, **FAST)
    assert not handler.received and len(result.already_sent) == 3


def test_a_corrected_workbook_is_sent_again(server, inputs, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    write_inputs(inputs, {"b.xlsx": corrected_data()})  # the unit fixed its spending lines
    run(inputs, output)
    handler.received.clear()
    result = run_mail(output, mail_config(port), send=True, **FAST)
    assert [r.rcpt_tos for r in handler.received] == [[ERROR_ADDRESS]]
    fixed = handler.received[0].message
    assert fixed["Subject"] == f"【绩效自评结果】2025年度 第一中学：{ERROR_PROJECT}"
    assert set(attachments(fixed)) == {f"{ERROR_PROJECT}_绩效自评表.xlsx", f"{ERROR_PROJECT}_绩效自评报告.docx"}
    assert len(result.already_sent) == 2  # the unchanged project and the unchanged department summary


# ---- the dry run -------------------------------------------------------------------------------------------

def test_the_dry_run_writes_eml_files_that_are_the_messages(server, output, tmp_path):
    handler, port = server
    result = run_mail(output, mail_config(port), **FAST)
    assert result.exit_code == 0 and not handler.received
    outbox = output / "outbox"
    names = sorted(p.name for p in outbox.glob("*.eml"))
    assert names == [f"001_审批局_{OK_PROJECT}.eml", f"002_第一中学_{ERROR_PROJECT}.eml", "003_审批局_汇总.eml"]
    assert not (outbox / "sent.jsonl").exists()
    assert "试运行，未发送" in result.summary_lines()[0]

    def view(msg):
        return msg["To"], msg["Subject"], body_of(msg), attachments(msg)

    drafts = [view(email.message_from_bytes((outbox / n).read_bytes(), policy=policy.default)) for n in names]
    run_mail(output, mail_config(port), send=True, **FAST)
    assert drafts == [view(r.message) for r in handler.received]


def test_a_dry_run_after_sending_shows_only_what_is_new(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    result = run_mail(output, mail_config(port), **FAST)
    assert not list((output / "outbox").glob("*.eml")) and len(result.already_sent) == 3



def test_a_dry_run_replaces_the_eml_files_of_a_batch_of_a_thousand_messages_and_more(output):
    outbox = output / "outbox"
    outbox.mkdir()
    for old in ("999_甲_项目.eml", "1000_乙_项目.eml", "12345_丙_项目.eml"):  # numbered past 999 by a larger run
        (outbox / old).write_bytes(b"")
    (outbox / "说明.eml").write_bytes(b"")  # not one of ours
    run_mail(output, mail_config(), **FAST)
    names = sorted(p.name for p in outbox.glob("*.eml"))
    assert names == [f"001_审批局_{OK_PROJECT}.eml", f"002_第一中学_{ERROR_PROJECT}.eml", "003_审批局_汇总.eml",
                     "说明.eml"]

# ---- attachment names -----------------------------------------------------------------------------------------

def test_chinese_attachment_names_are_rfc2231_with_an_rfc2047_fallback(server, output):
    handler, port = server
    run_mail(output, mail_config(port, ascii_filenames=True), send=True, **FAST)
    raw = next(r.data for r in handler.received if OK_ADDRESS in r.rcpt_tos)
    assert raw.isascii()
    assert b"filename*=utf-8''" in raw or b"filename*0*=utf-8''" in raw  # RFC 2231
    assert b'name="=?utf-8?B?' in raw  # RFC 2047 in Content-Type, for Outlook and Foxmail
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998  # the hard limit; a long MIME type alone passes 78
    assert all(len(line) <= 78 for line in lines if b"=?utf-8?B?" in line)
    msg = email.message_from_bytes(raw, policy=policy.default)
    parts = list(msg.iter_attachments())
    assert [p.get_param("name") for p in parts] == [p.get_filename() for p in parts]
    assert parts[1].get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    legacy = email.message_from_bytes(raw, policy=policy.compat32)  # reads Content-Type name like old clients
    names = [str(email.header.make_header(email.header.decode_header(p.get_param("name"))))
             for p in legacy.walk() if p.get_param("name")]
    assert names == [f"{OK_PROJECT}_绩效自评表.xlsx", f"{OK_PROJECT}_绩效自评报告.docx"]


def test_without_ascii_filenames_only_rfc2231(server, output):
    handler, port = server
    run_mail(output, mail_config(port), send=True, **FAST)
    raw = next(r.data for r in handler.received if OK_ADDRESS in r.rcpt_tos)
    assert b"name=" not in raw.replace(b"filename", b"")


# ---- selection and templates ----------------------------------------------------------------------------------

def test_only_limits_to_matching_projects_and_units(server, output):
    handler, port = server
    result = run_mail(output, mail_config(port), send=True, only="第一中学", **FAST)
    assert [r.rcpt_tos for r in handler.received] == [[ERROR_ADDRESS]]
    assert not result.chase
    handler.received.clear()
    run_mail(output, mail_config(port), send=True, only="审批局", **FAST)  # the unit and its department
    assert [r.rcpt_tos for r in handler.received] == [[OK_ADDRESS], [DEPARTMENT_ADDRESS]]
    nothing = run_mail(output, mail_config(port), only="不存在的单位", **FAST)
    assert nothing.summary_lines()[0] == "没有名称含“不存在的单位”的项目或单位"


def test_a_bureau_template_replaces_the_blocks_it_defines(server, output, tmp_path):
    handler, port = server
    (tmp_path / "body.j2").write_text(
        "{% block project_errors %}{{ unit }}同志：请修改{{ problems | length }}处问题。{% endblock %}", encoding="utf-8")
    (tmp_path / "subject.j2").write_text("{% block project_ok %}结果：{{ project }}{% endblock %}", encoding="utf-8")
    config = mail_config(port, body_template=str(tmp_path / "body.j2"), subject_template=str(tmp_path / "subject.j2"))
    run_mail(output, config, send=True, **FAST)
    bad = only_message(handler, ERROR_ADDRESS)
    assert body_of(bad).strip() == "第一中学同志：请修改1处问题。"
    assert bad["Subject"].startswith("【请修改后重新报送】")  # the built-in subject of that kind
    ok = only_message(handler, OK_ADDRESS)
    assert ok["Subject"] == f"结果：{OK_PROJECT}"
    assert "已通过校验" in body_of(ok)  # the built-in body


def test_the_documented_example_template_works(server, output, tmp_path):
    handler, port = server
    docs = (Path(__file__).resolve().parents[1] / "docs" / "email.md").read_text(encoding="utf-8")
    example = re.search(r"```jinja\n(\{% block project_errors %\}.*?)```", docs, re.S).group(1)
    (tmp_path / "邮件正文.j2").write_text(example, encoding="utf-8")
    (tmp_path / "perfeval.toml").write_text(
        f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsender = "jxk@czj.example.gov.cn"\ntls = "none"\n'
        'body_template = "邮件正文.j2"\n', encoding="utf-8")  # relative to the configuration file
    run_mail(output, load_config(tmp_path / "perfeval.toml"), send=True, **FAST)
    body = body_of(only_message(handler, ERROR_ADDRESS))
    assert body.startswith("第一中学：\n\n你单位“校舍维修经费”的绩效自评表有1处错误")
    assert "1. 支出明细!B2:B7 支出明细合计" in body and body.endswith("市财政局绩效管理科\n")


@pytest.mark.parametrize("text, message", [
    ("{% block project_eror %}x{% endblock %}", "未知的块 project_eror"),
    ("{% block project_ok %}{{ projekt }}{% endblock %}", "projekt"),
    ("{% block project_ok %}{{ project {% endblock %}", "语法错误"),
])
def test_a_broken_bureau_template_stops_before_anything_is_sent(server, output, tmp_path, text, message):
    handler, port = server
    (tmp_path / "body.j2").write_text(text, encoding="utf-8")
    with pytest.raises(MailError, match=message):
        run_mail(output, mail_config(port, body_template=str(tmp_path / "body.j2")), send=True, **FAST)
    assert not handler.received


# ---- settings ------------------------------------------------------------------------------------------------

def write_toml(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_send_without_smtp_host_or_sender_exits_2(output, tmp_path, capsys):
    config = write_toml(tmp_path / "perfeval.toml", "[mail]\nsmtp_port = 25\n")
    assert cli.main(["email", str(output), "--send", "--config", config]) == 2
    assert capsys.readouterr().err == \
        "perfeval: 发送邮件需要在配置文件中填写 [mail] smtp_host、[mail] sender（见 docs/email.md）\n"
    config = write_toml(tmp_path / "perfeval.toml", '[mail]\nsmtp_host = "127.0.0.1"\n')
    assert cli.main(["email", str(output), "--send", "--config", config]) == 2
    assert capsys.readouterr().err == "perfeval: 发送邮件需要在配置文件中填写 [mail] sender（见 docs/email.md）\n"
    assert not (output / "outbox" / "sent.jsonl").exists()


NO_SENDER = ("perfeval: 警告：配置文件中未填写 [mail] sender：生成的邮件没有发件人（From），--send 将拒绝发送；"
             "请在 [mail] 中填写 sender（见 docs/email.md）\n")


def test_a_dry_run_without_a_sender_warns(output, tmp_path, capsys):
    config = write_toml(tmp_path / "perfeval.toml", "[mail]\nsmtp_port = 25\n")
    assert cli.main(["email", str(output), "--config", config]) == 0  # the dry run needs no server
    captured = capsys.readouterr()
    assert captured.err == NO_SENDER and captured.out.startswith("试运行，未发送")
    drafts = list((output / "outbox").glob("*.eml"))
    assert drafts and all(email.message_from_bytes(p.read_bytes())["From"] is None for p in drafts)

    config = write_toml(tmp_path / "perfeval.toml", '[mail]\nsender = "jxk@czj.example.gov.cn"\n')
    assert cli.main(["email", str(output), "--config", config]) == 0
    assert capsys.readouterr().err == ""


def test_the_password_comes_only_from_the_environment(server, output, monkeypatch):
    handler, port = server
    monkeypatch.delenv("PERFEVAL_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailError, match="PERFEVAL_SMTP_PASSWORD"):
        run_mail(output, mail_config(port, user="jxk"), send=True, **FAST)
    assert not handler.received


def test_starttls_refused_by_the_server_stops_the_run(server, output):
    handler, port = server
    with pytest.raises(MailError, match="STARTTLS"):
        run_mail(output, mail_config(port, tls="starttls"), send=True, **FAST)
    assert not handler.received


# ---- TLS: the server's certificate, made by the test (trustme) -------------------------------------------------

@pytest.fixture(scope="module")
def authority():
    return trustme.CA()  # a certificate authority of the test's own, trusted by no system


def server_context(authority, name: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    return context


def trusting(authority) -> ssl.SSLContext:
    """What a bureau's machine has once its administrator added the authority to the trusted certificates."""
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd: SMTPS is TLS all along
@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_delivery_over_tls_with_a_login(output, authority, monkeypatch, tls):
    monkeypatch.setenv("PERFEVAL_SMTP_PASSWORD", "s3cret")
    with smtp_server(tls, server_context(authority), password="s3cret") as (handler, port):
        result = run_mail(output, mail_config(port, tls=tls, user="jxk"), send=True, ssl_context=trusting(authority),
                          **FAST)
    assert result.exit_code == 0, result.summary_lines()
    assert [(r.rcpt_tos, r.encrypted, r.login) for r in handler.received] == \
        [([OK_ADDRESS], True, "jxk"), ([ERROR_ADDRESS], True, "jxk"), ([DEPARTMENT_ADDRESS], True, "jxk")]
    assert [e["to"] for e in ledger(output)] == [[OK_ADDRESS], [ERROR_ADDRESS], [DEPARTMENT_ADDRESS]]


REFUSED = {"unknown-authority": "服务器的证书的签发机构不在本机信任的证书中（unable to get local issuer certificate）",
           "other-name": "服务器的证书上的地址与 smtp_host 不符（IP address mismatch, certificate is not valid for "
                         "'127.0.0.1'.）"}


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_certificate_stops_before_anything_is_sent(output, authority, tmp_path, capsys, tls, case):
    name = "mail.czj.example.gov.cn" if case == "other-name" else "127.0.0.1"
    with smtp_server(tls, server_context(authority, name)) as (handler, port):
        if case == "unknown-authority":  # the command line: the system's trusted certificates only
            config = write_toml(tmp_path / "perfeval.toml", f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                                f'sender = "jxk@czj.example.gov.cn"\ntls = "{tls}"\n')
            assert cli.main(["email", str(output), "--send", "--config", config]) == 2
            message = capsys.readouterr().err
        else:  # trusted, but issued for another name than smtp_host
            with pytest.raises(MailError) as refused:
                run_mail(output, mail_config(port, tls=tls), send=True, ssl_context=trusting(authority), **FAST)
            message = f"perfeval: {refused.value}\n"
    assert message == (f"perfeval: 与邮件服务器 127.0.0.1:{port} 建立加密连接失败：{REFUSED[case]}，未发送任何邮件。"
                       "请确认 smtp_host 是证书上的服务器名称；若服务器使用单位内部签发的证书，"
                       "请由系统管理员将其签发机构加入本机信任的证书\n")
    assert not handler.received and handler.attempts == 0
    assert not (output / "outbox" / "sent.jsonl").exists()


def test_a_certificate_refused_after_some_deliveries_says_what_was_sent():
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
    refused.verify_code, refused.verify_message = 10, "certificate has expired"
    assert str(_tls_failure(refused, "smtp.czj.example.gov.cn", 465, 2)) == (
        "与邮件服务器 smtp.czj.example.gov.cn:465 建立加密连接失败：服务器的证书已过期（certificate has expired），"
        "已停止发送（此前已发送的 2 封已记入 sent.jsonl，重新运行不会重复发送）。请确认 smtp_host 是证书上的服务器名称；"
        "若服务器使用单位内部签发的证书，请由系统管理员将其签发机构加入本机信任的证书")


def test_tls_on_a_port_that_does_not_speak_it_says_so(server, output, authority):
    handler, port = server  # a plain SMTP server
    with pytest.raises(MailError) as refused:
        run_mail(output, mail_config(port, tls="ssl"), send=True, ssl_context=trusting(authority), **FAST)
    assert str(refused.value).startswith(f"与邮件服务器 127.0.0.1:{port} 建立加密连接失败（")
    assert str(refused.value).endswith("，未发送任何邮件。请确认端口与 [mail] tls 相符：tls = \"ssl\" 通常用 465 端口，"
                                       "tls = \"starttls\" 通常用 587 端口")
    assert not handler.received and not (output / "outbox" / "sent.jsonl").exists()


def test_a_folder_without_a_manifest_exits_2(tmp_path, capsys):
    assert cli.main(["email", str(tmp_path)]) == 2
    assert "perfeval run" in capsys.readouterr().err


def test_the_cli_prints_the_summary_and_exits_1_when_some_failed(server, output, tmp_path, capsys):
    handler, port = server
    handler.refuse = {ERROR_ADDRESS}
    config = write_toml(tmp_path / "perfeval.toml", f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                        f'sender = "jxk@czj.example.gov.cn"\ntls = "none"\nmax_retries = 0\n')
    assert cli.main(["email", str(output), "--send", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "已发送 1 封邮件" in out and "发送失败 1 个收件人" in out and ERROR_ADDRESS in out


def test_a_problem_is_placed_as_everywhere_else():
    from perfeval.mail.planning import _problem_view
    from perfeval.problems import Problem

    in_a_sheet = Problem("weights-not-100", "分值合计不是100", "a.xlsx", "绩效指标", "F20", "99")
    in_a_word_table = Problem("official-grade-differs", "等级不一致", "a.docx", "表2", "第5行第3列")
    assert [_problem_view(p, str)["where"] for p in (in_a_sheet, in_a_word_table)] == \
        [in_a_sheet.where, in_a_word_table.where] == ["绩效指标!F20", "表2 第5行第3列"]
