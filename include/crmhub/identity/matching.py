"""Resolution of one batch of canonical records: deterministic links, scored candidates, review pairs,
clusters and stable cluster ids. Pure: no database; :mod:`crmhub.identity.store` persists the result.

Rules (the playbook's "post office"):

* Deterministic links are accepted automatically: organisations sharing a normalised tax id (unless
  their fund numerals conflict or their countries differ); contacts sharing the exact normalised email, when it is not a role
  mailbox (``info@``, ``ir@`` ...), names/date of birth do not contradict each other and phone and
  postcode do not both differ (then the mailbox is shared and the pair is scored instead). A shared web
  domain is only evidence for scoring, never a link, and free-mail domains count as no domain at all.
* Every other candidate pair is scored (:mod:`crmhub.identity.scoring`); pairs scoring above the review
  threshold (0.70) go to the review queue with both records, the score and the features that drove it;
  so do pairs that share the deterministic key (tax id / address) the rule could not link, whatever their
  score (feature ``shared_key``).
  No fuzzy pair is ever linked without a human "approved" decision.
* A fund-numeral conflict forces a non-match: such a pair is never linked and never queued.
* Human decisions are remembered: a rejected pair is never queued again and also cuts a deterministic
  link; an approved pair is an accepted link on every later run.
* Clusters are the connected components (union-find) of accepted links only.
* Cluster ids are stable: the id of the oldest member (input order = age order) that already has an id
  (column ``crmhub_id``), else a UUID5 derived from the oldest member's key. A growing cluster keeps its
  id; when clusters merge, the oldest survives and the others are reported in ``merges``.
"""

from __future__ import annotations

import bisect
import functools
import gc
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA

from crmhub.identity.arrays import among, any_of, unique_ints
from crmhub.identity.blocking import MANAGER_MARKS, MIN_MARKED_BRAND, candidate_pairs
from crmhub.identity.clusters import UnionFind, cluster_roots, consistent_groups
from crmhub.identity.comparison import (
    Column,
    Encoded,
    acronym_in_town_mask,
    acronym_site_mask,
    compare,
    cut_on_a_space,
    descriptor_added,
    descriptor_form,
    investment_management_written_short,
    japanese_romanisation,
    kind_words_respelt,
    korean_romanisation,
    listed_names,
    name_pair_mask,
    names_by_town,
    one_spelling,
    one_word_apart,
    partner_initials,
    partner_initials_pair,
    partnership_short_form,
    per_name_pair,
    place_acronym_pair,
    place_name_reordered,
    romanised_alike,
    same_word,
    same_words,
    same_words_mask,
    short_form_mask,
    site_spelt_brand_mask,
    spelt_words,
    typing_slip,
    word_conflict,
    word_levels,
    written_as_partner_initials,
)
from crmhub.identity.normalize import (
    ENDOWMENT_COMPANY,
    FUND_LEGAL_FORMS,
    GROUP_WORDS,
    HOLDING_CHAIN_MARKERS,
    INSURER_DOMICILE_MARK,
    JURISDICTION_WORDS,
    ORGANISATION_KIND_WORDS,
    fund_strategies,
    jurisdiction_code,
    names_management_company,
    normalize_country,
    tax_id_scheme,
)
from crmhub.identity.records import columns_for, prepare
from crmhub.identity.scoring import (
    EM_KINDS,
    EM_MIN_PAIRS,
    PARAMETERS,
    TF_PLACES,
    Scores,
    count_in_place,
    explain_pairs,
    refine_from_anchor,
    refine_parameters,
    relevel_bits,
    relevel_bound,
    rescore,
    sample_pairs,
    score,
    term_frequency_bits,
    u_from_random_pairs,
    u_of_pairs,
    u_sample_size,
)
from crmhub.identity.short_forms import (
    MAX_BRAND_FORM_WORDS,
    MIN_BRAND,
    brand_short_form,
    brand_word,
    family_office_alias,
    is_brand_form,
    kind_form,
    names_spelt_by,
    partnership_of,
)
from crmhub.identity.short_forms import acronym_pair as acronym_name_pair

REVIEW_THRESHOLD = 0.70
#: A scored pair below this probability (vetoes score 0) is a clear non-match: never in one proposal
#: (0.001: on FEBRL 3, febrl_style and the own orgs the best trade of surfaced recall for precision).
CLEAR_NON_MATCH = 0.001
#: A scored pair below this probability votes "different" when two groups of identities may join one
#: proposal, one above the review threshold "same" (:func:`crmhub.identity.clusters.consistent_groups`).
#: 0.1: on the own orgs (100k, seeds 42 and 7) a fifth of the false pairs inside proposals go for
#: under 0.001 of surfaced recall; 0.05 buys less precision, 0.2 costs twice the recall.
VOTE_DIFFERENT = 0.1
#: Largest proposed cluster (records); a bigger component is split along its weakest links.
MAX_PROPOSAL_RECORDS = 12
#: Kinds whose record pairs blocking did not compare are scored and vote too when their groups may join
#: one proposal (votes only: a clear non-match among them does not forbid the join). Organisations: such
#: pairs are mostly namesakes in capped blocks (tuning orgs 10k, seed 42: 36 pairs, 21 false, 20 of them
#: below VOTE_DIFFERENT; 15 true, 1 below it). Not contacts: person records blocking misses are mostly
#: heavily mistyped duplicates (FEBRL 3: 52 pairs, all true, 20 below VOTE_DIFFERENT).
UNCOMPARED_VOTE_KINDS = ("org",)
#: Components of the candidate links up to this many records have every record pair between two of their
#: identities scored (for UNCOMPARED_VOTE_KINDS); bigger ones vote with their compared pairs only.
UNCOMPARED_COMPONENT_RECORDS = 2 * MAX_PROPOSAL_RECORDS
#: Per-record attributes on which two members of one proposal must not disagree (both set, different).
PROPOSAL_CONFLICT_COLUMNS = {"org": ("n_numerals", "n_vintage", "n_tax_id"), "contact": ()}
ID_NAMESPACE = uuid.UUID("6f1d3c1e-6a0b-4c3e-9a57-3c7d1f0a2b11")
#: Duplicate-rate target of the pilot (share of canonical records that are unmerged duplicates).
DUPLICATE_RATE_TARGET = 0.02

RecordKey = tuple[str, str]  # (source_system, record_id)


def pair_key(a: RecordKey, b: RecordKey) -> tuple[RecordKey, RecordKey]:
    """Unordered pair key: the two record keys sorted."""
    return (a, b) if a <= b else (b, a)


def _uuid5(name: str, _namespace: bytes = ID_NAMESPACE.bytes, _variant: str = "89ab" * 4) -> str:
    """``str(uuid.uuid5(ID_NAMESPACE, name))`` from the SHA-1 hex digest, without building a UUID object
    (one per record at a million records): version nibble 5, variant bits 10."""
    h = hashlib.sha1(_namespace + name.encode("utf-8")).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_variant[int(h[16], 16)]}{h[17:20]}-{h[20:32]}"


def new_cluster_id(kind: str, key: RecordKey) -> str:
    return _uuid5(f"{kind}:{key[0]}:{key[1]}")


@dataclass
class ReviewPair:
    """A fuzzy pair awaiting a human decision."""

    left: dict
    right: dict
    score: float
    features: dict
    proposed_cluster: str = ""

    @property
    def key(self) -> tuple[RecordKey, RecordKey]:
        return pair_key((self.left["source_system"], self.left["record_id"]),
                        (self.right["source_system"], self.right["record_id"]))


@dataclass
class ProposedCluster:
    """The review unit: a mutually consistent group of current identities joined by candidate links
    above the review threshold (see :func:`_consistent_proposals`), spanning at least two identities.

    One human decision settles it: approve (all members become one identity), split (the steward picks
    the records that leave) or reject. ``cluster_id`` is derived from the member record keys, so the same
    record set has the same id on every run.
    """

    cluster_id: str
    members: list[dict]            # record views (canonical columns), oldest first
    identities: list[str]          # current cluster id of each member (before any decision)
    pairs: list[ReviewPair]        # the candidate links that join the members' identities

    @property
    def keys(self) -> list[RecordKey]:
        return [(m["source_system"], m["record_id"]) for m in self.members]

    @property
    def score_min(self) -> float:
        return min(p.score for p in self.pairs)

    @property
    def score_max(self) -> float:
        return max(p.score for p in self.pairs)


def proposed_cluster_id(kind: str, keys: list[RecordKey]) -> str:
    """Stable id of a proposed cluster: the same record set always gets the same id."""
    text = "|".join(f"{s}:{r}" for s, r in sorted(keys))
    return "pc-" + _uuid5(f"{kind}:proposal:{text}").replace("-", "")[:16]


@dataclass
class Resolution:
    """Everything one resolution run decided."""

    kind: str
    records: pd.DataFrame                 # prepared records (canonical + n_* columns)
    cluster_ids: list[str]                # per record
    deterministic_links: np.ndarray       # (k, 2) record indices
    approved_links: np.ndarray            # (k, 2) record indices linked by human approval
    review: list[ReviewPair]
    proposals: list[ProposedCluster]      # the review units: one decision each
    merges: list[tuple[str, str]]         # (survivor id, merged id) for records that already had an id
    candidate_pairs: int
    pairs_per_key: dict[str, int]
    vetoed_pairs: int
    rejected_pairs_skipped: int
    timings: dict[str, float] = field(default_factory=dict)
    expected_unmerged_duplicates: float = 0.0
    #: every scored candidate pair (k, 2), its probability, deterministic flag and comparison levels
    #: (kept for evaluation and calibration; the queue and clusters above are the decisions)
    scored_pairs: np.ndarray | None = None
    pair_probability: np.ndarray | None = None
    pair_deterministic: np.ndarray | None = None
    pair_levels: dict | None = None
    parameters: dict | None = None        # the m/u/λ used (EM-refined or calibrated)

    @property
    def review_decisions(self) -> int:
        """Human decisions this run asks for: one per proposed cluster."""
        return len(self.proposals)

    def reviewer_load(self) -> dict[str, float]:
        """Decisions per 1,000 records and per multi-record identity if every proposal were approved."""
        n = len(self.cluster_ids)
        return {"review_decisions": self.review_decisions,
                "decisions_per_1000_records": round(1000 * self.review_decisions / n, 2) if n else 0.0,
                "decisions_per_multi_record_identity": round(self.review_decisions / self.multi_record_identities, 4)
                if self.multi_record_identities else 0.0}

    @property
    def multi_record_identities(self) -> int:
        """Identities of two or more records once every proposal is approved (the estimated duplicates)."""
        roots = cluster_roots(len(self.cluster_ids), np.concatenate([self.deterministic_links, self.approved_links,
                                                                     self.proposal_links]))
        _, counts = np.unique(roots, return_counts=True)
        return int((counts > 1).sum())

    proposal_links: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    #: candidate links above the threshold left out of every proposal because they would have put two
    #: inconsistent records (or more than MAX_PROPOSAL_RECORDS) into one proposed cluster
    cut_links: int = 0

    def assignments(self) -> pd.DataFrame:
        """``record_id, source_system, cluster_id`` per input record."""
        return pd.DataFrame({"record_id": self.records["record_id"], "source_system": self.records["source_system"],
                             "cluster_id": self.cluster_ids})

    @property
    def duplicate_rate(self) -> float:
        """Estimated share of canonical records (identities) that are true duplicates still unmerged.

        ``expected_unmerged_duplicates / identities``. The expected count sums the match probabilities
        of the pending pairs (queued for review, plus deterministic-key pairs — same tax id / email —
        left unlinked without a human rejection; not between two identities a human rejection keeps
        apart) along a maximum spanning forest over the current identities, so an entity split in k
        records adds at most k-1. Pilot target: < 2 %.
        """
        clusters = len(set(self.cluster_ids))
        return self.expected_unmerged_duplicates / clusters if clusters else 0.0


def _deterministic_mask(levels: dict[str, np.ndarray], kind: str, vetoed: np.ndarray) -> np.ndarray:
    if kind == "org":
        # the same number in two countries' registers is two entities (prefixes are dropped when normalising)
        return (levels["tax_id"] == 1) & ~vetoed & (levels["country"] < 2)
    names_ok = (levels["first_name"] <= 4) & (levels["last_name"] <= 3) & (levels["date_of_birth"] != 3)
    # two independent contradictions (other phone AND other postcode) mean a shared mailbox, not one person
    contradictions = (levels["phone"] == 3).astype(int) + (levels["postcode"] == 3).astype(int)
    return (levels["email"] == 1) & names_ok & (contradictions < 2)


#: Name levels below "near-exact" that a name of the same words up to typos and abbreviations is lifted from.
LIFTABLE_NAME_LEVELS = (3, 4, 5)


def _lift_same_words(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                     threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Organisation names that say the same words up to typos and abbreviations
    (:func:`crmhub.identity.comparison.same_words`: "Quinwell Stone Invt Mgmt" ~ "Quijwell Stone Investment
    Management") count as near-exact, however low their character similarity. Checked where it matters:
    on the pairs below the review threshold that near-exact names would lift above it (in place)."""
    low = any_of(levels["name"], LIFTABLE_NAME_LEVELS) & ~scores.vetoed & (scores.probability <= threshold)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params)
    _lift_to_near_exact(np.flatnonzero(same_words_mask(enc.n_name, pairs, check)), levels, scores, kind, params, tf_bits)


#: The exact organisation name level: two names with one spelling (:func:`_lift_respaced`) are lifted to it.
EXACT_NAME = 1


def _lift_respaced(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                   threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Organisation names that are one name written with its words spaced or pluralised otherwise
    (:func:`crmhub.identity.normalize.name_spelling_key`: "Lake Line Ventures" / "Lakeline Ventures",
    "Brandt Investment" / "Brandt Investments") count as exact, in place, on the pairs below the review
    threshold that an exact name would lift above it. After the run's m is learnt, as the other lifts: in
    the same-tax-id pairs that teach it, such names would leave the near-exact level, and every near-exact
    pair would weigh 0.5 bit less (dev2_orgs 10k: as many true pairs lost as won). The first word's
    term-frequency bits of a near-exact name (:func:`_first_word_counts`) do not apply to an exact one."""
    low = (levels["name"] > EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, one_spelling)), levels, scores, kind,
                   params, tf_bits)


