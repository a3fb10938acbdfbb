"""Grade a batch against a connector's field contracts, vectorised per column.

For each contracted field, in order: text transforms from the contract (``trim``, ``lower``, ``upper``,
``title``, ``enum_map``, ``strip_formula``), null detection (null, empty or whitespace-only),
``default`` fill, type parsing/validation (``parse_money``, ``parse_date``, ``parse_datetime`` select
the parser), ``allowed`` values, ``range`` (on the source value), ``scale``, then null handling. Every step is a pandas/pyarrow column operation.

Outcome per violation (``level``):

* ``quarantine`` - the row does not load; it goes to ``ops.quarantine`` with *every* reason.
  Rules: ``null`` (null_handling ``quarantine``), ``type:<type>``, ``allowed``, ``range``.
* ``flag`` - the row loads with lower confidence: a null under ``flag_low_confidence``, or an illegal
  value in an ``enrichment: true`` field (the value is nulled; enrichment data is optional and must not
  block the record it decorates).

Confidence = 100 - ``FLAG_PENALTY`` x (flags on the row), floored at 0.

Formula-looking and SQL-looking strings are *values*: they are kept verbatim (see ``formula.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmhub.config.integration_map import Connector, FieldContract
from crmhub.contracts.masking import mask_values
from crmhub.contracts.types import NUMERIC_TYPES, VALIDATORS

FLAG_PENALTY = 20
_FORMULA_PREFIX = r"^[=+\-@\t\r]+"


@dataclass
class FieldStats:
    """Counts for one field in one batch (feed ``ops.contract_metrics`` and drift detection)."""

    rows: int = 0
    nulls: int = 0
    illegal: int = 0
    illegal_type: int = 0

    @property
    def non_null(self) -> int:
        return self.rows - self.nulls


@dataclass
class CheckResult:
    """Typed values, violations and per-row outcome of one batch.

    Attributes:
        typed: every input row, one typed column per contracted field (invalid values -> null).
        violations: columns ``row`` (position in the batch), ``field``, ``rule``, ``value`` (raw input,
            masked when the field is sensitive), ``level`` (quarantine | flag), ``reason``.
        quarantined: per row, True when any quarantine-level violation (or a row error) hit it.
        confidence: per row, 0-100.
        stats: per field, rows / nulls / illegal counts.
    """

    typed: pd.DataFrame
    violations: pd.DataFrame
    quarantined: np.ndarray
    confidence: np.ndarray
    stats: dict[str, FieldStats] = field(default_factory=dict)

    @property
    def clean(self) -> pd.DataFrame:
        """The typed rows that pass (quarantined rows removed); index = batch positions."""
        return self.typed[~self.quarantined]

    def violation_list(self) -> list[dict]:
        return self.violations.to_dict("records")

    def reasons(self) -> dict[str, int]:
        """Quarantine-level violation count per rule."""
        q = self.violations[self.violations["level"] == "quarantine"]
        return {str(k): int(v) for k, v in q["rule"].value_counts().items()}


def _apply_transform(s: pd.Series, step, contract: FieldContract) -> pd.Series:
    if isinstance(step, dict):
        if "enum_map" in step:
            mapping = {str(k): str(v) for k, v in step["enum_map"].items()}
            return s.replace(mapping)
        if "scale" in step:
            return s  # applied after numeric typing, see _scale
        raise ValueError(f"field {contract.name!r}: unknown transform {step!r}")
    if step == "trim":
        return s.str.strip()
    if step == "lower":
        return _ascii_case(s, pc.ascii_lower) if _is_ascii(s) else s.str.lower()
    if step == "upper":
        return _ascii_case(s, pc.ascii_upper) if _is_ascii(s) else s.str.upper()
    if step == "title":
        return s.str.title()
    if step == "strip_formula":
        return s.str.replace(_FORMULA_PREFIX, "", regex=True)
    if step in ("none", "parse_money", "parse_date", "parse_datetime"):
        return s  # the parse_* transforms are the type parsers (money/date/datetime)
    raise ValueError(f"field {contract.name!r}: unknown transform {step!r}")


def _arrow_values(s: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The values of a pyarrow-backed string series (zero-copy), else None."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return pa.array(s.array)
    return None


def _is_ascii(s: pd.Series) -> bool:
    """True when every byte behind the series is ASCII: then pandas' ``str.lower``/``str.upper`` (arrow's
    ``utf8_lower``/``utf8_upper``) equal the much cheaper ``ascii_lower``/``ascii_upper``."""
    arr = _arrow_values(s)
    if arr is None:
        return False
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).max() >= 128:
            return False
    return True


def _ascii_case(s: pd.Series, kernel) -> pd.Series:
    return pd.Series(kernel(_arrow_values(s)), dtype=s.dtype, index=s.index, name=s.name)


def _null_or_empty(s: pd.Series, trimmed: pd.Series) -> np.ndarray:
    """Per row: ``s`` is null or ``trimmed`` (``s`` stripped, same nulls) is empty."""
    arr = _arrow_values(trimmed)
    if arr is None:
        return (s.isna() | (trimmed.str.len() == 0)).to_numpy(dtype=bool)
    empty = pc.fill_null(pc.equal(pc.binary_length(arr), 0), True)  # no bytes <=> no characters
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool) | s.isna().to_numpy(dtype=bool)


def _scale(values: pd.Series, contract: FieldContract) -> tuple[pd.Series, dict | None]:
    for step in contract.transform:
        if isinstance(step, dict) and "scale" in step:
            sc = step["scale"]
            lo, hi = float(sc["from_min"]), float(sc["from_max"])
            to_lo, to_hi = float(sc.get("to_min", 0)), float(sc.get("to_max", 100))
            return to_lo + (values - lo) * (to_hi - to_lo) / (hi - lo), sc
    return values, None


def _type_for(contract: FieldContract) -> str:
    steps = {s for s in contract.transform if isinstance(s, str)}
    if contract.type in ("decimal", "integer", "string") and "parse_money" in steps:
        return "money"
    return contract.type


def check_frame(
    frame: pd.DataFrame, connector: Connector, row_errors: dict[int, str] | None = None
) -> CheckResult:
    """Grade ``frame`` (text values) against every field contract of ``connector``."""
    n = len(frame)
    typed: dict[str, pd.Series] = {}
    parts: list[pd.DataFrame] = []
    flags = np.zeros(n, dtype=np.int64)
    quarantined = np.zeros(n, dtype=bool)
    stats: dict[str, FieldStats] = {}
    index = pd.RangeIndex(n)

    def record(mask: np.ndarray, contract: FieldContract, rule: str, level: str, raw: pd.Series, reason: str):
        pos = np.flatnonzero(mask)
        if not pos.size:
            return
        values = raw.iloc[pos].reset_index(drop=True)
        if contract.sensitive and values.notna().any():  # (all null: nothing to mask)
            values = mask_values(values)
        parts.append(
            pd.DataFrame(
                {
                    "row": pos,
                    "field": contract.name,
                    "rule": rule,
                    "value": values.astype(object).where(values.notna(), None).to_numpy(),
                    "level": level,
                    "reason": reason,
                }
            )
        )

    for contract in connector.fields:
        if contract.name in frame.columns:
            raw = frame[contract.name].reset_index(drop=True).astype("str")
        else:
            raw = pd.Series([None] * n, dtype="str", index=index)
        s = raw
        for step in contract.transform:
            s = _apply_transform(s, step, contract)
        trimmed = s if "trim" in contract.transform else s.str.strip()
        is_null = _null_or_empty(s, trimmed)
        if is_null.any():
            s = s.where(~is_null, None)
        if contract.null_handling == "default" and contract.default is not None and is_null.any():
            s = s.where(~is_null, str(contract.default))
            is_null = np.zeros(n, dtype=bool)
        ctype = _type_for(contract)
        values, ok = VALIDATORS[ctype](s)
        values = values.reset_index(drop=True)
        bad_type = ~ok & ~is_null
        bad_allowed = np.zeros(n, dtype=bool)
        if contract.allowed is not None:
            allowed = [str(a) for a in contract.allowed] if ctype not in NUMERIC_TYPES else list(contract.allowed)
            bad_allowed = ~values.isin(allowed).to_numpy(dtype=bool) & ~is_null & ~bad_type
        bad_range = np.zeros(n, dtype=bool)
        if contract.range and ctype in NUMERIC_TYPES:
            num = values.astype("float64")
            lo, hi = contract.range.get("min"), contract.range.get("max")
            out = np.zeros(n, dtype=bool)
            if lo is not None:
                out |= (num < lo).fillna(False).to_numpy(dtype=bool)
            if hi is not None:
                out |= (num > hi).fillna(False).to_numpy(dtype=bool)
            bad_range = out & ~bad_type
        illegal = bad_type | bad_allowed | bad_range
        if ctype in NUMERIC_TYPES:
            values, _ = _scale(values, contract)  # range/allowed apply to the source value, before scaling
        stats[contract.name] = FieldStats(
            rows=n, nulls=int(is_null.sum()), illegal=int(illegal.sum()), illegal_type=int(bad_type.sum())
        )
        level = "flag" if contract.enrichment else "quarantine"
        record(bad_type, contract, f"type:{ctype}", level, raw, f"not a valid {ctype}")
        if contract.allowed is not None:
            record(bad_allowed, contract, "allowed", level, raw, f"not one of {', '.join(map(str, contract.allowed))}")
        if contract.range:
            record(bad_range, contract, "range", level, raw, f"outside range {contract.range}")
        if contract.enrichment:
            flags += illegal
        else:
            quarantined |= illegal
        if contract.null_handling == "quarantine":
            record(is_null, contract, "null", "quarantine", raw, "required value is missing")
            quarantined |= is_null
        elif contract.null_handling == "flag_low_confidence":
            record(is_null, contract, "null", "flag", raw, "missing value: loaded with lower confidence")
            flags += is_null
        if illegal.any():
            values = values.mask(illegal)
        typed[contract.name] = values

    if row_errors:
        # a record that could not be split has no meaningful field values: its one reason is the split
        split = [i for i, r in row_errors.items() if "columns" in r]
        if split and parts:
            parts = [p[~p["row"].isin(split)] for p in parts]
        pos = np.fromiter(row_errors.keys(), np.int64, len(row_errors))
        quarantined[pos] = True
        rule = ["nul_byte" if "NUL" in r and "columns" not in r else "column_count" for r in row_errors.values()]
        parts.append(
            pd.DataFrame(
                {"row": pos, "field": None, "rule": rule, "value": None, "level": "quarantine",
                 "reason": list(row_errors.values())}
            )
        )
    violations = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: [] for c in ("row", "field", "rule", "value", "level", "reason")})
    )
    if violations["row"].dtype != np.int64:
        violations = violations.astype({"row": "int64"})
    confidence = np.clip(100 - FLAG_PENALTY * flags, 0, 100).astype(np.float64)
    return CheckResult(
        typed=pd.DataFrame(typed, index=index),
        violations=violations,
        quarantined=quarantined,
        confidence=confidence,
        stats=stats,
    )
