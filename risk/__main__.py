"""Entry point for ``python -m risk``."""

import sys

from risk.cli import main

sys.exit(main())
