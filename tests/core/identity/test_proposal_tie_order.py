"""Links of equal strength are taken in the order of their groups' votes, not the records' order: a record
whose equally scored links reach its namesake's group and its own ends in its own, however the records
are numbered, and every guarantee of :func:`crmhub.identity.clusters.consistent_groups` still holds."""

from __future__ import annotations

import numpy as np
import pytest

from crmhub.identity.clusters import MIN_VOTES_AGAINST, consistent_groups

NONE = np.zeros((0, 2), dtype=int)


def groups(links, votes, vote, strength, **kw) -> list[bool]:
    args = {"cannot_link": NONE, "values": {}, "sizes": {}, "max_records": 10, **kw}
    return consistent_groups(np.array(links), votes=np.array(votes).reshape(-1, 2), vote=np.array(vote),
                             strength=None if strength is None else np.array(strength), **args).tolist()


# Two namesake funds ("Bear South Growth Equity Fund III": nodes 10, 11; "Cedar South ...": 20, 21) and a
# third Cedar record (30) whose links to 10, 20 and 21 score the same; 10-30 comes first in the records'
# order. Every 30 pair says "same" (11-30 is undecided); the Bear and Cedar records say "different".
LINKS = [[10, 11], [20, 21], [10, 30], [20, 30], [21, 30]]
STRENGTH = [0.99, 0.99, 0.95, 0.95, 0.95]
VOTES = [[10, 11], [20, 21], [10, 30], [20, 30], [21, 30], [11, 30], [10, 20], [11, 21], [11, 20]]
VOTE = [1, 1, 1, 1, 1, 0, -1, -1, -1]


def test_a_record_with_equally_scored_links_joins_the_group_its_votes_favour() -> None:
    # taken in the records' order, 30 joins Bear and the Bear records' votes keep Cedar out
    assert groups(LINKS, VOTES, VOTE, None) == [True, True, True, False, False]
    # among the ties, 30's link to Cedar (two votes for) goes before its link to Bear (one)
    assert groups(LINKS, VOTES, VOTE, STRENGTH) == [True, True, False, True, True]


def test_strength_still_orders_links_before_votes_do() -> None:
    # 10-30 scores higher than 30's links to Cedar: it is taken first whatever the votes
    assert groups(LINKS, VOTES, VOTE, [0.99, 0.99, 0.97, 0.95, 0.95]) == [True, True, True, False, False]


def test_a_join_before_a_tied_link_changes_its_place() -> None:
    # 1-2 and 3-4 tie with 2-3; once 1 and 2 are one group (first: two votes for), their votes against 3
    # put 2-3 behind 3-4, so 3 joins 4 and 2-3 stays out; in the records' order 2 joins 3 and 1 stays out
    links = [[2, 3], [1, 2], [3, 4]]
    votes = [[1, 2], [1, 2], [2, 3], [1, 3], [1, 3], [3, 4]]
    vote = [1, 1, 1, -1, -1, 1]
    assert groups(links, votes, vote, None) == [True, False, True]
    assert groups(links, votes, vote, [0.9, 0.9, 0.9]) == [False, True, True]


def test_equal_votes_favour_the_smaller_group() -> None:
    # 5 has one "same" vote with the three records of node 1 and one with node 3's single record (1 and 3
    # may not meet): it joins 3
    links = [[1, 2], [1, 5], [3, 5]]
    votes = [[1, 2], [1, 5], [3, 5]]
    apart = {"sizes": {1: 3}, "cannot_link": np.array([[1, 3]])}
    assert groups(links, votes, [1, 1, 1], None, **apart) == [True, True, False]
    assert groups(links, votes, [1, 1, 1], [0.99, 0.9, 0.9], **apart) == [True, False, True]


def test_votes_for_count_up_to_the_votes_against_rule() -> None:
    # three votes for with a group of seven records is no better than two with a single record
    links = [[1, 5], [3, 5]]
    votes = [[1, 5]] * 3 + [[3, 5]] * MIN_VOTES_AGAINST
    vote = [1] * (3 + MIN_VOTES_AGAINST)
    apart = {"sizes": {1: 7}, "cannot_link": np.array([[1, 3]])}
    assert groups(links, votes, vote, None, **apart) == [True, False]
    assert groups(links, votes, vote, [0.9, 0.9], **apart) == [False, True]


@pytest.mark.parametrize("seed", range(40))
def test_tie_order_keeps_every_guarantee(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 30))
    links = rng.integers(0, n, size=(int(rng.integers(2, 3 * n)), 2))
    strength = np.sort(rng.choice([0.76, 0.8, 0.95, 0.99], size=len(links)))[::-1]
    cannot = rng.integers(0, n, size=(int(rng.integers(0, n)), 2))
    marks = [frozenset(), frozenset({"I"}), frozenset({"II"})]
    values = {i: {"marks": marks[rng.integers(0, 3)]} for i in range(n) if rng.random() < 0.4}
    sizes = {i: int(rng.integers(1, 4)) for i in range(n) if rng.random() < 0.5}
    votes = rng.integers(0, n, size=(int(rng.integers(0, 5 * n)), 2))
    vote = rng.integers(-1, 2, size=len(votes)).astype(np.int8)
    args = {"cannot_link": cannot, "values": values, "sizes": sizes, "max_records": 6, "votes": votes, "vote": vote}
    keep = consistent_groups(links, **args, strength=strength)
    again = consistent_groups(links, **args, strength=strength)
    assert (keep == again).all()  # deterministic
    # the groups: components of the kept links
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for (x, y), k in zip(links.tolist(), keep.tolist(), strict=True):
        if k:
            parent[find(x)] = find(y)
    members: dict[int, list[int]] = {}
    for x in set(links.ravel().tolist()):
        members.setdefault(find(x), []).append(x)
    for group in members.values():
        inside = set(group)
        assert sum(sizes.get(x, 1) for x in group) <= 6
        assert not any(a in inside and b in inside and a != b for a, b in cannot.tolist())
        seen = [v for v in (values.get(x, {}).get("marks") for x in group) if v]
        assert len(set(seen)) <= 1
    # a kept link means its two nodes are in one group, a left-out one that they are not
    assert [find(x) == find(y) for x, y in links.tolist()] == keep.tolist()
    # with no ties, the order is the given one
    distinct = np.arange(len(links), 0, -1) / len(links)
    assert (consistent_groups(links, **args, strength=distinct) == consistent_groups(links, **args)).all()
