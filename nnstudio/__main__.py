"""`python -m nnstudio [project.nnstudio]` starts the desktop app, like main.py."""

import sys

from nnstudio.gui.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
