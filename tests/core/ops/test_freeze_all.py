"""Freeze everything: a running ingest, push and outreach stop at their next batch boundary."""

from __future__ import annotations

import dataclasses
import json

import psycopg
import pytest
from outreach_support import SmtpSink, add_events, promote_versions, seed_contacts
from retl_helpers import TOKEN, add_contact

from crmhub.exceptions import CrmHubError, FrozenError
from crmhub.ingest.loader import ingest
from crmhub.ingest.sources.csv_source import CsvSource
from crmhub.outreach import FlagGate, OutreachEngine, SmtpSettings, load_automations, outbox
from crmhub.outreach.rules import Cap
from crmhub.reverse_etl import get_sync, run_sync
from crmhub.safety import freeze

pytestmark = pytest.mark.integration

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def _freeze(db: str, why: str = "bad map deployed") -> None:
    """Freeze from another connection, as an operator would while the work runs."""
    with psycopg.connect(db) as conn:
        freeze.freeze_all(conn, why, "lena.vogel")


def _thaw(db: str) -> None:
    with psycopg.connect(db) as conn:
        freeze.thaw_all(conn, "map fixed", "lena.vogel")


def test_freeze_and_thaw_are_logged_with_who_and_why(db):
    with psycopg.connect(db) as conn:
        assert not freeze.freeze_state(conn).frozen
        with pytest.raises(CrmHubError, match="--by"):
            freeze.freeze_all(conn, "why", " ")
        first = freeze.freeze_all(conn, "cutover", "lena.vogel")
        again = freeze.freeze_all(conn, "second click", "omar.haddad")   # idempotent: keeps the first
        assert first.frozen and again.event_id == first.event_id and again.reason == "cutover"
        with pytest.raises(FrozenError, match="crmhub ops thaw --all"):
            freeze.assert_not_frozen(conn, "connector", "crm_contacts")
        freeze.thaw_all(conn, "cutover done", "omar.haddad")
        freeze.assert_not_frozen(conn, "connector", "crm_contacts")
        history = [(e["action"], e["actor"], e["reason"]) for e in freeze.freeze_history(conn)]
    assert history == [("thaw", "omar.haddad", "cutover done"), ("freeze", "lena.vogel", "cutover")]


def test_thaw_all_keeps_a_connector_frozen_by_drift(db):
    from crmhub.ingest.state import freeze as freeze_connector
    from crmhub.ingest.state import frozen_reason

    with psycopg.connect(db) as conn:
        freeze_connector(conn, "crm_contacts", "schema drift: column added", by="crmhub-ingest")
        conn.commit()
        freeze.freeze_all(conn, "cutover", "lena.vogel")
        freeze.thaw_all(conn, "cutover done", "lena.vogel")
        assert frozen_reason(conn, "crm_contacts") == "schema drift: column added"


class _FreezeAfterFirstBatch:
    """A real CSV source whose operator freezes everything while the first batch is being landed."""

    def __init__(self, source: CsvSource, db: str):
        self._source, self._db, self.batches_read = source, db, 0

    def __getattr__(self, name):
        return getattr(self._source, name)

    def batches(self):
        for batch in self._source.batches():
            self.batches_read += 1
            yield batch
            if self.batches_read == 1:
                _freeze(self._db)


def test_freeze_all_stops_a_running_ingest_at_its_next_batch_and_writes_nothing(db, fundadmin, tmp_path):
    rows = [f"FA-{i:03d},Ann,Lee{i},ann{i}@lp.example,Fund {i},{i * 1000},2026-11-01T10:00:00Z" for i in range(30)]
    path = tmp_path / "lp_contacts.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    source = _FreezeAfterFirstBatch(CsvSource.for_connector(fundadmin, path, chunk_rows=10), db)
    with pytest.raises(FrozenError, match="connector 'fundadmin_lp_contacts' stopped"):
        ingest(db, fundadmin, source)
    assert source.batches_read == 2            # stopped at the boundary before the 2nd batch was landed
    with psycopg.connect(db) as conn:
        status, loaded = conn.execute("SELECT status, loaded FROM ops.loads").fetchone()
        assert (status, loaded) == ("failed", 0)
        assert conn.execute("SELECT count(*) FROM core.contact").fetchone()[0] == 0
        for table in ("raw.fundadmin_lp_contacts", "staging.fundadmin_lp_contacts"):   # rolled back whole
            exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]
            assert exists is None or conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    _thaw(db)
    summary = ingest(db, fundadmin, CsvSource.for_connector(fundadmin, path, chunk_rows=10))
    assert summary.status == "loaded" and summary.loaded == 30


