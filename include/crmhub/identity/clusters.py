"""Union-find (disjoint sets) used to form clusters from accepted links only."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable, Iterator

import numpy as np

from crmhub.identity.arrays import unique_ints


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True

    def roots(self) -> np.ndarray:
        return np.fromiter((self.find(i) for i in range(len(self.parent))), dtype=np.int64, count=len(self.parent))


def cluster_roots(n: int, links: np.ndarray) -> np.ndarray:
    """Label per record after uniting every ``(i, j)`` row of ``links``: the smallest record index of its set.

    Vectorised union-find: each round hooks the larger of the two roots of every link that still
    joins two sets onto the smaller (a root hooked by several links takes the smallest), then compresses
    every path; a chain of k links needs one round and log2(k) compressions."""
    parent = np.arange(n, dtype=np.int64)
    links = np.asarray(links, dtype=np.int64).reshape(-1, 2)
    a, b = links[:, 0], links[:, 1]
    while len(a):
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        a, b, ra, rb = a[apart], b[apart], ra[apart], rb[apart]
        if not len(a):
            break
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # every parent a root again
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return parent


#: Two groups whose scored record pairs say "different" at least this often (and at least as often as
#: "same") do not join: a single low pair can be one badly keyed record, two are the records disagreeing.
MIN_VOTES_AGAINST = 2


def consistent_groups(links: np.ndarray, *, cannot_link: np.ndarray, values: dict[int, dict[Hashable, frozenset]],
                      sizes: dict[int, int], max_records: int, votes: np.ndarray | None = None,
                      vote: np.ndarray | None = None, strength: np.ndarray | None = None) -> np.ndarray:
    """Group nodes along ``links`` (strongest first) without ever putting two inconsistent nodes together.

    Greedy agglomeration over the rows of ``links`` (node pairs, in the order given): two groups join
    only if (1) no row of ``cannot_link`` has one node in each, (2) for every attribute of ``values``
    (per node, attribute -> frozenset of its values, e.g. vehicle marks and tax ids; only the attributes a
    node carries: one it lacks, or maps to an empty set, has no values) the two groups do not both carry
    values that differ, (3) together they hold at most ``max_records``
    records (``sizes``: records per node), and (4) the evidence between them does not speak against it:
    ``votes`` (node pairs, one row per scored record pair) with ``vote`` (+1: the pair says "same", -1:
    "different", 0: undecided) — the rows between the two groups must not hold MIN_VOTES_AGAINST or more
    -1 votes unless the +1 votes outnumber them (average-linkage style: the groups join on the balance of
    their compared records, not through a single strong link). A link whose groups cannot join is left
    out, so a chain A~B~C where A and C are different entities becomes {A, B} + {C} (whichever link is
    stronger wins), never one group. ``strength`` (per row of ``links``, not increasing; e.g. the link's
    probability): among rows of equal strength, the join whose groups' votes say "same" most goes first
    (votes for, counted up to MIN_VOTES_AGAINST, minus votes against; then the one whose larger group
    holds fewer records), read afresh when its turn comes (:func:`_in_order`): a record whose equally
    scored links reach its namesake's group and its own joins its own, where the records' order would
    have left it with the namesake and their votes against its own group keep that group out.

    Returns a boolean per row of ``links``: True when its two nodes ended in the same group.
    """
    links = np.asarray(links, dtype=np.int64).reshape(-1, 2)
    cannot_link = np.asarray(cannot_link, dtype=np.int64).reshape(-1, 2)
    has_votes = votes is not None and vote is not None and len(votes) > 0
    if has_votes:
        said = vote != 0
        votes, vote = np.sort(np.asarray(votes, dtype=np.int64)[said], axis=1), vote[said]
    lone = _lone_links(links)
    keep = np.zeros(len(links), dtype=bool)
    if lone.any():
        # a component of two nodes and one link: the link holds iff the two nodes may join as they are
        ends = np.sort(links[lone], axis=1)
        span = int(max(ends.max(), cannot_link.max(initial=0), votes.max(initial=0) if has_votes else 0)) + 1
        code = ends[:, 0] * span + ends[:, 1]
        forbidden = np.zeros(len(code), dtype=bool)
        if len(cannot_link):
            forbidden = np.isin(code, np.sort(cannot_link, axis=1) @ np.array([span, 1]))
        pro = con = np.zeros(len(code), dtype=np.int64)
        if has_votes:
            vote_code = votes[:, 0] * span + votes[:, 1]
            at = np.isin(vote_code, code)
            said_codes, where = np.unique(vote_code[at], return_inverse=True)
            said_pro = np.bincount(where, weights=vote[at] > 0, minlength=len(said_codes)).astype(np.int64)
            said_con = np.bincount(where, weights=vote[at] < 0, minlength=len(said_codes)).astype(np.int64)
            found = np.minimum(np.searchsorted(said_codes, code), max(len(said_codes) - 1, 0))
            hit = said_codes[found] == code if len(said_codes) else np.zeros(len(code), dtype=bool)
            pro = np.where(hit, said_pro[found] if len(said_codes) else 0, 0)
            con = np.where(hit, said_con[found] if len(said_codes) else 0, 0)
        a, b = ends[:, 0].tolist(), ends[:, 1].tolist()
        records = np.array([sizes.get(x, 1) + sizes.get(y, 1) for x, y in zip(a, b, strict=True)], dtype=np.int64)
        ok = (records <= max_records) & ~forbidden & ~((con >= MIN_VOTES_AGAINST) & (con >= pro))
        for k in np.flatnonzero(ok).tolist():
            va, vb = values.get(a[k]), values.get(b[k])
            if va and vb and not _agree(va, vb):
                ok[k] = False
        keep[lone] = ok
    rest = ~lone
    if rest.any():
        nodes = unique_ints(links[rest])
        if len(cannot_link):
            cannot_link = cannot_link[np.isin(cannot_link, nodes).all(axis=1)]
        if has_votes:
            at = np.isin(votes, nodes).all(axis=1)
            votes, vote = votes[at], vote[at]
        keep[rest] = _greedy_groups(links[rest], cannot_link=cannot_link, values=values, sizes=sizes,
                                    max_records=max_records, votes=votes if has_votes else None,
                                    vote=vote if has_votes else None,
                                    strength=None if strength is None else np.asarray(strength)[rest])
    return keep


def _lone_links(links: np.ndarray) -> np.ndarray:
    """Per row of ``links``: is it the only link of a component of two nodes?"""
    if not len(links):
        return np.zeros(0, dtype=bool)
    nodes, at = np.unique(links, return_inverse=True)
    at = at.reshape(-1, 2)
    component = cluster_roots(len(nodes), at)
    link_component = component[at[:, 0]]
    nodes_in = np.bincount(component, minlength=len(nodes))
    links_in = np.bincount(link_component, minlength=len(nodes))
    return (at[:, 0] != at[:, 1]) & (nodes_in[link_component] == 2) & (links_in[link_component] == 1)


def _greedy_groups(links: np.ndarray, *, cannot_link: np.ndarray, values: dict[int, dict[Hashable, frozenset]],
                   sizes: dict[int, int], max_records: int, votes: np.ndarray | None = None,
                   vote: np.ndarray | None = None, strength: np.ndarray | None = None) -> np.ndarray:
    """:func:`consistent_groups` link by link (any component)."""
    # per group (keyed by its root): records, attribute values, and — only once a group has one — its
    # cannot-link partners and members; most proposals are one link between two clean nodes
    parent: dict[int, int] = {}
    records: dict[int, int] = {}
    attrs: dict[int, dict[Hashable, frozenset]] = {}  # only the attributes with values
    members: dict[int, list[int]] = {}
    forbid: dict[int, set[int]] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = links.tolist()
    for x, y in pairs:
        for z in (x, y):
            if z not in parent:
                parent[z] = z
                records[z] = sizes.get(z, 1)
                attrs[z] = {k: v for k, v in values.get(z, {}).items() if v}
    for x, y in cannot_link.tolist():
        if x in parent and y in parent:
            forbid.setdefault(x, set()).add(y)
            forbid.setdefault(y, set()).add(x)
    # per group with evidence: the other groups it has votes with, as [votes for, votes against]
    tally: dict[int, dict[int, list[int]]] = {}
    if votes is not None and vote is not None and len(votes):
        # one entry per unordered node pair (many record pairs vote on the same), shared by both directions
        said = vote != 0
        ends = np.sort(votes[said], axis=1)
        span = int(ends.max(initial=0)) + 1
        codes, at = np.unique(ends[:, 0] * span + ends[:, 1], return_inverse=True)
        pro = np.bincount(at, weights=vote[said] > 0, minlength=len(codes)).astype(int)
        con = np.bincount(at, weights=vote[said] < 0, minlength=len(codes)).astype(int)
        for code, p, c in zip(codes.tolist(), pro.tolist(), con.tolist(), strict=True):
            x, y = divmod(code, span)
            if x != y and x in parent and y in parent:
                tally.setdefault(x, {})[y] = tally.setdefault(y, {})[x] = [p, c]

    def compatible(a: int, b: int) -> bool:
        if records[a] + records[b] > max_records:
            return False
        fa, fb = forbid.get(a), forbid.get(b)
        if fa and not fa.isdisjoint(members.get(b, (b,))):
            return False
        if fb and not fb.isdisjoint(members.get(a, (a,))):
            return False
        pro, con = tally.get(a, {}).get(b, (0, 0))
        if con >= MIN_VOTES_AGAINST and con >= pro:
            return False
        return _agree(attrs[a], attrs[b])

    def merge_tally(into: int, gone: int) -> None:
        # the evidence of the group ``gone`` now belongs to ``into`` (and so do its partners' votes with it)
        moved = tally.pop(gone, {})
        moved.pop(into, None)
        own = tally.get(into)
        if own is not None:
            own.pop(gone, None)
        for other, (pro, con) in moved.items():
            partner = tally[other]
            del partner[gone]
            t = partner.setdefault(into, [0, 0])
            t[0] += pro
            t[1] += con
            tally.setdefault(into, {})[other] = t

    def balance(x: int, y: int) -> tuple[int, int]:
        # votes for (counted up to MIN_VOTES_AGAINST) minus against; then the smaller larger group
        gx, gy = find(x), find(y)
        if gx == gy:
            return 0, 0
        pro, con = tally.get(gx, {}).get(gy, (0, 0))
        return min(pro, MIN_VOTES_AGAINST) - con, -max(records[gx], records[gy])

    for x, y in _in_order(pairs, strength, balance if tally else None):
        gx, gy = find(x), find(y)
        if gx == gy or not compatible(gx, gy):
            continue
        if records[gx] < records[gy]:
            gx, gy = gy, gx
        parent[gy] = gx
        members[gx] = members.get(gx, [gx]) + members.pop(gy, [gy])
        if gy in forbid:
            forbid.setdefault(gx, set()).update(forbid.pop(gy))
        records[gx] += records.pop(gy)
        if gy in tally or gx in tally:
            merge_tally(gx, gy)
        ax, ay = attrs[gx], attrs.pop(gy)
        if len(ax) < len(ay):  # the two agree where both carry values (compatible): add the fewer to the more
            ax, ay = ay, ax
            attrs[gx] = ax
        ax.update(ay)
    return np.fromiter((find(x) == find(y) for x, y in links.tolist()), dtype=bool, count=len(links))


def _agree(x: dict[Hashable, frozenset], y: dict[Hashable, frozenset]) -> bool:
    """Do ``x`` and ``y`` (attribute -> values) hold the same values for every attribute where both hold some?"""
    if len(x) > len(y):
        x, y = y, x
    for attribute, v in x.items():
        w = y.get(attribute)
        if v and w and v != w:
            return False
    return True


def _in_order(pairs: list[list[int]], strength: np.ndarray | None,
              balance: Callable[[int, int], tuple[int, int]] | None) -> Iterator[list[int]]:
    """The links of ``pairs`` in the order the greedy pass takes them: as given (strongest first), and among
    links of equal ``strength`` the one whose two groups' votes say "same" most, then as given.

    Scores come in steps (one per combination of comparison levels: at 100k tuning organisations 47k
    candidate links share 1.3k scores), so most links tie, and the order given among them is only the
    records' order: a false link taken first traps a record in its namesake's group, whose votes then keep
    the record's own group out. ``balance`` (a link's two nodes -> a key, larger first) is read when the
    link's turn comes, since a join before it can change it (a heap with lazy updates: a link whose key
    fell since it was queued goes back in line at its new place)."""
    if strength is None or balance is None or len(pairs) < 2:
        yield from pairs
        return
    strength = np.asarray(strength)
    starts = np.flatnonzero(np.r_[True, strength[1:] != strength[:-1]]).tolist() + [len(pairs)]
    for start, end in itertools.pairwise(starts):
        if end - start == 1:
            yield pairs[start]
            continue
        heap = [(_negated(balance(*pairs[k])), k) for k in range(start, end)]
        heapq.heapify(heap)
        while heap:
            queued, k = heapq.heappop(heap)
            now = _negated(balance(*pairs[k]))
            if now > queued:
                heapq.heappush(heap, (now, k))
                continue
            yield pairs[k]


def _negated(key: tuple[int, int]) -> tuple[int, int]:
    return -key[0], -key[1]
