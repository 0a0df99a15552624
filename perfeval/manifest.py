"""The batch's manifest (``manifest.json``): what a run read, what it found, and what it wrote.

The manifest is self-sufficient: later steps (the summary, the e-mail command, the next run) need nothing else.
It is also the cache of the next run: an entry holds everything the summary needs (figures at full precision,
indicator rows, spending lines, volumes), so a file whose bytes, configuration digest and tool version are
unchanged is not read again.

This module holds the run's own facts (:class:`Manifest`) and the file's layout: a key on a line, and under
``files`` an entry on a line (:class:`perfeval.results.ManifestEntry`, whose ``to_json``/``from_json`` know an
entry's keys), written and read one entry at a time, its packed rows copied in as they are, so that memory does not
grow with the batch. The format is documented in README.md ("Output layout").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .fileio import atomic_path
from .packed import Packed, dumps
from .results import ManifestEntry, count_statuses, sign_from_json
from .signs import Sign

MANIFEST_NAME = "manifest.json"
FORMAT = 2  # raised when an entry's layout changes; a manifest of another format is never reused
# The formats whose entries ManifestEntry.from_json reads (every key added since has its default): 1 has no warning
# signs (``flags``), no 指标性质 or 自评得分 per indicator and no execution weight or score — read by the mail and
# the comparison with last year (perfeval.frames.load), refused by the spot check, never reused by a run. A format
# left out here is refused, never misread.
READABLE_FORMATS = (1, 2)


@dataclass(frozen=True)
class Manifest:
    """A run's manifest: the run's own facts and an entry per input file (in the order of their paths)."""

    entries: list[ManifestEntry]
    version: str = __version__
    config_digest: str = ""
    config_source: str = ""
    started: str = ""
    finished: str = ""
    working_folder: str = ""
    inputs: tuple[str, ...] = ()
    output: str = ""
    summary: str = ""  # the summary workbook's file name
    log: str = ""  # the log's file name
    flags: tuple[Sign, ...] = ()  # the batch-level warning signs (signs.batch_signs), recomputed on every run
    format: int = FORMAT  # the format it was written in (an earlier one when read from an older manifest)
    targets_digest: str = ""  # the targets lists' contents ([run] targets, --targets), "" without any
    compare: dict[str, Any] | None = None  # 同比: the comparison with last year's batch (frames.compare_block)

    def head_json(self) -> dict[str, Any]:
        """Every key but ``files``, in the order they are written."""
        return {"format": FORMAT, "tool": "perfeval", "version": self.version, "config_digest": self.config_digest,
                "config_source": self.config_source, "started": self.started, "finished": self.finished,
                "working_folder": self.working_folder, "inputs": list(self.inputs), "output": self.output,
                "summary": self.summary, "log": self.log, "counts": count_statuses(self.entries),
                "reused": sum(1 for e in self.entries if e.reused), "flags": [s.to_dict() for s in self.flags],
                "targets_digest": self.targets_digest, **({"compare": self.compare} if self.compare is not None else {})}

    @classmethod
    def from_json(cls, data: dict[str, Any], entries: list[ManifestEntry]) -> Manifest:
        return cls(entries, data.get("version", ""), data.get("config_digest", ""), data.get("config_source", ""),
                   data.get("started", ""), data.get("finished", ""), data.get("working_folder", ""),
                   tuple(data.get("inputs", ())), data.get("output", ""), data.get("summary", ""),
                   data.get("log", ""), tuple(sign_from_json(s) for s in data.get("flags") or ()),
                   data.get("format", FORMAT), data.get("targets_digest", ""), data.get("compare"))


# ---- writing ------------------------------------------------------------------------------------------------

def _entry_line(entry: ManifestEntry) -> str:
    """One entry as compact JSON on one line, its packed rows copied in as they are."""
    raw = entry.to_json()
    data = raw["data"]
    rows = {key: value for key, value in data.items() if isinstance(value, Packed)}
    marks = {key: f"\x00{key}\x00" for key in rows}
    text = dumps(raw | {"data": data | marks})
    for key, value in rows.items():
        text = text.replace(dumps(marks[key]), value.json(), 1)
    return text


def write_manifest(path: Path, manifest: Manifest) -> Path:
    """Write the manifest atomically (UTF-8, Chinese kept readable): a key on a line, and under ``files`` an entry
    on a line, written one at a time."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        for key, value in manifest.head_json().items():
            fh.write(f" {dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        fh.write(f" {dumps('files')}: [")
        for i, entry in enumerate(manifest.entries):
            fh.write(("\n  " if i == 0 else ",\n  ") + _entry_line(entry))
        fh.write("\n ]\n" if manifest.entries else "]\n")
        fh.write("}\n")
    return path


# ---- reading ------------------------------------------------------------------------------------------------

def _read_lines(path: Path, entry: Callable[[Any], ManifestEntry]) -> tuple[dict[str, Any], list] | None:
    """The manifest as :func:`write_manifest` writes it, read an entry at a time (each made an entry as it is
    read); None for another layout."""
    head: list[str] = []
    files: list[ManifestEntry] = []
    with open(path, encoding="utf-8", newline="\n") as fh:
        for line in fh:
            if line.startswith(' "files": ['):
                break
            head.append(line)
        else:
            return None
        if line.rstrip() != ' "files": [':
            return None
        for line in fh:
            if line.startswith(" ]"):
                break
            files.append(entry(json.loads(line.rstrip().removesuffix(","))))
        else:
            return None
        tail = line.strip()[1:] + fh.read()
    return json.loads("".join(head) + ' "files": []' + tail), files


def _read_whole(path: Path, entry: Callable[[Any], ManifestEntry], formats: tuple[int, ...]
                ) -> tuple[dict[str, Any], list] | None:
    """A manifest of another layout (an earlier version's, edited by hand), read whole."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") not in formats or not isinstance(data.get("files"), list):
        return None
    return data, [entry(e) for e in data["files"]]


def load_manifest(folder: Path, formats: tuple[int, ...] = READABLE_FORMATS) -> Manifest | None:
    """The manifest of an earlier run in ``folder``; None when there is none, or it is unreadable or of a format
    not in ``formats`` (by default every format this version reads, :data:`READABLE_FORMATS`; a run reuses only
    its own, see :attr:`Manifest.format`). The rows of each entry are :class:`Packed`."""
    path = Path(folder) / MANIFEST_NAME
    try:
        try:
            read = _read_lines(path, ManifestEntry.from_json)
        except (ValueError, KeyError, TypeError, AttributeError):
            read = None
        if read is None:
            read = _read_whole(path, ManifestEntry.from_json, formats)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if read is None or read[0].get("format") not in formats:
        return None
    return Manifest.from_json(*read)
