"""What the reader looks for: the template's sheets, 基本信息's labels, and the spellings people use for column
headers, roles and funding sources."""

from __future__ import annotations

from .. import model as m

REQUIRED_SHEETS = (m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_INDICATORS)
OPTIONAL_SHEETS = (m.SHEET_GUIDE, m.SHEET_SPENDING, m.SHEET_VOLUMES)

REQUIRED_INFO = m.REQUIRED_INFO_LABELS
# What identifies a project and where its mail goes: read from a near namesake of a missing 基本信息.
IDENTITY_LABELS = ("项目名称", "主管部门", "实施单位", "评价年度", "联系邮箱")
INFO_LABELS = m.INFO_LABELS

# Header labels people write for the same column (the first name is the standard one).
ALIASES = {
    "全年预算数": ("全年预算数", "调整后预算数", "全年预算"),
    "年初预算数": ("年初预算数", "年初预算"),
    "实际到位数": ("实际到位数", "实际到位资金", "到位资金", "实际到位"),
    "全年执行数": ("全年执行数", "实际支出", "执行数", "全年实际支出"),
    "金额": ("金额", "支出金额"),
    "分值": ("分值", "权重"),
    "年度指标值": ("年度指标值", "指标值", "年度目标值", "目标值"),
    "实际完成值": ("实际完成值", "完成值", "全年实际值"),
    "偏差原因分析及改进措施": ("偏差原因分析及改进措施", "偏差原因分析", "偏差原因"),
    "数量": ("数量", "宗数", "交易宗数"),
}
ROLES = {"组长": "组长", "副组长": "副组长", "组员": "组员", "成员": "组员"}
FUNDING_NAMES = {
    "当年财政拨款": m.SOURCE_CURRENT, "本年财政拨款": m.SOURCE_CURRENT, "财政拨款": m.SOURCE_CURRENT,
    "上年结转资金": m.SOURCE_CARRIED, "上年结转": m.SOURCE_CARRIED, "结转资金": m.SOURCE_CARRIED,
    "其他资金": m.SOURCE_OTHER, "其他": m.SOURCE_OTHER,
    "合计": m.SOURCE_TOTAL, "年度资金总额": m.SOURCE_TOTAL, "总计": m.SOURCE_TOTAL, "资金总额": m.SOURCE_TOTAL,
}
