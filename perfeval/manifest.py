"""The batch's manifest (``manifest.json``): what a run read, what it found, and what it wrote.

The manifest is self-sufficient: later steps (the summary, the e-mail command, the next run) need nothing else.
It is also the cache of the next run: an entry holds everything the summary needs (figures at full precision,
indicator rows, spending lines, volumes), so a file whose bytes, configuration digest and tool version are
unchanged is not read again.

Numbers are JSON strings, never JSON numbers (no float artefacts):

- the figures shown to people (年初预算数, 全年预算数, 全年执行数, 得分) have exactly two decimals ("32.90",
  "97.27"); 执行率 is a percentage with two decimals ("72.74%"); "" when unknown;
- the figures under ``data`` are exact decimals at full precision ("32.9", "97.2735562310030395…"), or null.

The format is documented in README.md ("Output layout").

Size: a batch of ten thousand projects has ten thousand entries of some ten kilobytes each. So that memory does not
grow with the batch, an entry's rows (``data``'s indicators, spending and volumes) are kept as compressed JSON
(:class:`Packed`, a read-only list) from the worker that made them to the manifest file, which is written and read
one entry at a time, an entry on a line.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import fmt
from .fileio import atomic_path
from .pipeline import STATUS_LABELS, Evaluation, project_folder_name
from .problems import SEVERITIES, Problem
from .render import shown_actual

MANIFEST_NAME = "manifest.json"
FORMAT = 1  # raised when an entry's layout changes; a manifest of another format is never reused

INFO_KEYS = ("评价年度", "项目名称", "主管部门", "实施单位", "联系邮箱")
FIGURE_KEYS = ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分", "等级")
SUPERSEDED_CODE = "file-superseded"


# ---- numbers ------------------------------------------------------------------------------------------------

def exact(value: Decimal | None) -> str | None:
    """A Decimal as an exact decimal string, never in exponent form, without trailing zeros ("23.9300" -> "23.93");
    None stays None."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def decimal(text: Any) -> Decimal | None:
    """The inverse of :func:`exact`: an exact string (or None) back to a Decimal."""
    if text is None or text == "":
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def shown_figures(figures: dict[str, Any]) -> dict[str, str]:
    """The figures as shown to people: fixed two decimals, the rate as a percentage, "" when unknown."""
    shown = {}
    for key in FIGURE_KEYS:
        value = figures.get(key)
        if key == "等级":
            shown[key] = value or ""
        elif key == "执行率":
            shown[key] = fmt.rate(decimal(value))
        else:
            shown[key] = fmt.score(decimal(value))
    return shown


# ---- rows kept compressed -----------------------------------------------------------------------------------

def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Packed(Sequence):
    """A list of rows (dicts of strings) kept as compressed JSON: read-only, decoded at each use (iterate it once).

    Equal to a list with the same rows; pickled as its compressed bytes; written into the manifest as it is.
    """

    __slots__ = ("_blob", "_len")

    def __init__(self, rows: Any = ()):
        rows = list(rows)
        self._blob = zlib.compress(_dumps(rows).encode("utf-8"), 1)
        self._len = len(rows)

    @classmethod
    def of(cls, rows: Any) -> "Packed":
        return rows if isinstance(rows, Packed) else cls(rows)

    @classmethod
    def _from_blob(cls, blob: bytes, length: int) -> "Packed":
        packed = cls.__new__(cls)
        packed._blob, packed._len = blob, length
        return packed

    def __reduce__(self):
        return Packed._from_blob, (self._blob, self._len)

    def json(self) -> str:
        """The rows as compact JSON text."""
        return zlib.decompress(self._blob).decode("utf-8")

    def rows(self) -> list[dict[str, Any]]:
        return json.loads(self.json())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        return self.rows()[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, Packed):
            return self._blob == other._blob or self.rows() == other.rows()
        if isinstance(other, (list, tuple)):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"Packed({self.rows()!r})"


ROW_KEYS = ("indicators", "spending", "volumes")


# ---- one file's record --------------------------------------------------------------------------------------

