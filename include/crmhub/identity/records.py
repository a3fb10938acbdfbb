"""Canonical record frames for identity resolution and their normalised features.

Two kinds of records are resolved: organisations (``org``) and contacts (``contact``). Each arrives as
a :class:`pandas.DataFrame` with the canonical columns below (extra columns are ignored, missing ones
are treated as empty). :func:`prepare` adds the normalised columns (prefix ``n_``) that blocking and
comparison use, so each value is normalised once per run.
"""

from __future__ import annotations

import pandas as pd

from crmhub.identity import normalize as nz
from crmhub.identity.name_noise import held_by_custodian
from crmhub.identity.parallel import forked_map, slices

ORG_COLUMNS = ("record_id", "source_system", "name", "domain", "tax_id", "city", "country")
CONTACT_COLUMNS = ("record_id", "source_system", "first_name", "last_name", "email", "phone", "company",
                   "city", "postcode", "date_of_birth")
KINDS = ("org", "contact")


def columns_for(kind: str) -> tuple[str, ...]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return ORG_COLUMNS if kind == "org" else CONTACT_COLUMNS


def _col(df: pd.DataFrame, name: str) -> list:
    if name not in df.columns:
        return [None] * len(df)
    return [None if (v is None or (isinstance(v, float) and v != v) or str(v).strip() == "") else str(v)
            for v in df[name].tolist()]


def _map(func, values: list) -> list:
    """``func`` of each value (``None`` stays ``None``), computed once per distinct value: a run repeats
    many values (towns, countries, a firm's domain) and the normalisers are pure."""
    done = {v: func(v) for v in dict.fromkeys(values) if _present(v)}
    return [done[v] if _present(v) else None for v in values]


def _present(value: object) -> bool:
    """Whether a prepared column's value is there: pandas' string columns hold a missing value as NaN
    (a float), not as the ``None`` :func:`_col` gives them."""
    return value is not None and value == value


