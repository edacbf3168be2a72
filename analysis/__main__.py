"""``python -m analysis ...``: see analysis/cli.py."""

import sys

from analysis.cli.main import main

sys.exit(main())
