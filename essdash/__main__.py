"""``python -m essdash …``: the command line, built in ``essdash/cli``."""

import sys

from essdash.cli import main

if __name__ == "__main__":
    sys.exit(main())
