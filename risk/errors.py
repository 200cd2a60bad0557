"""Project exceptions, so callers can tell bad input from a busy database from a bug.

Each carries a one-line message meant for the user as it stands.
"""

from __future__ import annotations


def clip(text: str, limit: int = 60) -> str:
    """A user's value as shown in a message: cut to ``limit`` characters, then "…"."""
    return text if len(text) <= limit else text[:limit] + "…"


class RiskError(Exception):
    """Base class: anything the CLI reports as a one-line error with a non-zero exit."""


class Problem(str):
    """One broken rule, located: ``field`` (a column or form field; "" when the problem is
    the input as a whole), ``message`` and ``line`` (in a file). The string itself is the
    one line the command line prints, unchanged from before problems had a structure, so
    the dashboard places a problem under ``problem.field`` without parsing its text."""

    field: str
    message: str
    line: int | None

    def __new__(cls, field: str, message: str, line: int | None = None,
                text: str | None = None) -> Problem:  # fmt: skip
        shown = text if text is not None else (f"{field}: {message}" if field else message)
        problem = super().__new__(cls, shown)
        problem.field, problem.message, problem.line = field, message, line
        return problem

    def within(self, prefix: str) -> Problem:
        """The same problem, its text prefixed with where it was found (a file, a record)."""
        return Problem(self.field, self.message, self.line, prefix + self)


class ValidationError(RiskError):
    """Input that breaks a rule; ``problems`` lists every one found, not only the first."""

    def __init__(self, problems: list[Problem] | list[str] | Problem | str) -> None:
        given = [problems] if isinstance(problems, str) else list(problems)
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in given]
        super().__init__("; ".join(self.problems))


class DatabaseBusyError(RiskError):
    """Another process held the database lock for longer than we were willing to wait."""


class ConfigError(RiskError):
    """The methodology file is missing a value or holds one out of range."""


class NotFoundError(RiskError):
    """A named dependent, family, item or annotation does not exist."""
