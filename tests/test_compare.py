"""同比 (perfeval.frames.compare): two generated batches give exactly the matches, changes and lists computed here
independently; the manifest's compare block; last year's manifest unreadable or of another format."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from frames_data import entry, grade_of

from perfeval.frames import ManifestError, compare, compare_block, from_entries, load
from perfeval.manifest import MANIFEST_NAME

D = Decimal
GRADES = ("优", "良", "中", "差")

# key: (主管部门, 实施单位, 项目名称, 项目编码, 全年预算数, 全年执行数, 得分, status)
OLD = {
    "a": ("交通局", "公路站", "道路养护", None, "100", "80", "85", "ok"),
    "b": ("交通局", "公路站", "桥梁检测", None, "40.1", "40.1", "92.5", "ok"),  # renamed, no code: dropped + new
    "c": ("农业局", "农技站", "农技推广", "C-001", "0.3", "0.1", "70.123456789", "ok"),  # renamed, same code
    "d": ("农业局", "农技站", "种子补贴", None, "12.345678", "12", "59.995", "ok"),  # not reported this year
    "f": ("旧局", "办公室", "档案整理", None, "8", "7.5", "91", "ok"),  # department renamed, no code
    "g": ("旧局", "办公室", "信息化", "G-7", "20", "10", "75", "ok"),  # department renamed, same code
    "h": ("教育局", "一中", "办 公　楼（一期）", None, "0.1", "0.1", "100", "ok"),  # spaces and brackets only
    "i": ("教育局", "二中", "食堂改造", "X1", "5", "5", "88", "ok"),  # another code this year: never matched
    "j": ("教育局", "三中", "操场", None, "3", "1", "65", "has-errors"),  # a code this year only
    "k": ("卫健委", "疾控中心", "防疫", None, "50", "45", "90", "ok"),  # has errors this year
}
NEW = {
    "a": ("交通局", "公路站", "道路养护", None, "120", "119", "95.5", "ok"),
    "b": ("交通局", "公路站", "桥梁定期检测", None, "40.2", "30", "80", "ok"),
    "c": ("农业局", "农技站", "农业技术推广", "C-001", "0.2", "0.2", "90", "ok"),
    "e": ("交通局", "公路站", "路灯维护", None, "6", "6", "99", "ok"),  # new this year
    "f": ("新局", "办公室", "档案整理", None, "9", "9", "93", "ok"),
    "g": ("新局", "办公室", "信息化运维", "G-7", "20", "20", "59", "ok"),
    "h": ("教育局", "一中", "办公楼(一期)", None, "0.2", "0.1", "88.8", "ok"),
    "i": ("教育局", "二中", "食堂改造", "X2", "5", "4", "90", "ok"),
    "j": ("教育局", "三中", "操场", "J-1", "3", "3", "70", "ok"),
    "k": ("卫健委", "疾控中心", "防疫", None, "55", "50", "40", "has-errors"),
}
MATCHED = {"a": "名称", "c": "项目编码", "g": "项目编码", "h": "名称", "j": "名称", "k": "名称"}
NEW_ONLY, DROPPED = {"b", "e", "f", "i"}, {"b", "d", "f", "i"}


def entries(specs: dict, year: str) -> list[dict]:
    made = [entry(f"{year}/{key}.xlsx", year=year, department=dep, unit=unit, name=name, code=code, budget=budget,
                  spent=spent, score=score, status=status, problems=["错误"] if status == "has-errors" else [])
            for key, (dep, unit, name, code, budget, spent, score, status) in specs.items()]
    # never compared: a skipped file, and a superseded copy of project a
    made.append(entry(f"{year}/空白.xlsx", year=year, status="skipped"))
    dep, unit, name, code, budget, spent, score, _ = specs["a"]
    made.append(entry(f"{year}/a_旧.xlsx", year=year, department=dep, unit=unit, name=name, budget="1", spent="1",
                      score="1", status="superseded"))
    return sorted(made, key=lambda e: e["path"])


@pytest.fixture(scope="module")
def comparison():
    return compare(from_entries(entries(OLD, "2024")), from_entries(entries(NEW, "2025")))


def rate(spec) -> Decimal:
    return D(spec[5]) / D(spec[4])


def order(specs: dict, keys) -> list[str]:
    return sorted(keys, key=lambda k: (*specs[k][:3], k))


def test_matches_and_lists(comparison):
    got = comparison.projects
    assert list(zip(got["last_path"], got["path"], got["匹配方式"])) == [
        (f"2024/{k}.xlsx", f"2025/{k}.xlsx", MATCHED[k]) for k in order(NEW, MATCHED)]
    assert comparison.new["path"].tolist() == [f"2025/{k}.xlsx" for k in order(NEW, NEW_ONLY)]
    assert comparison.dropped["path"].tolist() == [f"2024/{k}.xlsx" for k in order(OLD, DROPPED)]
    assert (comparison.last_years, comparison.years) == (("2024",), ("2025",))
    renamed = got[got["path"] == "2025/c.xlsx"].iloc[0]
    assert (renamed["项目名称"], renamed["上年项目名称"], renamed["项目编码"]) == ("农业技术推广", "农技推广", "C-001")
    coded = got[got["path"] == "2025/j.xlsx"].iloc[0]
    assert (coded["项目编码"], coded["上年项目编码"]) == ("J-1", "")


def test_changes_per_project(comparison):
    for row in comparison.projects.to_dict("records"):
        key = row["path"][5:-5]
        old, new = OLD[key], NEW[key]
        assert row["上年全年预算数_分"] == int(D(old[4]) * 10**6) and row["本年全年执行数_分"] == int(D(new[5]) * 10**6)
        assert row["预算增减率"] == (D(new[4]) - D(old[4])) / D(old[4])
        assert (row["上年执行率"], row["本年执行率"]) == (rate(old), rate(new))
        assert row["执行率变动"] == (rate(new) - rate(old)) * 100
        assert (row["上年得分"], row["本年得分"], row["得分变动"]) == (D(old[6]), D(new[6]), D(new[6]) - D(old[6]))
        old_grade, new_grade = grade_of(D(old[6])), grade_of(D(new[6]))
        assert (row["上年等级"], row["本年等级"]) == (old_grade, new_grade)
        move = GRADES.index(old_grade) - GRADES.index(new_grade)
        assert row["等级变化"] == ("上升" if move > 0 else "下降" if move < 0 else "不变")
    by_path = comparison.projects.set_index("path")
    assert by_path.loc["2025/a.xlsx", "等级变化"] == "上升" and by_path.loc["2025/g.xlsx", "等级变化"] == "下降"
    assert by_path.loc["2025/h.xlsx", "预算增减率"] == 1  # 0.1 -> 0.2 万元: +100 %, exactly


def department_expectation(specs: dict) -> dict[str, dict]:
    result = {}
    for dep in {s[0] for s in specs.values()}:
        projects = [s for s in specs.values() if s[0] == dep]
        clean = [s for s in projects if s[7] == "ok"]
        budget = sum((D(s[4]) for s in clean), D(0))
        spent = sum((D(s[5]) for s in clean), D(0))
        scores = [D(s[6]) for s in clean]
        result[dep] = {"项目数": len(projects), "全年预算数合计_分": int(budget * 10**6),
                       "全年执行数合计_分": int(spent * 10**6), "执行率": spent / budget if budget else None,
                       "平均得分": sum(scores, D(0)) / len(scores) if scores else None,
                       **{g: sum(grade_of(s) == g for s in scores) for g in GRADES}}
    return result


def test_changes_per_department(comparison):
    old, new = department_expectation(OLD), department_expectation(NEW)
    got = comparison.departments
    assert got["主管部门"].tolist() == sorted(set(old) | set(new))  # 旧局 last year only, 新局 this year only
    empty = {"项目数": 0, "全年预算数合计_分": 0, "全年执行数合计_分": 0, "执行率": None, "平均得分": None,
             **{g: 0 for g in GRADES}}
    for row in got.to_dict("records"):
        last, this = old.get(row["主管部门"], empty), new.get(row["主管部门"], empty)
        for key in last:
            assert (row["上年" + key], row["本年" + key]) == (last[key], this[key]), (row["主管部门"], key)
        assert row["项目数增减"] == this["项目数"] - last["项目数"]
        for key, change in (("全年预算数合计_分", "预算增减率"), ("全年执行数合计_分", "执行增减率")):
            expected = (D(this[key]) - last[key]) / last[key] if last[key] else None
            assert row[change] == expected, (row["主管部门"], change)
        both = None if last["执行率"] is None or this["执行率"] is None else (this["执行率"] - last["执行率"]) * 100
        assert row["执行率变动"] == both
        mean = None if last["平均得分"] is None or this["平均得分"] is None else this["平均得分"] - last["平均得分"]
        assert row["平均得分变动"] == mean
        assert all(row[f"{g}增减"] == this[g] - last[g] for g in GRADES)
        assert row["两年均有项目数"] == sum(NEW[k][0] == row["主管部门"] for k in MATCHED)
    renamed = got.set_index("主管部门")
    assert renamed.loc["旧局", "本年项目数"] == 0 and renamed.loc["新局", "上年项目数"] == 0
    assert renamed.loc["卫健委", "本年平均得分"] is None  # its only project has errors this year


def test_the_manifest_block(comparison, tmp_path):
    old = from_entries(entries(OLD, "2024"), {"format": 1, "version": "0.1.0", "output": "/srv/2024/output"})
    block = compare_block(compare(old, from_entries(entries(NEW, "2025"))))
    assert block["last_output"] == "/srv/2024/output" and block["last_version"] == "0.1.0"
    assert block["counts"] == {"matched": 6, "by_code": 2, "by_name": 4, "new": 4, "dropped": 4}
    assert block["new"] == [f"2025/{k}.xlsx" for k in order(NEW, NEW_ONLY)]
    assert block["dropped"] == [f"2024/{k}.xlsx" for k in order(OLD, DROPPED)]
    assert {"path": "2025/c.xlsx", "last_path": "2024/c.xlsx", "matched_by": "项目编码"} in block["matched"]
    import json

    assert json.loads(json.dumps(block, ensure_ascii=False)) == block  # JSON-able as it is


def test_two_projects_of_the_same_names_pair_one_to_one():
    def batch(year, codes):
        return from_entries([entry(f"{year}/{n}.xlsx", year=year, code=c) for n, c in enumerate(codes)])

    result = compare(batch("2024", [None, None, "A"]), batch("2025", ["A", None, None, "B"]))
    pairs = sorted(zip(result.projects["last_path"], result.projects["path"], result.projects["匹配方式"]))
    assert pairs == [("2024/0.xlsx", "2025/1.xlsx", "名称"), ("2024/1.xlsx", "2025/2.xlsx", "名称"),
                     ("2024/2.xlsx", "2025/0.xlsx", "项目编码")]
    assert result.new["path"].tolist() == ["2025/3.xlsx"] and len(result.dropped) == 0


def test_only_spaces_and_bracket_widths_are_normalised():
    from perfeval.frames.matching import normalise

    assert normalise("办 公\u3000楼\u00a0（一期）\t") == normalise("办公楼(一期)") == "办公楼(一期)"
    assert normalise("［甲］｛乙｝【丙】") == "[甲]{乙}[丙]"
    assert normalise("一期") != normalise("1期") and normalise("ＡＢ") != normalise("AB")  # widths of letters kept


def test_last_years_manifest_unreadable_or_older(tmp_path):
    with pytest.raises(ManifestError, match="找不到"):
        load(tmp_path / "去年")
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"format": 0, "tool": "perfeval", "files": [entry("a.xlsx")]},
                                                     ensure_ascii=False, default=list), encoding="utf-8")
    with pytest.raises(ManifestError, match="格式为 0"):
        load(tmp_path)
    (tmp_path / MANIFEST_NAME).write_bytes(b"\x00\x01garbage")
    with pytest.raises(ManifestError, match="无法读取"):
        load(tmp_path)
