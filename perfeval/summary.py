"""The batch's summary workbook (绩效自评汇总.xlsx), made from the manifest's entries alone.

Sheets: 项目汇总 (a row per project), 部门汇总 (per 评价年度 and 主管部门, over the projects without errors; with a
targets list, 应报 / 已报: its projects, and those with a workbook back), 指标明细, 支出明细, 业务量汇总, 问题清单
(every problem of every file), 复核提示 (the warning signs, for the bureau: only in the batch's own summary, never in
a department's) and 图表 (native Excel charts).

The entries are :class:`perfeval.results.ManifestEntry`; the 部门汇总 figures are aggregated with pandas over the
batch's frames (:mod:`perfeval.frames`, imported only when a summary is written), exact (money in 分, scores as
Decimals). With a comparison with last year's batch (``perfeval run --compare``) the summary has the sheet 同比
(:mod:`perfeval.compare_sheet`) last. The sheets are written with
XlsxWriter in ``constant_memory`` mode (a batch of thousands of projects stays small in memory; rows are written
strictly in order), their data rows by :mod:`perfeval.xlsxrows` (fast rows where the installed XlsxWriter allows,
else cell by cell). Text from the inputs is always written as text; every figure is rounded by
:func:`perfeval.fmt.table_value` and shown by a number format. The output is byte-stable: the same entries give the
same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from . import fmt
from .config import Config
from .fileio import atomic_path
from .model import (STATUS_MET, STATUS_MISSED, STATUS_OVER, STATUS_QUAL_FULL, STATUS_QUAL_NONE, STATUS_QUAL_PARTIAL,
                    STATUS_UNKNOWN)
from .problems import ERROR, WARNING
from .render import clean, number_format, with_unit
from .results import PROJECT_STATUSES, ROW_KEYS, STATUS_MISSING, ManifestEntry, decimal, exact
from .signs import SIGN_CATALOGUE, Sign
from .xlsxrows import Col, Splices, TableSheet, fix_style_order, write_book

if TYPE_CHECKING:  # pandas is imported only when a summary is written
    from .frames import Comparison, Frames

SUMMARY_NAME = "绩效自评汇总.xlsx"
CREATED = dt.datetime(2000, 1, 1)  # a fixed date keeps the output byte-stable
FONT = "宋体"
GRADES = ("优", "良", "中", "差")

SHEET_PROJECTS = "项目汇总"
SHEET_DEPARTMENTS = "部门汇总"
SHEET_INDICATOR_DETAILS = "指标明细"
SHEET_SPENDING_DETAILS = "支出明细"
SHEET_VOLUMES = "业务量汇总"
SHEET_PROBLEMS = "问题清单"
SHEET_SIGNS = "复核提示"
BATCH_SCOPE, PROJECT_SCOPE = "全批", "项目"  # a batch-level sign, a project's own
SHEET_CHARTS = "图表"

INDICATOR_STATUS_LABELS = {STATUS_MET: "已完成", STATUS_OVER: "超额完成", STATUS_MISSED: "未完成",
                           STATUS_QUAL_FULL: "达成", STATUS_QUAL_PARTIAL: "部分达成", STATUS_QUAL_NONE: "未达成",
                           STATUS_UNKNOWN: "无法识别"}

_PROJECT_HEADERS = ("评价年度", "主管部门", "实施单位", "项目名称")  # a project's columns on every detail sheet
DIGEST_PROPERTY = "perfeval-digest"


# ---- aggregation ---------------------------------------------------------------------------------------------

def _project_columns(e: ManifestEntry) -> list[str]:
    """评价年度, 主管部门, 实施单位, 项目名称: what the summary sorts and groups by."""
    info = e.info
    return [info.year, info.department, info.unit, info.name]


def projects(entries: Iterable[ManifestEntry]) -> list[ManifestEntry]:
    """The entries that count as projects (evaluated, not superseded), in the summary's order."""
    rows = [e for e in entries if e.status in PROJECT_STATUSES]
    return sorted(rows, key=lambda e: (*_project_columns(e), e.path, e.part))