def _lift_would_cross(levels: dict[str, np.ndarray], scores, low: np.ndarray, kind: str, threshold: float,
                      params: dict | None, to: int = 2) -> np.ndarray:
    """The pairs among ``low`` that name level ``to`` (near-exact unless given) would lift above ``threshold``.
    Only the pairs the largest possible gain (:func:`crmhub.identity.scoring.relevel_bound`) could lift are
    relevelled: most candidate pairs are strangers far below the threshold."""
    floor = np.log2(threshold / (1.0 - threshold)) - relevel_bound(kind, params, "name", to) - 1e-6
    idx = np.flatnonzero(low & (scores.probability > 1.0 / (1.0 + np.exp2(-floor))))
    check = np.zeros(len(low), dtype=bool)
    if not idx.size:
        return check
    # the lift adds the new level's Bayes factors in place of the current ones (lifted names have no
    # term-frequency bits, so nothing else changes): compare on the log-odds, without a second scoring
    p = scores.probability[idx]
    would = np.log2(p / (1.0 - p)) + relevel_bits(kind, params, levels, idx, "name", to) \
        > np.log2(threshold / (1.0 - threshold))
    check[idx[would]] = True
    return check


def _lift_to_near_exact(idx: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str, params: dict | None,
                        tf_bits: dict[str, np.ndarray]) -> None:
    if idx.size:
        levels["name"][idx] = 2  # the same array as scores.levels["name"] (no joint terms for organisations)
        rescore(scores, levels, kind, idx, params=params, tf_bits=tf_bits)


