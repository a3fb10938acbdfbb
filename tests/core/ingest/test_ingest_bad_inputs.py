"""Bad-input files through the real load path into a real warehouse; every file keeps the counting invariant."""

from __future__ import annotations

import dataclasses
import decimal

import pytest

from crmhub.contracts.formula import write_safe_csv
from crmhub.exceptions import RejectedFileError
from crmhub.ingest.loader import ingest_file

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def q(value: str) -> str:
    """CSV-quote a value."""
    return '"' + value.replace('"', '""') + '"'


def good(i: int, **over) -> str:
    row = {
        "external_id": f"LP-{i}", "first_name": "Jane", "last_name": f"Doe{i}", "email": f"jane{i}@x.com",
        "company": "Acme Capital", "amount": "1000", "updated_at": "2025-03-14T10:00:00Z",
    }
    row.update(over)
    return ",".join(row.values())


def test_bom(db, fundadmin, write, balanced, fetch):
    path = write("bom.csv", b"\xef\xbb\xbf" + f"{HEADER}\n{good(1)}\n{good(2)}\n".encode())
    s = ingest_file(db, fundadmin, path)
    info = balanced(s)
    assert (s.rows_read, s.loaded, s.quarantined) == (2, 2, 0)
    assert info["encoding"] == "utf-8-sig"
    assert fetch("SELECT count(*) FROM core.external_id WHERE external_id = 'LP-1' AND object = 'lp_contact'")[0][0] == 1


def test_latin1_falls_back_and_is_recorded(db, fundadmin, write, balanced, fetch):
    text = f"{HEADER}\n{good(1, last_name='Müller', company='Société Générale')}\n"
    s = ingest_file(db, fundadmin, write("latin1.csv", text.encode("latin-1")))
    info = balanced(s)
    assert s.loaded == 1 and info["encoding"] == "cp1252"
    assert fetch("SELECT last_name FROM core.contact")[0][0] == "Müller"
    assert fetch("SELECT name FROM core.entity")[0][0] == "Société Générale"
    # raw: the record transcoded to UTF-8, the file's encoding recorded with the batch
    assert fetch("SELECT r.record, b.encoding FROM raw.fundadmin_lp_contacts_records r "
                 "JOIN raw.fundadmin_lp_contacts b USING (load_id, batch_no)") == [
        (good(1, last_name="Müller", company="Société Générale"), "cp1252")
    ]


def test_latin1_under_strict_declared_encoding_rejects_naming_line(db, fundadmin, write, balanced):
    strict = dataclasses.replace(fundadmin, source={**fundadmin.source, "strict_encoding": True})
    text = f"{HEADER}\n{good(1)}\n{good(2, last_name='Müller')}\n"
    path = write("strict.csv", text.encode("latin-1"))
    with pytest.raises(RejectedFileError) as err:
        ingest_file(db, strict, path)
    assert err.value.line == 3 and "strict.csv:3" in str(err.value)
    info = balanced(err.value.summary)
    assert info["status"] == "rejected" and err.value.summary.loaded == 0


def test_crlf(db, fundadmin, write, balanced, fetch):
    path = write("crlf.csv", f"{HEADER}\r\n{good(1)}\r\n{good(2)}\r\n")
    s = ingest_file(db, fundadmin, path)
    balanced(s)
    assert s.loaded == 2
    assert fetch("SELECT locator, record FROM raw.fundadmin_lp_contacts_records ORDER BY row_no") == [
        ("crlf.csv:2", good(1)), ("crlf.csv:3", good(2))
    ]
    # the raw landing holds the file's own bytes (CRLF line ends included)
    assert fetch("SELECT string_agg(data, ''::bytea ORDER BY batch_no) FROM raw.fundadmin_lp_contacts") == [
        (f"{good(1)}\r\n{good(2)}\r\n".encode(),)
    ]


def test_embedded_newlines_in_quotes(db, fundadmin, write, balanced, fetch):
    first = good(1, company=q("Acme\nCapital, Inc"))
    body = f"{HEADER}\n{first}\n{good(2)}\n"
    s = ingest_file(db, fundadmin, write("nl.csv", body))
    balanced(s)
    assert (s.rows_read, s.loaded) == (2, 2)
    assert {r[0] for r in fetch("SELECT name FROM core.entity")} == {"Acme Capital", "Acme\nCapital, Inc"}
    # locators are physical start lines: the second record starts on line 4
    assert fetch("SELECT locator, record FROM raw.fundadmin_lp_contacts_records ORDER BY row_no") == [
        ("nl.csv:2", first), ("nl.csv:4", good(2))
    ]


