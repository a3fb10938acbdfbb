from datetime import timedelta

import psycopg
import pytest
from health_support import NOW

from crmhub.cli import main
from crmhub.health import incidents
from crmhub.health.score import integration_health


class TestOpenIncident:
    def test_dedupes_one_open_per_connector_and_trigger(self, db, imap):
        with psycopg.connect(db) as conn:
            first = incidents.open_incident(conn, "crm_contacts", "error_rate", {"error_rate_pct": 0.8}, imap=imap, now=NOW)
            again = incidents.open_incident(conn, "crm_contacts", "error_rate", {"error_rate_pct": 1.2}, imap=imap,
                                            now=NOW + timedelta(minutes=5), severity="critical")
            other = incidents.open_incident(conn, "crm_contacts", "lag", {"sync_lag_min": 30}, imap=imap, now=NOW)
            rows = conn.execute('SELECT incident_id, occurrences, "values", severity, last_seen_at, owner, runbook_url '
                                "FROM ops.incidents ORDER BY incident_id").fetchall()
        assert first.is_new and not again.is_new and other.is_new
        assert again.incident_id == first.incident_id and again.occurrences == 2
        assert len(rows) == 2
        iid, occ, values, severity, last_seen, owner, runbook = rows[0]
        assert occ == 2 and values == {"error_rate_pct": 1.2} and severity == "critical"
        assert last_seen == NOW + timedelta(minutes=5)
        assert owner == "marcus.lee"
        assert runbook == "docs/runbooks/error_rate.md"

    def test_partial_unique_index_refuses_second_open_row(self, db, imap):
        with psycopg.connect(db) as conn:
            incidents.open_incident(conn, "cdp_events", "lag", {}, imap=imap)
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute("INSERT INTO ops.incidents (connector, trigger, owner, runbook_url) "
                             "VALUES ('cdp_events', 'lag', 'omar.haddad', 'x')")

    def test_unknown_trigger_and_subject(self, db, imap):
        with psycopg.connect(db) as conn:
            with pytest.raises(ValueError, match="valid: error_rate"):
                incidents.open_incident(conn, "crm_contacts", "vibes", {}, imap=imap)
            with pytest.raises(ValueError, match="not a connector, system or SLA"):
                incidents.open_incident(conn, "nope", "lag", {}, imap=imap)
            # a system or SLA works for incidents not tied to a connector (e.g. reconciliation)
            inc = incidents.open_incident(conn, "billing_to_crm", "reconciliation", {"mismatches": 7}, imap=imap,
                                          proof_hint="recon report")
        assert inc.owner == "dana.kim" and inc.proof_hint == "recon report"

    def test_resolve_requires_proof_then_new_incident_after_resolve(self, db, imap):
        with psycopg.connect(db) as conn:
            inc = incidents.open_incident(conn, "billing_invoices", "health", {"score": 60}, imap=imap,
                                          now=NOW - timedelta(hours=2))
            for proof in (None, "", "   "):
                with pytest.raises(incidents.IncidentError, match="proof artifact is required"):
                    incidents.resolve(conn, inc.incident_id, proof, "dana.kim")
            # the table refuses it too
            with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
                conn.execute("UPDATE ops.incidents SET resolved_at = now(), resolved_by = 'x' WHERE incident_id = %s",
                             (inc.incident_id,))
            acked = incidents.acknowledge(conn, inc.incident_id, "dana.kim", now=NOW - timedelta(hours=1))
            assert acked["acknowledged_by"] == "dana.kim"
            row = incidents.resolve(conn, inc.incident_id, "https://git.example/pr/42", "dana.kim", now=NOW)
            assert row["proof"] == "https://git.example/pr/42" and row["resolved_at"] == NOW
            with pytest.raises(incidents.IncidentError, match="already resolved"):
                incidents.resolve(conn, inc.incident_id, "x", "dana.kim")
            again = incidents.open_incident(conn, "billing_invoices", "health", {"score": 65}, imap=imap)
            assert again.is_new and again.incident_id != inc.incident_id
            with pytest.raises(incidents.IncidentError, match="no incident 999"):
                incidents.acknowledge(conn, 999, "x")

    def test_mttr_per_owner_and_overall(self, db, imap):
        with psycopg.connect(db) as conn:
            a = incidents.open_incident(conn, "crm_contacts", "lag", {}, imap=imap, now=NOW - timedelta(hours=2))
            b = incidents.open_incident(conn, "crm_companies", "lag", {}, imap=imap, now=NOW - timedelta(hours=8))
            c = incidents.open_incident(conn, "cdp_events", "lag", {}, imap=imap, now=NOW - timedelta(hours=3))
            incidents.open_incident(conn, "billing_invoices", "lag", {}, imap=imap)  # still open: not counted
            for inc in (a, b, c):
                incidents.resolve(conn, inc.incident_id, "chart.png", "someone", now=NOW)
            m = incidents.mttr(conn)
        assert m["resolved"] == 3 and m["overall_h"] == pytest.approx(13 / 3, abs=1e-3)
        assert m["met"] is True
        assert m["per_owner"]["marcus.lee"] == {"mttr_h": 5.0, "close_h": 5.0, "resolved": 2, "met": True}
        assert m["per_owner"]["omar.haddad"]["mttr_h"] == 3.0

    def test_mttr_is_time_to_fix_and_time_to_close_is_beside_it(self, db, imap):
        """The map's "Alert MTTR (time to fix)": an incident opened at 22:00 whose trigger stopped firing at
        23:00 was fixed in 1 h, although the on-call owner closed it with proof at 08:00 (10 h)."""
        opened = NOW - timedelta(hours=10)
        with psycopg.connect(db) as conn:
            inc = incidents.open_incident(conn, "crm_contacts", "lag", {}, imap=imap, now=opened)
            incidents.mark_recovered(conn, "crm_contacts", "lag", now=opened + timedelta(hours=1))
            incidents.resolve(conn, inc.incident_id, "chart.png", "marcus.lee", now=NOW)
            # fired again after a recovery: the recovery is cleared, the fix is the later one
            again = incidents.open_incident(conn, "crm_companies", "lag", {}, imap=imap, now=opened)
            incidents.mark_recovered(conn, "crm_companies", "lag", now=opened + timedelta(hours=1))
            incidents.open_incident(conn, "crm_companies", "lag", {}, imap=imap, now=opened + timedelta(hours=2))
            incidents.mark_recovered(conn, "crm_companies", "lag", now=opened + timedelta(hours=4))
            incidents.resolve(conn, again.incident_id, "chart.png", "marcus.lee", now=NOW)
            m = incidents.mttr(conn)
            row = incidents.get_incident(conn, inc.incident_id)
        assert row["resolved_by"] == "marcus.lee" and row["proof"] == "chart.png"  # a person still closes it
        assert m["overall_h"] == pytest.approx(2.5) and m["close_h"] == pytest.approx(10.0)
        assert m["met"] is True

    def test_recovered_mark_keeps_incident_open(self, db, imap):
        with psycopg.connect(db) as conn:
            inc = incidents.open_incident(conn, "crm_contacts", "lag", {}, imap=imap)
            assert incidents.mark_recovered(conn, "crm_contacts", "lag") == 1
            assert incidents.mark_recovered(conn, "crm_contacts", "lag") == 0
            row = incidents.get_incident(conn, inc.incident_id)
            assert row["recovered_at"] is not None and row["resolved_at"] is None
            incidents.open_incident(conn, "crm_contacts", "lag", {}, imap=imap)  # fires again: recovery cleared
            assert incidents.get_incident(conn, inc.incident_id)["recovered_at"] is None


