"""What every command shares: one-line usage errors, ``--db`` and a date argument type."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from risk.evidence import parse_iso_date

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line: what is wrong and where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="database file (default: $RISK_DB, else data/risk.duckdb)",
    )  # fmt: skip


def iso_date(text: str) -> str:
    """argparse type for YYYY-MM-DD, with a message that says what was expected."""
    try:
        return parse_iso_date(text).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
