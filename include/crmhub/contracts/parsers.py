"""Vectorised parsers for messy text: money, dates/datetimes, booleans, numbers.

Every function takes a pandas string series and returns ``(values, ok)`` where ``ok`` is a boolean
numpy array, True where the input was null (nothing to parse) or parsed. No Python loop per cell.

Money (``parse_money``):
  * currency symbols/codes (``$``, ``€``, ``EUR``...), spaces, NBSP and ``'`` are ignored;
  * first shape that matches wins: plain ``1200.50`` (a single ``.`` is a decimal point, so ``1.200``
    = 1.2 - ambiguous, documented); US ``1,200.50`` / ``1,200`` (``,`` groups by 3 = thousands);
    EU ``1.200,50`` / ``1.200.000`` / ``1200,50`` (``,`` is the decimal comma);
  * accounting parentheses ``(1,200.00)`` and a ``-`` sign are negative (a contract ``range: {min: 0}``
    then catches a negative commitment).

Dates and datetimes (``parse_datetime`` / ``parse_date``), tried by shape, in this order:
  * ISO 8601 (``2025-03-14``, ``2025-03-14T10:00:00Z``, offsets) - offsets converted to UTC;
  * epoch milliseconds (12-13 digits) or seconds (9-10 digits);
  * ``/`` separated: US month-first (``03/14/2025``); when the first number is > 12 the value cannot be
    a month, so day-first is used (``14/03/2025``). ``03/04/2025`` is ambiguous and read as US (March 4);
  * ``.`` separated: EU day-first (``14.03.2025``);
  * each optionally followed by ``HH:MM[:SS]``. Values without an offset are taken as UTC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}

_DT = "datetime64[us, UTC]"
# Regexes avoid backslash-d, backslash-s and backslash-u escapes so pandas runs them in pyarrow (RE2), not re.
_MONEY_NOISE = "[()' \t\r\n\u00a0\u202f+$€£¥₹₣-]"
_TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S")


def _mask(series: pd.Series) -> np.ndarray:
    return series.fillna(False).to_numpy(dtype=bool)


def parse_bool(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    low = s.str.strip().str.lower()
    is_true = _mask(low.isin(_TRUE))
    is_false = _mask(low.isin(_FALSE))
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[is_true] = True
    out[is_false] = False
    ok = is_true | is_false | s.isna().to_numpy()
    return out, ok


def _arrow(s: pd.Series) -> pa.Array:
    """The series' values as one pyarrow string array (zero-copy for pyarrow-backed strings)."""
    arr = pa.array(s.array) if not isinstance(s.array, np.ndarray) else pa.array(s.to_numpy(), from_pandas=True)
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return arr


