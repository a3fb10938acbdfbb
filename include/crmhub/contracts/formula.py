"""Formula (CSV) injection: values are stored verbatim; exports neutralise them.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is executed by spreadsheet
programs (``=HYPERLINK(...)``, ``+cmd|...``, ``-2+3``, ``@SUM(...)``). The warehouse keeps the text as
received (it is data, and changing it would break reconciliation); every CSV *export* goes through
:func:`neutralise_formula` / :func:`write_safe_csv`, which prefix such cells with ``'`` (OWASP advice).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"


def neutralise_formula(value):
    """``'=HYPERLINK("x")'`` -> ``"'=HYPERLINK(\\"x\\")"``; non-strings and safe strings unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised :func:`neutralise_formula` over every text column of ``frame`` (a copy)."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_string_dtype(col) or col.dtype == object:
            text = col.astype("str")
            risky = text.str.contains(_FORMULA_RE, regex=True).fillna(False).astype(bool)
            if risky.any():
                out[name] = ("'" + text).where(risky, col)
    return out


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with formula cells neutralised and every text field quoted."""
    path = Path(path)
    neutralise_frame(frame).to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return path
