"""The command line: a thin layer over the library. The only module that prints or exits.

Exit codes: 0 all clean, 1 finished but some workbook has errors or could not be read, 2 unusable invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .config import DEFAULT_FILE, Config, ConfigError, load_config

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The invocation cannot be carried out (no such file, bad option, bad configuration)."""


def _console_safe() -> None:
    """Never crash on a console that cannot show a character (a GBK console on Windows)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


def _config(args) -> Config:
    try:
        return load_config(args.config)
    except ConfigError as exc:
        raise UsageError(f"配置错误 / configuration error: {exc}") from None


# ---- template, init: one named file a person may have edited since -------------------------------------------

def _refuse_existing(path: Path, force: bool) -> None:
    """A file of that name may be a filled workbook or an edited configuration: never replace it unasked."""
    if not force and (path.exists() or path.is_symlink()):
        raise UsageError(f"文件已存在，未覆盖 / file exists, not overwritten: {path}"
                         "（确需覆盖请加 --force，或用 -o 指定另一个文件名 / use --force, or -o another name）")


def cmd_template(args) -> int:
    from .template import write_workbook

    target = Path(args.output)
    _refuse_existing(target, args.force)
    path = write_workbook(target)
    print(f"已生成空白填报模板 / blank template written: {path}")
    return EXIT_OK


def cmd_init(args) -> int:
    from .config import example_text
    from .fileio import write_text

    target = Path(args.output)
    _refuse_existing(target, args.force)
    write_text(target, example_text())
    print(f"已生成配置文件 / configuration written: {target}（每一项都是默认值，按需修改 / every key at its default, "
          "edit as needed）")
    return EXIT_OK


# ---- check --------------------------------------------------------------------------------------------------

def cmd_check(args) -> int:
    from .batch import discover, not_evaluated
    from .pipeline import Evaluation, evaluate_file
    from .problems import Problem
    from .results import FAILED_STATUSES, STATUS_SKIPPED

    config = _config(args)
    inputs = [Path(f) for f in args.files]
    missing = [str(f) for f in inputs if not f.exists()]
    if missing:
        raise UsageError(f"找不到文件或文件夹 / no such file or folder: {', '.join(missing)}")
    # Folders are searched as perfeval run searches them (the run's output folder is not an input).
    targets = _targets(args.targets, config) if args.targets else None
    evaluations = []
    for f in discover(inputs, exclude=Path(config.run["output"])):
        if skip := not_evaluated(f, documents=True):
            status, code, _, message = skip
            evaluations.append(Evaluation(f.path, f.shown_path, None, None, [Problem(code, message, f.shown_path)],
                                          blank=status == STATUS_SKIPPED))
        else:
            evaluations.extend(evaluate_file(f.path, config, f.shown_path, targets))
    if not evaluations:
        print("未找到任何文件（只处理 .xlsx、.xlsm、.xls、.ods 填报表）/ no input files found", file=sys.stderr)
    if args.annotate:
        from .annotate import write_annotated

        from .fileio import safe_name

        target_dir = Path(args.annotate)
        used: set[str] = set()
        for ev in evaluations:
            if ev.problems and not ev.blank and ev.project is not None and not ev.from_word:
                # Two inputs of the same name (from different folders) must not overwrite each other's copy.
                stem, n = safe_name(f"{ev.source.stem}_标注版"), 2
                while stem.lower() in used:
                    stem, n = safe_name(f"{ev.source.stem}_标注版_{n}"), n + 1
                used.add(stem.lower())
                out = write_annotated(ev.source, ev.problems, target_dir / f"{stem}{ev.source.suffix}")
                ev.outputs["annotated"] = str(out)
    # The warning signs (复核提示) are for the bureau: a list of their own, never in a problem list or an exit code.
    from .signs import TITLE, checked_signs

    own, batch = checked_signs(evaluations, config)
    rows = [p.to_dict() for ev in evaluations for p in ev.problems]
    if args.json_signs:
        signs = [s.to_dict() for signs in own for s in signs] + [s.to_dict() for s in batch]
        print(json.dumps({"problems": rows, "signs": signs}, ensure_ascii=False, indent=2))
    elif args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for ev, signs in zip(evaluations, own):
            print(_check_text(ev))
            if signs:
                print("\n".join([f"   {TITLE}："] + [_finding_line(s) for s in signs]))
        if batch:
            print("\n".join([f"== {TITLE}，涉及多个文件："] + [_finding_line(s) for s in batch]))
    failed = any(ev.status in FAILED_STATUSES for ev in evaluations)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _finding_line(finding) -> str:
    """A problem or a warning sign on one line: severity, place, message, the value found."""
    where = (finding.where or "（整个文件）") if finding.file else finding.where
    line = f"   [{finding.severity}] {where}  {finding.message}" if where else f"   [{finding.severity}] {finding.message}"
    return line + (f"（填写值：{finding.value}）" if finding.value else "")


def _check_text(ev) -> str:
    from .fmt import score
    from .problems import ERROR, INFO, WARNING
    from .results import STATUS_HAS_ERRORS, STATUS_LABELS

    counts = ev.counts
    part = f"（{ev.part}）" if ev.part else ""
    head = (f"== {ev.name}{part}：{STATUS_LABELS[ev.status]}"
            f"（错误 {counts[ERROR]}，警告 {counts[WARNING]}，提示 {counts[INFO]}）")
    lines = [head]
    if ev.card is not None:
        lines.append(f"   得分 {score(ev.card.total)}，等级 {ev.card.grade}" + ("（未通过校验，仅供参考）"
                                                                          if ev.status == STATUS_HAS_ERRORS else ""))
        unit = ev.official.unit if ev.official is not None else None
        if unit is not None and (unit.total or unit.grade):
            own = [f"总分 {score(unit.total.value)}" if unit.total else "", f"等级 {unit.grade.value}" if unit.grade else ""]
            lines.append(f"   单位自评：{'，'.join(t for t in own if t)}")
    lines.extend(_finding_line(p) for p in ev.problems)
    if "annotated" in ev.outputs:
        lines.append(f"   标注版 / marked-up copy: {ev.outputs['annotated']}")
    return "\n".join(lines)


def _targets(paths: list[str], config: Config):
    from .targets import read_targets

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"找不到批复目标文件 / no such targets file: {', '.join(missing)}")
    targets = read_targets(paths, config.execution_weight)
    if not targets.projects:
        raise UsageError(f"批复目标中没有可读取的项目 / no approved project in: {', '.join(paths)}")
    return targets


# ---- prepare ------------------------------------------------------------------------------------------------

def cmd_prepare(args) -> int:
    from .targets.prepare import EXISTING, NOT_WRITTEN, WRITTEN, prepare

    config = _config(args)
    missing = [p for p in args.targets if not Path(p).exists()]
    if missing:
        raise UsageError(f"找不到批复目标文件 / no such targets file: {', '.join(missing)}")
    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers 不能为负数 / must not be negative")
    workers = args.workers if args.workers else (os.cpu_count() or 1) if args.workers == 0 else 1
    output = Path(args.output or config.targets["output"])
    result = prepare(args.targets, output, config, force=args.force, workers=workers)
    if not result.items and not result.problems:
        raise UsageError(f"批复目标中没有项目 / no approved project in: {', '.join(args.targets)}")
    for p in result.problems:
        where = f"{p.file} {p.where}".strip()
        print(f"[{p.severity}] {where}  {p.message}" + (f"（填写值：{p.value}）" if p.value else ""))
    for item in result.items:
        if item.status == EXISTING:
            print(f"已存在，未覆盖（用 --force 覆盖）/ exists, skipped: {output / item.file}")
    print(f"已生成 {result.count(WRITTEN)} 份填报表，跳过已存在 {result.count(EXISTING)} 份，"
          f"有错误未生成 {result.count(NOT_WRITTEN)} 个项目 / written, existing, not written")
    print(f"准备清单 / listing: {result.listing}")
    return result.exit_code


# ---- run ----------------------------------------------------------------------------------------------------

class _ProgressBar:
    """A one-line progress bar on stderr, redrawn as each file is done: ``[####......] 12/40 name``."""

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        import shutil

        from .render import display_width

        columns = shutil.get_terminal_size((80, 20)).columns - 1
        filled = round(30 * done / total)
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} "
        room = columns - len(line)
        shown = ""
        for ch in label:
            if display_width(shown + ch) > room:
                break
            shown += ch
        line += shown
        sys.stderr.write("\r" + line + " " * max(columns - len(line) - display_width(shown) + len(shown), 0))
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line, when it was drawn."""
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.drawn = False


def cmd_run(args) -> int:
    import logging

    from .batch import BatchError, run_batch

    config = _config(args)
    run = config.run
    inputs = [Path(p) for p in (args.inputs or run["input"])]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing and args.inputs:
        raise UsageError(f"找不到输入 / no such input: {', '.join(missing)}")
    if missing:  # none given: [run] input, from perfeval.toml or the default
        where = f"配置文件 {config.source} 中 [run] input 的设置" if config.source else "未指定输入时的默认值"
        raise UsageError(f"找不到输入 {', '.join(missing)}（{where}）。请指定要处理的文件夹，如 perfeval run incoming；"
                         "或在 perfeval.toml 的 [run] 中设置 input = [\"incoming\"]。/ no such input: "
                         f"{', '.join(missing)}; pass a folder (perfeval run FOLDER), or set [run] input in perfeval.toml")
    output = Path(args.output or run["output"])
    workers = args.workers if args.workers is not None else run["workers"]
    if workers < 0:
        raise UsageError("--workers 不能为负数 / must not be negative")
    scheduler = args.scheduler if args.scheduler is not None else run["scheduler"]
    compare = args.compare if args.compare is not None else run["compare"]  # read by run_batch before it starts
    progress = _ProgressBar() if sys.stderr.isatty() else None
    if progress is None:  # cron, systemd: a plain line per file on stderr instead of the progress bar
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger = logging.getLogger("perfeval")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    targets = args.targets or run["targets"]
    if missing := [p for p in targets if not Path(p).exists()]:
        raise UsageError(f"找不到批复目标文件 / no such targets file: {', '.join(missing)}")
    try:
        result = run_batch(inputs, output, config, workers=workers, scheduler=scheduler or None,
                           ship_inputs=args.ship_inputs, progress=progress, targets=targets,
                           compare=Path(compare) if compare else None)
    except BatchError as exc:  # BatchLocked among them
        raise UsageError(str(exc)) from None
    finally:
        if progress is None:
            logging.getLogger("perfeval").removeHandler(handler)
        else:
            progress.close()
    for line in result.summary_lines():
        print(line)
    return result.exit_code


# ---- email --------------------------------------------------------------------------------------------------

def cmd_email(args) -> int:
    from .mail import MailError, run_mail

    config = _config(args)
    try:
        result = run_mail(Path(args.output), config, send=args.send, resend=args.resend, only=args.only,
                          prepared=args.prepared)
    except MailError as exc:
        raise UsageError(str(exc)) from None
    for warning in result.warnings:
        print(f"perfeval: 警告：{warning}", file=sys.stderr)
    for line in result.summary_lines():
        print(line)
    return result.exit_code


# ---- review: the bureau's spot check ------------------------------------------------------------------------

def cmd_review_sample(args) -> int:
    from decimal import Decimal

    from .review import ReviewError
    from .review.sampling import draw, new_seed
    from .review.source import drawable_projects
    from .review.worksheet import write_worksheet

    config = _config(args)
    output = Path(args.output)
    if not output.is_dir():
        raise UsageError(f"找不到输出文件夹 / no such folder: {output}（请指定 perfeval run 的输出文件夹）")
    target = Path(args.o) if args.o else output / "复核" / "复核底稿.xlsx"
    _refuse_existing(target, args.force)
    by = args.by or config.review["by"]
    share = args.fraction if args.fraction is not None else config.review["fraction"]
    fraction = None if args.count is not None else Decimal(str(share))
    seed = args.seed if args.seed is not None else new_seed()
    try:
        sample = draw(drawable_projects(output, config), seed, by=by, count=args.count, fraction=fraction,
                      prefer_flagged=args.prefer_flagged)
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    write_worksheet(target, sample)
    groups: dict[str, int] = {}
    for drawn in sample.drawn:
        groups[drawn.project.group(by)] = groups.get(drawn.project.group(by), 0) + 1
    print(f"随机种子 / seed: {seed}（用 --seed {seed} 可重新抽出同一名单 / the same seed draws the same sample）")
    print(f"按{by}分层抽取 {len(sample.drawn)} 个项目 / projects drawn: "
          + "，".join(f"{group or '（未填）'} {n}" for group, n in groups.items()))
    print(f"复核底稿 / worksheet: {target}")
    return EXIT_OK


def cmd_review_collect(args) -> int:
    from .fmt import trim
    from .review import ReviewError
    from .review.collect import collect
    from .review.compare import compare
    from .review.result import RESULT_NAME, write_result

    config = _config(args)
    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"找不到文件 / no such file: {source}")
    target = Path(args.output) if args.output else source.with_name(RESULT_NAME)
    _refuse_existing(target, args.force)
    try:
        collected = collect(source, str(source))
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    comparison = compare(collected, config)
    write_result(target, comparison, collected.problems, collected.seed)
    compared = [c for c in comparison.projects if c.compared]
    beyond = sum(1 for c in compared if c.beyond)
    state = f"有错误（错误 {len(collected.problems)}）" if collected.problems else "通过"
    print("\n".join([f"== {source}：{state}"] + [_finding_line(p) for p in collected.problems]))
    print(f"抽查 {len(comparison.projects)} 个项目，已比较 {len(compared)} 个，复核总分与规则总分相差超过 "
          f"{trim(comparison.threshold)} 分的 {beyond} 个 / projects compared, beyond the threshold")
    print(f"复核结果 / result: {target}")
    return EXIT_PROBLEMS if collected.problems else EXIT_OK


# ---- entry --------------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfeval", description="项目支出绩效自评批量工具 — fiscal project "
                                     "performance self-evaluation in batch.")
    parser.add_argument("--version", action="version", version=f"perfeval {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("template", help="生成空白填报模板 / write the blank input workbook")
    p.add_argument("-o", "--output", default="绩效自评填报模板.xlsx", help="输出文件 / output file")
    p.add_argument("--force", action="store_true", help="覆盖已有的同名文件 / overwrite an existing file")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("init", help="生成带注释的配置文件 perfeval.toml / write a commented perfeval.toml")
    p.add_argument("-o", "--output", default=DEFAULT_FILE, help="输出文件 / output file")
    p.add_argument("--force", action="store_true", help="覆盖已有的同名文件 / overwrite an existing file")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("check", help="校验填报表 / check workbooks and list their problems")
    p.add_argument("files", nargs="+", metavar="FILE", help="填报表 / input workbooks")
    p.add_argument("--json", action="store_true", help="以 JSON 输出问题 / print problems as one JSON list")
    p.add_argument("--json-signs", action="store_true", help="以 JSON 对象输出问题和复核提示 / print one JSON "
                   "object: problems (the list of --json) and signs (复核提示)")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.add_argument("--annotate", metavar="DIR", help="写出标注版 / write marked-up copies into DIR")
    p.add_argument("--targets", action="append", metavar="FILE|DIR", help="与批复目标比对（可重复）/ compare "
                   "with approved targets (repeatable)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("prepare", help="生成预填并锁定批复目标的填报表 / write pre-filled, locked workbooks from "
                       "approved targets")
    p.add_argument("targets", nargs="+", metavar="TARGETS", help="目标清单或申报表（文件或文件夹）/ targets files "
                   "or folders")
    p.add_argument("-o", "--output", help="输出文件夹 / output folder (default: [targets] output)")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.add_argument("--force", action="store_true", help="覆盖已存在的填报表 / overwrite existing workbooks")
    p.add_argument("--workers", type=int, help="并行进程数，0 为按CPU核数 / worker processes, 0 = one per core")
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("run", help="批量评价 / evaluate a folder of workbooks and write all outputs")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="文件或文件夹 / files or folders "
                   "(default: [run] input)")
    p.add_argument("-o", "--output", help="输出文件夹 / output folder (default: [run] output)")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.add_argument("--workers", type=int, help="并行进程数，0 为按CPU核数 / worker processes, 0 = one per core")
    p.add_argument("--scheduler", metavar="ADDRESS", help="dask 调度器地址 / dask.distributed scheduler address")
    p.add_argument("--ship-inputs", action="store_true", help="把输入文件内容发送给集群 / send input bytes to "
                   "the cluster workers")
    p.add_argument("--targets", action="append", metavar="FILE|DIR", help="与批复目标比对，并列出未报送的项目（可重复；"
                   "默认 [run] targets）/ compare with approved targets and list projects not returned (repeatable)")
    p.add_argument("--compare", metavar="LAST_OUTPUT", help="与上年的输出文件夹比较，汇总表增加“同比” / compare with "
                   "last year's output folder (default: [run] compare)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("email", help="发送结果邮件 / e-mail each unit its results or problems")
    p.add_argument("output", metavar="OUTPUT", help="批量运行的输出文件夹；加 --prepared 时为 perfeval prepare 的文件夹 "
                   "/ the output folder of a run (with --prepared: a prepare folder)")
    p.add_argument("--prepared", action="store_true", help="向各单位下发预填的填报表（每个邮箱一封，附其全部填报表）/ "
                   "send out the prepared workbooks, one mail per unit address")
    p.add_argument("--send", action="store_true", help="真正发送（默认只生成 .eml）/ send (default: dry run)")
    p.add_argument("--resend", action="store_true", help="重发已发送过的邮件 / send again what was sent")
    p.add_argument("--only", metavar="TEXT", help="只处理名称含 TEXT 的项目或单位 / only projects or units "
                   "whose name contains TEXT")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.set_defaults(func=cmd_email)

    p = sub.add_parser("review", help="抽查复核 / the bureau's spot check: draw a sample, collect the worksheet")
    review = p.add_subparsers(dest="review_command", required=True, metavar="STEP")
    p = review.add_parser("sample", help="抽取项目并写出复核底稿 / draw a sample and write the reviewers' worksheet")
    p.add_argument("output", metavar="OUTPUT", help="批量运行的输出文件夹 / the output folder of a run")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--count", type=int, metavar="N", help="共抽取 N 个项目 / draw N projects in all")
    size.add_argument("--fraction", type=float, metavar="F", help="每组抽取比例 / the share of each group "
                      "(default: [review] fraction)")
    p.add_argument("--by", choices=("主管部门", "实施单位"), help="分层依据 / the groups (default: [review] by)")
    p.add_argument("--prefer-flagged", action="store_true", help="优先抽取有复核提示的项目 / draw projects with "
                   "a warning sign first")
    p.add_argument("--seed", type=int, metavar="N", help="随机种子 / the seed (default: chosen and printed)")
    p.add_argument("-o", metavar="FILE", help="复核底稿文件 / the worksheet (default: OUTPUT/复核/复核底稿.xlsx)")
    p.add_argument("--force", action="store_true", help="覆盖已有的同名文件 / overwrite an existing file")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.set_defaults(func=cmd_review_sample)
    p = review.add_parser("collect", help="汇总填好的复核底稿 / collect a filled worksheet and compare")
    p.add_argument("file", metavar="FILE", help="填好的复核底稿 / the filled worksheet")
    p.add_argument("-o", "--output", metavar="RESULT", help="复核结果文件 / the result workbook (default: "
                   "复核结果.xlsx beside the worksheet)")
    p.add_argument("--force", action="store_true", help="覆盖已有的同名文件 / overwrite an existing file")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.set_defaults(func=cmd_review_collect)
    return parser


def main(argv: list[str] | None = None) -> int:
    _console_safe()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad options, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"perfeval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # an output that cannot be written (a file in the way, no permission, disk full):
        # not exit code 1, which says that some workbook has errors
        print(f"perfeval: 无法读写文件 / file error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("perfeval: 已中断 / interrupted", file=sys.stderr)
        return 130
