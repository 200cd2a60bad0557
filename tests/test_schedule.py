"""The export scheduler: cron parsing, one run at a time, failures survived, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import add_items, item_row

from risk import db, exports, scoring
from risk.errors import ValidationError
from risk.exports import schedule

ROOT = Path(__file__).resolve().parent.parent
EVERY_SECOND = "*/1 * * * * *"
HOLD_LOCK = (
    "import sys, time, duckdb\n"
    "deadline = time.monotonic() + 30\n"
    "while True:\n"
    "    try:\n"
    "        con = duckdb.connect(sys.argv[1]); break\n"
    "    except duckdb.IOException:\n"
    "        if time.monotonic() > deadline: raise\n"
    "        time.sleep(0.01)\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "con.close()\n"
)  # fmt: skip


@pytest.fixture
def scored_db(db_file, method):
    add_items(db_file, method, item_row())
    with db.transaction(db_file) as con:
        scoring.rescore(con, method)
    return db_file


def hold_lock(db_file: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database, as the dashboard or an annotation write would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_file), str(seconds)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout.readline().strip() == "held"
    return proc


class Recorder:
    """A log sink that can stop the schedule once it has seen enough."""

    def __init__(self, until: callable, timeout: float = 30) -> None:
        self.lines: list[str] = []
        self.until = until
        self.stop = threading.Event()
        self.timer = threading.Timer(timeout, self.stop.set)
        self.timer.start()

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if self.until(self):
            self.stop.set()

    def outcomes(self, word: str) -> list[str]:
        return [line for line in self.lines if f" export {word}" in line]


def run_in_thread(recorder: Recorder, **kwargs: object) -> schedule.ScheduleReport:
    result = {}

    def target() -> None:
        result["report"] = schedule.run_schedule(
            EVERY_SECOND, stop_event=recorder.stop, log=recorder, prepare=None, **kwargs
        )

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    recorder.timer.cancel()
    assert not thread.is_alive()
    return result["report"]


@pytest.mark.parametrize("expr", ["61 * * * *", "* * *", "not a cron", "* * * * * * * *", ""])
def test_invalid_cron_is_one_error_naming_the_expression(expr):
    with pytest.raises(ValidationError) as exc:
        schedule.check_cron(expr)
    assert f"invalid cron expression {expr!r}" in str(exc.value)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("expr", ["0 6 * * 1-5", EVERY_SECOND, "@daily", " 0  6 * * * "])
def test_valid_cron_expressions_are_accepted(expr):
    assert schedule.check_cron(expr) == " ".join(expr.split())


def test_six_fields_put_seconds_first():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert schedule.next_tick("30 0 6 * * *", start) == start + timedelta(hours=6, seconds=30)
    assert schedule.next_tick("0 6 * * *", start) == start + timedelta(hours=6)


def test_a_failed_run_is_logged_and_the_next_tick_succeeds(scored_db, method, tmp_path):
    out = tmp_path / "out"
    out.write_text("a file where the folder should be")  # every write fails: OSError

    def until(rec: Recorder) -> bool:
        if rec.outcomes("FAILED") and out.is_file():
            out.unlink()  # the disk problem is fixed between ticks
        return bool(rec.outcomes("ok"))

    recorder = Recorder(until)
    report = run_in_thread(recorder, out_dir=out, db_file=scored_db, method=method)
    assert "is a file, not a folder" in recorder.outcomes("FAILED")[0]
    assert report.failures >= 1 and report.runs > report.failures
    assert len(exports.list_bundles(out)) == report.runs - report.failures
    assert "stopped after" in recorder.lines[-1]


def test_a_locked_database_is_logged_as_busy_and_retried(scored_db, method, tmp_path):
    out = tmp_path / "out"
    holder = hold_lock(scored_db, 2.5)
    recorder = Recorder(lambda rec: bool(rec.outcomes("ok")))
    report = run_in_thread(recorder, out_dir=out, db_file=scored_db, method=method,
                           wait_seconds=0.3)  # fmt: skip
    holder.wait(30)
    busy = recorder.outcomes("FAILED")
    assert busy and all("DatabaseBusyError" in line and "locked" in line for line in busy)
    assert report.runs == len(busy) + 1
    assert len(exports.list_bundles(out)) == 1


def test_an_overrunning_run_skips_missed_ticks_and_says_so(scored_db, method, tmp_path):
    active, overlaps = [], []

    def slow_prepare(_db: object, _method: object) -> None:
        overlaps.append(len(active))
        active.append(1)
        time.sleep(2.2)
        active.pop()

    recorder = Recorder(lambda rec: len(rec.outcomes("ok")) >= 2)
    result = {}

    def target() -> None:
        result["report"] = schedule.run_schedule(
            EVERY_SECOND, tmp_path / "out", scored_db, stop_event=recorder.stop, log=recorder,
            prepare=slow_prepare, method=method,
        )  # fmt: skip

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    recorder.timer.cancel()
    skipped = [line for line in recorder.lines if "skipped" in line]
    assert skipped and "missed tick" in skipped[0]
    assert result["report"].skipped_ticks >= 2
    assert overlaps == [0] * len(overlaps)  # never two exports at once


def _count(out: Path) -> int:
    return len(exports.list_bundles(out)) if out.exists() else 0


def _wait(predicate: callable, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_cli_schedule_per_second_survives_a_held_lock_and_exits_0_on_sigterm(
    scored_db, tmp_path
):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "risk", "schedule", "--cron", EVERY_SECOND, "--out", str(out),
         "--db", str(scored_db), "--keep", "50"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait(lambda: _count(out) >= 1, 60, "the first bundle")
        holder = hold_lock(scored_db, 1.5)
        holder.wait(30)
        after_release = _count(out)
        _wait(lambda: _count(out) >= after_release + 1, 15, "a bundle after the lock")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    bundles = exports.list_bundles(out)
    assert len(bundles) >= 2 and all(b["checksum_ok"] for b in bundles)
    assert stdout.count(" export ok ") == len(bundles)
    assert "SIGTERM received" in stdout and "schedule stopped after" in stdout
    assert not [p for p in out.iterdir() if p.name.startswith(exports.TEMP_PREFIX)]


def test_cli_schedule_rejects_a_bad_expression_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "risk", "schedule", "--cron", "99 * * * *", "--out",
         str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "error: invalid cron expression '99 * * * *': [99 * * * *] is not acceptable, "
        "out of range\n"
    )
    assert not (tmp_path / "out").exists()
