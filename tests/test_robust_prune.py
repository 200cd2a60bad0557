"""``export --keep N``: a pruned bundle leaves sight in one rename before it is deleted, so a
kill at any moment never leaves a visible bundle with files missing."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from risk import cli, exports

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A database with the bundled evidence and one real bundle to copy as old ones."""
    database = tmp_path / "r.duckdb"
    monkeypatch.setenv("RISK_DB", str(database))
    monkeypatch.delenv("RISK_METHODOLOGY", raising=False)
    assert cli.main(["init"]) == 0
    model = tmp_path / "model"
    assert cli.main(["export", "--out", str(model)]) == 0
    return database, next(model.iterdir())


def _old_bundles(out: Path, model: Path, count: int, round_: int = 0) -> None:
    for i in range(count):
        shutil.copytree(model, out / f"2020{round_ + 1:02d}01T0000{i}0Z")


def _visible_bundles_are_whole(out: Path) -> None:
    for bundle in exports.list_bundles(out):
        assert bundle["problem"] is None and bundle["checksum_ok"], bundle
    for entry in out.iterdir():
        assert entry.name.startswith(".") or exports.BUNDLE_NAME.match(entry.name), entry


def test_sigkill_while_pruning_never_leaves_a_partial_visible_bundle(seeded, tmp_path):
    database, model = seeded
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "RISK_DB": str(database), exports.PAUSE_ENV: "0.1"}
    rng = random.Random(12)
    killed_while_pruning = 0
    for round_ in range(4):
        _old_bundles(out, model, 6, round_)
        proc = subprocess.Popen([sys.executable, "-m", "risk", "export", "--out", str(out),
                                 "--keep", "1"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(exports.TRASH_PREFIX) for p in out.iterdir()):
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_while_pruning += 1
        proc.wait(timeout=60)
        _visible_bundles_are_whole(out)
    assert killed_while_pruning >= 2
    # the next run clears what the killed ones left out of sight
    assert cli.main(["export", "--out", str(out), "--keep", "2", "--db", str(database)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and not any(n.startswith(".") for n in names), names


def test_prune_hides_before_deleting(seeded, tmp_path, monkeypatch):
    _, model = seeded
    out = tmp_path / "out"
    out.mkdir()
    _old_bundles(out, model, 3)
    seen: list[list[str]] = []
    real = shutil.rmtree

    def spying_rmtree(path, *args, **kwargs):
        seen.append(sorted(p.name for p in out.iterdir()))
        assert Path(path).name.startswith(exports.TRASH_PREFIX)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(exports.shutil, "rmtree", spying_rmtree)
    removed = exports.prune(out, keep=1)
    assert len(removed) == 2 and len(seen) == 2
    assert sorted(p.name for p in out.iterdir()) == ["20200101T000020Z"]
