"""The narrative 绩效自评报告, as Word (.docx, docxtpl) and Markdown (Jinja2), in two outlines.

:func:`report_context` turns a project and its score card into a dict of ready-made text (every figure formatted
through :mod:`perfeval.fmt`, every input text cleaned of XML-forbidden characters); the templates in
``perfeval/templates`` put it into words: ``report_<outline>.docx`` and ``report_<outline>.md.j2``, made by
``tools/make_report_templates.py``. A bureau may use its own Word template with the same placeholders.

Speed: a Word template is prepared once per process and file version and rendered by the fast path of
:mod:`.fastdocx`, which drives docxtpl's internals behind a seam; when that path is not taken or fails, docxtpl
renders the report through its public API (:func:`render_docx_plain`), with the same content. A template whose
other parts hold placeholders (a bureau's header with ``{{ unit }}``) is rendered by docxtpl as a whole, each time.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path

import jinja2

from perfeval import fmt
from perfeval.config import Config
from perfeval.fileio import atomic_path
from perfeval.model import (STATUS_MISSED, STATUS_OVER, STATUS_QUAL_FULL, STATUS_QUAL_NONE, STATUS_QUAL_PARTIAL, Project,
                            ScoreCard)
from perfeval.problems import ERROR, Problem, count_by_severity

from . import fastdocx
from .common import clean, filled_on, shown_actual, with_unit
from .fastdocx import PreparedDocx

OUTLINES = ("seed", "national")
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
MISSING = "（未填）"  # a figure the workbook does not give (the report is then a draft anyway)
NOT_COMPUTABLE = "（无法计算）"
NAME_SEPARATOR = "  "  # between the names of one role, as the seed writes them
END_MARKS = "。！？!?…"
TRAILING_MARKS = "。；;，,、.：: "
REASON_PREFIXES = ("是由于", "主要是由于", "主要由于", "由于", "因为", "原因是", "原因为", "原因：", "原因:")
SHORTFALL = {
    STATUS_MISSED: "未达到年度指标值{target}",
    STATUS_QUAL_PARTIAL: "部分达成年度指标",
    STATUS_QUAL_NONE: "未达成年度指标",
}
SHORTFALL_UNKNOWN = "完成情况无法评定"
OVERACHIEVED = "大幅超过年度指标值{target}"  # the rules want its 偏差原因 in the report too
QUALITATIVE = (STATUS_QUAL_FULL, STATUS_QUAL_PARTIAL, STATUS_QUAL_NONE)


class ReportTemplateError(Exception):
    """A report template cannot be found, read or rendered."""


# ---- text helpers -----------------------------------------------------------------------------------------

def clause(text: str) -> str:
    """Text to run on inside a sentence: no closing punctuation."""
    return clean(text).rstrip(TRAILING_MARKS)


def sentence(text: str) -> str:
    """Text that ends a sentence: closed with "。" unless it already ends with a full stop."""
    text = clean(text)
    if not text or text[-1] in END_MARKS:
        return text
    return text.rstrip(TRAILING_MARKS) + "。"


def reason(text: str) -> str:
    """预算执行偏差原因 to follow "是由于": without a leading 由于 of its own, closed as a sentence."""
    text = clean(text)
    for prefix in REASON_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip("，,：: ")
            break
    return sentence(text)


def _money(value) -> str:
    return fmt.money(value) or MISSING


# ---- the context ------------------------------------------------------------------------------------------

def _members(project: Project) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {"leaders": [], "deputies": [], "members": []}
    for m in project.members:
        name, role = clean(m.name), clean(m.role).replace(" ", "")
        if not name:
            continue
        key = "deputies" if "副" in role else "leaders" if "组长" in role else "members"
        groups[key].append(name)
    return groups


def _indicator_line(no: int, s) -> dict:
    ind = s.indicator
    target = with_unit(ind.target, ind.unit)
    actual = shown_actual(ind.actual, getattr(s, "actual", None), ind.unit)
    # A qualitative actual that is a verdict (达成 / 部分达成 / 未达成) reads better as the target it concerns.
    result = target if s.status in QUALITATIVE and "达成" in actual else actual
    shortfall = "" if s.met else SHORTFALL.get(s.status, SHORTFALL_UNKNOWN).format(target=target)
    # What the line says besides the actual: a shortfall, or a far over-achievement; either with its 偏差原因.
    remark = OVERACHIEVED.format(target=target) if s.status == STATUS_OVER else shortfall
    return {
        "no": no, "level1": clean(ind.level1), "level2": clean(ind.level2), "name": clean(ind.name),
        "target": target, "actual": actual, "result": result, "met": s.met, "status": s.status,
        "shortfall": shortfall, "remark": remark, "deviation": sentence(ind.deviation),
        "weight": fmt.trim(ind.weight, 2) if ind.weight is not None else "",
        "score": fmt.score(s.score, 2),
    }


def report_context(project: Project, card: ScoreCard, config: Config, problems: Iterable[Problem] = (),
                   source=None) -> dict:
    """Everything the report templates need, as text (and lists of dicts of text, and a few flags).

    ``source`` is the input workbook's file, for the 填报日期 as the 自评表 signs it (:func:`.filled_on`).
    """
    from perfeval.scoring import grade_of

    info = {clean(label): clean(text) for label, text in project.info.items()}
    groups = _members(project)
    errors = count_by_severity(list(problems))[ERROR]
    indicators = [_indicator_line(i, s) for i, s in enumerate(card.indicators, start=1)]
    unmet = [line["name"] for line in indicators if not line["met"]]
    budget_adjusted = (project.budget is not None and project.initial_budget is not None
                       and project.budget != project.initial_budget)
    volumes = [{"category": clean(v.category), "count": fmt.count(v.count), "amount": fmt.money(v.amount)}
               for v in project.volumes]
    unit = info.get("实施单位", "")
    name = info.get("项目名称", "")
    return {
        "draft": errors > 0,
        "error_count": errors,
        "title": f"{name}绩效自评报告",
        "project_name": name,
        "department": info.get("主管部门", ""),
        "unit": unit,
        "unit_prose": unit or "本单位",
        "year": str(project.year) if project.year else "",
        "info": info,
        # the evaluation group
        **groups,
        **{f"{key}_text": NAME_SEPARATOR.join(names) for key, names in groups.items()},
        # funds, in 万元
        "initial_budget": _money(project.initial_budget),
        "budget": _money(project.budget),
        "budget_adjusted": budget_adjusted,
        "received": _money(project.received),
        "received_given": project.received is not None,
        "spent": _money(project.spent),
        "rate": fmt.rate(card.execution_rate) or NOT_COMPUTABLE,
        "execution_weight": fmt.trim(card.execution_weight, 2),
        "execution_score": fmt.score(card.execution_score, config.table_decimals),
        "execution_reason": reason(info.get("预算执行偏差原因", "")),
        "spending": [{"item": clean(s.item), "amount": fmt.money(s.amount), "note": clause(s.note)}
                     for s in project.spending],
        # indicators
        "indicators": indicators,
        "rate_no": len(indicators) + 1,
        "all_met": not unmet,
        "some_met": len(unmet) < len(indicators),
        "unmet_names": "、".join(unmet),
        # the result
        "score": fmt.prose_score(card.total, card.grade, config.prose_decimals, lambda t: grade_of(t, config)),
        "score_full": fmt.score(card.total, config.table_decimals),
        "grade": card.grade,
        # business volumes (亿元), totals computed from the lines
        "volumes": volumes,
        "volume_count_total": fmt.count(project.volume_count_total()) if volumes else "",
        "volume_amount_total": fmt.money(project.volume_amount_total()) if volumes else "",
        # texts, each closed as a sentence
        "background": sentence(info.get("项目背景", "")),
        "goal": sentence(info.get("年度总体目标", "")),
        "goal_done": sentence(info.get("总体目标完成情况", "")),
        "evaluation_work": sentence(info.get("评价工作开展情况", "")),
        "conclusion": sentence(info.get("综合评价结论", "")),
        "issues": sentence(info.get("存在问题及改进建议", "")),
        "others": sentence(info.get("其他需要说明的问题", "")),
        "manager": info.get("项目负责人", ""),
        "contact": info.get("联系人", ""),
        "phone": info.get("联系电话", ""),
        "filled_date": fmt.date(filled_on(project, source)),
        "email": info.get("联系邮箱", ""),
    }


def _map_strings(value, fn):
    """``value`` with ``fn`` applied to every string inside it (dicts and lists walked)."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_map_strings(v, fn) for v in value]
    return value


