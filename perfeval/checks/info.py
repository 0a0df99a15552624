"""Rules on 基本信息 and 评价工作组."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from .. import model as m
from ..cells import span
from ..problems import Problem
from .common import repeats
from .registry import Context, rule

FIRST_YEAR = 2000  # the earliest plausible 评价年度
ROLES = m.ROLES
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


# ---- 基本信息 -------------------------------------------------------------------------------------------------


@rule
def year_plausible(ctx: Context) -> Iterator[Problem]:
    text = ctx.project.info.get("评价年度", "").strip()
    if not text:
        return  # the reader reports it missing
    latest = dt.date.today().year + 1
    year = ctx.project.year
    if year is None or not FIRST_YEAR <= year <= latest:
        yield ctx.info("评价年度", "year-implausible", f"评价年度“{text}”不合理，应为 {FIRST_YEAR} 至 {latest} 之间的四位年份"
                       "（如 2025）。请填写所评价的预算年度。", text)


@rule
def email_wellformed(ctx: Context) -> Iterator[Problem]:
    text = ctx.project.info.get("联系邮箱", "").strip()
    if text and not _EMAIL.fullmatch(text):
        yield ctx.info("联系邮箱", "email-malformed", f"联系邮箱“{text}”格式不正确，评价结果将无法发送到该邮箱。请填写一个完整的"
                       "邮箱地址，如 name@example.gov.cn（使用半角字符，不要加空格或其他文字）。", text)


@rule
def text_limits(ctx: Context) -> Iterator[Problem]:
    for label, limit in ctx.config.limits.items():
        text = ctx.project.info.get(label, "")
        if len(text) > limit:
            shown = text if len(text) <= 30 else text[:30] + "…"
            yield ctx.info(label, "text-too-long", f"“{label}”共 {len(text)} 字，超过规定的 {limit} 字。请精简到 {limit} 字"
                           "以内。", shown)


# ---- 评价工作组 ---------------------------------------------------------------------------------------------


@rule
def group_filled(ctx: Context) -> Iterator[Problem]:
    if not ctx.project.members and ctx.readable(m.SHEET_GROUP):
        yield ctx.problem("value-missing", "评价工作组未填写任何成员。请填写组长、副组长和组员的职务与姓名。", m.SHEET_GROUP)


@rule
def group_leader(ctx: Context) -> Iterator[Problem]:
    members = ctx.project.members
    if members and not any(p.role == "组长" for p in members):
        yield ctx.problem("group-no-leader", "评价工作组没有组长。请在“职务”列中注明一位组长。", m.SHEET_GROUP,
                          span(p.cells.get("role", "") for p in members))


@rule
def group_roles(ctx: Context) -> Iterator[Problem]:
    for person in ctx.project.members:
        if person.role not in ROLES:
            what = f"职务“{person.role}”无法识别" if person.role else f"“{person.name}”的职务未填写"
            yield ctx.at(person, "role", "group-role-unknown", f"{what}。请填写组长、副组长或组员。", person.role)


@rule
def group_duplicates(ctx: Context) -> Iterator[Problem]:
    for person, first in repeats(ctx.project.members, lambda p: p.name):
        yield ctx.at(person, "name", "group-member-duplicate", f"“{person.name}”在评价工作组中出现不止一次"
                     f"（另见 {first.cells.get('name', '')}）。请删除重复的姓名。", person.name)