class TestDetectAndFreeze:
    def test_detect_triggers(self):
        assert incidents.detect(integration_health(0, 0, 2.5, 0, 20)) == []
        fired = incidents.detect(integration_health(0.6, 2.0, 2.5, 12, 20))
        assert [(t, s) for t, s, _ in fired] == [("error_rate", "critical"), ("health", "critical")]
        fired = incidents.detect(integration_health(0, 0, 2.5, 25, 40))  # lag 25 < 40, score 84.4
        assert [(t, s) for t, s, _ in fired] == [("health", "warning")]
        fired = incidents.detect(integration_health(0.2, 0, 2.5, 22, 20))  # lag over target
        assert ("lag", "critical") in [(t, s) for t, s, _ in fired]

    def test_freeze_and_release(self, db):
        with psycopg.connect(db) as conn:
            assert incidents.freeze_connector(conn, "crm_contacts", "health 35") is True
            assert incidents.freeze_connector(conn, "crm_contacts", "again") is False
            assert incidents.is_frozen(conn, "crm_contacts")
            assert conn.execute("SELECT reason FROM ops.connector_state").fetchone()[0] == "health 35"
            assert incidents.release_connector(conn, "crm_contacts", by="marcus.lee")
            assert not incidents.is_frozen(conn, "crm_contacts")

    def test_parked_events_referenced_in_breach_incidents(self, db, imap):
        with psycopg.connect(db) as conn:
            assert incidents.parked_events_count(conn, "cdp_events") == 0
            conn.execute("""INSERT INTO ops.parked_events (connector, load_id, origin, diff) VALUES
                            ('cdp_events', 'l1', 'a.csv', '{}'), ('cdp_events', 'l2', 'b.csv', '{}'),
                            ('crm_contacts', 'l3', 'api', '{}')""")
            inc = incidents.open_incident(conn, "cdp_events", "contract_breach", {"field": "event_type"}, imap=imap)
            assert inc.values["parked_events"] == 2
            # releasing the connector releases its parked batches
            incidents.freeze_connector(conn, "cdp_events", "schema drift")
            assert incidents.release_connector(conn, "cdp_events", by="omar.haddad")
            assert incidents.parked_events_count(conn, "cdp_events") == 0
            events = conn.execute("SELECT event, actor FROM ops.connector_events WHERE connector = 'cdp_events' "
                                  "ORDER BY id").fetchall()
            assert events == [("freeze", "crmhub-health"), ("unfreeze", "omar.haddad")]


