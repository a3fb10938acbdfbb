"""Union-find (disjoint sets) used to form clusters from accepted links only."""

from __future__ import annotations

import numpy as np


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


def consistent_groups(links: np.ndarray, *, cannot_link: np.ndarray, values: dict[int, tuple[frozenset, ...]],
                      sizes: dict[int, int], max_records: int, votes: np.ndarray | None = None,
                      vote: np.ndarray | None = None) -> np.ndarray:
    """Group nodes along ``links`` (strongest first) without ever putting two inconsistent nodes together.

    Greedy agglomeration over the rows of ``links`` (node pairs, in the order given): two groups join
    only if (1) no row of ``cannot_link`` has one node in each, (2) for every attribute of ``values``
    (per node, one frozenset of non-empty values per attribute, e.g. vehicle marks and tax ids) the two
    groups do not both carry values that differ, (3) together they hold at most ``max_records``
    records (``sizes``: records per node), and (4) the evidence between them does not speak against it:
    ``votes`` (node pairs, one row per scored record pair) with ``vote`` (+1: the pair says "same", -1:
    "different", 0: undecided) — the rows between the two groups must not hold MIN_VOTES_AGAINST or more
    -1 votes unless the +1 votes outnumber them (average-linkage style: the groups join on the balance of
    their compared records, not through a single strong link). A link whose groups cannot join is left
    out, so a chain A~B~C where A and C are different entities becomes {A, B} + {C} (whichever link is
    stronger wins), never one group.

    Returns a boolean per row of ``links``: True when its two nodes ended in the same group.
    """
    # per group (keyed by its root): records, attribute values, and — only once a group has one — its
    # cannot-link partners and members; most proposals are one link between two clean nodes
    parent: dict[int, int] = {}
    records: dict[int, int] = {}
    attrs: dict[int, tuple[frozenset, ...]] = {}
    members: dict[int, list[int]] = {}
    forbid: dict[int, set[int]] = {}
    empty: tuple = ()

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
                attrs[z] = values.get(z, empty)
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
        return all(not va or not vb or va == vb for va, vb in zip(attrs[a], attrs[b], strict=False))

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

    for x, y in pairs:
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
        ay = attrs.pop(gy)
        if ay:
            ax = attrs[gx]
            attrs[gx] = tuple(va or vb for va, vb in zip(ax, ay, strict=False)) if ax else ay
    return np.fromiter((find(x) == find(y) for x, y in links.tolist()), dtype=bool, count=len(links))
