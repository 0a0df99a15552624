"""A cheap look at a file before any spreadsheet library parses it (see docs/security.md).

:func:`prescan` runs at the start of :func:`perfeval.reader.read_workbook`. It finds the file's real format from
its first bytes (not its extension) and refuses, with a problem that says what to do, what would make a parser
spend unbounded time or memory:

- zip containers (.xlsx, .xlsm, .ods): too many members, a total uncompressed size or a compression ratio past
  the limits (judged first from the central directory, then by inflating every member with a bounded budget, so
  that sizes that lie are caught), a ``<!DOCTYPE``/``<!ENTITY`` declaration in any XML part;
- sheets whose cells span a huge area: calamine allocates the full rectangle between a sheet's first and last
  cell (32 bytes a cell), so two cells at A1 and XFD1048576 ask for 512 GB and abort the process. The scan reads
  the cell positions from the sheet XML (xlsx), the row/column repeats (ods) or the BIFF cell records (xls);
- OLE2 containers: an encrypted OOXML package (streams ``EncryptionInfo``/``EncryptedPackage``), an .xls with a
  FILEPASS record, and Word or PowerPoint files.

On the way it picks up when the workbook says it was last saved (:attr:`Prescan.saved_at`), from the small part
that holds it: ``docProps/core.xml`` (xlsx), ``meta.xml`` (ods), the SummaryInformation stream (xls).

Nothing here executes or evaluates anything from the file; it only reads bytes.

The rooms: :mod:`.sniff` (the entry, the first bytes), :mod:`.zips` and :mod:`.inflate` (zip containers),
:mod:`.areas` (the cell area of sheet XML), :mod:`.ole` (OLE2 containers and BIFF), :mod:`.saved` (saved times),
:mod:`.outcome` (the result, kinds, refusals), :mod:`.limits`.
"""

from __future__ import annotations

from .limits import (MAX_BOOK_CELLS, MAX_FILE_BYTES, MAX_MEMBERS, MAX_RATIO, MAX_SHEET_CELLS, MAX_UNCOMPRESSED,
                     RATIO_MIN_BYTES)
from .ole import Cfb as _Cfb  # noqa: F401  (tests build .xls property streams with it)
from .outcome import EXTENSIONS, FORMAT_NAMES, KIND_DOCX, KIND_ODS, KIND_XLS, KIND_XLSX, Prescan
from .saved import parse_saved_time
from .sniff import prescan

__all__ = ["prescan", "Prescan", "parse_saved_time", "EXTENSIONS", "FORMAT_NAMES", "KIND_XLSX", "KIND_XLS",
           "KIND_ODS", "KIND_DOCX", "MAX_FILE_BYTES", "MAX_UNCOMPRESSED", "MAX_MEMBERS", "MAX_RATIO",
           "RATIO_MIN_BYTES", "MAX_SHEET_CELLS", "MAX_BOOK_CELLS"]
