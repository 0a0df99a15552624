"""Realistic filled input workbooks for the benchmark (bench/pipeline.py), random but valid, from a fixed seed.

    python bench/make_workbooks.py [-n 1000] [--seed 2025] [--out DIR]

Each workbook is the standard template (:func:`perfeval.template.write_workbook`) filled with a project of one of
a dozen departments: 3 to 40 indicators (产出 50 / 效益 30 / 满意度 10 points, whole numbers, the rules' default
split), 2 to 30 spending lines that add up to the funding's 全年执行数, one to three funding sources, two to
eight members, zero to six business volumes, texts of a few hundred characters. Targets are of every kind the
template knows (≥ %, ≥ count, ≤ cost or duration, =, a deadline date, qualitative); most are met, some missed or
far exceeded, each with its 偏差原因; a low execution rate has its reason. The data are meant to pass every check:
``python bench/make_workbooks.py --verify`` checks a sample and lists any problem found.

The set is cached: :func:`ensure_workbooks` writes into ``<tmp>/perfeval-bench/n<N>-s<SEED>/`` once and reuses it
(a ``.complete`` marker is written last, so an interrupted generation starts again). Writing a workbook with
write_workbook takes about a quarter of a second, so a set larger than :data:`BASE` (1,000) is the first 1,000
written once, then copied with a new project number: workbook ``i`` is workbook ``i % 1000`` whose project name,
e-mail and file name carry ``i`` (its shared strings rewritten inside the zip) — a distinct project with the same
shape, so 10,000 workbooks take a few minutes to make instead of most of an hour. ``--errors 0.1``
makes every tenth workbook one with an error (its spending lines do not add up), as a real batch has.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SEED = 2025
BASE = 1000  # distinct workbooks; larger sets are renumbered copies of these
CACHE_ROOT = Path(tempfile.gettempdir()) / "perfeval-bench"

# 主管部门 -> 实施单位
DEPARTMENTS = {
    "审批局": ("审批局", "公共资源交易中心", "政务服务中心"),
    "教育局": ("第一中学", "第二中学", "实验小学", "教师发展中心", "教育局"),
    "交通运输局": ("公路养护中心", "交通运输局", "运输管理所"),
    "农业农村局": ("农业技术推广站", "动物疫病预防控制中心", "农业农村局"),
    "卫生健康委员会": ("疾病预防控制中心", "人民医院", "妇幼保健院", "卫生健康委员会"),
    "民政局": ("社会福利院", "民政局", "救助管理站"),
    "文化和旅游局": ("图书馆", "文化馆", "博物馆"),
    "自然资源局": ("不动产登记中心", "自然资源局", "测绘院"),
    "生态环境局": ("环境监测站", "生态环境局"),
    "水利局": ("水库管理所", "水利局", "河道管理处"),
    "市场监督管理局": ("质量技术监督检测所", "市场监督管理局"),
    "人力资源和社会保障局": ("就业服务中心", "社会保险事业中心", "人力资源和社会保障局"),
}
SUBJECTS = ("运转经费", "信息化建设", "设施维修改造", "专项业务经费", "能力提升", "宣传培训", "设备购置", "运行维护",
            "综合治理", "公共服务", "监测检测", "应急保障", "基础设施建设", "民生保障", "课题研究")
TOPICS = ("公共资源交易", "校园安全", "农村公路", "农民培训", "传染病防控", "社会救助", "公共文化", "不动产登记",
          "环境监测", "河湖管护", "食品安全", "就业服务", "智慧政务", "档案管理", "养老服务", "水资源保护", "森林防火",
          "城市照明", "防汛抗旱", "安全生产")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志海波辉宁鹏飞雪梅兰春晓东"
SENTENCES = (
    "根据年度工作部署，本单位认真组织项目实施，严格执行预算管理和财务管理制度。",
    "项目实施过程中坚持问题导向，逐项分解任务，明确责任人和完成时限。",
    "通过政府采购方式选择服务供应商，采购程序合法合规，合同履约情况良好。",
    "项目资金实行专账核算、专款专用，资金拨付依据充分，手续完备。",
    "建立健全项目管理制度，定期召开工作推进会，及时协调解决实施中的困难和问题。",
    "对照年初设定的绩效目标，逐项核实产出数量、质量、时效和成本情况。",
    "通过问卷调查和座谈走访等方式了解服务对象满意度，收集意见建议。",
    "项目的实施有效提升了公共服务水平，群众的获得感和满意度进一步增强。",
    "部分工作受客观因素影响进度略有滞后，已采取措施加快推进。",
    "今后将进一步加强预算编制的科学性和精准性，提高资金使用效益。",
    "加强绩效目标管理，完善绩效指标体系，提高指标的可衡量性。",
    "加强与相关部门的沟通协调，形成工作合力，确保各项任务按期完成。",
    "按照“谁使用、谁负责”的原则，落实项目实施主体责任。",
    "全年未发生资金截留、挤占、挪用等违规问题。",
    "评价工作组通过查阅资料、实地查看、数据核对等方式开展自评。",
)
SPENDING_ITEMS = ("日常办公经费", "设备购置费", "维修维护费", "专家咨询费", "印刷宣传费", "差旅费", "培训费", "会议费",
                  "信息系统运维费", "网络通信费", "劳务费", "委托业务费", "物业管理费", "专用材料费", "租赁费", "水电费",
                  "车辆运行维护费", "检测化验费", "课题研究费", "政府购买服务费", "耗材购置费", "工程建设费", "监理费",
                  "设计费", "保险费", "邮电费", "档案整理费", "软件购置费", "安全保障费", "应急物资储备费", "场地租赁费",
                  "宣传品制作费")
VOLUME_KINDS = ("政府采购", "工程项目", "土地使用权", "国有产权", "矿业权", "其他交易")
LEVEL2 = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
LEVEL1_POINTS = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
INDICATOR_WORDS = ("完成率", "覆盖率", "合格率", "达标率", "及时率", "数量", "次数", "人次", "项目数", "完成时间",
                   "成本控制", "使用率", "知晓率", "提升情况", "改善程度", "满意度")


def _text(rng: random.Random, low: int, high: int) -> str:
    """Chinese prose of about ``low`` to ``high`` characters."""
    goal = rng.randint(low, high)
    parts: list[str] = []
    while sum(map(len, parts)) < goal:
        parts.append(rng.choice(SENTENCES))
    return "".join(parts)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _split(rng: random.Random, total: int, parts: int, minimum: int = 1) -> list[int]:
    """``total`` as ``parts`` whole numbers of at least ``minimum``, at random."""
    rest = total - parts * minimum
    cuts = sorted(rng.randint(0, rest) for _ in range(parts - 1))
    bounds = [0, *cuts, rest]
    return [minimum + bounds[i + 1] - bounds[i] for i in range(parts)]


def _indicator(rng: random.Random, level1: str, level2: str, name: str, weight: int, year: int) -> dict:
    """One indicator row: a target and an actual of a kind fitting its level 2; met most of the time."""
    row = {"一级指标": level1, "二级指标": level2, "三级指标": name, "分值": weight}
    fate = rng.random()  # < 0.1 missed, < 0.15 far exceeded, else met
    kind = rng.choice(("percent", "count", "reverse", "date", "qualitative")) if level1 == "产出指标" else (
        rng.choice(("percent", "qualitative")) if level1 == "效益指标" else "percent")
    if level2 == "时效指标":
        kind = "date"
    elif level2 == "成本指标":
        kind = "reverse"
    reason = "受客观因素影响未完全达到目标，已分析原因并制定整改措施，下一年度加强过程管理确保完成。"
    if kind == "percent":
        target = rng.choice((80, 85, 90, 95, 98))
        actual = target - rng.randint(3, 10) if fate < 0.1 else min(100, target + rng.randint(0, 5))
        row.update({"指标性质": "正向", "年度指标值": f"≥{target}%", "实际完成值": f"{actual}%"})
    elif kind == "count":
        target = rng.choice((10, 20, 50, 100, 200, 500, 1000))
        unit = rng.choice(("个", "次", "人次", "项", "场", "户"))
        actual = int(target * rng.uniform(0.6, 0.9)) if fate < 0.1 else (
            int(target * rng.uniform(1.4, 1.8)) if fate < 0.15 else int(target * rng.uniform(1.0, 1.2)))
        row.update({"指标性质": "正向", "年度指标值": f"≥{target}{unit}", "实际完成值": f"{actual}{unit}"})
        if fate < 0.15 and fate >= 0.1:
            reason = "需求增长较快，实际完成量大幅超过年初目标，下一年度将据实调整目标值。"
    elif kind == "reverse":
        target = rng.choice((5, 10, 24, 30, 48, 100))
        unit = rng.choice(("万元", "小时", "天"))
        actual = round(target * rng.uniform(1.05, 1.3), 1) if fate < 0.1 else round(target * rng.uniform(0.6, 1.0), 1)
        row.update({"指标性质": "反向", "年度指标值": f"≤{target}{unit}", "实际完成值": f"{actual:g}{unit}"})
    elif kind == "date":
        month = rng.randint(6, 12)
        done = month + 1 if fate < 0.1 and month < 12 else rng.randint(max(1, month - 3), month)
        row.update({"年度指标值": f"{year}年{month}月30日前", "实际完成值": f"{year}年{done}月20日"})
    else:
        target = rng.choice(("提升", "有效改善", "明显提高", "稳步推进", "有效控制"))
        verdict = "部分达成" if fate < 0.1 else rng.choice(("达成", target))
        row.update({"指标性质": "定性", "年度指标值": target, "实际完成值": verdict})
        full = verdict != "部分达成"
        row["自评得分"] = round(weight * (rng.choice((0.9, 1.0)) if full else rng.choice((0.65, 0.7, 0.75))), 2)
    if fate < 0.15:
        row["偏差原因分析及改进措施"] = reason
    return row


def project(index: int, seed: int = DEFAULT_SEED) -> tuple[str, dict]:
    """The file name and the data of workbook number ``index`` of the set of ``seed``."""
    rng = random.Random(f"{seed}-{index}")
    year = 2025
    department = rng.choice(list(DEPARTMENTS))
    unit = rng.choice(DEPARTMENTS[department])
    name = f"{rng.choice(TOPICS)}{rng.choice(SUBJECTS)}（{index:05d}）"
    members = [{"职务": "组长", "姓名": _name(rng), "工作单位及职务": f"{unit} 负责人"}]
    members += [{"职务": rng.choice(("副组长", "组员", "组员")), "姓名": _name(rng) + str(i)}
                for i in range(rng.randint(1, 7))]

    # funding, in 0.01 万元 (integers keep every sum exact)
    sources = ["当年财政拨款"] + rng.sample(["上年结转资金", "其他资金"], rng.choice((0, 0, 1, 2)))
    budgets = [rng.randint(500, 500_000) for _ in sources]
    rate = rng.uniform(0.70, 1.0) if rng.random() < 0.2 else rng.uniform(0.9, 1.0)
    spent = [int(b * rate) for b in budgets]
    funding = [{"资金来源": s, "年初预算数": b / 100, "全年预算数": b / 100, "实际到位数": b / 100, "全年执行数": x / 100}
               for s, b, x in zip(sources, budgets, spent)]
    total_spent = sum(spent)
    lines = max(2, min(rng.randint(2, 30), total_spent))
    items = rng.sample(SPENDING_ITEMS, lines)
    spending = [{"支出内容": item, "金额": amount / 100} | ({"说明": rng.choice(SENTENCES)} if rng.random() < 0.3 else {})
                for item, amount in zip(items, _split(rng, total_spent, lines))]

    count = rng.randint(3, 40)
    satisfaction = rng.randint(1, min(3, count - 2))
    benefit = rng.randint(1, min(12, count - satisfaction - 1))
    output = count - satisfaction - benefit
    indicators = []
    used: set[str] = set()
    for level1, n in (("产出指标", output), ("效益指标", benefit), ("满意度指标", satisfaction)):
        weights = _split(rng, LEVEL1_POINTS[level1], n)
        level2s = sorted((rng.choice(LEVEL2[level1]) for _ in range(n)), key=LEVEL2[level1].index)
        for level2, weight in zip(level2s, weights):
            base = f"{rng.choice(TOPICS)}{rng.choice(INDICATOR_WORDS)}" if level1 != "满意度指标" else \
                f"{rng.choice(('服务对象', '群众', '使用人员', '受益群众'))}满意度"
            title, k = base, 2
            while title in used:
                title, k = f"{base}{k}", k + 1
            used.add(title)
            indicators.append(_indicator(rng, level1, level2, title, weight, year))

    volumes = [{"业务类别": kind, "数量": rng.randint(1, 500), "金额": round(rng.uniform(0.1, 30), 2)}
               for kind in rng.sample(VOLUME_KINDS, rng.choice((0, 0, 0, 2, 4, 6)))]
    leader = members[0]["姓名"]
    data = {
        "info": {
            "评价年度": str(year), "项目名称": name, "主管部门": department, "实施单位": unit,
            "项目负责人": leader, "联系人": _name(rng), "联系电话": f"0000-{rng.randint(10_000_000, 99_999_999)}",
            "联系邮箱": f"unit{index}@example.gov.cn",
            "项目背景": _text(rng, 150, 600), "年度总体目标": _text(rng, 80, 300),
            "总体目标完成情况": _text(rng, 60, 240), "评价工作开展情况": _text(rng, 80, 300),
            "预算执行偏差原因": "部分项目按合同约定分期支付，尾款在下一年度支付，执行率偏低。" if rate < 0.9 else "",
            "综合评价结论": _text(rng, 80, 300), "存在问题及改进建议": _text(rng, 80, 300),
            "其他需要说明的问题": "无",
        },
        "group": members, "funding": funding, "spending": spending, "indicators": indicators, "volumes": volumes,
    }
    return f"{year}_{unit}_{index:05d}.xlsx", data


def _write(args: tuple[int, int, str]) -> None:
    from perfeval.template import write_workbook

    index, seed, folder = args
    file_name, data = project(index, seed)
    write_workbook(Path(folder) / file_name, data)


def write_workbooks(folder: Path, n: int, seed: int = DEFAULT_SEED, workers: int = 0) -> list[Path]:
    """Write workbooks 0 … n-1 into ``folder`` (in parallel)."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(i, seed, str(folder)) for i in range(n)]
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        list(pool.map(_write, jobs, chunksize=16))
    return sorted(folder.glob("*.xlsx"))


