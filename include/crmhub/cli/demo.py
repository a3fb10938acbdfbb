"""``crmhub demo``: the main job end to end on the embedded default; ``crmhub airflow``: run Airflow.

``demo`` starts the warehouse (embedded PostgreSQL unless ``$CRMHUB_WAREHOUSE_URL`` is set), migrates
it, writes the demo data, runs every crmhub DAG through Airflow itself (``airflow dags test``), and
prints a one-screen report. The embedded server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from crmhub import clock, report, settings
from crmhub.airflow_env import airflow_env, dag_ids, write_pools_file
from crmhub.demo_data import generate
from crmhub.demo_data.generator import CONTROL_CONTACT
from crmhub.demo_services import (
    control_send_and_promote,
    invoice_change_story,
    lp_contacts_to_mark,
    mark_interested_by_hand,
    simulate_crm_activity,
    start_demo_services,
    write_demo_bootstrap,
)
from crmhub.exceptions import CrmHubError
from crmhub.ops.closeout import owner_closeout
from crmhub.security.audit import audit
from crmhub.security.policy import load_policy
from crmhub.security.provision import provision, role_url
from crmhub.warehouse import connect, upgrade
from crmhub.warehouse.embedded import EmbeddedPostgres

LOGICAL_DATE = "2026-11-01T09:00:00+00:00"


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run every crmhub DAG on demo data (embedded PostgreSQL by default)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--scale", type=int, default=1)
    demo.add_argument("--dag", action="append", help="run only this DAG id (repeatable)")
    demo.add_argument("--keep", action="store_true",
                      help="keep the embedded warehouse's data from earlier demos (default: start empty)")
    demo.set_defaults(func=run_demo)
    af = subparsers.add_parser("airflow", help="run Airflow standalone (UI on localhost:8080) against the warehouse")
    af.add_argument("--port", type=int, default=8080)
    af.set_defaults(func=run_airflow)
    pools = subparsers.add_parser("airflow-pools", help="write the Airflow pools file (crmhub_critical, crmhub_default)")
    pools.add_argument("--out", type=Path, required=True, help="file for `airflow pools import`")
    pools.set_defaults(func=_write_pools)
    rep = subparsers.add_parser("report", help="print the operations report for the warehouse")
    rep.add_argument("--url")
    rep.add_argument("--html", metavar="OUT", help="write the KPI report as HTML (PNG charts in OUT's *_charts/)")
    rep.add_argument("--weekly", action="store_true", help="with --html: the last 7 full days (data-health dashboard)")
    rep.add_argument("--through", metavar="DAY", help="with --html: last day of the 7 (YYYY-MM-DD or 'today'; "
                     "default: yesterday, the last full day)")
    rep.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    url = args.url or _require_url()
    if not args.html:
        if args.weekly:
            raise CrmHubError("--weekly needs --html OUT (the text report is a snapshot, not a week)")
        print(report.render(url))
        return 0
    from crmhub.config import load_integration_map
    from crmhub.kpi.html import weekly_report

    today = None
    if args.through:
        through = clock.now().date() if args.through == "today" else date.fromisoformat(args.through)
        today = through + timedelta(days=1)
    data = weekly_report(url, Path(args.html), load_integration_map(), today=today)
    print(f"wrote {args.html} ({data.start} – {data.end})")
    return 0


def _require_url() -> str:
    url = settings.warehouse_url()
    if not url:
        raise CrmHubError("set CRMHUB_WAREHOUSE_URL or pass --url (the embedded server runs only inside `crmhub demo`)")
    return url


def _start_warehouse(keep_running: bool, fresh: bool = False) -> tuple[str, str | None, EmbeddedPostgres | None]:
    url = settings.warehouse_url()
    if url:
        return url, None, None
    server = EmbeddedPostgres(keep_running=keep_running)
    url = server.recreate("crmhub") if fresh else server.start("crmhub")
    metadata = server.start("airflow")
    return url, metadata, server


def _airflow(env: dict, *args: str, log: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).with_name("airflow")), *args]
    if log is None:
        return subprocess.run(cmd, env=env, timeout=timeout, check=False, capture_output=True, text=True)
    with log.open("w") as fh:
        return subprocess.run(cmd, env=env, timeout=timeout, check=False, stdout=fh, stderr=subprocess.STDOUT,
                              text=True)


def _write_pools(args: argparse.Namespace) -> int:
    print(write_pools_file(args.out))
    return 0


def _migrate(env: dict) -> None:
    """``airflow db migrate``, then the pools crmhub's tasks run in (tasks in a missing pool never start)."""
    migrated = _airflow(env, "db", "migrate")
    if migrated.returncode != 0:
        raise CrmHubError(f"airflow db migrate failed:\n{migrated.stdout[-2000:]}{migrated.stderr[-2000:]}")
    pools = _airflow(env, "pools", "import", str(write_pools_file(Path(env["AIRFLOW_HOME"]) / "crmhub-pools.json")))
    if pools.returncode != 0:
        raise CrmHubError(f"airflow pools import failed:\n{pools.stdout[-2000:]}{pools.stderr[-2000:]}")


