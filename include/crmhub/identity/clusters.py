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
    """Root index per record after uniting every ``(i, j)`` row of ``links``; the root is arbitrary."""
    uf = UnionFind(n)
    for a, b in links.tolist():
        uf.union(a, b)
    return uf.roots()


def consistent_groups(links: np.ndarray, *, cannot_link: np.ndarray, values: dict[int, tuple[frozenset, ...]],
                      sizes: dict[int, int], max_records: int) -> np.ndarray:
    """Group nodes along ``links`` (strongest first) without ever putting two inconsistent nodes together.

    Greedy agglomeration over the rows of ``links`` (node pairs, in the order given): two groups join
    only if (1) no row of ``cannot_link`` has one node in each, (2) for every attribute of ``values``
    (per node, one frozenset of non-empty values per attribute, e.g. vehicle marks and tax ids) the two
    groups do not both carry values that differ, and (3) together they hold at most ``max_records``
    records (``sizes``: records per node). A link whose groups cannot join is left out, so a chain
    A~B~C where A and C are different entities becomes {A, B} + {C} (whichever link is stronger wins),
    never one group.

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

    def compatible(a: int, b: int) -> bool:
        if records[a] + records[b] > max_records:
            return False
        fa, fb = forbid.get(a), forbid.get(b)
        if fa and not fa.isdisjoint(members.get(b, (b,))):
            return False
        if fb and not fb.isdisjoint(members.get(a, (a,))):
            return False
        return all(not va or not vb or va == vb for va, vb in zip(attrs[a], attrs[b], strict=False))

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
        ay = attrs.pop(gy)
        if ay:
            ax = attrs[gx]
            attrs[gx] = tuple(va or vb for va, vb in zip(ax, ay, strict=False)) if ax else ay
    return np.fromiter((find(x) == find(y) for x, y in links.tolist()), dtype=bool, count=len(links))
