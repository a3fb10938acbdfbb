"""core.tax_key: identity's tax-id rule stored for SQL, kept up to date with core by tax_keys.refresh."""

from __future__ import annotations

import psycopg
import pytest

from crmhub.config import load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.identity import tax_keys

pytestmark = pytest.mark.integration


def _keys(conn: psycopg.Connection) -> dict[str, str | None]:
    return dict(conn.execute("SELECT tax_id, tax_key FROM core.tax_key").fetchall())


def test_the_tax_id_columns_are_the_targets_of_the_contracts_tax_id_fields():
    assert tax_keys.tax_id_columns(load_integration_map()) == [("commitment", "billing_tax_id"), ("entity", "tax_id")]


def test_refresh_keys_every_tax_id_core_holds_by_the_identity_rule_and_keeps_no_dropped_value(db):
    with psycopg.connect(db) as conn:
        entity = conn.execute(
            "INSERT INTO core.entity (entity_type, name, tax_id, owner, source_system) "
            "VALUES ('lp', 'Eta Pension', 'DE 123 456 789', 'lena.vogel', 'test') RETURNING crmhub_id").fetchone()[0]
        conn.execute("INSERT INTO core.commitment (billing_tax_id, owner, source_system) VALUES "
                     "('US 12-3456789', 'dana.kim', 'test'), ('000000000', 'dana.kim', 'test'), (NULL, 'dana.kim', 'test')")
        first = tax_keys.refresh(conn)
        assert first == tax_keys.RefreshResult(computed=3, deleted=0)
        assert _keys(conn) == {"DE 123 456 789": "123456789", "US 12-3456789": "123456789", "000000000": None}
        assert tax_keys.refresh(conn) == tax_keys.RefreshResult(0, 0)          # nothing new: nothing computed

        # a key stored by an earlier version of the rule is computed again; a value core dropped is deleted
        conn.execute("UPDATE core.tax_key SET tax_key = 'US123456789', rule = 'old' WHERE tax_id = 'US 12-3456789'")
        conn.execute("UPDATE core.entity SET tax_id = 'GB 123 4567 89' WHERE crmhub_id = %s", (entity,))
        conn.execute("UPDATE core.commitment SET billing_tax_id = NULL WHERE billing_tax_id = '000000000'")
        assert tax_keys.refresh(conn) == tax_keys.RefreshResult(computed=2, deleted=2)
        assert _keys(conn) == {"GB 123 4567 89": "123456789", "US 12-3456789": "123456789"}
        assert {r for (r,) in conn.execute("SELECT DISTINCT rule FROM core.tax_key")} == {tax_keys.RULE}


def test_a_warehouse_without_the_table_is_told_to_upgrade(make_database):
    with psycopg.connect(make_database()) as conn, pytest.raises(CrmHubError, match="crmhub db upgrade"):
        tax_keys.refresh(conn)


def test_a_model_that_reads_core_tax_key_is_what_gets_it_refreshed():
    assert tax_keys.reads_tax_keys("SELECT 1 FROM core.tax_key k")
    assert not tax_keys.reads_tax_keys("SELECT tax_id FROM core.entity")
