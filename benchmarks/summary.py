"""One HTML page over every ``benchmarks/results/*.json``: each measured figure charted against its target.

    python benchmarks/summary.py            # (``make bench`` runs it last) -> benchmarks/results/summary.html

A benchmark's targets are read from its JSON: a ``targets`` mapping anywhere in it (``{"name": 0.9}``,
``{"name": ">= 0.5"}`` or ``{"name": {"target": "< 1.0", "value": 0.76}}``) and every dict holding ``target_<x>`` next to a measured ``<x>...`` value (its ``p95`` first) and a
``meets_target`` flag. The measured value of a ``targets`` entry is the first number found under the same key
elsewhere in the file. Direction: the operator when the target is written as text; otherwise lower is better
for names with rate/lag/rss/duplicates/lost/seconds, higher for the rest (said on the page). Each chart shows
measured / target in percent with the 100 % line; the machine and load fields of the JSON are printed as
recorded. Charts: matplotlib's Agg canvas (PNG, no display), like the KPI report.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LOWER_IS_BETTER = re.compile(r"rate|lag|rss|duplicat|lost|_s$|seconds|time|_ms$|_mb$|_vs_|decisions_per|negatives")
_OP = re.compile(r"^\s*(<=|>=|<|>|=)?\s*([-+]?\d+(?:\.\d+)?)\s*$")
CONTEXT_KEYS = ("machine", "loadavg", "loadavg_before", "loadavg_after", "loadavg_start", "load", "load_before",
                "load_after", "started_utc", "measured_at", "date")


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, path + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (str(i),))


def _find_number(doc, key: str):
    for path, node in _walk(doc):
        if "targets" in path:  # the target itself is not a measurement
            continue
        value = node.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def parse_target(name: str, target) -> tuple[str, float] | None:
    if isinstance(target, bool):
        return None
    if isinstance(target, int | float):
        return ("<=" if LOWER_IS_BETTER.search(name) else ">="), float(target)
    match = _OP.match(str(target))
    if not match:
        return None
    return match.group(1) or ("<=" if LOWER_IS_BETTER.search(name) else ">="), float(match.group(2))


def met(op: str, value: float, target: float) -> bool:
    return {"<=": value <= target, "<": value < target, ">=": value >= target, ">": value > target,
            "=": value == target}[op]


def _measured_beside(node: dict, stem: str) -> float | None:
    """The value a ``target_<stem>`` is about: a numeric ``<stem>...`` key beside it, its p95 first."""
    found = {k: float(v) for k, v in node.items() if k.startswith(stem) and isinstance(v, int | float)
             and not isinstance(v, bool)}
    for key in sorted(found, key=lambda k: ("p95" not in k, k != stem, k)):
        return found[key]
    return None


def checks(doc) -> list[dict]:
    """``[{"name", "op", "target", "measured", "met"}]`` for every target the JSON declares."""
    out: dict[str, dict] = {}
    for path, node in _walk(doc):
        for name, target in (node.get("targets") or {}).items() if isinstance(node.get("targets"), dict) else ():
            measured = None
            if isinstance(target, dict):  # {"target": "< 1.0", "value": 0.76, "met": true}
                target, measured = target.get("target"), target.get("value")
            parsed = parse_target(name, target)
            if parsed is None:
                continue
            measured = float(measured) if isinstance(measured, int | float) else _find_number(doc, name)
            out[".".join(path + (name,))] = {"name": name, "op": parsed[0], "target": parsed[1], "measured": measured}
        for key, target in node.items():
            if key.startswith("target_") and isinstance(target, int | float) and "meets_target" in node:
                stem = key.removeprefix("target_")
                measured = _measured_beside(node, stem)
                op = "<=" if LOWER_IS_BETTER.search(stem) else ">="
                out[".".join(path + (key,))] = {"name": ".".join(path + (stem,)) or stem, "op": op,
                                                "target": float(target), "measured": measured,
                                                "flag": bool(node["meets_target"])}
    for row in out.values():
        row["met"] = row.get("flag") if row["measured"] is None else met(row["op"], row["measured"], row["target"])
    return list(out.values())


def _chart(title: str, rows: list[dict], path: Path) -> str:
    rows = [r for r in rows if r["measured"] is not None and r["target"]]
    fig = Figure(figsize=(6.0, 0.5 + 0.45 * max(1, len(rows))), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ratios = [100.0 * r["measured"] / r["target"] for r in rows]
    colors = ["#2e7d32" if r["met"] else "#c62828" for r in rows]
    ax.barh([f"{r['name']} ({r['op']} {r['target']:g})" for r in rows], ratios, color=colors)
    ax.axvline(100, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("measured / target, %  (green: target met)")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path.name


def _row(r: dict) -> str:
    measured = "–" if r["measured"] is None else f"{r['measured']:g}"
    verdict = "not measured" if r["met"] is None else ("met" if r["met"] else "missed")
    return (f"<tr><td>{html.escape(r['name'])}</td><td>{measured}</td><td>{html.escape(r['op'])} {r['target']:g}</td>"
            f"<td class={'met' if r['met'] else 'missed'}>{verdict}</td></tr>")


def context(doc) -> dict:
    return {k: doc[k] for k in CONTEXT_KEYS if isinstance(doc, dict) and k in doc}


def write_summary(results_dir: Path = RESULTS, out: Path | None = None) -> Path:
    out = out or results_dir / "summary.html"
    chart_dir = results_dir / "summary_charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8><title>crmhub benchmarks</title><style>"
             "body{font-family:sans-serif;margin:2em;max-width:1100px}td,th{border:1px solid #ccc;padding:3px 8px;"
             "font-size:.85em}table{border-collapse:collapse}.met{color:#2e7d32}.missed{color:#c62828}</style>"
             "</head><body><h1>crmhub benchmarks against their targets</h1>",
             "<p>One section per <code>benchmarks/results/*.json</code> (written by <code>make bench</code>); "
             "machine and load as each benchmark recorded them. Peers are compared inside each benchmark's JSON, "
             "side by side in the same run.</p>"]
    files = sorted(p for p in results_dir.glob("*.json"))
    if not files:
        parts.append("<p>No results yet: run <code>make bench</code>.</p>")
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        rows = checks(doc)
        parts.append(f'<h2 id="bench-{html.escape(path.stem)}">{html.escape(path.stem)}</h2>')
        ctx = context(doc)
        if ctx:
            parts.append("<p><small>" + html.escape(json.dumps(ctx, default=str)[:600]) + "</small></p>")
        if any(r["measured"] is not None for r in rows):
            name = _chart(path.stem, rows, chart_dir / f"{path.stem}.png")
            parts.append(f'<img src="{chart_dir.name}/{name}" alt="{html.escape(path.stem)} against targets">')
        body = "".join(_row(r) for r in rows)
        parts.append("<table><tr><th>figure</th><th>measured</th><th>target</th><th></th></tr>"
                     + (body or "<tr><td colspan=4>no targets declared in this JSON</td></tr>") + "</table>")
        parts.append(f'<p><a href="{html.escape(path.name)}">{html.escape(path.name)}</a></p>')
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(f"wrote {write_summary(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS)}")
