"""The batch's results as pandas DataFrames, for the summary and for analysts (docs/frames.md).

``load(OUTPUT)`` reads a finished batch's manifest; ``from_entries(entries)`` builds the same frames from the
entries in hand; ``compare(old, new)`` sets last year's batch beside this year's (同比).

This package imports pandas: nothing on the path of ``perfeval check`` imports it.
"""

from .build import Frames, ManifestError, from_entries, load
from .compare import Comparison, compare, compare_block
from .columns import WAN, YI, from_fen, to_fen
from .departments import department_figures

__all__ = ["Comparison", "Frames", "ManifestError", "WAN", "YI", "compare", "compare_block", "department_figures",
           "from_entries", "from_fen", "load", "to_fen"]
