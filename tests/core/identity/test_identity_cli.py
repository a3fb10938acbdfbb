from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import psycopg
import pytest

from crmhub.cli import main


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ORGS = [
    {"record_id": "1", "source_system": "crm", "name": "Harbor Capital LP", "domain": "harborcap.com",
     "tax_id": "12-3456789", "city": "Boston", "country": "US"},
    {"record_id": "A7", "source_system": "fund_admin", "name": "Harbor Capital, L.P.", "domain": "",
     "tax_id": "US 123456789", "city": "", "country": ""},
    {"record_id": "2", "source_system": "crm", "name": "Harbor Capital, LP", "domain": "www.harborcap.com",
     "tax_id": "", "city": "Boston", "country": "US"},
    {"record_id": "3", "source_system": "crm", "name": "Blue Ridge Fund II", "domain": "blueridge.com",
     "tax_id": "", "city": "Denver", "country": "US"},
    {"record_id": "4", "source_system": "crm", "name": "Blue Ridge Fund III", "domain": "blueridge.com",
     "tax_id": "", "city": "Denver", "country": "US"},
]


def test_file_mode_round_trip(tmp_path: Path, capsys) -> None:
    src, out, review = tmp_path / "orgs.csv", tmp_path / "out" / "clusters.csv", tmp_path / "review.csv"
    write_csv(src, ORGS)
    argv = ["identity", "resolve", "--kind", "org", "--input", str(src), "--output", str(out),
            "--review-output", str(review)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "5 records -> 4 identities" in printed
    assert "reviewer load: 1 decision(s), 200.0 per 1,000 records, 1.0 per multi-record identity" in printed
    rows = read_csv(out)
    assert [r["record_id"] for r in rows] == ["1", "A7", "2", "3", "4"]
    assert list(rows[0]) == ["record_id", "cluster_id", "source_system"]
    ids = {r["record_id"]: r["cluster_id"] for r in rows}
    assert ids["1"] == ids["A7"] and len({ids["1"], ids["2"], ids["3"], ids["4"]}) == 4
    pairs = read_csv(review)
    assert len(pairs) == 1
    assert {pairs[0]["left_record_id"], pairs[0]["right_record_id"]} & {"1", "A7"}
    assert "2" in {pairs[0]["left_record_id"], pairs[0]["right_record_id"]}
    assert float(pairs[0]["score"]) > 0.7 and json.loads(pairs[0]["features"])["drivers"]
    assert pairs[0]["proposed_cluster"].startswith("pc-"), "one review decision per distinct proposed_cluster"
    # same input, same output: ids are stable
    out2 = tmp_path / "again.csv"
    assert main(["identity", "resolve", "--kind", "org", "--input", str(src), "--output", str(out2)]) == 0
    assert read_csv(out2) == rows


def test_file_mode_rejects_bad_input(tmp_path: Path, capsys) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("name,domain\nHarbor,harbor.com\n", encoding="utf-8")
    assert main(["identity", "resolve", "--kind", "org", "--input", str(src), "--output", str(tmp_path / "o.csv")]) == 2
    assert "record_id" in capsys.readouterr().err


def test_review_commands_against_the_warehouse(db: str, capsys) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        for i, (name, days) in enumerate((("Harbor Capital LP", 9), ("Harbor Capital, LP", 1))):
            cid = str(uuid.uuid4())
            conn.execute("INSERT INTO core.entity (crmhub_id, entity_type, name, city, owner, source_system, created_at) "
                         "VALUES (%s, 'lp', %s, 'Boston', 'priya.shah', 'crm', now() - make_interval(days => %s))",
                         (cid, name, days))
            conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                         "VALUES ('crm', 'company', %s, %s, 'entity')", (str(i), cid))
    assert main(["identity", "run", "--kind", "org", "--url", db]) == 0
    assert json.loads(capsys.readouterr().out)["review_pending"] == 1
    assert main(["review", "list", "--url", db, "--json", "--owner", "priya.shah"]) == 0
    listed = json.loads(capsys.readouterr().out)
    cluster_id = listed[0]["cluster_id"]
    assert main(["review", "list", "--url", db]) == 0
    assert f"#{cluster_id} org 2 records" in capsys.readouterr().out
    assert main(["review", "show", str(cluster_id), "--url", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["fields"]["city"] == {"values": ["Boston", "Boston"], "agree": True}
    assert main(["review", "approve", str(cluster_id), "--by", "sam.ortiz", "--url", db]) == 0
    decided = json.loads(capsys.readouterr().out)
    assert decided["status"] == "approved" and decided["decided_by"] == "sam.ortiz" and decided["merges"]
    assert main(["review", "reject", str(cluster_id), "--by", "x", "--url", db]) == 1
    assert "is approved by sam.ortiz" in capsys.readouterr().err
    with psycopg.connect(db) as conn:
        ids = {r[0] for r in conn.execute("SELECT crmhub_id FROM core.external_id")}
    assert len(ids) == 1


def test_review_list_and_show_write_the_access_log(db, capsys, monkeypatch) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO ops.review_clusters (kind, proposal_key, member_ids, members, links, score_min, score_max, "
            "source_systems, owners) VALUES ('contact', 'k', %s, %s, '[]', 0.8, 0.8, '{crm}', '{priya.shah}')",
            (["a", "b"], json.dumps([{"id": i, "source_system": "crm", "record": {
                "first_name": "Jane", "last_name": "Doe", "email": f"{i}@lp.example", "city": "Leeds"}}
                for i in ("a", "b")])))
    assert main(["review", "list", "--url", db, "--who", "sam.ortiz"]) == 0
    monkeypatch.setenv("CRMHUB_ACTOR", "lena.vogel")
    assert main(["review", "show", "1", "--url", db]) == 0
    capsys.readouterr()
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT who, via, table_name, (SELECT array_agg(f ORDER BY f) FROM unnest(fields) f), "
                            "row_count, reason FROM ops.access_log ORDER BY access_id").fetchall()
    fields = ["email", "first_name", "last_name"]  # not the city (internal)
    assert rows == [("sam.ortiz", "cli", "review_clusters", fields, 2, "crmhub review list"),
                    ("lena.vogel", "cli", "review_clusters", fields, 2, "crmhub review show 1")]


@pytest.mark.parametrize("argv", [["review", "approve", "1", "--url", "x"], ["review", "split", "1", "--leaving", "a"],
                                  ["review", "sample", "--kind", "org", "--min-score", "0.7", "--max-score", "0.8"],
                                  ["identity", "unmerge", "x", "--kind", "org"]])
def test_decisions_require_a_name(argv) -> None:
    with pytest.raises(SystemExit):
        main(argv)
