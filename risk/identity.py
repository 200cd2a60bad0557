"""Who is acting: the person behind every write, taken from the session, never typed.

Three ways in:

- ``local``: the dashboard with no sign-in configured (the README's first command). The
  OS user runs it on their own machine, bound to 127.0.0.1, and holds every right. If the
  server listens on another address without sign-in, anyone on the network could reach
  it, so the actor is read-only and says why.
- ``signed-in``: the dashboard with Streamlit's ``st.login``; the identity is the e-mail
  (or, without one, the subject) from the OpenID Connect token and the role comes from
  the roles file (:mod:`risk.access`).
- ``cli``: a command run on the machine that holds the database. Whoever can run it can
  already write the file, so the OS user holds every right; ``--author`` is kept only as
  "on behalf of", recorded next to the real user.
"""

from __future__ import annotations

import getpass
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from risk import access
from risk.errors import ValidationError

Mode = Literal["local", "signed-in", "cli"]
MAX_NAME = 100


@dataclass(frozen=True)
class Actor:
    """A person acting, their role, how they came in, and for whom (CLI ``--author``)."""

    who: str
    role: str
    mode: Mode
    on_behalf_of: str | None = None
    read_only_reason: str | None = None  # set when writes are refused whatever the role

    def can(self, right: str) -> bool:
        if self.read_only_reason is not None and right not in access.READ_RIGHTS:
            return False
        return access.role_allows(self.role, right)

    def may_change_note_of(self, author: str | None) -> bool:
        """Analysts change only their own notes; methodologists and admins anyone's."""
        if not self.can(access.ANNOTATE):
            return False
        own = (author or "").strip().casefold() == self.who.strip().casefold()
        return own or self.can(access.ANNOTATE_ANY)

    @property
    def label(self) -> str:
        """How the actor is shown: ``ana@example.com (analyst)`` or ``root for ana``."""
        name = f"{self.who} for {self.on_behalf_of}" if self.on_behalf_of else self.who
        return f"{name} ({self.role})"

    def require(self, right: str, action: str, target_kind: str,
                target_id: object = None, before: object = None) -> None:  # fmt: skip
        """Raise ``AccessDenied`` (one line) unless the actor holds ``right``."""
        if self.can(right):
            return
        what = access.DESCRIPTIONS[right]
        if self.read_only_reason:
            message = f"{self.who} may not {what}: {self.read_only_reason}"
        else:
            message = f"{self.who} ({self.role}) may not {what}"
        raise access.AccessDenied(
            message, actor=self, action=action, target_kind=target_kind,
            target_id=None if target_id is None else str(target_id), before=before,
        )  # fmt: skip


def os_user() -> str:
    """The login name of the process owner, never empty."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in some containers
        name = ""
    return name.strip() or "unknown"


def _clean_name(name: object, field: str) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str):
        raise ValidationError(f"{field}: must be text")
    text = name.strip()
    if not text:
        return None
    if len(text) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValidationError(f"{field}: at most {MAX_NAME} characters, one line, no control "
                              "characters")  # fmt: skip
    return text


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable only from this machine. An empty
    address means every interface (Streamlit's default), so it is not loopback."""
    text = (address or "").strip().strip("[]")
    if text.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def local_actor(server_address: str | None = "127.0.0.1", who: str | None = None) -> Actor:
    """The dashboard without sign-in: the OS user with every right, unless the server
    listens beyond this machine, where nobody can be told apart and writes are refused."""
    name = _clean_name(who, "author") or os_user()
    if is_loopback(server_address):
        return Actor(name, "admin", "local")
    where = server_address or "every interface"
    reason = (f"the server listens on {where} without sign-in; configure [auth] in "
              ".streamlit/secrets.toml, or bind it to 127.0.0.1")  # fmt: skip
    return Actor(name, "viewer", "local", read_only_reason=reason)


def cli_actor(on_behalf_of: str | None = None) -> Actor:
    """A command-line run: the OS user, with ``--author`` kept as "on behalf of"."""
    return Actor(os_user(), "admin", "cli", _clean_name(on_behalf_of, "author"))


def signed_in_actor(claims: Mapping[str, object], roles: access.RolesConfig) -> Actor:
    """The signed-in person from their token's claims: e-mail, else subject."""
    email = claims.get("email")
    subject = claims.get("sub")
    who = _clean_name(email, "email") if isinstance(email, str) else None
    if who is None and isinstance(subject, str):
        who = _clean_name(subject, "sub")
    if who is None:
        raise ValidationError("the sign-in token carries neither an e-mail nor a subject")
    return Actor(who, roles.role_for(who, claims), "signed-in")

