"""A small, deterministic operations state for console tests and screenshots.

Written through the core's own functions where one exists (health snapshots, incidents, freezes, pauses); rows
no core function writes without running a whole pipeline (a parked drift batch, a review pair, a reconciliation
run) are inserted as those pipelines store them.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg

from crmhub.health.incidents import open_incident
from crmhub.health.score import integration_health, record_snapshot
from crmhub.ingest.state import freeze

NOW = datetime.now(UTC).replace(microsecond=0)
FROZEN = "crm_companies"
TARGETS = {"crm_contacts": (2.0, 30.0), "crm_companies": (2.0, 30.0), "fundadmin_lp_contacts": (5.0, 1440.0),
           "billing_invoices": (2.0, 60.0), "cdp_events": (1.0, 60.0)}


def _health(conn: psycopg.Connection) -> None:
    for day in range(7, -1, -1):
        for name, (lat, lag) in TARGETS.items():
            bad = name == "crm_companies" and day < 2
            result = integration_health(0.9 if bad else 0.1 * (day % 3), lat * (0.9 if bad else 0.4),
                                        lat, lag * (0.9 if bad else 0.2 + 0.05 * day), lag, connector=name)
            record_snapshot(conn, result, taken_at=NOW - timedelta(days=day, minutes=5))
    for name in TARGETS:
        conn.execute(
            "INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total) "
            "VALUES (%s, 'ingest', %s, %s, 'success', 100)", (name, NOW - timedelta(minutes=40), NOW - timedelta(minutes=38)))
    week = NOW.date() - timedelta(days=NOW.weekday())
    for sla, connector, field, rate in (("lp_contact_fresh", "crm_contacts", "email", 97.5),
                                        ("company_fresh", "crm_companies", "name", 81.0)):
        conn.execute(
            "INSERT INTO ops.sla_results (week_start, sla, connector, field, freshness_min, runs, runs_met, "
            "met_rate_pct, met, owner) VALUES (%s, %s, %s, %s, 30, 40, %s, %s, %s, 'marcus.lee')",
            (week, sla, connector, field, round(40 * rate / 100), rate, rate >= 95))


def _incidents(conn: psycopg.Connection, imap) -> list[int]:
    ids = []
    for connector, trigger, values in (("crm_companies", "health", {"score": 41.5}),
                                       ("crm_contacts", "lag", {"sync_lag_min": 45}),
                                       ("billing_invoices", "error_rate", {"error_rate_pct": 0.8})):
        ids.append(open_incident(conn, connector, trigger, values, imap=imap,
                                 now=NOW - timedelta(hours=len(ids) * 3 + 1)).incident_id)
    return ids


def _frozen(conn: psycopg.Connection) -> None:
    load_id = f"{FROZEN}-drift-1"
    conn.execute(
        "INSERT INTO ops.loads (load_id, connector, origin, status, rows_read, loaded, quarantined, rejected, "
        "started_at, finished_at) VALUES (%s, %s, 'GET /crm/v3/objects/companies', 'parked', 120, 0, 0, 120, %s, %s)",
        (load_id, FROZEN, NOW - timedelta(hours=2), NOW - timedelta(hours=2)))
    conn.execute(
        "INSERT INTO ops.parked_events (connector, load_id, origin, diff, rows) VALUES (%s, %s, %s, %s, 120)",
        (FROZEN, load_id, "GET /crm/v3/objects/companies",
         json.dumps({"added": ["annualrevenue_band"], "missing": ["domain"], "retyped": {"numberofemployees": "text"}})))
    freeze(conn, FROZEN, "schema drift: 1 added, 1 missing, 1 retyped field", by="crmhub-ingest")
    load_id = "crm_contacts-20261205-1"
    conn.execute(
        "INSERT INTO ops.loads (load_id, connector, origin, status, rows_read, loaded, quarantined, rejected, "
        "started_at, finished_at) VALUES (%s, 'crm_contacts', 'GET /crm/v3/objects/contacts', 'loaded', 500, 497, 3, 0, "
        "%s, %s)", (load_id, NOW - timedelta(minutes=40), NOW - timedelta(minutes=39)))
    for locator, value in (("row 17", "jane.doe@@example.com"), ("row 88", "bob@"), ("row 301", "=HYPERLINK(1)")):
        conn.execute(
            "INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason) "
            "VALUES (%s, 'crm_contacts', %s, 'email', 'type:email', %s, 'not an email address')",
            (load_id, locator, value))


def review_row(url: str, item_id: int) -> dict:
    """``{"status", "by"}`` of one proposed cluster."""
    with psycopg.connect(url) as conn:
        status, by = conn.execute("SELECT status, decided_by FROM ops.review_clusters WHERE cluster_id = %s",
                                  (item_id,)).fetchone()
    return {"status": status, "by": by}


def _review_clusters(conn: psycopg.Connection, entity) -> list[int]:
    """Two proposed clusters of contacts (three records and two), as identity resolution stores them."""
    ids = []
    people = ((("Jane", "Whitfield", "jane.whitfield@alderpension.example", "fund_admin"),
               ("J.", "Whitfield", "j.whitfield@alderpension.example", "crm"),
               ("Jane", "Whitfield-Ross", "jane.whitfield@alderpension.example", "cdp")),
              (("Tomas", "Berg", "tomas.berg@nordcap.example", "fund_admin"),
               ("T.", "Berg", "tomas.berg@nordcap.example", "crm")))
    for n, group in enumerate(people):
        members = []
        for i, (first, last, mail, source) in enumerate(group):
            cid = conn.execute(
                "INSERT INTO core.contact (entity_id, first_name, last_name, email, owner, source_system, created_at) "
                "VALUES (%s, %s, %s, %s, 'priya.shah', %s, %s) RETURNING crmhub_id::text",
                (entity, first, last, mail, source, NOW - timedelta(days=10 - i))).fetchone()[0]
            members.append({"id": cid, "source_system": source, "identity": cid, "owner": "priya.shah",
                            "record": {"record_id": cid, "source_system": source, "first_name": first,
                                       "last_name": last, "email": mail, "phone": None, "company": "Alder Pension Fund"
                                       if n == 0 else "Nordcap", "city": "Oslo" if n else "Leeds", "postcode": None,
                                       "date_of_birth": None}})
        drivers = [{"comparison": "last_name", "level": "exact", "weight_bits": 6.2},
                   {"comparison": "email", "level": "same_domain", "weight_bits": 2.1},
                   {"comparison": "first_name", "level": "initial", "weight_bits": -0.7}]
        links = [{"left": members[0]["id"], "right": m["id"], "score": 0.93 - 0.09 * n - 0.1 * k,
                  "features": {"drivers": drivers}} for k, m in enumerate(members[1:])]
        scores = [link["score"] for link in links]
        ids.append(conn.execute(
            "INSERT INTO ops.review_clusters (kind, proposal_key, member_ids, members, links, score_min, score_max, "
            "source_systems, owners) VALUES ('contact', %s, %s, %s, %s, %s, %s, %s, %s) RETURNING cluster_id",
            (f"seed-{n}", sorted(m["id"] for m in members), json.dumps(members), json.dumps(links), min(scores),
             max(scores), sorted({m["source_system"] for m in members}), ["priya.shah"])).fetchone()[0])
    return ids


def _review(conn: psycopg.Connection) -> list[int]:
    entity = conn.execute(
        "INSERT INTO core.entity (entity_type, name, owner, source_system) VALUES ('lp', 'Alder Pension Fund', "
        "'priya.shah', 'fund_admin') RETURNING crmhub_id").fetchone()[0]
    ids = _review_clusters(conn, entity)
    held = conn.execute("SELECT crmhub_id FROM core.contact LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES ('contact', %s, 42.5, "
                 "'waiting for enrichment: verified email, company domain')", (held,))
    return ids


def _reconciliation(conn: psycopg.Connection) -> None:
    today = NOW.date()
    for back in range(29, -1, -1):
        day: date = today - timedelta(days=back + 1)
        delta = 0.2 + 0.03 * (back % 5) + (0.6 if back == 0 else 0)
        run_id = conn.execute(
            "INSERT INTO ops.reconciliation_runs (rule, logical_date, cutoff, left_system, right_system, left_total, "
            "right_total, delta_pct, threshold_pct, breached, diff_count) VALUES ('fund_admin_commitments', %s, %s, "
            "'fund_admin', 'warehouse', 125000000, %s, %s, 0.6, %s, %s) RETURNING run_id",
            (day, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
             125000000 * (1 - delta / 100), delta, delta > 0.6, 2 if back == 0 else 0)).fetchone()[0]
        if back == 0:
            for crmhub_id, left, right in ((str(uuid.uuid4()), "2500000.00", "2350000.00"),
                                           (str(uuid.uuid4()), "=1+1", "1000000.00")):
                conn.execute(
                    "INSERT INTO ops.reconciliation_diffs (run_id, rule, logical_date, crmhub_id, kind, field, "
                    "left_value, right_value) VALUES (%s, 'fund_admin_commitments', %s, %s, 'mismatch', 'amount', %s, %s)",
                    (run_id, day, crmhub_id, left, right))


def seed(url: str, imap) -> dict:
    """Fill a migrated warehouse; returns the ids tests act on."""
    with psycopg.connect(url) as conn:
        _health(conn)
        incidents = _incidents(conn, imap)
        _frozen(conn)
        reviews = _review(conn)
        _reconciliation(conn)
        conn.commit()
    return {"incidents": incidents, "reviews": reviews, "frozen": FROZEN}


#: Tables :func:`seed` writes (and the console's actions change), emptied by :func:`reset`.
TABLES = ("ops.proof_artifacts", "ops.incidents", "ops.health_snapshots", "ops.sync_runs", "ops.sla_results",
          "ops.quarantine", "ops.parked_events", "ops.loads", "ops.connector_events", "ops.connector_state",
          "ops.match_decisions", "ops.review_clusters", "ops.identity_holds", "core.merge_history", "core.external_id",
          "core.contact", "core.entity", "ops.reconciliation_diffs", "ops.reconciliation_runs", "ops.outreach_state")


def reset(url: str, imap) -> dict:
    """Empty what :func:`seed` fills and seed again (a fresh state for the next test on the same server)."""
    with psycopg.connect(url) as conn:  # the app role: ids are not restarted (that needs the sequences' owner)
        conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        conn.commit()
    return seed(url, imap)