def _np(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _cast(text: pa.Array, valid: pa.Array, to: pa.DataType) -> pa.Array:
    """Cast the valid values (C++), nulls elsewhere."""
    return pc.cast(pc.if_else(valid, text, pa.scalar(None, pa.string())), to)


_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def parse_decimal(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = pc.utf8_trim_whitespace(_arrow(s))
    valid = pc.match_substring_regex(text, _DECIMAL)
    vals = pd.Series(_cast(text, valid, pa.float64()).to_numpy(zero_copy_only=False), index=s.index)
    return vals, _np(valid) | s.isna().to_numpy()


def parse_integer(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = pc.utf8_trim_whitespace(_arrow(s))
    valid = pc.match_substring_regex(text, r"^[+-]?[0-9]{1,18}$")
    vals = pd.Series(pd.array(_cast(pc.replace_substring(text, "+", ""), valid, pa.int64()), dtype="Int64"), index=s.index)
    return vals, _np(valid) | s.isna().to_numpy()


# The common shapes (``1200.50``, ``$1,200.50``: plain or US, optional ``$``, nothing else) take one
# regex and a cast; every other value goes through the full pipeline below (same result, ~6x the work).
_MONEY_SIMPLE = r"^[$]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:[.][0-9]+)?$"


def parse_money(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    arr = _arrow(s)
    simple = _np(pc.match_substring_regex(arr, _MONEY_SIMPLE))
    null = s.isna().to_numpy()
    rest = ~simple & ~null
    values = np.full(len(arr), np.nan)
    valid = simple.copy()
    if simple.any():
        normal = pc.replace_substring(pc.replace_substring(arr, "$", ""), ",", "")
        fast = _cast(normal, pa.array(simple), pa.float64()).to_numpy(zero_copy_only=False)
        values[simple] = fast[simple]
    if rest.any():
        idx = np.flatnonzero(rest)
        num, ok = _parse_money_full(arr.take(pa.array(idx)))
        values[idx] = num.to_numpy(zero_copy_only=False)
        valid[idx] = _np(ok)
    return pd.Series(values, index=s.index), valid | null


def _parse_money_full(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    text = pc.utf8_trim_whitespace(arr)
    negative = pc.or_(pc.match_substring_regex(text, r"^\(.*\)$"), pc.match_substring(text, "-"))
    body = pc.replace_substring_regex(text, _MONEY_NOISE, "")
    body = pc.replace_substring_regex(body, "^[A-Za-z]{1,3}|[A-Za-z]{1,3}$", "")
    plain = pc.match_substring_regex(body, r"^[0-9]+(\.[0-9]+)?$")  # 1200.50, 1.200 (= 1.2)
    us = pc.match_substring_regex(body, r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")  # 1,200.50 and 1,200
    eu = pc.or_(  # 1.200,50 / 1.200.000 / 1200,50
        pc.match_substring_regex(body, r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$"),
        pc.match_substring_regex(body, r"^[0-9]+,[0-9]+$"),
    )
    eu = pc.and_(eu, pc.invert(pc.or_(plain, us)))
    normal = pc.if_else(us, pc.replace_substring(body, ",", ""), body)
    normal = pc.if_else(eu, pc.replace_substring(pc.replace_substring(body, ".", ""), ",", "."), normal)
    valid = pc.or_(pc.or_(plain, us), eu)
    num = _cast(normal, valid, pa.float64())
    return pc.if_else(negative, pc.negate(num), num), valid


def _iso_with_offset(text: pd.Series) -> pd.Series | None:
    """Every value ISO 8601 *with* an offset (``Z``, ``+02:00``): arrow's C++ parser, ~8x pandas' speed.

    Arrow's cast is strict and all-or-nothing: a value without an offset, an impossible date or more
    than 6 fractional digits makes it fail, and the caller takes the pandas path. Where it succeeds
    the result equals pandas' (offsets converted to UTC).
    """
    try:
        arr = pc.cast(_arrow(text), pa.timestamp("us", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(arr.to_pandas(), index=text.index).astype(_DT)


def parse_datetime(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = s.str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype=_DT)
    if (fast := _iso_with_offset(text)) is not None:  # every value is ISO 8601 with an offset
        return fast, np.ones(len(s), dtype=bool)
    iso = _mask(text.str.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))
    if iso.all():  # the common case: one conversion, no subset copies
        out = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").astype(_DT)
    elif iso.any():
        out[iso] = pd.to_datetime(text[iso], format="ISO8601", utc=True, errors="coerce").astype(_DT)
    if not (out.isna().to_numpy() & s.notna().to_numpy()).any():
        return out, np.ones(len(s), dtype=bool)  # everything was ISO: skip the other shapes
    for digits, unit in ((r"[0-9]{12,13}", "ms"), (r"[0-9]{9,10}", "s")):
        epoch = _mask(text.str.fullmatch(digits))
        if epoch.any():
            out[epoch] = pd.to_datetime(text[epoch].astype("int64"), unit=unit, utc=True).astype(_DT)
    for sep, orders in (("/", ("%m/%d/%Y", "%d/%m/%Y")), (".", ("%d.%m.%Y",))):
        shaped = _mask(text.str.match(r"[0-9]{1,2}" + "\\" + sep + r"[0-9]{1,2}" + "\\" + sep + r"[0-9]{4}"))
        for date_fmt in orders:
            for time_fmt in _TIME_SUFFIXES:
                todo = shaped & out.isna().to_numpy()
                if not todo.any():
                    break
                parsed = pd.to_datetime(text[todo], format=date_fmt + time_fmt, errors="coerce")
                out[todo] = parsed.dt.tz_localize("UTC").astype(_DT)
    ok = out.notna().to_numpy() | s.isna().to_numpy()
    return out, ok


def parse_date(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    vals, ok = parse_datetime(s)
    return vals.dt.floor("D"), ok