def _org_name_features(name: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    """``n_name``, ``n_legal``, ``n_numerals``, ``n_vintage`` and ``n_partnership_law`` of one organisation
    name. Computed together: they read one cached parse of the name (``normalize._org_parts`` and the words
    as written), which a separate pass per feature over a million names would evict before the next pass
    reads it (the partnership law, once read apart at comparison, parsed every name a second time)."""
    return (nz.normalize_org_name(name), nz.legal_form(name), " ".join(sorted(nz.vehicle_marks(name))),
            nz.vintage_year(name), nz.partnership_law(name))


#: Fewest distinct organisation names :func:`prepare` parses in worker processes (fewer are parsed in this
#: one: starting the processes and sending the names back costs more than it saves).
PARALLEL_MIN_NAMES = 200_000


def _features_of(names: list[str], part: slice) -> list[tuple]:
    return [_org_name_features(v) for v in names[part]]


def _map_org_names(values: list, workers: int, min_parallel: int = PARALLEL_MIN_NAMES) -> list:
    """:func:`_map` of :func:`_org_name_features`, the distinct names parsed by ``workers`` processes
    (:func:`crmhub.identity.parallel.forked_map`) when there are ``min_parallel`` or more: the parse is pure
    Python, one core's work per name, and a third of a million-record run in one process."""
    distinct = [v for v in dict.fromkeys(values) if _present(v)]
    if len(distinct) < min_parallel:
        workers = 1
    parts = forked_map(_features_of, (distinct,), slices(len(distinct), workers), workers)
    features = [f for part in parts for f in part]
    done = dict(zip(distinct, features, strict=True))
    return [done[v] if _present(v) else None for v in values]


def _continuation_written_cv(out: pd.DataFrame) -> None:
    """A name closing with "CV" after its fund numeral (:func:`crmhub.identity.normalize.cv_closes_after_numeral`)
    on a record seated in a country without a "CV" legal form (:data:`crmhub.identity.normalize.CV_FORM_COUNTRIES`)
    names a continuation vehicle: ``n_name`` and ``n_numerals`` (in place) carry the marker, as "Fund VII
    Continuation" does, so "Brand Fund VII CV" in Minneapolis is no Dutch C.V. of "Brand Fund VII, L.P.". The
    seat is the stated country, else the country of the record's town where that is a CLDR exemplar city
    (:func:`crmhub.identity.normalize.town_territory`: Toronto, Los Angeles, Amsterdam); without either the name
    stays read as the legal form."""
    names, countries, towns = out["name"].tolist(), out["n_country"].tolist(), out["n_city"].tolist()
    n_name, marks = out["n_name"].tolist(), out["n_numerals"].tolist()
    for r, (name, country) in enumerate(zip(names, countries, strict=True)):
        if not isinstance(country, str) and isinstance(towns[r], str):
            country = nz.town_territory(towns[r])
        if isinstance(country, str) and country not in nz.CV_FORM_COUNTRIES and isinstance(name, str) \
                and isinstance(n_name[r], str) and name.rstrip(_CLOSING_NOISE).lower().endswith("v") \
                and nz.cv_closes_after_numeral(name):
            n_name[r] = f"{n_name[r]} {nz.CONTINUATION}"
            marks[r] = " ".join(sorted({*marks[r].split(), nz.CONTINUATION}))
    out["n_name"], out["n_numerals"] = n_name, marks


#: What may close a name after its last word (:func:`_continuation_written_cv`'s quick test).
_CLOSING_NOISE = " .\t\xa0*-;,"


def prepare(df: pd.DataFrame, kind: str, workers: int = 1) -> pd.DataFrame:
    """Copy of ``df`` (index reset to 0..n-1) with canonical columns as text and ``n_*`` features added;
    ``workers`` processes parse many organisation names (:func:`_map_org_names`; 1: this process only)."""
    cols = columns_for(kind)
    out = pd.DataFrame({c: _col(df, c) for c in cols})
    if out["record_id"].isna().any():
        missing = [i for i, v in enumerate(out["record_id"]) if not _present(v)]
        raise ValueError(f"record_id is empty on row(s) {missing[:5]} (rows counted from 0); every record needs one")
    if out["source_system"].isna().all():
        out["source_system"] = "file"
    out["source_system"] = out["source_system"].fillna("file")
    if "crmhub_id" in df.columns:
        out["crmhub_id"] = _col(df, "crmhub_id")
    if kind == "org":
        features = _map_org_names(out["name"].tolist(), workers)
        out["n_name"] = [f[0] if f else None for f in features]
        out["n_legal"] = [f[1] if f else None for f in features]
        out["n_numerals"] = [f[2] if f else "" for f in features]
        out["n_vintage"] = [f[3] if f else None for f in features]
        out["n_partnership_law"] = [f[4] if f else None for f in features]
        doms = out["domain"].tolist()
        out["n_domain"] = _map(nz.organisation_domain, doms)
        out["n_tax_id"] = _map(nz.normalize_tax_id, out["tax_id"].tolist())
        # a custodian's registration line for an investor ("<Bank> as custodian FBO <LP>") carries the
        # custodian's office as its address: no evidence for or against the investor's town
        held = _map(held_by_custodian, out["name"].tolist())
        out["n_city"] = [None if h else c for h, c in zip(held, _map(nz.normalize_city, out["city"].tolist()),
                                                          strict=True)]
        out["n_country"] = _map(nz.stated_country, out["country"].tolist())  # "NA" states none
        out["n_city"] = [nz.town_in_country(t, c) if isinstance(t, str) and isinstance(c, str) else t
                         for t, c in zip(out["n_city"].tolist(), out["n_country"].tolist(), strict=True)]
        _continuation_written_cv(out)
    else:
        out["n_first"] = _map(nz.normalize_person_name, out["first_name"].tolist())
        out["n_first_canon"] = _map(nz.canonical_given_name, out["n_first"].tolist())
        out["n_last"] = _map(nz.normalize_person_name, out["last_name"].tolist())
        emails = _map(nz.normalize_email, out["email"].tolist())
        out["n_email"] = emails
        out["n_email_local"] = [e.split("@", 1)[0] if e else None for e in emails]
        out["n_email_domain"] = [e.split("@", 1)[1] if e else None for e in emails]
        out["n_email_role"] = [bool(e) and nz.is_role_email(e) for e in emails]
        out["n_org_domain"] = _map(nz.organisation_domain, out["n_email_domain"].tolist())
        out["n_phone"] = _map(nz.normalize_phone, out["phone"].tolist())
        out["n_company"] = _map(nz.normalize_org_name, out["company"].tolist())
        out["n_city"] = _map(nz.normalize_city, out["city"].tolist())
        out["n_postcode"] = _map(nz.normalize_postcode, out["postcode"].tolist())
        out["n_dob"] = _map(nz.normalize_date, out["date_of_birth"].tolist())
    # pandas 3 infers the "str" dtype (missing = NaN); keep plain objects with None for missing.
    out = out.astype(object)
    return out.where(out.notna(), None)
