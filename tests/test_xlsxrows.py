"""The seam around the summary's fast rows (perfeval/xlsxrows.py): only with a tested XlsxWriter, and the plain
path on any error of the fast one — the same workbook either way."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from helpers import make_entry

from perfeval import xlsxrows
from perfeval.config import Config
from perfeval.summary import write_summary

ENTRIES = [make_entry(f"项目{i}", f"部门{i % 2}", total=f"{80 + i}.5", spending=[{"支出内容": "办公", "金额": "1",
                                                                             "说明": "A & <B>"}])
           for i in range(4)]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture
def plain(tmp_path, monkeypatch) -> dict[str, bytes]:
    """The summary of ENTRIES written cell by cell through XlsxWriter's public API."""
    with monkeypatch.context() as m:
        m.setattr(xlsxrows, "FAST_ROWS", False)
        return parts(write_summary(tmp_path / "plain.xlsx", ENTRIES, Config()))


def test_the_installed_xlsxwriter_is_a_tested_one():
    assert xlsxwriter.__version__ in xlsxrows.TESTED_VERSIONS and xlsxrows.FAST_ROWS


def test_an_untested_xlsxwriter_gets_no_fast_rows(monkeypatch):
    monkeypatch.setattr(xlsxwriter, "__version__", "4.0.0")
    assert xlsxrows._internals() is None


@pytest.mark.parametrize("where", ["apply", "row"])
def test_any_error_of_the_fast_rows_at_render_time_gives_the_plain_workbook(tmp_path, monkeypatch, plain, caplog,
                                                                              where):
    def fail(*args, **kwargs):
        raise RuntimeError("changed internals")

    if where == "apply":  # the splice, once XlsxWriter has closed the workbook
        monkeypatch.setattr(xlsxrows.Splices, "apply", fail)
    else:  # a cell's XML
        monkeypatch.setattr(xlsxrows.TableSheet, "_string", fail)
    with caplog.at_level(logging.WARNING, logger="perfeval"):
        path = write_summary(tmp_path / "summary.xlsx", ENTRIES, Config())
    assert parts(path) == plain
    assert "changed internals" in caplog.text
    assert {p.name for p in tmp_path.iterdir()} == {"plain.xlsx", "summary.xlsx"}  # no temporary file left


def test_the_fast_rows_give_the_plain_workbook(tmp_path, plain):
    assert parts(write_summary(tmp_path / "fast.xlsx", ENTRIES, Config())) == plain
