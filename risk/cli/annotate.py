"""``python -m risk annotate``: add, list, edit, delete, restore and show the history of notes.

A thin layer over ``risk.annotations``: each sub-command parses its options, calls one
library function and prints the result, so the CLI and the dashboard follow the same rules.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from risk import annotations, bootstrap, db
from risk.cli.common import add_db, iso_date
from risk.errors import ValidationError
from risk.settings import Settings

_RAW = argparse.RawDescriptionHelpFormatter


def _annotation_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an annotation id (a number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an annotation id (ids start at 1)")
    return value


def _date_or_empty(text: str) -> str:
    """For ``edit``: an empty value clears the field, anything else must be YYYY-MM-DD."""
    return "" if text == "" else iso_date(text)


def _print_json(records: list[dict]) -> None:
    print(json.dumps([annotations.as_json(r) for r in records], ensure_ascii=False, indent=2))


def _clip(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _span(record: dict) -> str:
    start, end = record["start_date"], record["end_date"]
    return f"{start}" if end is None or end == start else f"{start}..{end}"


def _print_table(records: list[dict], show_deleted: bool) -> None:
    if not records:
        print("no annotations match")
        return
    header = f"{'id':>5}  {'dates':<22} {'dependent':<10} {'family':<13} {'author':<12} "
    print(header + ("state    " if show_deleted else "") + "title [tags]")
    for r in records:
        tags = f" [{', '.join(r['tags'])}]" if r["tags"] else ""
        state = f"{'deleted' if r['deleted'] else 'live':<9}" if show_deleted else ""
        print(f"{r['id']:>5}  {_span(r):<22} {_clip(r['dependent'], 10):<10} "
              f"{_clip(r['family'] or '-', 13):<13} {_clip(r['author'], 12):<12} "
              f"{state}{_clip(r['title'], 60)}{tags}")  # fmt: skip
    print(f"{len(records)} annotation(s)")


def _changed(previous: dict | None, revision: dict) -> str:
    if previous is None:
        return "created"
    keys = ("dependent", "family", "evidence_id", "start_date", "end_date", "title", "body",
            "tags")  # fmt: skip
    names = [k for k in keys if previous[k] != revision[k]]
    return ", ".join(names) or "-"


def _print_history(revisions: list[dict]) -> None:
    first = revisions[0]
    print(f"annotation {first['id']}: {len(revisions)} revision(s), times in UTC")
    print(f"{'rev':>4}  {'action':<8} {'changed_at':<19}  {'author':<16} {'changed':<28} title")
    previous = None
    for r in revisions:
        when = r["changed_at"].isoformat(sep=" ", timespec="seconds")
        print(f"{r['revision']:>4}  {r['action']:<8} {when:<19}  {_clip(r['author'], 16):<16} "
              f"{_clip(_changed(previous, r), 28):<28} {_clip(r['title'], 60)}")  # fmt: skip
        previous = r


def _cmd_add(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    fields = {
        "dependent": args.dependent, "date": args.date, "end_date": args.end,
        "family": args.family, "evidence_id": args.evidence, "title": args.title,
        "body": args.body, "tags": args.tag or [],
    }  # fmt: skip
    record = annotations.add(fields, annotations.resolve_author(args.author), path,
                             settings.methodology)  # fmt: skip
    print(f"added annotation {record['id']}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    with db.connect(path) as con:
        records = annotations.list_annotations(
            con, dependent=args.dependent, family=args.family, tag=args.tag,
            date_from=args.date_from, date_to=args.date_to, author=args.author,
            include_deleted=args.deleted,
        )  # fmt: skip
    if args.json:
        _print_json(records)
    else:
        _print_table(records, args.deleted)
    return 0


def _cmd_edit(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    options = {
        "dependent": args.dependent, "date": args.date, "end_date": args.end,
        "family": args.family, "evidence_id": args.evidence, "title": args.title,
        "body": args.body, "tags": [] if args.no_tags else args.tag,
    }  # fmt: skip
    changes = {k: v for k, v in options.items() if v is not None}
    if not changes:
        raise ValidationError(
            "nothing to change: give --title, --body, --date, --end, --family, --evidence, "
            "--dependent, --tag or --no-tags"
        )
    before = _revision_of(path, args.id)
    record = annotations.edit(args.id, changes, annotations.resolve_author(args.author), path,
                              settings.methodology)  # fmt: skip
    if record["revision"] == before:
        print(f"annotation {record['id']} unchanged: the values given are the current ones")
    else:
        print(f"edited annotation {record['id']}: now revision {record['revision']}")
    return 0


def _revision_of(path: Path, annotation_id: int) -> int | None:
    with db.connect(path) as con:
        row = con.execute("SELECT revision FROM annotations WHERE id = ?", [annotation_id])
        found = row.fetchone()
    return found[0] if found else None


def _cmd_delete(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    record = annotations.delete(args.id, annotations.resolve_author(args.author), path)
    print(f"deleted annotation {record['id']} (kept with its history; "
          f"undo with: python -m risk annotate restore {record['id']})")  # fmt: skip
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    record = annotations.restore(args.id, annotations.resolve_author(args.author), path)
    print(f"restored annotation {record['id']}: now revision {record['revision']}")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    with db.connect(path) as con:
        revisions = annotations.history(con, args.id)
    if args.json:
        _print_json(revisions)
    else:
        _print_history(revisions)
    return 0


def _add_author(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--author", metavar="A", default=None,
                        help="who is making the change (default: your OS user name)")  # fmt: skip


def _parser(sub: argparse._SubParsersAction, name: str, summary: str, text: str,
            example: str) -> argparse.ArgumentParser:  # fmt: skip
    return sub.add_parser(name, help=summary, formatter_class=_RAW,
                          description=f"{text}\n\nexample:\n  {example}")  # fmt: skip


def _register_add(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "add", "add an annotation; prints its id",
                "Add a note to a dependent at a date or over a date range, optionally about one "
                "family (or the composite) and one evidence item. Text is stored exactly as "
                "typed.",
                "python -m risk annotate add --dependent microsoft --date 2024-03-29 "
                "--title 'Stargate report' --body 'Single-source report; discount it.' "
                "--family spend --tag stargate")  # fmt: skip
    p.add_argument("--dependent", metavar="D", required=True, help="dependent id or alias")
    p.add_argument("--date", metavar="YYYY-MM-DD", type=iso_date, required=True,
                   help="the day the note is about (first day of a range)")
    p.add_argument("--title", metavar="T", required=True, help=f"{annotations.MAX_TITLE} "
                   "characters at most")
    p.add_argument("--body", metavar="B", required=True,
                   help=f"{annotations.MAX_BODY:,} characters at most; may be ''")
    p.add_argument("--end", metavar="YYYY-MM-DD", type=iso_date, default=None,
                   help="last day of a range (default: a single day)")
    p.add_argument("--family", metavar="F", default=None,
                   help="a family from data/methodology.toml, or composite "
                   "(default: the dependent as a whole)")
    p.add_argument("--evidence", metavar="ID", default=None, help="an evidence item id")
    p.add_argument("--tag", metavar="X", action="append",
                   help="a tag (letters, digits, - and _); repeat for several")  # fmt: skip
    _add_author(p)
    add_db(p)
    p.set_defaults(handler=_cmd_add)


def _register_list(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "list", "list annotations, with filters",
                "List live annotations by start date; every filter given must match. The "
                "dates keep annotations that overlap the range.",
                "python -m risk annotate list --dependent openai --from 2024-01-01 --tag "
                "stargate --json")  # fmt: skip
    p.add_argument("--dependent", metavar="D", help="dependent id or alias")
    p.add_argument("--family", metavar="F", help="exactly this family (or composite)")
    p.add_argument("--tag", metavar="X", help="carrying this tag (any case)")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=iso_date,
                   help="ending on or after this day")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=iso_date,
                   help="starting on or before this day")
    p.add_argument("--author", metavar="A", help="created by this person (any case)")
    p.add_argument("--deleted", action="store_true", help="include deleted annotations")
    p.add_argument("--json", action="store_true", help="a JSON array of objects on stdout")
    add_db(p)  # fmt: skip
    p.set_defaults(handler=_cmd_list)


def _register_edit(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "edit", "change some fields of an annotation (a new revision)",
                "Change only the fields given; the previous state stays in the history. "
                "An empty --end, --family or --evidence clears it; --tag replaces all tags.",
                "python -m risk annotate edit 3 --title 'Stargate: confirmed' --tag stargate "
                "--tag confirmed")  # fmt: skip
    p.add_argument("id", type=_annotation_id, help="annotation id")
    p.add_argument("--title", metavar="T")
    p.add_argument("--body", metavar="B")
    p.add_argument("--dependent", metavar="D", help="dependent id or alias")
    p.add_argument("--date", metavar="YYYY-MM-DD", type=iso_date, help="new start day")
    p.add_argument("--end", metavar="YYYY-MM-DD", type=_date_or_empty,
                   help="new last day; '' makes it a single day")
    p.add_argument("--family", metavar="F", help="new family or composite; '' for none")
    p.add_argument("--evidence", metavar="ID", help="new evidence item; '' for none")
    tags = p.add_mutually_exclusive_group()
    tags.add_argument("--tag", metavar="X", action="append",
                      help="a tag; repeat for several; replaces the current tags")
    tags.add_argument("--no-tags", action="store_true", help="remove every tag")
    _add_author(p)
    add_db(p)  # fmt: skip
    p.set_defaults(handler=_cmd_edit)


def _register_id_command(sub: argparse._SubParsersAction, name: str, summary: str, text: str,
                         handler: Callable[[argparse.Namespace], int],
                         json_option: bool = False) -> None:  # fmt: skip
    example = f"python -m risk annotate {name} 3" + (" --json" if json_option else "")
    p = _parser(sub, name, summary, text, example)
    p.add_argument("id", type=_annotation_id, help="annotation id")
    if json_option:
        p.add_argument("--json", action="store_true",
                       help="a JSON array, one object per revision (id, revision, ...)")
    else:
        _add_author(p)
    add_db(p)
    p.set_defaults(handler=handler)


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser(
        "annotate", help="analyst notes: add, list, edit, delete, restore, history",
        formatter_class=_RAW,
        description="Analyst notes on the story, kept with every revision; deleting one "
        "only hides it and restore brings it back.\n\nexample:\n"
        "  python -m risk annotate list --dependent microsoft",
    )  # fmt: skip
    actions = group.add_subparsers(dest="annotate_command", metavar="ACTION")
    actions.required = True
    _register_add(actions)
    _register_list(actions)
    _register_edit(actions)
    _register_id_command(actions, "delete", "soft-delete an annotation (restorable)",
                         "Hide an annotation from lists and charts. It is kept, with its "
                         "history, and comes back with restore.", _cmd_delete)
    _register_id_command(actions, "restore", "bring back a deleted annotation",
                         "Undo a delete; the restore is recorded as a revision.", _cmd_restore)
    _register_id_command(actions, "history", "every revision of an annotation, oldest first",
                         "Show who changed what and when; each revision holds the full state.",
                         _cmd_history, json_option=True)  # fmt: skip
