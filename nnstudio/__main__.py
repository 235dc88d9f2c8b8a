"""`python -m nnstudio [project.nnstudio | model.nnzip]` starts the desktop app; `python -m nnstudio train ...` the CLI."""

import sys

from nnstudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
