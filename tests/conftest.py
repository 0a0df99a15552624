"""Fixtures several test modules share (their helpers are in helpers.py and builders.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import CLEAN, WITH_ERROR, write_inputs


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Every generated workbook, written once; tests copy what they need."""
    folder = tmp_path_factory.mktemp("generated")
    write_inputs(folder, CLEAN | WITH_ERROR)
    return folder