def _check_outline(outline: str) -> None:
    if outline not in OUTLINES:
        raise ValueError(f"未知的报告提纲 {outline!r}（可用：{' / '.join(OUTLINES)}）")


# ---- Markdown ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _markdown_env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=False,
                              keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def render_markdown(context: dict, outline: str = "seed") -> str:
    """The report as Markdown text (the caller writes it). A text of several lines becomes several paragraphs."""
    _check_outline(outline)
    template = _markdown_env().get_template(f"report_{outline}.md.j2")
    return template.render(_map_strings(context, _markdown_text))


_MD_LINE_START = re.compile(r"^([#>]|[-+*](?=\s)|\d+(?=[.)]\s))", re.M)


def _markdown_text(text: str) -> str:
    """Input text as literal Markdown: a line that would become a heading, quote or list is escaped, "<" never opens
    HTML, and every line break becomes a paragraph break."""
    text = text.replace("\\", "\\\\").replace("<", "\\<")
    text = _MD_LINE_START.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0], text)
    return text.replace("\n", "\n\n")


# ---- Word -------------------------------------------------------------------------------------------------

class _CompilingEnvironment(jinja2.Environment):
    """A Jinja environment that compiles each distinct template source once (docxtpl asks for every render)."""

    MAX_CACHED = 32

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            with self._lock:
                if len(self._compiled) >= self.MAX_CACHED:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[source] = template
        return template


