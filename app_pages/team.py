"""Who is using the dashboard and what they may do: the Streamlit side of team use.

The rules live in ``risk.access`` (roles and rights) and ``risk.identity`` (actors); this
module only reads the session. With ``[auth]`` in the secrets (``.streamlit/secrets.toml``)
the visitor signs in through ``st.login`` and the actor is their e-mail (or subject) with
the role from the roles file; without it the dashboard is in local mode, where the OS user
holds every right as long as the server listens on 127.0.0.1 only. The frame calls
:func:`gate` once per rerun; pages ask :func:`actor` and :func:`can`.
"""

from __future__ import annotations

import streamlit as st

from risk import access, identity
from risk.errors import RiskError
from risk.identity import Actor
from risk.views.queries import md_escape

_KEY = "_actor"


def auth_configured() -> bool:
    """Whether sign-in is set up: an ``[auth]`` section in the secrets."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


@st.cache_data(show_spinner=False)
def _roles(path: str, mtime: float) -> access.RolesConfig:
    return access.load_roles()


def roles() -> access.RolesConfig:
    """The roles file, re-read when it changes."""
    file = access.roles_file()
    return _roles(str(file), file.stat().st_mtime if file.exists() else 0.0)


def _session_actor() -> Actor | None:
    if not auth_configured():
        return identity.local_actor(st.get_option("server.address"))
    if not st.user.is_logged_in:
        return None
    return identity.signed_in_actor(st.user.to_dict(), roles())


def gate() -> Actor | None:
    """The actor of this rerun, stored for the pages; None for a signed-out visitor. A
    broken roles file or token stops the app with one line (nobody gets a default)."""
    try:
        who = _session_actor()
    except RiskError as exc:
        st.error(md_escape(f"Sign-in is misconfigured: {exc}"))
        st.stop()
    st.session_state[_KEY] = who
    return who


def actor() -> Actor:
    """The actor the frame admitted (pages only run for an admitted actor)."""
    who = st.session_state.get(_KEY)
    if who is None:
        st.stop()
    return who


def can(right: str) -> bool:
    who = st.session_state.get(_KEY)
    return who is not None and who.can(right)


def refused(exc: RiskError) -> None:
    """A refusal or error from the library, shown literally."""
    st.error(md_escape(str(exc)))


def sign_in_page() -> None:
    """All a signed-out visitor sees."""
    st.header("Vendor-dependency risk")
    st.text("Sign in with your organisation's account to open the dashboard.")
    st.button("Sign in", type="primary", on_click=st.login, key="sign_in")


def sidebar(who: Actor) -> None:
    """Who is acting, and the way out."""
    if who.mode == "signed-in":
        st.sidebar.text(f"Signed in as {who.who} ({who.role})")
        st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
    elif who.read_only_reason:
        st.sidebar.warning(md_escape(f"Read-only: {who.read_only_reason}."))
    else:
        st.sidebar.text(f"Local mode: {who.who}, every right")
