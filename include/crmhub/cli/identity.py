"""``crmhub identity resolve|run|unmerge|holds`` and ``crmhub review list|show|approve|split|reject|sample``.

``identity resolve`` works on files (no warehouse): canonical CSV in, ``record_id,cluster_id`` out, fuzzy
pairs to ``--review-output`` (one row per candidate link, with its ``proposed_cluster``: one review
decision per distinct value). The review commands work on proposed clusters
(:mod:`crmhub.identity.review`). The other commands work on the warehouse (``--url`` or
``$CRMHUB_WAREHOUSE_URL``, else the embedded PostgreSQL).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import sys
from pathlib import Path

import pandas as pd

from crmhub.cli._options import add_url_option
from crmhub.exceptions import RejectedFileError

KINDS = ("org", "contact")


def register(subparsers: argparse._SubParsersAction) -> None:
    ident = subparsers.add_parser("identity", help="identity resolution: link source records to one crmhub id")
    sub = ident.add_subparsers(dest="identity_command", metavar="ACTION", required=True)

    res = sub.add_parser("resolve", help="resolve a canonical CSV file (no warehouse); writes record_id,cluster_id")
    res.add_argument("--kind", choices=KINDS, required=True)
    res.add_argument("--input", type=Path, required=True, help="CSV with the canonical columns of --kind")
    res.add_argument("--output", type=Path, required=True, help="CSV to write: record_id, cluster_id, source_system")
    res.add_argument("--review-output", type=Path, help="CSV of fuzzy pairs for human review (score > 0.70)")
    res.set_defaults(func=_resolve_file)

    run = sub.add_parser("run", help="resolve core.entity/core.contact in the warehouse (crosswalk, queue, holds)")
    run.add_argument("--kind", choices=KINDS, required=True)
    add_url_option(run)
    run.set_defaults(func=_run)

    un = sub.add_parser("unmerge", help="undo a merge; the split is remembered as a rejected pair")
    un.add_argument("merged_id", help="crmhub id of the merged record (core.merge_history.merged_id)")
    un.add_argument("--kind", choices=KINDS, required=True)
    un.add_argument("--by", required=True, help="who undoes the merge")
    un.add_argument("--reason", default="unmerged by a human")
    add_url_option(un)
    un.set_defaults(func=_unmerge)

    holds = sub.add_parser("holds", help="identities held for enrichment (Identity_Confidence < 60)")
    holds.add_argument("--kind", choices=KINDS)
    holds.add_argument("--all", action="store_true", help="include released holds")
    add_url_option(holds)
    holds.set_defaults(func=_holds)

    review = subparsers.add_parser("review", help="identity review: proposed clusters awaiting one human decision each")
    rsub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    ls = rsub.add_parser("list", help="list proposed clusters, weakest link first")
    ls.add_argument("--kind", choices=KINDS)
    ls.add_argument("--status", choices=("pending", "approved", "split", "rejected", "superseded", "all"),
                    default="pending")
    ls.add_argument("--min-score", type=float, help="weakest link scores at least this")
    ls.add_argument("--max-score", type=float, help="weakest link scores at most this")
    ls.add_argument("--source-system", help="a member comes from this source system")
    ls.add_argument("--owner", help="a member is owned by this person")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.add_argument("--who", help="you (recorded in the access log; default: $CRMHUB_ACTOR, else the OS user)")
    add_url_option(ls)
    ls.set_defaults(func=_review_list)
    show = rsub.add_parser("show", help="one cluster: records side by side and the evidence of each link")
    show.add_argument("cluster_id", type=int)
    show.add_argument("--who", help="you (recorded in the access log; default: $CRMHUB_ACTOR, else the OS user)")
    add_url_option(show)
    show.set_defaults(func=_review_show)
    for name, helptext in (("approve", "approve a cluster (or, with --band SAMPLE_ID, the rest of a sampled band)"),
                           ("split", "split a cluster: --leaving names the records that leave"),
                           ("reject", "reject a cluster: its records stay apart on every later run")):
        p = rsub.add_parser(name, help=helptext)
        if name == "approve":
            target = p.add_mutually_exclusive_group(required=True)
            target.add_argument("cluster_id", type=int, nargs="?")
            target.add_argument("--band", type=int, metavar="SAMPLE_ID", help="approve the band of this sample")
        else:
            p.add_argument("cluster_id", type=int)
        if name == "split":
            p.add_argument("--leaving", nargs="+", required=True, metavar="CRMHUB_ID", help="records that leave")
        p.add_argument("--by", required=True, help="who decides (recorded with the time)")
        p.add_argument("--note")
        add_url_option(p)
        p.set_defaults(func=_review_decide, decision=name)
    sample = rsub.add_parser("sample", help="draw a random sample of a score band (before approving the band)")
    sample.add_argument("--kind", choices=KINDS, required=True)
    sample.add_argument("--min-score", type=float, required=True)
    sample.add_argument("--max-score", type=float, required=True)
    sample.add_argument("--max-error-rate", type=float, default=0.05)
    sample.add_argument("--confidence", type=float, default=0.95)
    sample.add_argument("--by", required=True, help="the steward shown the sample")
    add_url_option(sample)
    sample.set_defaults(func=_review_sample)


def _read_csv(path: Path, kind: str) -> pd.DataFrame:
    from crmhub.identity.records import columns_for

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RejectedFileError(str(path), f"cannot read as CSV: {exc}") from exc
    required = {"record_id"}
    missing = required - set(df.columns)
    if missing:
        expected = ", ".join(columns_for(kind))
        raise RejectedFileError(str(path), f"missing column(s) {sorted(missing)}; {kind} columns are: {expected}", 1)
    empty = df.index[df["record_id"].str.strip() == ""].tolist()
    if empty:
        raise RejectedFileError(str(path), "record_id is empty; every record needs one", empty[0] + 2)
    return df


def _resolve_file(args: argparse.Namespace) -> int:
    from crmhub.identity.matching import DUPLICATE_RATE_TARGET, resolve
    from crmhub.identity.records import columns_for

    df = _read_csv(args.input, args.kind)
    if "source_system" in df.columns:
        dup = df.duplicated(["source_system", "record_id"])
    else:
        dup = df.duplicated(["record_id"])
    if dup.any():
        raise RejectedFileError(str(args.input), "duplicate record_id (per source_system)", int(dup.idxmax()) + 2)
    from crmhub.progress import progress_for

    with progress_for("identity resolve").phase(f"resolve {len(df):,} {args.kind} records") as bar:
        res = resolve(df, args.kind)
        bar.advance(len(df))
    out = res.assignments()[["record_id", "cluster_id", "source_system"]]
    if "source_system" not in df.columns:
        out = out.drop(columns="source_system")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.output, index=False)
    if args.review_output:
        cols = columns_for(args.kind)
        args.review_output.parent.mkdir(parents=True, exist_ok=True)
        with args.review_output.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["score"] + [f"left_{c}" for c in cols] + [f"right_{c}" for c in cols]
                            + ["features", "proposed_cluster"])
            for p in res.review:
                writer.writerow([p.score] + [p.left[c] or "" for c in cols] + [p.right[c] or "" for c in cols]
                                + [json.dumps(p.features), p.proposed_cluster])
    clusters = len(set(res.cluster_ids))
    rate = res.expected_unmerged_duplicates / clusters if clusters else 0.0
    print(f"{len(out)} records -> {clusters} identities; {len(res.deterministic_links)} deterministic links; "
          f"{len(res.review)} candidate link(s) in {res.review_decisions} proposed cluster(s) for review; "
          f"candidate pairs {res.candidate_pairs}")
    load = res.reviewer_load()
    print(f"reviewer load: {load['review_decisions']} decision(s), {load['decisions_per_1000_records']} per 1,000 "
          f"records, {load['decisions_per_multi_record_identity']} per multi-record identity")
    print(f"estimated duplicate rate {100 * rate:.2f} % (target < {100 * DUPLICATE_RATE_TARGET:.0f} %: "
          f"{'met' if rate < DUPLICATE_RATE_TARGET else 'NOT met'})")
    return 0


def _run(args: argparse.Namespace) -> int:
    from crmhub.identity import store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        report = store.run_resolution(url, args.kind)
    print(store.dumps(report.as_dict()))
    return 0


def _unmerge(args: argparse.Namespace) -> int:
    from crmhub.identity import store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        out = store.unmerge(url, args.kind, args.merged_id, by=args.by, reason=args.reason)
    print(store.dumps(out))
    return 0


def _holds(args: argparse.Namespace) -> int:
    from crmhub.identity import store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        rows = store.list_holds(url, kind=args.kind, open_only=not args.all)
    print(store.dumps(rows))
    return 0


def _review_list(args: argparse.Namespace) -> int:
    from crmhub.identity import review, store
    from crmhub.warehouse import open_warehouse

    status = None if args.status == "all" else args.status
    with open_warehouse(args.url) as url:
        rows = review.list_clusters(url, kind=args.kind, status=status, score_min=args.min_score,
                                    score_max=args.max_score, source_system=args.source_system, owner=args.owner,
                                    limit=args.limit)
        _log_read(url, args.who, [m for r in rows for m in r["members"]], "crmhub review list")
    if args.json:
        print(store.dumps(rows))
        return 0
    if not rows:
        print(f"no {args.status} review clusters")
        return 0
    for r in rows:
        print(f"#{r['cluster_id']} {r['kind']} {r['size']} records  weakest link {r['score_min']:.3f}  "
              f"{r['status']}" + (f" by {r['decided_by']}" if r["decided_by"] else "")
              + f"  systems: {', '.join(r['source_systems'])}")
        for m in r["members"]:
            print(f"   [{m['source_system']}] {_describe(m['record'])}  ({m['id']})")
    return 0


def _describe(rec: dict) -> str:
    """A record's name (org) or person name; never an email, phone or tax id (those are masked in lists)."""
    return rec.get("name") or " ".join(x for x in (rec.get("first_name"), rec.get("last_name")) if x) or "?"