@dataclass
class DepartmentRow:
    year: str
    department: str
    projects: int  # all projects of the department
    with_errors: int  # left out of every figure below
    initial: Decimal
    budget: Decimal
    spent: Decimal
    rate: Decimal | None  # spent / budget of the sums
    mean_score: Decimal | None
    lowest_score: Decimal | None
    grades: dict[str, int]
    expected: int | None = None  # 应报: the department's projects of the targets lists (None without a list)
    returned: int | None = None  # 已报: those with a workbook back


def department_rows(entries: Iterable[ManifestEntry], frames: Frames | None = None) -> list[DepartmentRow]:
    """Per 评价年度 and 主管部门: counts of all projects, and the figures over the projects without errors, in code
    point order — aggregated with pandas over the batch's frames (:func:`perfeval.frames.department_figures`;
    ``frames`` when the caller has them already, else built from ``entries``, one at a time). pandas is imported
    here, only when a summary is made: ``perfeval check`` never imports it."""
    from .frames import from_entries
    from .frames.departments import records

    entries = entries if isinstance(entries, list) else list(entries)  # read twice: the frames, then 应报 / 已报
    frames = frames if frames is not None else from_entries(entries, details=False)
    rows = {(r.year, r.department): r for r in (DepartmentRow(*values) for values in records(frames.departments))}
    for e in entries:  # 应报 / 已报: the entries answering a targets list's project, and the missing ones
        if e.origin and e.status in PROJECT_STATUSES + (STATUS_MISSING,):
            key = (e.info.year, e.info.department)
            row = rows.setdefault(key, DepartmentRow(*key, 0, 0, Decimal(0), Decimal(0), Decimal(0), None, None, None,
                                                     {g: 0 for g in GRADES}))
            row.expected = (row.expected or 0) + 1
            row.returned = (row.returned or 0) + (e.status != STATUS_MISSING)
    return [rows[key] for key in sorted(rows)]  # code point order, as the frames give them


# ---- writing -------------------------------------------------------------------------------------------------

class _Book:
    """The summary workbook: its cell formats, and its table sheets (fast rows when ``splices`` is given)."""

    def __init__(self, path: Path, config: Config, splices: Splices | None):
        self.path = path
        self.splices = splices
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False, "constant_memory": True})
        self.wb.set_properties({"title": "项目支出绩效自评汇总", "author": "perfeval", "created": CREATED})
        score = number_format(config.table_decimals)
        self.places = {"money": 2, "rate": 4, "score": config.table_decimals, "count": 0}
        base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "top"}
        self.formats = {
            "header": self.wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center",
                                          "valign": "vcenter", "text_wrap": True}),
            "text": self.wb.add_format(base),
            "long": self.wb.add_format({**base, "text_wrap": True}),
            "money": self.wb.add_format({**base, "num_format": "0.00"}),
            "rate": self.wb.add_format({**base, "num_format": "0.00%"}),
            "score": self.wb.add_format({**base, "num_format": score}),
            "int": self.wb.add_format({**base, "num_format": "0"}),
            "count": self.wb.add_format({**base, "num_format": "0"}),
            "title": self.wb.add_format({"font_name": FONT, "font_size": 12, "bold": True}),
            "note": self.wb.add_format({"font_name": FONT, "font_size": 10, "italic": True}),
        }
        fix_style_order(self.formats.values())

    def close(self) -> None:
        self.wb.close()
        if self.splices is not None:
            self.splices.apply(self.path)

    def table(self, name: str, columns: tuple[Col, ...], rows: Iterable[Iterable]) -> None:
        sheet = TableSheet(self.wb, name, columns, self.formats, self.places, self.splices)
        for values in rows:
            sheet.add(values)
        sheet.finish()
        self.print_setup(sheet.ws)

    @staticmethod
    def print_setup(ws) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")


PROJECT_COLUMNS = (Col("评价年度", min_width=9), Col("主管部门"), Col("实施单位"), Col("项目名称", min_width=16),
                   Col("年初预算数（万元）", "money"), Col("全年预算数（万元）", "money"),
                   Col("全年执行数（万元）", "money"), Col("执行率", "rate"), Col("得分", "score"), Col("等级"),
                   Col("错误数", "int"), Col("警告数", "int"), Col("状态"), Col("源文件", min_width=20),
                   # an official source's own 总分 beside the rule's 得分 (official-table.md)
                   Col("来源类型"), Col("单位自评得分", "score"), Col("差异（自评−规则）", "score"))
