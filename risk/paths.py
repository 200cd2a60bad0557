"""Where the bundled data and the default database live, resolved from the package."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "risk.duckdb"
METHODOLOGY_FILE = DATA_DIR / "methodology.toml"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database to use: an explicit path, else ``RISK_DB``, else ``data/risk.duckdb``."""
    chosen = explicit or os.environ.get("RISK_DB") or DEFAULT_DB
    return Path(chosen).expanduser()


def methodology_path() -> Path:
    """The methodology in force: ``RISK_METHODOLOGY`` if set, else the bundled file."""
    chosen = os.environ.get("RISK_METHODOLOGY")
    return Path(chosen).expanduser() if chosen else METHODOLOGY_FILE
