"""The development organisation set (benchmarks/dev_orgs.py): deterministic, complete, with the traps it promises."""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
import pytest

from crmhub.settings import REPO_ROOT


def _load(name: str, path: str):
    if name not in sys.modules:  # dataclasses look their module up in sys.modules
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


dev_orgs = _load("dev_orgs_under_test", "benchmarks/dev_orgs.py")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return dev_orgs.generate(3000, 11)


def test_same_seed_same_records_other_seed_other_records():
    pd.testing.assert_frame_equal(dev_orgs.generate(400, 5), dev_orgs.generate(400, 5))
    assert not dev_orgs.generate(400, 5)["name"].equals(dev_orgs.generate(400, 6)["name"])


def test_columns_size_and_ground_truth(frame):
    assert list(frame.columns) == ["record_id", "source_system", "name", "domain", "tax_id", "city", "country",
                                   "entity", "family", "role"]
    assert 2400 <= len(frame) <= 3600
    assert frame["record_id"].is_unique
    assert frame[["entity", "family", "role"]].notna().all().all()
    assert (frame.groupby("entity")["family"].nunique() == 1).all()  # an entity lies inside one family
    assert frame["domain"].isna().any() and frame["tax_id"].isna().any()


def test_plants_multi_record_entities_with_singletons(frame):
    sizes = frame["entity"].value_counts()
    assert sizes.max() <= 5
    assert 0.25 <= (sizes == 1).mean() <= 0.55  # a realistic share of singletons
    multi = frame[frame["entity"].isin(sizes[sizes > 1].index)]
    differing = multi.groupby("entity")["name"].nunique() > 1
    assert differing.mean() > 0.7  # duplicates are written differently, not copied


def test_plants_hard_negatives_per_family(frame):
    per_family = frame.groupby("family")["entity"].nunique()
    assert (per_family > 1).sum() >= 0.3 * len(per_family)
    roles = set(frame["role"])
    assert {"fund", "vehicle", "manager", "namesake"} <= roles
    # a fund and its parallel/offshore vehicle of the same number sit in one family as different entities
    fam_roles = frame.groupby("family")["role"].agg(set)
    assert fam_roles.map(lambda r: {"fund", "vehicle"} <= r).sum() >= 10
    assert frame.groupby("family")["entity"].nunique().max() >= 5  # numbered funds of one manager


def test_is_a_development_set_not_held_out():
    bench = _load("bench_identity_under_test", "benchmarks/bench_identity.py")
    assert bench.GENERATORS["dev_orgs"][0] == "org"
    assert "dev_orgs" not in bench.HELD_OUT
