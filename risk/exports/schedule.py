"""Run exports on a cron schedule, one at a time, until told to stop.

Some users have no crontab or systemd to hand (a laptop, a container), so ``python -m risk
schedule`` is a small foreground scheduler. It is deliberately a single loop: an export can
never overlap the previous one; a run that overruns the next tick skips the missed ticks and
says so; a failed run (database locked too long, disk full) is logged and the next tick is
tried as usual. Cron expressions are parsed by croniter, never by hand.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from croniter import croniter

from risk import bootstrap, db, exports
from risk.errors import ValidationError
from risk.methodology import Methodology
from risk.settings import Settings

Log = Callable[[str], None]
MAX_SLEEP_SECONDS = 60.0  # wake at least this often, so clock changes are noticed


def _print_log(line: str) -> None:
    print(line, flush=True)


@dataclass
class ScheduleReport:
    runs: int = 0
    failures: int = 0
    skipped_ticks: int = 0


def check_cron(expr: str) -> str:
    """Validate a cron expression: 5 fields, or 6 with seconds first, or an @alias."""
    text = " ".join((expr or "").split())
    fields = len(text.split(" "))
    if not text.startswith("@") and fields not in (5, 6):
        raise ValidationError(
            f"invalid cron expression {expr!r}: {fields} fields; expected 5 (minute hour "
            "day-of-month month day-of-week) or 6 (seconds first)"
        )
    try:
        croniter(text, datetime.now().astimezone(), second_at_beginning=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"invalid cron expression {expr!r}: {exc}") from exc
    return text


def next_tick(expr: str, after: datetime) -> datetime:
    """The first fire time strictly after ``after`` (aware datetime, local time like cron)."""
    return croniter(expr, after, second_at_beginning=True).get_next(datetime)


def _now() -> datetime:
    return datetime.now().astimezone()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sleep_until(due: datetime, stop: threading.Event) -> bool:
    """Sleep until ``due``; True if asked to stop first."""
    while True:
        remaining = (due - _now()).total_seconds()
        if remaining <= 0:
            return stop.is_set()
        if stop.wait(min(remaining, MAX_SLEEP_SECONDS)):
            return True


def run_once(
    out_dir: Path,
    db_file: str | Path | None = None,
    keep: int | None = None,
    excel: bool = False,
    *,
    prepare: Callable[[Path, Methodology], object] | None = bootstrap.ensure_ready,
    method: Methodology | None = None,
    wait_seconds: float = db.DEFAULT_WAIT_SECONDS,
) -> str:
    """One export; returns the outcome as one log phrase and never raises an Exception.

    A scheduled run is an entry point: it resolves the settings afresh (``method`` overrides
    the methodology in force, for tests), so a methodology saved between ticks is used."""
    started = time.monotonic()
    try:
        settings = Settings.resolve(db_file)
        method = method or settings.methodology
        if prepare is not None:
            prepare(settings.db_path, method)
        bundle = exports.write_bundle(out_dir, settings.db_path, keep, excel, method=method,
                                      wait_seconds=wait_seconds)  # fmt: skip
        manifest = json.loads((bundle / exports.MANIFEST).read_text(encoding="utf-8"))
        rows = sum(f["rows"] for f in manifest["files"].values())
        return f"ok {bundle.name} rows={rows} {time.monotonic() - started:.2f}s"
    except Exception as exc:  # a failed run must not end the schedule
        message = " ".join(str(exc).split())
        return f"FAILED after {time.monotonic() - started:.2f}s: {type(exc).__name__}: {message}"


def run_schedule(
    cron: str,
    out_dir: Path,
    db_file: str | Path | None = None,
    keep: int | None = None,
    excel: bool = False,
    stop_event: threading.Event | None = None,
    log: Log = _print_log,
    *,
    prepare: Callable[[Path, Methodology], object] | None = bootstrap.ensure_ready,
    method: Methodology | None = None,
    wait_seconds: float = db.DEFAULT_WAIT_SECONDS,
) -> ScheduleReport:
    """Export at every tick of ``cron`` until ``stop_event`` is set; one run at a time."""
    expr = check_cron(cron)
    if keep is not None and keep < 1:
        raise ValidationError(f"keep must be at least 1 (got {keep})")
    stop = stop_event or threading.Event()
    report = ScheduleReport()
    due = next_tick(expr, _now())
    log(f"{_stamp()} schedule {expr!r} -> {out_dir}; first run at {due.isoformat()}")
    while not _sleep_until(due, stop):
        outcome = run_once(out_dir, db_file, keep, excel, prepare=prepare, method=method,
                           wait_seconds=wait_seconds)  # fmt: skip
        report.runs += 1
        report.failures += outcome.startswith("FAILED")
        log(f"{_stamp()} export {outcome}")
        due, skipped = _after_run(expr, due)
        if skipped:
            report.skipped_ticks += skipped
            log(f"{_stamp()} run overran the schedule: skipped {skipped} missed tick(s)")
    log(f"{_stamp()} schedule stopped after {report.runs} run(s), {report.failures} failed")
    return report


def _after_run(expr: str, due: datetime) -> tuple[datetime, int]:
    """The next tick still in the future, and how many ticks passed during the run."""
    now = _now()
    skipped = 0
    tick = next_tick(expr, due)
    while tick <= now:
        skipped += 1
        tick = next_tick(expr, tick)
        if skipped > 100_000:  # a per-second schedule after a very long run
            return next_tick(expr, now), skipped
    return tick, skipped
