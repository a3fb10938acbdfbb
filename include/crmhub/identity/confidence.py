"""Identity_Confidence: how sure crmhub is that a resolved identity is complete and reachable.

``Identity_Confidence = 100 · (0.5·Domain_Match + 0.3·Enrichment_Coverage + 0.2·Email_Verified)``

Each component is in [0, 1] (anything else raises ``ValueError``):

* **Domain_Match** — agreement of domains across the linked source records of one identity: the share
  of the cluster's source records whose domain equals the cluster's majority domain. The domain is the
  contact's email domain (contacts) or the entity's web domain (organisations), normalised
  (:func:`crmhub.identity.normalize.normalize_domain`). Only records from a source whose contract carries
  the domain count (:func:`domain_systems`: a fund administrator's LP file or a billing customer has no
  web-domain field, so linking it neither agrees nor disagrees); among those a record without a domain
  does not agree, and a cluster where no such record has a domain scores 0. A single record with a
  domain scores 1.
* **Enrichment_Coverage** — share of the *enrichment fields* that are filled for the identity (filled in
  any linked record). The enrichment fields are the canonical targets of every field contract marked
  ``enrichment: true`` in ``config/integration_map.yaml`` for that kind (see :func:`enrichment_fields`).
* **Email_Verified** — the source's verification flag: 1 when any linked source record says the email is
  verified (``email_verified`` / CRM ``hs_email_verified``), else 0. For organisations: 1 when any
  contact attached to the entity has a verified email.

Worked example (the seed's): Domain_Match 0.9, Enrichment_Coverage 0.8, Email_Verified 1.0 gives
45 + 24 + 20 = **89**. Identities scoring below :data:`HOLD_THRESHOLD` (60) are held for enrichment and
are not routed; a hold is released only when a later run scores the identity at 60 or more (there is
deliberately no override).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from crmhub.identity.holds import HOLD_THRESHOLD
from crmhub.identity.normalize import normalize_domain

WEIGHTS = {"domain_match": 0.5, "enrichment_coverage": 0.3, "email_verified": 0.2}

#: Fallback enrichment fields (what config/integration_map.yaml declares today), used without a map.
DEFAULT_ENRICHMENT_FIELDS = {
    "contact": ("first_name", "last_name", "phone", "company", "title", "country"),
    "org": ("domain", "tax_id", "city", "country"),
}


def _unit(name: str, value: float) -> float:
    if isinstance(value, bool):
        value = float(value)
    if not isinstance(value, (int, float)) or math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def identity_confidence(domain_match: float, enrichment_coverage: float, email_verified: float) -> float:
    """``100·(0.5·domain_match + 0.3·enrichment_coverage + 0.2·email_verified)``, rounded to 2 decimals.

    >>> identity_confidence(0.9, 0.8, 1.0)
    89.0
    """
    d = _unit("Domain_Match", domain_match)
    e = _unit("Enrichment_Coverage", enrichment_coverage)
    v = _unit("Email_Verified", email_verified)
    return round(100.0 * (WEIGHTS["domain_match"] * d + WEIGHTS["enrichment_coverage"] * e
                          + WEIGHTS["email_verified"] * v), 2)


def is_held(score: float) -> bool:
    """True when an identity must be held for enrichment (score below 60)."""
    return score < HOLD_THRESHOLD


def domain_match(domains: Iterable[str | None]) -> float:
    """Share of records whose normalised domain equals the majority domain (0 when none has one)."""
    values = [normalize_domain(d) for d in domains]
    total = len(values)
    present = [d for d in values if d]
    if not total or not present:
        return 0.0
    counts = Counter(present)
    top = max(counts.values())
    return top / total


def enrichment_coverage(records: Iterable[Mapping], fields: Iterable[str]) -> float:
    """Share of ``fields`` filled in at least one of ``records`` (0 when there are no fields)."""
    fields = tuple(fields)
    if not fields:
        return 0.0
    records = list(records)

    def filled(value: object) -> bool:
        return value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value).strip() != ""

    have = sum(1 for f in fields if any(filled(r.get(f)) for r in records))
    return have / len(fields)


def email_verified(flags: Iterable[object]) -> float:
    """1.0 when any flag is true (``True``, ``"true"``, ``"1"``, ``"yes"``), else 0.0."""
    for flag in flags:
        if flag is True or str(flag).strip().lower() in {"true", "t", "1", "yes", "y"}:
            return 1.0
    return 0.0


def enrichment_fields(kind: str, imap=None) -> tuple[str, ...]:
    """Canonical columns targeted by ``enrichment: true`` field contracts for ``kind`` (``org``/``contact``).

    ``contact.<col>`` targets give ``<col>``; for contacts an ``entity.name`` target gives ``company``.
    With ``imap=None`` the integration map is loaded from its default location (falls back to
    :data:`DEFAULT_ENRICHMENT_FIELDS` when it cannot be read).
    """
    if imap is None:
        try:
            from crmhub.config.integration_map import load_integration_map

            imap = load_integration_map()
        except Exception:  # noqa: BLE001 - any config problem: use the declared defaults
            return DEFAULT_ENRICHMENT_FIELDS[kind]
    table = "contact" if kind == "contact" else "entity"
    out: list[str] = []
    for conn in imap.connectors:
        if table not in conn.targets:
            continue
        for f in conn.fields:
            if not f.enrichment or not f.target:
                continue
            obj, _, col = f.target.partition(".")
            if obj == table:
                name = col
            elif kind == "contact" and f.target == "entity.name":
                name = "company"
            else:
                continue
            if name not in out:
                out.append(name)
    return tuple(out)


def domain_systems(kind: str, imap=None) -> frozenset[str] | None:
    """Source systems whose field contracts fill the domain Domain_Match compares (orgs: ``entity.domain``;
    contacts: ``contact.email``); None without a readable map (then every record counts)."""
    if imap is None:
        try:
            from crmhub.config.integration_map import load_integration_map

            imap = load_integration_map()
        except Exception:  # noqa: BLE001 - any config problem: count every record, as before a map exists
            return None
    target = "contact.email" if kind == "contact" else "entity.domain"
    return frozenset(c.system for c in imap.connectors if any(f.target == target for f in c.fields))


def cluster_confidence(records: list[Mapping], kind: str, fields: Iterable[str],
                       verified_flags: Iterable[object] = (), carriers: frozenset[str] | None = None) -> dict:
    """Components and score for one identity (its linked source records); ``carriers``: the source systems
    whose records count for Domain_Match (:func:`domain_systems`; None: all)."""
    domain_key = "email" if kind == "contact" else "domain"
    dm = domain_match(r.get(domain_key) for r in records
                      if carriers is None or r.get("source_system") in carriers)
    ec = enrichment_coverage(records, fields)
    ev = email_verified(list(verified_flags) + [r.get("email_verified") for r in records])
    score = identity_confidence(dm, ec, ev)
    return {"domain_match": round(dm, 4), "enrichment_coverage": round(ec, 4), "email_verified": ev,
            "score": score, "held": is_held(score)}
