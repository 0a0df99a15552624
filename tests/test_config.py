"""The configuration (configuration.md): defaults, overrides, typos that must stop the command, where it is found."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal as D
from pathlib import Path

import pytest

from perfeval.config import (COST_SPLIT, DEFAULT_FILE, DEFAULTS, EXAMPLE_FILE, FREE_TABLES, Config, ConfigError,
                             example_text, load_config)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_those_of_configuration_md():
    c = Config()
    assert c.execution_weight == D(10)
    assert c.reverse_formula == "ratio"
    assert c.overachieve_ratio == D("1.3")
    assert c.low_rate_threshold == D("0.9")
    assert c.level1_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert c.grade_bands == [("优", D(90)), ("良", D(80)), ("中", D(60))]
    assert (c.table_decimals, c.prose_decimals) == (2, 0)
    assert c.limits == {}
    assert c.report == {"outline": "seed", "docx_template": "", "audit_docx_template": "", "markdown": True}
    assert c.run == {"input": ["input_templates/examples"], "output": "output", "workers": 0, "scheduler": "",
                     "targets": [], "compare": ""}
    assert c.mail == {"smtp_host": "", "smtp_port": 25, "sender": "", "bureau": "", "reply_to": "", "deadline": "",
                      "tls": "starttls", "user": "",
                      "subject_template": "", "body_template": "", "prepared_subject_template": "",
                      "prepared_body_template": "", "ascii_filenames": False, "max_retries": 3,
                      "departments": {}}
    assert c.targets == {"password": "", "output": "prepared"}
    assert c.warnings == {"progress_gap": 0.2, "full_marks_rate": 0.8, "unit_all_full_min": 3, "copied_min": 4,
                          "disabled": []}
    assert c.review == {"fraction": 0.2, "by": "主管部门", "threshold": 10}
    assert c.number("warnings", "progress_gap") == D("0.2")
    assert c.source == ""
    assert COST_SPLIT == {"成本指标": 20, "产出指标": 40, "效益指标": 20, "满意度指标": 10}
    assert sum(COST_SPLIT.values()) + 10 == 100


def test_a_file_with_overrides(tmp_path):
    path = write(tmp_path / "bureau.toml", """
[scoring]
execution_weight = 20
reverse_formula = "linear"
overachieve_ratio = 1.5
low_rate_threshold = 0.85
level1_weights = { "成本指标" = 20, "产出指标" = 30, "效益指标" = 20, "满意度指标" = 10 }
grade_bands = { "优" = 85 }
prose_decimals = 2

[limits]
"综合评价结论" = 200

[report]
outline = "national"

[mail]
tls = "ssl"
smtp_port = 465

