"""Analyst annotations: notes on the story, kept with every revision and never really deleted.

Annotations are the data analysts would most hate to lose, so every change (create, edit,
delete, restore) writes a full copy of the new state to ``annotation_revisions``, deletion
only sets ``deleted_at``, and there is no SQL here that removes a row. Text is stored exactly
as typed (HTML or ``javascript:`` links included): making it inert is the display's job, and
silently rewriting what an analyst wrote would be worse. Only control characters, which no
one types on purpose and which can corrupt a terminal or a CSV, are refused.

Writes go through ``db.write_with_retry`` (via ``audit.write``) so a dashboard session and
a CLI writing at the same moment both land; ids come from ``annotation_id_seq``. Timestamps
are naive UTC. Each write is checked against the actor's role (an analyst changes only
their own notes) and recorded in the audit trail in the same transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from risk import access, audit, organisations, scoring
from risk.errors import NotFoundError, Problem, ValidationError
from risk.evidence import parse_iso_date
from risk.identity import Actor, local_actor
from risk.methodology import COMPOSITE, Methodology

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_TAGS = 20
MAX_TAG = 40
MAX_AUTHOR = 100
# Keys ``add`` and ``edit`` accept; ``start_date`` is a synonym of ``date`` so a dict read
# back from ``list_annotations`` can be passed straight to ``edit``.
FIELDS = ("dependent", "family", "evidence_id", "date", "end_date", "title", "body", "tags")
_SYNONYMS = {"start_date": "date"}
_TAG = re.compile(r"[\w-]+")  # \w: letters and digits of any script, and _
_COLUMNS = (
    "id", "dependent", "family", "evidence_id", "start_date", "end_date", "title", "body",
    "tags", "author", "created_at", "updated_by", "updated_at", "revision", "deleted_at",
    "deleted_by",
)  # fmt: skip
_STATE = ("dependent", "family", "evidence_id", "start_date", "end_date", "title", "body", "tags")
_REVISION_COLUMNS = ("annotation_id", "revision", "action", "author", "changed_at", *_STATE,
                     "deleted")  # fmt: skip
# Which annotations belong on a panel: the dependent as a whole, the same family, or (on
# the composite panel) any family.
_PANEL_RULE = "(family IS NULL OR family = ? OR ? = 'composite')"


# ---------------------------------------------------------------- validation


def _bad_character(text: str, allowed: str) -> str | None:
    """The first control or unencodable character, described for the message."""
    for pos, char in enumerate(text):
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return f"U+{ord(char):04X} at position {pos + 1}"
    return None


class _Checker:
    """Turns user input into stored values, collecting one message per problem."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection | None = None, method: Methodology | None = None
    ) -> None:
        self.con = con
        self.method = method
        self.problems: list[Problem] = []

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def text(self, field: str, value: object, limit: int, allowed: str, required: bool) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.bad(field, f"must be text, not {type(value).__name__}")
            return ""
        if required and not value.strip():
            self.bad(field, "is empty")
        elif len(value) > limit:
            self.bad(field, f"is {len(value):,} characters; {limit:,} at most")
        where = _bad_character(value, allowed)
        if where:
            kinds = " or ".join({"\n": "newline", "\t": "tab"}.get(c, repr(c)) for c in allowed)
            only = f"only {kinds} allowed" if allowed else "none allowed"
            self.bad(field, f"contains a control character ({where}); {only}")
        return value

    def dependent(self, value: object) -> str | None:
        name = value.strip() if isinstance(value, str) else ""
        if not name:
            self.bad("dependent", "is empty")
            return None
        found = organisations.directory(self.con).resolve(name)
        if found is None or "dependent" not in found.roles:
            known = ", ".join(o.id for o in organisations.directory(self.con).with_role(
                "dependent"))  # fmt: skip
            what = "unknown dependent" if found is None else "not a dependent"
            self.bad("dependent", f"{what} {name!r} (known: {known})")
            return None
        return found.id

    def family(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        if value == COMPOSITE or value in self.method.families:
            return str(value)
        known = ", ".join([*self.method.families, COMPOSITE])
        self.bad("family", f"unknown family {value!r} (known: {known})")
        return None

    def evidence(self, value: object) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        ref = str(value).strip()
        row = self.con.execute("SELECT id FROM evidence WHERE id = ?", [ref]).fetchone()
        if row is None:
            self.bad("evidence_id", f"no evidence item {ref!r}")
            return None
        return ref

    def day(self, field: str, value: object, required: bool) -> date | None:
        if value is None or value == "":
            if required:
                self.bad(field, "is empty (expected YYYY-MM-DD)")
            return None
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = parse_iso_date(str(value).strip())
            except ValueError as exc:
                self.bad(field, str(exc))
                return None
        first, today = scoring.grid_bounds(self.con, self.method)[0], date.today()
        if value < first:
            self.bad(field, f"{value} is before the first day of the data ({first})")
        elif value > today:
            self.bad(field, f"{value} is after today ({today})")
        return value

    def tags(self, value: object) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, Iterable):
            self.bad("tags", "must be a list of tags")
            return []
        tags: list[str] = []
        for tag in value:
            if isinstance(tag, str) and not tag:
                self.bad("tags", "an empty tag")
            elif not isinstance(tag, str) or not _TAG.fullmatch(tag):
                self.bad("tags", f"{tag!r} may hold only letters, digits, - and _")
            elif len(tag) > MAX_TAG:
                self.bad("tags", f"{tag[:20]!r}... is {len(tag)} characters; {MAX_TAG} at most")
            elif tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            self.bad("tags", f"{len(tags)} tags; {MAX_TAGS} at most")
        return tags

    def field(self, name: str, value: object) -> object:
        """The stored value of one input field (``date`` is stored as ``start_date``)."""
        checks: dict[str, Callable[[object], object]] = {
            "dependent": self.dependent,
            "family": self.family,
            "evidence_id": self.evidence,
            "date": lambda v: self.day("date", v, required=True),
            "end_date": lambda v: self.day("end_date", v, required=False),
            "title": lambda v: self.text("title", v, MAX_TITLE, "", required=True),
            "body": lambda v: self.text("body", v, MAX_BODY, "\n\t", required=False),
            "tags": self.tags,
        }
        return checks[name](value)

    def coherent(self, state: dict) -> None:
        """Rules across fields, checked on the whole new state."""
        start, end = state["start_date"], state["end_date"]
        if start is not None and end is not None and end < start:
            self.bad("end_date", f"{end} is before the start date {start}")
        if state["evidence_id"] and state["dependent"]:
            row = self.con.execute(
                "SELECT dependent FROM evidence WHERE id = ?", [state["evidence_id"]]
            ).fetchone()
            if row and row[0] != state["dependent"]:
                self.bad("evidence_id", f"{state['evidence_id']} is about {row[0]}, "
                         f"not {state['dependent']}")  # fmt: skip

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def _normalise_keys(fields: dict) -> dict:
    """Map synonyms; unknown keys are a problem, not something to ignore silently."""
    out: dict = {}
    unknown = []
    for key, value in fields.items():
        name = _SYNONYMS.get(key, key)
        if name not in FIELDS:
            unknown.append(key)
        elif name in out:
            raise ValidationError(Problem(key, "given twice (as date and start_date)"))
        else:
            out[name] = value
    if unknown:
        raise ValidationError(
            [Problem(k, f"unknown field (known: {', '.join(FIELDS)})") for k in unknown]
        )
    return out


