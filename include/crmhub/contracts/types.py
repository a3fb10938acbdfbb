"""Per-type validation: one vectorised function per contract type, ``(series) -> (typed, ok)``.

``ok`` is True where the value is null (null handling is decided elsewhere) or valid for the type.
Formats (RE2-compatible regexes, run by pyarrow over the whole column):

* email: ``local@domain.tld`` (no spaces, one ``@``, a dotted domain with a 2+ letter TLD);
* domain: a host name without scheme or path (``example.com``);
* url: ``http(s)://`` followed by a host;
* phone: after removing spaces, ``()``, ``.``, ``-``, ``/``: optional ``+`` and 7-15 digits, optional
  ``x``/``ext`` extension;
* tax_id: 5-20 letters/digits (and `` .-/``) containing at least one digit (EIN, VAT, UTR ...);
* country: ISO-3166 alpha-2, currency: ISO-4217 (exact, upper case: use the ``upper`` transform).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crmhub.contracts import parsers
from crmhub.contracts.iso_codes import countries, currencies

_EMAIL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_URL = r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][^ \t\r\n]*)?"
_PHONE = r"\+?[0-9]{7,15}(?:(?:x|ext)[0-9]{1,6})?"
_TAX_ID = r"[A-Za-z0-9][A-Za-z0-9 ./-]{3,19}"


def _fullmatch(pattern: str, *, prepare: Callable[[pd.Series], pd.Series] | None = None):
    def check(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
        text = prepare(s) if prepare else s
        ok = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool) | s.isna().to_numpy()
        return s, ok

    return check


def _phone_prepare(s: pd.Series) -> pd.Series:
    return s.str.lower().str.replace("[ \t().\\-/]", "", regex=True)


def _tax_id(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    shaped = s.str.fullmatch(_TAX_ID).fillna(False).to_numpy(dtype=bool)
    digit = s.str.contains(r"[0-9]", regex=True).fillna(False).to_numpy(dtype=bool)
    return s, (shaped & digit) | s.isna().to_numpy()


def _member_of(codes: Callable[[], frozenset[str]]):
    def check(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
        return s, s.isin(codes()).to_numpy(dtype=bool) | s.isna().to_numpy()

    return check


def _string(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    return s, np.ones(len(s), dtype=bool)


VALIDATORS: dict[str, Callable[[pd.Series], tuple[pd.Series, np.ndarray]]] = {
    "string": _string,
    "enum": _string,  # membership is checked by `allowed`
    "integer": parsers.parse_integer,
    "decimal": parsers.parse_decimal,
    "money": parsers.parse_money,
    "boolean": parsers.parse_bool,
    "date": parsers.parse_date,
    "datetime": parsers.parse_datetime,
    "email": _fullmatch(_EMAIL),
    "domain": _fullmatch(_DOMAIN),
    "url": _fullmatch(_URL),
    "phone": _fullmatch(_PHONE, prepare=_phone_prepare),
    "tax_id": _tax_id,
    "country": _member_of(countries),
    "currency": _member_of(currencies),
}

NUMERIC_TYPES = {"integer", "decimal", "money"}

#: PostgreSQL type of each contract type in ``staging`` tables.
PG_TYPES = {
    "integer": "bigint",
    "decimal": "numeric",
    "money": "numeric(20, 2)",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamptz",
}


def pg_type(contract_type: str) -> str:
    return PG_TYPES.get(contract_type, "text")
