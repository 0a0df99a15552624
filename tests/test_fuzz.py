"""Fuzzing: a valid workbook mutated many times (cells, types, XML, the zip's bytes; also as .xls and .ods).

Every mutant must end with problems or results — :func:`perfeval.pipeline.evaluate` never raises — and in a batch
beside good workbooks the good ones come out right. The evaluations run in a child process, so that a crash in
the native reader (an abort is not an exception) fails this test with the mutant's name instead of killing pytest.
The random seed is fixed: a failure names a mutant that the same seed makes again.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import hostile_files as h
from perfeval.batch import run_batch
from perfeval.config import Config
from perfeval.manifest import MANIFEST_NAME

SEED = 20250601
MUTANTS = 150
TEMPLATE_SHEETS = ("填表说明", "基本信息", "评价工作组", "资金情况", "支出明细", "绩效指标", "业务量")

ODD_VALUES = ["", " ", "0", "-1", "1e308", "-0", "NaN", "inf", "99999999999999999999999", "３２．９", "32.9万元", "(12)",
              "1,234.5", "≥95%", "≤", "100%%", "=1+1", "@SUM(A1)", "+cmd", "-1+1", "提升", "达成", "合计", "组长",
              "当年财政拨款", "产出指标", "模板版本：9.0", "模板版本：1.0", "项目", "内容", "\u202e反向", "😀", "A" * 5000,
              "一\n二\r\n三", 0, -5, 1e300, 3.14159, True, False, 10**15]


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mutate_cells(rng: random.Random, data: bytes) -> bytes:
    book = _load(data)
    for _ in range(rng.randint(1, 6)):
        ws = rng.choice(book.worksheets)
        row, col = rng.randint(1, ws.max_row + 3), rng.randint(1, ws.max_column + 2)
        value = rng.choice(ODD_VALUES)
        ws.cell(row, col).value = value
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row, col).data_type = rng.choice(["s", "f"])
    return _save(book)


def mutate_structure(rng: random.Random, data: bytes) -> bytes:
    book = _load(data)
    ws = rng.choice(book.worksheets)
    action = rng.randrange(7)
    if action == 0 and len(book.worksheets) > 1:
        book.remove(ws)
    elif action == 1:
        ws.title = rng.choice([f"{ws.title}(1)", f" {ws.title} ", f"{ws.title}表", ws.title[:-1] or "x", "Sheet9"])
    elif action == 2:
        ws.insert_rows(rng.randint(1, ws.max_row + 1), rng.randint(1, 3))
    elif action == 3:
        ws.delete_rows(rng.randint(1, ws.max_row), rng.randint(1, 3))
    elif action == 4:
        r, c = rng.randint(1, ws.max_row), rng.randint(1, ws.max_column)
        ws.merge_cells(start_row=r, start_column=c, end_row=r + rng.randint(0, 4), end_column=c + rng.randint(0, 2))
    elif action == 5:
        ws.sheet_state = "hidden"
    else:
        book.move_sheet(ws, rng.randint(-3, 3))
    return _save(book)


def _edit_member(rng: random.Random, data: bytes, pick, edit) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if pick(n)]
        target = rng.choice(names)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zf.infolist():
                content = zf.read(info.filename)
                zout.writestr(info.filename, edit(content) if info.filename == target else content)
    return out.getvalue()


def mutate_types(rng: random.Random, data: bytes) -> bytes:
    """Cell types, values and references rewritten in a worksheet's XML."""

    def edit(xml: bytes) -> bytes:
        def types(m):
            return b't="' + rng.choice([b"s", b"n", b"b", b"e", b"str", b"inlineStr", b"d", b"zz"]) + b'"'

        def values(m):
            return b"<v>" + rng.choice([b"abc", b"1e999", b"-", b"NaN", b"99999", b"", b"2025-13-45", b"1", b"-1"]) + b"</v>"

        def refs(m):
            col = rng.choice([b"A", b"B", b"Z", b"AA", b"XFD", b"a", b"", b"ZZZZ"])
            row = rng.choice([b"1", b"2", b"0", b"5000", b"5001", b"1048576", b"99999999", b""])
            return b'r="' + col + row + b'"'
        kind = rng.randrange(3)
        if kind == 0:
            xml = re.sub(rb'<c r="[A-Z]+\d+"', lambda m: m[0] + b' t="x"', xml, count=0) if rng.random() < 0.2 else xml
            return re.sub(rb't="\w+"', lambda m: types(m) if rng.random() < 0.3 else m[0], xml)
        if kind == 1:
            xml = re.sub(rb"<is><t>[^<]*</t></is>", lambda m: values(m) if rng.random() < 0.3 else m[0], xml)
            return re.sub(rb"<v>[^<]*</v>", lambda m: values(m) if rng.random() < 0.5 else m[0], xml)
        return re.sub(rb'r="[A-Z]+\d+"', lambda m: refs(m) if rng.random() < 0.1 else m[0], xml)
    return _edit_member(rng, data, lambda n: n.startswith("xl/worksheets/"), edit)


