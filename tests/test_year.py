"""评价年度 written 2025, 2025年 or 2025年度 is one year everywhere: folder names, 部门汇总 groups, the same-project key."""

from __future__ import annotations

import openpyxl

from helpers import by_name, project_data, run, write_inputs
from perfeval.summary import SUMMARY_NAME


def test_one_year_however_it_is_written(tmp_path):
    inputs = write_inputs(tmp_path / "in", {
        "a_道路养护.xlsx": project_data("道路养护", "公路站", "交通局", year="2025年"),
        "b_道路养护_重报.xlsx": project_data("道路养护", "公路站", "交通局", year="2025"),
        "c_村道硬化.xlsx": project_data("村道硬化", "乡村办", "交通局", year="2025年度"),
    })
    output = tmp_path / "out"
    result = run(inputs, output)
    entries = by_name(output)
    # the resubmission is the same project: one of the two is superseded by the other
    statuses = sorted(entries[name]["status"] for name in ("a_道路养护.xlsx", "b_道路养护_重报.xlsx"))
    assert statuses == ["ok", "superseded"] and result.counts["superseded"] == 1
    assert {e["评价年度"] for e in entries.values()} == {"2025"}
    assert sorted(e["folder"] for e in entries.values() if e["folder"]) == ["2025_乡村办_村道硬化", "2025_公路站_道路养护"]
    assert sorted(p.name for p in output.iterdir() if p.is_dir()) == ["2025_乡村办_村道硬化", "2025_公路站_道路养护"]
    departments = list(openpyxl.load_workbook(output / SUMMARY_NAME)["部门汇总"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2]) for row in departments] == [("2025", "交通局", 2)]
