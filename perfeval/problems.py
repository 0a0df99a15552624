"""Problems are data: a stable code, a severity, where it is, and a Chinese message saying what to do.

Every code lives in :data:`CATALOGUE` with its severity and a short Chinese title; ``docs/checks.md`` documents
the same list and a test keeps the two in step. Exceptions are only for aborting, never for reporting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "错误"  # the evaluation cannot be right until fixed
WARNING = "警告"  # must be looked at or explained
INFO = "提示"  # for information: a default was applied
SEVERITIES = (ERROR, WARNING, INFO)

# code -> (severity, title)
CATALOGUE: dict[str, tuple[str, str]] = {
    # the file itself
    "file-unreadable": (ERROR, "文件无法读取"),
    "file-not-spreadsheet": (ERROR, "文件不是电子表格"),
    "file-encrypted": (ERROR, "工作簿设有打开密码"),
    "file-wrong-extension": (WARNING, "文件扩展名与实际格式不符"),
    "file-too-large": (ERROR, "文件解压后过大，疑似压缩炸弹"),
    "file-xml-entities": (ERROR, "文件含有不安全的XML实体声明"),
    "file-empty": (ERROR, "文件为空"),
    "file-oversized": (ERROR, "文件过大，超出读取上限"),
    "file-blank-template": (INFO, "空白模板，未填写内容"),
    "file-skipped": (INFO, "不是填报表格式的文件，已跳过"),
    "file-superseded": (WARNING, "同一项目存在多份填报，仅以最新一份为准"),
    # structure
    "sheet-missing": (ERROR, "缺少必填工作表"),
    "sheet-near-namesake": (ERROR, "工作表名称与标准名称相近但不一致"),
    "sheet-hidden": (WARNING, "工作表被隐藏"),
    "header-missing": (ERROR, "找不到表头行或必填列"),
    "rows-truncated": (ERROR, "行数超出读取上限"),
    "columns-truncated": (WARNING, "列数超出读取上限"),
    "sheet-too-large": (ERROR, "工作表内容范围过大，超出读取上限"),
    "template-version-missing": (INFO, "未注明模板版本"),
    "template-version-newer": (ERROR, "模板版本高于本工具支持的版本"),
    "formula-no-value": (ERROR, "公式没有计算结果"),
    "merged-figure": (WARNING, "数字列中的合并单元格只计一次"),
    # values
    "value-missing": (ERROR, "必填内容缺失"),
    "number-unreadable": (ERROR, "数字无法识别"),
    "number-negative": (ERROR, "金额或数量为负数"),
    "unit-unknown": (ERROR, "金额单位无法识别"),
    "text-too-long": (WARNING, "文字超过规定长度"),
    "text-control-chars": (WARNING, "文字含有不可见的控制字符，已删除"),
    "text-truncated-in-output": (WARNING, "文字超过Excel单元格上限，输出表格中被截断"),
    "year-implausible": (ERROR, "评价年度不合理"),
    "email-malformed": (WARNING, "联系邮箱格式不正确"),
    # group
    "group-no-leader": (WARNING, "评价工作组没有组长"),
    "group-role-unknown": (WARNING, "评价工作组职务无法识别"),
    "group-member-duplicate": (WARNING, "评价工作组成员重复"),
    # funding
    "funding-source-unknown": (ERROR, "资金来源无法识别"),
    "funding-source-duplicate": (WARNING, "同一资金来源填写了多行"),
    "funding-spent-over-budget": (ERROR, "全年执行数超过全年预算数"),
    "funding-received-below-spent": (WARNING, "实际到位数小于全年执行数"),
    "funding-total-mismatch": (ERROR, "合计行与各资金来源之和不符"),
    "funding-budget-defaulted": (INFO, "全年预算数未填，按年初预算数计"),
    "funding-budget-zero": (ERROR, "全年预算数为零，无法计算执行率"),
    "execution-low-no-reason": (WARNING, "预算执行率偏低且未说明原因"),
    # spending and volumes
    "breakdown-sum-mismatch": (ERROR, "支出明细合计与全年执行数不符"),
    "volume-total-mismatch": (ERROR, "业务量合计行与各类别之和不符"),
    # indicators
    "weights-not-100": (ERROR, "分值合计不等于100"),
    "weights-split-unusual": (WARNING, "一级指标权重与默认比例不同"),
    "level1-unknown": (ERROR, "一级指标名称无法识别"),
    "level2-unknown": (WARNING, "二级指标名称不在标准范围内"),
    "indicator-duplicate": (WARNING, "三级指标重复"),
    "target-unreadable": (ERROR, "年度指标值无法识别"),
    "actual-unreadable": (ERROR, "实际完成值无法识别"),
    "qualitative-unplaced": (WARNING, "定性完成值无法归入评分档次"),
    "unit-mismatch": (ERROR, "指标值与完成值的计量单位不一致"),
    "target-missed-no-reason": (WARNING, "未完成指标且未说明偏差原因"),
    "target-overachieved-no-reason": (WARNING, "大幅超额完成且未说明偏差原因"),
    "deadline-missed-self-score": (WARNING, "时效指标未按期完成，采用自评得分"),
    "self-score-outside-band": (ERROR, "定性指标自评得分超出所在档次"),
    "self-score-differs": (WARNING, "自评得分与规则得分不一致"),
    "self-score-band-default": (INFO, "定性指标未填自评得分，按档次默认分计"),
    "self-score-over-weight": (ERROR, "自评得分超出分值范围"),
    # an official 自评表 as input: the unit's own scoring against the rules
    "official-rate-differs": (WARNING, "自评表的执行率与执行数÷预算数不符"),
    "official-execution-score-differs": (WARNING, "自评表的预算执行率得分与规则得分不一致"),
    "official-total-not-sum": (WARNING, "自评表的总分不等于各项得分之和"),
    "official-total-differs": (WARNING, "自评表的总分与规则总分不一致"),
    "official-grade-differs": (WARNING, "自评表的评价等级与规则等级不一致"),
    "official-weight-label-differs": (WARNING, "一级指标标注的分值与其下各指标分值合计不符"),
    "official-no-weights": (ERROR, "自评表没有分值列，无法评分"),
    # approved targets (targets.md): the targets themselves
    "targets-no-indicators": (ERROR, "批复目标中的项目没有指标"),
    "targets-dimension-missing": (ERROR, "批复目标缺少产出、效益或满意度指标"),
    "cost-target-at-least": (WARNING, "成本或时限目标写成了“不低于”"),
    "targets-percent-over-100": (WARNING, "不低于型百分比目标超过100%"),
    "targets-duplicate-project": (ERROR, "目标清单中项目重复"),
    "targets-orphan-indicator": (ERROR, "指标所属的项目不在项目表中"),
    "targets-department-assumed": (INFO, "申报表没有主管部门，按实施单位填写"),
    # approved targets: a returned workbook against them
    "approved-target-changed": (ERROR, "批复的绩效指标被修改"),
    "approved-indicator-deleted": (ERROR, "批复的绩效指标被删除"),
    "indicator-not-approved": (WARNING, "新增了未经批复的指标"),
    "approved-budget-changed": (ERROR, "年初预算数与批复不一致"),
    "approved-identity-changed": (ERROR, "项目基本信息与批复不一致"),
    "project-not-returned": (WARNING, "项目未报送填报表"),
    # a filled 复核底稿 (perfeval review collect)
    "review-score-missing": (ERROR, "复核得分未填写"),
    "review-score-out-of-range": (ERROR, "复核得分超出分值范围"),
    "review-deduction-no-reason": (ERROR, "复核扣分未说明原因"),
    "review-readonly-changed": (ERROR, "复核底稿的只读列被修改"),
    "review-key-unknown": (ERROR, "复核底稿的行与抽查项目对不上"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str  # Chinese: what is wrong and what to do
    file: str = ""
    sheet: str = ""
    cell: str = ""  # A1 address or range, "" for the whole file or sheet
    value: str | None = None  # the value found, as text

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"unknown problem code {self.code!r}: add it to CATALOGUE")

    @property
    def severity(self) -> str:
        return CATALOGUE[self.code][0]

    @property
    def where(self) -> str:
        return place(self.sheet, self.cell)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity
        return {k: data[k] for k in ("file", "sheet", "cell", "code", "severity", "message", "value")}


def place(sheet: str, cell: str) -> str:
    """``sheet!cell`` as a spreadsheet user writes it; a Word table's place as ``表2 第5行第3列``."""
    if sheet and cell:
        return f"{sheet} {cell}" if cell.startswith("第") else f"{sheet}!{cell}"
    return sheet


def count_by_severity(problems: list[Problem]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for p in problems:
        counts[p.severity] += 1
    return counts


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
