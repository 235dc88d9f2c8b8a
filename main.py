"""Start NN Studio: `python main.py [project.nnstudio]`."""

import sys

from nnstudio.gui.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
