"""The seed project (reference/seed-report.txt) and its score card, built by hand for the renderer tests.

Facts as domain.md "Facts of the seed"; the seed names no 主管部门 or year, so 审批局 and 2025 stand in.
"""

from __future__ import annotations

from decimal import Decimal as D

from perfeval import fmt
from perfeval.model import (SOURCE_CURRENT, STATUS_MET, STATUS_QUAL_FULL, FundingRow, Indicator, IndicatorScore,
                            Member, Project, ScoreCard, SpendingLine, Volume)

BACKGROUND = (
    "公共资源交易中心的主要职责是贯彻实施公共资源交易相关法律、法规、政策，为交易活动提供场所、设施和服务。"
    "制定交易现场和内部工作制度并组织实施。收集、存储和发布各类交易信息，为市场主体提供相关政策法规咨询服务。"
    "查验进场交易项目手续，负责项目交易现场记录。见证公共资源交易项目交易全过程，维护交易活动秩序。综合使用各类评审专家。"
    "建设维护区交易中心信息网络技术平台。建立公共资源交易从业者场内信誉评价制度，协助有关部门推进公共资源交易信用评价体系建设。"
    "负责组织实施区本级年度集中采购目录以内或限额标准以上通用项目的政府采购。接受委托人委托，组织采购集中采购目录以外或限额标准以下的政府采购项目。"
    "按规定要求发布政府采购信息；编制采购文件，制定评标原则和评分标准等。组织协调政府采购合同的签订以及对供应商履约的验收，"
    "受采购人委托办理政府采购项目的其他事宜。登记管理政府采购供应商库。受理供应商的咨询或者质询。"
)
GOAL = (
    "(1).发挥最佳的市场运作效应，简化程序，实现效率最高。(2).采购活动公平、公正、公开,选择最优供应商。"
    "(3).确保采购质量、提高采购效率，降低采购成本。公共资源交易中心是优化营商环境的重要窗口，我们将继续坚持“政府主导、管办分离，"
    "集中交易、规范运行，部门监管、行政监察”的原则，优化公共资源配置，整合现有资源，创新监管机制，规范交易行为，"
    "切实解决公共资源交易过程中存在的突出问题，打造公开、公平、公正和诚实守信的阳光交易平台。"
)
RATE_REASON = "力行节约，政府采购专家评审费本年度支出仅为2.78万元。所以执行率偏低。"
CONCLUSION = (
    "今年以来，立足管办分开、监管分离，统一管理、相互制约，公开透明、依法监督的原则，充分运用“互联网+”技术，"
    "扎实开展各项公共资源交易工作，持续推进全流程电子化，规范政府采购行为，着力提升公共资源交易服务质量和效率，"
    "各项工作取得了较好的工作成效。"
)
ISSUES = (
    "重视全面预算管理，完善绩效评价约束机制。正确选择绩效评估分析工具，并重视评估结果的反馈，对行政事业单位建立健全绩效评估机制产生推动作用。"
    "建立健全预算管理控制制度，加大评价力度，保证各项工作有序执行。而实践经验证实，将全面预算管理应用在实际绩效考核工作中，"
    "可以使绩效评价工作更加完善，并对考核机制和目标产生约束作用。"
)

GROUP = (("组长", "李春丽"), ("副组长", "张海涛"), ("副组长", "单志刚"),
         ("组员", "杨小宝"), ("组员", "董恩华"), ("组员", "李海荣"))
SPENDING = (
    ("日常办公经费", "5", ""),
    ("场地设备系统及LED屏维修维护费", "0.75", ""),
    ("展牌、条幅等宣传用品费用", "1", ""),
    ("电话费及网络费用", "2.4", "用于交易中心日常业务办公的需求"),
    ("政府采购专家评审费", "2.78", ""),
    ("上缴市公共资源交易中心公共资源交易系统升级改造运维经费", "12", "为招投标业务工作顺利开展做好服务保障"),
)
VOLUMES = (("政府采购", "262", "5.61"), ("工程项目", "70", "20.6"), ("土地使用权", "29", "8"), ("国有产权", "63", "1.46"))
# (level1, level2, name, target, actual, weight)
INDICATORS = (
    ("产出指标", "数量指标", "采购招标率", "100%", "100%", "50"),
    ("效益指标", "社会效益指标", "公共服务水平", "提升", "提升", "30"),
    ("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥95%", "100%", "10"),
)


def seed_project() -> Project:
    info = {
        "评价年度": "2025",
        "项目名称": "公共资源交易中心运转经费",
        "主管部门": "审批局",
        "实施单位": "审批局",
        "项目负责人": "李春丽",
        "联系人": "杨小宝",
        "联系电话": "0431-12345678",
        "联系邮箱": "office@example.gov.cn",
        "项目背景": BACKGROUND,
        "年度总体目标": GOAL,
        "总体目标完成情况": "各项目标均已完成。",
        "评价工作开展情况": "",
        "预算执行偏差原因": RATE_REASON,
        "综合评价结论": CONCLUSION,
        "存在问题及改进建议": ISSUES,
        "其他需要说明的问题": "",
    }
    return Project(
        file="seed.xlsx",
        info=info,
        members=[Member(role, name) for role, name in GROUP],
        funding=[FundingRow(SOURCE_CURRENT, initial=D("32.9"), received=D("23.93"), spent=D("23.93"))],
        spending=[SpendingLine(item, D(amount), note) for item, amount, note in SPENDING],
        indicators=[Indicator(l1, l2, name, target, actual, D(weight)) for l1, l2, name, target, actual, weight
                    in INDICATORS],
        volumes=[Volume(category, D(count), D(amount)) for category, count, amount in VOLUMES],
    )


def grade_of(total: D) -> str:
    """The default bands (the renderer itself takes the grade from the card and perfeval.scoring)."""
    shown = fmt.round_half_up(total, 2)
    return next((g for g, low in (("优", 90), ("良", 80), ("中", 60)) if shown >= low), "差")


def card_for(project: Project, execution_weight: D = D(10)) -> ScoreCard:
    """A card with every indicator met at full weight (qualitative ones 达成) and the execution rate's score."""
    rate = project.spent / project.budget
    execution_score = execution_weight * min(rate, D(1))
    scores = []
    for ind in project.indicators:
        qualitative = not any(ch.isdigit() for ch in ind.target)
        scores.append(IndicatorScore(
            ind, ind.weight, ind.weight, STATUS_QUAL_FULL if qualitative else STATUS_MET,
            band=(ind.weight * D("0.8"), ind.weight) if qualitative else None))
    total = execution_score + sum((s.score for s in scores), D(0))
    return ScoreCard(rate, execution_weight, execution_score, scores, total, grade_of(total))


def seed_card() -> ScoreCard:
    return card_for(seed_project())
