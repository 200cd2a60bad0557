"""``python -m risk ingest``: articles to pending candidate evidence, and the review queue.

Thin on purpose: each command calls one function of ``risk.ingest`` and prints its result.
"""

from __future__ import annotations

import argparse
import json

from risk import db, ingest
from risk.cli import _add_db, iso_date


def _cmd_ingest(args: argparse.Namespace) -> int:
    results = ingest.ingest_files(
        args.files, published=args.published, title=args.title, url=args.url,
        db_file=args.db, dry_run=args.dry_run,
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


def _cmd_queue(args: argparse.Namespace) -> int:
    path = ingest._ready(args.db)
    with db.connect(path) as con:
        rows = ingest.pending_candidates(con)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("no pending candidate")
    for c in rows:
        print(f"#{c['id']} article {c['article_id']}: {c['dependent']} {c['family']} "
              f"{c['direction']:+d} m{c['magnitude']} c{c['credibility']} {c['date']}  "
              f"{c['summary']}")  # fmt: skip
    return 0


def _cmd_accept(args: argparse.Namespace) -> int:
    edits = dict(_edit(e) for e in args.set or [])
    evidence_id = ingest.accept_candidate(args.id, edits, args.reviewer, args.db)
    print(f"candidate {args.id} accepted as evidence {evidence_id}; scores updated")
    return 0


def _cmd_reject(args: argparse.Namespace) -> int:
    ingest.reject_candidate(args.id, args.reason, args.reviewer, args.db)
    print(f"candidate {args.id} rejected")
    return 0


def _edit(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--set {text!r}: expected COLUMN=VALUE")
    key, value = text.split("=", 1)
    return key.strip(), value


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
    _add_db(p)
    p.set_defaults(handler=_cmd_ingest)
    _register_review(sub, raw)


def _register_review(sub: argparse._SubParsersAction, raw: type) -> None:
    review = sub.add_parser(
        "review", help="the review queue: list, accept or reject candidates",
        description="Review the candidates proposed by ingest.\n\nexamples:\n"
        "  python -m risk review list --json\n"
        "  python -m risk review accept 3 --reviewer ana --set magnitude=4\n"
        "  python -m risk review reject 4 --reviewer ana --reason \"duplicate of EV-0012\"",
        formatter_class=raw,
    )  # fmt: skip
    actions = review.add_subparsers(dest="action", metavar="ACTION",
                                     parser_class=sub._parser_class)
    actions.required = True
    p = actions.add_parser("list", help="pending candidates, oldest first",
                           description="List pending candidates, oldest first.\n\n"
                           "example: python -m risk review list --json", formatter_class=raw)
    p.add_argument("--json", action="store_true", help="a JSON array of candidates")
    _add_db(p)
    p.set_defaults(handler=_cmd_queue)
    p = actions.add_parser(
        "accept", help="accept a candidate as evidence (rescores)",
        description="Turn a pending candidate into evidence, optionally editing columns, and "
        "rescore.\n\nexample: python -m risk review accept 3 --reviewer ana --set magnitude=4 "
        "--set source_reliability=B", formatter_class=raw,
    )  # fmt: skip
    p.add_argument("id", type=int, help="candidate id")
    p.add_argument("--reviewer", required=True, help="who reviewed it")
    p.add_argument("--set", action="append", metavar="COLUMN=VALUE",
                   help="edit an evidence column before accepting (repeatable)")  # fmt: skip
    _add_db(p)
    p.set_defaults(handler=_cmd_accept)
    p = actions.add_parser(
        "reject", help="reject a candidate with a reason",
        description="Reject a pending candidate; it is kept with the reason and never proposed "
        "again.\n\nexample: python -m risk review reject 3 --reviewer ana --reason "
        "\"duplicate of EV-0012\"", formatter_class=raw,
    )  # fmt: skip
    p.add_argument("id", type=int, help="candidate id")
    p.add_argument("--reviewer", required=True, help="who reviewed it")
    p.add_argument("--reason", required=True, help="why it is rejected")
    _add_db(p)
    p.set_defaults(handler=_cmd_reject)
