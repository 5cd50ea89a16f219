"""python -m crossbar_py: the crossbar-py command."""

import sys

from crossbar_py.cli import main

sys.exit(main())
