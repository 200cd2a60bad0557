"""``python -m risk reliance`` and ``check``, and the reliance side of ``explain``.

``reliance`` prints the headline of methodology 2 per dependent (the vendor's share of
deployed compute and of the pipeline, effective suppliers, spend), each with its range;
``explain DEPENDENT INDICATOR DATE`` opens one of those numbers into the ledger rows behind
it; ``check`` runs the data rules over the bundled data or a database.
"""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import click

from risk import bootstrap, checks, db, reliance
from risk.cli.common import command, flag
from risk.errors import ValidationError
from risk.evidence import parse_iso_date
from risk.settings import Settings

HEADLINE = ("vendor_share_deployed", "vendor_share_pipeline", "effective_suppliers_deployed",
            "effective_suppliers_pipeline", "vendor_spend_ttm_usd")  # fmt: skip


def _view(args: SimpleNamespace) -> str:
    return "hindsight" if getattr(args, "hindsight", False) else "as_known"


def _number(value: float | None, indicator: str) -> str:
    if value is None or value != value:
        return "n/a"
    if indicator == "vendor_spend_ttm_usd":
        return f"${value / 1e9:,.1f}B"
    if indicator.startswith("vendor_share"):
        return f"{value:.1f}%"
    return f"{value:.2f}"


def _ranged(row: dict, indicator: str) -> str:
    text = _number(row["value"], indicator)
    if row["value"] is None or row["value"] != row["value"]:
        return text
    return f"{text} (range {_number(row['low'], indicator)} - {_number(row['high'], indicator)})"


def explain_indicator(args: SimpleNamespace) -> int:
    """``explain DEPENDENT INDICATOR DATE``: the ledger rows behind one indicator value."""
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    day = parse_iso_date(args.date)
    start, end = settings.methodology.grid_start, reliance.grid_end(settings.methodology)
    if not start <= day <= end:
        raise ValidationError(f"date {args.date} is outside the computed range {start}..{end}")
    with db.connect(path) as con:
        result = reliance.explain_indicator(
            con, settings.methodology, args.dependent, args.family,
            day, view=_view(args),
        )  # fmt: skip
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0
    _print_indicator(result)
    return 0


def _print_indicator(result: dict) -> None:
    indicator = result["indicator"]
    print(f"{result['dependent']} / {indicator} on {result['date']} ({result['view']}): "
          f"{_ranged(result, indicator)}")  # fmt: skip
    print(f"range: {result['meaning']}")
    print(f"methodology {result['methodology_version']}")
    if not result["contributions"]:
        print("no ledger row counts on that day")
        return
    print(f"{'ledger':<9} {'supplier':<10} {'status':<10} {'window':<23} {'H100e':>12} "
          f"{'points':>9}  evidence")  # fmt: skip
    for c in result["contributions"]:
        window = f"{c['start']}..{c['full_by']}"
        print(f"{c['id']:<9} {c['supplier']:<10} {c['status']:<10} {window:<23} "
              f"{c['h100e']:>12,.0f} {c['points']:>9.3f}  {', '.join(c['evidence'])}")
    total = sum(c["points"] for c in result["contributions"])
    print(f"sum of points: {total:.6f}")


def _cmd_reliance(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    with db.connect(path) as con:
        frame = reliance.latest(con, _view(args))
    rows = frame.to_dict("records")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return 0
    if not rows:
        print("no capacity in the ledger yet")
        return 0
    vendor = settings.methodology.vendor
    print(f"methodology {settings.methodology.version}, vendor {vendor}, {_view(args)} view")
    for dependent in sorted({r["dependent"] for r in rows}):
        mine = {r["indicator"]: r for r in rows if r["dependent"] == dependent}
        day = next(iter(mine.values()))["date"]
        print(f"\n{dependent} on {day:%Y-%m-%d}")
        for indicator in HEADLINE:
            if indicator in mine:
                print(f"  {indicator:<30} {_ranged(mine[indicator], indicator)}")
    return 0


def _cmd_check(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    given = args.db or os.environ.get("RISK_DB")
    if given:
        found = checks.check_database(settings.db_path, settings.methodology)
        what = str(settings.db_path)
    else:
        found = checks.check_bundled(settings.methodology)
        what = "the bundled data (data/*.csv)"
    for finding in found:
        print(finding)
    if found:
        print(f"{len(found)} problem(s) in {what}", file=sys.stderr)
        return 1
    print(f"ok: {what} follows every data rule")
    return 0


def commands() -> list[click.Command]:
    """reliance and check."""
    return [
        command("reliance", _cmd_reliance, "the vendor's share of each dependent's compute",
                "Print, per dependent, the latest reliance indicators of methodology 2 with "
                "their ranges: the vendor's share of deployed compute and of the pipeline, the "
                "effective number of chip suppliers, and trailing-twelve-month vendor spend.\n\n"
                "examples:\n  python -m risk reliance\n  python -m risk reliance --hindsight "
                "--json", [
                    flag("--hindsight", "apply today's knowledge to past days"),
                    flag("--json", "a JSON array of objects on stdout"),
                ]),
        command("check", _cmd_check, "check the bundled (or a given) data against the data rules",
                "Run the data rules (addresses, source dates, units, ledger support, sign "
                "rules, consistent grades, copied summaries) over the bundled CSVs, or over "
                "the database given with --db or RISK_DB. One line per problem; exit 1 when "
                "there is any.\n\nexamples:\n  python -m risk check\n"
                "  python -m risk check --db team.duckdb", []),
    ]  # fmt: skip