DEPARTMENT_COLUMNS = (Col("评价年度", min_width=9), Col("主管部门"), Col("项目数", "int"),
                      Col("有错误未计入", "int"), Col("年初预算数合计（万元）", "money"),
                      Col("全年预算数合计（万元）", "money"), Col("全年执行数合计（万元）", "money"),
                      Col("执行率", "rate"), Col("平均得分", "score"), Col("最低得分", "score"),
                      *(Col(g, "int", 5) for g in GRADES), Col("应报", "int"), Col("已报", "int"))
INDICATOR_COLUMNS = (*(Col(k) for k in _PROJECT_HEADERS), Col("一级指标"), Col("二级指标"), Col("三级指标"),
                     Col("年度指标值"), Col("实际完成值"), Col("分值", "score"), Col("得分", "score"),
                     Col("完成情况"), Col("偏差原因分析及改进措施", "long", 30), Col("项目状态"))
SPENDING_COLUMNS = (*(Col(k) for k in _PROJECT_HEADERS), Col("支出内容", "long", 20), Col("金额（万元）", "money"),
                    Col("说明", "long", 20))
VOLUME_COLUMNS = (*(Col(k) for k in _PROJECT_HEADERS), Col("业务类别"), Col("数量（宗）", "count"),
                  Col("金额（亿元）", "money"), Col("备注", "long", 12))
PROBLEM_COLUMNS = (Col("源文件", min_width=20), Col("项目名称"), Col("实施单位"), Col("文件状态"), Col("工作表"),
                   Col("单元格"), Col("严重程度"), Col("问题代码", min_width=14), Col("问题说明", "long", 40),
                   Col("填写值", "long", 12))
SIGN_COLUMNS = (Col("范围", min_width=6), *(Col(k) for k in _PROJECT_HEADERS), Col("严重程度"),
                Col("提示代码", min_width=14), Col("提示", min_width=16), Col("提示说明", "long", 40), Col("工作表"),
                Col("单元格"), Col("源文件", min_width=20), Col("涉及项目", "long", 20))


def _project_row(e: ManifestEntry, scores_of_failed: bool = True) -> list:
    counts, f = e.problem_counts, e.figures
    score, grade = (f.score, f.grade) if scores_of_failed or e.has_result else (None, None)
    return [*_project_columns(e), f.initial_budget, f.budget, f.spent, f.execution_rate, score, grade,
            counts[ERROR], counts[WARNING], e.status_label, e.label, e.result.source_kind, e.result.unit_total,
            e.result.total_difference]


def _department_row(d: DepartmentRow) -> list:
    return [d.year, d.department, d.projects, d.with_errors, d.initial, d.budget, d.spent, d.rate, d.mean_score,
            d.lowest_score, *(d.grades[g] for g in GRADES), d.expected, d.returned]


def _detail_rows(entries: list[ManifestEntry], key: str, values: Callable[[ManifestEntry, dict], list]
                 ) -> Iterable[list]:
    for e in entries:
        head = _project_columns(e)
        for item in getattr(e.result, key):
            yield head + values(e, item)


def _indicator_values(e: ManifestEntry, i: dict, scores_of_failed: bool = True) -> list:
    unit = i.get("计量单位", "")
    return [i["一级指标"], i["二级指标"], i["三级指标"], with_unit(i["年度指标值"], unit),
            with_unit(i["实际完成值"], unit), decimal(i["分值"]),
            decimal(i["得分"]) if scores_of_failed or e.has_result else None,
            INDICATOR_STATUS_LABELS.get(i["完成情况"], i["完成情况"]), i["偏差原因分析及改进措施"],
            e.status_label]


def _spending_values(e: ManifestEntry, s: dict) -> list:
    return [s["支出内容"], decimal(s["金额"]), s["说明"]]


def _volume_values(e: ManifestEntry, v: dict) -> list:
    return [v["业务类别"], decimal(v["数量"]), decimal(v["金额"]), v["备注"]]


def _problem_rows(entries: Iterable[ManifestEntry]) -> Iterable[list]:
    for e in sorted(entries, key=lambda e: e.path or e.origin):
        for p in e.problems:
            yield [e.label or e.origin, e.info.name, e.info.unit, e.status_label, p.sheet, p.cell, p.severity, p.code,
                   p.message, p.value]


