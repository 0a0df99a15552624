"""What several test modules share, beyond the hand-made workbooks of builders.py: the batch's generated inputs with
the figures expected of them (computed here from the data, independently of the tool), a batch run and its
outputs read back, and a workbook's problems as ``perfeval check`` finds them.

The module-scoped fixture ``generated`` (conftest.py) writes :data:`CLEAN` and :data:`WITH_ERROR` once per module.
"""

from __future__ import annotations

import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from perfeval import checks
from perfeval.batch import LOCK_NAME, LOG_NAME, STAGING_NAME, run_batch
from perfeval.config import Config
from perfeval.manifest import MANIFEST_NAME
from perfeval.packed import Packed
from perfeval.problems import Problem
from perfeval.reader import read_workbook
from perfeval.results import Figures, FileResult, ManifestEntry, ProjectInfo, SourceFacts
from perfeval.scoring import score_project
from perfeval.template import write_workbook

D = Decimal


# ---- generated inputs ---------------------------------------------------------------------------------------


def project_data(name: str, unit: str, department: str, *, year: str = "2025", budget: float = 100,
                 spent: float = 95, done: int = 100, weight: int = 50, email: str = "unit@example.gov.cn") -> dict:
    """A project for the template writer: 完成数量 done of ≥100个 (weight ``weight``), 服务水平 提升 (30, met),
    满意度 98% of ≥95% (10, met); one funding source, one spending line equal to the spending."""
    return {
        "info": {"评价年度": year, "项目名称": name, "主管部门": department, "实施单位": unit, "联系邮箱": email,
                 "项目背景": f"{name}的背景。", "年度总体目标": f"{name}的年度目标。",
                 "预算执行偏差原因": "厉行节约，部分支出未发生。"},
        "group": [{"职务": "组长", "姓名": "张三"}, {"职务": "组员", "姓名": "李四"}],
        "funding": [{"资金来源": "当年财政拨款", "年初预算数": budget, "全年预算数": budget, "全年执行数": spent}],
        "spending": [{"支出内容": "业务经费", "金额": spent}],
        "indicators": [
            {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "完成数量", "年度指标值": "≥100个",
             "实际完成值": f"{done}个", "分值": weight, "偏差原因分析及改进措施": "" if done >= 100 else "进度滞后。"},
            {"一级指标": "效益指标", "二级指标": "社会效益指标", "三级指标": "服务水平", "年度指标值": "提升",
             "实际完成值": "提升", "分值": 30, "自评得分": 30},
            {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "满意度", "年度指标值": "≥95%",
             "实际完成值": "98%", "分值": 10},
        ],
        "volumes": [{"业务类别": "政府采购", "数量": 3, "金额": 1.5}],
    }


def expected_total(data: dict) -> Decimal:
    """The national rules applied by hand to :func:`project_data`'s figures."""
    funding = data["funding"][0]
    budget, spent = D(str(funding["全年预算数"])), D(str(funding["全年执行数"]))
    first = data["indicators"][0]
    done = D(first["实际完成值"].rstrip("个"))
    return 10 * min(spent / budget, D(1)) + first["分值"] * min(done / 100, D(1)) + 30 + 10


def expected_grade(total: Decimal) -> str:
    shown = total.quantize(D("0.01"), ROUND_HALF_UP)
    return "优" if shown >= 90 else "良" if shown >= 80 else "中" if shown >= 60 else "差"


# file name -> data: two departments, all four grades, clean.
CLEAN = {
    "a_优.xlsx": project_data("档案数字化", "档案馆", "办公室", budget=32.9, spent=32.5),
    "b_良.xlsx": project_data("道路养护", "公路站", "交通局", budget=200, spent=180, done=70),
    "c_中.xlsx": project_data("农技推广", "农技站", "农业局", budget=50, spent=23.93, done=60),
    "d_差.xlsx": project_data("村道硬化", "乡村办", "交通局", budget=80, spent=40, done=10),
    "e_优.xlsx": project_data("畜牧防疫", "防疫站", "农业局", budget=12.34, spent=12.34),
}
WITH_ERROR = {"f_错.xlsx": project_data("水利巡查", "水利站", "农业局", weight=40)}  # weights total 90


def write_inputs(folder: Path, projects: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in projects.items():
        write_workbook(folder / name, data)
    return folder


def add_oddities(folder: Path) -> None:
    """An unreadable file, a spreadsheet lock file, a non-spreadsheet file and the blank template."""
    (folder / "损坏.xlsx").write_bytes(b"this is not a workbook")
    (folder / "~$a_优.xlsx").write_bytes(b"lock")
    (folder / "说明.txt").write_text("请于12月31日前提交。", encoding="utf-8")
    write_workbook(folder / "空白模板.xlsx")


def copy_inputs(generated: Path, target: Path, names) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(generated / name, target / name)
    return target


# ---- a batch and its outputs ----------------------------------------------------------------------------


def manifest(output: Path) -> dict:
    return json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))


def by_name(output: Path) -> dict[str, dict]:
    return {Path(e["path"]).name: e for e in manifest(output)["files"]}


def snapshot(output: Path) -> dict[str, bytes]:
    """Every file of the output folder but the log, by relative path."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*")
            if p.is_file() and p.name != LOG_NAME}


def leftovers(output: Path) -> list[str]:
    """Temporary files, the staging folder or the lock: what a finished or interrupted run must not leave."""
    return [p.relative_to(output).as_posix() for p in output.rglob("*")
            if ".tmp" in p.name or p.name in (STAGING_NAME, LOCK_NAME)]


def run(inputs, output: Path, config: Config | None = None, **options):
    options.setdefault("workers", 1)
    return run_batch(inputs if isinstance(inputs, list) else [inputs], output, config or Config(), **options)


# ---- a workbook's problems ----------------------------------------------------------------------------------


def checked(path, config=None) -> list[Problem]:
    """Every problem of a workbook, as ``perfeval check`` finds them: the reader's and the checks', sorted."""
    config = config or Config()
    result = read_workbook(path)
    card = score_project(result.project, config)
    return checks.sort_problems(result.problems + checks.check_project(result.project, card, config, result.problems))


# ---- manifest entries made by hand (perfeval.results) ---------------------------------------------------------

def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def make_entry(name: str, department: str, *, year: str = "2025", status: str = "ok", total: str | None = "95.5",
               grade: str | None = "优", budget: str = "10", spent: str = "9.5", rate: str | None = None,
               unit: str = "单位", indicators=(), spending=(), problems: tuple[Problem, ...] = (),
               outputs: dict[str, str] | None = None, sha256: str = "0") -> ManifestEntry:
    """A project ``name`` of ``department``, read from ``in/NAME.xlsx``, with the figures given as exact decimals."""
    figures = Figures(_number(budget), _number(budget), _number(spent), _number(rate), _number(total), grade)
    result = FileResult(f"{name}.xlsx", status, tuple(problems), info=ProjectInfo(year, name, department, unit, ""),
                        folder_base=name, figures=figures, indicators=Packed(indicators), spending=Packed(spending))
    source = SourceFacts(f"in/{name}.xlsx", f"/in/{name}.xlsx", sha256, 1, "")
    return ManifestEntry(source, result, status, folder=name, outputs=outputs or {})
