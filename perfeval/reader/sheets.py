"""One reader per sheet of the standard template, each filling its part of a :class:`~perfeval.model.Project`."""

from __future__ import annotations

import datetime as dt
import re

from .. import model as m
from ..cells import a1, label_of
from ..parse import cell_text, parse_money, parse_number, parse_year
from .grid import Grid, is_empty
from .tables import TableReader
from .values import parse_points
from .vocabulary import FUNDING_NAMES, IDENTITY_LABELS, INFO_LABELS, REQUIRED_INFO, ROLES

KNOWN_MAJOR_VERSION = int(m.TEMPLATE_VERSION.split(".")[0])


class SheetReader(TableReader):
    """``read_<sheet>`` for each sheet of the template."""

    def read_info(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("项目", "内容"))
        if not found:
            return
        hr, cols, _ = found
        lc, vc = cols["项目"], cols["内容"]
        for r in range(hr + 1, len(grid.rows)):
            label = label_of(grid.get(r, lc))
            if label not in INFO_LABELS or label in project.info_cells:
                continue
            project.info_cells[label] = a1(r, vc)
            if label == "预算执行率分值":
                project.execution_weight = self.number(grid, r, vc, "预算执行率分值", parse_points)
                project.info[label] = "" if project.execution_weight is None else cell_text(grid.get(r, vc))
            elif label == "评价年度":
                project.info[label] = self.year(grid, r, vc)
            else:
                project.info[label] = self.text(grid, r, vc)
        for label in REQUIRED_INFO:
            if label not in project.info_cells:
                self.problem("value-missing", f"基本信息缺少“{label}”一行。请按标准模板补上该行并填写。", grid.name)
            elif not project.info.get(label, "").strip():
                self.problem("value-missing", f"基本信息“{label}”未填写。", grid.name, project.info_cells[label])

    def year(self, grid: Grid, r: int, c: int) -> str:
        """评价年度 as the four digits every output, group and key uses ("2025年度" -> "2025"); other text as
        written (the checks report it)."""
        raw = grid.get(r, c)
        if isinstance(raw, (dt.date, dt.datetime)):
            return str(raw.year)
        text = self.text(grid, r, c)
        year = parse_year(text)
        return text if year is None else str(year)

    def read_identity(self, grid: Grid, project: m.Project) -> None:
        """From a near namesake of 基本信息 (基本信息(1)), only what names the project and where to write
        (IDENTITY_LABELS), for naming, grouping and mail. The sheet stays an error (sheet-near-namesake) and is
        not checked (the caller drops the problems reading it gives)."""
        sheet = m.Project(file=project.file)
        self.read_info(grid, sheet)
        for label in IDENTITY_LABELS:
            if sheet.info.get(label, "").strip():
                project.info[label] = sheet.info[label]

    def read_group(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("职务", "姓名"), ("工作单位及职务",))
        if not found:
            return
        hr, cols, _ = found
        self.merges(grid, hr, cols, grouping=("职务",))
        for r in self.table_rows(grid, hr, cols):
            role_text = self.text(grid, r, cols["职务"])
            names = self.text(grid, r, cols["姓名"])
            if not names:
                self.required_value(grid, r, cols["姓名"], "评价工作组成员姓名", names)
                continue
            role = ROLES.get(label_of(role_text), label_of(role_text))
            cells = {"role": a1(r, cols["职务"]), "name": a1(r, cols["姓名"])}
            affiliation = self.text(grid, r, cols.get("工作单位及职务"))
            for name in re.split(r"[\s、，,；;/]+", names):
                if name:
                    project.members.append(m.Member(role, name, affiliation, dict(cells)))

    def read_funding(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("资金来源", "年初预算数", "全年执行数"), ("全年预算数", "实际到位数"))
        if not found:
            return
        hr, cols, units = found
        fields = {"initial": "年初预算数", "full_year": "全年预算数", "received": "实际到位数", "spent": "全年执行数"}
        self.merges(grid, hr, cols, grouping=("资金来源",), figures=tuple(fields.values()))
        column_units = {}
        for attr, label in fields.items():
            if label in cols:
                column_units[attr] = self.unit_of(grid, hr, cols[label], units[label], "万元")
        for r in self.table_rows(grid, hr, cols):
            name_cell = a1(r, cols["资金来源"])
            name = label_of(self.text(grid, r, cols["资金来源"]))
            source = FUNDING_NAMES.get(name.removeprefix("其中").lstrip(":："))
            if source is None:
                if name:
                    self.problem("funding-source-unknown", f"资金来源“{name}”无法识别，应为当年财政拨款、上年结转资金"
                                 "或其他资金（合计行可写“合计”）。", grid.name, name_cell, name)
                else:
                    self.problem("value-missing", "资金来源未填写。", grid.name, name_cell)
                continue
            row = m.FundingRow(source, cells={"source": name_cell})
            for attr, label in fields.items():
                if label not in cols:
                    continue
                row.cells[attr] = a1(r, cols[label])  # also in a column of unknown unit, to point at
                if unit := column_units[attr]:
                    setattr(row, attr, self.number(grid, r, cols[label], label, lambda v, u=unit: parse_money(v, u)))
            if source == m.SOURCE_TOTAL:
                project.funding_total = row
            else:
                project.funding.append(row)

    def read_spending(self, grid: Grid, project: m.Project) -> None:
        if is_empty(grid):
            return  # an optional sheet left empty: no spending breakdown
        found = self.header(grid, ("支出内容", "金额"), ("说明",))
        if not found:
            return
        hr, cols, units = found
        self.merges(grid, hr, cols, figures=("金额",))
        unit = self.unit_of(grid, hr, cols["金额"], units["金额"], "万元")
        for r in self.table_rows(grid, hr, cols):
            item = self.text(grid, r, cols["支出内容"])
            if label_of(item) in ("合计", "总计", "小计"):
                continue  # a total line is the tool's to compute
            self.required_value(grid, r, cols["支出内容"], "支出内容", item)
            amount = self.number(grid, r, cols["金额"], "支出金额", lambda v: parse_money(v, unit)) if unit else None
            self.required_value(grid, r, cols["金额"], "支出金额", grid.get(r, cols["金额"]))
            project.spending.append(m.SpendingLine(item, amount, self.text(grid, r, cols.get("说明")), {
                "item": a1(r, cols["支出内容"]), "amount": a1(r, cols["金额"])}))

    def read_indicators(self, grid: Grid, project: m.Project) -> None:
        required = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值")
        optional = ("指标性质", "计量单位", "自评得分", "偏差原因分析及改进措施")
        found = self.header(grid, required, optional)
        if not found:
            return
        hr, cols, _ = found
        self.merges(grid, hr, cols, grouping=("一级指标", "二级指标"), figures=("分值", "自评得分"))
        keys = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target",
                "实际完成值": "actual", "分值": "weight", "指标性质": "nature", "计量单位": "unit",
                "自评得分": "self_score", "偏差原因分析及改进措施": "deviation"}
        # Rows with nothing but the merged level-1/level-2 fill are not indicators.
        own_cols = {k: c for k, c in cols.items() if k not in ("一级指标", "二级指标")}
        for r in self.table_rows(grid, hr, own_cols):
            cells = {keys[k]: a1(r, c) for k, c in cols.items()}
            values = {}
            for label in ("一级指标", "二级指标", "三级指标", "指标性质", "计量单位", "偏差原因分析及改进措施"):
                values[keys[label]] = self.text(grid, r, cols.get(label))
            for label in ("年度指标值", "实际完成值"):
                raw = grid.get(r, cols[label])
                values[keys[label]] = raw if isinstance(raw, (int, float, dt.date)) else self.text(grid, r, cols[label])
            for label in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值"):
                self.required_value(grid, r, cols[label], label, cell_text(grid.get(r, cols[label])))
            values["level1"], values["level2"] = label_of(values["level1"]), label_of(values["level2"])
            values["weight"] = self.number(grid, r, cols["分值"], "分值", parse_points)
            values["self_score"] = self.number(grid, r, cols.get("自评得分"), "自评得分", parse_points, covered=None)
            project.indicators.append(m.Indicator(**values, cells=cells))

    def read_volumes(self, grid: Grid, project: m.Project) -> None:
        if is_empty(grid):
            return  # an optional sheet left empty: no business volumes
        found = self.header(grid, ("业务类别", "数量", "金额"), ("备注",))
        if not found:
            return
        hr, cols, units = found
        self.merges(grid, hr, cols, grouping=("业务类别",), figures=("数量", "金额"))
        unit = self.unit_of(grid, hr, cols["金额"], units["金额"], "亿元")
        count_unit = units["数量"] or "宗"
        for r in self.table_rows(grid, hr, cols):
            category = self.text(grid, r, cols["业务类别"])
            self.required_value(grid, r, cols["业务类别"], "业务类别", category)
            count = self.number(grid, r, cols["数量"], "数量", lambda v: parse_number(v, count_unit))
            amount = self.number(grid, r, cols["金额"], "金额",
                                 lambda v: parse_money(v, unit, "亿元")) if unit else None
            volume = m.Volume(category, count, amount, self.text(grid, r, cols.get("备注")), {
                "category": a1(r, cols["业务类别"]), "count": a1(r, cols["数量"]), "amount": a1(r, cols["金额"])})
            if volume.is_total:
                project.volume_total = volume
            else:
                project.volumes.append(volume)

    def read_version(self, grid: Grid | None, project: m.Project) -> None:
        if grid is not None:
            for r, row in enumerate(grid.rows[:200]):
                for c, raw in enumerate(row):
                    match = re.search(r"模板版本\s*[:：]\s*([0-9][0-9.]*)", cell_text(raw)) if raw else None
                    if match:
                        project.template_version = match[1].rstrip(".")
                        major = int(project.template_version.split(".")[0])
                        if major > KNOWN_MAJOR_VERSION:
                            self.problem("template-version-newer", f"模板版本 {project.template_version} 高于本工具"
                                         f"支持的版本 {m.TEMPLATE_VERSION}。请升级 perfeval，或改用 "
                                         f"{m.TEMPLATE_VERSION} 版模板。", grid.name, a1(r, c), raw)
                        return
        self.problem("template-version-missing", "未找到“模板版本”（可能不是用标准模板填写的），已按 "
                     f"{m.TEMPLATE_VERSION} 版读取。", m.SHEET_GUIDE)
