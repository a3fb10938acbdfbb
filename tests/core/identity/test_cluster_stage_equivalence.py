"""The cluster stage's vectorised helpers give what the plain loops give: connected components of links,
the strongest queued pair per pair of identities (ties, singletons), stable cluster ids with and without
existing ids, and the UUID5 strings themselves."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

from crmhub.identity import matching
from crmhub.identity.clusters import UnionFind, _greedy_groups, cluster_roots, consistent_groups


def _union_find_roots(n: int, links: np.ndarray) -> np.ndarray:
    uf = UnionFind(n)
    for a, b in links.tolist():
        uf.union(a, b)
    return uf.roots()


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    _, la = np.unique(a, return_inverse=True)
    _, lb = np.unique(b, return_inverse=True)
    pairs = np.unique(np.stack([la, lb], axis=1), axis=0)
    return len(pairs) == len(np.unique(la)) == len(np.unique(lb))


@pytest.mark.parametrize("seed", range(40))
def test_cluster_roots_is_union_find_labelled_by_the_smallest_member(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    links = rng.integers(0, n, size=(int(rng.integers(0, 2 * n)), 2))  # self-links, repeats, singletons
    roots = cluster_roots(n, links)
    assert _same_partition(roots, _union_find_roots(n, links))
    assert all(roots[i] == min(np.flatnonzero(roots == roots[i])) for i in range(n))


def test_cluster_roots_of_a_long_shuffled_chain_and_of_no_links() -> None:
    n = 5000
    chain = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)[np.random.default_rng(0).permutation(n - 1)]
    assert (cluster_roots(n, chain[:, ::-1]) == 0).all()
    assert (cluster_roots(4, np.zeros((0, 2), dtype=np.int64)) == np.arange(4)).all()


def _best_per_identity_pair_loop(pairs: np.ndarray, prob: np.ndarray, roots: np.ndarray, queued: np.ndarray) -> list:
    best: dict[tuple[int, int], int] = {}
    for k in queued.tolist():
        ra, rb = int(roots[pairs[k, 0]]), int(roots[pairs[k, 1]])
        ck = (min(ra, rb), max(ra, rb))
        if ck not in best or prob[k] > prob[best[ck]]:
            best[ck] = k
    return sorted(best.values(), key=lambda k: -prob[k])


@pytest.mark.parametrize("seed", range(40))
def test_best_pair_per_identity_pair_keeps_the_first_of_ties_in_first_seen_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    roots = cluster_roots(n, rng.integers(0, n, size=(int(rng.integers(0, n)), 2)))
    pairs = np.sort(rng.integers(0, n, size=(int(rng.integers(1, 120)), 2)), axis=1)
    pairs = pairs[roots[pairs[:, 0]] != roots[pairs[:, 1]]]
    prob = rng.choice([0.71, 0.8, 0.8, 0.95, 0.99], size=len(pairs))  # many equal scores
    queued = np.flatnonzero(rng.random(len(pairs)) < 0.7)
    assert matching._best_per_identity_pair(pairs, prob, roots, queued) == \
        _best_per_identity_pair_loop(pairs, prob, roots, queued)


def _assign_ids_loop(prepared: pd.DataFrame, roots: np.ndarray, keys: list, kind: str) -> tuple[list, list]:
    existing = prepared["crmhub_id"].tolist() if "crmhub_id" in prepared.columns else None
    first_member: dict[int, int] = {}
    survivor: dict[int, str] = {}
    for i, r in enumerate(roots.tolist()):
        first_member.setdefault(r, i)
        if existing is not None and existing[i] and r not in survivor:
            survivor[r] = str(existing[i])
    ids, merges = [], []
    for i, r in enumerate(roots.tolist()):
        cid = survivor.get(r) or str(uuid.uuid5(matching.ID_NAMESPACE, f"{kind}:{keys[first_member[r]][0]}:"
                                                                        f"{keys[first_member[r]][1]}"))
        ids.append(cid)
        if existing is not None and existing[i] and str(existing[i]) != cid:
            merges.append((cid, str(existing[i])))
    return ids, merges


@pytest.mark.parametrize("with_ids", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_cluster_ids_are_the_oldest_existing_id_or_the_oldest_members_uuid(seed: int, with_ids: bool) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    roots = _union_find_roots(n, rng.integers(0, n, size=(40, 2)))  # arbitrary roots, not the smallest member
    keys = [("crm" if i % 3 else "erp", f"r{i}") for i in range(n)]
    prepared = pd.DataFrame({"record_id": [k[1] for k in keys], "source_system": [k[0] for k in keys]})
    if with_ids:
        prepared["crmhub_id"] = rng.choice(np.array([None, "", "id-a", "id-b", "id-c"], dtype=object), size=n)
    assert matching._assign_ids(prepared, roots, keys, "org") == _assign_ids_loop(prepared, roots, keys, "org")


def test_uuid5_strings_are_the_standard_librarys() -> None:
    for name in ["org:crm:1", "contact:hubspot:é ü 中", "", "org:proposal:a:1|b:2", *map(str, range(300))]:
        assert matching._uuid5(name) == str(uuid.uuid5(matching.ID_NAMESPACE, name))
    assert matching.proposed_cluster_id("org", [("b", "2"), ("a", "1")]) == \
        "pc-" + uuid.uuid5(matching.ID_NAMESPACE, "org:proposal:a:1|b:2").hex[:16]


@pytest.mark.parametrize("seed", range(60))
def test_consistent_groups_settles_lone_links_as_the_greedy_loop_does(seed: int) -> None:
    # a component of two nodes and one link is decided at once; every other goes through the loop: together
    # they must give the loop's answer on all links (cannot-links, attribute conflicts, sizes, vote balances)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    links = rng.integers(0, n, size=(int(rng.integers(1, n)), 2)) * 3  # sparse labels: many lone links
    cannot = rng.integers(0, n, size=(int(rng.integers(0, n)), 2)) * 3
    marks = [frozenset(), frozenset({"I"}), frozenset({"II"})]
    values = {3 * i: {a: marks[rng.integers(0, 3)] for a in ("marks", "tax_id") if rng.random() < 0.7}
              for i in range(n) if rng.random() < 0.4}
    sizes = {3 * i: int(rng.integers(1, 5)) for i in range(n) if rng.random() < 0.5}
    votes = rng.integers(0, n, size=(int(rng.integers(0, 4 * n)), 2)) * 3
    vote = rng.integers(-1, 2, size=len(votes)).astype(np.int8)
    args = {"cannot_link": cannot, "values": values, "sizes": sizes, "max_records": 6, "votes": votes, "vote": vote}
    assert (consistent_groups(links, **args) == _greedy_groups(links, **args)).all()
    no_votes = {**args, "votes": None, "vote": None}
    assert (consistent_groups(links, **no_votes) == _greedy_groups(links, **no_votes)).all()