def _lift_short_forms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                      threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A name and its short form (:func:`crmhub.identity.comparison.short_form`) count as near-exact
    where another field vouches for it (in place), checked on the pairs below the review threshold
    that the lift would raise above it. A short form alone is ambiguous ("SIA", "Davis"): an acronym
    needs the same web domain (a pension plan's site is its acronym: spsers.org), a partnership's leading
    names the same domain or the same town (a firm known by its first name where it practises). An
    acronym of four letters or more also counts in the same town when the full name's own site is the
    acronym (:func:`crmhub.identity.comparison.acronym_site_mask`). An acronym of four letters or more
    that spells one brand's names only among the run's names in the pair's town, where no two sites
    differ, counts as an exact name (:func:`crmhub.identity.comparison.acronym_in_town_mask`): the town
    says which organisation the initials are. A vehicle mark the acronym spells is carried by it
    (:func:`_marks_spelt_by_acronym`)."""
    low = (levels["name"] >= 3) & ~scores.vetoed & (scores.probability <= threshold)
    domain, town = levels["domain"] == 1, any_of(levels["city"], (1, 2))
    carried, marks = _marks_spelt_by_acronym(enc, pairs, levels, scores, low & (domain | town), kind, params, tf_bits)
    check = _lift_would_cross(levels, scores, low & (domain | town), kind, threshold, params)
    lift = short_form_mask(enc.n_name, pairs, check & listed_names(enc.n_name, pairs, check), partnership_short_form)
    lift |= short_form_mask(enc.n_name, pairs, check & domain & ~lift, acronym_name_pair)
    lift |= acronym_site_mask(enc.n_name, enc.n_domain, pairs, check & town & ~lift)
    no_other_site = levels["domain"] <= 1  # a town vouches where no two sites say two organisations
    by_town = _lift_would_cross(levels, scores, low & town & no_other_site & ~lift, kind, threshold, params,
                                to=EXACT_NAME)
    exact = acronym_in_town_mask(enc.n_name, enc.n_city, pairs, by_town)
    back = ~(lift | exact)[carried]  # marks read as carried only where the short form is read
    levels["numerals"][carried[back]] = marks[back]
    rescore(scores, levels, kind, carried[back], params=params, tf_bits=tf_bits)
    _lift_to_near_exact(np.flatnonzero(lift), levels, scores, kind, params, tf_bits)
    _lift_to_exact(np.flatnonzero(exact), levels, scores, kind, params, tf_bits)


#: City levels of two different towns (:data:`crmhub.identity.comparison.LEVELS`).
OTHER_TOWN = (3, 4)


def _nothing_differs(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose records hold no two different web domains, countries or towns (each may be missing on
    one side or both): the condition every name lift below asks of what the records say besides the name."""
    return (levels["domain"] <= 1) & (levels["country"] <= 1) & ~any_of(levels["city"], OTHER_TOWN)


def _lift_partner_initials(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                           threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A firm written by its two founders' initials and the name listing them
    (:func:`crmhub.identity.comparison.partner_initials_pair`: "RS & Co., LLC" / "Rossi & Santos") counts as
    near-exact where no two sites, countries or towns differ and something says whose initials they are: the
    same web domain, or the run's names list one pair of partners with those initials only, in the pair's town
    when the two records share one, else in the whole run (:func:`_partners_by_initials`): two letters name many
    firms. Checked on the pairs below the review threshold that the lift would raise above it (in place); a
    lifted pair is proposed for review, never linked."""
    idx = np.flatnonzero((levels["name"] >= 3) & ~scores.vetoed & (scores.probability <= threshold)
                         & _nothing_differs(levels))
    if not idx.size:
        return
    idx = idx[enc.n_name.per_value(written_as_partner_initials, pairs[idx], dtype=bool).any(axis=1)]
    if not idx.size:
        return
    low = np.zeros(len(pairs), dtype=bool)
    low[idx] = True
    check = _lift_would_cross(levels, scores, low, kind, threshold, params)
    k = np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, partner_initials_pair))
    if not k.size:
        return
    same_site, same_town = levels["domain"][k] == 1, any_of(levels["city"][k], (1, 2))
    towns = enc.n_city.codes[pairs[k]]
    in_town = {t: _partners_by_initials(v) for t, v in
               names_by_town(enc.n_name, enc.n_city, set(towns[same_town].ravel().tolist()) - {-1}).items()}
    in_run = _partners_by_initials(enc.n_name.distinct)
    names = enc.n_name.values
    one = np.zeros(len(k), dtype=bool)
    for j, ((a, b), (ta, tb)) in enumerate(zip(pairs[k].tolist(), towns.tolist(), strict=True)):
        letters = names[a] if " " not in names[a] else names[b]
        firms = set().union(*(in_town.get(t, {}).get(letters, ()) for t in {ta, tb})) if same_town[j] \
            else in_run.get(letters, ())
        one[j] = same_site[j] or len(firms) == 1
    _lift_to_near_exact(k[one], levels, scores, kind, params, tf_bits)


def _partners_by_initials(names) -> dict[str, set[tuple[str, str]]]:
    """Per two partners' initials, the firms ``names`` list with them, each by its two names' first three letters
    ("Kimball and Kendrick" and "Kimbal and Kendrick" are one firm misspelt)."""
    firms: dict[str, set[tuple[str, str]]] = {}
    for name in names:
        if (letters := partner_initials(name)) is not None:
            words = name.split()
            firms.setdefault(letters, set()).add((words[0][:3], words[2][:3]))
    return firms


def _lift_place_acronyms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                         threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A jurisdiction and an acronym against the full name of the same place it spells
    (:func:`crmhub.identity.comparison.place_acronym_pair`: "Connecticut PSERS" / "Connecticut Public School
    Employees' Retirement System") count as an exact name where no two sites, countries or towns differ
    (in place): the place says whose initials they are, as a town does for :func:`_lift_short_forms`. Checked on
    the pairs below the review threshold that the lift would raise above it."""
    low = (levels["name"] >= 3) & ~scores.vetoed & (scores.probability <= threshold)
    low &= _nothing_differs(levels)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(short_form_mask(enc.n_name, pairs, check, place_acronym_pair)), levels, scores,
                   kind, params, tf_bits)


#: Vehicle-marks level of a pair where one record's name has marks and the other's has none.
MARKS_ON_ONE_SIDE = 2


def _marks_spelt_by_acronym(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, low: np.ndarray,
                            kind: str, params: dict | None, tf_bits: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Among ``low``, the pairs of an acronym and a full name it spells whose only vehicle mark is on the
    full name's side: the acronym spells the mark's word too ("WHAM" for "Wren Hill Asset Management":
    its M is the management company's), so the marks agree. Their marks level is set to none-on-either-side
    and they are scored again (in place); returned with their former levels to restore where no short form
    is read after all. Acronyms have no numerals (:func:`crmhub.identity.short_forms.is_acronym_of`)."""
    k = low & (levels["numerals"] == MARKS_ON_ONE_SIDE)
    carried = np.flatnonzero(short_form_mask(enc.n_name, pairs, k, acronym_name_pair))
    marks = levels["numerals"][carried].copy()
    levels["numerals"][carried] = 0
    rescore(scores, levels, kind, carried, params=params, tf_bits=tf_bits)
    return carried, marks


def _lift_site_spelt_brands(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                            threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Names that differ only by a typo in the brand, where one record's own web domain spells the other's
    brand (:func:`crmhub.identity.comparison.site_spelt_brand`: "Kcinlura State University" at
    kainlurastate.edu / "Kainlura State University"), count as exact: the site says which spelling is the
    brand's. Checked on the pairs below the review threshold that an exact name would lift above it (in
    place); an exact name lifted so weighs no term frequency, nor its first word's (as :func:`_lift_respaced`)."""
    low = any_of(levels["name"], (2, 3, 5)) & ~scores.vetoed & (scores.probability <= threshold)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    k, sites = np.flatnonzero(check), enc.n_domain.codes
    check[k] = (sites[pairs[k, 0]] >= 0) | (sites[pairs[k, 1]] >= 0)  # a site on one side
    _lift_to_exact(np.flatnonzero(site_spelt_brand_mask(enc.n_name, enc.n_domain, pairs, check)), levels, scores,
                   kind, params, tf_bits)


def _name_counts_in_place(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], counts: np.ndarray,
                          params: dict) -> np.ndarray:
    """Term-frequency counts of exact organisation names, narrowed to the pair's place where the pair
    also agrees on one (:data:`crmhub.identity.scoring.TF_PLACES`, the city before the country;
    :func:`crmhub.identity.scoring.count_in_place` with the place level's u from ``params``). An acronym
    counts the records whose names it spells as its carriers too (:func:`_acronym_carriers`)."""
    out = np.asarray(counts, dtype=float).copy()
    todo = out > 0
    spelt_k, carriers = _acronym_carriers(enc, pairs, np.flatnonzero(todo))
    out[spelt_k] += [len(carriers[k]) for k in spelt_k.tolist()]
    for place, level in TF_PLACES:
        k = np.flatnonzero(todo & (levels[place] == level))
        if not k.size:
            continue
        name, where = enc.n_name.codes, getattr(enc, f"n_{place}").codes
        key = np.where((name >= 0) & (where >= 0), name.astype(np.int64) * (int(where.max()) + 1) + where, -1)
        _, inverse, per_key = np.unique(key, return_inverse=True, return_counts=True)
        in_place = per_key[inverse.ravel()][pairs[k, 0]].astype(float)
        for x in np.flatnonzero(np.isin(k, spelt_k)).tolist():
            p = int(k[x])
            in_place[x] += np.count_nonzero(where[carriers[p]] == where[pairs[p, 0]])
        out[k] = count_in_place(out[k], in_place, u_of_pairs(params, place, level, levels, k),
                                own=2.0)  # both records carry it
        todo[k] = False
    return out


def _acronym_carriers(enc: Encoded, pairs: np.ndarray, exact: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """For the pairs ``exact`` (same normalised name) whose name is one word: the records whose names
    that word is an acronym of (:func:`crmhub.identity.short_forms.names_spelt_by`): those pairs, and
    their carriers per pair. Two records written "DPFPS" share a name with every "D… Police & Fire
    Pension System" of the run: an acronym names them all, so it is as common as they are (an exact
    acronym weighed as a register name scored two plans of two states in two towns 0.92)."""
    none = (np.zeros(0, dtype=np.int64), {})
    names = enc.n_name
    distinct = names.distinct
    code = names.codes[pairs[exact, 0]]
    one_word = np.fromiter((" " not in v for v in distinct.tolist()), dtype=bool, count=len(distinct))
    exact, code = exact[one_word[code]], code[one_word[code]]
    if not exact.size:
        return none
    acronyms = set(distinct[unique_ints(code)].tolist())
    spelt = names_spelt_by(acronyms, distinct[~one_word].tolist())
    if not spelt:
        return none
    code_of = {v: c for c, v in enumerate(distinct.tolist())}
    order = np.argsort(names.codes, kind="stable")
    starts = np.searchsorted(names.codes[order], np.arange(len(distinct) + 1))
    rows_of = {code_of[acronym]: np.concatenate([order[starts[code_of[v]]:starts[code_of[v] + 1]] for v in full])
               for acronym, full in spelt.items()}
    keep = np.isin(code, np.fromiter(rows_of, dtype=np.int64, count=len(rows_of)))
    return exact[keep], {k: rows_of[c] for k, c in zip(exact[keep].tolist(), code[keep].tolist(), strict=True)}


#: The organisation name level whose pairs are weighed by their first word's count (:func:`_first_word_counts`)
#: and by the organisations near their name (:func:`_near_name_counts`).
NEAR_EXACT_NAME = 2
#: The term-frequency terms of a near-exact name, which a pair lifted to an exact name no longer carries.
NEAR_NAME_TERMS = ("name_first_word", "name_near")


def _first_word_counts(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], params: dict) -> np.ndarray:
    """Per pair with a near-exact organisation name (:data:`NEAR_EXACT_NAME`; 0 for the others): how many
    records carry the brand word of its names (:func:`crmhub.identity.short_forms.brand_word`: the first word
    after a leading "the" or "<place qualifier> of": "Flulrar", "Oregon", "Stonehurst" of "City of Stonehurst
    Public Employees' Retirement Association" — not "city", which every city's plan starts with), the more
    common of the two, counted in the pair's place like an exact name (:data:`crmhub.identity.scoring.TF_PLACES`,
    :func:`crmhub.identity.scoring.count_in_place`). Scored as the run-centred term frequency
    ``name_first_word`` (:func:`crmhub.identity.scoring.term_frequency_bits`, ±1 bit averaging 0 over
    the run's near-exact pairs, :data:`crmhub.identity.scoring.TF_CENTRED_MAX_BITS`): without it every near-exact pair with the same other levels gets one
    score, and at 100k a class of ~2,000 such pairs ("near-exact name, same city and country") sat
    within 0.02 of the review threshold, crossing it whole when the EM's λ moved by 2 %; where a
    brand word is carried by few records in its town such a pair was true ~80 % of the time, by 9 or
    more ~25 % (dev_orgs seed 42, 100k): siblings of one fund family share a town and a brand."""
    out = np.zeros(len(pairs))
    k = np.flatnonzero(levels["name"] == NEAR_EXACT_NAME)
    if not k.size:
        return out
    word = pd.factorize(enc.n_name.per_value(lambda v: brand_word(v.split()) or ""))[0].astype(np.int64)
    carriers = np.bincount(word[word >= 0], minlength=1)[np.maximum(word, 0)]
    counts = np.maximum(carriers[pairs[k, 0]], carriers[pairs[k, 1]]).astype(float)
    todo = np.ones(len(k), dtype=bool)
    for place, level in TF_PLACES:
        s = np.flatnonzero(todo & (levels[place][k] == level))
        if not s.size:
            continue
        where = getattr(enc, f"n_{place}").codes.astype(np.int64)
        key = np.where((word >= 0) & (where >= 0), word * (int(where.max()) + 1) + where, -1)
        _, inverse, per_key = np.unique(key, return_inverse=True, return_counts=True)
        in_place = per_key[inverse.ravel()]
        here = np.maximum(in_place[pairs[k[s], 0]], in_place[pairs[k[s], 1]])
        counts[s] = count_in_place(counts[s], here, u_of_pairs(params, place, level, levels, k[s]))
        todo[s] = False
    out[k] = counts
    return out


def _near_name_carriers(n: int, pairs: np.ndarray, levels: dict[str, np.ndarray], anchor: np.ndarray) -> np.ndarray:
    """Per record: how many organisations carry its name or a near-exact one (:data:`NEAR_EXACT_NAME`) among
    the run's candidate pairs: its own, plus the distinct groups of the other records so named, a group being
    records the deterministic rule joins (``anchor``: same tax id), which are one organisation whatever their
    count. A fund numeral conflict does not make a namesake ("Fund II" / "Fund III" are siblings the veto
    keeps apart, not strangers the name could be confused with)."""
    group = cluster_roots(n, pairs[anchor])
    near = np.flatnonzero((levels["name"] <= NEAR_EXACT_NAME) & (levels["name"] > 0) & (levels["numerals"] != 3))
    a, b = pairs[near, 0], pairs[near, 1]
    record, other = np.concatenate([a, b]).astype(np.int64), group[np.concatenate([b, a])].astype(np.int64)
    keep = other != group[record]
    seen = unique_ints(record[keep] * n + other[keep])
    return 1 + np.bincount(seen // n, minlength=n)


def _near_name_counts(pairs: np.ndarray, levels: dict[str, np.ndarray], carriers: np.ndarray) -> np.ndarray:
    """Per pair with a near-exact organisation name (0 for the others): the organisations that carry either
    record's name or a near-exact one (:func:`_near_name_carriers`), the more of the two, at least the pair's
    own two. Scored as the referenced term frequency ``name_near``
    (:data:`crmhub.identity.scoring.TF_REFERENCE`): a near-exact name no third organisation of the run comes
    near is strong evidence however large the run, one that 30 organisations come near is weak."""
    out = np.zeros(len(pairs))
    k = np.flatnonzero(levels["name"] == NEAR_EXACT_NAME)
    out[k] = np.maximum(np.maximum(carriers[pairs[k, 0]], carriers[pairs[k, 1]]), 2)
    return out


def _scoring_tf_counts(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], tf_counts: dict,
                       kind: str, params: dict | None) -> dict:
    """The term-frequency counts the compared ``pairs`` are scored with: for organisations, exact names
    counted on their carriers in the pair's place (:func:`_name_counts_in_place`) and near-exact names on
    their first word's (:func:`_first_word_counts`)."""
    if kind != "org":
        return tf_counts
    table = params or PARAMETERS[kind]
    return {**tf_counts, "name": _name_counts_in_place(enc, pairs, levels, tf_counts["name"], table),
            "name_first_word": _first_word_counts(enc, pairs, levels, table)}


def _lift_typing_slips(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                       threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Near-exact names that are one name with a keyboard slip in one word
    (:func:`crmhub.identity.comparison.typing_slip`: "Nozokc Holdings" / "Nozcok Holdings") count as exact,
    in place, on the pairs below the review threshold that an exact name would lift above it; as
    :func:`_lift_respaced`, the first word's term-frequency bits no longer apply."""
    low = (levels["name"] == NEAR_EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, typing_slip)), levels, scores, kind, params, tf_bits)


def _lift_kind_words_respelt(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                             threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Near-exact names whose distinctive words are equal and which differ only in the spelling of words of
    what the organisation is (:func:`crmhub.identity.comparison.kind_words_respelt`: "Onyxmark Capitol
    Management Fund 1" / "Onyxmark Capital Management Fund 1") count as exact, in place, on the pairs below
    the review threshold that an exact name would lift above it; as :func:`_lift_respaced`, the first word's
    term-frequency bits no longer apply."""
    low = any_of(levels["name"], (NEAR_EXACT_NAME, *LIFTABLE_NAME_LEVELS)) & ~scores.vetoed
    check = _lift_would_cross(levels, scores, low & (scores.probability <= threshold), kind, threshold, params,
                              to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, kind_words_respelt)), levels, scores, kind,
                   params, tf_bits)


def _lift_reordered(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                    threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """Names that are the same words in another order ("of" aside: "Henent, University of" / "University of
    Henent", "Sligar University" / "University of Sligar") count as exact in the same town, in place, on
    the near-exact pairs below the review threshold that an exact name would lift above it. Not across
    towns: "Washington University" (St. Louis) is not the "University of Washington" (Seattle)."""
    low = (levels["name"] == NEAR_EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    check = _lift_would_cross(levels, scores, low & any_of(levels["city"], (1, 2)), kind, threshold, params,
                              to=EXACT_NAME)
    k = np.flatnonzero(check)
    words = enc.n_name.sorted_words
    _lift_to_exact(k[words[pairs[k, 0]] == words[pairs[k, 1]]], levels, scores, kind, params, tf_bits)


def _lift_place_reordered(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                          threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A jurisdiction's body in its two word orders (:func:`crmhub.identity.comparison.place_name_reordered`:
    "Utah State Teachers' Retirement System" / "State Teachers' Retirement System of Utah (UtaSTRS)") counts as
    an exact name where no two sites, countries or towns differ (in place), not only in one town as
    :func:`_lift_reordered`: the place is in the name, as in :func:`_lift_place_acronyms`, and a CRM keeps a
    state's pension system without its town as often as with it. Checked on the pairs below the review
    threshold that the lift would raise above it."""
    of_form = enc.of_forms  # one name "... of <place>", the other one or two words shorter
    idx = np.flatnonzero(of_form[pairs[:, 0]] != of_form[pairs[:, 1]])
    _, spaces = enc.n_name.initials_and_words
    a, b = pairs[idx, 0], pairs[idx, 1]
    idx = idx[(np.abs(spaces[a] - spaces[b]) <= 2) & (spaces[a] != spaces[b]) & (levels["name"][idx] > EXACT_NAME)
              & ~scores.vetoed[idx] & (scores.probability[idx] <= threshold) & (levels["domain"][idx] <= 1)
              & (levels["country"][idx] <= 1) & ~any_of(levels["city"][idx], OTHER_TOWN)]
    low = np.zeros(len(pairs), dtype=bool)
    low[idx] = True
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, place_name_reordered)), levels, scores,
                   kind, params, tf_bits)


#: Countries whose names sources romanise in several systems, and the fold that makes the spellings one.
ROMANISATIONS = {"JP": japanese_romanisation, "KR": korean_romanisation}


def _lift_romanised(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                    threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A Japanese or Korean organisation's name in two romanisations (:func:`crmhub.identity.comparison.romanised_alike`:
    "Huzinaga Shinkin Bank" / "Fujinaga Shinkin Bank", Kunrei-shiki and Hepburn; "Geumyong Capital" / "Kumyoung
    Capital", Revised and McCune-Reischauer) counts as an exact name where one record is of that country and no
    two countries or towns differ (in place): the folds join letters that English words keep apart, so they are
    read for that country's names only. Checked on the pairs below the review threshold that the lift would
    raise above it."""
    for code, fold in ROMANISATIONS.items():
        ours = enc.n_country.member_of(frozenset({code}))
        if not ours.any():
            continue
        idx = np.flatnonzero(ours[pairs[:, 0]] | ours[pairs[:, 1]])
        idx = idx[(levels["name"][idx] > EXACT_NAME) & ~scores.vetoed[idx] & (scores.probability[idx] <= threshold)
                  & (levels["country"][idx] <= 1) & ~any_of(levels["city"][idx], OTHER_TOWN)]
        if not idx.size:
            continue
        low = np.zeros(len(pairs), dtype=bool)
        low[idx] = True
        check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
        _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, functools.partial(romanised_alike, fold=fold))),
                       levels, scores, kind, params, tf_bits)


def _lift_to_exact(idx: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str, params: dict | None,
                   tf_bits: dict[str, np.ndarray]) -> None:
    """The pairs ``idx`` rescored with an exact name (the first word's term-frequency bits no longer apply)."""
    if idx.size:
        for term in NEAR_NAME_TERMS:
            if term in tf_bits:
                tf_bits[term][idx] = 0.0
        levels["name"][idx] = EXACT_NAME
        rescore(scores, levels, kind, idx, params=params, tf_bits=tf_bits)


#: Fewest words a brand form leaves out of the full name it is lifted against: a name one word longer than
#: the brand form is as often a sibling's complete name ("Wexulum Solutions" / "Wexulum Solutions Group",
#: "Rail Super" / "Rail Super Investments": parent and subsidiary).
MIN_BRAND_FORM_DROP = 2


def _lift_brand_forms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                      threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A name written by its brand and the full name it is a short form of
    (:func:`crmhub.identity.short_forms.brand_short_form`: "Castellano" ~ "Castellano Family Foundation",
    "Sunwick Employees" ~ "State of Sunwick Public Employees' Retirement Association") count as exact
    in one town where the short name fits one organisation there (:func:`_brand_names_others`): a CRM
    writes an investor by its brand where it deals with one organisation of that brand, and a register
    keeps one name per jurisdiction. Neither name may carry a vehicle mark (a fund, its GP or manager is
    not the family's office). Checked on the pairs below the review threshold that an exact name would
    lift above it (in place); the lifted name weighs no term frequency, nor its first word's (as
    :func:`_lift_respaced`): a short form is counted under its own spelling."""
    low = (levels["name"] > EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    low &= any_of(levels["city"], (1, 2))
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    names, marks, legal = enc.n_name.values, enc.n_numerals.values, enc.n_legal.values
    forms = [(k, short, full) for k, short, full in _brand_forms(enc, pairs, _short_name_pairs(enc, pairs, np.flatnonzero(check)))
             if not marks[short] and not marks[full] and not legal[short]
             and len(names[full].split()) - len(names[short].split()) >= MIN_BRAND_FORM_DROP
             and brand_short_form(names[short].split(), names[full].split())]
    idx = np.array([k for (k, _, _), others in zip(forms, _brand_names_others(enc, forms), strict=True)
                    if not others], dtype=np.int64)
    _lift_to_exact(idx, levels, scores, kind, params, tf_bits)


def _brand_forms(enc: Encoded, pairs: np.ndarray, idx: np.ndarray) -> list[tuple[int, int, int]]:
    """``(k, short, full)`` for the pairs ``idx`` of which one name is written by a brand
    (:func:`crmhub.identity.short_forms.is_brand_form`) and the other, longer, has that brand
    (:func:`crmhub.identity.short_forms.brand_word`), not as a partnership's first name
    (:func:`crmhub.identity.short_forms.partnership_of`: "Ralten" / "Ralten and Vocen")."""
    names, out = enc.n_name.values, []
    for k in idx.tolist():
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        wa, wb = names[a].split(), names[b].split()
        if len(wa) > len(wb):
            a, b, wa, wb = b, a, wb, wa
        if len(wa) < len(wb) and is_brand_form(wa) and wa[0] == brand_word(wb) and not partnership_of(wa[0], wb):
            out.append((k, a, b))
    return out


def _brand_names_others(enc: Encoded, forms: list[tuple[int, int, int]]) -> list[bool]:
    """Per ``(k, short, full)`` of :func:`_brand_forms`: whether the short name names another organisation
    in either record's town as well - a name there, other than the two, that it is a short form of too
    (:func:`crmhub.identity.short_forms.brand_short_form`) and that carries other vehicle marks or a word
    the full name cannot explain (:func:`crmhub.identity.comparison.word_conflict`): "Gupta" beside
    "Gupta Family Office" and "Gupta Foundation", "Sorovo" beside "Sorovo Investments" and "Sorovo
    Healthcare Partners III Feeder"; not "Stroud Foundation" beside "Stroud Family Foundation" and "Stroud
    Holdings". Then the short name alone does not say which of them a record means."""
    if not forms:
        return []
    names, marks, city = enc.n_name.values, enc.n_numerals.values, enc.n_city.codes
    namesakes = _brand_namesakes(enc, {int(city[r]) for _, a, b in forms for r in (a, b) if city[r] >= 0})
    out = []
    for _, short, full in forms:
        brand = names[short].split(" ", 1)[0]
        others = set().union(*(namesakes.get((brand, int(city[r])), set()) for r in (short, full)))
        others -= {(names[short], marks[short]), (names[full], marks[full])}
        words, full_words = names[short].split(), names[full].split()
        out.append(any(brand_short_form(words, other.split())
                       and (m != marks[full] or word_conflict(other, names[full]) or kind_form(other.split(), full_words))
                       for other, m in others))
    return out


def _brand_namesakes(enc: Encoded, towns: set[int]) -> dict[tuple[str, int], set[tuple[str, str]]]:
    """The distinct (name, vehicle marks) of the records in ``towns`` (town codes) by (brand, town)
    (:func:`crmhub.identity.short_forms.brand_word`)."""
    names, marks, city = enc.n_name.values, enc.n_numerals.values, enc.n_city.codes
    brands: dict[str, str | None] = {}
    out: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for r in np.flatnonzero(np.isin(city, np.fromiter(towns, dtype=np.int64))).tolist():
        name = names[r]
        brand = brands[name] if name in brands else brands.setdefault(name, brand_word(name.split()))
        if brand:
            out.setdefault((brand, int(city[r])), set()).add((name, marks[r]))
    return out

def _demote_ambiguous_brand_forms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores,
                                  kind: str, params: dict | None, tf_bits: dict[str, np.ndarray],
                                  threshold: float) -> None:
    """A name written by its brand ("Talbot", "Southmoor Employees") against a longer name of that brand
    ("Talbot Family Office") where the brand names another organisation in the town as well
    (:func:`_brand_names_others`: "Talbot Foundation") scores as a conflicting word (``words`` level 2),
    unless the web domains agree: the short name says which family, not which of its organisations.
    Checked on the not-exact-name pairs above the review threshold (in place)."""
    check = (scores.probability > threshold) & (levels["name"] > 1) & (levels["words"] != 2) & (levels["domain"] != 1)
    forms = _brand_forms(enc, pairs, _short_name_pairs(enc, pairs, np.flatnonzero(check)))
    k = np.array([k for (k, _, _), others in zip(forms, _brand_names_others(enc, forms), strict=True) if others],
                 dtype=np.int64)
    if k.size:
        levels["words"][k] = 2  # the same array as scores.levels["words"]
        rescore(scores, levels, kind, k, params=params, tf_bits=tf_bits)


def _lift_descriptor_forms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                           threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A company's name with and without its industry descriptor (:func:`crmhub.identity.comparison.descriptor_added`:
    "Feroova, Inc." / "Feroova Logistics Inc.") count as exact where the brand is one company's in the run
    (:func:`_one_descriptor_in_run`: no "Summit Logistics" beside a "Summit Health") and a town or web domain
    in common vouches for it, or the country where one record has no town (:func:`_country_without_town`);
    neither name may carry a vehicle mark and the countries may not differ.
    Checked on the pairs below the review threshold that an exact name would lift above it (in place); the
    lifted name weighs no term frequency, nor its first word's (as :func:`_lift_respaced`)."""
    low = (levels["name"] > EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    low &= (levels["numerals"] <= 1) & (levels["country"] < 2) & (levels["domain"] != 2)
    low &= (any_of(levels["city"], (1, 2)) | (levels["domain"] == 1) | _country_without_town(levels)
            | _name_only(levels))
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    k = np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, descriptor_added))
    k = k[~_cut_at_descriptor(enc, pairs[k])]
    if k.size:
        k = k[_one_descriptor_in_place(enc, pairs[k], any_of(levels["city"][k], (1, 2)))]
    _lift_to_exact(k, levels, scores, kind, params, tf_bits)


