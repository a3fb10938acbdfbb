"""ISO-3166 alpha-2 country codes and ISO-4217 currency codes, from babel's CLDR data (a runtime dependency).

CLDR also knows territories that are not ISO-3166 codes (Ascension, the EU, "Unknown Region", ...);
those are removed so the set is exactly the 249 ISO-3166-1 alpha-2 codes.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.numbers import list_currencies

_NOT_ISO_3166 = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}


@cache
def countries() -> frozenset[str]:
    """The ISO-3166-1 alpha-2 codes (upper case)."""
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166
    )


@cache
def currencies() -> frozenset[str]:
    """ISO-4217 alphabetic currency codes known to CLDR (upper case)."""
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())
