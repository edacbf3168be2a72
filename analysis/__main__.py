"""``python -m analysis ...``: see analysis/cli/."""

import sys

from analysis.cli.main import main

sys.exit(main())
