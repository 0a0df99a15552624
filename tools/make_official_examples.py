"""Write the example official 自评表 into input_templates/official/, with the tool's own code (perfeval.official.sample).

    python tools/make_official_examples.py

Three tables as units fill them: an .xlsx in the plain national layout that departs from the rules as real tables
do (a met target docked, the execution score rounded to a whole number, the total and grade following them); an
.xlsx in a variant (money in 元, 调整后预算数 / 预算执行数, 指标性质 and 度量单位 columns, weights in the 一级指标
labels, 偏差原因 | 改进措施 in two columns) that follows the rules; and a .docx whose table runs over a page break,
with the grade written wrong. tests/test_official_examples.py checks what the tool finds in them.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfeval.official.sample import Row, Sample, layout, write_docx, write_xlsx  # noqa: E402

OUT_DIR = ROOT / "input_templates" / "official"

NATIONAL = Sample(
    "公共资源交易中心运转经费", "审批局", "审批局", [("其中：当年财政拨款", 32.9, 32.9, 23.93)],
    [Row("产出指标", "数量指标", "采购招标率", "100%", "100%", 50, 48),  # met, docked 2 points
     Row("效益指标", "社会效益指标", "公共服务水平", "提升", "提升", 30, 30),
     Row("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥95%", "100%", 10, 10)],
    goal="发挥最佳的市场运作效应，简化程序，实现效率最高。", goal_done="各项目标均已完成。",
    execution_score=7)  # 7.27 rounded to a whole number
VARIANT = Sample(
    "高素质农民培训", "农业农村局", "农业技术推广站", [("其中：当年财政拨款", 50, 48, 45), ("上年结转资金", 10, 10, 9.5)],
    [Row("产出指标", "数量指标", "培训人数", "≥735", "760", 30, 30, nature="正向", unit="人次"),
     Row("产出指标", "质量指标", "培训合格率", "≥95", "96", 10, 10, nature="正向", unit="%"),
     Row("产出指标", "时效指标", "完成时间", "2025年12月底前", "2025年11月", 10, 10, nature="正向"),
     Row("效益指标", "社会效益指标", "农民增收", "有效提升", "达成", 30, 30, nature="定性"),
     Row("满意度指标", "服务对象满意度指标", "学员满意度", "≥90", "85", 10, 9.44, "部分学员对课程安排不满意",
         nature="正向", unit="%", improvement="调整课程时间，增加实训")],
    title="{year}年度项目支出绩效自评表", money_unit="元", budget_label="调整后预算数", spent_label="预算执行数",
    nature_unit_columns=True, weight_in_label=True, split_reasons=True, manager="张三", phone="0431-1234567",
    goal="培训高素质农民 735 人次，合格率不低于 95%。", goal_done="培训 760 人次，合格率 96%。", grade_form="等级：{grade}")
WORD = Sample(
    "农村公路日常养护", "交通运输局", "公路养护中心", [("其中：当年财政拨款", 120, 120, 118), ("其他资金", 5, 5, 5)],
    [Row("产出指标", "数量指标", "养护里程", "≥318公里", "318公里", 20, 20),
     Row("产出指标", "质量指标", "优良路率", "≥85%", "88%", 20, 20),
     Row("产出指标", "时效指标", "养护完成时间", "2025年12月31日前", "2025年12月20日", 10, 10),
     Row("效益指标", "社会效益指标", "群众出行条件", "有效改善", "达成", 20, 20),
     Row("效益指标", "可持续影响指标", "路况保持", "长期", "达成", 10, 10),
     Row("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "95%", 10, 10)],
    title="项目支出绩效自评表\n（ {year} 年度）", goal="完成 318 公里农村公路日常养护。", goal_done="已完成。",
    grade="良")  # the total is 99.84, an 优

FILES = {
    "2025_审批局_公共资源交易中心运转经费_自评表.xlsx": lambda path: write_xlsx(path, [("自评表", layout(NATIONAL))]),
    "2025_农业技术推广站_高素质农民培训_自评表.xlsx": lambda path: write_xlsx(path, [("绩效自评表", layout(VARIANT))]),
    "2025_公路养护中心_农村公路日常养护_自评表.docx": lambda path: write_docx(path, [layout(WORD)], split_at={0: 12}),
}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name, write in FILES.items():
        write(out / name)
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
