"""Project exceptions, so callers can tell bad input from a busy database from a bug.

Each carries a one-line message meant for the user as it stands.
"""


class RiskError(Exception):
    """Base class: anything the CLI reports as a one-line error with a non-zero exit."""


class ValidationError(RiskError):
    """Input that breaks a rule; ``problems`` lists every one found, not only the first."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class DatabaseBusyError(RiskError):
    """Another process held the database lock for longer than we were willing to wait."""


class ConfigError(RiskError):
    """The methodology file is missing a value or holds one out of range."""


class NotFoundError(RiskError):
    """A named dependent, family, item or annotation does not exist."""
