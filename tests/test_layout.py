"""The shape of the package: no import inside a function, no import cycle, no Streamlit.

Function-level imports are how a cycle hides; forbidding both keeps every module's
dependencies in its first lines, readable in one glance.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "risk"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(PACKAGE.rglob("*.py"))}  # fmt: skip


def imported(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The ``risk`` modules a module imports at its top level (``from risk import x`` counts
    as importing ``risk.x`` when that is a module, else ``risk``)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "risk"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "risk":  # fmt: skip
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    # a package's own __init__ is imported first by every child: not an edge of the child
    return {m for m in found if m in known and m != name}


def test_no_import_inside_a_function():
    offenders = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                offenders += [f"{name}:{inner.lineno}" for inner in ast.walk(node)
                              if isinstance(inner, ast.Import | ast.ImportFrom)]  # fmt: skip
    assert offenders == []


def test_no_import_cycle_among_risk_modules():
    trees = modules()
    known = set(trees)
    graph = {name: imported(name, tree, known) for name, tree in trees.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_cycle_check_sees_a_cycle():
    a = ast.parse("from risk import b\n")
    b = ast.parse("import risk.a\n")
    known = {"risk", "risk.a", "risk.b"}
    assert imported("risk.a", a, known) == {"risk.b"}
    assert imported("risk.b", b, known) == {"risk.a"}


def test_only_the_ui_imports_streamlit():
    """dashboard.py and app_pages/ are the UI; nothing else may import Streamlit."""
    ui = {ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py")}
    others = [p for p in (*PACKAGE.rglob("*.py"), *ui) if p not in ui]
    for path in others:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                      if isinstance(n, ast.ImportFrom) and n.module}  # fmt: skip
        assert "streamlit" not in names, path
