"""One settings handle: the database file and the methodology in force, resolved once.

Each entry point (a CLI command, a dashboard rerun, a scheduled run) calls
``Settings.resolve`` and passes ``db_path`` and ``methodology`` down; no library function
looks either up by itself, so one action never mixes two methodology versions and tests pass
what they want instead of patching globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from risk.methodology import Methodology
from risk.methodology import load as load_methodology
from risk.paths import DEFAULT_DB, DEFAULT_EXPORTS, METHODOLOGY_FILE


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database to use: an explicit path, else ``RISK_DB``, else ``data/risk.duckdb``."""
    chosen = explicit or os.environ.get("RISK_DB") or DEFAULT_DB
    return Path(chosen).expanduser()


def methodology_path() -> Path:
    """The methodology in force: ``RISK_METHODOLOGY`` if set, else the bundled file."""
    chosen = os.environ.get("RISK_METHODOLOGY")
    return Path(chosen).expanduser() if chosen else METHODOLOGY_FILE


def exports_dir() -> Path:
    """The one folder of bundles the dashboard lists: ``RISK_EXPORTS``, else ``exports/``."""
    chosen = os.environ.get("RISK_EXPORTS")
    return Path(chosen).expanduser() if chosen else DEFAULT_EXPORTS


@dataclass(frozen=True)
class Settings:
    db_path: Path
    methodology: Methodology
    methodology_file: Path = METHODOLOGY_FILE  # where a saved what-if is written

    @classmethod
    def resolve(cls, db: str | os.PathLike[str] | None = None) -> Settings:
        """``--db`` (or ``RISK_DB``) and ``RISK_METHODOLOGY``, read now, once."""
        file = methodology_path()
        return cls(db_path(db), load_methodology(file), file)
