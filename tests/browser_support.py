"""Fixtures for the real-browser tests: ``streamlit run`` on a free port with a temporary
database, and Debian's Chromium driven by Playwright.

Kept apart from the tests so a failure to start (no Chromium, a port in use, the server
crashing) says so in one line instead of skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import BUNDLED

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer within {timeout}s: {log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A streamlit server over a fresh database built from the bundled data."""
    from risk import bootstrap

    tmp = tmp_path_factory.mktemp("browser")
    db_file = tmp / "browser.duckdb"
    bootstrap.init_database(db_file, method=BUNDLED)
    port = free_port()
    log = tmp / "streamlit.log"
    env = {"RISK_DB": str(db_file)}
    with streamlit_run(port, env, log) as url:
        yield {"url": url, "db": db_file, "log": log}


@contextmanager
def streamlit_run(port: int, env: dict[str, str], log: Path,
                  extra_args: tuple[str, ...] = ()) -> Iterator[str]:  # fmt: skip
    """``streamlit run dashboard.py`` on 127.0.0.1:port with ``env`` added; yields its URL
    once healthy, and stops it on exit."""
    full_env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--server.fileWatcherType", "none", *extra_args],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium through Playwright; missing pieces fail loudly rather than skip."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"playwright is not installed: pip install playwright ({exc})")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_for_run(page: object, timeout_ms: int = 30000) -> None:
    """Streamlit finished its script run (and the page settled)."""
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_selector(READY, timeout=timeout_ms)  # type: ignore[attr-defined]
