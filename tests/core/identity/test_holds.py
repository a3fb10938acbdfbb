"""The identity-hold rule lives in crmhub.identity.holds (issue #15.3): one threshold, one SQL."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg

from crmhub.identity import holds

ROOT = Path(__file__).resolve().parents[3]


def test_no_other_module_writes_the_hold_rule() -> None:
    """Outside identity/, nobody spells the threshold or queries open holds themselves."""
    offenders = []
    for path in [*(ROOT / "include" / "crmhub").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        if "identity" in path.relative_to(ROOT).parts[:3] and path.parent.name == "identity":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"FROM ops\.identity_holds|confidence\s*<\s*(%s|\{\})|floor: float = 60|HOLD_CONFIDENCE\s*=",
                     text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_held_sql_and_held_records_agree(db: str) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        ids = [str(uuid.uuid4()) for _ in range(3)]
        for cid, conf in zip(ids, (59.99, 60, 95), strict=True):
            conn.execute("INSERT INTO core.contact (crmhub_id, first_name, owner, source_system, confidence) "
                         "VALUES (%s, 'x', 'o', 'crm', %s)", (cid, conf))
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES ('contact', %s, 50, 'r')",
                     (ids[2],))
        by_sql = {r[0] for r in conn.execute(
            f"SELECT c.crmhub_id::text FROM core.contact c WHERE {holds.held_sql('c')}").fetchall()}
        assert by_sql == set(holds.held_records(conn, "contact", ids)) == {ids[0], ids[2]}
        assert holds.is_held(conn, "contact", ids[2]) and not holds.is_held(conn, "contact", ids[1])