def evaluation_record(ev: Evaluation) -> dict[str, Any]:
    """What one evaluated workbook gave, as plain data (what a worker returns and the next run reuses).

    Keys: ``name``, ``status`` (of the workbook alone, before the superseded rule), ``info``, ``folder_base``
    (the project folder's name before it is made unique), ``saved_at`` (when the workbook says it was last saved,
    ISO 8601, "" when it does not say), ``figures``, ``indicators``, ``spending``, ``volumes`` and ``problems``
    (``Problem.to_dict()``). The rows (indicators, spending, volumes) are
    :class:`Packed`; an indicator's 实际完成值 is as the 自评表 shows it (0.98 against a percent target: 98%).
    """
    project, card = ev.project, ev.card
    record: dict[str, Any] = {"name": ev.name, "status": ev.status, "info": {k: "" for k in INFO_KEYS},
                              "folder_base": "", "saved_at": "", "figures": {k: None for k in FIGURE_KEYS},
                              "indicators": [], "spending": [], "volumes": [],
                              "problems": [p.to_dict() for p in ev.problems]}
    if project is None or ev.blank:
        return record
    record["info"] = {k: project.info.get(k, "").strip() for k in INFO_KEYS}
    record["saved_at"] = project.saved_at.isoformat(timespec="seconds") if project.saved_at else ""
    record["folder_base"] = project_folder_name(project, Path(ev.name).stem)
    if card is not None:
        record["figures"] = {"年初预算数": exact(project.initial_budget), "全年预算数": exact(project.budget),
                             "全年执行数": exact(project.spent), "执行率": exact(card.execution_rate),
                             "得分": exact(card.total), "等级": card.grade}
        record["indicators"] = [
            {"一级指标": s.indicator.level1, "二级指标": s.indicator.level2, "三级指标": s.indicator.name,
             "年度指标值": s.indicator.target,
             "实际完成值": shown_actual(s.indicator.actual, s.actual, s.indicator.unit), "计量单位": s.indicator.unit,
             "分值": exact(s.indicator.weight), "得分": exact(s.score), "完成情况": s.status,
             "偏差原因分析及改进措施": s.indicator.deviation}
            for s in card.indicators]
    record["spending"] = [{"支出内容": line.item, "金额": exact(line.amount), "说明": line.note}
                          for line in project.spending]
    record["volumes"] = [{"业务类别": v.category, "数量": exact(v.count), "金额": exact(v.amount), "备注": v.note}
                         for v in project.volumes]
    for key in ROW_KEYS:
        record[key] = Packed(record[key])
    return record


def problem_record(code: str, message: str, name: str) -> dict[str, Any]:
    """A whole-file problem as the manifest stores it."""
    return Problem(code, message, name).to_dict()