def mutate_xml_span(rng: random.Random, data: bytes) -> bytes:
    """A span of any XML part deleted, duplicated or replaced by junk; the zip itself stays valid."""

    def edit(xml: bytes) -> bytes:
        if not xml:
            return xml
        a = rng.randrange(len(xml))
        b = min(len(xml), a + rng.randint(1, 200))
        choice = rng.randrange(3)
        if choice == 0:
            return xml[:a] + xml[b:]
        if choice == 1:
            return xml[:b] + xml[a:b] * rng.randint(1, 50) + xml[b:]
        return xml[:a] + rng.choice([b"<", b">", b"&", b"<x>", b"</row>", b"<c r=\"B2\"><v>1</v></c>", b"\x00",
                                     "中".encode(), b"\xff\xfe"]) + xml[a:]
    return _edit_member(rng, data, lambda n: n.endswith((".xml", ".rels")), edit)


def mutate_members(rng: random.Random, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        drop = rng.choice(names)
        rename = rng.choice(names)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                if name == drop:
                    continue
                target = name.upper() if name == rename and rng.random() < 0.5 else name
                zout.writestr(target, zf.read(name))
    return out.getvalue()


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        pos = rng.randrange(len(data))
        data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        a = rng.randrange(len(data))
        data[a:a + rng.randint(1, 512)] = b""
    return bytes(data)


# (mutator, how many, base format)
PLAN = [(mutate_cells, 30, ".xlsx"), (mutate_structure, 15, ".xlsx"), (mutate_types, 25, ".xlsx"),
        (mutate_xml_span, 20, ".xlsx"), (mutate_members, 8, ".xlsx"), (mutate_bytes, 22, ".xlsx"),
        (mutate_bytes, 15, ".xls"), (mutate_xml_span, 10, ".ods"), (mutate_bytes, 5, ".ods")]
assert sum(n for _, n, _ in PLAN) == MUTANTS

CHILD = r"""
import json, sys, traceback
from pathlib import Path
from perfeval.config import Config
from perfeval.pipeline import evaluate
config = Config()
for line in sys.stdin:
    path = Path(line.strip())
    print(json.dumps({"start": path.name}), flush=True)
    try:
        ev = evaluate(path, config)
        record = {"file": path.name, "status": ev.status, "codes": [p.code for p in ev.problems],
                  "scored": ev.card is not None}
    except BaseException as exc:
        record = {"file": path.name, "error": traceback.format_exc()}
    print(json.dumps(record, ensure_ascii=False), flush=True)
"""


@pytest.fixture(scope="module")
def mutants(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("fuzz")
    base = h.good(root / "base.xlsx", merge=True)
    bases = {".xlsx": base.read_bytes(), ".xls": h.to_xls(base, root / "base.xls").read_bytes(),
             ".ods": h.to_ods(base, root / "base.ods").read_bytes()}
    rng = random.Random(SEED)
    folder = root / "mutants"
    folder.mkdir()
    paths = []
    for mutator, count, suffix in PLAN:
        for i in range(count):
            try:
                data = mutator(rng, bases[suffix])
            except Exception:  # openpyxl refused the mutation (e.g. a merge over a merge): keep the base
                data = bases[suffix]
            path = folder / f"{mutator.__name__}_{i:03d}{suffix}"
            path.write_bytes(data)
            paths.append(path)
    return paths


def test_every_mutant_ends_with_problems_or_results(mutants):
    run = subprocess.run([sys.executable, "-c", CHILD], input="\n".join(map(str, mutants)), capture_output=True,
                         text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    started = [x["start"] for x in lines if "start" in x]
    results = [x for x in lines if "file" in x]
    assert run.returncode == 0, f"the reader crashed on {started[-1] if started else '?'}: {run.stderr[-2000:]}"
    assert len(results) == len(mutants)
    errors = [f"{x['file']}:\n{x['error']}" for x in results if "error" in x]
    assert errors == [], errors[0] if errors else ""
    for x in results:
        assert x["codes"] or x["scored"], x  # problems, or a score card
        assert x["status"] in ("ok", "has-errors", "unreadable", "skipped")
    # the mutations reach past the file checks: many mutants are read and scored, many are refused
    assert sum(x["scored"] for x in results) > 40 and sum(x["status"] == "unreadable" for x in results) > 20


def test_a_batch_of_mutants_leaves_the_good_workbooks_right(mutants, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in mutants[::3]:
        (inputs / path.name).write_bytes(path.read_bytes())
    for name in ("好甲", "好乙"):
        h.good(inputs / f"{name}.xlsx", f"公共资源交易中心运转经费{name}")
    result = run_batch([inputs], tmp_path / "out", Config(), workers=2)
    entries = {Path(e["path"]).name: e for e in json.loads((tmp_path / "out" / MANIFEST_NAME).read_text("utf-8"))["files"]}
    assert len(entries) == len(mutants[::3]) + 2 == len(result.entries)
    for name in ("好甲.xlsx", "好乙.xlsx"):
        e = entries[name]
        assert e["status"] == "ok" and e["problems"] == []
        assert e["data"]["figures"]["得分"] and set(e["outputs"]) == {"table", "report_docx", "report_md"}
        for rel in e["outputs"].values():
            assert (tmp_path / "out" / rel).stat().st_size > 0
    died = [n for n, e in entries.items() if any("异常退出" in p["message"] for p in e["problems"])]
    assert died == []  # no worker crashed
