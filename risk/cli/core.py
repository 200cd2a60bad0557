"""The core commands: ``init``, ``score``, ``explain`` and ``import``.

Each command parses its arguments, calls one library function and prints the result.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import click

from risk import bootstrap, db, identity, importer, refresh, reliance, scoring
from risk import explain as explain_mod
from risk.cli import reliance as reliance_cli
from risk.cli.common import ISO_DATE, command, flag
from risk.errors import ValidationError
from risk.evidence import parse_iso_date
from risk.methodology import COMPOSITE
from risk.settings import Settings


def _cmd_init(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    report = bootstrap.init_database(settings.db_path, settings.methodology)
    done = ", ".join(report.migrations) or "none needed"
    print(f"database: {report.path}")
    print(f"migrations applied: {done}")
    if report.evidence:
        print(f"loaded bundled data: {report.organisations} organisations, "
              f"{report.evidence} evidence items")  # fmt: skip
    else:
        print("database already holds evidence: bundled data not reloaded")
    if report.score_rows:
        print(f"scored: {report.score_rows} rows")
    return 0


def _cmd_score(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    method = settings.methodology
    path = bootstrap.ensure_ready(settings.db_path, method)
    rows = db.write_with_retry(lambda con: refresh.recompute(con, method), path)
    with db.connect(path) as con:
        latest = scoring.latest(con)
    print(f"methodology {method.version}: {rows} score rows")
    if latest.empty:
        print("no evidence for the tracked vendor: nothing to score")
        return 0
    print(f"latest day: {latest['date'].iloc[0]:%Y-%m-%d}")
    for dependent, group in latest.groupby("dependent", sort=True):
        print(f"\n{dependent}")
        for row in group.itertuples():
            print(f"  {row.family:<14} {row.score:6.2f}  band {row.band_low:6.2f} - "
                  f"{row.band_high:6.2f}")  # fmt: skip
    return 0


def _cmd_explain(args: SimpleNamespace) -> int:
    if args.family in reliance.INDICATORS:
        return reliance_cli.explain_indicator(args)
    settings = Settings.resolve(args.db)
    method = settings.methodology
    path = bootstrap.ensure_ready(settings.db_path, method)
    with db.connect(path) as con:
        start, end = scoring.grid_bounds(con, method)
        day = parse_iso_date(args.date)
        if not start <= day <= end:
            raise ValidationError(f"date {args.date} is outside the scored range {start}..{end}")
        result = explain_mod.explain(con, method, args.dependent, args.family, day,
                                     top=None if args.all else explain_mod.TOP_ITEMS)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    _print_explanation(result)
    return 0


def _print_explanation(result: explain_mod.Explanation) -> None:
    pressure = "n/a (weighted mean of families)" if result.pressure is None else (
        f"{result.pressure:.4f}")  # fmt: skip
    print(f"{result.dependent} / {result.family} on {result.date}: score {result.score:.2f} "
          f"(band {result.band[0]:.2f} - {result.band[1]:.2f}), pressure {pressure}")
    print(f"methodology {result.methodology_version}")
    if result.family == COMPOSITE:
        for fam in result.families:
            print(f"  {fam['family']:<14} score {fam['score']:6.2f} x weight share "
                  f"{fam['share']:.3f} -> {fam['points']:+.2f} points")  # fmt: skip
    if not result.contributions:
        print("no evidence up to that day: the score sits at 50")
        return
    print(f"{'item':<9} {'date':<10} {'family':<13} {'contrib':>8} {'points':>7}  "
          f"grade  summary / source")  # fmt: skip
    for c in result.contributions:
        grade = f"{c['reliability']}{c['credibility']}"
        print(f"{c['evidence_id']:<9} {c['date']} {c['family']:<13} {c['contribution']:+8.4f} "
              f"{c['points']:+7.2f}  {grade:<5}  {c['summary'][:70]}")  # fmt: skip
        src = c["source"]
        where = f", {src['url']}" if src["url"] else ""
        print(f"{'':<50}  {src['publisher']}, {src['date']}{where}")
    rest = result.rest
    if rest:
        print(f"{'(rest)':<9} {'':<10} {'':<13} {rest['contribution']:+8.4f} "
              f"{rest['points']:+7.2f}  {rest['items']} smaller items, summed "
              "(--all lists every one)")  # fmt: skip
    total = math.fsum([*(c["contribution"] for c in result.contributions),
                       rest["contribution"] if rest else 0.0])  # fmt: skip
    print(f"sum of contributions: {total:.6f}")


def _cmd_import(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    report = importer.import_file(Path(args.file), path, settings.methodology,
                                  actor=identity.cli_actor())  # fmt: skip
    print(f"imported {report.rows} {report.kind} from {args.file}; "
          f"rescored ({report.score_rows} score rows)")  # fmt: skip
    return 0


def commands() -> list[click.Command]:
    """init, score, explain and import."""
    return [
        command("init", _cmd_init, "create or upgrade the database; load bundled data if empty",
                "Create or upgrade the database in place and load the bundled evidence into an "
                "empty one.\n\nexample: python -m risk init", []),
        command("score", _cmd_score, "recompute scores; print the latest per dependent",
                "Recompute every score from the evidence with the current methodology.\n\n"
                "example: python -m risk score", []),
        command("explain", _cmd_explain, "the evidence behind one score, largest first",
                "List the items behind a score with their contributions and sources, or the "
                "ledger rows behind a reliance indicator with their share points.\n"
                "DEPENDENT: e.g. microsoft, openai; FAMILY: a family from "
                "data/methodology.toml, composite, or an indicator (vendor_share_deployed, "
                "vendor_share_pipeline, hhi_deployed, hhi_pipeline, "
                "effective_suppliers_deployed, effective_suppliers_pipeline, "
                "vendor_spend_ttm_usd); DATE: YYYY-MM-DD.\n\n"
                "examples:\n  python -m risk explain microsoft spend 2023-06-30\n"
                "  python -m risk explain openai composite 2025-12-31 --json\n"
                "  python -m risk explain openai vendor_share_deployed 2026-06-30", [
                    click.Argument(["dependent"]), click.Argument(["family"]),
                    click.Argument(["date"], type=ISO_DATE),
                    flag("--json", "one JSON object on stdout"),
                    flag("--hindsight", "indicators: apply today's knowledge to past days"),
                    flag("--all", f"list every item (by default the {explain_mod.TOP_ITEMS} "
                         "largest, and the others summed in one line)"),
                ]),
        command("import", _cmd_import, "import evidence, ledger or organisations CSV: all or none",
                "Validate the whole file, then import every row or none. Evidence files use the "
                "columns of data/evidence.csv, capacity-ledger files those of data/capacity.csv "
                "(an export's capacity.csv imports back as it is); a file with the header "
                "id,name,roles,aliases adds or updates organisations. FILE: CSV, UTF-8, "
                "header row.\n\n"
                "example: python -m risk import my_evidence.csv",
                [click.Argument(["file"])]),
    ]  # fmt: skip
