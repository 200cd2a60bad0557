"""``python -m risk``: a thin command line over the library.

One module per command family (``core``: init, score, explain, import; ``annotate``;
``export``: export and schedule; ``ingest``), each with a ``register`` function that adds its
sub-commands; ``REGISTRARS`` below lists them, so a new family is one module and one line.
Bad input exits non-zero with a one-line message per problem on stderr; nothing is
half-written because every write goes through one transaction in the library.
"""

from __future__ import annotations

import argparse
import sys

from risk.cli import annotate, core, export, ingest
from risk.cli.common import Parser
from risk.errors import RiskError, ValidationError

REGISTRARS = [core.register, annotate.register, export.register, ingest.register]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m risk",
        description="Vendor-dependency risk: evidence, scores and their explanations.",
    )
    parser.add_argument("--db", metavar="PATH", default=None,
                        help="database file (default: $RISK_DB, else data/risk.duckdb)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the return value is the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        if len(exc.problems) > 1:
            print(f"error: {len(exc.problems)} problems; nothing was written", file=sys.stderr)
        return 1
    except RiskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