_DOCX_ENV = _CompilingEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


@functools.lru_cache(maxsize=16)
def _read_template(path: str, mtime_ns: int, size: int) -> bytes:
    data = Path(path).read_bytes()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReportTemplateError(f"报告模板不是有效的 Word 文档（.docx）：{path}")
    return data


def template_bytes(path) -> bytes:
    """The bytes of a Word template, read once for each version of the file."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise ReportTemplateError(f"找不到报告模板：{path}") from None
    return _read_template(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def docx_template_path(outline: str = "seed", template_path=None) -> Path:
    _check_outline(outline)
    return Path(template_path) if template_path else TEMPLATE_DIR / f"report_{outline}.docx"


@functools.lru_cache(maxsize=8)
def _prepared(path: str, mtime_ns: int, size: int) -> PreparedDocx | None:
    return fastdocx.prepare(_read_template(path, mtime_ns, size), _DOCX_ENV)


def prepared_docx(path) -> PreparedDocx | None:
    """The prepared template of the Word file ``path``, once per process and file version; None when docxtpl must
    render it as a whole. Raises :class:`ReportTemplateError` (missing file, not a .docx, a template error)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise ReportTemplateError(f"找不到报告模板：{path}") from None
    try:
        return _prepared(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except ReportTemplateError:
        raise
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(f"报告模板有误（{path.name}）：{exc}") from exc
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReportTemplateError(f"报告模板无法使用（{path.name}）：{exc}") from exc


def warm_up(outline: str = "seed", template_path=None) -> None:
    """Import the renderers and prepare the Word template now (before worker processes are forked from this one,
    so that each starts with it ready). Errors are left for the first report to raise."""
    try:
        prepared_docx(docx_template_path(outline, template_path))
    except Exception:  # noqa: BLE001 - reported by render_docx, with its file
        pass


def _docx_values(context: dict) -> dict:
    # docxtpl turns "\a" in a rendered text into a new paragraph with the same paragraph properties.
    return _map_strings(context, lambda s: s.replace("\n", "\a"))


def render_docx_plain(context: dict, path, outline: str = "seed", template_path=None) -> Path:
    """:func:`render_docx` by docxtpl alone: a fresh DocxTemplate, rendered and saved (the reference of the fast
    path, and the way for templates it does not take)."""
    from docxtpl import DocxTemplate

    source = docx_template_path(outline, template_path)
    doc = DocxTemplate(io.BytesIO(template_bytes(source)))
    try:
        doc.render(_docx_values(context), jinja_env=_DOCX_ENV, autoescape=True)
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(f"报告模板有误（{source.name}）：{exc}") from exc
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReportTemplateError(f"报告模板无法使用（{source.name}）：{exc}") from exc
    path = Path(path)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path


def render_docx(context: dict, path, outline: str = "seed", template_path=None) -> Path:
    """Write the report as .docx to ``path``, atomically; returns the path.

    ``template_path`` is a bureau's own Word template (config ``report.docx_template``); by default the built-in
    one of the outline. Values are XML-escaped (autoescape), and a text of several lines becomes several
    paragraphs of the placeholder's style.
    """
    prepared = prepared_docx(docx_template_path(outline, template_path))
    data = fastdocx.render(prepared, _docx_values(context)) if prepared is not None else None
    if data is None:  # no prepared template, or it failed: docxtpl renders (and reports a template error)
        return render_docx_plain(context, path, outline, template_path)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path
