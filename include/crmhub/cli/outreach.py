"""``crmhub outreach run|pause|resume|status|teardown|control-report|promote|suppress|bulk-load|recover-stuck``.

Addresses are always masked in output (``teardown --unmask`` is the one explicit exception).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime

from crmhub import clock
from crmhub.cli._options import add_url_option
from crmhub.config import load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    out = subparsers.add_parser("outreach", help="investor-communication automations gated by Unleash flags")
    sub = out.add_subparsers(dest="outreach_command", metavar="ACTION", required=True)

    run = sub.add_parser("run", help="run automations (or preview them with --dry-run)")
    run.add_argument("--dry-run", action="store_true", help="decide and print what would be sent; send nothing")
    run.add_argument("--automation", metavar="NAME", help="only this automation (default: all)")
    run.add_argument("--approve", type=int, metavar="N", help="a human approved sending up to N beyond the cap")
    run.add_argument("--by", metavar="WHO", help="who approved (required with --approve; kept in ops.outreach_runs)")
    run.add_argument("--correction", type=int, metavar="ID",
                     help="send the queued correction ID (from `teardown --correct`) instead of trigger events")
    add_url_option(run)
    run.add_argument("--map", help="integration map (default: config/integration_map.yaml)")
    flags = run.add_argument_group("flags (default: offline from config/unleash_bootstrap.json)")
    flags.add_argument("--unleash-url", default=os.environ.get("CRMHUB_UNLEASH_URL"),
                       help="Unleash API URL, e.g. http://127.0.0.1:4242/api ($CRMHUB_UNLEASH_URL)")
    flags.add_argument("--unleash-environment", default="development")
    flags.add_argument("--bootstrap", help="bootstrap JSON for offline flags")
    smtp = run.add_argument_group("SMTP (required unless --dry-run); password from $CRMHUB_SMTP_PASSWORD")
    smtp.add_argument("--smtp-host")
    smtp.add_argument("--smtp-port", type=int, default=25)
    smtp.add_argument("--smtp-user")
    smtp.add_argument("--smtp-from")
    smtp.add_argument("--smtp-starttls", action="store_true", help="STARTTLS, verified against the system CAs")
    smtp.add_argument("--smtp-ssl", action="store_true", help="implicit TLS (port 465), verified")
    smtp.add_argument("--smtp-ca-file", metavar="PEM", help="verify the server against this CA instead")
    run.set_defaults(func=_run)

    for action, helptext in (("pause", "pause an automation (or --all); takes effect before the next send batch"),
                             ("resume", "resume an automation (or --all)")):
        p = sub.add_parser(action, help=helptext)
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("name", nargs="?", metavar="NAME")
        target.add_argument("--all", action="store_true", help="every automation")
        p.add_argument("--by", required=True, metavar="WHO", help="who is doing this (kept in ops.outreach_state)")
        p.add_argument("--reason", default=f"manual {action}")
        add_url_option(p)
        p.add_argument("--map")
        p.set_defaults(func=_pause if action == "pause" else _resume)

    st = sub.add_parser("status", help="pause state, mode and outbox counts per automation")
    add_url_option(st)
    st.add_argument("--map")
    st.add_argument("--control-list", action="store_true", help="count only messages to the control list")
    st.set_defaults(func=_status)

    cr = sub.add_parser("control-report", help="what each control LP received from an automation's current version")
    cr.add_argument("name", metavar="NAME")
    cr.add_argument("--unmask", action="store_true", help="show full addresses")
    add_url_option(cr)
    cr.add_argument("--map")
    cr.set_defaults(func=_control_report)

    pr = sub.add_parser("promote", help="confirm the control sends and promote an automation to its flag rollout")
    pr.add_argument("name", metavar="NAME")
    pr.add_argument("--by", required=True, metavar="WHO", help="who checked the control sends (kept)")
    pr.add_argument("--note", help="what was checked")
    add_url_option(pr)
    pr.add_argument("--map")
    pr.set_defaults(func=_promote)

    td = sub.add_parser("teardown", help="who received what in a time window (masked unless --unmask)")
    td.add_argument("--automation", required=True, metavar="NAME")
    td.add_argument("--since", required=True, metavar="T", help="ISO time, e.g. 2026-11-29T08:00Z")
    td.add_argument("--until", metavar="T", help="ISO time (default: now)")
    td.add_argument("--csv", metavar="PATH", help="also write the list as CSV")
    td.add_argument("--unmask", action="store_true", help="show full addresses (for the apology mail-merge)")
    td.add_argument("--control-list", action="store_true", help="only messages to the control list")
    td.add_argument("--correct", action="store_true",
                    help="queue the automation's correction message to exactly these recipients (needs --by)")
    td.add_argument("--by", metavar="WHO", help="who asks for the correction (kept)")
    td.add_argument("--reason", help="why (kept with the correction)")
    td.add_argument("--map")
    add_url_option(td)
    td.set_defaults(func=_teardown)

    sp = sub.add_parser("suppress", help="add an address to the suppression list (opt-out, bounce)")
    sp.add_argument("email")
    sp.add_argument("--reason", required=True)
    sp.add_argument("--by", default="crmhub")
    add_url_option(sp)
    sp.set_defaults(func=_suppress)

    bl = sub.add_parser("bulk-load", help="flag a load as a bulk import: its changes never trigger outreach")
    bl.add_argument("load_id")
    bl.add_argument("--reason", required=True)
    bl.add_argument("--by", default="crmhub")
    add_url_option(bl)
    bl.set_defaults(func=_bulk_load)

    rs = sub.add_parser("recover-stuck", help="mark messages left in 'sending' by a dead sender as 'unknown'")
    rs.add_argument("--older-than", type=float, default=900, metavar="SECONDS")
    add_url_option(rs)
    rs.set_defaults(func=_recover)


def _automations(map_path: str | None):
    from crmhub.outreach import load_automations

    imap = load_integration_map(map_path)
    return imap, load_automations(imap)


def _check_name(name: str, automations: dict) -> None:
    if name not in automations:
        known = ", ".join(sorted(automations)) or "(none configured)"
        raise CrmHubError(f"unknown automation {name!r}; configured in integration_map.yaml: {known}")


def _automation(map_path: str | None, name: str):
    """``(map, automation name)``; an unknown name raises CrmHubError listing the configured ones."""
    imap, automations = _automations(map_path)
    _check_name(name, automations)
    return imap, automations[name]


def _target(args: argparse.Namespace) -> str:
    """What pause/resume act on: every automation (``--all``) or ``--name``, checked against the map."""
    from crmhub.outreach.state import ALL

    _imap, automations = _automations(args.map)
    target = ALL if args.all else args.name
    if target != ALL:
        _check_name(target, automations)
    return target


def _run(args: argparse.Namespace) -> int:
    from crmhub.outreach import FlagGate, OutreachEngine, SmtpSettings
    from crmhub.outreach.control import control_emails
    from crmhub.outreach.masking import mask_email
    from crmhub.outreach.tasks import warehouse_health

    if args.approve is not None and not args.by:
        raise CrmHubError("--approve needs --by WHO: the person who approved sending beyond the cap")
    imap, automations = _automations(args.map)
    names = list(automations)
    if args.correction is not None and not args.automation:
        raise CrmHubError("--correction needs --automation NAME")
    if args.automation:
        _check_name(args.automation, automations)
        names = [args.automation]
    smtp = None
    if not args.dry_run:
        if not (args.smtp_host and args.smtp_from):
            raise CrmHubError("a real run needs --smtp-host and --smtp-from (or use --dry-run to preview)")
        smtp = SmtpSettings(host=args.smtp_host, port=args.smtp_port, from_addr=args.smtp_from,
                            username=args.smtp_user, password=os.environ.get("CRMHUB_SMTP_PASSWORD"),
                            starttls=args.smtp_starttls, use_ssl=args.smtp_ssl, ca_file=args.smtp_ca_file)
    if args.unleash_url:
        gate = FlagGate.online(args.unleash_url, os.environ.get("CRMHUB_UNLEASH_TOKEN"),
                               environment=args.unleash_environment)
        source = f"Unleash at {args.unleash_url}"
    else:
        gate = FlagGate.offline(args.bootstrap)
        source = f"bootstrap file {args.bootstrap or 'config/unleash_bootstrap.json'}"
    print(f"flags from {source}{' (dry run: nothing is sent)' if args.dry_run else ''}")
    try:
        with open_warehouse(args.url) as url:
            engine = OutreachEngine(url, automations, imap.people, gate, smtp, health_check=warehouse_health(url, imap),
                                    control_list=control_emails(imap))
            for name in names:
                result = engine.run(name, dry_run=args.dry_run, approved_count=args.approve, approved_by=args.by,
                                    correction_id=args.correction)
                print(f"{name}: {result.outcome} ({result.mode} mode); events {result.events}, eligible {result.eligible}, "
                      f"cap {result.cap} (audience {result.audience_size}), "
                      f"{'would send' if args.dry_run else 'sent'} {result.queued if args.dry_run else result.sent}, "
                      f"pending {result.pending}")
                for reason, n in sorted(result.reasons.items()):
                    print(f"  {n:6d}  {reason}")
                for row in result.would_send:
                    print(f"  would send to {row['recipient']} (owner {row['owner']}): {row['subject']}")
                if not args.dry_run and result.sent_contacts:
                    with connect(url) as conn:
                        for (recipient,) in conn.execute(
                            "SELECT recipient FROM ops.outbox WHERE run_id = %s AND status = 'sent' ORDER BY outbox_id",
                            (result.run_id,),
                        ):
                            print(f"  sent to {mask_email(recipient)}")
    finally:
        gate.close()
    return 0


def _pause(args: argparse.Namespace) -> int:
    from crmhub.outreach.state import ALL, pause

    target = _target(args)
    with open_warehouse(args.url) as url, connect(url) as conn:
        pause(conn, target, by=args.by, reason=args.reason)
    print(f"paused {'every automation' if target == ALL else target} (by {args.by}); "
          "running senders stop before their next batch")
    return 0


def _resume(args: argparse.Namespace) -> int:
    from crmhub.outreach.state import ALL, resume

    target = _target(args)
    with open_warehouse(args.url) as url, connect(url) as conn:
        resume(conn, target, by=args.by)
    print(f"resumed {'every automation' if target == ALL else target} (by {args.by})")
    return 0


def _status(args: argparse.Namespace) -> int:
    from crmhub.outreach import outbox
    from crmhub.outreach.control import control_emails, mode
    from crmhub.outreach.state import pause_state

    imap, automations = _automations(args.map)
    only = control_emails(imap) if args.control_list else None
    with open_warehouse(args.url) as url, connect(url) as conn:
        for name, auto in automations.items():
            state = pause_state(conn, name)
            counts = outbox.counts(conn, name, recipients=only)
            flag = f"{mode(conn, auto)} mode; flag {auto.flag}"
            paused = f"PAUSED by {state.paused_by} ({state.reason})" if state.paused else "active"
            tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "outbox empty"
            print(f"{name}: {paused}; {flag}; {tally}{' (control list only)' if only is not None else ''}")
    return 0


def _control_report(args: argparse.Namespace) -> int:
    from crmhub.outreach.control import control_emails, control_report, fingerprint, mode
    from crmhub.outreach.masking import mask_email

    imap, auto = _automation(args.map, args.name)
    members = control_emails(imap)
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = control_report(conn, auto, unmask=True)
        current = mode(conn, auto)
    print(f"{args.name} version {fingerprint(auto)}: {current} mode; {len(rows)} control message(s)")
    by_member = {m: [r for r in rows if r.recipient.strip().lower() == m] for m in members}
    for member, received in by_member.items():
        shown = member if args.unmask else mask_email(member)
        if not received:
            print(f"  {shown}: nothing yet")
        for r in received:
            when = f"{r.sent_at:%Y-%m-%d %H:%M}" if r.sent_at else "-"
            print(f"  {shown}: {r.status} {when} {r.subject!r} {r.message_id}")
    return 0


def _promote(args: argparse.Namespace) -> int:
    from crmhub.outreach.control import fingerprint, promote

    _imap, auto = _automation(args.map, args.name)
    with open_warehouse(args.url) as url, connect(url) as conn:
        sent = promote(conn, auto, args.by, note=args.note)
    print(f"{args.name} version {fingerprint(auto)} promoted to its flag rollout by {args.by} "
          f"({sent} control message(s) confirmed)")
    return 0


def _parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CrmHubError(f"not an ISO time: {text!r} (use e.g. 2026-11-29T08:00Z)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _teardown(args: argparse.Namespace) -> int:
    from crmhub.outreach.control import control_emails
    from crmhub.outreach.teardown import deliveries, write_csv

    since = _parse_time(args.since)
    until = _parse_time(args.until) if args.until else clock.now()
    only = control_emails(load_integration_map(args.map)) if args.control_list else None
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = deliveries(conn, args.automation, since, until, unmask=args.unmask, recipients=only)
    print(f"{args.automation}: {len(rows)} message(s) between {since.isoformat()} and {until.isoformat()}")
    for row in rows:
        note = "" if row.status == "sent" else "  (status unknown: maybe delivered)"
        print(f"  {row.sent_at:%Y-%m-%d %H:%M:%S}  {row.recipient}  owner {row.owner}  {row.subject}{note}")
    if args.csv:
        print(f"written {write_csv(rows, args.csv)}")
    if args.correct:
        _queue_correction(args, since, until)
    return 0


def _queue_correction(args: argparse.Namespace, since: datetime, until: datetime) -> None:
    from crmhub.outreach.teardown import queue_correction

    if args.control_list:
        raise CrmHubError("--correct goes to every recipient of the misfire; drop --control-list")
    _imap, auto = _automation(args.map, args.automation)
    with open_warehouse(args.url) as url, connect(url) as conn:
        fix = queue_correction(conn, auto, since, until, by=args.by or "",
                               reason=args.reason)
    print(f"correction {fix.correction_id} queued for {fix.recipients} recipient(s) by {args.by}; send it with "
          f"`crmhub outreach run --automation {args.automation} --correction {fix.correction_id} ...` "
          "(health gate, cap and approval apply)")


def _suppress(args: argparse.Namespace) -> int:
    from crmhub.outreach.masking import mask_email
    from crmhub.outreach.state import suppress

    with open_warehouse(args.url) as url, connect(url) as conn:
        suppress(conn, args.email, args.reason, by=args.by)
    print(f"suppressed {mask_email(args.email.strip().lower())} ({args.reason})")
    return 0


def _bulk_load(args: argparse.Namespace) -> int:
    from crmhub.outreach.state import flag_bulk_load

    with open_warehouse(args.url) as url, connect(url) as conn:
        flag_bulk_load(conn, args.load_id, args.reason, by=args.by)
    print(f"load {args.load_id} flagged as bulk import: its changes never trigger outreach")
    return 0


def _recover(args: argparse.Namespace) -> int:
    from crmhub.outreach.outbox import recover_stuck

    with open_warehouse(args.url) as url, connect(url) as conn:
        n = recover_stuck(conn, args.older_than)
    print(f"{n} message(s) marked 'unknown' (check the mail server log by Message-ID; never re-sent)")
    return 0
