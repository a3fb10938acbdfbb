"""``make bench``'s summary page charts each benchmark JSON's figures against the targets the JSON declares."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from crmhub.settings import REPO_ROOT

_spec = importlib.util.spec_from_file_location("bench_summary", REPO_ROOT / "benchmarks" / "summary.py")
summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(summary)


def test_summary_reads_targets_and_measured_values_from_each_json(tmp_path: Path) -> None:
    (tmp_path / "ingest.json").write_text(json.dumps({
        "machine": {"cpus": 2}, "loadavg": [1.0, 1.0, 1.0],
        "crmhub": {"ratio_to_copy": 0.62, "peak_rss_mb": 1300},
        "targets": {"ratio_to_copy": ">= 0.5", "peak_rss_mb": "< 1024",
                    "to_core_vs_dlt": {"target": "< 1.0", "value": 0.76, "met": True}}}))
    (tmp_path / "cdc.json").write_text(json.dumps({
        "lag": {"lag_min_p50": 2.0, "lag_min_p95": 4.2, "target_lag_min": 15, "meets_target": True}}))
    rows = {r["name"]: r for r in summary.checks(json.loads((tmp_path / "ingest.json").read_text()))}
    assert rows["ratio_to_copy"] == {"name": "ratio_to_copy", "op": ">=", "target": 0.5, "measured": 0.62, "met": True}
    assert rows["peak_rss_mb"]["met"] is False
    assert (rows["to_core_vs_dlt"]["measured"], rows["to_core_vs_dlt"]["met"]) == (0.76, True)
    # a measured value is never read back from the targets mapping itself
    assert summary.checks({"targets": {"recall": 0.98}})[0]["measured"] is None
    cdc = summary.checks(json.loads((tmp_path / "cdc.json").read_text()))
    assert cdc == [{"name": "lag.lag_min", "op": "<=", "target": 15.0, "measured": 4.2, "flag": True, "met": True}]
    page = summary.write_summary(tmp_path).read_text()
    assert 'id="bench-ingest"' in page and 'id="bench-cdc"' in page and "missed" in page
    assert (tmp_path / "summary_charts" / "ingest.png").read_bytes().startswith(b"\x89PNG")