[mail.departments]
"审批局" = "office@example.gov.cn"
""")
    c = load_config(path)
    assert c.source == str(path)
    assert c.execution_weight == D(20)
    assert c.reverse_formula == "linear"
    assert c.overachieve_ratio == D("1.5")
    assert c.low_rate_threshold == D("0.85")
    assert c.level1_weights == {"成本指标": D(20), "产出指标": D(30), "效益指标": D(20), "满意度指标": D(10)}
    assert c.grade_bands == [("优", D(85)), ("良", D(80)), ("中", D(60))]  # the others keep their default
    assert (c.table_decimals, c.prose_decimals) == (2, 2)
    assert c.limits == {"综合评价结论": 200}
    assert c.report["outline"] == "national"
    assert (c.mail["tls"], c.mail["smtp_port"], c.mail["sender"]) == ("ssl", 465, "")
    assert c.mail["departments"] == {"审批局": "office@example.gov.cn"}


def test_an_int_is_accepted_for_a_float_setting():
    assert Config.from_dict({"scoring": {"overachieve_ratio": 2}}).overachieve_ratio == D(2)
    assert Config.from_dict({"scoring": {"low_rate_threshold": 1}}).low_rate_threshold == D(1)


def test_float_settings_are_exact_decimals():
    assert Config.from_dict({"scoring": {"low_rate_threshold": 0.85}}).low_rate_threshold == D("0.85")


def config_error(data: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        Config.from_dict(data)
    return str(exc.value)


def test_unknown_table():
    assert config_error({"scorng": {}}) == "未知的配置表 [scorng]（可用：scoring, limits, report, run, targets, warnings, review, mail）"


def test_unknown_key():
    message = config_error({"scoring": {"execution_weigth": 5}})
    assert message.startswith("未知的配置项 scoring.execution_weigth（可用：execution_weight, reverse_formula,")
    assert "mail.smtp_hots" in config_error({"mail": {"smtp_hots": "x"}})


@pytest.mark.parametrize("data, message", [
    ({"scoring": {"execution_weight": "10"}}, "配置项 scoring.execution_weight 应为数字，实际为 '10'"),
    ({"scoring": {"execution_weight": True}}, "配置项 scoring.execution_weight 应为数字，实际为 True"),
    ({"scoring": {"table_decimals": 1.5}}, "配置项 scoring.table_decimals 应为整数，实际为 1.5"),
    ({"scoring": {"overachieve_ratio": "1.3"}}, "配置项 scoring.overachieve_ratio 应为数字，实际为 '1.3'"),
    ({"report": {"markdown": "yes"}}, "配置项 report.markdown 应为布尔值 true/false，实际为 'yes'"),
    ({"run": {"input": "examples"}}, "配置项 run.input 应为列表，实际为 'examples'"),
    ({"run": {"input": [1]}}, "配置项 run.input 应为文字列表，实际为 [1]"),
    ({"mail": {"smtp_port": 25.0}}, "配置项 mail.smtp_port 应为整数，实际为 25.0"),
    ({"scoring": {"level1_weights": {"产出指标": "50"}}}, "配置项 scoring.level1_weights.产出指标 的类型不正确：'50'"),
    ({"scoring": {"level1_weights": 50}}, "配置项 scoring.level1_weights 应为表 (table)，实际为 50"),
    ({"limits": {"综合评价结论": "200"}}, "配置项 limits.综合评价结论 的类型不正确：'200'"),
    ({"mail": {"departments": {"审批局": 1}}}, "配置项 mail.departments.审批局 的类型不正确：1"),
    ({"scoring": "x"}, "配置项 scoring 应为表 [scoring]"),
])
def test_wrong_type_names_the_key(data, message):
    assert config_error(data) == message


@pytest.mark.parametrize("data, message", [
    ({"scoring": {"reverse_formula": "exp"}}, "配置项 scoring.reverse_formula 只能是 ratio / linear，实际为 'exp'"),
    ({"report": {"outline": "provincial"}}, "配置项 report.outline 只能是 seed / national，实际为 'provincial'"),
    ({"mail": {"tls": "tls"}}, "配置项 mail.tls 只能是 starttls / ssl / none，实际为 'tls'"),
])
def test_bad_choice_names_the_key_and_the_choices(data, message):
    assert config_error(data) == message


@pytest.mark.parametrize("data, message", [
    ({"scoring": {"execution_weight": -1}}, "配置项 scoring.execution_weight 不能为负数"),
    ({"scoring": {"overachieve_ratio": 1}}, "配置项 scoring.overachieve_ratio 应大于 1"),
    ({"scoring": {"low_rate_threshold": 0}}, "配置项 scoring.low_rate_threshold 应在 0 与 1 之间"),
    ({"scoring": {"grade_bands": {"差": 10}}}, "配置项 scoring.grade_bands 只能含 优、良、中，多出 ['差']"),
    ({"run": {"workers": -2}}, "配置项 run.workers 不能为负数"),
    ({"warnings": {"full_marks_rate": 1.5}}, "配置项 warnings.full_marks_rate 应在 0 与 1 之间"),
    ({"warnings": {"copied_min": 0}}, "配置项 warnings.copied_min 应至少为 1"),
    ({"warnings": {"disabled": ["full-marks"]}}, "配置项 warnings.disabled 中的 full-marks 不是复核提示的代码（可用："
     "progress-ahead-of-spending, full-marks-low-spending, cost-target-at-least, unit-all-full-marks, copied-targets）"),
    ({"review": {"fraction": 0}}, "配置项 review.fraction 应大于 0、不大于 1"),
    ({"review": {"by": "单位"}}, "配置项 review.by 只能是 主管部门 / 实施单位，实际为 '单位'"),
])
def test_values_out_of_range(data, message):
    assert config_error(data) == message


@pytest.mark.parametrize("scoring, message", [
    ({"level1_weights": {"产出指标": 60, "效益指标": 30, "满意度指标": 10}},
     "配置项 scoring.level1_weights（产出指标 60、效益指标 30、满意度指标 10）与 scoring.execution_weight（10）"
     "合计 110 分，应为 100 分。请调整其中的分值，使合计为 100。"),
    ({"execution_weight": 20},
     "配置项 scoring.level1_weights（产出指标 50、效益指标 30、满意度指标 10）与 scoring.execution_weight（20）"
     "合计 110 分，应为 100 分。请调整其中的分值，使合计为 100。"),
    ({"execution_weight": 7.5, "level1_weights": {"产出指标": 52.5, "效益指标": 30}},
     "配置项 scoring.level1_weights（产出指标 52.5、效益指标 30）与 scoring.execution_weight（7.5）"
     "合计 90 分，应为 100 分。请调整其中的分值，使合计为 100。"),
    ({"level1_weights": {}},
     "配置项 scoring.level1_weights（空）与 scoring.execution_weight（10）合计 10 分，应为 100 分。"
     "请调整其中的分值，使合计为 100。"),
], ids=["level1-110", "execution-20", "fractional", "empty"])
def test_weights_not_totalling_100_stop_naming_the_keys_and_the_total(scoring, message):
    assert config_error({"scoring": scoring}) == message


@pytest.mark.parametrize("scoring", [
    {"level1_weights": COST_SPLIT},  # 财预〔2021〕101号, 成本指标 as its own level 1
    {"execution_weight": 20, "level1_weights": {"产出指标": 40, "效益指标": 30, "满意度指标": 10}},
    {"execution_weight": 7.5, "level1_weights": {"产出指标": 52.5, "效益指标": 30, "满意度指标": 10}},
    {"execution_weight": 0.1, "level1_weights": {"产出指标": 49.9, "效益指标": 40, "满意度指标": 10}},  # no float sum
], ids=["cost-split", "execution-20", "fractional", "decimal-sum"])
def test_weights_totalling_100_are_accepted(scoring):
    Config.from_dict({"scoring": scoring})


def test_a_typo_in_a_file_stops_with_the_key(tmp_path):
    path = write(tmp_path / "perfeval.toml", "[scoring]\nreverse_fromula = \"linear\"\n")
    with pytest.raises(ConfigError, match="scoring.reverse_fromula"):
        load_config(path)


def test_toml_syntax_error(tmp_path):
    path = write(tmp_path / "bad.toml", "[scoring\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value).startswith(f"配置文件 {path} 格式错误：")


def test_perfeval_toml_in_the_current_folder_is_found(tmp_path, monkeypatch):
    write(tmp_path / DEFAULT_FILE, "[scoring]\nprose_decimals = 1\n")
    assert load_config(cwd=tmp_path).prose_decimals == 1
    monkeypatch.chdir(tmp_path)
    c = load_config()
    assert (c.prose_decimals, Path(c.source).name) == (1, DEFAULT_FILE)


def test_no_file_gives_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c = load_config()
    assert (c.prose_decimals, c.source) == (0, "")


def test_explicit_path_wins_over_the_current_folder(tmp_path):
    write(tmp_path / DEFAULT_FILE, "[scoring]\nprose_decimals = 1\n")
    other = write(tmp_path / "other.toml", "[scoring]\nprose_decimals = 2\n")
    assert load_config(other, cwd=tmp_path).prose_decimals == 2


def test_explicit_path_missing_is_an_error(tmp_path):
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as exc:
        load_config(missing, cwd=tmp_path)
    assert str(exc.value) == f"找不到配置文件 {missing}"


def test_file_with_byte_order_mark(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff[scoring]\nprose_decimals = 1\n".encode("utf-8"))  # saved by Notepad
    assert load_config(path).prose_decimals == 1


def test_digest_follows_what_changes_results():
    base = Config()
    assert base.digest() == Config().digest()
    assert Config.from_dict({"scoring": {"reverse_formula": "linear"}}).digest() != base.digest()
    assert Config.from_dict({"run": {"workers": 4}}).digest() == base.digest()
    assert Config.from_dict({"mail": {"smtp_host": "smtp.example.gov.cn"}}).digest() == base.digest()


def test_execution_weight_may_be_fractional():
    config = Config.from_dict({"scoring": {"execution_weight": 7.5,
                                           "level1_weights": {"产出指标": 52.5, "效益指标": 30, "满意度指标": 10}}})
    assert config.execution_weight == D("7.5")


def test_grade_bands_must_descend():
    with pytest.raises(ConfigError, match="grade_bands"):
        Config.from_dict({"scoring": {"grade_bands": {"优": 70, "良": 80}}})


def test_template_paths_are_relative_to_the_configuration_file(tmp_path, monkeypatch):
    folder = tmp_path / "bureau"
    folder.mkdir()
    (folder / "perfeval.toml").write_text('[report]\ndocx_template = "模板/报告.docx"\n'
                                         '[mail]\nbody_template = "正文.j2"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the command runs elsewhere
    config = load_config(folder / "perfeval.toml")
    assert config.report["docx_template"] == str((folder / "模板" / "报告.docx").resolve())
    assert config.mail["body_template"] == str((folder / "正文.j2").resolve())


def test_editing_the_word_template_in_place_changes_the_digest(tmp_path):
    template = tmp_path / "报告.docx"
    template.write_bytes(b"first version")
    config = Config.from_dict({"report": {"docx_template": str(template)}})
    before = config.digest()
    template.write_bytes(b"second version")
    assert config.digest() != before


# ---- the documentation and the example that ship with the product, in step with DEFAULTS ----------------------

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_file_holds_every_key_at_its_default():
    text = example_text()
    assert tomllib.loads(text) == DEFAULTS  # every key, each at its default, and nothing else
    assert load_config(EXAMPLE_FILE).data == DEFAULTS
    assert EXAMPLE_FILE.relative_to(ROOT / "perfeval").as_posix() == "templates/perfeval.example.toml"  # package data


def test_every_key_of_the_example_file_is_commented():
    lines = example_text().splitlines()
    for n, line in enumerate(lines):
        if re.match(r"\s*[\w\"]+.*=", line):  # a key = value line
            above = lines[n - 1].strip()
            assert "#" in line or above.startswith("#") or re.match(r"\w+ = ", above), line


def documented_keys() -> dict[str, dict[str, object]]:
    """docs/configuration.md: table -> key -> default, from the rows of each table's key list."""
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    keys: dict[str, dict[str, object]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = re.match(r"`\[(\w+)\]`", section)
        if not heading:
            continue
        rows = keys.setdefault(heading.group(1), {})
        for key, default in re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", section, flags=re.M):
            rows[key] = tomllib.loads(f"value = {default}")["value"]
    return keys


def test_configuration_md_documents_every_key_with_its_default():
    documented = documented_keys()
    assert list(documented) == list(DEFAULTS)
    for table, defaults in DEFAULTS.items():
        if table in FREE_TABLES:
            assert documented[table] == {}, table  # free keys (labels), shown by an example
        else:
            assert documented[table] == defaults, table


def test_the_readme_points_at_documentation_that_ships_with_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    for link in re.findall(r"`(docs/[\w.-]+\.md)`", readme):
        assert (ROOT / link).is_file(), link
    for doc in ("docs/configuration.md", "docs/input-workbook.md"):
        assert f"`{doc}`" in readme
