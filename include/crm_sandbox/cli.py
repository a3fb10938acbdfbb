"""``crm-sandbox`` (also ``crmhub crm-sandbox``): run the local HubSpot-format CRM sandbox (docs/crm_sandbox.md)."""

from __future__ import annotations

import argparse
import os
import sys

from crm_sandbox.faults import parse_rate_limit
from crm_sandbox.seed import load_seed_file, merge_seeds
from crm_sandbox.server import SandboxServer
from crmhub.exceptions import ConfigError, RejectedFileError


def build_parser(prog: str = "crm-sandbox") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Serve a HubSpot-format CRM (contacts, companies, deals, search, batch, associations, webhooks) "
                    "with fault injection, for tests, the demo, ingestion and reverse ETL.")
    p.add_argument("-v", "--verbose", action="store_true", help="uvicorn logs at INFO level")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="TCP port")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--state", metavar="PATH", help="persist state to this JSON file")
    state.add_argument("--state-url", metavar="POSTGRES_URL",
                       help="persist state in PostgreSQL (schema crm_sandbox, created on start)")
    p.add_argument("--state-schema", default="crm_sandbox", help="schema for --state-url (default crm_sandbox)")
    p.add_argument("--token", default=os.environ.get("CRMHUB_CRM_SANDBOX_TOKEN"),
                   help="require 'Authorization: Bearer TOKEN' (default $CRMHUB_CRM_SANDBOX_TOKEN; none = open)")
    p.add_argument("--rate-limit", metavar="N/Ss", help="rolling rate limit, e.g. 100/10s (HubSpot's)")
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests answered 502/503")
    p.add_argument("--slow-rate", type=float, default=0.0, help="share of API requests delayed by --slow-seconds")
    p.add_argument("--slow-seconds", type=float, default=2.0)
    p.add_argument("--drop-rate", type=float, default=0.0,
                   help="share of API requests whose connection is closed with no response (nothing applied)")
    p.add_argument("--drop-after-commit-rate", type=float, default=0.0,
                   help="share of API requests applied, then dropped before the response")
    p.add_argument("--fault-seed", type=int, help="seed for the fault generator (deterministic faults)")
    p.add_argument("--webhook-url", help="POST HubSpot-format change notifications here")
    p.add_argument("--webhook-secret", help="secret for X-HubSpot-Signature-v3 (required with --webhook-url)")
    p.add_argument("--seed-file", action="append", default=[], metavar="JSON|CSV|OBJECT=CSV",
                   help="load records at start (repeatable): a JSON export or one CSV per object")
    p.add_argument("--reset", action="store_true", help="clear persisted state before loading seeds")
    return p


def _faults(args: argparse.Namespace) -> dict:
    faults: dict = {"error_rate": args.fault_rate, "slow_rate": args.slow_rate, "slow_seconds": args.slow_seconds,
                    "drop_rate": args.drop_rate, "drop_after_commit_rate": args.drop_after_commit_rate}
    for knob in ("error_rate", "slow_rate", "drop_rate", "drop_after_commit_rate"):
        if not 0.0 <= faults[knob] <= 1.0:
            raise ConfigError("crm-sandbox options", [(f"--{knob.replace('_rate', '-rate').replace('_', '-')}",
                                                      "must be between 0 and 1")])
    if args.fault_seed is not None:
        faults["seed"] = args.fault_seed
    if args.rate_limit:
        try:
            parse_rate_limit(args.rate_limit)
        except ValueError as exc:
            raise ConfigError("crm-sandbox options", [("--rate-limit", str(exc))]) from None
        faults["rate_limit"] = args.rate_limit
    return faults


def _run(args: argparse.Namespace) -> int:
    if bool(args.webhook_url) != bool(args.webhook_secret):
        raise ConfigError("crm-sandbox options", [("--webhook-url/--webhook-secret", "give both or neither")])
    seed = merge_seeds([load_seed_file(s) for s in args.seed_file]) if args.seed_file else None
    server = SandboxServer(args.host, args.port, token=args.token, state=args.state, state_url=args.state_url,
                           schema=args.state_schema, faults=_faults(args), webhook_url=args.webhook_url,
                           webhook_secret=args.webhook_secret, log_level="info" if args.verbose else "warning")
    if args.reset:
        server.sandbox.run_write(server.sandbox.reset)
    if seed:
        loaded = server.load_seed(seed)
        print(f"crm-sandbox: loaded {loaded}", flush=True)
    print(f"crm-sandbox: serving {server.url} (state: {server.sandbox.backend.description})", flush=True)
    server.serve()
    return 0


def main(argv: list[str] | None = None, prog: str = "crm-sandbox") -> int:
    """Parse ``argv`` and serve; a bad option or seed prints one message and returns 2."""
    args = build_parser(prog).parse_args(argv)
    try:
        return _run(args)
    except (ConfigError, RejectedFileError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
