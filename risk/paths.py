"""Where the bundled data and the default database live, resolved from the package.

Constants only: choosing among them (``--db``, ``RISK_DB``...) is ``risk.settings``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "risk.duckdb"
METHODOLOGY_FILE = DATA_DIR / "methodology.toml"
DEFAULT_EXPORTS = PROJECT_ROOT / "exports"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
