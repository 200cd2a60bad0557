"""What every command shares: the click command and group classes that keep the help and
error formats of the documented contract, ``--db``, and the argument types.

Help: ``usage: python -m risk ...``, then the description as written (with its
``example:`` lines), then the options. A usage error is one line on stderr,
``python -m risk explain: error: argument date: ... (see --help)``, exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import click

from risk.evidence import parse_iso_date

Handler = Callable[[SimpleNamespace], int]
DB_HELP = "database file (default: $RISK_DB, else data/risk.duckdb)"


def _shown(param: click.Parameter) -> str:
    """How a message names a parameter: ``--date`` for an option, ``date`` or ``FILE`` for an
    argument."""
    if isinstance(param, click.Option):
        return param.opts[0]
    return (param.metavar or str(param.name)).removesuffix("...")


class _Help:
    """Lower-case usage line and the description kept as written (no re-wrapping)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="usage: ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = self.help or ""  # type: ignore[attr-defined]
        if text:
            formatter.write("\n" + text.rstrip("\n") + "\n")


class Command(_Help, click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Name every missing required argument at once, as the contract's messages do."""
        opts, _, _ = self.make_parser(ctx).parse_args(args=list(args))
        if not opts.get("help"):
            missing = [p for p in self.get_params(ctx)
                       if p.required and opts.get(p.name) in (None, ())]  # fmt: skip
            if missing:
                names = ", ".join(_shown(p) for p in missing)
                raise click.UsageError(f"the following arguments are required: {names}", ctx)
        return super().parse_args(ctx, args)


class Group(_Help, click.Group):
    command_class = Command
    group_class = type

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order registered, as --help lists them


def command(name: str, handler: Handler, summary: str, description: str,
            params: list[click.Parameter], db: bool = True) -> Command:  # fmt: skip
    """A command whose options arrive at ``handler`` as one namespace (``args.db`` falls back
    to the top-level ``--db``)."""

    def callback(**values: object) -> int:
        root = click.get_current_context().find_root()
        if values.get("db") is None:
            values["db"] = root.params.get("db")
        return handler(SimpleNamespace(**values))

    options = [*params, db_option()] if db else params
    return Command(name, callback=callback, params=options, help=description,
                   short_help=summary)  # fmt: skip


def db_option() -> click.Option:
    return click.Option(["--db"], metavar="PATH", default=None, help=DB_HELP)


def flag(name: str, help_text: str) -> click.Option:
    return click.Option([name], is_flag=True, default=False, help=help_text)


class Checked(click.ParamType):
    """A click type from a function that returns the value or raises ValueError with the
    message the user sees."""

    def __init__(self, name: str, check: Callable[[str], object]) -> None:
        self.name = name
        self._check = check

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> object:  # fmt: skip
        if not isinstance(value, str):
            return value
        try:
            return self._check(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _iso_date(text: str) -> str:
    return parse_iso_date(text).isoformat()


ISO_DATE = Checked("YYYY-MM-DD", _iso_date)


def usage_error_line(exc: click.UsageError) -> str:
    """The one line a usage error prints, worded as the command line always has."""
    path = exc.ctx.command_path if exc.ctx else "python -m risk"
    param = getattr(exc, "param", None)
    name = None if param is None else _shown(param)
    if isinstance(exc, click.MissingParameter) and name:
        message = f"the following arguments are required: {name}"
    elif isinstance(exc, click.BadParameter) and name:
        message = f"argument {name}: {exc.message}"
    else:
        message = exc.message
    return f"{path}: error: {message} (see --help)"