def _provision(url: str) -> dict[str, str]:
    """Roles, grants and masked views (migrations ran as the admin); Airflow tasks then use the app role."""
    provision(url)
    return load_policy().roles


def run_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    url, metadata, server = _start_warehouse(keep_running=False, fresh=not args.keep)
    services = None
    try:
        applied = upgrade(url)      # migrations and provisioning: the only work done as the admin
        roles = _provision(url)
        app_url = role_url(url, roles["app"])
        data_dir = settings.demo_data_dir()
        dataset = generate(data_dir, seed=args.seed, scale=args.scale)
        services = start_demo_services(url, data_dir, receiver_url=role_url(url, roles["webhook"]))
        env = airflow_env(app_url, metadata_url=metadata, data_dir=data_dir)
        env.update(services.connections)
        env.update(services.extra_env)
        env["CRMHUB_DISABLE_DEADLINES"] = "1"
        _migrate(env)
        logs = settings.home() / "demo-logs"
        logs.mkdir(parents=True, exist_ok=True)
        env["CRMHUB_UNLEASH_BOOTSTRAP"] = str(write_demo_bootstrap(settings.home() / "demo-unleash-bootstrap.json"))
        results = []
        activity = None
        invoice = None

        def cdc_again(cycle: int) -> None:
            t0 = time.monotonic()
            proc = _airflow(env, "dags", "test", "crmhub_cdc", LOGICAL_DATE, log=logs / f"crmhub_cdc-{cycle}.log")
            results.append((f"crmhub_cdc ({cycle}{'nd' if cycle == 2 else 'rd'} cycle)", proc.returncode == 0,
                            time.monotonic() - t0, f"crmhub_cdc-{cycle}"))

        for dag_id in args.dag or dag_ids():
            t0 = time.monotonic()
            proc = _airflow(env, "dags", "test", dag_id, LOGICAL_DATE, log=logs / f"{dag_id}.log")
            results.append((dag_id, proc.returncode == 0, time.monotonic() - t0, dag_id))
            if dag_id == "crmhub_reverse_etl" and proc.returncode == 0:
                # finance changes an invoice the CRM already shows: CDC read + push, timed end to end
                invoice = invoice_change_story(services, role_url(url, roles["app"]))
            if dag_id == "crmhub_ingest" and activity is None:
                activity = simulate_crm_activity(services, data_dir, genuine=0)
            elif dag_id == "crmhub_cdc" and activity is not None and "control" not in activity:
                # a later, ordinary change on a control-list contact: the next CDC cycle picks it up
                activity["control"] = mark_interested_by_hand(services, emails=[CONTROL_CONTACT[2]])
                cdc_again(2)
                # the IR owner tries the automation on the control list, checks it, promotes it (with who);
                # then a few contacts are marked interested by hand: crmhub_outreach mails those in rollout mode
                activity["promotions"] = control_send_and_promote(services, app_url,
                                                                  Path(env["CRMHUB_UNLEASH_BOOTSTRAP"]))
                activity["control_mails"] = sum(len(m["to"]) for m in services.mail.messages if m["outreach"])
                activity["genuine"] = mark_interested_by_hand(
                    services, emails=lp_contacts_to_mark(app_url, 3))
                cdc_again(3)
        print()
        print(f"crmhub demo — seed {args.seed}, scale {args.scale}, warehouse "
              f"{'embedded ' + str(server.pgdata) if server else 'from CRMHUB_WAREHOUSE_URL'}")
        print(f"   migrations newly applied: {len(applied)}; demo data: {dataset.root} "
              f"({sum(v for k, v in dataset.manifest['counts'].items() if not k.startswith('truth'))} source rows)")
        if activity:
            print(f"   CRM activity after the first sync: bulk import set interested on {activity['bulk_import']} "
                  f"contacts in one batch; after the first CDC cycle, {len(activity.get('control', []))} "
                  f"control-list contact marked interested; after the control step, "
                  f"{len(activity.get('genuine', []))} contacts marked interested by hand")
            _print_outreach_story(activity, services.mail.messages)
        _print_invoice_story(invoice)
        print("== DAG runs (airflow dags test)")
        for dag_id, ok, secs, log_name in results:
            print(f"   {dag_id:26} {'success' if ok else 'FAILED':8} {secs:6.1f}s   log: {logs / (log_name + '.log')}")
        if not results:
            print("   (no DAGs in dags/)")
        with connect(app_url) as conn:   # the on-call owners: acknowledge, resolve what has proof (crmhub.ops.closeout)
            owner_closeout(conn, settings.home() / "demo-proofs")
        print(report.render(app_url))
        findings = audit(app_url, connections={"crmhub_warehouse": env["CRMHUB_WAREHOUSE_URL"]})
        print("== Security audit: " + ("clean" if not findings else f"{len(findings)} finding(s)"))
        for finding in findings:
            print("   " + finding.render().replace("\n", "\n   "))
        print(f"== KPI report (7 days up to today, with charts): {_write_kpi_report(app_url)}")
        print(f"== done in {time.monotonic() - started:.0f}s")
        return 0 if all(ok for _, ok, _, _ in results) else 1
    finally:
        if services is not None:
            services.stop()
        if server is not None:
            server.stop()


