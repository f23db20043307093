"""Touchpoint command line: ``python run.py --help``."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
