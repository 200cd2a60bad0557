"""Roles and what each may do, and the roles file that gives people their role.

Four roles, each with everything the one before it has:

- ``viewer``: reads every page and downloads an export bundle;
- ``analyst``: also writes annotations, evidence and ledger entries, and works the review
  queue (accepting or rejecting candidates); edits and deletes only their own notes;
- ``methodologist``: also saves a new methodology version, and may edit, delete or restore
  anyone's notes;
- ``admin``: also changes organisations and reads the audit trail.

The roles file (TOML, ``.streamlit/roles.toml`` unless ``RISK_ROLES`` names another) maps
e-mail addresses to roles, gives the role of a signed-in user it does not list, and may
name an OpenID Connect claim that carries the role::

    default = "viewer"
    claim = "risk_role"          # optional

    [users]
    "ana@example.com" = "analyst"
    "lead@example.com" = "admin"

Every problem in the file is a ``ConfigError`` with a one-line message naming the file.
This module never imports Streamlit; the pages ask it what to show, and the library's
write paths ask it whether to write.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from risk.errors import ConfigError, RiskError
from risk.paths import PROJECT_ROOT

ROLES = ("viewer", "analyst", "methodologist", "admin")

# Each right, and the least role that holds it (a role holds the rights of those below).
READ = "read"
EXPORT = "export"
ANNOTATE = "annotate"  # add notes; edit, delete and restore one's own
EVIDENCE = "evidence"  # add an item, import a file
LEDGER = "ledger"  # add or import capacity-ledger rows
REVIEW = "review"  # accept or reject ingestion candidates
ANNOTATE_ANY = "annotate_any"  # edit, delete and restore anyone's notes
METHODOLOGY = "methodology"  # save a new methodology version
ORGANISATIONS = "organisations"  # add or change organisations
AUDIT = "audit"  # read the audit trail

RIGHTS: dict[str, str] = {
    READ: "viewer",
    EXPORT: "viewer",
    ANNOTATE: "analyst",
    EVIDENCE: "analyst",
    LEDGER: "analyst",
    REVIEW: "analyst",
    ANNOTATE_ANY: "methodologist",
    METHODOLOGY: "methodologist",
    ORGANISATIONS: "admin",
    AUDIT: "admin",
}
READ_RIGHTS = frozenset({READ, EXPORT})  # what a read-only session still may do
# Said in refusals: "<who> (viewer) may not <what>".
DESCRIPTIONS: dict[str, str] = {
    READ: "read the dashboard",
    EXPORT: "download exports",
    ANNOTATE: "write annotations",
    EVIDENCE: "add or import evidence",
    LEDGER: "add or import ledger entries",
    REVIEW: "accept or reject candidates",
    ANNOTATE_ANY: "change another person's annotation",
    METHODOLOGY: "save a methodology version",
    ORGANISATIONS: "change organisations",
    AUDIT: "read the audit trail",
}
DEFAULT_ROLES_FILE = PROJECT_ROOT / ".streamlit" / "roles.toml"
_KEYS = {"default", "claim", "users"}


class AccessDenied(RiskError):
    """A write the actor's role does not allow. Carries what was attempted so the refusal
    can be recorded in the audit trail; the message is one line for the user."""

    def __init__(self, message: str, *, actor: object, action: str, target_kind: str,
                 target_id: str | None = None, before: object = None) -> None:  # fmt: skip
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.target_kind = target_kind
        self.target_id = target_id
        self.before = before


def check_role(role: object, where: str = "role") -> str:
    """The role, or a one-line ConfigError naming the known ones."""
    if not isinstance(role, str) or role not in ROLES:
        raise ConfigError(f"{where}: unknown role {role!r} (known: {', '.join(ROLES)})")
    return role


def rank(role: str) -> int:
    return ROLES.index(check_role(role))


def role_allows(role: str, right: str) -> bool:
    """Whether ``role`` holds ``right`` (every role holds the rights of those below it)."""
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    return rank(role) >= rank(RIGHTS[right])


def rights(role: str) -> list[str]:
    """Every right the role holds, in the order of ``RIGHTS``."""
    return [r for r in RIGHTS if role_allows(role, r)]


@dataclass(frozen=True)
class RolesConfig:
    """Who gets which role once signed in."""

    default: str = "viewer"
    claim: str | None = None
    users: Mapping[str, str] = field(default_factory=dict)  # lower-cased e-mail -> role
    source: str = "(built-in default)"

    def role_for(self, identity: str | None, claims: Mapping[str, object] | None = None) -> str:
        """The role of a signed-in person: their line in the file, else the highest role
        named by the configured claim, else the default."""
        key = (identity or "").strip().casefold()
        if key and key in self.users:
            return self.users[key]
        if self.claim and claims:
            found = _roles_in_claim(claims.get(self.claim))
            if found:
                return max(found, key=rank)
        return self.default


def _roles_in_claim(value: object) -> list[str]:
    """Role names in a claim: a string, or a list of strings (groups); other values in a
    list are ignored, since identity providers put unrelated groups there too."""
    values: Iterable[object] = [value] if isinstance(value, str) else (
        value if isinstance(value, list | tuple) else [])  # fmt: skip
    return [v.strip().casefold() for v in values
            if isinstance(v, str) and v.strip().casefold() in ROLES]  # fmt: skip


def roles_file(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The roles file: an explicit path, else ``RISK_ROLES``, else ``.streamlit/roles.toml``."""
    chosen = explicit or os.environ.get("RISK_ROLES")
    return Path(chosen).expanduser() if chosen else DEFAULT_ROLES_FILE


def parse_roles(text: str, source: str = "roles file") -> RolesConfig:
    """A roles config from TOML text; any problem is one ConfigError line naming ``source``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(unknown)} "
                          f"(known: claim, default, users)")  # fmt: skip
    default = check_role(raw.get("default", "viewer"), f"{source}: default")
    claim = raw.get("claim")
    if claim is not None and (not isinstance(claim, str) or not claim.strip()):
        raise ConfigError(f"{source}: claim must be the name of a claim, e.g. \"roles\"")
    users_raw = raw.get("users", {})
    if not isinstance(users_raw, dict):
        raise ConfigError(f"{source}: [users] must be a table of \"e-mail\" = \"role\" lines")
    users: dict[str, str] = {}
    for email, role in users_raw.items():
        key = email.strip().casefold()
        if not key:
            raise ConfigError(f"{source}: users: an empty e-mail address")
        if key in users:
            raise ConfigError(f"{source}: users: {email!r} is listed twice")
        users[key] = check_role(role, f"{source}: users.{email}")
    return RolesConfig(default, claim.strip() if claim else None, users, source)


def load_roles(path: str | os.PathLike[str] | None = None) -> RolesConfig:
    """The roles file, or the built-in default (everyone signed in is a viewer) when there
    is none. A file that exists but cannot be read is an error, never a silent default."""
    file = roles_file(path)
    if not file.exists():
        if path is not None or os.environ.get("RISK_ROLES"):
            raise ConfigError(f"roles file not found: {file}")
        return RolesConfig()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the roles file: {exc}") from exc
    return parse_roles(text, str(file))
