"""Short forms of organisation names that no character similarity sees: contractions of multi-word
terms ("ManCo" for "Management Company", "FO" for "Family Office").
"""

from __future__ import annotations

#: Contractions of multi-word terms of private-equity and investor naming, expanded like the word
#: abbreviations of :data:`crmhub.identity.normalize.ORG_ABBREVIATIONS` ("Flailion ManCo" = "Flailion
#: Management Company"; "Company" is a legal word and dropped after the expansion). This module's own
#: short table of the established ones: a management company, a single- or multi-family office.
MULTI_WORD_SHORT_FORMS = {
    "manco": "management company", "fo": "family office",
    "sfo": "single family office", "mfo": "multi family office",
}
