"""Rows kept compressed: a file's indicator, spending and volume rows travel as :class:`Packed`.

A batch of ten thousand projects has ten thousand results of some ten kilobytes of rows each. So that memory does
not grow with the batch, the rows are kept as compressed JSON from the worker that made them to the manifest file,
which copies them in as they are.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from typing import Any


def dumps(value: Any) -> str:
    """Compact JSON, Chinese kept readable: the manifest's own spelling."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Packed(Sequence):
    """A list of rows (dicts of strings) kept as compressed JSON: read-only, decoded at each use (iterate it once).

    Equal to a list with the same rows; pickled as its compressed bytes; written into the manifest as it is.
    """

    __slots__ = ("_blob", "_len")

    def __init__(self, rows: Any = ()):
        rows = list(rows)
        self._blob = zlib.compress(dumps(rows).encode("utf-8"), 1)
        self._len = len(rows)

    @classmethod
    def of(cls, rows: Any) -> "Packed":
        return rows if isinstance(rows, Packed) else cls(rows)

    @classmethod
    def _from_blob(cls, blob: bytes, length: int) -> "Packed":
        packed = cls.__new__(cls)
        packed._blob, packed._len = blob, length
        return packed

    def __reduce__(self):
        return Packed._from_blob, (self._blob, self._len)

    def json(self) -> str:
        """The rows as compact JSON text."""
        return zlib.decompress(self._blob).decode("utf-8")

    def rows(self) -> list[dict[str, Any]]:
        return json.loads(self.json())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        return self.rows()[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, Packed):
            return self._blob == other._blob or self.rows() == other.rows()
        if isinstance(other, (list, tuple)):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"Packed({self.rows()!r})"
