"""perfeval — 项目支出绩效自评 (fiscal project performance self-evaluation) in batch.

The package is a library: nothing in it prints or exits except :mod:`perfeval.cli`.
"""

__version__ = "0.2.0"
