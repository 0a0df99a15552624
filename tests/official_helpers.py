"""Official 自评表 for the tests: the seed as a unit writes it, its variants, and its standard-workbook twin.

``seed_sample()`` is the seed project (builders.SEED) as a filled national table, following the rules;
``standard_twin`` writes the same project as a standard workbook (tests/builders.py), so that both readers can be
compared figure by figure with ``figures``.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl

from builders import build_workbook, seed_rows
from perfeval.model import Project
from perfeval.official.sample import Row, Sample
from perfeval.parse import cell_text


def seed_sample(**options) -> Sample:
    seed = seed_rows()
    info = seed["info"]
    rows = [Row(l1, l2, name, target, actual, weight, score, deviation, nature)
            for l1, l2, name, nature, target, actual, weight, score, deviation in seed["indicators"]]
    return Sample(info["项目名称"], info["主管部门"], info["实施单位"],
                  [("其中：当年财政拨款", 32.9, 32.9, 23.93)], rows, goal=info["年度总体目标"],
                  goal_done="各项目标均已完成。", **options)


def variant_sample(**options) -> Sample:
    """元, 调整后预算数, 指标性质 and 度量单位 columns, weights in the 一级指标 labels, split reasons, two sources."""
    rows = [Row("产出指标", "数量指标", "培训人数", "≥735", "760", 30, 30, nature="正向", unit="人次"),
            Row("产出指标", "质量指标", "培训合格率", "≥95", "96", 10, 10, nature="正向", unit="%"),
            Row("产出指标", "时效指标", "完成时间", "2025年12月底前", "2025年11月", 10, 10, nature="正向"),
            Row("效益指标", "社会效益指标", "农民增收", "有效提升", "达成", 30, 30, nature="定性"),
            Row("满意度指标", "服务对象满意度指标", "学员满意度", "≥90", "85", 10, 9.44, "部分学员对课程安排不满意",
                nature="正向", unit="%", improvement="调整课程时间")]
    base = dict(money_unit="元", budget_label="调整后预算数", spent_label="预算执行数", nature_unit_columns=True,
                weight_in_label=True, split_reasons=True, manager="张三", phone="0431-1234567",
                goal="培训高素质农民 735 人次。", goal_done="培训 760 人次。", execution_weight=10)
    base.update(options)
    return Sample("高素质农民培训", "农业农村局", "农业技术推广站",
                  [("其中：当年财政拨款", 50, 48, 45), ("上年结转资金", 10, 10, 9.5)], rows, **base)


def standard_twin(sample: Sample, path: Path) -> Path:
    """The sample's project as a standard workbook (its figures as the rules read them)."""
    data = seed_rows()
    info = {"评价年度": str(sample.year), "项目名称": sample.name, "主管部门": sample.department,
            "实施单位": sample.unit, "项目背景": "（略）", "年度总体目标": sample.goal,
            "总体目标完成情况": sample.goal_done, "预算执行率分值": sample.execution_weight}
    if sample.manager:
        info["项目负责人"] = sample.manager
    if sample.phone:
        info["联系电话"] = sample.phone
    data["info"] = info
    names = {"其中：当年财政拨款": "当年财政拨款"}
    data["funding"] = [(names.get(label, label), initial if sample.with_initial else full_year, full_year, None, spent)
                       for label, initial, full_year, spent in sample.funding]
    data["indicators"] = [(r.level1, r.level2, r.name, r.nature if sample.nature_unit_columns else "", r.target, r.actual, r.weight, r.score,
                           "；".join(t for t in (r.deviation, r.improvement) if t)) for r in sample.rows]
    build_workbook(path, data)
    if any(r.unit for r in sample.rows):
        wb = openpyxl.load_workbook(path)
        ws = wb["绩效指标"]
        ws.cell(1, 10, "计量单位")
        for i, r in enumerate(sample.rows, start=2):
            ws.cell(i, 10, r.unit or None)
        wb.save(path)
    return path


def figures(p: Project) -> dict:
    """What both readers must agree on, figure by figure."""
    def dec(v):
        return None if v is None else Decimal(v).normalize()

    return {
        "info": {k: p.info.get(k, "") for k in ("评价年度", "项目名称", "主管部门", "实施单位", "项目负责人", "联系电话",
                                                 "年度总体目标", "总体目标完成情况")},
        "funding": [(r.source, dec(r.initial), dec(r.budget), dec(r.spent)) for r in p.funding],
        "budget": dec(p.budget), "spent": dec(p.spent), "execution_weight": dec(p.execution_weight),
        "indicators": [(i.level1, i.level2, i.name, i.nature, i.unit, cell_text(i.target), cell_text(i.actual),
                        dec(i.weight), dec(i.self_score), i.deviation) for i in p.indicators],
    }


def docx_bytes(document_xml: bytes | None = None, big: int = 0) -> bytes:
    """An empty Word document, its document.xml replaced by ``document_xml``, padded with ``big`` zero bytes (a
    bomb when compressed)."""
    source = io.BytesIO()
    docx.Document().save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml" and document_xml is not None:
                data = document_xml
            zout.writestr(item, data)
        if big:
            zout.writestr("word/media/padding.xml", b"\0" * big)
    return out.getvalue()
