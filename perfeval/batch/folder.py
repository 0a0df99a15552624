"""The output folder: the run's own file names in it, safe paths inside it, and what an interrupted run left."""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..manifest import MANIFEST_NAME, Manifest
from ..summary import SUMMARY_NAME

LOG_NAME = "perfeval.log"
LOCK_NAME = ".perfeval.lock"
STAGING_NAME = ".perfeval-staging"
RESERVED_NAMES = (SUMMARY_NAME, MANIFEST_NAME, LOG_NAME, LOCK_NAME, STAGING_NAME)

_TMP_LEFTOVER = re.compile(r"^\..+\.\d+\.tmp(\.[^.]*)?$")  # fileio.atomic_path's temporary names


def inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it stays inside ``root`` (a manifest is data, never trusted with ``..``)."""
    base = _resolved(str(root), os.getcwd())  # asked for every output of every project: root resolved once
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) and path != base else None


@functools.lru_cache(maxsize=8)
def _resolved(root: str, cwd: str) -> Path:
    return (Path(cwd) / root).resolve()


def outputs_exist(output: Path, outputs: Mapping[str, str]) -> bool:
    return all((p := inside(output, rel)) is not None and p.is_file() for rel in outputs.values())


def clean_leftovers(output: Path, previous: Manifest | None) -> None:
    """Remove what an interrupted or killed run may have left: its staging folder and temporary files."""
    shutil.rmtree(output / STAGING_NAME, ignore_errors=True)
    entries = previous.entries if previous else []
    folders = [output] + [inside(output, e.folder) for e in entries if e.folder]
    for folder in folders:
        if folder is not None and folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() and _TMP_LEFTOVER.match(path.name):
                    path.unlink(missing_ok=True)
