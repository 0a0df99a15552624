"""The data read from one input workbook, and the result of scoring it.

Every figure is a :class:`~decimal.Decimal` (money never carries float artefacts); every value read keeps the
cell it came from, as ``cells[field] = "C4"`` on the record and the sheet named by the record's ``SHEET``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .parse import parse_year

# Sheet names of the standard input workbook (input-workbook.md).
SHEET_GUIDE = "填表说明"
SHEET_INFO = "基本信息"
SHEET_GROUP = "评价工作组"
SHEET_FUNDING = "资金情况"
SHEET_SPENDING = "支出明细"
SHEET_INDICATORS = "绩效指标"
SHEET_VOLUMES = "业务量"

TEMPLATE_VERSION = "1.1"  # 1.1: the optional 基本信息 label 项目编码

# The fixed vocabulary of the standard workbook (domain.md, "Indicator structure"; input-workbook.md).
LEVEL2_BY_LEVEL1: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
    "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
}
ROLES = ("组长", "副组长", "组员")
NATURES = ("正向", "反向", "等于", "定性")
# 基本信息 labels, in the template's order, and those that must be filled.
INFO_LABELS = ("评价年度", "项目名称", "项目编码", "主管部门", "实施单位", "项目负责人", "联系人", "联系电话", "联系邮箱",
               "项目背景", "年度总体目标", "总体目标完成情况", "评价工作开展情况", "预算执行偏差原因", "预算执行率分值", "综合评价结论",
               "存在问题及改进建议", "其他需要说明的问题")
REQUIRED_INFO_LABELS = ("评价年度", "项目名称", "主管部门", "实施单位", "项目背景", "年度总体目标")

# Funding sources, in the order of the official table.
SOURCE_TOTAL = "年度资金总额"
SOURCE_CURRENT = "当年财政拨款"
SOURCE_CARRIED = "上年结转资金"
SOURCE_OTHER = "其他资金"
FUNDING_SOURCES = (SOURCE_CURRENT, SOURCE_CARRIED, SOURCE_OTHER)


@dataclass(slots=True)
class Member:
    """One person of the evaluation group (评价工作组)."""

    role: str  # 组长 / 副组长 / 组员
    name: str
    affiliation: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    SHEET = SHEET_GROUP


@dataclass(slots=True)
class FundingRow:
    """One funding source line of 资金情况, amounts in 万元."""

    source: str  # one of FUNDING_SOURCES, or SOURCE_TOTAL for a 合计 row
    initial: Decimal | None = None  # 年初预算数
    full_year: Decimal | None = None  # 全年预算数 (None: not given, equals initial)
    received: Decimal | None = None  # 实际到位数
    spent: Decimal | None = None  # 全年执行数
    cells: dict[str, str] = field(default_factory=dict)
    SHEET = SHEET_FUNDING

    @property
    def budget(self) -> Decimal | None:
        """全年预算数, which equals 年初预算数 when there was no adjustment."""
        return self.full_year if self.full_year is not None else self.initial


@dataclass(slots=True)
class SpendingLine:
    """One line of the spending breakdown (支出明细), amount in 万元."""

    item: str
    amount: Decimal | None
    note: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    SHEET = SHEET_SPENDING


@dataclass(slots=True)
class Indicator:
    """One performance indicator row (绩效指标)."""

    level1: str
    level2: str
    name: str
    target: str  # 年度指标值 as written
    actual: str  # 实际完成值 as written
    weight: Decimal | None  # 分值
    nature: str = ""  # 指标性质 as written
    unit: str = ""  # 计量单位
    self_score: Decimal | None = None  # 自评得分
    deviation: str = ""  # 偏差原因分析及改进措施
    cells: dict[str, str] = field(default_factory=dict)
    SHEET = SHEET_INDICATORS


@dataclass(slots=True)
class Volume:
    """One business volume line (业务量): cases and an amount in 亿元."""

    category: str
    count: Decimal | None
    amount: Decimal | None  # 亿元
    note: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    SHEET = SHEET_VOLUMES

    @property
    def is_total(self) -> bool:
        return "".join(self.category.split()) in ("合计", "总计", "小计")  # any spaces: "合　计" (分散对齐)


@dataclass(slots=True)
class Project:
    """Everything read from one input workbook."""

    file: str
    info: dict[str, str] = field(default_factory=dict)  # 基本信息 label -> text
    info_cells: dict[str, str] = field(default_factory=dict)  # label -> A1 cell of its value
    members: list[Member] = field(default_factory=list)
    funding: list[FundingRow] = field(default_factory=list)  # the sources, without a 合计 row
    funding_total: FundingRow | None = None  # a 合计 / 年度资金总额 row, if the sheet has one
    spending: list[SpendingLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)  # the categories, without a total row
    volume_total: Volume | None = None
    template_version: str | None = None
    execution_weight: Decimal | None = None  # 预算执行率分值 from 基本信息, when given
    saved_at: datetime | None = None  # when the workbook says it was last saved (its own properties), if it does

    # Convenience accessors for the labels every output uses.
    @property
    def name(self) -> str:
        return self.info.get("项目名称", "")

    @property
    def department(self) -> str:
        return self.info.get("主管部门", "")

    @property
    def unit(self) -> str:
        return self.info.get("实施单位", "")

    @property
    def year(self) -> int | None:
        """评价年度 written 2025, 2025年 or 2025年度; None for anything else."""
        return parse_year(self.info.get("评价年度", ""))

    def funding_sum(self, attr: str) -> Decimal | None:
        """Sum of one amount over the sources; None when no source gives it."""
        values = [getattr(row, attr) for row in self.funding]
        given = [v for v in values if v is not None]
        return sum(given, Decimal(0)) if given else None

    @property
    def initial_budget(self) -> Decimal | None:
        return self.funding_sum("initial")

    @property
    def budget(self) -> Decimal | None:
        """全年预算数 over all sources (a source without one counts with its 年初预算数)."""
        values = [row.budget for row in self.funding if row.budget is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def received(self) -> Decimal | None:
        return self.funding_sum("received")

    @property
    def spent(self) -> Decimal | None:
        return self.funding_sum("spent")

    def source_row(self, source: str) -> FundingRow | None:
        return next((row for row in self.funding if row.source == source), None)

    def volume_count_total(self) -> Decimal:
        return sum((v.count or Decimal(0) for v in self.volumes), Decimal(0))

    def volume_amount_total(self) -> Decimal:
        return sum((v.amount or Decimal(0) for v in self.volumes), Decimal(0))


# ---- scoring results -------------------------------------------------------------------------------------

# How an indicator's rule score was reached; the renderers and checks explain it in Chinese.
STATUS_MET = "met"  # quantitative target met (or exceeded)
STATUS_OVER = "over"  # met and far exceeded (≥ overachieve_ratio of the target)
STATUS_MISSED = "missed"  # quantitative target or deadline missed
STATUS_QUAL_FULL = "达成"  # qualitative bands, by their Chinese names
STATUS_QUAL_PARTIAL = "部分达成"
STATUS_QUAL_NONE = "未达成"
STATUS_UNKNOWN = "unknown"  # target or actual could not be read; scored 0


@dataclass(slots=True)
class IndicatorScore:
    indicator: Indicator
    score: Decimal  # the score that counts (full precision)
    rule_score: Decimal | None  # what the rule alone gives; None where the rule leaves it to the staff
    status: str
    ratio: Decimal | None = None  # actual / target for quantitative indicators
    uses_self_score: bool = False  # the staff's 自评得分 was taken where the rules allow it
    band: tuple[Decimal, Decimal] | None = None  # allowed score range for qualitative indicators
    target: object = None  # the parsed 年度指标值 (parse.Value), None when unreadable
    actual: object = None  # the parsed 实际完成值 (parse.Value), None when unreadable
    # Findings for the checks to report: problem code -> detail (a parse error's reason, or "").
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return self.status in (STATUS_MET, STATUS_OVER, STATUS_QUAL_FULL)


@dataclass(slots=True)
class ScoreCard:
    execution_rate: Decimal | None  # 全年执行数 / 全年预算数, as a fraction
    execution_weight: Decimal
    execution_score: Decimal
    indicators: list[IndicatorScore]
    total: Decimal  # full precision
    grade: str  # 优 / 良 / 中 / 差

    @property
    def all_met(self) -> bool:
        return all(s.met for s in self.indicators)