def _sign_row(scope: str, keys: list[str], s: Sign, path: str) -> list:
    return [scope, *keys, s.severity, s.code, SIGN_CATALOGUE[s.code][1], s.message, s.sheet, s.cell, path,
            "、".join(s.projects)]


def _sign_rows(rows: list[ManifestEntry], flags: Iterable[Sign]) -> Iterable[list]:
    """Every project's own signs, in the summary's order, then the batch-level ones (no project, no cell)."""
    for e in rows:
        for s in e.result.flags:
            yield _sign_row(PROJECT_SCOPE, _project_columns(e), s, e.path)
    for s in flags:
        yield _sign_row(BATCH_SCOPE, [""] * len(_PROJECT_HEADERS), s, "")


def _write_charts(book: _Book, departments: list[DepartmentRow]) -> None:
    """图表: execution rate per department (columns) and the grade distribution (pie), with their data."""
    ws = book.wb.add_worksheet(SHEET_CHARTS)
    f = book.formats
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 10)
    ws.set_column(3, 4, 8)
    ws.write_string(0, 0, "各主管部门预算执行率（不含有错误的项目）", f["title"])
    ws.write_string(1, 0, "主管部门", f["header"])
    ws.write_string(1, 1, "执行率", f["header"])
    ws.write_string(1, 3, "等级", f["header"])
    ws.write_string(1, 4, "项目数", f["header"])
    years = {d.year for d in departments}
    totals = {g: sum(d.grades[g] for d in departments) for g in GRADES}
    rows = max(len(departments), len(GRADES))
    for i in range(rows):
        if i < len(departments):
            d = departments[i]
            label = f"{d.year} {d.department}".strip() if len(years) > 1 else d.department
            ws.write_string(2 + i, 0, clean(label) or "（未填写）", f["text"])
            if d.rate is None:
                ws.write_blank(2 + i, 1, None, f["rate"])
            else:
                ws.write_number(2 + i, 1, fmt.table_value(d.rate, 4), f["rate"])
        if i < len(GRADES):
            ws.write_string(2 + i, 3, GRADES[i], f["text"])
            ws.write_number(2 + i, 4, totals[GRADES[i]], f["int"])
    if not departments:
        ws.write_string(2 + rows, 0, "没有可统计的项目。", f["note"])
        book.print_setup(ws)
        return
    last = 1 + len(departments)
    column = book.wb.add_chart({"type": "column"})
    column.add_series({"name": "预算执行率", "categories": [SHEET_CHARTS, 2, 0, last, 0],
                       "values": [SHEET_CHARTS, 2, 1, last, 1], "data_labels": {"value": True, "num_format": "0.00%"},
                       "fill": {"color": "#4472C4"}})
    column.set_title({"name": "各主管部门预算执行率"})
    column.set_y_axis({"num_format": "0%", "min": 0})
    column.set_legend({"none": True})
    column.set_size({"width": 720, "height": 360})
    ws.insert_chart(0, 6, column)
    pie = book.wb.add_chart({"type": "pie"})
    pie.add_series({"name": "评价等级分布", "categories": [SHEET_CHARTS, 2, 3, 5, 3],
                    "values": [SHEET_CHARTS, 2, 4, 5, 4], "data_labels": {"value": True, "category": True},
                    "points": [{"fill": {"color": c}} for c in ("#70AD47", "#4472C4", "#FFC000", "#C00000")]})
    pie.set_title({"name": "评价等级分布（不含有错误的项目）"})
    pie.set_size({"width": 480, "height": 320})
    ws.insert_chart(19, 6, pie)
    book.print_setup(ws)