def _author(name: object) -> str:
    checker = _Checker()
    value = checker.text("author", name, MAX_AUTHOR, "", required=True).strip()
    checker.raise_if_any()
    return value


def _actor(author: Actor | str) -> Actor:
    """The actor of a write: the one given (dashboard, CLI), or for a plain name (scripts,
    tests) a local user of that name, with every right as on one's own machine."""
    if isinstance(author, Actor):
        return author
    return local_actor("127.0.0.1", _author(author))


def _audit_state(record: dict) -> dict:
    """The note as the audit trail keeps it: its fields and whether it is deleted."""
    return {k: record[k] for k in (*_STATE, "author", "revision", "deleted")}


def _require_change(actor: Actor, current: dict, action: str) -> None:
    """Analysts change only their own notes; methodologists and admins anyone's."""
    before = _audit_state(current)
    actor.require(access.ANNOTATE, action, "annotation", current["id"], before)
    if not actor.may_change_note_of(current["author"]):
        actor.require(access.ANNOTATE_ANY, action, "annotation", current["id"], before)


# ---------------------------------------------------------------- reading


def _as_date(value: date | str | None, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise ValidationError(Problem(field, str(exc))) from exc


def _record(row: tuple) -> dict:
    record = dict(zip(_COLUMNS, row, strict=True))
    record["tags"] = list(record["tags"])
    record["deleted"] = record["deleted_at"] is not None
    return record


def _select(con: duckdb.DuckDBPyConnection, where: list[str], params: list) -> list[dict]:
    sql = f"SELECT {', '.join(_COLUMNS)} FROM annotations"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = con.execute(sql + " ORDER BY start_date, id", params).fetchall()
    return [_record(r) for r in rows]


def _dependent_id(con: duckdb.DuckDBPyConnection, name: str) -> str:
    found = organisations.directory(con).resolve(name)
    if found is None:
        raise ValidationError(Problem("dependent", f"unknown dependent {name!r}"))
    return found.id


def get(con: duckdb.DuckDBPyConnection, annotation_id: int) -> dict:
    """One annotation, deleted or not; NotFoundError when the id was never used."""
    found = _select(con, ["id = ?"], [int(annotation_id)])
    if not found:
        raise NotFoundError(f"no annotation with id {annotation_id}")
    return found[0]


def list_annotations(
    con: duckdb.DuckDBPyConnection,
    dependent: str | None = None,
    family: str | None = None,
    tag: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    author: str | None = None,
    include_deleted: bool = False,
) -> list[dict]:
    """Annotations matching every filter given, by start date. The dates keep those that
    overlap the range; ``tag`` and ``author`` ignore case; ``author`` is the creator."""
    where: list[str] = []
    params: list = []
    if dependent:
        where.append("dependent = ?")
        params.append(_dependent_id(con, dependent))
    if family:
        where.append("family = ?")
        params.append(family)
    if tag:
        where.append("list_contains(list_transform(tags, lambda t: lower(t)), lower(?))")
        params.append(tag)
    start, end = _as_date(date_from, "from"), _as_date(date_to, "to")
    if start and end and end < start:
        raise ValidationError(Problem("to", f"{end} is before from {start}"))
    if start:
        where.append("coalesce(end_date, start_date) >= ?")
        params.append(start)
    if end:
        where.append("start_date <= ?")
        params.append(end)
    if author:
        where.append("lower(author) = lower(?)")
        params.append(author.strip())
    if not include_deleted:
        where.append("deleted_at IS NULL")
    return _select(con, where, params)


def for_panel(con: duckdb.DuckDBPyConnection, dependent: str, family: str) -> list[dict]:
    """Live annotations to draw on one trend panel (a family's, or the composite's)."""
    where = ["dependent = ?", _PANEL_RULE, "deleted_at IS NULL"]
    return _select(con, where, [_dependent_id(con, dependent), family, family])


def covering(
    con: duckdb.DuckDBPyConnection, dependent: str, family: str, day: date | str
) -> list[dict]:
    """Live annotations of the dependent that speak to this family (or any, for the
    composite) and cover the day: shown beside the "why this number" view."""
    when = _as_date(day, "day")
    where = ["dependent = ?", _PANEL_RULE, "deleted_at IS NULL",
             "start_date <= ?", "coalesce(end_date, start_date) >= ?"]  # fmt: skip
    return _select(con, where, [_dependent_id(con, dependent), family, family, when, when])


def history(con: duckdb.DuckDBPyConnection, annotation_id: int) -> list[dict]:
    """Every revision, oldest first, each with the full state after that change."""
    rows = con.execute(
        f"SELECT {', '.join(_REVISION_COLUMNS)} FROM annotation_revisions "
        "WHERE annotation_id = ? ORDER BY revision",
        [int(annotation_id)],
    ).fetchall()
    if not rows:
        raise NotFoundError(f"no annotation with id {annotation_id}")
    revisions = []
    for row in rows:
        rev = dict(zip(("id", *_REVISION_COLUMNS[1:]), row, strict=True))
        rev["tags"] = list(rev["tags"])
        revisions.append(rev)
    return revisions


def as_json(record: dict) -> dict:
    """The same record with dates and timestamps as ISO 8601 text, for ``json.dumps``."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in record.items()}


# ---------------------------------------------------------------- writing


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _record_revision(con: duckdb.DuckDBPyConnection, record: dict, action: str,
                     author: str, when: datetime) -> None:  # fmt: skip
    con.execute(
        f"INSERT INTO annotation_revisions ({', '.join(_REVISION_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_REVISION_COLUMNS))})",
        [record["id"], record["revision"], action, author, when,
         *(record[k] for k in _STATE), record["deleted"]],
    )  # fmt: skip


def add(fields: dict, author: Actor | str, db_file: str | Path, method: Methodology) -> dict:
    """Validate and store a new annotation; every problem is reported, nothing is written.
    ``author`` is the actor (needs the ``annotate`` right) or, from scripts, a name."""
    actor = _actor(author)
    who = actor.who
    given = _normalise_keys(fields)

    def work(con: duckdb.DuckDBPyConnection) -> dict:
        actor.require(access.ANNOTATE, "annotation.add", "annotation")
        checker = _Checker(con, method)
        values = {name: checker.field(name, given.get(name)) for name in FIELDS}
        state = {("start_date" if k == "date" else k): v for k, v in values.items()}
        checker.coherent(state)
        checker.raise_if_any()
        when = _now()
        new_id = con.execute(
            f"INSERT INTO annotations ({', '.join(_STATE)}, author, created_at, updated_by, "
            f"updated_at, revision) VALUES ({', '.join('?' * (len(_STATE) + 5))}) RETURNING id",
            [*(state[k] for k in _STATE), who, when, who, when, 1],
        ).fetchone()[0]
        record = get(con, new_id)
        _record_revision(con, record, "create", who, when)
        audit.record(con, actor, "annotation.add", "annotation", new_id,
                     after=_audit_state(record))  # fmt: skip
        return record

    return audit.write(work, db_file)


def edit(annotation_id: int, changes: dict, author: Actor | str, db_file: str | Path,
         method: Methodology) -> dict:  # fmt: skip
    """Change only the given fields; a new revision holds the full new state. An edit that
    changes nothing records nothing and returns the annotation as it stands. An analyst
    may edit only their own notes."""
    actor = _actor(author)
    who = actor.who
    given = _normalise_keys(changes)
    if not given:
        raise ValidationError("nothing to change: give at least one field")

    def work(con: duckdb.DuckDBPyConnection) -> dict:
        current = get(con, annotation_id)
        _require_change(actor, current, "annotation.edit")
        if current["deleted"]:
            raise ValidationError(f"annotation {annotation_id} is deleted; restore it first")
        checker = _Checker(con, method)
        state = {k: current[k] for k in _STATE}
        for name, value in given.items():
            key = "start_date" if name == "date" else name
            if not _unchanged(current[key], value):  # an old value stays valid as it was
                state[key] = checker.field(name, value)
        checker.coherent(state)
        checker.raise_if_any()
        if all(state[k] == current[k] for k in _STATE):
            return current
        when = _now()
        sets = ", ".join(f"{k} = ?" for k in _STATE)
        con.execute(
            f"UPDATE annotations SET {sets}, updated_by = ?, updated_at = ?, "
            "revision = revision + 1 WHERE id = ?",
            [*(state[k] for k in _STATE), who, when, current["id"]],
        )
        record = get(con, current["id"])
        _record_revision(con, record, "edit", who, when)
        audit.record(con, actor, "annotation.edit", "annotation", current["id"],
                     before=_audit_state(current), after=_audit_state(record))  # fmt: skip
        return record

    return audit.write(work, db_file)


def _unchanged(current: object, given: object) -> bool:
    """Whether an edit re-sends the stored value (the dashboard's form sends every field),
    so it is not re-validated against rules that may have tightened since."""
    if isinstance(current, date):
        return given == current or given == current.isoformat()
    if current is None:
        return given in (None, "")
    if isinstance(current, list):
        return isinstance(given, list | tuple) and list(given) == current
    return given == current


def _set_deleted(annotation_id: int, deleted: bool, author: Actor | str,
                 db_file: str | Path | None) -> dict:  # fmt: skip
    actor = _actor(author)
    who = actor.who
    action = "annotation.delete" if deleted else "annotation.restore"

    def work(con: duckdb.DuckDBPyConnection) -> dict:
        current = get(con, annotation_id)
        _require_change(actor, current, action)
        if current["deleted"] == deleted:
            state = "already deleted" if deleted else "not deleted"
            raise ValidationError(f"annotation {annotation_id} is {state}")
        when = _now()
        con.execute(
            "UPDATE annotations SET deleted_at = ?, deleted_by = ?, updated_by = ?, "
            "updated_at = ?, revision = revision + 1 WHERE id = ?",
            [when if deleted else None, who if deleted else None, who, when, current["id"]],
        )
        record = get(con, current["id"])
        _record_revision(con, record, "delete" if deleted else "restore", who, when)
        audit.record(con, actor, action, "annotation", current["id"],
                     before=_audit_state(current), after=_audit_state(record))  # fmt: skip
        return record

    return audit.write(work, db_file)


def delete(annotation_id: int, author: Actor | str, db_file: str | Path) -> dict:
    """Soft delete: hidden from lists and charts, kept with its history, restorable. An
    analyst may delete only their own notes."""
    return _set_deleted(annotation_id, True, author, db_file)


def restore(annotation_id: int, author: Actor | str, db_file: str | Path) -> dict:
    """Undo a delete; the restore is itself a revision."""
    return _set_deleted(annotation_id, False, author, db_file)