def _lift_family_office_aliases(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                                threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A family's office under its two names (:func:`crmhub.identity.short_forms.family_office_alias`: "Goldberg
    Family Office" / "Goldberg Family Investments") counts as exact where nothing conflicts: no vehicle mark,
    no other town, country or web domain. Checked on the pairs below the review threshold that an exact name
    would lift above it (in place); the lifted name weighs no term frequency (as :func:`_lift_respaced`)."""
    low = (levels["name"] > EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    low &= (levels["numerals"] == 0) & _nothing_differs(levels)
    check = _lift_would_cross(levels, scores, low, kind, threshold, params, to=EXACT_NAME)
    _lift_to_exact(np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, family_office_alias)), levels, scores,
                   kind, params, tf_bits)


def _lift_management_companies(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                               threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A management company written with and without "Investment" before "Management"
    (:func:`crmhub.identity.comparison.investment_management_written_short`: "Triay Investment Management
    Company" / "Triay Management Co") counts as near-exact where both raw names say it is a management
    company (:func:`crmhub.identity.normalize.names_management_company`; not the adviser "Triay Investment
    Management, LLC"), both names' only vehicle mark is "management" and no two sites, countries or towns
    differ. Checked on the pairs below the review threshold that the lift would raise above it (in place);
    a lifted pair is proposed for review, never linked."""
    company = enc.n_numerals.per_value(lambda marks: marks == "management", dtype=bool)  # few distinct values
    idx = np.flatnonzero(company[pairs[:, 0]])
    idx = idx[company[pairs[idx, 1]]]
    _, spaces = enc.n_name.initials_and_words  # one name a word longer than the other
    idx = idx[np.abs(spaces[pairs[idx, 0]] - spaces[pairs[idx, 1]]) == 1]
    low = np.zeros(len(pairs), dtype=bool)
    low[idx] = (levels["name"][idx] > NEAR_EXACT_NAME) & (levels["numerals"][idx] == 1) & ~scores.vetoed[idx] \
        & (scores.probability[idx] <= threshold) \
        & _nothing_differs({k: levels[k][idx] for k in ("domain", "country", "city")})
    check = _lift_would_cross(levels, scores, low, kind, threshold, params)
    idx = np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, investment_management_written_short))
    if idx.size:
        raw = enc.df["name"].to_numpy(dtype=object)
        idx = idx[[names_management_company(raw[a]) and names_management_company(raw[b]) for a, b in pairs[idx].tolist()]]
    _lift_to_near_exact(idx, levels, scores, kind, params, tf_bits)


def _unlifted_name_pairs(levels: dict[str, np.ndarray], scores, threshold: float) -> np.ndarray:
    """The pairs a name lift may read: numerals alike or missing (levels 0 / 2), a name short of exact, not
    vetoed, at or below the review threshold, and nothing else differing (:func:`_nothing_differs`)."""
    low = any_of(levels["numerals"], (0, 2)) & (levels["name"] > EXACT_NAME) & ~scores.vetoed
    return low & (scores.probability <= threshold) & _nothing_differs(levels)


