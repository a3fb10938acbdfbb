"""Shared helpers for the outreach tests: a real SMTP sink (aiosmtpd) and fast seeding of contacts/events.

Imported by tests/core/outreach/conftest.py and tests/integration/conftest.py (they put tests/ on sys.path).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser

import psycopg
from aiosmtpd.controller import Controller

from crmhub.outreach.unleash_server import free_port


@dataclass
class SinkHandler:
    """Counts every message the SMTP server really accepted (recipient + Message-ID)."""

    messages: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append({"to": rcpt, "message_id": headers["Message-ID"], "subject": headers["Subject"],
                                      "reply_to": headers["Reply-To"], "key": headers["X-Crmhub-Idempotency-Key"],
                                      "multipart": headers.get_content_type()})
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["to"] for m in self.messages]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class SmtpSink:
    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages

    def recipients(self) -> list[str]:
        return self.handler.recipients()


def seed_contacts(url: str, n: int, *, owners: list[str] | None = None, owner_prefix: str | None = None,
                  entity_type: str = "lp", confidence: float = 90, email_domain: str = "lp.example",
                  email_verified: bool | None = True) -> list[str]:
    """``n`` contacts of one entity; owner i is ``owners[i % len]`` or ``f"{owner_prefix}{i}"`` (distinct owners)."""
    entity_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in range(n)]
    tag = entity_id[:8]
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO core.entity (crmhub_id, entity_type, name, owner, confidence, source_system)"
            " VALUES (%s, %s, %s, 'sam.ortiz', 95, 'crm')",
            (entity_id, entity_type, f"Fund Investor {tag}"),
        )
        with conn.cursor().copy(
            "COPY core.contact (crmhub_id, entity_id, first_name, last_name, email, email_verified, interested,"
            " owner, confidence, source_system) FROM STDIN"
        ) as copy:
            for i, cid in enumerate(ids):
                if owner_prefix is not None:
                    owner = f"{owner_prefix}{i}"
                else:
                    owner = (owners or ["sam.ortiz"])[i % len(owners or ["sam.ortiz"])]
                copy.write_row((cid, entity_id, f"First{i}", f"Last{i}", f"investor{i}.{tag}@{email_domain}",
                                email_verified, True, owner, confidence, "crm"))
    return ids


def add_events(url: str, ids: list[str], *, field: str = "interested", old: str | None = "false",
               new: str | None = "true", load_id: str | None = None, connector: str = "crm_contacts",
               core_table: str = "contact") -> None:
    """One change_log row per id (what ingestion/CDC would write)."""
    with psycopg.connect(url) as conn, conn.cursor().copy(
        "COPY core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system, connector, load_id)"
        " FROM STDIN"
    ) as copy:
        for cid in ids:
            copy.write_row((core_table, cid, field, old, new, "crm", connector, load_id or f"load-{uuid.uuid4().hex[:8]}"))


def promote_versions(url: str, autos) -> None:
    """Mark these automation versions as promoted (they were confirmed by a human; the tests of the
    rails below control mode start from there; control mode itself is tested in test_control.py)."""
    from crmhub.outreach.control import fingerprint

    with psycopg.connect(url) as conn:
        for auto in autos:
            conn.execute("INSERT INTO ops.outreach_promotions (automation, version, promoted_by, control_sends)"
                         " VALUES (%s, %s, 'test-suite', 1) ON CONFLICT DO NOTHING", (auto.name, fingerprint(auto)))


def promoted_engine(url: str, autos: dict, imap, gate, smtp_settings, **kw):
    """An :class:`~crmhub.outreach.OutreachEngine` for ``autos`` (name -> automation) with their versions
    promoted and a healthy warehouse unless ``health_check`` is given; ``kw`` go to the engine."""
    from crmhub.outreach import OutreachEngine

    kw.setdefault("health_check", lambda: 100.0)
    promote_versions(url, autos.values())
    return OutreachEngine(url, autos, imap.people, gate, smtp_settings, **kw)


def record_healthy_sync(url: str, connector: str = "crm_contacts") -> None:
    """A fresh, successful sync of ``connector``: its integration health score is 100 (the gate opens)."""
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total)"
                     " VALUES (%s, 'ingest', now() - interval '2 minutes', now() - interval '1 minute', 'success', 100)",
                     (connector,))
