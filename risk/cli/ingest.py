"""``python -m risk ingest``: articles to pending candidate evidence for the review queue.

Thin on purpose: it calls ``risk.reader.queue.ingest_files`` and prints the result; reviewing
(accept, reject) happens in the dashboard through the same module.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import click

from risk.cli.common import ISO_DATE, command, flag
from risk.reader import queue
from risk.settings import Settings


def _cmd_ingest(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    results = queue.ingest_files(
        list(args.files), published=args.published, title=args.title, url=args.url,
        db_file=settings.db_path, method=settings.methodology, dry_run=args.dry_run,
    )  # fmt: skip
    for result in results:
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            _print_result(result, args.dry_run)
    return 0


def _print_result(result: dict, dry_run: bool) -> None:
    src = result["source"]
    print(f"{src['path']} ({src['language']}, published {src['published']})")
    print(f"  organisations: {', '.join(result['organisations']) or '-'}")
    print(f"  chips: {', '.join(result['chips']) or '-'}")
    print(f"  money: {'; '.join(m['text'] for m in result['money']) or '-'}")
    dates = "; ".join(f"{d['text']} = {d['date']}" for d in result["dates"])
    print(f"  dates: {dates or '-'}")
    if not result["candidates"]:
        print("  no candidate (no dependent tied to the vendor or to its own chips)")
    for c in result["candidates"]:
        ident = "dry-run" if dry_run else f"#{c['id']} {c['status']}"
        print(f"  candidate {ident}: {c['dependent']} {c['family']} {c['direction']:+d} "
              f"m{c['magnitude']} c{c['credibility']} {c['date']}")  # fmt: skip
        print(f"    {c['summary']}")


def commands() -> list[click.Command]:
    """ingest."""
    return [command(
        "ingest", _cmd_ingest, "read articles (fr/en) into pending candidate evidence",
        "Extract organisations, chips, money, dates and candidate evidence from article text "
        "files (UTF-8), and store the candidates as pending review. Every file is checked "
        "first: one bad file and nothing is stored. FILE: article text, UTF-8.\n\nexamples:\n"
        "  python -m risk ingest article.txt --published 2025-10-06 --title \"...\" --url URL\n"
        "  python -m risk ingest articles/*.txt --json --dry-run", [
            click.Argument(["files"], nargs=-1, required=True, metavar="FILE..."),
            flag("--json", "one JSON object per file, one per line"),
            flag("--dry-run", "extract only; store nothing"),
            click.Option(["--published"], type=ISO_DATE, default=None,
                         help="publication day YYYY-MM-DD; relative dates resolve against it "
                         "(default: today)"),
            click.Option(["--title"], default=None,
                         help="article title (the source of accepted items)"),
            click.Option(["--url"], default=None, help="article address, http(s)"),
        ],
    )]  # fmt: skip
