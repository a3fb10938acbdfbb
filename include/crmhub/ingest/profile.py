"""Profile a delimited file before writing its contract: per column null rate, formats, distinct count,
and duplicate keys (first column, or ``key``). Streams the file in chunks; classification is vectorised.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmhub.ingest.sources.csv_source import CsvSource

DISTINCT_CAP = 1_000_000

#: (format name, regex) - first match wins; order matters.
FORMATS: list[tuple[str, str]] = [
    ("iso_datetime", r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*"),
    ("iso_date", r"\d{4}-\d{2}-\d{2}"),
    ("slash_date (US m/d/Y?)", r"\d{1,2}/\d{1,2}/\d{4}.*"),
    ("dot_date (EU d.m.Y)", r"\d{1,2}\.\d{1,2}\.\d{4}.*"),
    ("epoch_ms", r"\d{12,13}"),
    ("email", r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"),
    ("integer", r"[+-]?\d+"),
    ("decimal (.)", r"[+-]?\d+\.\d+"),
    ("decimal (,)", r"[+-]?\d+,\d+"),
    ("thousands (,) with . decimals", r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"),
    ("thousands (.) with , decimals", r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"),
    ("money with symbol/code", r"[(]?[-+]?\s*([$€£¥]|[A-Z]{3})?\s*[\d.,\s']+\s*([$€£¥]|[A-Z]{3})?[)]?"),
    ("url", r"https?://\S+"),
    ("formula-like (=,+,-,@)", r"[=+\-@].*"),
]


@dataclass
class ColumnProfile:
    name: str
    rows: int = 0
    nulls: int = 0
    formats: Counter = field(default_factory=Counter)
    distinct: set = field(default_factory=set)
    distinct_capped: bool = False

    @property
    def null_rate(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0

    def as_dict(self) -> dict:
        return {
            "column": self.name,
            "rows": self.rows,
            "null_rate": round(self.null_rate, 4),
            "distinct": (f">{DISTINCT_CAP}" if self.distinct_capped else len(self.distinct)),
            "formats": dict(self.formats.most_common()),
        }


def _classify(s: pd.Series) -> Counter:
    text = s.dropna().str.strip()
    text = text[text != ""]
    remaining = np.ones(len(text), dtype=bool)
    out: Counter = Counter()
    for name, pattern in FORMATS:
        if not remaining.any():
            break
        hit = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool) & remaining
        if hit.any():
            out[name] = int(hit.sum())
            remaining &= ~hit
    if remaining.any():
        out["text"] = int(remaining.sum())
    return out


def profile_file(path: str | Path, *, key: str | None = None, delimiter: str = ",", encoding: str = "utf-8") -> dict:
    """Profile ``path``; returns ``{"file", "rows", "columns": [...], "key", "duplicate_keys", "examples"}``."""
    source = CsvSource(path, delimiter=delimiter, encoding=encoding)
    profiles: dict[str, ColumnProfile] = {}
    key_counts: Counter = Counter()
    key_col = key
    for batch in source.batches():
        frame = batch.frame
        if key_col is None:
            key_col = frame.columns[0]
        for name in frame.columns:
            prof = profiles.setdefault(name, ColumnProfile(name))
            col = frame[name]
            empty = col.isna() | (col.str.strip() == "")
            prof.rows += len(col)
            prof.nulls += int(empty.sum())
            prof.formats.update(_classify(col))
            if not prof.distinct_capped:
                prof.distinct.update(col[~empty].unique().tolist())
                if len(prof.distinct) > DISTINCT_CAP:
                    prof.distinct_capped, prof.distinct = True, set()
        if key_col in frame.columns:
            key_counts.update(frame[key_col].dropna().value_counts().to_dict())
    if not profiles and source.header:
        profiles = {n: ColumnProfile(n) for n in source.header}
        key_col = key_col or source.header[0]
    dups = {k: v for k, v in key_counts.items() if v > 1}
    return {
        "file": str(path),
        "rows": source.rows_read,
        "encoding": source.scan.encoding,
        "columns": [p.as_dict() for p in profiles.values()],
        "key": key_col,
        "duplicate_keys": len(dups),
        "examples": dict(sorted(dups.items(), key=lambda kv: -kv[1])[:5]),
    }
