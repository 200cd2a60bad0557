"""Organisations as data: dependents, vendors, alternatives and partners, with aliases.

Adding Meta as a dependent or AMD as a vendor is a CSV row, never a code change; and the
press writes "NVIDIA", "Nvidia Corp" or "Azure", so names are resolved through aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from risk import audit
from risk.errors import Problem, ValidationError, clip
from risk.identity import Actor
from risk.textfiles import control_message

ROLES = ("dependent", "vendor", "alternative", "partner")
ORG_COLUMNS = ("id", "name", "roles", "aliases")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    roles: tuple[str, ...]
    aliases: tuple[str, ...]


class Directory:
    """Looks organisations up by id, name or alias, ignoring case."""

    def __init__(self, orgs: list[Organisation]) -> None:
        self.by_id = {o.id: o for o in orgs}
        self._names: dict[str, Organisation] = {}
        for org in orgs:
            for name in (org.id, org.name, *org.aliases):
                self._names.setdefault(name.casefold(), org)

    def resolve(self, name: str) -> Organisation | None:
        return self._names.get(name.strip().casefold())

    def check(self, name: str, role: str | None = None) -> tuple[str | None, str | None]:
        """(id, problem): the id ``name`` stands for (None if unknown), and why it cannot be
        used here (unknown, or lacking ``role``), None when it can. The one rule behind
        every form, file and import that names an organisation."""
        org = self.resolve(name)
        if org is None:
            return None, f"unknown organisation {clip(name)!r} (add it to the organisations first)"
        if role and role not in org.roles:
            return org.id, f"{org.id!r} is not a {role} (its roles: {', '.join(org.roles)})"
        return org.id, None

    def with_role(self, role: str) -> list[Organisation]:
        return [o for o in self.by_id.values() if role in o.roles]


def directory(con: duckdb.DuckDBPyConnection) -> Directory:
    rows = con.execute("SELECT id, name, roles, aliases FROM organisations ORDER BY id").fetchall()
    return Directory([Organisation(r[0], r[1], tuple(r[2]), tuple(r[3])) for r in rows])


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def validate_rows(rows: list[tuple[int | None, dict]], name: str) -> list[Organisation]:
    """Every problem in the file (or form, ``line`` None), each located by line and
    column, or the organisations to upsert."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, row in rows:
        problems += [_problem(name, line, column, message)
                     for column, message in _row_problems(row, seen)]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return [Organisation((row.get("id") or "").strip(), (row.get("name") or "").strip(),
                         tuple(_split(row.get("roles", ""))),
                         tuple(_split(row.get("aliases", "")))) for _, row in rows]  # fmt: skip


def _row_problems(row: dict, seen: set[str]) -> list[tuple[str, str]]:
    """(column, message) for each rule one row breaks; ``seen`` collects the ids so far."""
    found = []
    org_id = (row.get("id") or "").strip()
    roles = _split(row.get("roles", ""))
    if not _SLUG.match(org_id):
        found.append(("id", f"{clip(org_id)!r} must be a lowercase slug"))
    elif org_id in seen:
        found.append(("id", f"duplicate id {org_id!r}"))
    seen.add(org_id)
    if not (row.get("name") or "").strip():
        found.append(("name", "is empty"))
    if not roles or any(r not in ROLES for r in roles):
        found.append(("roles", f"{clip(row.get('roles') or '')!r} must list some of "
                               f"{', '.join(ROLES)}"))  # fmt: skip
    for column in ("name", "aliases"):
        refused = control_message(row.get(column) or "")
        if refused:
            found.append((column, refused))
    return found


def _problem(name: str, line: int | None, column: str, message: str) -> Problem:
    where = f"{name}, line {line}" if line is not None else name
    return Problem(column, message, line, f"{where}, column {column}: {message}")


def _state(org: Organisation) -> dict:
    return {"id": org.id, "name": org.name, "roles": list(org.roles),
            "aliases": list(org.aliases)}  # fmt: skip


def upsert_audited(con: duckdb.DuckDBPyConnection, orgs: list[Organisation],
                   actor: Actor, source: str | None = None) -> int:  # fmt: skip
    """``upsert`` by a person: each organisation that changes gets an audit row with its
    state before and after, in the caller's transaction. The caller checks the right."""
    known = directory(con).by_id
    upsert(con, orgs)
    for org in orgs:
        old = known.get(org.id)
        if old is not None and _state(old) == _state(org):
            continue
        audit.record(con, actor, "organisation.upsert", "organisation", org.id,
                     before=None if old is None else _state(old),
                     after={**_state(org), **({"source": source} if source else {})})  # fmt: skip
    return len(orgs)


def upsert(con: duckdb.DuckDBPyConnection, orgs: list[Organisation]) -> int:
    """Insert new organisations and refresh the name, roles and aliases of known ones."""
    if orgs:
        con.executemany(
            "INSERT INTO organisations (id, name, roles, aliases) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, roles = excluded.roles, "
            "aliases = excluded.aliases",
            [[org.id, org.name, list(org.roles), list(org.aliases)] for org in orgs],
        )
    return len(orgs)