def _review_show(args: argparse.Namespace) -> int:
    from crmhub.identity import review, store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        cluster = review.show_cluster(url, args.cluster_id)
        _log_read(url, args.who, cluster["members"], f"crmhub review show {args.cluster_id}")
        print(store.dumps(cluster))
    return 0


def _log_read(url: str, who: str, members: list[dict], reason: str) -> None:
    """The members' record fields are printed unmasked: one access-log row per command."""
    from crmhub.security.access_log import record_access

    who = who or os.environ.get("CRMHUB_ACTOR") or getpass.getuser()
    record_access(url, who=who, table="review_clusters", fields=[k for m in members for k in m["record"]],
                  rows=len(members), reason=reason, via="cli")


def _review_decide(args: argparse.Namespace) -> int:
    from crmhub.identity import review, store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        if args.decision == "approve" and args.band is not None:
            out = review.approve_band(url, args.band, by=args.by, note=args.note)
        elif args.decision == "approve":
            out = review.approve(url, args.cluster_id, by=args.by, note=args.note)
        elif args.decision == "split":
            out = review.split(url, args.cluster_id, leaving=args.leaving, by=args.by, note=args.note)
        else:
            out = review.reject(url, args.cluster_id, by=args.by, note=args.note)
    print(store.dumps(out))
    return 0


def _review_sample(args: argparse.Namespace) -> int:
    from crmhub.identity import review, store
    from crmhub.warehouse import open_warehouse

    with open_warehouse(args.url) as url:
        out = review.sample_band(url, kind=args.kind, score_low=args.min_score, score_high=args.max_score, by=args.by,
                                 max_error_rate=args.max_error_rate, confidence=args.confidence)
    print(store.dumps(out))
    return 0


if __name__ == "__main__":  # pragma: no cover
    from crmhub.cli import main

    sys.exit(main(["identity", *sys.argv[1:]]))
