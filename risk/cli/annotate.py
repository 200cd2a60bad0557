"""``python -m risk annotate``: add, list, edit, delete, restore and show the history of notes.

A thin layer over ``risk.annotations``: each sub-command parses its options, calls one
library function and prints the result, so the CLI and the dashboard follow the same rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import click

from risk import annotations, bootstrap, db, identity
from risk.cli.common import ISO_DATE, Checked, Group, Handler, command, flag
from risk.errors import ValidationError
from risk.settings import Settings


def _annotation_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an annotation id (a number)") from None
    if value < 1:
        raise ValueError(f"{value} is not an annotation id (ids start at 1)")
    return value


def _date_or_empty(text: str) -> str:
    """For ``edit``: an empty value clears the field, anything else must be YYYY-MM-DD."""
    return "" if text == "" else ISO_DATE.convert(text, None, None)  # type: ignore[return-value]


ANNOTATION_ID = Checked("ID", _annotation_id)
DATE_OR_EMPTY = Checked("YYYY-MM-DD", _date_or_empty)


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


def _cmd_add(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    fields = {
        "dependent": args.dependent, "date": args.date, "end_date": args.end,
        "family": args.family, "evidence_id": args.evidence, "title": args.title,
        "body": args.body, "tags": list(args.tag),
    }  # fmt: skip
    record = annotations.add(fields, identity.cli_actor(args.author), path,
                             settings.methodology)  # fmt: skip
    print(f"added annotation {record['id']}")
    return 0


def _cmd_list(args: SimpleNamespace) -> int:
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


def _cmd_edit(args: SimpleNamespace) -> int:
    if args.tag and args.no_tags:
        raise click.UsageError("argument --no-tags: not allowed with argument --tag")
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    options = {
        "dependent": args.dependent, "date": args.date, "end_date": args.end,
        "family": args.family, "evidence_id": args.evidence, "title": args.title,
        "body": args.body, "tags": [] if args.no_tags else (list(args.tag) or None),
    }  # fmt: skip
    changes = {k: v for k, v in options.items() if v is not None}
    if not changes:
        raise ValidationError(
            "nothing to change: give --title, --body, --date, --end, --family, --evidence, "
            "--dependent, --tag or --no-tags"
        )
    before = _revision_of(path, args.id)
    record = annotations.edit(args.id, changes, identity.cli_actor(args.author), path,
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


def _cmd_delete(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    record = annotations.delete(args.id, identity.cli_actor(args.author), path)
    print(f"deleted annotation {record['id']} (kept with its history; "
          f"undo with: python -m risk annotate restore {record['id']})")  # fmt: skip
    return 0


def _cmd_restore(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    record = annotations.restore(args.id, identity.cli_actor(args.author), path)
    print(f"restored annotation {record['id']}: now revision {record['revision']}")
    return 0


def _cmd_history(args: SimpleNamespace) -> int:
    settings = Settings.resolve(args.db)
    path = bootstrap.ensure_ready(settings.db_path, settings.methodology)
    with db.connect(path) as con:
        revisions = annotations.history(con, args.id)
    if args.json:
        _print_json(revisions)
    else:
        _print_history(revisions)
    return 0


def _author() -> click.Option:
    return click.Option(["--author"], metavar="A", default=None,
                        help="on behalf of this person: recorded next to you, the OS user, "
                             "who is always the author")  # fmt: skip


def _text(summary: str, text: str, example: str) -> tuple[str, str]:
    return summary, f"{text}\n\nexample:\n  {example}"


def _opt(name: str, metavar: str, help_text: str | None = None, **more: object) -> click.Option:
    dest = more.pop("dest", None)
    decls = [name, dest] if dest else [name]
    return click.Option(decls, metavar=metavar, help=help_text, **more)  # type: ignore[arg-type]


def _add() -> click.Command:
    summary, text = _text("add an annotation; prints its id",
                          "Add a note to a dependent at a date or over a date range, optionally "
                          "about one family (or the composite) and one evidence item. Text is "
                          "stored exactly as typed.",
                          "python -m risk annotate add --dependent microsoft --date 2024-03-29 "
                          "--title 'Stargate report' --body 'Single-source report; discount "
                          "it.' --family spend --tag stargate")  # fmt: skip
    return command("add", _cmd_add, summary, text, [
        _opt("--dependent", "D", "dependent id or alias", required=True),
        _opt("--date", "YYYY-MM-DD", "the day the note is about (first day of a range)",
             type=ISO_DATE, required=True),
        _opt("--title", "T", f"{annotations.MAX_TITLE} characters at most", required=True),
        _opt("--body", "B", f"{annotations.MAX_BODY:,} characters at most; may be ''",
             required=True),
        _opt("--end", "YYYY-MM-DD", "last day of a range (default: a single day)",
             type=ISO_DATE),
        _opt("--family", "F", "a family from data/methodology.toml, or composite (default: "
             "the dependent as a whole)"),
        _opt("--evidence", "ID", "an evidence item id"),
        _opt("--tag", "X", "a tag (letters, digits, - and _); repeat for several",
             multiple=True),
        _author(),
    ])  # fmt: skip


def _list() -> click.Command:
    summary, text = _text("list annotations, with filters",
                          "List live annotations by start date; every filter given must match. "
                          "The dates keep annotations that overlap the range.",
                          "python -m risk annotate list --dependent openai --from 2024-01-01 "
                          "--tag stargate --json")  # fmt: skip
    return command("list", _cmd_list, summary, text, [
        _opt("--dependent", "D", "dependent id or alias"),
        _opt("--family", "F", "exactly this family (or composite)"),
        _opt("--tag", "X", "carrying this tag (any case)"),
        _opt("--from", "YYYY-MM-DD", "ending on or after this day", type=ISO_DATE,
             dest="date_from"),
        _opt("--to", "YYYY-MM-DD", "starting on or before this day", type=ISO_DATE,
             dest="date_to"),
        _opt("--author", "A", "created by this person (any case)"),
        flag("--deleted", "include deleted annotations"),
        flag("--json", "a JSON array of objects on stdout"),
    ])  # fmt: skip


def _edit() -> click.Command:
    summary, text = _text("change some fields of an annotation (a new revision)",
                          "Change only the fields given; the previous state stays in the "
                          "history. An empty --end, --family or --evidence clears it; --tag "
                          "replaces all tags.",
                          "python -m risk annotate edit 3 --title 'Stargate: confirmed' --tag "
                          "stargate --tag confirmed")  # fmt: skip
    return command("edit", _cmd_edit, summary, text, [
        click.Argument(["id"], type=ANNOTATION_ID),
        _opt("--title", "T"), _opt("--body", "B"),
        _opt("--dependent", "D", "dependent id or alias"),
        _opt("--date", "YYYY-MM-DD", "new start day", type=ISO_DATE),
        _opt("--end", "YYYY-MM-DD", "new last day; '' makes it a single day",
             type=DATE_OR_EMPTY),
        _opt("--family", "F", "new family or composite; '' for none"),
        _opt("--evidence", "ID", "new evidence item; '' for none"),
        _opt("--tag", "X", "a tag; repeat for several; replaces the current tags",
             multiple=True),
        flag("--no-tags", "remove every tag"),
        _author(),
    ])  # fmt: skip


def _id_command(name: str, summary: str, text: str, handler: Handler,
                json_option: bool = False) -> click.Command:  # fmt: skip
    example = f"python -m risk annotate {name} 3" + (" --json" if json_option else "")
    summary, text = _text(summary, text, example)
    extra = flag("--json", "a JSON array, one object per revision (id, revision, ...)") \
        if json_option else _author()  # fmt: skip
    return command(name, handler, summary, text,
                   [click.Argument(["id"], type=ANNOTATION_ID), extra])  # fmt: skip


def group() -> click.Group:
    """``annotate`` and its actions."""
    annotate = Group("annotate", short_help="analyst notes: add, list, edit, delete, restore, "
                     "history", help="Analyst notes on the story, kept with every revision; "
                     "deleting one only hides it and restore brings it back.\n\nexample:\n"
                     "  python -m risk annotate list --dependent microsoft",
                     options_metavar="", subcommand_metavar="ACTION ...")  # fmt: skip
    for cmd in (
        _add(), _list(), _edit(),
        _id_command("delete", "soft-delete an annotation (restorable)",
                    "Hide an annotation from lists and charts. It is kept, with its history, "
                    "and comes back with restore.", _cmd_delete),
        _id_command("restore", "bring back a deleted annotation",
                    "Undo a delete; the restore is recorded as a revision.", _cmd_restore),
        _id_command("history", "every revision of an annotation, oldest first",
                    "Show who changed what and when; each revision holds the full state.",
                    _cmd_history, json_option=True),
    ):  # fmt: skip
        annotate.add_command(cmd)
    return annotate