def _renumbered(args: tuple[str, str, int, int]) -> None:
    """Copy workbook ``j`` (``source``) as workbook ``i`` (``target``): its number changed in the shared strings."""
    source, target, j, i = args
    swaps = [(f"（{j:05d}）".encode(), f"（{i:05d}）".encode()), (f"unit{j}@".encode(), f"unit{i}@".encode())]
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                for old, new in swaps:
                    assert data.count(old) == 1, (source, old)
                    data = data.replace(old, new)
            zout.writestr(info, data)


def _with_error(args: tuple[str, int, int]) -> None:
    """Write workbook ``i`` again with an error a unit makes: its first spending line 1 万元 too high, so the lines
    no longer add up to 全年执行数 (breakdown-sum-mismatch)."""
    from perfeval.template import write_workbook

    target, i, seed = args
    j = i % BASE
    _, data = project(j, seed)
    info = data["info"]
    info["项目名称"] = info["项目名称"].replace(f"（{j:05d}）", f"（{i:05d}）")
    info["联系邮箱"] = f"unit{i}@example.gov.cn"
    data["spending"][0]["金额"] = round(data["spending"][0]["金额"] + 1, 2)
    Path(target).unlink()
    write_workbook(target, data)


def ensure_workbooks(n: int, seed: int = DEFAULT_SEED, root: Path = CACHE_ROOT, quiet: bool = False,
                     errors: float = 0.0) -> Path:
    """The folder of the set of ``n`` workbooks of ``seed``, generated the first time only. With ``errors``
    (a fraction), every (1 / errors)-th workbook has an error (the set of ``n`` copied, those written again)."""
    if errors > 0:
        every = max(1, round(1 / errors))
        folder = root / f"n{n}-s{seed}-e{every}"
        if (folder / ".complete").is_file():
            return folder
        clean = ensure_workbooks(n, seed, root, quiet)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(clean, folder, ignore=shutil.ignore_patterns(".complete"))
        paths = sorted(folder.glob("*.xlsx"), key=lambda f: int(f.stem.rsplit("_", 1)[1]))
        jobs = [(str(paths[i]), i, seed) for i in range(0, n, every)]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_with_error, jobs, chunksize=8))
        (folder / ".complete").write_text("ok\n")
        return folder
    folder = root / f"n{n}-s{seed}"
    marker = folder / ".complete"
    if marker.is_file():
        return folder
    base = ensure_workbooks(BASE, seed, root, quiet) if n > BASE else None
    if not quiet:
        print(f"generating {n} workbooks into {folder} …", file=sys.stderr, flush=True)
    start = time.perf_counter()
    for old in folder.glob("*.xlsx"):
        old.unlink()
    if base is None:
        write_workbooks(folder, n, seed)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        names = {j: project(j, seed)[0] for j in range(BASE)}
        jobs = [(str(base / names[i % BASE]), str(folder / names[i % BASE].replace(f"_{i % BASE:05d}.", f"_{i:05d}.")),
                 i % BASE, i) for i in range(n)]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_renumbered, jobs, chunksize=64))
    marker.write_text("ok\n")
    if not quiet:
        print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="write here instead of the cache folder")
    parser.add_argument("--errors", type=float, default=0.0, metavar="FRACTION",
                        help="this fraction of the workbooks has an error (default 0)")
    parser.add_argument("--verify", type=int, nargs="?", const=50, metavar="K",
                        help="check the first K workbooks (default 50) and list their problems")
    args = parser.parse_args(argv)
    folder = write_workbooks(args.out, args.n, args.seed) and args.out if args.out else ensure_workbooks(
        args.n, args.seed, errors=args.errors)
    print(folder)
    if args.verify:
        from collections import Counter

        from perfeval.config import Config
        from perfeval.pipeline import evaluate

        codes: Counter = Counter()
        for path in sorted(Path(folder).glob("*.xlsx"))[: args.verify]:
            ev = evaluate(path, Config())
            for p in ev.problems:
                codes[(p.severity, p.code)] += 1
                print(f"{path.name}: [{p.severity}] {p.code} {p.where} {p.message}")
        print(dict(codes) or "no problems")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
