"""The run's files as the mailer reads them: ``OUTPUT/manifest.json`` as its typed entries
(:class:`perfeval.results.ManifestEntry`); the mailer reads their attributes, never the manifest's keys."""

from __future__ import annotations

from pathlib import Path

from ..results import ManifestEntry
from .errors import MailError


def read_manifest(output: Path) -> list[ManifestEntry]:
    """The entries of ``OUTPUT/manifest.json``, in the manifest's order; :class:`MailError` when there is none or
    it cannot be read."""
    from ..manifest import MANIFEST_NAME, load_manifest

    path = output / MANIFEST_NAME
    if not path.is_file():
        raise MailError(f"找不到 {path}：请先运行 perfeval run 生成结果，再发送邮件")
    manifest = load_manifest(output)
    if manifest is None:
        raise MailError(f"无法读取 {path}（文件损坏，或由另一版本的 perfeval 生成）：请重新运行 perfeval run")
    return list(manifest.entries)
