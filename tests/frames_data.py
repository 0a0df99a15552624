"""Manifest entries made in tests for perfeval.frames: one project each, a typed entry (perfeval.results) as the batch
makes it, in its JSON form, with the figures given as exact decimal strings."""

from __future__ import annotations

import random
from decimal import Decimal

from perfeval.packed import Packed
from perfeval.problems import Problem
from perfeval.results import Figures, FileResult, ManifestEntry, ProjectInfo, SourceFacts, decimal, exact

D = Decimal
GRADES = ("优", "良", "中", "差")
CODES = {"错误": "value-missing", "警告": "text-too-long", "提示": "template-version-missing"}  # a code of each severity


def grade_of(score: Decimal | None) -> str | None:
    if score is None:
        return None
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def entry(path: str, *, year: str = "2025", department: str = "部门", unit: str = "单位", name: str = "项目",
          code: str | None = None, status: str = "ok", initial: str | None = None, budget: str | None = "10",
          spent: str | None = "9", score: str | None = "95", grade: str | None = "", indicators=(), spending=(),
          volumes=(), problems=()) -> dict:
    """One manifest entry. ``grade`` "" means: the grade of the score."""
    rate = exact(D(spent) / D(budget)) if budget not in (None, "0") and spent is not None else None
    figures = {"年初预算数": budget if initial is None else initial, "全年预算数": budget, "全年执行数": spent,
               "执行率": rate, "得分": score, "等级": grade_of(D(score) if score else None) if grade == "" else grade}
    if status == "skipped":
        figures = {key: None for key in figures}
    indicators = [{"一级指标": l1, "二级指标": "数量指标", "三级指标": f"指标{n}", "年度指标值": "≥1", "实际完成值": "1",
                   "计量单位": "个", "分值": w, "得分": s, "完成情况": "met", "偏差原因分析及改进措施": ""}
                  for n, (l1, w, s) in enumerate(indicators)]
    result = FileResult(
        path.rsplit("/", 1)[-1], status, tuple(Problem(CODES[severity], "缺失", path, "资金情况", f"C{n + 4}")
                                               for n, severity in enumerate(problems)),
        info=ProjectInfo(year, name, department, unit, "", code or ""), folder_base=name,
        figures=Figures(*(decimal(figures[key]) for key in ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分")),
                        figures["等级"]),
        indicators=Packed(indicators),
        spending=Packed({"支出内容": f"支出{n}", "金额": a, "说明": ""} for n, a in enumerate(spending)),
        volumes=Packed({"业务类别": f"类别{n}", "数量": c, "金额": a, "备注": ""} for n, (c, a) in enumerate(volumes)))
    return ManifestEntry(SourceFacts(path, "/" + path, path, 1, ""), result, status, folder=name).to_json()


def awkward_batch(count: int = 300, seed: int = 16) -> list[dict]:
    """``count`` projects with amounts float gets wrong (0.1, 0.2, whole 分 in 万元: six decimals), scores of 28
    digits, several years and departments (code point order differs from pinyin and locale order), every status."""
    rnd = random.Random(seed)
    departments = ["审批局", "卫生健康委员会", "乙局", "甲局", "Z局", "a局", "（直属）局", "教育局 ", "交通运输局", "农业农村局"]
    entries = []
    for n in range(count):
        status = rnd.choice(["ok"] * 14 + ["has-errors"] * 3 + ["skipped", "superseded"])
        budget_fen = rnd.choice([100_000, 200_000, 300_000, rnd.randint(1, 10**9)])  # 0.1 / 0.2 / 0.3 万元 …
        spent_fen = rnd.randint(0, budget_fen)
        den = rnd.choice([3, 7, 100])  # 28 digits, or two decimals; every 7th on a rounding edge
        score = D(rnd.randint(40 * den, 100 * den)) / den if n % 7 else D(rnd.choice(["89.995", "59.995", "0.1"]))
        spending = [rnd.choice(["0.1", "0.2", "0.3", "0.000001", exact(D(rnd.randint(1, 10**7)).scaleb(-6))])
                    for _ in range(rnd.randint(0, 4))]
        volumes = [(str(rnd.randint(0, 50)), rnd.choice(["0.1", "0.2", "0.0000000001", "1.23"]))
                   for _ in range(rnd.randint(0, 2))]
        indicators = [(rnd.choice(["产出指标", "效益指标"]), "10", exact(D(rnd.randint(0, 10**6)).scaleb(-5)))
                      for _ in range(rnd.randint(1, 3))]
        problems = rnd.sample(["错误", "警告", "提示", "警告"], rnd.randint(0, 3))
        if status == "has-errors" and "错误" not in problems:
            problems.append("错误")
        if status == "ok" and "错误" in problems:
            problems.remove("错误")
        entries.append(entry(
            f"in/{n:04d}.xlsx", year=rnd.choice(["2024", "2025", "2025"]), department=rnd.choice(departments),
            unit=f"单位{rnd.randint(0, 30)}", name=f"项目{n}", status=status,
            initial=exact(D(rnd.randint(0, 10**8)).scaleb(-6)), budget=exact(D(budget_fen).scaleb(-6)),
            spent=exact(D(spent_fen).scaleb(-6)) if n % 11 else None,
            score=exact(score) if n % 13 else None, indicators=indicators, spending=spending, volumes=volumes,
            problems=problems))
    return entries


# ---- the 部门汇总 figures computed plainly: the reference the summary's pandas figures are held to -------------------

def plain_department_rows(entries) -> list[tuple]:
    """Per 评价年度 and 主管部门, in code point order: (评价年度, 主管部门, 项目数, 有错误未计入, 年初预算数, 全年预算数,
    全年执行数, 执行率, 平均得分, 最低得分, {grade: count}) — plain Decimal sums over the typed entries (or their
    JSON), the projects in the summary's order; what the summary computed before it aggregated with pandas."""
    entries = [ManifestEntry.from_json(e) if isinstance(e, dict) else e for e in entries]
    counted = sorted((e for e in entries if e.status in ("ok", "has-errors")),
                     key=lambda e: (e.info.year, e.info.department, e.info.unit, e.info.name, e.path))
    groups: dict[tuple[str, str], list] = {}
    for e in counted:
        groups.setdefault((e.info.year, e.info.department), []).append(e)
    rows = []
    for (year, department), members in sorted(groups.items()):
        clean = [e.figures for e in members if e.status != "has-errors"]
        initial, budget, spent = (sum((getattr(f, k) for f in clean if getattr(f, k) is not None), D(0))
                                  for k in ("initial_budget", "budget", "spent"))
        scores = [f.score for f in clean if f.score is not None]
        rows.append((year, department, len(members), len(members) - len(clean), initial, budget, spent,
                     spent / budget if budget else None, sum(scores, D(0)) / len(scores) if scores else None,
                     min(scores, default=None), {g: sum(1 for f in clean if f.grade == g) for g in GRADES}))
    return rows
