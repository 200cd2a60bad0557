"""``python -m risk ingest``: articles to pending candidate evidence for the review queue.

Thin on purpose: it calls ``risk.reader.queue.ingest_files`` and prints the result; reviewing
(accept, reject) happens in the dashboard through the same module.
"""

from __future__ import annotations

import argparse
import json

from risk.cli.common import add_db, iso_date
from risk.reader import queue
from risk.settings import Settings


def _cmd_ingest(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    results = queue.ingest_files(
        args.files, published=args.published, title=args.title, url=args.url,
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


def register(sub: argparse._SubParsersAction) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "ingest", help="read articles (fr/en) into pending candidate evidence",
        description="Extract organisations, chips, money, dates and candidate evidence from "
        "article text files (UTF-8), and store the candidates as pending review. Every file is "
        "checked first: one bad file and nothing is stored.\n\nexamples:\n"
        "  python -m risk ingest article.txt --published 2025-10-06 --title \"...\" --url URL\n"
        "  python -m risk ingest articles/*.txt --json --dry-run", formatter_class=raw,
    )  # fmt: skip
    p.add_argument("files", nargs="+", metavar="FILE", help="article text, UTF-8")
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.add_argument("--dry-run", action="store_true", help="extract only; store nothing")
    p.add_argument("--published", type=iso_date, default=None,
                   help="publication day YYYY-MM-DD; relative dates resolve against it "
                   "(default: today)")  # fmt: skip
    p.add_argument("--title", default=None, help="article title (the source of accepted items)")
    p.add_argument("--url", default=None, help="article address, http(s)")
    add_db(p)
    p.set_defaults(handler=_cmd_ingest)
