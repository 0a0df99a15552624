"""The command line as a user runs it: exit codes, the text and JSON it prints, the files it writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from builders import build_workbook, seed_rows
from perfeval import cli
from perfeval.config import DEFAULTS, example_text, load_config

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    return build_workbook(tmp_path / "seed.xlsx")


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")  # the lines now add up to 24.93, not 23.93
    return build_workbook(tmp_path / "broken.xlsx", data)


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"perfeval {name}" in readme, name


def test_template_writes_the_blank_workbook(tmp_path, capsys):
    target = tmp_path / "模板.xlsx"
    code, out, _ = run_cli("template", "-o", str(target), capsys=capsys)
    assert code == 0
    assert str(target) in out
    names = openpyxl.load_workbook(target).sheetnames
    for sheet in ("填表说明", "基本信息", "评价工作组", "资金情况", "支出明细", "绩效指标", "业务量"):
        assert sheet in names


def test_template_refuses_to_overwrite_a_file_unless_forced(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    filled = build_workbook(tmp_path / "绩效自评填报模板.xlsx")  # a unit's filled workbook, named as the template
    before = filled.read_bytes()
    for args in ((), ("-o", "绩效自评填报模板.xlsx"), ("-o", str(filled))):
        code, out, err = run_cli("template", *args, capsys=capsys)
        assert (code, out) == (2, "")
        shown = args[-1] if args else "绩效自评填报模板.xlsx"
        assert err == (f"perfeval: 文件已存在，未覆盖 / file exists, not overwritten: {shown}（确需覆盖请加 --force，"
                       "或用 -o 指定另一个文件名 / use --force, or -o another name）\n")
        assert filled.read_bytes() == before
    code, out, _ = run_cli("template", "--force", capsys=capsys)
    assert code == 0 and "绩效自评填报模板.xlsx" in out
    assert filled.read_bytes() != before
    assert [p.name for p in tmp_path.iterdir()] == ["绩效自评填报模板.xlsx"]  # no temporary file left behind


def test_init_writes_the_commented_example_and_refuses_to_overwrite_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("init", capsys=capsys)
    assert (code, err) == (0, "")
    assert out == ("已生成配置文件 / configuration written: perfeval.toml（每一项都是默认值，按需修改 / every key at its "
                   "default, edit as needed）\n")
    written = tmp_path / "perfeval.toml"
    assert written.read_text(encoding="utf-8") == example_text()
    assert load_config().data == DEFAULTS  # found in the current folder, and it changes nothing
    written.write_text("[run]\ninput = [\"incoming\"]\n", encoding="utf-8")  # the bureau's own settings
    code, out, err = run_cli("init", capsys=capsys)
    assert (code, out) == (2, "")
    assert err == ("perfeval: 文件已存在，未覆盖 / file exists, not overwritten: perfeval.toml（确需覆盖请加 --force，"
                   "或用 -o 指定另一个文件名 / use --force, or -o another name）\n")
    assert written.read_text(encoding="utf-8") == "[run]\ninput = [\"incoming\"]\n"
    code, _, _ = run_cli("init", "-o", str(tmp_path / "区财政局.toml"), capsys=capsys)
    assert code == 0 and load_config(tmp_path / "区财政局.toml").data == DEFAULTS
    code, _, _ = run_cli("init", "--force", capsys=capsys)
    assert code == 0 and written.read_text(encoding="utf-8") == example_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["perfeval.toml", "区财政局.toml"]


def test_check_clean_workbook_exits_0_and_shows_the_score(seed_file, capsys):
    code, out, _ = run_cli("check", str(seed_file), capsys=capsys)
    assert code == 0
    assert "通过" in out
    assert "得分 97.27，等级 优" in out


def test_check_workbook_with_error_exits_1_and_points_at_the_cell(broken_file, capsys):
    code, out, _ = run_cli("check", str(broken_file), capsys=capsys)
    assert code == 1
    line = next(l for l in out.splitlines() if "支出明细!" in l)
    assert "[错误]" in line
    assert "24.93" in line and "23.93" in line


def test_check_json_lists_problems_with_the_documented_keys(broken_file, seed_file, capsys):
    code, out, _ = run_cli("check", "--json", str(seed_file), str(broken_file), capsys=capsys)
    assert code == 1
    rows = json.loads(out)
    assert rows, "the broken workbook has problems"
    for row in rows:
        assert set(row) == {"file", "sheet", "cell", "code", "severity", "message", "value"}
        assert row["severity"] in ("错误", "警告", "提示")
    errors = [r for r in rows if r["severity"] == "错误"]
    assert [(r["code"], r["sheet"], Path(r["file"]).name) for r in errors] == [
        ("breakdown-sum-mismatch", "支出明细", "broken.xlsx")]
    assert not [r for r in rows if Path(r["file"]).name == "seed.xlsx" and r["severity"] != "提示"]


def test_check_annotate_writes_a_marked_up_copy(broken_file, tmp_path, capsys):
    target = tmp_path / "marked"
    code, out, _ = run_cli("check", str(broken_file), "--annotate", str(target), capsys=capsys)
    assert code == 1
    copies = list(target.glob("*.xlsx"))
    assert len(copies) == 1
    assert openpyxl.load_workbook(copies[0]).sheetnames[0] == "问题清单"


def test_check_missing_file_exits_2(tmp_path, capsys):
    code, _, err = run_cli("check", str(tmp_path / "nope.xlsx"), capsys=capsys)
    assert code == 2
    assert "nope.xlsx" in err


@pytest.mark.parametrize("command", [("template", "-o", "{blocker}/x.xlsx"),
                                     ("check", "{broken}", "--annotate", "{blocker}")])
def test_an_output_that_cannot_be_written_exits_2_not_1(broken_file, tmp_path, capsys, command):
    # exit code 1 means "some workbook has errors" (a normal outcome for a scheduler): a refused write is not that
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    code, _, err = run_cli(*(a.format(blocker=blocker, broken=broken_file) for a in command), capsys=capsys)
    assert code == 2 and "a_file" in err

def test_check_bad_option_exits_2(seed_file, capsys):
    code, _, _ = run_cli("check", "--no-such-option", str(seed_file), capsys=capsys)
    assert code == 2


@pytest.mark.parametrize("toml, key", [
    ("[scoring]\nexecution_wieght = 10\n", "execution_wieght"),
    ("[scoring]\nexecution_weight = \"ten\"\n", "execution_weight"),
    ("[scorring]\n", "scorring"),
])
def test_check_bad_configuration_exits_2_naming_the_key(seed_file, tmp_path, capsys, toml, key):
    config = tmp_path / "perfeval.toml"
    config.write_text(toml, encoding="utf-8")
    code, _, err = run_cli("check", "--config", str(config), str(seed_file), capsys=capsys)
    assert code == 2
    assert key in err


def test_check_uses_the_configuration(seed_file, tmp_path, capsys):
    # With a 20-point execution weight the indicator weights no longer total 100.
    config = tmp_path / "perfeval.toml"
    config.write_text("[scoring]\nexecution_weight = 20\nlevel1_weights = { \"产出指标\" = 40, \"效益指标\" = 30, "
                      "\"满意度指标\" = 10 }\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--json", "--config", str(config), str(seed_file), capsys=capsys)
    assert code == 1
    assert "weights-not-100" in {r["code"] for r in json.loads(out)}


def test_weights_not_totalling_100_in_the_configuration_exit_2(seed_file, tmp_path, capsys):
    config = tmp_path / "perfeval.toml"
    config.write_text("[scoring]\nlevel1_weights = { \"产出指标\" = 60, \"效益指标\" = 30, \"满意度指标\" = 10 }\n",
                      encoding="utf-8")
    for command in (("check", str(seed_file)), ("run", str(seed_file), "-o", str(tmp_path / "out"))):
        code, out, err = run_cli(*command, "--config", str(config), capsys=capsys)
        assert (code, out) == (2, "")
        assert err == ("perfeval: 配置错误 / configuration error: 配置项 scoring.level1_weights（产出指标 60、效益指标 30、"
                       "满意度指标 10）与 scoring.execution_weight（10）合计 110 分，应为 100 分。请调整其中的分值，"
                       "使合计为 100。\n")
    assert not (tmp_path / "out").exists()


def test_python_dash_m_runs_the_cli(seed_file):
    done = subprocess.run([sys.executable, "-m", "perfeval", "check", str(seed_file)], capture_output=True,
                          cwd=ROOT, env={"PYTHONIOENCODING": "gbk", "PATH": "", "SYSTEMROOT": ""})
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert "等级 优".encode("gbk") in done.stdout


def test_check_annotate_keeps_both_copies_of_inputs_with_the_same_name(tmp_path, capsys):
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")
    first = build_workbook((tmp_path / "一").mkdir() or tmp_path / "一" / "填报.xlsx", data)
    second = build_workbook((tmp_path / "二").mkdir() or tmp_path / "二" / "填报.xlsx", data)
    code, out, _ = run_cli("check", str(first), str(second), "--annotate", str(tmp_path / "marked"), capsys=capsys)
    assert code == 1
    assert sorted(p.name for p in (tmp_path / "marked").iterdir()) == ["填报_标注版.xlsx", "填报_标注版_2.xlsx"]


def test_check_takes_folders_as_run_does(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    incoming = tmp_path / "incoming"
    (incoming / "审批局").mkdir(parents=True)
    build_workbook(incoming / "审批局" / "seed.xlsx")
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")
    build_workbook(incoming / "broken.xlsx", data)
    (incoming / "说明.txt").write_text("请于12月31日前提交。", encoding="utf-8")
    (incoming / "~$seed.xlsx").write_bytes(b"lock")  # a spreadsheet's lock file: not an input
    (incoming / ".old").mkdir()
    build_workbook(incoming / ".old" / "hidden.xlsx")  # hidden folders are not searched
    (tmp_path / "output" / "x").mkdir(parents=True)  # [run] output: what a run wrote is not an input
    build_workbook(tmp_path / "output" / "x" / "seed_标注版.xlsx", data)
    expected = ["== incoming/broken.xlsx：有错误", "== incoming/审批局/seed.xlsx：通过", "== incoming/说明.txt：已跳过"]
    for target in ("incoming", "."):
        code, out, err = run_cli("check", target, capsys=capsys)
        assert code == 1, err
        assert [line.split("（")[0] for line in out.splitlines() if line.startswith("== ")] == expected
        assert "不是电子表格文件（.txt），已跳过" in out
    code, out, _ = run_cli("check", "--json", "incoming", capsys=capsys)
    assert {r["file"] for r in json.loads(out) if r["severity"] == "错误"} == {"incoming/broken.xlsx"}


def test_check_an_empty_folder_says_so(tmp_path, capsys):
    code, out, err = run_cli("check", str(tmp_path), capsys=capsys)
    assert code == 0 and out == "" and "未找到任何文件" in err


def test_check_missing_folder_exits_2(tmp_path, capsys):
    code, _, err = run_cli("check", str(tmp_path / "incoming"), capsys=capsys)
    assert code == 2 and "找不到文件或文件夹" in err and "incoming" in err


def test_run_without_input_outside_the_repository_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("run", capsys=capsys)
    assert code == 2
    assert "找不到输入 input_templates/examples（未指定输入时的默认值）" in err
    assert "请指定要处理的文件夹，如 perfeval run incoming" in err and "[run] 中设置 input" in err
    (tmp_path / "perfeval.toml").write_text('[run]\ninput = ["收件"]\n', encoding="utf-8")
    code, _, err = run_cli("run", capsys=capsys)
    assert code == 2 and "找不到输入 收件（配置文件 " in err and "perfeval.toml 中 [run] input 的设置" in err
    assert not (tmp_path / "output").exists()
    code, _, err = run_cli("run", "incoming", capsys=capsys)  # named on the command line: named back, no more
    assert code == 2 and "找不到输入 / no such input: incoming" in err
