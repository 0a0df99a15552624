"""Every output against its golden file (tests/golden/), part by part with the XML normalised: an upgrade of
XlsxWriter, docxtpl, python-docx or openpyxl that changes an output, on the fast and the plain path alike, fails
here with the diff of the part that changed. Regenerate with ``python tests/golden/regenerate.py`` when the change
is meant (its docstring says when).

Normalised: attribute order and namespace declarations (C14N 2.0), whitespace between elements, and the one
volatile value, the time openpyxl stamps on the marked-up copy's ``dcterms:modified``.
"""

from __future__ import annotations

import difflib
import os
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from golden.regenerate import GOLDEN, GOLDEN_FILES, build, use_time_zone
from perfeval.config import Config
from perfeval.pipeline import evaluate
from perfeval.render.report import render_docx_plain, report_context

MAX_DIFF_LINES = 60
# part -> pattern of a value that changes from run to run, in the files where it does
VOLATILE = {("problem_annotated.xlsx", "docProps/core.xml"): re.compile(r"(<dcterms:modified[^>]*>)[^<]*(<)")}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The outputs, made once in the golden files' time zone."""
    if not hasattr(time, "tzset"):
        pytest.skip("the golden files are made in UTC+8; this platform cannot set the time zone")
    previous = use_time_zone()
    try:
        yield build(tmp_path_factory.mktemp("golden"))
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
            time.tzset()
        else:
            use_time_zone(previous)


def normalised(golden: str, part: str, data: bytes) -> list[str]:
    """A part as lines to compare: XML canonical and indented; other parts as their size and bytes."""
    if not part.endswith((".xml", ".rels", ".vml")):
        return [f"{len(data)} bytes", data.hex()]
    text = ET.canonicalize(data.decode("utf-8"))
    if (golden, part) in VOLATILE:
        text = VOLATILE[golden, part].sub(r"\1…\2", text)
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, pretty_print=True, encoding="unicode").splitlines()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def differences(golden: str, path: Path) -> list[str]:
    """What differs between the golden file and ``path``: parts added or missing, and a unified diff of each part
    that changed (shortened)."""
    expected, actual = parts(GOLDEN / golden), parts(path)
    found = [f"part missing: {p}" for p in expected if p not in actual]
    found += [f"part added: {p}" for p in actual if p not in expected]
    for part in (p for p in expected if p in actual):
        old, new = normalised(golden, part, expected[part]), normalised(golden, part, actual[part])
        if old != new:
            diff = list(difflib.unified_diff(old, new, f"golden/{golden}:{part}", f"new:{part}", lineterm="", n=2))
            cut = diff[:MAX_DIFF_LINES] + ([f"… {len(diff) - MAX_DIFF_LINES} more lines"] if len(diff) >
                                           MAX_DIFF_LINES else [])
            found.append("\n".join(cut))
    return found


@pytest.mark.parametrize("golden", sorted(GOLDEN_FILES))
def test_each_output_equals_its_golden_file(made, golden):
    found = differences(golden, made[golden])
    assert not found, (f"{golden} ({GOLDEN_FILES[golden]}) changed; if that is meant, run "
                       "python tests/golden/regenerate.py\n" + "\n\n".join(found))


def test_docxtpls_own_render_equals_the_golden_report(made, tmp_path):
    """The plain path too (the fast one is compared above): an upgrade that changes docxtpl's render is caught even
    when the fast path is off."""
    from golden.regenerate import SEED

    config = Config()
    ev = evaluate(SEED, config)
    context = report_context(ev.project, ev.card, config, ev.problems, ev.source)
    plain = render_docx_plain(context, tmp_path / "plain.docx", config.report["outline"])
    assert differences("seed_report.docx", plain) == []


def test_a_changed_part_is_shown_as_a_diff_of_its_xml(tmp_path):
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(GOLDEN / "seed_table.xlsx") as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace("公共资源交易中心运转经费".encode(), "公共资源交易中心运转经费（改）".encode(), 1)
            target.writestr(info, data)
    found = differences("seed_table.xlsx", changed)
    assert len(found) == 1
    assert found[0].startswith("--- golden/seed_table.xlsx:xl/sharedStrings.xml\n+++ new:xl/sharedStrings.xml")
    assert re.search(r"^\+.*公共资源交易中心运转经费（改）", found[0], re.M)