def _lift_local_entities(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                         threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A service provider's local entity written with and without its jurisdiction ("Osprey Court Fund Services
    (Ireland) Limited" / "Osprey Court Fund Services" in Dublin, :func:`_named_with_its_country`): fund
    administrators, custodians, trust companies and law firms register one entity per jurisdiction and name it
    so, while a CRM writes the group's name for the office it deals with. Where the record without the
    jurisdiction is in that jurisdiction's country and the other in it too or in none (its name says it), with
    no other town or site, the name without the jurisdiction is the local entity's: an exact name, no vehicle
    mark on one side only. The jurisdiction is a vehicle mark ("(Ireland)", "(Cayman)") or the name's last words
    ("(Singapore)"). The group's entities of other jurisdictions ("(Cayman)" / "(Luxembourg)": hard negatives)
    keep their own countries; the group's name without a country may be any of them. Checked on the pairs below
    the review threshold (in place); the lifted name weighs no term frequency (as :func:`_lift_respaced`)."""
    low = _unlifted_name_pairs(levels, scores, threshold)
    idx = np.flatnonzero(low)
    idx = idx[_may_name_its_country(enc, pairs[idx, 0], pairs[idx, 1])]
    if not idx.size:
        return
    named = _jurisdictions_named(enc, pairs[idx])
    names, marks, country = enc.n_name.values, enc.n_numerals.values, enc.n_country.values
    a, b = pairs[idx, 0], pairs[idx, 1]
    names_others = ((named[:, 0] != "") & (named[:, 0] == country[b])) | ((named[:, 1] != "") & (named[:, 1] == country[a]))
    k = np.array([k for k in idx[names_others].tolist()
                  if _named_with_its_country(names, marks, country, int(pairs[k, 0]), int(pairs[k, 1]))], dtype=np.int64)
    if k.size:
        levels["numerals"][k] = 0
        _lift_to_exact(k, levels, scores, kind, params, tf_bits)


def _may_name_its_country(enc: Encoded, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of records ``a`` / ``b``: whether what :func:`_named_with_its_country` asks of the records
    besides the jurisdiction holds one way round - the short side has a country and no vehicle mark, the long
    side that country or none and more words. A pre-test on arrays: it never excludes a pair the full check
    accepts, and spares reading the jurisdiction in the names of the others."""
    country, marks = enc.n_country.values, enc.n_numerals.values
    _, spaces = enc.n_name.initials_and_words
    words = np.where(enc.n_name.values != "", spaces + 1, 0)

    def one_way(short: np.ndarray, long_: np.ndarray) -> np.ndarray:
        return ((country[short] != "") & (marks[short] == "") & (words[long_] > words[short])
                & ((country[long_] == "") | (country[long_] == country[short])))

    return one_way(a, b) | one_way(b, a)


def _jurisdictions_named(enc: Encoded, rows: np.ndarray) -> np.ndarray:
    """Per record of ``rows`` (any shape): the ISO 3166 code of the jurisdiction its name is marked with
    (:func:`_marked_jurisdiction`), else of its last words' (:func:`_jurisdiction_ending`), else "" (once per
    distinct marks or name)."""
    by_mark = enc.n_numerals.per_value(_marked_jurisdiction, rows=rows)
    by_name = enc.n_name.per_value(_jurisdiction_ending, rows=rows)
    marked = enc.n_numerals.values[rows] != ""
    return np.where(marked, by_mark, by_name).astype(object)


def _marked_jurisdiction(marks: str) -> str:
    """The country code of vehicle marks that are one jurisdiction's name ("ireland", "uk", "cayman"), else ""."""
    return (" " not in marks and normalize_country(marks)) or ""


def _jurisdiction_ending(name: str) -> str:
    """The country code of the jurisdiction a name ends with, read on its last words
    (:func:`crmhub.identity.normalize.jurisdiction_code`: "... fund services singapore", "... hong kong"), else ""."""
    words = name.split()
    return next((code for size in range(min(JURISDICTION_WORDS, len(words) - 1), 0, -1)
                 if (code := jurisdiction_code(" ".join(words[-size:])))), "")


def _named_with_its_country(names, marks, country, a: int, b: int) -> bool:
    """Whether one of records ``a`` and ``b`` names a jurisdiction - its only vehicle mark, or with no vehicle
    mark on either its last words - that is the other's country and its own or it has none
    (:func:`crmhub.identity.normalize.normalize_country`: "ireland" is IE), and its name without it is the
    other's name."""
    for short, long_ in ((a, b), (b, a)):
        if not country[short] or marks[short] or country[long_] not in ("", country[short]):
            continue
        words, mark = names[long_].split(), marks[long_]
        if mark:
            if " " in mark or mark not in words:
                continue
            rest, code = [w for w in words if w != mark], normalize_country(mark)
        else:
            size = len(words) - len(names[short].split())
            if not 0 < size <= JURISDICTION_WORDS:
                continue
            rest, code = words[:-size], jurisdiction_code(" ".join(words[-size:]))
        if code == country[short] and " ".join(rest) == names[short]:
            return True
    return False


#: Words an investment manager's name puts after its brand, in the names advisers file under (SEC Form ADV:
#: "X Capital Management", "X Asset Management", "X Equity Partners", "X Investment Management"): the firm's
#: kind, not a second organisation's name, where the brand names nothing else (:func:`_lift_manager_brands`).
MANAGER_FIRM_WORDS = (MANAGER_MARKS - {"gp", "manager"}) | frozenset({"capital", "partners", "investment", "investments",
                                                                     "asset", "equity"})


def _lift_manager_brands(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                         threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A manager written by its brand alone and by its name, the brand and firm words (:func:`_manager_brand_form`:
    "Holulast" / "Holulast Management", "Fenidyx" / "Fenidyx Capital") counts as exact where the run's names
    that begin with the brand all go on with firm words only (:func:`_brand_names_a_firm_only`) and no other
    town, country or site conflicts: then the brand is one firm's. A brand that also heads a fund ("Skeisfow
    Partners Fund IV"), a company or an institution's office is a family's name, whose manager and management
    company are two organisations. Checked on the pairs below the review threshold (in place); the lifted name
    weighs no term frequency (as :func:`_lift_respaced`)."""
    low = _unlifted_name_pairs(levels, scores, threshold)
    _, spaces = enc.n_name.initials_and_words
    k = np.flatnonzero(low)
    low[k] = spaces[pairs[k, 0]] != spaces[pairs[k, 1]]  # one name has more words
    forms = name_pair_mask(enc.n_name, pairs, low, _manager_brand_form)
    if not forms.any():
        return
    names, ordered = enc.n_name.values, enc.n_name.sorted_distinct
    k = np.array([k for k in np.flatnonzero(forms).tolist()
                  if _brand_names_a_firm_only(ordered, min(names[pairs[k, 0]], names[pairs[k, 1]], key=len))],
                 dtype=np.int64)
    if k.size:
        levels["numerals"][k] = 0
        _lift_to_exact(k, levels, scores, kind, params, tf_bits)


def _manager_brand_form(a: str, b: str) -> bool:
    """One name is a brand - letters only, its first word :data:`crmhub.identity.short_forms.MIN_BRAND` letters
    or more, no word of what an organisation is (:data:`crmhub.identity.normalize.ORGANISATION_KIND_WORDS`) -
    and the other that brand followed by :data:`MANAGER_FIRM_WORDS` only."""
    wa, wb = a.split(), b.split()
    if len(wa) > len(wb):
        wa, wb = wb, wa
    return (0 < len(wa) < len(wb) and wb[:len(wa)] == wa and len(wa[0]) >= MIN_BRAND
            and all(w.isalpha() and w not in ORGANISATION_KIND_WORDS for w in wa)
            and all(w in MANAGER_FIRM_WORDS for w in wb[len(wa):]))


def _brand_names_a_firm_only(ordered: list[str], brand: str) -> bool:
    """Whether every name of ``ordered`` (the run's distinct names, sorted) that begins with ``brand`` goes on with
    :data:`MANAGER_FIRM_WORDS` only."""
    return all(MANAGER_FIRM_WORDS.issuperset(v[len(brand) + 1:].split()) for v in _names_beginning(ordered, brand))


def _lift_marked_short_forms(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores, kind: str,
                             threshold: float, params: dict | None, tf_bits: dict[str, np.ndarray]) -> None:
    """A subsidiary or deal vehicle written by its brand and its vehicle marks only ("Kinvale UK", "Copper
    Ridge (Cayman)") and its full name with the same marks ("Kinvale Trust UK", "Copper Ridge Fund Solutions Cayman"):
    a CRM writes a service provider's local entity by the group's brand and the jurisdiction. Counts as exact
    where the run has one other name of that first word with those marks (up to typos and abbreviations:
    :func:`_one_full_name`) and no other town, country or site conflicts. Not a fund's numeral nor a
    manager's marks (:data:`crmhub.identity.blocking.MANAGER_MARKS`, as the ``marked_short_form`` key).
    Checked on the pairs below the review threshold (in place); the lifted name weighs no term frequency."""
    low = (levels["numerals"] == 1) & (levels["name"] > EXACT_NAME) & ~scores.vetoed & (scores.probability <= threshold)
    low &= _nothing_differs(levels)
    idx = np.flatnonzero(low)
    if not idx.size:
        return
    idx = idx[enc.n_numerals.per_value(_short_form_marks, rows=pairs[idx, 0], dtype=bool)]  # once per distinct marks
    names, marks = enc.n_name.values, enc.n_numerals.values
    forms = [(k, a, b) for k, a, b in ((k, int(pairs[k, 0]), int(pairs[k, 1])) for k in idx.tolist())
             if _marked_short_form(names[a], names[b], marks[a])]
    if not forms:
        return
    fulls = _marked_full_names(names, marks, {(names[a].split(" ", 1)[0], marks[a]) for _, a, _ in forms})
    k = np.array([k for k, a, b in forms
                  if _one_full_name(fulls[(names[a].split(" ", 1)[0], marks[a])] - {min(names[a], names[b], key=len)})],
                 dtype=np.int64)
    _lift_to_exact(k, levels, scores, kind, params, tf_bits)


def _marked_short_form(a: str, b: str, marks: str) -> bool:
    """One name is a brand (its first words: "kinvale", "copper ridge") and the shared vehicle ``marks`` only,
    the other that brand, more words and those marks; the marks no fund numeral nor a manager's."""
    if not _short_form_marks(marks):
        return False
    wa, wb = a.split(), b.split()
    if len(wa) > len(wb):
        wa, wb = wb, wa
    m = marks.split()
    brand = wa[:-len(m)]
    return (bool(brand) and len(wa[0]) >= MIN_MARKED_BRAND and wa[-len(m):] == m and len(wb) > len(wa)
            and wb[:len(brand)] == brand and wb[-len(m):] == m)


def _short_form_marks(marks: str) -> bool:
    """Vehicle marks a brand may be written with alone: some, no fund numeral, no manager's mark."""
    return bool(marks) and not any(c.isdigit() for c in marks) and MANAGER_MARKS.isdisjoint(marks.split())


def _marked_full_names(names, marks, keys: set[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Per (first word, marks) of ``keys``: the run's names of that first word and those marks."""
    out: dict[tuple[str, str], set[str]] = {key: set() for key in keys}
    for name, mark in zip(names.tolist(), marks.tolist(), strict=True):
        if mark and name:
            brand, _, rest = name.partition(" ")
            key = (brand, mark)
            if key in out:
                out[key].add(name)
    return out


def _one_full_name(fulls: set[str]) -> bool:
    """Whether the full names are one name up to typos and abbreviations (:func:`crmhub.identity.comparison.same_words`)."""
    first = next(iter(fulls), None)
    return first is not None and all(v == first or same_words(v, first) for v in fulls)


def _country_without_town(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs of :func:`_lift_descriptor_forms` whose country is one and a record has no town: a CRM keeps the
    brand and its country only ("Bramhaven Path Inc.", US) where the registry has the town. The brand is then
    read in the whole run (:func:`_one_descriptor_in_place` reads no town for them)."""
    return (levels["city"] == 0) & (levels["country"] == 1)


def _name_only(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs of :func:`_lift_descriptor_forms` with no town, country or web domain held by both records: a CRM
    row keeps a portfolio company by its name only ("Darcrest" beside "Darcrest Brands"). Nothing vouches
    for the pair, nothing conflicts with it; the brand is read in the whole run (:func:`_one_descriptor_in_run`)
    and the pair is proposed for review, never linked."""
    return (levels["city"] == 0) & (levels["country"] == 0) & (levels["domain"] == 0)


def _cut_at_descriptor(enc: Encoded, pairs: np.ndarray) -> np.ndarray:
    """Per pair of :func:`_lift_descriptor_forms`: whether the longer name may have been cut at a field length
    right after its descriptor (:attr:`crmhub.identity.comparison.Encoded.cut_names`): then it may be a part of
    a word ("Drumick Hold" of "Drumick Holdings"), not the word."""
    names, cut = enc.n_name.values, enc.cut_names
    out = np.zeros(len(pairs), dtype=bool)
    for x, (a, b) in enumerate(pairs.tolist()):
        long_ = a if names[a].count(" ") > names[b].count(" ") else b
        text = cut[long_]
        out[x] = text is not None and text.split()[-1:] == names[long_].split()[-1:]
    return out


def _one_descriptor_in_place(enc: Encoded, pairs: np.ndarray, same_town: np.ndarray) -> np.ndarray:
    """:func:`_one_descriptor_in_run` of the pairs, read for the pairs ``same_town`` marks among the names of
    their two records' towns only: a brand's namesakes in other towns ("Cedar Gate Capital" in Boston) are
    not the companies a record in Paris can be confused with, as a register keeps one name per
    jurisdiction and :func:`_brand_names_others` reads a brand in its town."""
    out = np.zeros(len(pairs), dtype=bool)
    if (~same_town).any():
        out[~same_town] = _one_descriptor_in_run(enc.n_name, pairs[~same_town])
    if same_town.any():
        city = enc.n_city.codes
        towns = {int(t) for t in city[pairs[same_town].ravel()]}
        names = names_by_town(enc.n_name, enc.n_city, towns)
        ordered: dict[tuple[int, int], list[str]] = {}  # the two towns' names, sorted once per pair of towns
        for x in np.flatnonzero(same_town).tolist():
            a, b = int(pairs[x, 0]), int(pairs[x, 1])
            key = (min(int(city[a]), int(city[b])), max(int(city[a]), int(city[b])))
            if key not in ordered:
                ordered[key] = sorted(names.get(key[0], set()) | names.get(key[1], set()))
            out[x] = _one_descriptor_among(enc.n_name.values, ordered[key], a, b)
    return out


def _one_descriptor_among(values, ordered: list[str], a: int, b: int) -> bool:
    """Whether every name of ``ordered`` (sorted) that begins with the brand of records ``a`` and ``b`` goes on
    with their descriptor or a layer word (:func:`_one_descriptor_in_run`)."""
    brand, descriptor = descriptor_form(values[a], values[b])
    following = {v[len(brand) + 1:].split(" ", 1)[0] for v in _names_beginning(ordered, brand)}
    return all(w in HOLDING_CHAIN_MARKERS or w in GROUP_WORDS or same_word(w, descriptor) for w in following)


def _names_beginning(ordered: list[str], brand: str) -> list[str]:
    """The names of ``ordered`` (sorted) that are ``brand`` followed by more words: from "<brand> " up to
    "<brand>!" ("!" sorts right after the space)."""
    return ordered[bisect.bisect_left(ordered, brand + " "):bisect.bisect_left(ordered, brand + "!")]


def _one_descriptor_in_run(names: Column, pairs: np.ndarray) -> np.ndarray:
    """Per pair of a name and that name with a descriptor (:func:`crmhub.identity.comparison.descriptor_form`):
    whether the brand is one company's in the run - every name of the run that begins with it goes on
    with that descriptor (up to a typo or an abbreviation:
    :func:`crmhub.identity.comparison.same_word`) or names a layer of its deal's structure (:data:`HOLDING_CHAIN_MARKERS`,
    :data:`GROUP_WORDS`: "Feroova Holdings", "Feroova Group"). Any other word says the brand is shared:
    another company's ("Kineon" beside "Kineon Light" and "Kineon Hill Pet Care"), a partnership's first name
    ("Halloran" beside "Halloran Griffiths" and "Halloran and Costa"), a fund manager's ("Summit Capital").
    The run's distinct names are sorted once (:attr:`crmhub.identity.comparison.Column.sorted_distinct`)."""
    values, ordered = names.values, names.sorted_distinct
    seen: dict[tuple[str, str] | None, bool] = {}
    out = np.zeros(len(pairs), dtype=bool)
    for x, (a, b) in enumerate(pairs.tolist()):
        key = descriptor_form(values[a], values[b])
        if key not in seen:
            seen[key] = _one_descriptor_among(values, ordered, a, b)
        out[x] = seen[key]
    return out


def _short_name_pairs(enc: Encoded, pairs: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The pairs of ``idx`` of which a name is of :data:`crmhub.identity.short_forms.MAX_BRAND_FORM_WORDS` words or
    fewer (counted once per run)."""
    short = getattr(enc, "brand_form_words", None)
    if short is None:
        short = enc.brand_form_words = np.fromiter((v.count(" ") < MAX_BRAND_FORM_WORDS for v in enc.n_name.values.tolist()),
                                                   dtype=bool, count=len(enc.n_name.values))
    return idx[short[pairs[idx, 0]] | short[pairs[idx, 1]]]


def _score_compared(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], kind: str, threshold: float,
                    params: dict | None, tf_bits: dict[str, np.ndarray], cut_name: np.ndarray | None = None) -> Scores:
    """Scores of the compared ``pairs`` (``levels`` is updated in place): the model, then for
    organisations the name checks that matter near the review threshold (not the word check on the pairs
    ``cut_name`` marks, whose one name is the other cut at a field length)."""
    scores = score(levels, kind, params=params, tf_bits=tf_bits)
    if kind == "org":
        if cut_name is not None:
            rescore(scores, levels, kind, cut_on_a_space(enc, pairs, levels, cut_name), params=params, tf_bits=tf_bits)
        _lift_respaced(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_same_words(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_short_forms(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_partner_initials(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_place_acronyms(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_site_spelt_brands(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_typing_slips(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_kind_words_respelt(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_reordered(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_place_reordered(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_romanised(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_brand_forms(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_descriptor_forms(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_family_office_aliases(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_local_entities(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_manager_brands(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_marked_short_forms(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        _lift_management_companies(enc, pairs, levels, scores, kind, threshold, params, tf_bits)
        # a word of one name the other cannot explain (typo, abbreviation) is checked where it matters:
        # on the not-exact-name candidates that would otherwise reach review
        check = (scores.probability > threshold) & (levels["name"] > 1)
        if cut_name is not None:
            check &= ~cut_name
        if check.any():
            levels["words"] = scores.levels["words"] = word_levels(enc.n_name, pairs, check, enc.n_domain,
                                                                    enc.cut_names)
            rescore(scores, levels, kind, np.flatnonzero(levels["words"] == 2), params=params, tf_bits=tf_bits)
        _demote_ambiguous_brand_forms(enc, pairs, levels, scores, kind, params, tf_bits, threshold)
        _veto_fund_and_manager(enc, pairs, levels, scores)
        _veto_other_programme(enc, pairs, levels, scores)
        _veto_layer(enc, pairs, levels, scores)
        _veto_two_organisations_named(enc, pairs, levels, scores)
    return scores


#: Words that make a name without a numeral a fund's ("Harbor Fund" / "Harbor Fund II" is Fund I against II,
#: or the numeral dropped: left to the score), not its manager's.
FUND_WORDS = frozenset({"fund", "funds"})


def _fund_and_manager(numbered_name: str, numbered_marks: str, bare_name: str) -> bool:
    """Whether a name carrying only fund numerals (and "GP", and series letters: the parallel vehicle "XII-B"
    is a fund too) and a name without any vehicle mark are a fund
    (or its general partner: "Brand PE GP I" / "Brand Private Equity LLC") and its manager: the bare name has no fund word and ends on a whole word of the numbered one
    ("Neivis Square Equity Partners" / "Neivis Square Equity Partners IX"; "Blynant & Co" / "Blynant
    Private Equity Fund VIII"; "Praulcrest Partners, LLC" / "Praulcrest Partners XII-B"). A bare name ending in a word the other only starts ("... Partners Fun" /
    "... Partners Fund X") is the fund's name cut at a field length, not the manager's."""
    marks = numbered_marks.replace("series ", "series:").split()  # "12 series b": numeral 12, series letter b
    bare = bare_name.split()
    if not marks or not all(m.isdigit() or m == "gp" or m.startswith("series:") for m in marks) or not bare \
            or FUND_WORDS & set(bare):
        return False
    return bare[-1] in set(numbered_name.split())


def _veto_one_side_marked(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores,
                          judge: Callable[[int, int, str], bool]) -> None:
    """Veto (probability 0, like a numeral conflict) the pairs with a fund numeral or vehicle mark on one side
    only (numerals level 2), no shared tax id (a source that dropped the mark is left to the score) and a
    score above :data:`CLEAR_NON_MATCH`, where ``judge(marked, bare, marks)`` — the record with the marks,
    the one without, and the marks — says they are two entities."""
    k = np.flatnonzero((levels["numerals"] == 2) & (levels["tax_id"] != 1) & (scores.probability >= CLEAR_NON_MATCH))
    if not k.size:
        return
    marks = enc.n_numerals.values
    veto = np.zeros(len(k), dtype=bool)
    for x, (a, b) in enumerate(pairs[k].tolist()):
        marked, bare = (a, b) if marks[a] else (b, a)
        veto[x] = judge(marked, bare, marks[marked])
    k = k[veto]
    scores.probability[k] = 0.0
    scores.vetoed[k] = True


def _veto_fund_and_manager(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores) -> None:
    """A fund numeral on one side only (numerals level 2) between a fund and its manager
    (:func:`_fund_and_manager`) is a veto like a numeral conflict: the learned weight of the level
    (about -4 bits) is outweighed by a near-exact name, domain and city. A shared tax id says a source
    dropped the numeral: left to the score (and the deterministic rule). Measured on dev_orgs seed 42: of
    the pairs it vetoes above the review threshold, 1 of 40 (10k) and 1 of 3 (5k, "Partners Li" read as
    numeral 51) were true; tuning orgs 10k 0 of 3."""
    names = enc.n_name.values
    _veto_one_side_marked(enc, pairs, levels, scores, lambda numbered, bare, marks: (
        bool(names[numbered]) and bool(names[bare]) and _fund_and_manager(names[numbered], marks, names[bare])))


def _other_programme(name_a: str, name_b: str) -> bool:
    """Whether two normalised names of funds with the same vehicle marks are two strategy programmes of one
    manager (:func:`fund_strategies`): each names a strategy the other does not ("Brand Buyout Partners II" /
    "Brand Secondaries Partners II"), or one names none and its every word is one of the other's other
    words, up to a typo ("Brand Partners II" / "Brnad Growth Partners II": the flagship and the growth
    fund). A strategy word the other name writes misspelt or cut ("Real Estaje", "Gwth") is a word the
    other's other words do not explain: no veto."""
    (sa, rest_a), (sb, rest_b) = fund_strategies(name_a), fund_strategies(name_b)
    if sa == sb:
        return False
    if sa and sb:
        return not sa & sb
    bare, strategic = (rest_b, rest_a) if sa else (rest_a, rest_b)
    return _words_of(bare, strategic)


def _words_of(words, other) -> bool:
    """Whether every one of ``words`` is one of ``other``, up to one typo from four letters."""
    return all(w in other or (len(w) >= 4 and any(OSA.distance(w, o, score_cutoff=1) <= 1 for o in other))
               for w in words)


#: The words of a layer's name that say it is one: the bare name must be the rest, a misspelt layer word
#: ("Brand Miidco" for "Brand Midco") is a word of its own.
_LAYER_WORDS = HOLDING_CHAIN_MARKERS | {"investment", "investments", "management", "gestion"}


def _layer_marks(marks: str) -> bool:
    """Whether vehicle marks (``n_numerals``) are all those of a company that is a layer of another's
    structure: a deal's holding chain (Topco, Midco, Intermediate …, with the numeral of a second one:
    "Brand Intermediate Holdings II"), an endowment's investment company and an insurer's subsidiary named
    by its domicile ("Brand Life Insurance Company of New York")."""
    rest = INSURER_DOMICILE_MARK.sub(" ", marks.replace(ENDOWMENT_COMPANY, " ")).split()
    layers = [m for m in rest if not m.isdigit()]
    return bool(marks) and (bool(layers) or not rest) and all(m in HOLDING_CHAIN_MARKERS for m in layers)


def _veto_layer(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores) -> None:
    """A name whose only marks are layer marks (:func:`_layer_marks`) and a name without marks whose every
    word is one of the other's other words, up to a typo ("Brand Holdings" / "Brand Intermediate Holdings"; "Kemp
    Institute of Technology" / "Kemp Institute of Technology Investment Company"), are the group and its
    layer, the institution and its investment company: a veto like a numeral conflict, unless a tax id is
    shared."""
    names = enc.n_name.values
    _veto_one_side_marked(enc, pairs, levels, scores, lambda marked, bare, marks: (
        bool(names[bare]) and bool(names[marked]) and _layer_marks(marks)
        and _words_of(set(names[bare].split()), set(names[marked].split()) - _LAYER_WORDS)))


def _group_and_company(a: str, b: str) -> bool:
    """Whether one normalised name is the other's words, up to a typo (:func:`_words_of`), plus one of
    :data:`GROUP_WORDS` ("halica crest education group" / "halica crest education", "praerace group" /
    "praerrace")."""
    wa, wb = a.split(), b.split()
    if abs(len(wa) - len(wb)) != 1:
        return False
    long_, short = (set(wa), set(wb)) if len(wa) > len(wb) else (set(wb), set(wa))
    added = (long_ - short) & GROUP_WORDS
    rest = long_ - added
    return bool(short) and len(added) == 1 and len(rest) == len(short) and _words_of(short, rest)


def _other_letter(a: str, b: str) -> bool:
    """Whether two normalised names of as many words differ in one word only, a single letter on one side
    and a word (or letter) starting with another letter on the other: a person's initial that is not the
    other's first name's ("s nakamura family office" / "william nakamura family office") or a name cut after
    a letter that does not start the other's word ("... tyoelakevakuutusyhtio k" / "... sampo"). The word
    check (:func:`crmhub.identity.comparison.word_conflict`) reads no word under three letters."""
    words = one_word_apart(a, b)
    if words is None:
        return False
    x, y = words
    return (len(x) == 1 or len(y) == 1) and x.isalpha() and y.isalpha() and x[0] != y[0]


def _two_organisations_named(a: str, b: str) -> bool:
    """Whether two normalised names are those of two organisations whatever else their records share: a
    group's parent and its operating company (:func:`_group_and_company`) or a letter that cannot stand for
    the other's word (:func:`_other_letter`)."""
    return _group_and_company(a, b) or _other_letter(a, b)


def _veto_two_organisations_named(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores) -> None:
    """The pairs whose names are two organisations' (:func:`_two_organisations_named`) score 0 like a numeral
    conflict, unless a tax id is shared: "Halica Crest Education" / "Halica Crest Education Group" share the
    brand, the web domain and the town, "S. Nakamura" / "William Nakamura Family Office" the rest of the
    name, so the near-exact name would outweigh the one word that tells them apart. Judged once per
    distinct name pair, on the pairs scoring at least :data:`VOTE_DIFFERENT` (the ones that could be
    queued or speak for a join in a proposal; the rest already vote "different")."""
    check = (scores.probability >= VOTE_DIFFERENT) & (levels["tax_id"] != 1)
    k = np.flatnonzero(name_pair_mask(enc.n_name, pairs, check, _two_organisations_named))
    scores.probability[k] = 0.0
    scores.vetoed[k] = True


def _veto_other_programme(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], scores) -> None:
    """Funds with the same numeral and vehicle marks (numerals level 1) of two strategy programmes
    (:func:`_other_programme`) score 0 like a numeral conflict: their names differ by one or two words, so
    a near-exact name, domain and city outweigh the word. A shared tax id is left to the score."""
    k = np.flatnonzero((levels["numerals"] == 1) & (levels["tax_id"] != 1) & (scores.probability >= CLEAR_NON_MATCH))
    if not k.size:
        return
    names, codes = enc.n_name.values, enc.n_name.codes
    ends = pairs[k]
    ca, cb = codes[ends[:, 0]], codes[ends[:, 1]]
    keep = (ca != cb) & (ca >= 0) & (cb >= 0)  # one name twice names one strategy
    k, ends = k[keep], ends[keep]
    if not k.size:
        return
    # only pairs where a name names a strategy: each distinct name read once
    records = ends.T.ravel()
    _, first, inverse = np.unique(codes[records], return_index=True, return_inverse=True)
    named = np.fromiter((bool(fund_strategies(names[r])[0]) for r in records[first].tolist()), dtype=bool,
                        count=len(first))[inverse.ravel()]
    check = np.zeros(len(pairs), dtype=bool)
    check[k[named[:len(k)] | named[len(k):]]] = True
    k, veto = per_name_pair(enc.n_name, pairs, check, _other_programme)  # symmetric: once per distinct name pair
    k = k[veto]
    if k.size:
        k = k[~_sole_programme_short_forms(enc.n_name, pairs[k])]
    scores.probability[k] = 0.0
    scores.vetoed[k] = True


def _sole_programme_short_forms(names: Column, pairs: np.ndarray) -> np.ndarray:
    """Per pair :func:`_other_programme` vetoes: whether one name is a fund's short form - its brand and numeral
    only, as Form D filers and CRMs write a fund ("Joris Bridge IX", "Ulambridge 9 SCSp") - and the other the
    fund of the one programme the brand runs in the run (:func:`_one_programme_in_run`): then the short form can
    name no other fund. A flagship written with a fund word ("Brand Partners II") is no short form, and beside
    a second programme or a flagship of the brand the short form stays ambiguous (the veto stands)."""
    values, ordered = names.values, names.sorted_distinct
    out = np.zeros(len(pairs), dtype=bool)
    seen: dict[tuple[str, str], bool] = {}
    programmes: dict[tuple[str, frozenset[str]], bool] = {}  # a brand's programmes, read once per run
    for x, (a, b) in enumerate(pairs.tolist()):
        key = (values[a], values[b])
        if key not in seen:
            seen[key] = (_short_form_of_sole_programme(*key, ordered, programmes)
                         or _short_form_of_sole_programme(key[1], key[0], ordered, programmes))
        out[x] = seen[key]
    return out


def _short_form_of_sole_programme(short: str, full: str, ordered: list[str],
                                  programmes: dict[tuple[str, frozenset[str]], bool]) -> bool:
    """Whether ``short`` is the brand and numerals only, ``full`` that brand followed by a strategy programme
    ("joris bridge 9" / "joris bridge secondaries fund 9"), and the brand runs that one programme in the run."""
    strategies = fund_strategies(full)[0]
    words, full_words = short.split(), full.split()
    brand = [w for w in words if not w.isdigit()]
    if not strategies or not brand or len(words) == len(brand) or words[:len(brand)] != brand:
        return False
    if full_words[:len(brand)] != brand or not fund_strategies(" ".join(["x", *full_words[len(brand):len(brand) + 2]]))[0]:
        return False
    key = (" ".join(brand), strategies)
    if key not in programmes:
        programmes[key] = _one_programme_in_run(*key, ordered)
    return programmes[key]


def _one_programme_in_run(brand: str, strategies: frozenset[str], ordered: list[str]) -> bool:
    """Whether every fund of ``brand`` in the run (a name beginning with it that has a numeral) names the
    strategies ``strategies`` or is a short form (the brand and numerals only): no flagship ("Brand Fund IX"),
    no second programme. The run's distinct names are sorted once (:attr:`Column.sorted_distinct`)."""
    for name in _names_beginning(ordered, brand):
        rest = name[len(brand) + 1:].split()
        if not any(w.isdigit() for w in rest) or all(w.isdigit() for w in rest):
            continue  # no fund of a series, or a short form
        if fund_strategies(name)[0] != strategies:
            return False
    return True


def _pair_scorer(enc: Encoded, kind: str, threshold: float, params: dict | None, tf_counts: dict | None,
                 workers: int, carriers: np.ndarray | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """Probability of record pairs blocking did not compare, scored like the candidates: the run's
    parameters and the same checks; term-frequency bits from the candidates' counts (``tf_counts``)
    and these pairs' together (a referenced name weighs the same; a non-referenced centre moves by the
    few extra pairs)."""
    def probability(extra: np.ndarray) -> np.ndarray:
        levels, extras = compare(enc, extra, kind, workers=workers)
        counts = _scoring_tf_counts(enc, extra, levels, extras.get("tf_counts") or {}, kind, params)
        if carriers is not None:
            counts["name_near"] = _near_name_counts(extra, levels, carriers)
        both = term_frequency_bits({k: np.concatenate([(tf_counts or {}).get(k, np.zeros(0)), v])
                                    for k, v in counts.items()})
        bits = {k: v[len(v) - len(extra):] for k, v in both.items()}
        return _score_compared(enc, extra, levels, kind, threshold, params, bits, extras.get("cut_name")).probability
    return probability


def _anchor_mask(levels: dict[str, np.ndarray], kind: str) -> np.ndarray:
    """Candidate pairs the deterministic rule would link (before vetoes and human decisions)."""
    return _deterministic_mask(levels, kind, np.zeros(len(levels["tax_id"]), dtype=bool))


def _cyclic_gc_paused(func: Callable) -> Callable:
    """Run ``func`` with Python's cyclic garbage collector paused, restored as it was afterwards.

    A run holds millions of long-lived objects (name strings, token tuples, cache and dict entries); every
    full collection walks all of them although none of them can be garbage yet. Reference counting still
    frees every acyclic object as the run goes; the few cycles a run leaves are collected after it. Measured
    on the tuning orgs at 100k (seed 42): 27.5 -> 25.3 CPU seconds, the cluster stage 5.0 -> 2.6 s, peak
    RSS unchanged (917 -> 918 MB)."""
    @functools.wraps(func)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return paused


@_cyclic_gc_paused
def resolve(df: pd.DataFrame, kind: str, *, decisions: dict | None = None, threshold: float = REVIEW_THRESHOLD,
            workers: int = -1, max_block: int = 40, window: int = 10, refine: bool = True) -> Resolution:
    """Resolve ``df`` (canonical columns of ``kind``, oldest record first).

    Args:
        df: records; optional column ``crmhub_id`` holds each record's existing id (warehouse mode).
        kind: ``"org"`` or ``"contact"``.
        decisions: remembered human decisions ``{pair_key(a, b): "approved" | "rejected"}``.
        threshold: fuzzy pairs scoring above it are queued for review.
        workers: rapidfuzz threads for the similarity computations, and processes that parse the names of
            a large run (:func:`crmhub.identity.records.prepare`) (-1: one per CPU core, rapidfuzz's
            convention; 1: single-threaded, no process started).
        max_block / window: blocking caps (see :mod:`crmhub.identity.blocking`).
        refine: when there are enough candidate pairs and ``kind`` is in
            :data:`crmhub.identity.scoring.EM_KINDS`, estimate u on random record pairs and m/λ by EM on
            this run's candidate pairs (:func:`crmhub.identity.scoring.refine_parameters`); organisations:
            m from the run's same-tax-id pairs, u and λ by EM
            (:func:`crmhub.identity.scoring.refine_from_anchor`); False keeps the calibrated values.
    """
    decisions = decisions or {}
    t0 = time.perf_counter()
    prepared = prepare(df, kind, workers=workers)
    n = len(prepared)
    keys: list[RecordKey] = list(zip(prepared["source_system"].tolist(), prepared["record_id"].tolist(), strict=True))
    if len(set(keys)) != n:
        seen: set = set()
        dup = next(k for k in keys if k in seen or seen.add(k))
        raise ValueError(f"duplicate record key (source_system, record_id) = {dup}; each source record must appear once")
    position = {k: i for i, k in enumerate(keys)}
    timings = {"prepare_s": time.perf_counter() - t0}

    t1 = time.perf_counter()
    pairs, per_key = candidate_pairs(prepared, kind, max_block=max_block, window=window, workers=workers)
    timings["blocking_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    enc = Encoded(prepared, workers=workers)
    levels, extras = compare(enc, pairs, kind, workers=workers)
    carriers = _near_name_carriers(n, pairs, levels, _anchor_mask(levels, kind)) if kind == "org" else None
    if carriers is not None:
        extras["tf_counts"]["name_near"] = _near_name_counts(pairs, levels, carriers)
    tf_bits = term_frequency_bits(extras.get("tf_counts"))
    params = None
    if refine and kind in EM_KINDS and len(pairs) >= EM_MIN_PAIRS:
        # u from random record pairs (chance agreement among strangers), m and λ by EM on the candidates
        total_pairs = n * (n - 1) // 2
        random_levels, _ = compare(enc, sample_pairs(n, u_sample_size(n), seed=0), kind,
                                   workers=workers, chunk=200_000)
        params = refine_parameters(levels, kind, tf_bits=tf_bits, u=u_from_random_pairs(random_levels, kind),
                                   total_pairs=total_pairs, random_levels=random_levels)
    elif refine and kind == "org":
        params = refine_from_anchor(levels, kind, _anchor_mask(levels, kind), tf_bits=tf_bits)
    scoring_counts = _scoring_tf_counts(enc, pairs, levels, extras["tf_counts"], kind, params)
    tf_bits = term_frequency_bits(scoring_counts)
    scores = _score_compared(enc, pairs, levels, kind, threshold, params, tf_bits, extras.get("cut_name"))
    timings["compare_score_s"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    rejected = np.zeros(len(pairs), dtype=bool)
    approved_idx: list[tuple[int, int]] = []
    if decisions:
        rejected_codes = []
        for (ka, kb), verdict in decisions.items():
            if ka not in position or kb not in position:
                continue
            a, b = sorted((position[ka], position[kb]))
            if verdict == "approved":
                approved_idx.append((a, b))
            elif verdict == "rejected":
                rejected_codes.append(a * n + b)
        if rejected_codes:
            rejected = np.isin(pairs[:, 0] * n + pairs[:, 1], np.array(rejected_codes, dtype=np.int64))
    det_mask = _deterministic_mask(levels, kind, scores.vetoed) & ~rejected
    det_links = pairs[det_mask]
    approved = np.array(approved_idx, dtype=np.int64).reshape(-1, 2)
    roots = cluster_roots(n, np.concatenate([det_links, approved]))

    prob = scores.probability
    apart = ~scores.vetoed & ~rejected & ~det_mask & (roots[pairs[:, 0]] != roots[pairs[:, 1]])
    # Records sharing a deterministic key (organisations: the normalised tax id; contacts: the address) that
    # the rule could not link (a country differs, ...) go to a human whatever their score: either they are one
    # identity or one of them carries the other's key, and both are the steward's to decide. The proposal's
    # consistency rule still keeps a clear non-match out.
    same_key = (levels["tax_id"] == 1) if kind == "org" else (levels["email"] == 1)
    queue_mask = ((prob > threshold) | same_key) & apart
    review: list[ReviewPair] = []
    chosen = _best_per_identity_pair(pairs, prob, roots, np.flatnonzero(queue_mask))
    scorer = _pair_scorer(enc, kind, threshold, params, scoring_counts, workers, carriers) \
        if kind in UNCOMPARED_VOTE_KINDS else None
    chosen, cut_links = _consistent_proposals(prepared, kind, pairs, prob, rejected, roots, chosen, threshold,
                                              score_pairs=scorer, cut_names=enc.cut_names if kind == "org" else None,
                                              names=enc.n_name if kind == "org" else None)
    del enc, scorer  # the encoded columns are not needed past here (peak memory at a million records)
    proposal_links = pairs[np.array(chosen, dtype=np.int64)] if chosen else np.zeros((0, 2), dtype=np.int64)
    for k, features in zip(chosen, explain_pairs(scores, np.array(chosen, dtype=np.int64), kind), strict=True):
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        features["review_threshold"] = threshold
        if same_key[k] and prob[k] <= threshold:
            features["shared_key"] = "tax_id" if kind == "org" else "email"
        review.append(ReviewPair(left={"_i": a}, right={"_i": b}, score=round(float(prob[k]), 4), features=features))

    # Expected true duplicates still unmerged: pending review pairs weighted by their probability, plus
    # deterministic-key pairs (same tax id / email) left in different clusters and not rejected by a human.
    # Each pair counts once per merge it would cause: a maximum spanning forest over current clusters,
    # so k records of one entity add at most k-1 expected duplicates however many pairs join them.
    leftovers = same_key & ~det_mask & ~rejected & ~queue_mask & (roots[pairs[:, 0]] != roots[pairs[:, 1]])
    pending = np.flatnonzero(queue_mask | leftovers)
    pending = pending[~_kept_apart_by_a_human(roots, pairs, rejected, pending)]
    forest = UnionFind(n)
    expected = 0.0
    for k in pending[np.argsort(-prob[pending], kind="stable")].tolist():
        if forest.union(int(roots[pairs[k, 0]]), int(roots[pairs[k, 1]])):
            expected += float(prob[k])

    cluster_ids, merges = _assign_ids(prepared, roots, keys, kind)
    proposals = _proposals(prepared, kind, roots, proposal_links, review, cluster_ids, keys)
    timings["cluster_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0
    return Resolution(
        kind=kind, records=prepared, cluster_ids=cluster_ids, deterministic_links=det_links, approved_links=approved,
        review=review, proposals=proposals, merges=merges, candidate_pairs=int(len(pairs)), pairs_per_key=per_key,
        vetoed_pairs=int(scores.vetoed.sum()), rejected_pairs_skipped=int(rejected.sum()), timings=timings,
        expected_unmerged_duplicates=expected, scored_pairs=pairs, pair_probability=prob,
        pair_deterministic=det_mask, pair_levels=levels, parameters=params, proposal_links=proposal_links,
        cut_links=cut_links,
    )


def _best_per_identity_pair(pairs: np.ndarray, prob: np.ndarray, roots: np.ndarray, queued: np.ndarray) -> list[int]:
    """Of the ``queued`` pairs (increasing indices), the strongest per pair of current identities (``roots``;
    the first of equal scores), strongest first; equal scores in the order their identity pairs first appear."""
    if not len(queued):
        return []
    ra, rb = roots[pairs[queued, 0]], roots[pairs[queued, 1]]
    code = np.minimum(ra, rb) * len(roots) + np.maximum(ra, rb)
    p = prob[queued]
    order = np.lexsort((queued, -p, code))  # per identity pair: strongest, then first
    head = np.ones(len(order), dtype=bool)
    head[1:] = code[order[1:]] != code[order[:-1]]
    best = order[head]
    first_seen = np.minimum.reduceat(queued[np.argsort(code, kind="stable")], np.flatnonzero(head))
    return queued[best[np.lexsort((first_seen, -p[best]))]].tolist()


def _kept_apart_by_a_human(roots: np.ndarray, pairs: np.ndarray, rejected: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """For the pairs ``idx``: are their two current identities ones a human rejection keeps apart?

    A steward who rejected A–B and approved A–C has said B is not C: the B–C link is settled, not an
    expected duplicate (the proposal rule already never shows it again)."""
    if not rejected.any() or not len(idx):
        return np.zeros(len(idx), dtype=bool)
    n = len(roots)
    apart = np.sort(roots[pairs[rejected]], axis=1)
    apart_codes = unique_ints(apart[:, 0] * n + apart[:, 1])
    ends = np.sort(roots[pairs[idx]], axis=1)
    return np.isin(ends[:, 0] * n + ends[:, 1], apart_codes)


def _consistent_proposals(prepared: pd.DataFrame, kind: str, pairs: np.ndarray, prob: np.ndarray,
                          rejected: np.ndarray, roots: np.ndarray, chosen: list[int],
                          threshold: float, score_pairs: Callable[[np.ndarray], np.ndarray] | None = None,
                          cut_names: np.ndarray | None = None, names: Column | None = None) -> tuple[list[int], int]:
    """Keep the candidate links (``chosen``, strongest first) that form mutually consistent proposals.

    Nodes are the current identities (``roots``). Two identities may share a proposal only when no
    scored pair between their records is a clear non-match (probability < CLEAR_NON_MATCH, vetoes
    included) or a human rejection, their records do not carry different vehicle marks / tax ids
    (``PROPOSAL_CONFLICT_COLUMNS``; also for pairs blocking never compared), and the proposal stays
    within MAX_PROPOSAL_RECORDS records; two groups of identities also need the balance of their scored
    record pairs (each votes "different" below VOTE_DIFFERENT, except an acronym beside its words, "same" above ``threshold``; with ``names``,
    :attr:`crmhub.identity.comparison.Encoded.n_name`, also "different" between the two when their names
    each carry a word the other cannot explain, :func:`_named_apart`) not against them; with ``score_pairs`` (record pairs -> probability), the record pairs blocking did not compare
    inside components of up to UNCOMPARED_COMPONENT_RECORDS records are scored and vote too. Links are taken strongest first, equal scores by the balance of their groups' votes
    (:func:`crmhub.identity.clusters.consistent_groups`), so a chain is cut at its weaker link. ``cut_names`` (per record, :attr:`crmhub.identity.comparison.Encoded.cut_names`;
    needed where ``n_numerals`` is a conflict column): the vehicle marks of a name cut at a field length may
    have lost some, so its own are no conflict. A low pair whose one record is a less informative record of
    its own identity neither forbids nor votes (:func:`_speaks_for_its_identity`). Organisations: a record
    pair (compared or not) whose records state apart what they are also forbids the join, whatever its
    score: two seats (:func:`_seated_apart`), a carved-out vehicle beside a name without marks
    (:func:`_carved_apart`), two own web sites (:func:`_sites_apart`); not when the two share a tax id
    (one of them is the other or carries its id: a human decides, as for every shared key).
    Returns the kept links and how many were cut.
    """
    if not chosen:
        return chosen, 0
    idx = np.array(chosen, dtype=np.int64)
    links = roots[pairs[idx]]
    nodes = unique_ints(links)
    # only pairs inside one component of the chosen links can ever meet in a proposal: label each
    # record with its component (-1: in none) and keep the clear non-matches within a component
    component = cluster_roots(len(nodes), np.searchsorted(nodes, links))
    member_rows = np.flatnonzero(among(roots, nodes, len(roots)))
    node_of = roots[member_rows]
    record_component = np.full(len(roots), -1, dtype=np.int32)  # gathered for every candidate pair: half the bytes
    record_component[member_rows] = component[np.searchsorted(nodes, node_of)]
    ca, cb = record_component[pairs[:, 0]], record_component[pairs[:, 1]]
    within = (ca >= 0) & (ca == cb)
    within[within] &= roots[pairs[within, 0]] != roots[pairs[within, 1]]
    between = np.flatnonzero(within)
    voters, voice = pairs[between], prob[between]
    if score_pairs is not None:
        extra = _uncompared_pairs(voters, roots, record_component)
        if len(extra):
            voters, voice = np.concatenate([voters, extra]), np.concatenate([voice, score_pairs(extra)])
    against = voice < VOTE_DIFFERENT
    if names is not None:
        # an acronym beside the words it stands for ("EIB" / "State of Eastwood Investment Board") scores
        # low on the name alone: no evidence either way, so it does not vote "different"
        against &= ~short_form_mask(names, voters, against, acronym_name_pair)
        against |= _named_apart(names, voters, voice, threshold, cut_names)
    speaks = _speaks_for_its_identity(prepared, kind, voters, voice, against, roots, threshold, cut_names)
    votes = roots[voters]
    vote = (voice > threshold).astype(np.int8) - (against & speaks).astype(np.int8)
    cannot = roots[pairs[between[((prob[between] < CLEAR_NON_MATCH) & speaks[:len(between)]) | rejected[between]]]]
    if kind == "org":  # what the records state apart forbids the join, compared by blocking or not
        apart = _seated_apart(prepared, voters, cut_names) | _sites_apart(prepared, voters, cut_names) \
            | _carved_apart(prepared, voters, cut_names)
        tax = prepared["n_tax_id"].to_numpy(dtype=object)
        shared = (tax[voters[:, 0]] != None) & (tax[voters[:, 0]] == tax[voters[:, 1]])  # noqa: E711
        cannot = np.concatenate([cannot, votes[apart & ~shared]])  # one tax id: the steward's to decide
    if len(cannot):  # one row per pair of identities (many record pairs can say the same)
        cannot = np.sort(cannot, axis=1)
        code = np.sort(cannot[:, 0] * len(roots) + cannot[:, 1])
        keep_first = np.empty(len(code), dtype=bool)
        keep_first[0] = True
        np.not_equal(code[1:], code[:-1], out=keep_first[1:])
        code = code[keep_first]
        cannot = np.stack([code // len(roots), code % len(roots)], axis=1)
    sizes = dict(zip(*np.unique(node_of, return_counts=True), strict=True))
    sizes = {int(k): int(v) for k, v in sizes.items()}
    values: dict[int, dict[int, frozenset]] = {}
    columns = PROPOSAL_CONFLICT_COLUMNS[kind]
    if columns:
        # per node, attribute (its number) -> the set of non-empty values its records carry: only the
        # attributes a node has values for (most have none of the many tax id shapes), nodes with none left out
        # (tax ids: one attribute per id shape, so an RCS number and a VAT number of one entity are two
        # registers' numbers, not a conflict; two numbers of one shape are)
        per_column: list[dict[int, set]] = []
        for c in columns:
            col = prepared[c].to_numpy(dtype=object)[member_rows]
            if c == "n_numerals":  # a name cut at a field length may have lost marks: its own are no conflict
                col = np.where(cut_names[member_rows] != None, "", col)  # noqa: E711
            keep = np.fromiter((isinstance(v, str) and v != "" for v in col.tolist()), dtype=bool, count=len(col))
            by_part: dict[str | None, dict[int, set]] = {}
            kept = col[keep].tolist()
            part_of = {v: tax_id_scheme(v) for v in set(kept)} if c == "n_tax_id" else {}
            for r, v in zip(node_of[keep].tolist(), kept, strict=True):
                by_part.setdefault(part_of.get(v), {}).setdefault(r, set()).add(v)
            per_column.extend(by_part.values())
        for j, col in enumerate(per_column):
            for r, v in col.items():
                values.setdefault(r, {})[j] = frozenset(v)
    keep = consistent_groups(links, cannot_link=cannot, values=values, sizes=sizes, max_records=MAX_PROPOSAL_RECORDS,
                             votes=votes, vote=vote, strength=prob[idx])
    return idx[keep].tolist(), int((~keep).sum())


#: Vehicle markers of a vehicle carved out of or beside a numbered fund: an alternative investment vehicle,
#: a co-investment vehicle, an offshore or parallel fund, a feeder, a blocker, a sidecar, a continuation fund.
CARVED_VEHICLE_MARKERS = frozenset({"aiv", "coinvestment", "offshore", "parallel", "feeder", "blocker", "sidecar",
                                    "continuation"})


def _seated_apart(prepared: pd.DataFrame, pairs: np.ndarray, cut_names: np.ndarray | None) -> np.ndarray:
    """Per record pair of ``pairs``: do both records state a country, different ones, with neither naming
    a fund vehicle (:func:`_names_a_fund_vehicle`), or one a vehicle and the other no vehicle mark at all?

    An operating company, manager, adviser or investor states its own seat, so two such records in different
    countries are two companies of one name: one family group's companies in several Gulf states, a firm's
    Cayman or Irish arm beside its home company, a namesake abroad. A fund vehicle's country is unreliable
    (its manager's seat, the filing's country on a Form D, a parallel vehicle's domicile), so two vehicles
    are left to the score; a vehicle beside a record that names none ("Esterwell XII" in Luxembourg,
    "Esterwell Capital" in the US) is the fund beside its manager's own seat. Not for a name cut at a field
    length (``cut_names``): it may have lost its marks. Only the pairs inside candidate proposals: the two
    records never share one."""
    country = prepared["n_country"].to_numpy(dtype=object)
    marks, forms = prepared["n_numerals"].to_numpy(dtype=object), prepared["n_legal"].to_numpy(dtype=object)
    a, b = pairs[:, 0], pairs[:, 1]
    ca, cb = country[a], country[b]
    stated = (ca != None) & (cb != None)  # noqa: E711
    out = np.zeros(len(pairs), dtype=bool)
    for k in np.flatnonzero(stated & (ca != cb)).tolist():
        ends = (int(a[k]), int(b[k]))
        vehicle = [_names_a_fund_vehicle(marks[r], forms[r]) for r in ends]
        if vehicle[0] and vehicle[1]:
            continue
        plain = ends[1] if vehicle[0] else ends[0]
        out[k] = not any(vehicle) or not (marks[plain] or (cut_names is not None and cut_names[plain] is not None))
    return out


def _names_a_fund_vehicle(marks: str | None, form: str | None) -> bool:
    """Whether a name with vehicle ``marks`` (``n_numerals``) and legal ``form`` names a fund vehicle: a fund
    numeral, a fund legal form (LP, SCA) or a carved-out vehicle (:data:`CARVED_VEHICLE_MARKERS`). A place
    ("Fund Administration (Cayman)") or a role ("Capital Management") alone names an operating company."""
    words = (marks or "").split()
    return form in FUND_LEGAL_FORMS or any(w.isdigit() for w in words) or not CARVED_VEHICLE_MARKERS.isdisjoint(words)


def _carved_apart(prepared: pd.DataFrame, pairs: np.ndarray, cut_names: np.ndarray | None) -> np.ndarray:
    """Per record pair of ``pairs``: does one record name a numbered fund's carved-out vehicle (a fund numeral
    and one of :data:`CARVED_VEHICLE_MARKERS`: "Merent Oak Infrastructure Partners V (AIV II), L.P.",
    "Darine Bridge Buyout Fund III Offshore") and the other no vehicle mark at all ("Merent Oak
    Infrastructure Partners", "Darine Bridge")?

    Such a vehicle is a legal entity of its own, apart from the main fund and from the manager whose brand
    both names start with; a record that names neither numeral nor vehicle is the firm or the main fund, not
    the AIV. Not for a name cut at a field length (``cut_names``): it may have lost the marks. Only the
    pairs inside candidate proposals."""
    marks = prepared["n_numerals"].to_numpy(dtype=object)
    a, b = pairs[:, 0], pairs[:, 1]
    out = np.zeros(len(pairs), dtype=bool)
    bare = np.fromiter((not m for m in marks[a].tolist()), dtype=bool, count=len(a)) \
        ^ np.fromiter((not m for m in marks[b].tolist()), dtype=bool, count=len(b))
    for k in np.flatnonzero(bare).tolist():
        plain, marked = (int(a[k]), int(b[k])) if not marks[a[k]] else (int(b[k]), int(a[k]))
        if cut_names is not None and cut_names[plain] is not None:
            continue
        words = marks[marked].split()
        out[k] = any(w.isdigit() for w in words) and not CARVED_VEHICLE_MARKERS.isdisjoint(words)
    return out


def _sites_apart(prepared: pd.DataFrame, pairs: np.ndarray, cut_names: np.ndarray | None) -> np.ndarray:
    """Per record pair of ``pairs``: do the two records have web domains of different sites (neither site
    name the start of the other), each beginning with a word of its own record's name
    (:func:`crmhub.identity.comparison.spelt_words`)?

    A site is typed and tested, so each record spells its own brand right: two sites that each confirm
    their own record's name are two firms with names a letter apart ("Monevix" at monevix.com, "Monevion"
    at monevion.com), two partnerships one partner leads ("Kapoor LLP" at kapoorellery.com, "Kapoor &
    Almeida" at kapooralmeida.com), or a brand beside a longer one ("Retail Super" / "Tasmanian Retail
    Super"), not one firm with a typo. One firm's second site is mostly its own plus a word (esten.com /
    estencapital.com) or a prefix before it (getholania.io): one site starts the other, no conflict.
    Only the pairs inside candidate proposals."""
    names, domains = prepared["n_name"].to_numpy(dtype=object), prepared["n_domain"].to_numpy(dtype=object)
    out = np.zeros(len(pairs), dtype=bool)
    seen: dict[tuple, bool] = {}
    for k in np.flatnonzero((domains[pairs[:, 0]] != None) & (domains[pairs[:, 1]] != None)).tolist():  # noqa: E711
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        cut_a, cut_b = (cut_names is not None and cut_names[r] is not None for r in (a, b))
        key = (names[a], domains[a], cut_a, names[b], domains[b], cut_b)
        if key not in seen:
            site_a, site_b = domains[a].split(".", 1)[0], domains[b].split(".", 1)[0]
            seen[key] = bool(names[a] and names[b] and not site_a.startswith(site_b) and not site_b.startswith(site_a)
                             and spelt_words(names[a], domains[a], cut_a) and spelt_words(names[b], domains[b], cut_b))
        out[k] = seen[key]
    return out


def _named_apart(names: Column, voters: np.ndarray, voice: np.ndarray, threshold: float,
                 cut_names: np.ndarray | None) -> np.ndarray:
    """Per record pair of ``voters`` (probabilities ``voice``): is it undecided (between VOTE_DIFFERENT and
    ``threshold``) with names that each carry a word the other cannot explain
    (:func:`crmhub.identity.comparison.word_conflict`: "Työeläkevakuutusyhtiö Sampo" / "Työeläkevakuutusyhtiö
    Kotka", "Fondos de Pensiones Cóndor" / "... Pacífico")?

    Such names are two organisations named after different things that a long shared stem scores near the
    middle; a third record that links both (a name cut before the word that tells them apart, a generic
    short form) must not make one proposal of them. Scored pairs above the threshold had the same check in
    :func:`_score_compared`. Not for a name cut at a field length (``cut_names``): its last word is no
    word to read against. Judged once per distinct name pair, only on the pairs inside candidate
    proposals."""
    band = (voice >= VOTE_DIFFERENT) & (voice <= threshold)
    if cut_names is not None and band.any():
        cut = cut_names != None  # noqa: E711
        band &= ~cut[voters[:, 0]] & ~cut[voters[:, 1]]
    return name_pair_mask(names, voters, band, _stem_apart)


#: Most words each of two names sharing a stem may add for :func:`_stem_apart` ("Schleswig Holstein").
STEM_APART_WORDS = 2


def _stem_apart(a: str, b: str) -> bool:
    """Whether two normalised names share words and each adds one or two of its own
    (:data:`STEM_APART_WORDS`) that the other cannot explain (:func:`crmhub.identity.comparison.word_conflict`):
    one stem naming two things. Names with nothing in common, or one adding more, are more often one
    organisation in two languages or an acronym beside its words ("Hessische Architektenversorgung" /
    "Versorgungswerk der Architektenkammer Hessen", "AFP Aurora" / "Administradora de Fondos de Pensiones
    Aurora") than two organisations."""
    wa, wb = set(a.split()), set(b.split())
    return (bool(wa & wb) and 0 < len(wa - wb) <= STEM_APART_WORDS and 0 < len(wb - wa) <= STEM_APART_WORDS
            and word_conflict(a, b))


def _speaks_for_its_identity(prepared: pd.DataFrame, kind: str, voters: np.ndarray, voice: np.ndarray,
                             against: np.ndarray, roots: np.ndarray, threshold: float,
                             cut_names: np.ndarray | None) -> np.ndarray:
    """Per record pair of ``voters`` (probabilities ``voice``) that says "different" (``against``): does it
    count against joining the two records' identities (``roots``)?

    Not when one record of it, ``r``, is a less informative record of its own identity: that identity
    (linked without doubt: same tax id, or a human approval) holds another record ``r'`` that links the
    pair's other record above ``threshold`` and carries every vehicle mark and vintage ``r`` carries and
    more (a name cut at a field length carries none: it may have lost them). Such an ``r`` is an alias without
    the fund numeral ("Etoile Real Estate Partenaires" beside "… Partners III" under one RCS number), a
    cut name or another spelling of the brand; the identity already says ``r`` is ``r'``, so ``r`` being
    unlike what ``r'`` matches is no evidence against the join. With the same marks, ``r`` is also silent
    when ``r'`` carries exactly the other record's name and ``r`` another name (:func:`_other_name_of`: a
    former name or alias under the identity's tax id). A record with a mark its partner lacks
    (Fund IV beside a name without numeral) still speaks: it may be the one that tells them apart.
    For the kinds with proposal conflict columns (organisations); elsewhere every pair speaks."""
    speaks = np.ones(len(voters), dtype=bool)
    columns = PROPOSAL_CONFLICT_COLUMNS[kind]
    low = np.flatnonzero(against)
    strong = np.flatnonzero(voice > threshold)
    if "n_numerals" not in columns or not len(low) or not len(strong):
        return speaks
    # per record pair end: the other records of its identity that link the pair's other end above threshold
    linked: dict[tuple[int, int], list[int]] = {}
    for x, y in voters[strong].tolist():
        linked.setdefault((int(roots[x]), y), []).append(x)
        linked.setdefault((int(roots[y]), x), []).append(y)
    numerals, vintage = prepared["n_numerals"].to_numpy(dtype=object), prepared["n_vintage"].to_numpy(dtype=object)
    marks_of: dict[int, frozenset] = {}
    names, domains = prepared["n_name"].to_numpy(dtype=object), prepared["n_domain"].to_numpy(dtype=object)

    def marks(r: int) -> frozenset:
        if r not in marks_of:  # a name cut at a field length may have lost its marks: it carries none
            cut = cut_names is not None and cut_names[r] is not None
            found = set() if cut else set((numerals[r] or "").split())
            if vintage[r] and not cut:
                found.add(f"vintage:{vintage[r]}")
            marks_of[r] = frozenset(found)
        return marks_of[r]

    for k in low.tolist():
        a, b = voters[k].tolist()
        for r, other in ((a, b), (b, a)):
            partners = linked.get((int(roots[r]), other), ())
            if any(p != r and (marks(r) < marks(p) or (marks(r) == marks(p) and _other_name_of(names, domains, r, p, other)))
                   for p in partners):
                speaks[k] = False
                break
    return speaks


def _other_name_of(names: np.ndarray, domains: np.ndarray, r: int, p: int, other: int) -> bool:
    """Whether record ``r`` is another name of its identity for a pair with ``other``: its identity's record
    ``p`` carries exactly ``other``'s normalised name (of more than one word) and ``r`` a different one, and
    ``r`` states no web domain ``p`` lacks.

    The class: an organisation renamed or known under an alias ("Clear Broad Real Estate Partners K.K."
    f/k/a "Onyxline Capital", "Clear Broad Capital" under one corporate number). A record of the current
    name matches the identity's record of that name; the former name being unlike it is no evidence of two
    organisations. Not for one-word names (an acronym or a bare brand is shared by namesakes), nor when ``r``
    has a site of its own (a site is evidence ``p`` does not carry), nor when ``r`` has ``other``'s name too
    (then what keeps them apart is not the name)."""
    return (bool(names[p]) and names[p] == names[other] != names[r] and " " in names[p]
            and domains[r] in (None, domains[p]))


def _uncompared_pairs(pairs: np.ndarray, roots: np.ndarray, record_component: np.ndarray) -> np.ndarray:
    """Record pairs ``(a, b)``, ``a < b``, inside one component of the candidate links
    (``record_component``, -1: in none) of at most UNCOMPARED_COMPONENT_RECORDS records, between two
    different identities (``roots``), that ``pairs`` (the compared ones among them, at least) does not hold."""
    rows = np.flatnonzero(record_component >= 0)
    rows = rows[np.argsort(record_component[rows], kind="stable")]
    _, start, size = np.unique(record_component[rows], return_index=True, return_counts=True)
    found = []
    for s in np.unique(size[(size > 1) & (size <= UNCOMPARED_COMPONENT_RECORDS)]).tolist():
        # every component of s records at once: its rows, then all i < j within each
        block = rows[start[size == s][:, None] + np.arange(s)]
        i, j = np.triu_indices(s, 1)
        found.append(np.stack([block[:, i].ravel(), block[:, j].ravel()], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    extra = np.sort(np.concatenate(found), axis=1)
    extra = extra[roots[extra[:, 0]] != roots[extra[:, 1]]]
    n = len(roots)
    known = np.sort(pairs, axis=1)
    return extra[~np.isin(extra[:, 0] * n + extra[:, 1], known[:, 0] * n + known[:, 1])]


def _proposals(prepared: pd.DataFrame, kind: str, roots: np.ndarray, links: np.ndarray,
               review: list[ReviewPair], cluster_ids: list[str], keys: list[RecordKey]) -> list[ProposedCluster]:
    """Group the review pairs into proposed clusters and fill in the record views of their members.

    A proposed cluster is a connected component of the kept (consistent) candidate links over the current
    identities; its members are every record of the identities those links join.
    """
    if not review:
        return []
    ends = roots[links]
    nodes = unique_ints(ends)
    component = cluster_roots(len(nodes), np.searchsorted(nodes, ends))  # per node
    rows = np.flatnonzero(among(roots, nodes, len(roots)))  # input order = age order, so members come oldest first
    row_component = component[np.searchsorted(nodes, roots[rows])]
    by_component = np.argsort(row_component, kind="stable")
    starts = np.flatnonzero(np.r_[True, row_component[by_component[1:]] != row_component[by_component[:-1]]])
    groups = np.split(rows[by_component], starts[1:])
    group_component = row_component[by_component[starts]].tolist()
    columns = list(columns_for(kind))
    # the canonical columns hold text or None (``prepare``): plain lists, not DataFrame.to_dict's per-value boxing
    shown = prepared.iloc[rows]
    views = dict(zip(rows.tolist(), (dict(zip(columns, v, strict=True))
                                     for v in zip(*(shown[c].tolist() for c in columns), strict=True)), strict=True))
    proposals: list[ProposedCluster] = []
    proposal_of: dict[int, ProposedCluster] = {}  # per component
    for g in sorted(range(len(groups)), key=lambda g: int(groups[g][0])):  # in the order of their oldest record
        idx = groups[g].tolist()
        pid = proposed_cluster_id(kind, [keys[i] for i in idx])
        proposal_of[group_component[g]] = ProposedCluster(pid, [dict(views[i]) for i in idx],
                                                          [cluster_ids[i] for i in idx], [])
        proposals.append(proposal_of[group_component[g]])
    left = np.array([pair.left["_i"] for pair in review], dtype=np.int64)
    for pair, c in zip(review, component[np.searchsorted(nodes, roots[left])].tolist(), strict=True):
        a, b = pair.left.pop("_i"), pair.right.pop("_i")
        pair.left, pair.right = dict(views[a]), dict(views[b])
        proposal = proposal_of[c]
        pair.proposed_cluster = proposal.cluster_id
        proposal.pairs.append(pair)
    return sorted(proposals, key=lambda p: -p.score_max)


def _assign_ids(prepared: pd.DataFrame, roots: np.ndarray, keys: list[RecordKey], kind: str
                ) -> tuple[list[str], list[tuple[str, str]]]:
    """Cluster id per record (the id of the identity's oldest record that has one, else a UUID5 of its oldest
    record's key) and the ``(survivor, merged)`` ids of records whose id changes."""
    labels, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
    existing = prepared["crmhub_id"].tolist() if "crmhub_id" in prepared.columns else None
    survivor: dict[int, str] = {}
    has_id = np.zeros(len(roots), dtype=bool)
    if existing is not None:
        has_id = np.fromiter(map(bool, existing), dtype=bool, count=len(existing))
        rows = np.flatnonzero(has_id)
        with_id, oldest = np.unique(inverse[rows], return_index=True)
        survivor = {int(c): str(existing[i]) for c, i in zip(with_id.tolist(), rows[oldest].tolist(), strict=True)}
    per_label = [survivor.get(c) or new_cluster_id(kind, keys[i]) for c, i in enumerate(first.tolist())]
    ids = [per_label[c] for c in inverse.tolist()]
    merges = [(ids[i], str(existing[i])) for i in np.flatnonzero(has_id).tolist() if str(existing[i]) != ids[i]]
    return ids, merges
