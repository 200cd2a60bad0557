"""``python -m risk export`` and ``schedule``: thin wrappers over ``risk.exports`` and its
``schedule`` module.

The scheduler runs in the foreground until Ctrl-C or SIGTERM (what systemd and docker send);
both only ask the loop to stop after the current export, so a bundle is never cut short.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import SimpleNamespace

import click

from risk import bootstrap, exports
from risk.cli.common import Checked, command, flag
from risk.exports import schedule
from risk.settings import Settings


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{value} must be at least 1")
    return value


POSITIVE_INT = Checked("N", _positive_int)


def _cmd_export(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    bundle = exports.write_bundle(Path(args.out), path, keep=args.keep, excel=args.excel,
                                  method=settings.methodology)  # fmt: skip
    manifest = json.loads((bundle / exports.MANIFEST).read_text(encoding="utf-8"))
    print(f"bundle: {bundle}")
    print(f"methodology {manifest['methodology_version']}, generated {manifest['generated_at']}")
    for name, meta in manifest["files"].items():
        print(f"  {name:<26} {meta['rows']:>8} rows")
    return 0


def _install_stop_handlers(stop: threading.Event) -> None:
    """First SIGINT/SIGTERM: stop after the current run. A second one: stop now."""

    def handler(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        name = signal.Signals(signum).name
        print(f"{name} received: stopping after the current run", flush=True)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _cmd_schedule(args: SimpleNamespace) -> int:
    schedule.check_cron(args.cron)  # a bad expression fails before anything else
    stop = threading.Event()
    _install_stop_handlers(stop)
    schedule.run_schedule(args.cron, Path(args.out), args.db, keep=args.keep,
                          excel=args.excel, stop_event=stop)  # fmt: skip
    return 0


def _bundle_options() -> list[click.Parameter]:
    return [
        click.Option(["--out"], metavar="DIR", required=True,
                     help="folder that receives one timestamped bundle per run"),
        click.Option(["--keep"], metavar="N", type=POSITIVE_INT, default=None,
                     help="after writing, delete all but the N newest bundles"),
        flag("--excel", "start each CSV with the UTF-8 byte-order mark Excel needs"),
    ]  # fmt: skip


def commands() -> list[click.Command]:
    """export and schedule."""
    return [
        command("export", _cmd_export, "write one CSV bundle (scores, evidence, annotations...)",
                "Write scores, evidence, annotations (with history) and alerts as CSV plus "
                "manifest.json into a new folder named by UTC time. The folder appears whole "
                "or not at all.\n\nexamples:\n  python -m risk export --out exports/\n"
                "  python -m risk export --out exports/ --keep 30 --excel", _bundle_options()),
        command("schedule", _cmd_schedule, "export on a cron schedule until stopped",
                "Run an export at every tick of a cron expression (local time, as cron): 5 "
                "fields, or 6 with seconds first. One export at a time; failures are logged "
                "and retried at the next tick; Ctrl-C or SIGTERM stops cleanly.\n\nexamples:\n"
                '  python -m risk schedule --cron "0 6 * * 1-5" --out exports/ --keep 30\n'
                '  python -m risk schedule --cron "*/10 * * * * *" --out /tmp/exports',
                [click.Option(["--cron"], metavar="EXPR", required=True,
                              help='cron expression, e.g. "0 6 * * 1-5" (06:00 on weekdays)'),
                 *_bundle_options()]),
    ]  # fmt: skip
