"""Dependencies between the capability packages of ``include/crmhub`` point one way: the import graph has no cycle.

Every import counts, also the ones inside functions (a lazy import is still a dependency). The CRM sandbox is
out of scope (it moves out of the core into a package of its own).
"""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "include" / "crmhub"
OUT_OF_SCOPE = {"crm_sandbox"}


def _packages() -> set[str]:
    return {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()} - OUT_OF_SCOPE


def import_graph() -> dict[str, dict[str, str]]:
    """``{package: {imported package: first file importing it}}``."""
    packages = _packages()
    graph: dict[str, dict[str, str]] = {p: {} for p in packages}
    for package in packages:
        for path in sorted((CORE / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "crmhub" and len(parts) > 1 and parts[1] in packages and parts[1] != package:
                        graph[package].setdefault(parts[1], str(path.relative_to(CORE)))
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_capability_packages_import_each_other_without_a_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(
        f"{a} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)) + f" -> {cycle[-1]}"


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": "x"}, "b": {}}) is None


def test_ingest_and_cdc_share_sync_bookkeeping_through_a_lower_package():
    graph = import_graph()
    assert "cdc" not in graph["ingest"]
    assert "sync" in graph["ingest"] and "sync" in graph["cdc"]
    assert set(graph["sync"]) <= {"warehouse", "config"}
    assert "ingest" not in graph["health"]  # health reads freeze state and stale loads from sync
