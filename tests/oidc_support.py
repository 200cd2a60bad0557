"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests, and a dashboard
server configured to sign in through it.

The provider is ``oidc-provider-mock`` (a Flask app built on Authlib) served by werkzeug on
a thread of the test process, on a free port: nothing leaves this machine. Its sign-in
form takes a subject; the users below come with their e-mail claim. The dashboard is
``streamlit run`` with a temporary ``secrets.toml`` (``--secrets.files``) holding the
``[auth]`` section, and ``RISK_ROLES`` pointing at a temporary roles file.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from browser_support import free_port, streamlit_run

USERS = {
    "vic@example.com": "viewer",
    "ana@example.com": "analyst",
    "bob@example.com": "analyst",
    "max@example.com": "methodologist",
    "lead@example.com": "admin",
}
CLIENT_ID = "risk-dashboard"
CLIENT_SECRET = "test-client-secret"


@contextmanager
def oidc_provider() -> Iterator[str]:
    """Run the mock provider on 127.0.0.1; yields its issuer URL."""
    import oidc_provider_mock
    import werkzeug.serving

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http, on the loopback only
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    users = [oidc_provider_mock.User(sub=email, claims={"email": email, "name": email[:3]})
             for email in USERS]  # fmt: skip
    app = oidc_provider_mock.app(user_claims=users)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)  # fmt: skip
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def secrets_toml(issuer: str, port: int) -> str:
    """The ``[auth]`` section for a generic OpenID Connect provider, as the README shows."""
    return (
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )


def roles_toml() -> str:
    lines = ['default = "viewer"', "", "[users]"]
    lines += [f'"{email}" = "{role}"' for email, role in USERS.items()]
    return "\n".join(lines) + "\n"


@contextmanager
def team_server(tmp: Path, issuer: str, db_file: Path,
                extra_env: dict[str, str] | None = None) -> Iterator[dict]:  # fmt: skip
    """``streamlit run`` on 127.0.0.1 with sign-in through ``issuer``."""
    port = free_port()
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(secrets_toml(issuer, port), encoding="utf-8")
    roles_file = tmp / "roles.toml"
    roles_file.write_text(roles_toml(), encoding="utf-8")
    log = tmp / "streamlit-team.log"
    env = {"RISK_DB": str(db_file), "RISK_ROLES": str(roles_file), **(extra_env or {})}
    with streamlit_run(port, env, log, ("--secrets.files", str(secrets_file))) as url:
        yield {"url": url, "db": db_file, "log": log, "roles": roles_file}


def sign_in(page: object, url: str, email: str, wait: object) -> None:
    """Open the app signed out, press its sign-in button, pick ``email`` on the
    provider's form, and come back signed in."""
    page.goto(url)  # type: ignore[attr-defined]
    wait(page)  # type: ignore[operator]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/oauth2/authorize**")  # type: ignore[attr-defined]
    page.locator(f"button[name='sub'][value='{email}']").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{url}/**")  # type: ignore[attr-defined]
    wait(page)  # type: ignore[operator]


def sign_out(page: object, url: str, wait: object) -> None:
    """Press the app's sign-out button; confirm on the provider's end-session page."""
    page.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/oauth2/end_session**")  # type: ignore[attr-defined]
    page.get_by_role("button").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{url}/**")  # type: ignore[attr-defined]
    wait(page)  # type: ignore[operator]