def test_wrong_column_count_rows_are_quarantined_not_dropped(db, fundadmin, write, balanced, fetch):
    body = f"{HEADER}\n{good(1)}\n{good(2)},extra\nLP-3,Al,Short\n{good(4)}\n"
    s = ingest_file(db, fundadmin, write("cols.csv", body))
    balanced(s)
    assert (s.rows_read, s.loaded, s.quarantined) == (4, 2, 2)
    assert s.reasons == {"column_count": 2}  # no noise from the padded values
    rows = fetch("SELECT locator, reason FROM ops.quarantine WHERE rule = 'column_count' ORDER BY locator")
    assert rows == [("cols.csv:3", "expected 7 columns, found 8"), ("cols.csv:4", "expected 7 columns, found 3")]
    raw = fetch("SELECT record FROM raw.fundadmin_lp_contacts_records WHERE locator = 'cols.csv:4'")
    assert raw == [("LP-3,Al,Short",)]


def test_repeated_header_rows_are_skipped_and_not_counted(db, fundadmin, write, balanced, fetch):
    body = f"{HEADER}\n{good(1)}\n{HEADER}\n{good(2)}\n\n{HEADER}\n"
    s = ingest_file(db, fundadmin, write("rep.csv", body))
    info = balanced(s)
    assert (s.rows_read, s.loaded, s.quarantined) == (2, 2, 0)
    assert info["skipped_headers"] == 2 and info["skipped_blank"] == 1
    # the raw landing holds the records only (not the repeated headers or the blank line), verbatim
    assert fetch("SELECT locator, record FROM raw.fundadmin_lp_contacts_records ORDER BY row_no") == [
        ("rep.csv:2", good(1)), ("rep.csv:4", good(2))
    ]
    assert fetch("SELECT string_agg(data, ''::bytea) FROM raw.fundadmin_lp_contacts") == [
        (f"{good(1)}\n{good(2)}\n".encode(),)
    ]


def test_repeated_header_rows_in_a_fast_parsed_file_are_not_landed(db, fundadmin, write, balanced, fetch):
    body = f"{HEADER}\n{good(1)}\n{HEADER}\n{good(2)}\n"  # no blank line: the pyarrow path reads it
    s = ingest_file(db, fundadmin, write("rep_fast.csv", body))
    balanced(s)
    assert (s.rows_read, s.loaded) == (2, 2)
    assert fetch("SELECT locator, record FROM raw.fundadmin_lp_contacts_records ORDER BY row_no") == [
        ("rep_fast.csv:2", good(1)), ("rep_fast.csv:4", good(2))
    ]


def test_empty_file_is_rejected(db, fundadmin, write, balanced):
    with pytest.raises(RejectedFileError, match="empty file") as err:
        ingest_file(db, fundadmin, write("empty.csv", b""))
    info = balanced(err.value.summary)
    assert info["status"] == "rejected" and err.value.summary.rows_read == 0


def test_empty_file_rejection_is_recorded(db, fundadmin, write, balanced):
    with pytest.raises(RejectedFileError) as err:
        ingest_file(db, fundadmin, write("empty2.csv", b"\n\n"))
    info = balanced(err.value.summary)
    assert info["status"] == "rejected" and err.value.summary.rows_read == 0


def test_header_only_file_loads_zero_rows(db, fundadmin, write, balanced):
    s = ingest_file(db, fundadmin, write("header.csv", HEADER + "\n"))
    info = balanced(s)
    assert info["status"] == "loaded" and s.rows_read == 0


def test_nul_bytes_are_stripped_and_the_row_quarantined(db, fundadmin, write, balanced, fetch):
    body = f"{HEADER}\n{good(1)}\n{good(2, last_name='Do' + chr(0) + 'e')}\n"
    s = ingest_file(db, fundadmin, write("nul.csv", body))
    balanced(s)
    assert (s.loaded, s.quarantined) == (1, 1) and s.reasons == {"nul_byte": 1}
    assert fetch("SELECT record FROM raw.fundadmin_lp_contacts_records WHERE locator = 'nul.csv:3'") == [
        (good(2, last_name="Doe"),)
    ]
    # the landed bytes keep the NUL byte; the records view drops it (PostgreSQL text cannot hold it)
    assert fetch("SELECT position('\\x00'::bytea IN data) > 0 FROM raw.fundadmin_lp_contacts") == [(True,)]


def test_very_long_field(db, fundadmin, write, balanced, fetch):
    long_name = "A" * 2_000_000  # far above csv's default 128 KiB field limit
    s = ingest_file(db, fundadmin, write("long.csv", f"{HEADER}\n{good(1, company=long_name)}\n"))
    balanced(s)
    assert s.loaded == 1
    assert fetch("SELECT length(name) FROM core.entity") == [(2_000_000,)]


def test_unbalanced_quote_rejects_naming_line(db, fundadmin, write, balanced, fetch):
    broken = good(2, company='"Acme')
    body = f"{HEADER}\n{good(1)}\n{broken}\n{good(3)}\n"
    with pytest.raises(RejectedFileError, match="unbalanced quote") as err:
        ingest_file(db, fundadmin, write("quote.csv", body))
    assert err.value.line == 3
    info = balanced(err.value.summary)
    assert info["status"] == "rejected" and err.value.summary.rejected == err.value.summary.rows_read == 2
    # nothing half-landed: the whole load (even the table creation) was rolled back
    assert fetch("SELECT to_regclass('raw.fundadmin_lp_contacts')") == [(None,)]


