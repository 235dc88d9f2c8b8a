"""Start NN Studio: `python main.py [project.nnstudio | model.nnzip]` (what a double-click on either runs)."""

import sys

from nnstudio.gui.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
