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
from .config import Config, ConfigError, load_config

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


# ---- template -----------------------------------------------------------------------------------------------

def cmd_template(args) -> int:
    from .template import write_workbook

    path = write_workbook(Path(args.output))
    print(f"已生成空白填报模板 / blank template written: {path}")
    return EXIT_OK


# ---- check --------------------------------------------------------------------------------------------------

def cmd_check(args) -> int:
    from .pipeline import evaluate

    config = _config(args)
    files = [Path(f) for f in args.files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"找不到文件 / no such file: {', '.join(missing)}")
    targets = _targets(args.targets, config) if args.targets else None
    evaluations = [evaluate(f, config, str(f), targets) for f in files]
    if args.annotate:
        from .annotate import write_annotated

        from .fileio import safe_name

        target_dir = Path(args.annotate)
        used: set[str] = set()
        for ev in evaluations:
            if ev.problems and not ev.blank and ev.project is not None:
                # Two inputs of the same name (from different folders) must not overwrite each other's copy.
                stem, n = safe_name(f"{ev.source.stem}_标注版"), 2
                while stem.lower() in used:
                    stem, n = safe_name(f"{ev.source.stem}_标注版_{n}"), n + 1
                used.add(stem.lower())
                out = write_annotated(ev.source, ev.problems, target_dir / f"{stem}{ev.source.suffix}")
                ev.outputs["annotated"] = str(out)
    if args.json:
        rows = [p.to_dict() for ev in evaluations for p in ev.problems]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for ev in evaluations:
            print(_check_text(ev))
    failed = any(ev.status in ("has-errors", "unreadable") for ev in evaluations)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _check_text(ev) -> str:
    from .fmt import score
    from .pipeline import STATUS_LABELS

    counts = ev.counts
    head = f"== {ev.name}：{STATUS_LABELS[ev.status]}（错误 {counts['错误']}，警告 {counts['警告']}，提示 {counts['提示']}）"
    lines = [head]
    if ev.card is not None:
        lines.append(f"   得分 {score(ev.card.total)}，等级 {ev.card.grade}" + ("（未通过校验，仅供参考）"
                                                                          if ev.status == "has-errors" else ""))
    for p in ev.problems:
        where = p.where or "（整个文件）"
        lines.append(f"   [{p.severity}] {where}  {p.message}" + (f"（填写值：{p.value}）" if p.value else ""))
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

def cmd_run(args) -> int:
    import logging

    from .batch import BatchError, run_batch

    config = _config(args)
    run = config.run
    inputs = [Path(p) for p in (args.inputs or run["input"])]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise UsageError(f"找不到输入 / no such input: {', '.join(missing)}")
    output = Path(args.output or run["output"])
    workers = args.workers if args.workers is not None else run["workers"]
    if workers < 0:
        raise UsageError("--workers 不能为负数 / must not be negative")
    scheduler = args.scheduler if args.scheduler is not None else run["scheduler"]
    progress = sys.stderr.isatty()
    if not progress:  # cron, systemd: a plain line per file on stderr instead of the progress bar
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger = logging.getLogger("perfeval")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        result = run_batch(inputs, output, config, workers=workers, scheduler=scheduler or None,
                           ship_inputs=args.ship_inputs, progress=progress)
    except BatchError as exc:  # BatchLocked among them
        raise UsageError(str(exc)) from None
    finally:
        if not progress:
            logging.getLogger("perfeval").removeHandler(handler)
    for line in result.summary_lines():
        print(line)
    return result.exit_code


# ---- email --------------------------------------------------------------------------------------------------

def cmd_email(args) -> int:
    from .mail import MailError, run_mail

    config = _config(args)
    try:
        result = run_mail(Path(args.output), config, send=args.send, resend=args.resend, only=args.only)
    except MailError as exc:
        raise UsageError(str(exc)) from None
    for line in result.summary_lines():
        print(line)
    return result.exit_code


# ---- entry --------------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfeval", description="项目支出绩效自评批量工具 — fiscal project "
                                     "performance self-evaluation in batch.")
    parser.add_argument("--version", action="version", version=f"perfeval {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("template", help="生成空白填报模板 / write the blank input workbook")
    p.add_argument("-o", "--output", default="绩效自评填报模板.xlsx", help="输出文件 / output file")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("check", help="校验填报表 / check workbooks and list their problems")
    p.add_argument("files", nargs="+", metavar="FILE", help="填报表 / input workbooks")
    p.add_argument("--json", action="store_true", help="以 JSON 输出问题 / print problems as one JSON list")
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
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("email", help="发送结果邮件 / e-mail each unit its results or problems")
    p.add_argument("output", metavar="OUTPUT", help="批量运行的输出文件夹 / the output folder of a run")
    p.add_argument("--send", action="store_true", help="真正发送（默认只生成 .eml）/ send (default: dry run)")
    p.add_argument("--resend", action="store_true", help="重发已发送过的邮件 / send again what was sent")
    p.add_argument("--only", metavar="TEXT", help="只处理名称含 TEXT 的项目或单位 / only projects or units "
                   "whose name contains TEXT")
    p.add_argument("--config", metavar="FILE", help="配置文件 / configuration file (default: ./perfeval.toml)")
    p.set_defaults(func=cmd_email)
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
