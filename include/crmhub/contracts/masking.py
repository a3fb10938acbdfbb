"""Mask sensitive values before they are written where people read them (quarantine, logs, reports).

Emails keep their first character and domain (``jane@x.com`` -> ``j***@x.com``); anything else keeps
its last 4 characters (``DE123456789`` -> ``***6789``); values of 4 characters or fewer become ``***``.
"""

from __future__ import annotations

import pandas as pd

_EMAIL = r"^(.)[^@]*(@.*)$"


def mask_values(values: pd.Series) -> pd.Series:
    """Vectorised mask of a string series (nulls stay null)."""
    s = values.astype("str")
    is_email = s.str.contains("@", regex=False).fillna(False).astype(bool)
    email = s.str.replace(_EMAIL, r"\1***\2", regex=True)
    tail = "***" + s.str.slice(-4)
    short = (s.str.len() <= 4).fillna(False).astype(bool)
    out = tail.where(~short, "***")
    out = email.where(is_email, out)
    return out.where(s.notna(), None)


def mask_value(value: str | None) -> str | None:
    """Mask one value (same rules as :func:`mask_values`)."""
    if value is None:
        return None
    return mask_values(pd.Series([value], dtype="str")).iloc[0]


def mask_frame(frame: pd.DataFrame, connector) -> pd.DataFrame:
    """A copy of ``frame`` safe to show: every classified (pii_*/financial) field and every column that is
    not in ``connector``'s contract (its class is unknown, so it is treated as sensitive) masked."""
    out = frame.copy()
    contracted = {f.name: f for f in connector.fields}
    for column in out.columns:
        contract = contracted.get(column)
        if contract is None or contract.sensitive:
            out[column] = mask_values(out[column].astype("str").where(out[column].notna(), None))
    return out
