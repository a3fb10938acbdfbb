"""The flag's ``userId`` is the contact's relationship owner as the CRM names it (``hubspot_owner_id``), end to end:
CRM contact rows -> ingest -> ``core.contact.owner`` -> the outreach engine's flag context and Reply-To."""

from __future__ import annotations

import dataclasses

from outreach_support import promoted_engine

from crmhub.ingest.loader import ingest_file
from crmhub.outreach.rules import Cap

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"
HEADER = ("id,firstname,lastname,email,phone,company,jobtitle,country,lp_stage,interested,hs_email_verified,"
          "hubspot_owner_id,lastmodifieddate,archived\n")


class RecordingGate:
    """The offline gate, remembering each context it was asked about."""

    def __init__(self, gate):
        self.gate, self.contexts = gate, []

    def decide(self, flag, context):
        self.contexts.append(context)
        return self.gate.decide(flag, context)


def _rows(owner_ids: list[str], interested: str, ts: str) -> str:
    return "".join(f"{700 + i},Ann{i},Lee,ann{i}@harbor.example,,Harbor Capital LP,CIO,US,prospect,{interested},true,"
                   f"{owner},{ts},false\n" for i, owner in enumerate(owner_ids))


def test_flag_context_and_reply_to_are_the_crm_contact_owner(db, imap, automations, make_gate, smtp_sink,
                                                             smtp_settings, tmp_path):
    crm = dataclasses.replace(imap.connector("crm_contacts"),
                              source={"kind": "csv", "path": "x.csv", "delimiter": ",", "encoding": "utf-8"})
    crm_id = {pid: p["crm_owner_id"] for pid, p in imap.people.items() if p.get("crm_owner_id")}
    owner_ids = [crm_id["luis.romero"], crm_id["mei.tanaka"], ""]           # the last one: no contact owner
    (tmp_path / "a.csv").write_text(HEADER + _rows(owner_ids, "false", "2026-11-01T10:00:00Z"))
    (tmp_path / "b.csv").write_text(HEADER + _rows(owner_ids, "true", "2026-11-01T11:00:00Z"))
    for name in ("a.csv", "b.csv"):
        ingest_file(db, crm, tmp_path / name)

    gate = RecordingGate(make_gate({FLAG: 100}))
    autos = {NAME: dataclasses.replace(automations[NAME], cap=Cap(1000, 100))}
    result = promoted_engine(db, autos, imap, gate, smtp_settings).run(NAME)

    assert result.sent == 3, result
    asked: dict[str, set] = {}
    for context in gate.contexts:                          # asked when screened and again before sending
        asked.setdefault(context["properties"]["contactId"], set()).add(context["userId"])
    assert sorted(map(sorted, asked.values())) == [["luis.romero"], ["marcus.lee"], ["mei.tanaka"]]
    replies = {m["to"]: m["reply_to"] for m in smtp_sink.messages}
    assert replies["ann0@harbor.example"] == "luis.romero@firm.example"
    assert replies["ann1@harbor.example"] == "mei.tanaka@firm.example"
