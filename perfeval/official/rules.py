"""Which checks of :mod:`perfeval.checks` apply to an official table (official-table.md).

Every rule applies except those about what the table has no place for: the evaluation group, the spending
breakdown, business volumes, the contact e-mail; and the low-execution reason
only where the 项目资金 block has a 原因 column. A test keeps these names in step with the registry.
"""

from __future__ import annotations

from ..checks import RULES, Rule
from .figures import OfficialTable

NOT_APPLICABLE = {
    "group_filled": "评价工作组", "group_leader": "评价工作组", "group_roles": "评价工作组",
    "group_duplicates": "评价工作组", "breakdown_adds_up": "支出明细", "volume_total_agrees": "业务量",
    "email_wellformed": "联系邮箱",
}
NEEDS_REASON_COLUMN = "execution_rate_reason"


def applicable_rules(table: OfficialTable) -> list[Rule]:
    skip = set(NOT_APPLICABLE)
    if not table.has_reason_column:
        skip.add(NEEDS_REASON_COLUMN)
    return [rule for rule in RULES if rule.__name__ not in skip]
