"""``crmhub identity resolve|run|unmerge|holds`` and ``crmhub review list|approve|reject``.

``identity resolve`` works on files (no warehouse): canonical CSV in, ``record_id,cluster_id`` out, fuzzy
pairs to ``--review-output``. The other commands work on the warehouse (``--url`` or
``$CRMHUB_WAREHOUSE_URL``, else the embedded PostgreSQL).
"""

from __future__ import annotations

import argparse
import csv
import json
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

    review = subparsers.add_parser("review", help="the identity review queue: fuzzy pairs awaiting a human decision")
    rsub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    ls = rsub.add_parser("list", help="list queued pairs, highest score first")
    ls.add_argument("--kind", choices=KINDS)
    ls.add_argument("--status", choices=("pending", "approved", "rejected", "all"), default="pending")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_url_option(ls)
    ls.set_defaults(func=_review_list)
    for name, helptext in (("approve", "approve a pair: the two identities merge (the oldest id survives)"),
                           ("reject", "reject a pair: it never re-enters the queue")):
        p = rsub.add_parser(name, help=helptext)
        p.add_argument("review_id", type=int)
        p.add_argument("--reviewer", required=True, help="who decides (recorded with the time)")
        p.add_argument("--note")
        add_url_option(p)
        p.set_defaults(func=_review_decide, decision=name)


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
            writer.writerow(["score"] + [f"left_{c}" for c in cols] + [f"right_{c}" for c in cols] + ["features"])
            for p in res.review:
                writer.writerow([p.score] + [p.left[c] or "" for c in cols] + [p.right[c] or "" for c in cols]
                                + [json.dumps(p.features)])
    clusters = len(set(res.cluster_ids))
    rate = res.expected_unmerged_duplicates / clusters if clusters else 0.0
    print(f"{len(out)} records -> {clusters} identities; {len(res.deterministic_links)} deterministic links; "
          f"{len(res.review)} pair(s) for review; candidate pairs {res.candidate_pairs}")
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
    from crmhub.identity import store
    from crmhub.warehouse import open_warehouse

    status = None if args.status == "all" else args.status
    with open_warehouse(args.url) as url:
        rows = store.list_reviews(url, status=status, kind=args.kind, limit=args.limit)
    if args.json:
        print(store.dumps(rows))
        return 0
    if not rows:
        print(f"no {args.status} review pairs")
        return 0
    for r in rows:
        left, right = r["left_record"], r["right_record"]
        label = "name" if r["kind"] == "org" else "email"
        drivers = ", ".join(f"{d['comparison']}={d['level']} ({d['weight_bits']:+.1f})"
                            for d in r["features"].get("drivers", [])[:4])
        print(f"#{r['review_id']} {r['kind']} score={r['score']:.3f} {r['status']}"
              + (f" by {r['reviewer']}" if r["reviewer"] else ""))
        for side, rec in (("L", left), ("R", right)):
            desc = rec.get("name") or " ".join(x for x in (rec.get("first_name"), rec.get("last_name")) if x)
            print(f"   {side} [{rec.get('source_system')}] {desc} <{rec.get(label) or rec.get('domain') or ''}>")
        print(f"   drivers: {drivers}")
    return 0


def _review_decide(args: argparse.Namespace) -> int:
    from crmhub.identity import store
    from crmhub.warehouse import open_warehouse

    func = store.approve if args.decision == "approve" else store.reject
    with open_warehouse(args.url) as url:
        out = func(url, args.review_id, reviewer=args.reviewer, note=args.note)
    print(store.dumps(out))
    return 0


if __name__ == "__main__":  # pragma: no cover
    from crmhub.cli import main

    sys.exit(main(["identity", *sys.argv[1:]]))
