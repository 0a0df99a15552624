"""The small helpers the outputs share: input text made safe for any output, values with their units, the
填报日期, and the width and height of spreadsheet cells. Every figure is formatted through :mod:`perfeval.fmt`."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata

from perfeval import fmt
from perfeval.model import Project

# Characters XML 1.0 forbids (and DEL), which corrupt a .docx or an .xlsx; tab and newline are kept.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A value whose number ends it, with no unit written after it: "98", "0.98", "1,234.5", "≥95", "不低于95".
_NO_UNIT = re.compile(r"^\D*[+-]?\d[\d,]*(?:\.\d+)?$")


def clean(text) -> str:
    """Text from the input, safe for any output: no forbidden control characters, ``\\n`` line ends, no blank
    lines, each line stripped (full-width indentation too: the outputs indent by style)."""
    if text is None:
        return ""
    text = str(text)
    if text.isprintable():  # the common case, one line without control characters: only the ends to strip
        return text.strip()
    text = _XML_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def with_unit(text: str, unit: str = "") -> str:
    """A value as written, with the 计量单位 column appended when no unit follows its number ("100" + "%",
    "≥95" + "%")."""
    text = clean(text)
    unit = clean(unit)
    if unit and _no_unit(text):
        return text + unit
    return text


def _no_unit(text: str) -> bool:
    return bool(_NO_UNIT.match(unicodedata.normalize("NFKC", text)))


def shown_actual(text: str, parsed=None, unit: str = "") -> str:
    """实际完成值 as the outputs show it.

    When it is written without a unit and scoring read it as a number (``parsed`` is a
    :class:`perfeval.parse.Value` with a number), the number is shown in the unit it was scored in, so that 0.98 or
    1 against a percent target reads 98% or 100%; otherwise the text as written (318公里 stays 318公里).
    """
    number = getattr(parsed, "number", None)
    if number is not None and _no_unit(clean(text)):
        return fmt.trim(number, 2) + (getattr(parsed, "unit", "") or "")
    return with_unit(text, unit)


def number_format(places: int) -> str:
    """The spreadsheet number format showing ``places`` decimals: 2 -> "0.00"."""
    return "0" if places <= 0 else "0." + "0" * places


def filled_on(project: Project, source: str | os.PathLike | None = None) -> dt.date | None:
    """填报日期: the day the workbook says it was last saved (an aware time in local time), else the day its file
    ``source`` was last modified; never the day of the run, so that an output stays the same from run to run."""
    if project.saved_at is not None:
        saved = project.saved_at
        return (saved.astimezone() if saved.tzinfo else saved).date()
    if source is None:
        return None
    try:
        return dt.datetime.fromtimestamp(os.stat(source).st_mtime).date()
    except (OSError, ValueError, OverflowError):
        return None


def display_width(text: str) -> int:
    """Width in spreadsheet column units: Chinese (wide) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


LINE_HEIGHT = 14.5  # points per line of 11-point text
MIN_HEIGHT = 21.0


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` column units wide (its padding taken off)."""
    if not text:
        return 1
    usable = max(width - 2, 4)
    # a part of at most usable / 2 characters fits on one line whatever its characters (no need to measure it)
    return sum(1 if 2 * len(part) <= usable else max(1, math.ceil(display_width(part) / usable))
               for part in text.split("\n"))


def row_height(lines: int) -> float:
    """Points a row of ``lines`` lines of 11-point text needs, with some air."""
    return max(MIN_HEIGHT, lines * LINE_HEIGHT + 6)
