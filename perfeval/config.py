"""The configuration (perfeval.toml): one object, every default in one place.

Found as ``--config FILE``, else ``perfeval.toml`` in the current folder, else the defaults. An unknown table or
key, or a value of the wrong type, raises :class:`ConfigError` naming the key: a typo is never ignored.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_FILE = "perfeval.toml"
# Every key with its default and a comment for the bureau's clerk: what `perfeval init` writes (package data).
EXAMPLE_FILE = Path(__file__).resolve().parent / "templates" / "perfeval.example.toml"


class ConfigError(Exception):
    """The configuration file is missing, unreadable, or has an unknown key or a value of the wrong type."""


# table -> key -> default. The type of each default is the type a value must have (int accepted for float).
DEFAULTS: dict[str, dict[str, Any]] = {
    "scoring": {
        "execution_weight": 10,
        "reverse_formula": "ratio",
        "overachieve_ratio": 1.3,
        "low_rate_threshold": 0.9,
        "level1_weights": {"产出指标": 50, "效益指标": 30, "满意度指标": 10},
        "grade_bands": {"优": 90, "良": 80, "中": 60},
        "table_decimals": 2,
        "prose_decimals": 0,
    },
    "limits": {},  # 基本信息 label -> longest text in characters
    "report": {
        "outline": "seed",
        "docx_template": "",
        "audit_docx_template": "",  # the 审核意见 of an official 自评表 (default: perfeval/templates/audit.docx)
        "markdown": True,
    },
    "run": {
        "input": ["input_templates/examples"],
        "output": "output",
        "workers": 0,
        "scheduler": "",
        "targets": [],  # targets lists (目标清单 / 申报表, files or folders) each run compares with
        "compare": "",  # 同比: last year's output folder; empty: no comparison
    },
    "targets": {
        "password": "",  # sheet-protection password of prepared workbooks; empty: protected without one
        "output": "prepared",  # where `perfeval prepare` writes
    },
    "warnings": {  # the warning signs (复核提示) of review.md
        "progress_gap": 0.2,
        "full_marks_rate": 0.8,
        "unit_all_full_min": 3,
        "copied_min": 4,
        "disabled": [],
    },
    "review": {  # the spot-check round trip (抽查复核)
        "fraction": 0.2,
        "by": "主管部门",
        "threshold": 10,
    },
    "mail": {
        "smtp_host": "",
        "smtp_port": 25,
        "sender": "",
        "bureau": "",
        "reply_to": "",
        "deadline": "",
        "tls": "starttls",
        "user": "",
        "subject_template": "",
        "body_template": "",
        "prepared_subject_template": "",  # the mail of `perfeval email PREPARE_DIR --prepared`
        "prepared_body_template": "",
        "ascii_filenames": False,
        "max_retries": 3,
        "departments": {},
    },
}

CHOICES = {
    ("scoring", "reverse_formula"): ("ratio", "linear"),
    ("report", "outline"): ("seed", "national"),
    ("mail", "tls"): ("starttls", "ssl", "none"),
    ("review", "by"): ("主管部门", "实施单位"),
}

# Tables whose keys are free (a label or a department), with the type each value must have.
FREE_TABLES = {"limits": int, ("scoring", "level1_weights"): (int, float), ("scoring", "grade_bands"): (int, float),
               ("mail", "departments"): str}

# Numeric keys whose default is whole but where a fraction is meaningful (7.5 points).
FRACTIONAL = {("scoring", "execution_weight"), ("review", "threshold")}

# The second accepted level-1 split (财预〔2021〕101号, with 成本指标 as its own level 1).
COST_SPLIT = {"成本指标": 20, "产出指标": 40, "效益指标": 20, "满意度指标": 10}

TYPE_NAMES = {bool: "布尔值 true/false", int: "整数", float: "数字", str: "文字", list: "列表", dict: "表"}


def _type_ok(value: Any, expected: type | tuple) -> bool:
    if isinstance(value, bool):
        return expected is bool or (isinstance(expected, tuple) and bool in expected)
    if expected is float:
        expected = (int, float)
    return isinstance(value, expected)


def _check_free(where: str, table: Any, value_type) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"配置项 {where} 应为表 (table)，实际为 {table!r}")
    for key, value in table.items():
        if not _type_ok(value, value_type):
            raise ConfigError(f"配置项 {where}.{key} 的类型不正确：{value!r}")


def _validate(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged = copy.deepcopy(DEFAULTS)
    for table, values in data.items():
        if table not in DEFAULTS:
            raise ConfigError(f"未知的配置表 [{table}]（可用：{', '.join(DEFAULTS)}）")
        if not isinstance(values, dict):
            raise ConfigError(f"配置项 {table} 应为表 [{table}]")
        if table in FREE_TABLES:
            _check_free(table, values, FREE_TABLES[table])
            merged[table] = dict(values)
            continue
        for key, value in values.items():
            if key not in DEFAULTS[table]:
                raise ConfigError(f"未知的配置项 {table}.{key}（可用：{', '.join(DEFAULTS[table])}）")
            if (table, key) in FREE_TABLES:
                _check_free(f"{table}.{key}", value, FREE_TABLES[(table, key)])
            else:
                expected = type(DEFAULTS[table][key])
                if (table, key) in FRACTIONAL:
                    expected = float
                if not _type_ok(value, expected):
                    raise ConfigError(
                        f"配置项 {table}.{key} 应为{TYPE_NAMES.get(expected, expected.__name__)}，实际为 {value!r}")
                if expected is list and not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"配置项 {table}.{key} 应为文字列表，实际为 {value!r}")
            allowed = CHOICES.get((table, key))
            if allowed and value not in allowed:
                raise ConfigError(f"配置项 {table}.{key} 只能是 {' / '.join(allowed)}，实际为 {value!r}")
            merged[table][key] = value
    _check_ranges(merged)
    return merged


def _check_ranges(merged: dict[str, dict[str, Any]]) -> None:
    s = merged["scoring"]
    for key in ("execution_weight", "table_decimals", "prose_decimals"):
        if s[key] < 0:
            raise ConfigError(f"配置项 scoring.{key} 不能为负数")
    if s["overachieve_ratio"] <= 1:
        raise ConfigError("配置项 scoring.overachieve_ratio 应大于 1")
    if not 0 < s["low_rate_threshold"] <= 1:
        raise ConfigError("配置项 scoring.low_rate_threshold 应在 0 与 1 之间")
    unknown = set(s["grade_bands"]) - {"优", "良", "中"}
    if unknown:
        raise ConfigError(f"配置项 scoring.grade_bands 只能含 优、良、中，多出 {sorted(unknown)}")
    bands = {"优": 90, "良": 80, "中": 60} | s["grade_bands"]
    if not bands["优"] > bands["良"] > bands["中"] >= 0:
        raise ConfigError("配置项 scoring.grade_bands 的下限应满足 优 > 良 > 中 ≥ 0")
    if merged["run"]["workers"] < 0:
        raise ConfigError("配置项 run.workers 不能为负数")
    _check_weights_total(s)
    _check_review(merged["warnings"], merged["review"])


def _check_review(warnings: dict[str, Any], review: dict[str, Any]) -> None:
    """The thresholds of the warning signs and of the spot check, and the codes of signs switched off."""
    from .signs import SIGN_CATALOGUE

    if warnings["progress_gap"] < 0:
        raise ConfigError("配置项 warnings.progress_gap 不能为负数")
    if not 0 < warnings["full_marks_rate"] <= 1:
        raise ConfigError("配置项 warnings.full_marks_rate 应在 0 与 1 之间")
    for key in ("unit_all_full_min", "copied_min"):
        if warnings[key] < 1:
            raise ConfigError(f"配置项 warnings.{key} 应至少为 1")
    unknown = [code for code in warnings["disabled"] if code not in SIGN_CATALOGUE]
    if unknown:
        raise ConfigError(f"配置项 warnings.disabled 中的 {'、'.join(unknown)} 不是复核提示的代码"
                          f"（可用：{', '.join(SIGN_CATALOGUE)}）")
    if not 0 < review["fraction"] <= 1:
        raise ConfigError("配置项 review.fraction 应大于 0、不大于 1")
    if review["threshold"] < 0:
        raise ConfigError("配置项 review.threshold 不能为负数")


def _points(value: float | int | Decimal) -> str:
    """A weight as a person writes it: 50, 7.5 (never 50.0 or 5E+1)."""
    text = format(_dec(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_weights_total(scoring: dict[str, Any]) -> None:
    """level1_weights with execution_weight must total 100: else every project would be told its weights are off."""
    weights = scoring["level1_weights"]
    total = sum((_dec(v) for v in weights.values()), _dec(scoring["execution_weight"]))
    if total != 100:
        split = "、".join(f"{name} {_points(v)}" for name, v in weights.items()) or "空"
        raise ConfigError(f"配置项 scoring.level1_weights（{split}）与 scoring.execution_weight"
                          f"（{_points(scoring['execution_weight'])}）合计 {_points(total)} 分，应为 100 分。"
                          "请调整其中的分值，使合计为 100。")


def _dec(value: float | int) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Config:
    """The effective configuration. Build it with :func:`load_config` or :meth:`Config.from_dict`."""

    data: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    source: str = ""  # the file it came from, "" for the defaults

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "", base: Path | None = None) -> "Config":
        """The configuration ``data`` says, validated; relative file names taken from the folder ``base``."""
        valid = _validate(data)
        if base is not None:
            _resolve_paths(valid, base)
        return cls(valid, source)

    # ---- scoring, as Decimals ----
    @property
    def execution_weight(self) -> Decimal:
        return _dec(self.data["scoring"]["execution_weight"])

    @property
    def reverse_formula(self) -> str:
        return self.data["scoring"]["reverse_formula"]

    @property
    def overachieve_ratio(self) -> Decimal:
        return _dec(self.data["scoring"]["overachieve_ratio"])

    @property
    def low_rate_threshold(self) -> Decimal:
        return _dec(self.data["scoring"]["low_rate_threshold"])

    @property
    def level1_weights(self) -> dict[str, Decimal]:
        return {k: _dec(v) for k, v in self.data["scoring"]["level1_weights"].items()}

    @property
    def grade_bands(self) -> list[tuple[str, Decimal]]:
        """(grade, lower bound) from the highest down; below the last band is 差."""
        bands = {"优": 90, "良": 80, "中": 60} | self.data["scoring"]["grade_bands"]
        return sorted(((g, _dec(v)) for g, v in bands.items()), key=lambda gv: -gv[1])

    @property
    def table_decimals(self) -> int:
        return self.data["scoring"]["table_decimals"]

    @property
    def prose_decimals(self) -> int:
        return self.data["scoring"]["prose_decimals"]

    @property
    def limits(self) -> dict[str, int]:
        return dict(self.data["limits"])

    @property
    def report(self) -> dict[str, Any]:
        return self.data["report"]

    @property
    def run(self) -> dict[str, Any]:
        return self.data["run"]

    @property
    def mail(self) -> dict[str, Any]:
        return self.data["mail"]

    @property
    def targets(self) -> dict[str, Any]:
        return self.data["targets"]

    @property
    def warnings(self) -> dict[str, Any]:
        return self.data["warnings"]

    @property
    def review(self) -> dict[str, Any]:
        return self.data["review"]

    def number(self, table: str, key: str) -> Decimal:
        """A numeric setting as an exact Decimal (0.2 stays 0.2)."""
        return _dec(self.data[table][key])

    def digest(self) -> str:
        """A hash of everything that changes results (not where the run reads or writes, nor mail settings)."""
        relevant = {k: v for k, v in self.data.items() if k in ("scoring", "limits", "report", "warnings")}
        template = self.data["report"]["docx_template"]
        if template:  # a bureau editing its Word template in place changes every report
            try:
                relevant["docx_template_sha256"] = hashlib.sha256(Path(template).read_bytes()).hexdigest()
            except OSError:
                relevant["docx_template_sha256"] = "unreadable"
        text = json.dumps(relevant, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def example_text() -> str:
    """The commented example configuration, which loads to exactly :data:`DEFAULTS`."""
    return EXAMPLE_FILE.read_text(encoding="utf-8")


def load_config(path: str | Path | None = None, cwd: Path | None = None) -> Config:
    """``path`` if given, else ``perfeval.toml`` in ``cwd`` (default: the current folder), else the defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / DEFAULT_FILE
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from None
    return Config.from_dict(data, str(path), base=path.parent)


# Keys naming a file: a relative path is taken from the configuration file's folder, wherever the command runs.
PATH_KEYS = (("report", "docx_template"), ("report", "audit_docx_template"), ("mail", "subject_template"), ("mail", "body_template"),
             ("mail", "prepared_subject_template"), ("mail", "prepared_body_template"))


def _resolve_paths(data: dict[str, dict[str, Any]], base: Path) -> None:
    for table, key in PATH_KEYS:
        value = data[table][key]
        if value and not Path(value).is_absolute():
            data[table][key] = str((base / value).resolve())
