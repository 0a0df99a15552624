"""Finding the inputs: files, and folders searched recursively; each file hashed, and told whether it is read."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..results import STATUS_SKIPPED, STATUS_UNREADABLE, SourceFacts

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DOCUMENT_SUFFIXES = (".docx",)  # official 自评表 filled in Word


@dataclass
class SourceFile:
    """One input file as found."""

    path: Path  # absolute
    name: str  # as shown to people: relative to the folder it was found in, or the file's name
    shown_path: str  # relative to the working folder when inside it, else absolute (posix)
    spreadsheet: bool
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    error: str = ""  # why the file could not be opened (permissions …)

    def facts(self) -> SourceFacts:
        """What the manifest records of the file."""
        modified = datetime.fromtimestamp(self.mtime_ns / 1e9).astimezone().isoformat(timespec="seconds")
        return SourceFacts(self.shown_path, self.path.as_posix(), self.sha256, self.size, modified)


def shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _ignored(name: str) -> bool:
    """Spreadsheet lock files (~$x.xlsx) and hidden files are not inputs."""
    return name.startswith(("~$", "."))


def discover(inputs: list[Path], exclude: Path | None = None) -> list[SourceFile]:
    """The input files, each once, ordered by path; folders are searched recursively (hidden folders and
    ``exclude``, the output folder, are not). Other files than spreadsheets are kept, to be listed as skipped."""
    exclude = exclude.resolve() if exclude else None
    found: dict[Path, SourceFile] = {}

    def add(path: Path, name: str) -> None:
        path = path.resolve()
        if path not in found:
            found[path] = SourceFile(path, name, shown(path), path.suffix.lower() in SPREADSHEET_SUFFIXES)

    for item in inputs:
        item = Path(item)
        if item.is_file():
            if not _ignored(item.name):
                add(item, item.name)
            continue
        root = item.resolve()
        if exclude and root.is_relative_to(exclude):
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d) != exclude)
            for file in sorted(files):
                if not _ignored(file):
                    add(here / file, (here / file).relative_to(root).as_posix())
    files = sorted(found.values(), key=lambda f: f.shown_path)
    for f in files:
        try:
            stat = f.path.stat()
            f.size, f.mtime_ns = stat.st_size, stat.st_mtime_ns
            with open(f.path, "rb") as fh:
                f.sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            f.error = exc.strerror or type(exc).__name__
    return files


def not_evaluated(f: SourceFile, documents: bool = False) -> tuple[str, str, str, str] | None:
    """(status, problem code, short reason, message) of a found file that is not read as a workbook: one that
    cannot be opened, or is not a spreadsheet. None for a spreadsheet, to be read; with ``documents``, a Word
    document (official 自评表 in Word, read by ``check`` and ``run``) is read too."""
    if f.error:
        return (STATUS_UNREADABLE, "file-unreadable", f.error,
                f"无法打开文件（{f.error}）。请检查文件的访问权限后重新运行。")
    if not f.spreadsheet and not (documents and f.path.suffix.lower() in DOCUMENT_SUFFIXES):
        return (STATUS_SKIPPED, "file-skipped", "不是电子表格",
                f"不是电子表格文件（{f.path.suffix or '无扩展名'}），已跳过。只处理 .xlsx、.xlsm、.xls、.ods 格式的填报表"
                + ("和 .docx 格式的自评表。" if documents else "。"))
    return None
