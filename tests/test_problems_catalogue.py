"""docs/checks.md documents exactly the codes of the catalogue, each with its severity and title."""

import re
from pathlib import Path

from perfeval.problems import CATALOGUE, SEVERITIES

DOC = Path(__file__).resolve().parents[1] / "docs" / "checks.md"
ROW = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$")


def documented() -> dict[str, tuple[str, str]]:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return {m[1]: (m[2], m[3]) for m in rows if m}


def test_every_code_is_documented_with_its_severity_and_title():
    assert documented() == CATALOGUE


def test_codes_are_kebab_case_with_a_known_severity():
    for code, (severity, title) in CATALOGUE.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", code), code
        assert severity in SEVERITIES and title, code