def file_record(name: str, status: str, problems: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of a file that was not evaluated (skipped, or lost with its worker)."""
    return {"name": name, "status": status, "info": {k: "" for k in INFO_KEYS}, "folder_base": "", "saved_at": "",
            "figures": {k: None for k in FIGURE_KEYS}, "indicators": [], "spending": [], "volumes": [],
            "problems": problems}


# ---- one file's manifest entry ------------------------------------------------------------------------------

def make_entry(source: dict[str, Any], record: dict[str, Any], *, status: str, reused: bool, folder: str,
               outputs: dict[str, str], superseded_by: str = "", newest_by: str = "",
               extra_problems: list[dict[str, Any]] = (), complete: bool = True) -> dict[str, Any]:
    """The manifest entry of one input file.

    ``source`` holds ``path`` (relative to the working folder, or absolute), ``absolute_path``, ``sha256``,
    ``size`` and ``modified`` (the file's time); the entry adds ``saved_at`` from the record (the workbook's own
    saved time); ``record`` is :func:`evaluation_record`'s result; ``newest_by`` says what decided between the
    files of the same project (``saved_at``, ``modified`` or ``path``; "" when the project is in one file);
    ``extra_problems`` are the batch's own findings about the file (file-superseded); ``complete`` is False when
    some output could not be put in place (the next run does the file again).
    """
    problems = list(record["problems"]) + list(extra_problems)
    counts = {s: 0 for s in SEVERITIES}
    for p in problems:
        counts[p["severity"]] += 1
    entry: dict[str, Any] = dict(source)
    entry["saved_at"] = record.get("saved_at", "")
    entry.update({"name": record["name"], "status": status, "status_label": STATUS_LABELS[status], "reused": reused})
    entry.update(record["info"])
    entry.update(shown_figures(record["figures"]))
    entry.update({"problem_counts": counts, "problems": problems, "folder": folder, "outputs": dict(outputs),
                  "superseded_by": superseded_by, "newest_by": newest_by, "complete": complete,
                  "data": {"status": record["status"], "folder_base": record["folder_base"],
                           "figures": record["figures"], **{key: Packed.of(record[key]) for key in ROW_KEYS}}})
    return entry


def record_from_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """The record an entry was made from (for reuse): the batch's own findings are left out."""
    data = entry["data"]
    return {"name": entry["name"], "status": data["status"], "info": {k: entry.get(k, "") for k in INFO_KEYS},
            "folder_base": data["folder_base"], "saved_at": entry.get("saved_at", ""), "figures": data["figures"], "indicators": data["indicators"],
            "spending": data["spending"], "volumes": data["volumes"],
            "problems": [p for p in entry["problems"] if p["code"] != SUPERSEDED_CODE]}


# ---- the file -----------------------------------------------------------------------------------------------

def _entry_line(entry: dict[str, Any]) -> str:
    """One entry as compact JSON on one line, its packed rows copied in as they are."""
    data = entry.get("data")
    if not isinstance(data, dict) or not any(isinstance(v, Packed) for v in data.values()):
        return _dumps(entry)
    rows = {key: value for key, value in data.items() if isinstance(value, Packed)}
    marks = {key: f"\x00{key}\x00" for key in rows}
    text = _dumps(entry | {"data": data | marks})
    for key, value in rows.items():
        text = text.replace(_dumps(marks[key]), value.json(), 1)
    return text


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically (UTF-8, Chinese kept readable): a key on a line, and under ``files`` an entry
    on a line, written one at a time."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        keys = list(manifest)
        fh.write("{\n")
        for n, key in enumerate(keys):
            end = ",\n" if n < len(keys) - 1 else "\n"
            value = manifest[key]
            if key == "files" and isinstance(value, list):
                fh.write(f" {_dumps(key)}: [")
                for i, entry in enumerate(value):
                    fh.write(("\n  " if i == 0 else ",\n  ") + _entry_line(entry))
                fh.write("\n ]" + end if value else "]" + end)
            else:
                fh.write(f" {_dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
        fh.write("}\n")
    return path


def _packed_entry(entry: Any) -> Any:
    data = entry.get("data") if isinstance(entry, dict) else None
    if isinstance(data, dict):
        for key in ROW_KEYS:
            if isinstance(data.get(key), list):
                data[key] = Packed(data[key])
    return entry


def _read_lines(path: Path) -> dict[str, Any] | None:
    """The manifest as :func:`write_manifest` writes it, read an entry at a time; None for another layout."""
    head: list[str] = []
    files: list[Any] = []
    with open(path, encoding="utf-8", newline="\n") as fh:
        for line in fh:
            if line.startswith(' "files": ['):
                break
            head.append(line)
        else:
            return None
        if line.rstrip() == ' "files": [],':
            return None
        if line.rstrip() != ' "files": [':
            return None
        for line in fh:
            if line.startswith(" ]"):
                break
            files.append(_packed_entry(json.loads(line.rstrip().removesuffix(","))))
        else:
            return None
        tail = line.strip()[1:] + fh.read()
    data = json.loads("".join(head) + ' "files": []' + tail)
    data["files"] = files
    return data


def load_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of an earlier run in ``folder``; None when there is none, or it is unreadable or of
    another format. The rows of each entry are :class:`Packed`."""
    path = Path(folder) / MANIFEST_NAME
    try:
        try:
            data = _read_lines(path)
        except ValueError:
            data = None
        if data is None:  # another layout (an earlier version's, edited by hand): read whole
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("files"), list):
                data["files"] = [_packed_entry(e) for e in data["files"]]
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), list):
        return None
    return data
