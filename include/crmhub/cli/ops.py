"""``crmhub ops freeze|thaw|go-live|status|drill``: the go-live day's switches (docs/operations.md)."""

from __future__ import annotations

import argparse
import json

from crmhub.cli._options import add_url_option
from crmhub.ops import golive
from crmhub.safety import freeze
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ops", help="operations: freeze/thaw everything, go-live mode, status, drill")
    sub = parser.add_subparsers(dest="ops_command", metavar="ACTION", required=True)
    fr = sub.add_parser("freeze", help="stop every connector, push and automation at its next batch")
    fr.add_argument("--all", action="store_true", required=True, help="everything (the only scope here; "
                    "one connector: `crmhub connector freeze`, one automation: `crmhub outreach pause`)")
    fr.add_argument("--reason", required=True)
    fr.add_argument("--by", required=True, help="who freezes")
    add_url_option(fr)
    fr.set_defaults(func=_freeze)
    th = sub.add_parser("thaw", help="lift the freeze-all (per-connector freezes and outreach pauses stay)")
    th.add_argument("--all", action="store_true", required=True)
    th.add_argument("--reason", default="thawed")
    th.add_argument("--by", required=True)
    add_url_option(th)
    th.set_defaults(func=_thaw)
    gl = sub.add_parser("go-live", help="suspend non-critical connectors, pushes and automations for a window")
    gl.add_argument("--hours", type=float, default=golive.DEFAULT_HOURS)
    gl.add_argument("--reason", default="go-live")
    gl.add_argument("--by", required=True)
    gl.add_argument("--end", action="store_true", help="end the window in force now")
    add_url_option(gl)
    gl.set_defaults(func=_go_live)
    st = sub.add_parser("status", help="freeze state, go-live window, what is stopped and why")
    st.add_argument("--json", action="store_true")
    add_url_option(st)
    st.set_defaults(func=_status)
    dr = sub.add_parser("drill", help="restore drill on a scratch database: load, snapshot, bad load, revert, "
                        "restore; prints each step's time and whether core is identical")
    dr.add_argument("--rows", type=int, default=5000, help="records per load (default 5000)")
    dr.add_argument("--by", default="crmhub-drill")
    dr.add_argument("--keep", action="store_true", help="keep the scratch database")
    dr.add_argument("--json", action="store_true")
    add_url_option(dr)
    dr.set_defaults(func=_drill)


def _freeze(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        state = freeze.freeze_all(conn, args.reason, args.by)
    print(f"everything frozen by {state.actor} at {state.at:%Y-%m-%d %H:%M:%S %Z}: {state.reason}\n"
          "running loads, pushes and sends stop at their next batch; resume with "
          "`crmhub ops thaw --all --by WHO`")
    return 0


def _thaw(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        was = freeze.freeze_state(conn)
        state = freeze.thaw_all(conn, args.reason, args.by)
    print(f"everything thawed by {state.actor} at {state.at:%Y-%m-%d %H:%M:%S %Z} (frozen since "
          f"{was.at:%Y-%m-%d %H:%M} by {was.actor}: {was.reason})" if was.frozen else "nothing was frozen")
    return 0


def _go_live(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map

    with open_warehouse(args.url) as url, connect(url) as conn:
        if args.end:
            window = golive.end_go_live(conn, by=args.by)
            print(f"go-live window #{window.window_id} ended by {args.by}" if window else "no go-live window in force")
            return 0
        window = golive.start_go_live(conn, args.hours, by=args.by, reason=args.reason)
        held = golive.suspended(conn, load_integration_map())
    print(f"go-live window #{window.window_id}: {window.starts_at:%Y-%m-%d %H:%M} -> {window.ends_at:%Y-%m-%d %H:%M %Z}"
          f" (by {window.started_by})")
    for kind, names in held.items():
        print(f"  suspended {kind}s: {', '.join(names) or '-'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map

    with open_warehouse(args.url) as url, connect(url) as conn:
        data = golive.status(conn, load_integration_map())
    if args.json:
        print(json.dumps(data, default=str, indent=2))
        return 0
    fz = data["freeze"]
    print(f"freeze-all: {'FROZEN by ' + fz['by'] + ' at ' + fz['at'] + ': ' + fz['reason'] if fz['frozen'] else 'off'}")
    gl = data["go_live"]
    print("go-live:    " + (f"#{gl['window_id']} until {gl['ends_at']} (by {gl['started_by']})" if gl else "off"))
    for kind, names in data["suspended"].items():
        print(f"  suspended {kind}s: {', '.join(names) or '-'}")
    for row in data["frozen_connectors"]:
        print(f"  connector {row['connector']} frozen by {row['frozen_by']}: {row['reason']}")
    for row in data["paused_automations"]:
        print(f"  automation {row['automation']} paused by {row['paused_by']}: {row['reason']}")
    return 0


def _drill(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map
    from crmhub.ops.drill import run_drill

    def echo(step) -> None:
        if not args.json:
            same = {True: "identical", False: "DIFFERENT", None: ""}[step.identical]
            print(f"{step.name:36} {step.seconds:8.2f} s  {same:10} {step.note}", flush=True)

    with open_warehouse(args.url) as url:
        result = run_drill(url, load_integration_map(), rows=args.rows, by=args.by, keep=args.keep, echo=echo)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        total = sum(s.seconds for s in result.steps)
        print(f"drill {'PASSED' if result.passed else 'FAILED'} in {total:.1f} s (scratch database {result.database}"
              f"{', kept' if args.keep else ', dropped'})")
    return 0 if result.passed else 1
