"""Project-level promises: the core runs without the UI, and every command is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_cli import subcommand_paths

ROOT = Path(__file__).resolve().parent.parent


def test_risk_package_never_imports_streamlit():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / "risk").rglob("*.py") if p.stem != "__main__")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted(set(subcommand_paths())):
        assert f"python -m risk {' '.join(path)}" in readme, path


def test_readme_starts_with_the_run_and_test_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any("streamlit run dashboard.py" in line for line in lines)
    assert any("tests/run.sh" in line for line in lines)
    assert "pytest" in (ROOT / "tests" / "run.sh").read_text()
