"""DAG files are wiring only: every task body is one call, and nothing runs at module level but DAG building.

Read with ``ast`` (no Airflow import): a ``@task``-decorated function may hold a docstring, imports and one
statement that is a call (``return f(...)`` or ``f(...)``); the module may hold imports, constants, the
``@dag`` function and its call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))


def _is_task(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        while isinstance(target, ast.Attribute):
            if isinstance(target.value, ast.Name) and target.value.id == "task":
                return True
            target = target.value
        if isinstance(target, ast.Name) and target.id == "task":
            return True
    return False


def _is_dag(fn: ast.FunctionDef) -> bool:
    return any((d.func if isinstance(d, ast.Call) else d).id == "dag" for d in fn.decorator_list
               if isinstance(d.func if isinstance(d, ast.Call) else d, ast.Name))


def task_body_problems(source: str) -> list[str]:
    """Each ``@task`` function whose body is more than imports + one call, as ``"name: why"``."""
    problems = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef) or not _is_task(fn):
            continue
        body = [s for s in fn.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # docstring
        if len(body) != 1:
            problems.append(f"{fn.name}: {len(body)} statements (want one call)")
            continue
        (stmt,) = body
        value = stmt.value if isinstance(stmt, (ast.Return, ast.Expr)) else None
        if not isinstance(value, ast.Call):
            problems.append(f"{fn.name}: {type(stmt).__name__} is not one call")
        elif any(isinstance(n, (ast.IfExp, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.Lambda, ast.BoolOp))
                 for n in ast.walk(value)):
            problems.append(f"{fn.name}: logic inside the call's arguments")
    return problems


def module_problems(source: str) -> list[str]:
    """Module-level statements other than imports, docstring, constants, the @dag function and its call."""
    problems = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Constant, ast.Call)):
            if isinstance(stmt.value, ast.Call) and stmt.value.args:
                problems.append(f"line {stmt.lineno}: module-level call with arguments")
            continue
        if isinstance(stmt, ast.FunctionDef) and _is_dag(stmt):
            continue
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
            continue
        problems.append(f"line {stmt.lineno}: {type(stmt).__name__} at module level (wiring only)")
    return problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_task_body_is_one_call(path):
    assert task_body_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_nothing_but_wiring_at_module_level(path):
    assert module_problems(path.read_text(encoding="utf-8")) == []


def test_the_checks_catch_logic():
    logic = '''
from airflow.sdk import dag, task
SYNCS = load_syncs()

@dag()
def d():
    @task
    def publish(summaries):
        loaded = {}
        for s in summaries:
            loaded[s["t"]] = s["n"]
        return loaded

    @task.branch
    def pick(results):
        return ["a"] if results else []

    @task
    def ok(results):
        """Doc."""
        from x import f

        return f(results)
d()
'''
    assert task_body_problems(logic) == ["publish: 3 statements (want one call)", "pick: Return is not one call"]
    assert module_problems(logic) == ["line 3: Assign at module level (wiring only)"]
