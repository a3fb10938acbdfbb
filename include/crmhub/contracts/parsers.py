"""Vectorised parsers for messy text: money, dates/datetimes, booleans, numbers.

Every function takes a pandas string series and returns ``(values, ok)`` where ``ok`` is a boolean
numpy array, True where the input was null (nothing to parse) or parsed. No Python loop per cell.

Money (``parse_money``):
  * currency symbols/codes (``$``, ``€``, ``EUR``...), spaces, NBSP and ``'`` are ignored;
  * the decimal separator is the *last* of ``.``/``,`` when both occur (``1.200,50`` and ``1,200.50``);
  * only ``,``: thousands when it groups by 3 (``1,200`` = 1200, ``1,200,000``), else decimal (``12,5``);
  * only ``.``: thousands when it appears 2+ times grouping by 3 (``1.200.000``), else decimal
    (``1.200`` = 1.2 - ambiguous, documented);
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
    out = pd.Series(pd.array([None] * len(s), dtype="boolean"), index=s.index)
    out[is_true] = True
    out[is_false] = False
    ok = is_true | is_false | s.isna().to_numpy()
    return out, ok


def parse_decimal(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    vals = pd.to_numeric(s.str.strip(), errors="coerce").astype("float64")
    ok = vals.notna().to_numpy() | s.isna().to_numpy()
    return vals, ok


def parse_integer(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = s.str.strip()
    shape = _mask(text.str.fullmatch(r"[+-]?[0-9]{1,18}"))
    vals = pd.to_numeric(text.where(shape), errors="coerce").astype("Int64")
    ok = shape | s.isna().to_numpy()
    return vals, ok


def parse_money(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = s.str.strip()
    negative = _mask(text.str.fullmatch(r"\(.*\)")) | _mask(text.str.contains("-", regex=False))
    body = text.str.replace(_MONEY_NOISE, "", regex=True)
    body = body.str.replace(r"^[A-Za-z]{1,3}|[A-Za-z]{1,3}$", "", regex=True)
    shaped = _mask(body.str.fullmatch(r"[0-9][0-9.,]*"))
    has_dot = _mask(body.str.contains(".", regex=False))
    has_comma = _mask(body.str.contains(",", regex=False))
    comma_last = _mask(body.str.contains(r",[0-9]*$"))  # the last separator is a comma
    comma_thousands = _mask(body.str.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+"))
    dot_thousands = _mask(body.str.fullmatch(r"[0-9]{1,3}(\.[0-9]{3}){2,}"))
    dec_comma = (has_dot & has_comma & comma_last) | (has_comma & ~has_dot & ~comma_thousands)
    thousands_only = (has_comma & ~has_dot & comma_thousands) | (has_dot & ~has_comma & dot_thousands)
    as_dot = body.str.replace(",", "", regex=False)
    as_comma = body.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    bare = as_dot.str.replace(".", "", regex=False)
    normal = as_dot.where(~dec_comma, as_comma).where(~thousands_only, bare)
    valid = shaped & _mask(normal.str.fullmatch(r"[0-9]+(\.[0-9]+)?"))
    vals = pd.to_numeric(normal.where(valid), errors="coerce").astype("float64")
    vals = vals.where(~negative, -vals)
    ok = valid | s.isna().to_numpy()
    return vals, ok


def parse_datetime(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = s.str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype=_DT)
    iso = _mask(text.str.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))
    if iso.any():
        out[iso] = pd.to_datetime(text[iso], format="ISO8601", utc=True, errors="coerce").astype(_DT)
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
