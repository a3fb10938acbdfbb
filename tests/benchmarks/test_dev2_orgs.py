"""The second independent development organisation set: shape, determinism and sane ground truth."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.dev2_orgs import COLUMNS, generate  # noqa: E402


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(4000, 42)


def test_columns_ids_and_size(frame):
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 4000
    assert frame["record_id"].is_unique
    assert frame["record_id"].str.fullmatch(r"dv2-\d{7}").all()
    assert set(frame["role"]) <= {"fund", "manager", "gp", "lp", "portco", "advisor", "custodian"}
    assert frame["source_system"].nunique() >= 6


def test_deterministic_per_seed():
    a, b, c = generate(1500, 7), generate(1500, 7), generate(1500, 8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["name"].equals(c["name"])


def test_small_sizes():
    assert len(generate(0, 1)) == 0
    assert list(generate(0, 1).columns) == COLUMNS
    assert len(generate(10, 1)) == 10


def test_entities_lie_in_one_family_with_one_role(frame):
    assert (frame.groupby("entity")["family"].nunique() == 1).all()
    assert (frame.groupby("entity")["role"].nunique() == 1).all()


def test_records_per_entity_mostly_singletons_some_up_to_six(frame):
    sizes = frame["entity"].value_counts()
    share_single = (sizes == 1).mean()
    assert 0.35 < share_single < 0.75
    assert sizes.max() <= 6
    assert (sizes >= 3).sum() > 100


def test_hard_negatives_exist_of_several_kinds(frame):
    ents = frame.drop_duplicates("entity")
    per_family = ents.groupby("family")["entity"].nunique()
    assert (per_family > 1).sum() > 50
    roles_in_multi = ents[ents["family"].isin(per_family[per_family > 1].index)]["role"]
    assert {"fund", "gp", "manager", "lp", "portco"} <= set(roles_in_multi)
    # a manager's family holds several funds that differ from one another
    fam = ents[ents["role"] == "fund"].groupby("family")["entity"].nunique().idxmax()
    assert ents[(ents["family"] == fam) & (ents["role"] == "fund")]["entity"].nunique() >= 3


def test_variation_classes_present(frame):
    names = frame["name"].fillna("")
    assert names.str.contains(r"\bf/k/a\b|\(formerly ", case=False).any()
    assert names.str.contains(r"\bFBO\b|f/b/o|for the benefit of", case=False).any()
    assert names.str.contains(r"Ã", regex=False).any()  # mojibake
    assert names.str.contains(r"\t").any()
    assert names.str.contains(r"SCSp|S\.C\.Sp\.", case=False).any()
    assert frame["domain"].fillna("").str.startswith(("http://", "https://")).any()
    assert frame["tax_id"].isin(["N/A", "n/a", "TBD", "-"]).any() or frame["domain"].isin(["N/A", "n/a"]).any()


def test_custody_wrapped_records_belong_to_the_lp(frame):
    fbo = frame[frame["name"].fillna("").str.contains(r"\bFBO\b|f/b/o", case=False)]
    assert len(fbo) > 0
    assert set(fbo["role"]) == {"lp"}
