"""The bureau's spot check (抽查复核, review.md): draw a sample of a finished batch, hand reviewers a worksheet
(复核底稿), collect it and compare.

- :mod:`.model` — the drawable projects and their rows, as the sample and the worksheet need them;
- :mod:`.source` — the one adapter from a batch's manifest to drawable projects;
- :mod:`.sampling` — the stratified, reproducible draw (pure);
- :mod:`.layout` — the worksheet's columns, shared by the writer and the collector;
- :mod:`.worksheet` — writes 复核底稿.xlsx;
- :mod:`.collect` — reads a filled worksheet back, with its problems;
- :mod:`.compare` — review against rule, per project and per 主管部门 (pure);
- :mod:`.result` — writes 复核结果.xlsx.

Nothing here prints or exits; :mod:`perfeval.cli` does.
"""


class ReviewError(Exception):
    """The spot check cannot be carried out as asked (a bad count, a manifest of another format, a file that is
    not a 复核底稿); the message says why, in Chinese."""