def _print_outreach_story(activity: dict, messages: list[dict]) -> None:
    """The outreach story in numbers: control send, promotion (with who), mails to the hand-marked contacts."""
    from crmhub.outreach.masking import mask_email

    control = {e.lower() for e in activity.get("control", [])}
    genuine = set(activity.get("genuine", []))
    to = [r.lower() for m in messages for r in m["to"] if m.get("outreach")]   # not the owners' alerts
    before = to[:activity.get("control_mails", 0)]
    after = to[activity.get("control_mails", 0):]
    print(f"== Outreach story: control sends {sum(1 for r in before if r in control)} "
          f"(to {', '.join(sorted(mask_email(r) for r in set(before)))}), other mails before promotion "
          f"{sum(1 for r in before if r not in control)}")
    for p in activity.get("promotions", []):
        print(f"   promoted {p['automation']} by {p['promoted_by']} after {p['control_sends']} control send(s)")
    print(f"   after promotion: mailed {len(set(after) & genuine)} of {len(genuine)} hand-marked contacts, "
          f"{len(set(after) - genuine)} other recipients, {len(after)} messages")


def _print_invoice_story(invoice: dict | None) -> None:
    """The invoice flow in one line: billing change -> CRM company, with its end-to-end lag."""
    if invoice is None:
        print("== Invoice flow: no CRM company had an invoice status pushed (nothing to change)")
        return
    lag = "-" if invoice["lag_min"] is None else f"{invoice['lag_min'] * 60:.0f} s"
    print(f"== Invoice flow: billing set {invoice['invoice']} to {invoice['status']}; CRM company "
          f"{invoice['company']} invoice_status = {invoice['crm_value']} {lag} after the billing change "
          f"(SLA {invoice['sla']} 6 h)")


def _write_kpi_report(url: str) -> Path:
    from crmhub.config import load_integration_map
    from crmhub.kpi.html import weekly_report

    out = settings.home() / "reports" / "demo.html"
    weekly_report(url, out, load_integration_map(), today=clock.now().date() + timedelta(days=1))
    return out


def run_airflow(args: argparse.Namespace) -> int:
    url, metadata, server = _start_warehouse(keep_running=True)
    upgrade(url)
    env = airflow_env(role_url(url, _provision(url)["app"]), metadata_url=metadata)
    env["AIRFLOW__API__PORT"] = str(args.port)
    _migrate(env)
    print(f"Airflow UI: http://localhost:{args.port}  (login admin / admin); warehouse: {url}")
    print("Operations console: 'CRM Hub' in Airflow's navigation (steward / steward may act, viewer / viewer reads)")
    print("Stop with Ctrl-C, then `crmhub db stop` to stop the embedded PostgreSQL.")
    os.execve(env["PATH"].split(os.pathsep)[0] + "/airflow", ["airflow", "standalone"], env)
    return 0  # pragma: no cover
