"""Critical fields frozen at the accept stage: deltas recorded, amendments applied and audited, rejections kept."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from reconcile_support import write_csv

from crmhub.cli import main
from crmhub.config.integration_map import FieldContract
from crmhub.ingest.loader import ingest_file
from crmhub.reconcile import amend as am
from crmhub.reconcile.amend import AmendmentError

HEADER = "external_id,first_name,last_name,email,company,amount,stage,updated_at\n"


@pytest.fixture(scope="module")
def staged_fa(fundadmin):
    """The fund-admin contract plus a commitment stage column (the admin's own pipeline status)."""
    stage = FieldContract.from_dict({"name": "stage", "type": "enum", "null_handling": "allow", "owner": "priya.shah",
                                     "allowed": ["prospect", "soft_circle", "accepted", "closed"],
                                     "target": "commitment.stage"})
    return dataclasses.replace(fundadmin, name="fundadmin_staged", fields=(*fundadmin.fields, stage))


def _load(db, connector, tmp_path, name, *rows):
    lines = [f"{ext},Ann,{last},a{ext}@lp.com,Harbor Capital LP,{amount},{stage},{ts}\n"
             for ext, last, amount, stage, ts in rows]
    summary = ingest_file(db, connector, write_csv(tmp_path, name, HEADER, lines))
    assert summary.status == "loaded", summary
    return summary


def _commitment(db, ext="FA-1"):
    with psycopg.connect(db) as conn:
        return conn.execute(
            """SELECT t.crmhub_id::text, t.amount::text, t.stage, t.accepted_at, k.last_name
                 FROM core.external_id x JOIN core.commitment t ON t.crmhub_id = x.crmhub_id
                 JOIN core.contact k ON k.crmhub_id = t.contact_id
                WHERE x.object = 'lp_contact.commitment' AND x.external_id = %s""", (ext,)).fetchone()


def _amount_log(db, crmhub_id):
    with psycopg.connect(db) as conn:
        return conn.execute(
            """SELECT old_value, new_value, actor, connector FROM core.change_log
                WHERE core_table = 'commitment' AND crmhub_id = %s AND field = 'amount' ORDER BY change_id""",
            (crmhub_id,)).fetchall()


def _accepted(db, staged_fa, tmp_path):
    _load(db, staged_fa, tmp_path, "a.csv", ("FA-1", "Lee", "1000000.00", "soft_circle", "2026-10-01T10:00:00Z"),
          ("FA-2", "Kim", "500000.00", "soft_circle", "2026-10-01T10:00:00Z"))
    # still open: an amount change applies
    _load(db, staged_fa, tmp_path, "b.csv", ("FA-1", "Lee", "1100000.00", "soft_circle", "2026-10-02T10:00:00Z"))
    assert _commitment(db)[1] == "1100000.00"
    _load(db, staged_fa, tmp_path, "c.csv", ("FA-1", "Lee", "1200000.00", "accepted", "2026-10-03T10:00:00Z"))
    cid, amount, stage, accepted_at, _ = _commitment(db)
    assert (amount, stage) == ("1200000.00", "accepted")  # accepted with this amount in the same load
    assert accepted_at.isoformat() == "2026-10-03T10:00:00+00:00"
    return cid


def test_frozen_amount_change_is_a_delta_not_applied(db, staged_fa, tmp_path):
    cid = _accepted(db, staged_fa, tmp_path)
    _load(db, staged_fa, tmp_path, "d.csv", ("FA-1", "Lee-Smith", "1300000.00", "accepted", "2026-10-04T10:00:00Z"),
          ("FA-2", "Kim", "600000.00", "soft_circle", "2026-10-04T10:00:00Z"))
    _, amount, _, accepted_at, last_name = _commitment(db)
    assert amount == "1200000.00"                      # frozen
    assert last_name == "Lee-Smith"                    # the rest of the row still updates
    assert accepted_at.isoformat() == "2026-10-03T10:00:00+00:00"  # first acceptance kept
    assert _commitment(db, "FA-2")[1] == "600000.00"   # not accepted: applied
    with psycopg.connect(db) as conn:
        deltas = am.list_deltas(conn)
    assert [(d["crmhub_id"].__str__(), d["field"], d["old_value"], d["new_value"], d["status"], d["actor"])
            for d in deltas] == [(cid, "amount", "1200000.00", "1300000.00", "pending", "fundadmin_staged")]
    assert deltas[0]["source"] == "fund_admin:fundadmin_staged" and "frozen at stage accepted" in deltas[0]["reason"]
    assert ("1200000.00", "1300000.00") not in [(o, n) for o, n, _, _ in _amount_log(db, cid)]
    # the same change again does not pile up a second pending delta
    _load(db, staged_fa, tmp_path, "e.csv", ("FA-1", "Lee-Smith", "1300000.00", "accepted", "2026-10-05T10:00:00Z"))
    with psycopg.connect(db) as conn:
        assert len(am.list_deltas(conn, status=None)) == 1


def test_approved_amendment_applies_and_is_audited(db, staged_fa, tmp_path, capsys):
    cid = _accepted(db, staged_fa, tmp_path)
    _load(db, staged_fa, tmp_path, "d.csv", ("FA-1", "Lee", "1300000.00", "accepted", "2026-10-04T10:00:00Z"))
    with psycopg.connect(db) as conn:
        delta_id = am.list_deltas(conn)[0]["delta_id"]
    assert main(["amend", "--table", "commitment", "--id", cid, "--field", "amount", "--value", "1300000",
                 "--by", "priya.shah", "--reason", "side letter signed 2026-10-04", "--url", db]) == 0
    assert f"delta {delta_id} approved" in capsys.readouterr().out
    assert _commitment(db)[1] == "1300000.00"
    assert _amount_log(db, cid)[-1] == ("1200000.00", "1300000.00", "priya.shah", "amendment")
    with psycopg.connect(db) as conn:
        d = am.get_delta(conn, delta_id)
        assert (d["status"], d["decided_by"], d["decision_note"]) == ("approved", "priya.shah",
                                                                       "side letter signed 2026-10-04")
        # an amendment without a matching pending delta is its own approved, audited row
        row = am.amend(conn, "commitment", cid, "amount", "1250000.50", by="dana.kim", reason="fx correction")
        conn.commit()
        assert (row["source"], row["status"], row["old_value"], row["new_value"]) == (
            "amendment", "approved", "1300000.00", "1250000.50")
        with pytest.raises(AmendmentError, match="reason"):
            am.amend(conn, "commitment", cid, "amount", "1", by="dana.kim", reason="")
        with pytest.raises(AmendmentError, match="not a frozen critical field"):
            am.amend(conn, "commitment", cid, "stage", "1", by="dana.kim", reason="x")
    assert _commitment(db)[1] == "1250000.50"
    assert main(["amend", "list", "--all", "--url", db]) == 0
    listing = capsys.readouterr().out
    assert listing.count("approved") == 2


def test_rejected_delta_stays_unapplied(db, staged_fa, tmp_path, capsys):
    cid = _accepted(db, staged_fa, tmp_path)
    _load(db, staged_fa, tmp_path, "d.csv", ("FA-1", "Lee", "9999999.00", "accepted", "2026-10-04T10:00:00Z"))
    with psycopg.connect(db) as conn:
        delta_id = am.list_deltas(conn)[0]["delta_id"]
    assert main(["amend", "reject", str(delta_id), "--by", "priya.shah", "--reason", "typo at the admin",
                 "--url", db]) == 0
    assert f"delta {delta_id} rejected" in capsys.readouterr().out
    assert _commitment(db)[1] == "1200000.00"
    assert all(n != "9999999.00" for _, n, _, _ in _amount_log(db, cid))
    assert main(["amend", "reject", str(delta_id), "--by", "priya.shah", "--url", db]) == 1  # already decided
    with psycopg.connect(db) as conn:
        d = am.get_delta(conn, delta_id)
    assert (d["status"], d["decided_by"], d["new_value"]) == ("rejected", "priya.shah", "9999999.00")
    # a later load with yet another amount is a new pending delta; the rejected one stays in the trail
    _load(db, staged_fa, tmp_path, "e.csv", ("FA-1", "Lee", "1250000.00", "accepted", "2026-10-05T10:00:00Z"))
    with psycopg.connect(db) as conn:
        assert [(x["new_value"], x["status"]) for x in am.list_deltas(conn, status=None)] == [
            ("9999999.00", "rejected"), ("1250000.00", "pending")]
    assert _commitment(db)[1] == "1200000.00"


def test_deal_amount_frozen_too(db, fundadmin, tmp_path):
    """Deals freeze at the accept stage like commitments (a CRM deals export mapped to core.deal)."""
    fields = [
        {"name": "id", "type": "string", "null_handling": "quarantine", "owner": "marcus.lee", "target": "external_id"},
        {"name": "dealname", "type": "string", "null_handling": "quarantine", "owner": "marcus.lee",
         "target": "deal.name"},
        {"name": "dealstage", "type": "string", "null_handling": "allow", "owner": "marcus.lee", "target": "deal.stage"},
        {"name": "amount", "type": "money", "null_handling": "allow", "owner": "marcus.lee", "target": "deal.amount"},
        {"name": "updated", "type": "datetime", "null_handling": "quarantine", "owner": "marcus.lee"},
    ]
    deals = dataclasses.replace(
        fundadmin, name="crm_deals_test", system="crm", object="deal", owner="marcus.lee", primary_key="id",
        timestamp_source="updated", targets=("deal",), fields=tuple(FieldContract.from_dict(f) for f in fields))
    header = "id,dealname,dealstage,amount,updated\n"
    ingest_file(db, deals, write_csv(tmp_path, "d1.csv", header, ["D1,Fund IV,accepted,2000000,2026-10-01T00:00:00Z\n"]))
    ingest_file(db, deals, write_csv(tmp_path, "d2.csv", header, ["D1,Fund IV B,accepted,2500000,2026-10-02T00:00:00Z\n"]))
    with psycopg.connect(db) as conn:
        deal = conn.execute("SELECT crmhub_id, name, amount::text, accepted_at IS NOT NULL FROM core.deal").fetchone()
        deltas = am.list_deltas(conn, table="deal")
    assert deal[1:] == ("Fund IV B", "2000000.00", True)
    assert [(d["crmhub_id"], d["old_value"], d["new_value"]) for d in deltas] == [(deal[0], "2000000.00", "2500000.00")]