def test_freeze_all_stops_a_running_push_at_its_next_batch(db, sandbox):
    with psycopg.connect(db) as conn:
        ids = [add_contact(conn, f"lp{i}@fund{i % 7}.example", committed=(i % 5) * 7e6) for i in range(60)]
    sync = dataclasses.replace(get_sync("contact_traits"), batch_size=10, concurrency=1)
    committed: list[int] = []

    def after_batch(no: int) -> None:
        committed.append(no)
        if len(committed) == 1:
            _freeze(db)

    with pytest.raises(FrozenError, match="sync 'contact_traits' stopped"):
        run_sync(sync, db, sandbox.url, TOKEN, after_batch=after_batch)
    with psycopg.connect(db) as conn:
        status, error = conn.execute("SELECT status, error FROM ops.reverse_etl_runs").fetchone()
        synced = conn.execute("SELECT count(*) FROM ops.reverse_etl_state WHERE status = 'synced'").fetchone()[0]
    assert status == "failed" and "frozen" in error
    # the batch answered after the freeze is recorded (nothing half-written); no batch after it is planned
    assert synced == 20 and len(committed) == 2
    _thaw(db)
    result = run_sync(sync, db, sandbox.url, TOKEN)
    assert result.status == "success"
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.reverse_etl_state WHERE status = 'synced'").fetchone()[0] == 60
    assert len(ids) == 60


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def _gate(tmp_path, flag: str) -> FlagGate:
    payload = {"version": 2, "features": [{
        "name": flag, "type": "release", "enabled": True, "project": "default", "stale": False,
        "strategies": [{"name": "flexibleRollout", "constraints": [], "variants": [],
                        "parameters": {"rollout": "100", "stickiness": "userId", "groupId": flag}}],
        "variants": [], "impressionData": False}]}
    path = tmp_path / "bootstrap.json"
    path.write_text(json.dumps(payload))
    return FlagGate.offline(path, cache_directory=tmp_path / "cache")


def test_freeze_all_stops_running_outreach_at_its_next_batch(db, imap, smtp_sink, tmp_path):
    name = "reinstate_interest"
    ids = seed_contacts(db, 40)
    add_events(db, ids)
    automations = load_automations(imap)
    autos = {name: dataclasses.replace(automations[name], cap=Cap(1000, 100), batch_size=10)}
    gate = _gate(tmp_path, automations[name].flag)

    frozen: list[int] = []

    def on_batch(result, batch_no):
        if not frozen:
            frozen.append(batch_no)
            _freeze(db)

    smtp = SmtpSettings(host="127.0.0.1", port=smtp_sink.port, from_addr="investor.relations@firm.example")
    promote_versions(db, autos.values())
    engine = OutreachEngine(db, autos, imap.people, gate, smtp, on_batch=on_batch, health_check=lambda: 100.0)
    try:
        with pytest.raises(FrozenError, match="automation 'reinstate_interest' stopped"):
            engine.run(name)
        assert len(smtp_sink.messages) == 10
        with psycopg.connect(db) as conn:
            assert outbox.counts(conn, name) == {"sent": 10, "pending": 30}
        _thaw(db)
        rest = engine.run(name)
        assert rest.sent == 30 and len({m["to"] for m in smtp_sink.messages}) == 40 == len(smtp_sink.messages)
    finally:
        gate.close()