def test_wrong_delimiter_rejected(db, fundadmin, write, balanced):
    body = HEADER.replace(",", ";") + "\n" + good(1).replace(",", ";") + "\n"
    with pytest.raises(RejectedFileError, match="wrong delimiter.*';'-delimited") as err:
        ingest_file(db, fundadmin, write("semi.csv", body))
    assert err.value.line == 1
    info = balanced(err.value.summary)
    assert info["status"] == "rejected"


def test_mixed_date_formats(db, fundadmin, write, balanced, fetch):
    dates = ["2025-03-14", "03/14/2025", "14.03.2025", "1741946400000", "2025-03-14T10:00:00Z"]
    body = HEADER + "\n" + "\n".join(good(i, updated_at=d) for i, d in enumerate(dates)) + "\n"
    s = ingest_file(db, fundadmin, write("dates.csv", body))
    balanced(s)
    assert s.loaded == 5
    got = fetch("SELECT to_char(source_updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM core.contact ORDER BY 1")
    assert got == [("2025-03-14 00:00",)] * 3 + [("2025-03-14 10:00",)] * 2


def test_money_formats(db, fundadmin, write, balanced, fetch):
    row = good(1, amount=q("$1,200.50"))
    body = f"{HEADER}\n{row}\n{good(2, amount=q('1.200,50 €'))}\n"
    s = ingest_file(db, fundadmin, write("money.csv", body))
    balanced(s)
    assert s.loaded == 2
    assert fetch("SELECT amount FROM core.commitment") == [(decimal.Decimal("1200.50"),)] * 2


def test_duplicate_external_ids_latest_wins_and_loser_is_recorded(db, fundadmin, write, balanced, fetch):
    body = (f"{HEADER}\n{good(1, last_name='Newest', updated_at='2025-03-15T00:00:00Z')}\n"
            f"{good(1, last_name='Older', updated_at='2025-03-14T00:00:00Z')}\n")
    s = ingest_file(db, fundadmin, write("dup1.csv", body))
    balanced(s)
    assert (s.loaded, s.quarantined, s.reasons) == (1, 1, {"superseded_duplicate": 1})
    assert fetch("SELECT last_name FROM core.contact") == [("Newest",)]
    reason = fetch("SELECT locator, reason FROM ops.quarantine WHERE rule = 'superseded_duplicate'")
    assert reason[0][0] == "dup1.csv:3" and "dup1.csv:2" in reason[0][1]
    # across batches: an older version arriving later is superseded, a newer one wins
    older = write("dup2.csv", f"{HEADER}\n{good(1, last_name='Stale', updated_at='2025-03-01T00:00:00Z')}\n")
    s2 = ingest_file(db, fundadmin, older)
    balanced(s2)
    assert (s2.loaded, s2.quarantined) == (0, 1)
    assert fetch("SELECT last_name FROM core.contact") == [("Newest",)]
    newer = write("dup3.csv", f"{HEADER}\n{good(1, last_name='Latest', updated_at='2025-04-01T00:00:00Z')}\n")
    s3 = ingest_file(db, fundadmin, newer)
    balanced(s3)
    assert s3.loaded == 1
    assert fetch("SELECT last_name, source_lineage->>'locator' FROM core.contact") == [("Latest", "dup3.csv:2")]


def test_formula_injection_kept_verbatim_and_neutralised_on_export(db, fundadmin, write, balanced, fetch, tmp_path):
    evil = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
    rows = [good(i, first_name=q(v)) for i, v in enumerate(evil)]
    s = ingest_file(db, fundadmin, write("formula.csv", HEADER + "\n" + "\n".join(rows) + "\n"))
    balanced(s)
    assert s.loaded == 4
    stored = [r[0] for r in fetch("SELECT first_name FROM core.contact ORDER BY first_name")]
    assert sorted(stored) == sorted(evil)
    import pandas as pd

    out = write_safe_csv(pd.DataFrame({"first_name": stored}), tmp_path / "export.csv")
    exported = pd.read_csv(out, dtype=str)["first_name"].tolist()
    assert all(v.startswith("'") for v in exported)
    assert sorted(v[1:] for v in exported) == sorted(evil)


def test_sql_looking_strings_stored_verbatim(db, fundadmin, write, balanced, fetch):
    nasty = "Robert'); DROP TABLE core.contact; --"
    row = good(1, company=q(nasty), last_name="O'Brien")
    body = f"{HEADER}\n{row}\n"
    s = ingest_file(db, fundadmin, write("sql.csv", body))
    balanced(s)
    assert s.loaded == 1
    assert fetch("SELECT name FROM core.entity") == [(nasty,)]
    assert fetch("SELECT last_name FROM core.contact") == [("O'Brien",)]