def test_cli_list_ack_resolve(db, imap, capsys):
    with psycopg.connect(db) as conn:
        inc = incidents.open_incident(conn, "crm_contacts", "lag", {"sync_lag_min": 45}, imap=imap)
        conn.commit()
    assert main(["incidents", "list", "--url", db]) == 0
    out = capsys.readouterr().out
    assert f"{inc.incident_id:>5} open" in out and "marcus.lee" in out and "docs/runbooks/lag.md" in out
    assert main(["incidents", "ack", str(inc.incident_id), "--by", "marcus.lee", "--url", db]) == 0
    assert main(["incidents", "resolve", str(inc.incident_id), "--by", "marcus.lee", "--url", db]) == 1
    assert "proof artifact is required" in capsys.readouterr().err
    assert main(["incidents", "resolve", str(inc.incident_id), "--proof", "reports/lag.png", "--by", "marcus.lee",
                 "--url", db]) == 0
    assert "proof: reports/lag.png" in capsys.readouterr().out
    assert main(["incidents", "list", "--url", db]) == 0
    assert "no open incidents" in capsys.readouterr().out
    assert main(["incidents", "mttr", "--url", db]) == 0
    assert "overall MTTR" in capsys.readouterr().out


def test_mttr_with_nothing_resolved(db):
    with psycopg.connect(db) as conn:
        assert incidents.mttr(conn) == {"overall_h": None, "close_h": None, "resolved": 0, "target_h": 6.0,
                                        "met": None, "per_owner": {}}
