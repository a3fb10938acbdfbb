"""Every ``crmhub`` sub-command (and its actions) prints its help: argparse formats help lazily, so a bad
help string (a bare ``%``) only fails when someone asks for help."""

from __future__ import annotations

import argparse

import pytest

from crmhub.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*prefix, name))
    return found


COMMANDS = _commands(build_parser())


def test_every_registered_module_adds_commands() -> None:
    top = {c[0] for c in COMMANDS if c}
    assert {"db", "ingest-file", "backfill", "identity", "health", "reconcile", "rev-etl", "outreach"} <= top


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "crmhub")
def test_help_renders(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        args = build_parser().parse_args([*command, "--help"])
        args.func(args)  # a command that hands its arguments on (crm-sandbox) prints its help when it runs
    assert exc.value.code == 0
    assert "usage: crmhub" in capsys.readouterr().out
