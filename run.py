"""Run the year-end batch with its defaults: input_templates/examples/ -> output/.

`python run.py` is `perfeval run` from the project's folder; extra arguments are passed on
(e.g. `python run.py my_folder -o results`).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from perfeval.cli import main  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) == 1:
        os.chdir(HERE)  # the defaults are relative to the project's folder
    sys.exit(main(["run", *sys.argv[1:]]))
