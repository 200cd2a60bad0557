"""One line for any failure a user can cause, shared by the command line and the dashboard.

A project error already carries its message. A file problem (a folder where a file was
expected, no permission, a disk full) is told by the operating system's reason and the
path; a damaged database by DuckDB's first line; a closed pipe (``| head``) by a short
note. Anything else is a bug: still one line, with ``RISK_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import os

import duckdb

from risk.db import one_line
from risk.errors import RiskError, ValidationError

DEBUG_ENV = "RISK_DEBUG"


def debugging() -> bool:
    return bool(os.environ.get(DEBUG_ENV))


def describe(exc: BaseException) -> str:
    """The failure as one short line, without the "error:" prefix."""
    if isinstance(exc, ValidationError):
        first = exc.problems[0] if exc.problems else "invalid input"
        more = len(exc.problems) - 1
        return one_line(first) + (f" (and {more} more problems)" if more > 0 else "")
    if isinstance(exc, RiskError):
        return one_line(exc)
    if isinstance(exc, BrokenPipeError):
        return "output closed before the end (broken pipe)"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return one_line(f"{where}{exc.strerror or exc}")
    if isinstance(exc, duckdb.Error):
        return f"database error: {one_line(exc, 200)}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return (f"unexpected {type(exc).__name__}: {one_line(exc, 200)} "
            f"(set {DEBUG_ENV}=1 to see the traceback)")  # fmt: skip