def summary_digest(entries: list[ManifestEntry], config: Config, flags: Iterable[Sign] | None = None,
                   scores_of_failed: bool = True, comparison: Comparison | None = None) -> str:
    """A digest of everything the summary is made of: the entries' fields it shows, their rows, the warning signs,
    the configuration, the tool's version, and the comparison with last year's batch when there is one. Stored in
    the workbook (custom property ``perfeval-digest``)."""
    from . import __version__

    batch = None if flags is None else [s.to_dict() for s in flags]
    h = hashlib.sha256(f"{__version__}|{config.digest()}|{len(entries)}".encode())
    if not scores_of_failed and any(e.status in PROJECT_STATUSES and not e.has_result for e in entries):
        h.update(b"|no scores of failed")  # only when it changes what the workbook shows
    h.update(json.dumps(batch, ensure_ascii=False).encode("utf-8"))
    if comparison is not None:  # last year's run (its own times and digest) and what was matched with what
        from .frames import compare_block

        h.update(json.dumps([comparison.last_meta, compare_block(comparison)], ensure_ascii=False, default=str,
                            sort_keys=True).encode("utf-8"))
    for e in entries:
        shown = [*_project_columns(e), e.status, e.path, e.part, e.origin, e.result.source_kind,
                 exact(e.result.unit_total)]
        h.update(json.dumps([shown, e.problem_counts, [p.to_dict() for p in e.problems], e.figures.to_json(),
                             [s.to_dict() for s in e.result.flags]], ensure_ascii=False, default=str).encode("utf-8"))
        for key in ROW_KEYS:
            h.update(getattr(e.result, key).json().encode("utf-8"))
    return h.hexdigest()


def _unchanged(path: Path, digest: str) -> bool:
    """Whether ``path`` is the summary this tool wrote from the same data, untouched since (a workbook saved again
    by Excel or WPS has a new modification time in its properties)."""
    try:
        with zipfile.ZipFile(path) as zf:
            custom = zf.read("docProps/custom.xml").decode("utf-8")
            core = zf.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return False
    return f"<vt:lpwstr>{digest}</vt:lpwstr>" in custom and \
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CREATED:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>' in core


def write_summary(path: str | Path, entries: list[ManifestEntry], config: Config,
                  flags: Iterable[Sign] | None = None, *, scores_of_failed: bool = True,
                  comparison: Comparison | None = None, frames: Frames | None = None) -> Path:
    """Write the summary workbook of a batch from its manifest entries (atomically); with ``comparison``
    (:func:`perfeval.frames.compare`: last year's batch beside this one) the sheet 同比 as well. ``frames``: the
    batch's frames when the caller has them (``frames.from_entries(entries, details=False)``), else made here.

    ``flags`` are the batch-level warning signs: given (the batch's own summary, for the bureau), the sheet 复核提示
    lists them after every project's own; None (a department's summary, mailed) leaves the sheet out.
    ``scores_of_failed=False`` leaves 得分 and 等级 (and the indicators' 得分) blank for a project with errors,
    which has no result (:attr:`ManifestEntry.has_result`): the department's summary that goes with the mails. The
    bureau's own summary shows them. A summary already written from the same data (a rerun where nothing changed)
    is left as it is.
    """
    path = Path(path)
    flags = None if flags is None else list(flags)
    digest = summary_digest(entries, config, flags, scores_of_failed, comparison)
    if _unchanged(path, digest):
        return path
    rows = projects(entries)
    departments = department_rows(entries, frames)

    def write(splices: Splices | None) -> None:
        book = _Book(tmp, config, splices)
        book.wb.set_custom_property(DIGEST_PROPERTY, digest)
        book.table(SHEET_PROJECTS, PROJECT_COLUMNS, (_project_row(e, scores_of_failed) for e in rows))
        book.table(SHEET_DEPARTMENTS, DEPARTMENT_COLUMNS, (_department_row(d) for d in departments))
        book.table(SHEET_INDICATOR_DETAILS, INDICATOR_COLUMNS,
                   _detail_rows(rows, "indicators", lambda e, i: _indicator_values(e, i, scores_of_failed)))
        book.table(SHEET_SPENDING_DETAILS, SPENDING_COLUMNS, _detail_rows(rows, "spending", _spending_values))
        book.table(SHEET_VOLUMES, VOLUME_COLUMNS, _detail_rows(rows, "volumes", _volume_values))
        book.table(SHEET_PROBLEMS, PROBLEM_COLUMNS, _problem_rows(entries))
        if flags is not None:
            book.table(SHEET_SIGNS, SIGN_COLUMNS, _sign_rows(rows, flags))
        _write_charts(book, departments)
        if comparison is not None:
            from .compare_sheet import write_compare_sheet

            write_compare_sheet(book.wb, comparison, score_places=config.table_decimals)
        book.close()

    with atomic_path(path) as tmp:
        write_book(write)
    return path
