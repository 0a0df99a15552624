"""How much the pre-scan lets a parser take: file size, zip members and sizes, cell areas."""

from __future__ import annotations

MAX_FILE_BYTES = 100 * 2**20  # a filled template is well under 1 MB
MAX_UNCOMPRESSED = 200 * 2**20  # all members of a zip together, inflated
MAX_MEMBERS = 2000  # members of a zip; a workbook has a few dozen
MAX_RATIO = 200  # compression ratio allowed for a member ...
RATIO_MIN_BYTES = 10 * 2**20  # ... once it inflates to more than this
MAX_SHEET_CELLS = 2_000_000  # area (rows x columns) between a sheet's first and last cell
MAX_BOOK_CELLS = 4_000_000  # the same, all sheets together, for formats read whole at opening (xls, ods)
CHUNK = 2**20
