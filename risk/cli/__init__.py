"""``python -m risk``: a thin command line over the library.

One module per command family (``core``: init, score, explain, import; ``annotate``;
``export``: export and schedule; ``ingest``), each exposing its click commands (``commands()``,
or ``group()`` for a family with sub-commands); ``COMMANDS`` below registers them
explicitly, so a new family is one module and one line.
Bad input exits non-zero with a one-line message per problem on stderr; nothing is
half-written because every write goes through one transaction in the library.
"""

from __future__ import annotations

import os
import sys

import click

from risk import boundary
from risk.cli import annotate, core, export, ingest, reliance
from risk.cli.common import Group, db_option, usage_error_line
from risk.errors import RiskError, ValidationError

COMMANDS = [*core.commands(), *reliance.commands(), annotate.group(), *export.commands(),
            *ingest.commands()]


def build_cli() -> click.Group:
    """The ``python -m risk`` group with every command registered, in the order of --help."""
    root = Group("python -m risk", help="Vendor-dependency risk: evidence, scores and their "
                 "explanations.", params=[db_option()], subcommand_metavar="COMMAND ...")
    for cmd in COMMANDS:
        root.add_command(cmd)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one command; the return value is the process exit code (``--help`` and usage
    errors exit through ``SystemExit``, with 0 and 2)."""
    root = build_cli()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        with root.make_context("python -m risk", args) as ctx:
            code = root.invoke(ctx) or 0
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        raise SystemExit(2) from None
    except click.UsageError as exc:
        print(usage_error_line(exc), file=sys.stderr)
        raise SystemExit(2) from None
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
    except BrokenPipeError as exc:
        # Nothing more can reach the reader; keep the exit-time flush from failing too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"error: {boundary.describe(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # the boundary: one line for anything else, never a traceback
        if boundary.debugging():
            raise
        print(f"error: {boundary.describe(exc)}", file=sys.stderr)
        return 1
