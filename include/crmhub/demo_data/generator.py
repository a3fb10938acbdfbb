"""Generate messy PE data for every source of the integration map, plus the ground truth.

What the seeds warn about is planted at known rates and recorded in ``manifest.json``:
the same LP spelled several ways ("Harbor Capital LP" / "Harbor Capital, LP"), shared emails and tax
IDs across systems, nulls and illegal values, stale CRM records, and one bulk-import batch that
wrongly sets ``interested`` on many contacts. CRM contacts carry a contact owner (``hubspot_owner_id``): each
organisation's relationship sits with one of the firm's relationship owners (the integration map's people with
a ``crm_owner_id``), a few contacts have none. About half the LPs have a CRM deal, associated with the LP's CRM
company (``crm/deal_associations.csv``, deal -> company as the CRM sandbox's seed takes it); a deal at ``accepted``
or ``closed`` belongs to an onboarded LP, whose one CRM company has its web domain and its tax id (the key billing
links invoices by), the others wait at ``soft_circle`` (planted ``crm.deal_awaiting_onboarding``). Output is
byte-identical for a given seed, scale and owner ids.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmhub.demo_data import vocab

AS_OF = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
STAGES = ["prospect", "contacted", "interested", "due_diligence", "soft_circle", "accepted", "closed"]  # the map's
#: The first stage of a commitment (the LP signed; billing invoices it): the map's ``missing_fields.from_stage``.
COMMITTED_STAGE = "accepted"
#: Planted rates (share of rows) per file; tests and benchmarks read them back from the manifest.
RATES = {
    "fund_admin.email_null": 0.015,
    "fund_admin.email_illegal": 0.008,
    "fund_admin.amount_illegal": 0.005,
    "crm.duplicate_contact": 0.04,
    "crm.stale_contact": 0.05,
    "crm.bulk_import_share": 0.4,
    "crm.no_contact_owner": 0.05,
}
FILES = {
    "fund_admin": "fund_admin/lp_contacts.csv",
    "crm_contacts": "crm/contacts.csv",
    "crm_companies": "crm/companies.csv",
    "crm_deals": "crm/deals.csv",
    "crm_deal_associations": "crm/deal_associations.csv",
    "crm_bulk_import": "crm/bulk_import_interested.csv",
    "billing": "billing/invoices.csv",
    "cdp": "cdp/events.csv",
    "truth_entities": "truth/entities.csv",
    "truth_contacts": "truth/contacts.csv",
}
#: The demo's control-list member in the CRM (first name, last name, email; on config's outreach.control_list).
CONTROL_CONTACT = ("Friendly", "Tester", "friendly.lp@lp.example")
HEADERS = {
    "fund_admin": ["external_id", "first_name", "last_name", "email", "company", "amount", "updated_at"],
    "crm_contacts": ["id", "firstname", "lastname", "email", "phone", "company", "jobtitle", "country", "lp_stage",
                     "interested", "hs_email_verified", "hubspot_owner_id", "lastmodifieddate", "archived"],
    "crm_companies": ["id", "name", "domain", "entity_type", "tax_id", "city", "country", "hs_lastmodifieddate",
                      "archived"],
    "crm_deals": ["id", "dealname", "dealstage", "amount", "deal_currency_code", "pipeline", "hs_lastmodifieddate",
                  "archived"],
    # each deal's association with its company (the CRM's default deal -> company type), as the sandbox's seed
    # takes associations
    "crm_deal_associations": ["from_object", "from_id", "to_object", "to_id"],
    "billing": ["invoice_id", "lp_external_id", "customer_tax_id", "fund_name", "amount", "currency", "invoice_status",
                "issued_on", "updated_at"],
    "cdp": ["event_id", "email", "event_type", "behavioral_score", "occurred_at"],
}


@dataclass
class Org:
    key: str
    entity_type: str
    stem: str
    kind: str
    legal: str
    domain: str
    tax_id: str
    city: str
    country: str

    @property
    def name(self) -> str:
        return f"{self.stem} {self.kind}" + (f" {self.legal}" if self.legal else "")


@dataclass
class Person:
    key: str
    org: Org
    first: str
    last: str
    email: str
    phone: str
    title: str
    verified: bool


@dataclass
class DemoDataset:
    """Where the files went and what was planted."""

    root: Path
    files: dict[str, Path]
    manifest: dict = field(default_factory=dict)


class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.paths: dict[str, Path] = {}

    def write(self, key: str, header: list[str], rows: list[list]) -> None:
        path = self.root / FILES[key]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        self.paths[key] = path


def _ts_variants(rng: random.Random, when: datetime) -> str:
    """The fund admin writes timestamps in whatever format its export uses that day."""
    style = rng.random()
    if style < 0.55:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.75:
        return when.strftime("%m/%d/%Y %H:%M")
    if style < 0.9:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    return str(int(when.timestamp() * 1000))


def _money_variants(rng: random.Random, amount: int) -> str:
    style = rng.random()
    if style < 0.4:
        return f"${amount:,.2f}"
    if style < 0.6:
        return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"
    if style < 0.8:
        return f"USD {amount:,}"
    return str(amount)


def _name_variant(rng: random.Random, org: Org) -> str:
    """Same organisation, spelled as another system's user typed it."""
    name = f"{org.stem} {org.kind}"
    if rng.random() < 0.3:
        for full, short in vocab.ABBREVIATIONS.items():
            name = name.replace(full, short)
    if org.legal:
        variant = rng.choice(vocab.LEGAL_VARIANTS.get(org.legal, [org.legal]))
        name = name + variant if variant.startswith(",") else f"{name} {variant}"
    if rng.random() < 0.15:
        name = name.upper()
    elif rng.random() < 0.1:
        name = name.lower()
    return name


def _make_orgs(rng: random.Random, scale: int) -> list[Org]:
    counts = {"lp": 60 * scale, "gp": 8 * scale, "portfolio_company": 20 * scale, "advisor": 6 * scale}
    used: set[str] = set()
    orgs: list[Org] = []
    for entity_type, count in counts.items():
        for _ in range(count):
            while True:
                stem = rng.choice(vocab.ORG_STEMS)
                if rng.random() < 0.5:
                    stem = f"{stem} {rng.choice(vocab.ORG_STEMS)}"
                kind = rng.choice(vocab.ORG_KINDS[entity_type])
                if (stem, kind) not in used:
                    used.add((stem, kind))
                    break
            legal = rng.choice(vocab.LEGAL[entity_type])
            city, country = rng.choice(vocab.CITIES)
            domain = (stem + kind.split()[0]).lower().replace(" ", "") + rng.choice([".com", ".com", ".co", ".org"])
            tax_id = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
            orgs.append(Org(f"E{len(orgs) + 1:06d}", entity_type, stem, kind, legal, domain, tax_id, city, country))
    # The playbook's own example leads the list so the demo shows it.
    orgs[0].stem, orgs[0].kind, orgs[0].legal, orgs[0].domain = "Harbor", "Capital", "LP", "harborcapital.com"
    return orgs


def _make_people(rng: random.Random, orgs: list[Org]) -> list[Person]:
    people: list[Person] = []
    for org in orgs:
        for _ in range(rng.randint(1, 4) if org.entity_type == "lp" else rng.randint(1, 2)):
            first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
            if rng.random() < 0.08:
                email = f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(vocab.FREE_MAIL)}"
            else:
                email = f"{first[0].lower()}{last.lower()}{len(people) % 97}@{org.domain}"
            phone = f"+1 ({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
            people.append(Person(f"P{len(people) + 1:07d}", org, first, last, email, phone,
                                 rng.choice(vocab.TITLES), rng.random() < 0.85))
    return people


def map_owner_ids() -> list[str]:
    """The CRM owner ids of the integration map's relationship owners (people with a ``crm_owner_id``)."""
    from crmhub.config import load_integration_map

    return [p["crm_owner_id"] for p in load_integration_map().people.values() if p.get("crm_owner_id")]


def _contact_owners(seed: int, orgs: list[Org], owner_ids: list[str]) -> dict[str, str]:
    """Organisation key -> the HubSpot owner id of its relationship owner (own random stream: the other files
    do not depend on the owners)."""
    orng = random.Random(f"{seed}:owners")
    return {org.key: orng.choice(owner_ids) if owner_ids else "" for org in orgs}


def generate(out_dir: str | Path, *, seed: int = 42, scale: int = 1, owner_ids: list[str] | None = None
             ) -> DemoDataset:
    """Write every source file and the ground truth under ``out_dir``; returns paths and manifest.

    Args:
        out_dir: folder to write into (created).
        seed: random seed; the same seed and scale give byte-identical files.
        scale: multiplier of the base size (about 94 organisations and 200 people per unit).
        owner_ids: HubSpot owner ids the CRM contacts' owners are drawn from (default: :func:`map_owner_ids`).
    """
    if scale < 1:
        raise ValueError(f"scale must be >= 1, got {scale}")
    owner_ids = map_owner_ids() if owner_ids is None else list(owner_ids)
    rng = random.Random(seed)
    root = Path(out_dir)
    w = _Writer(root)
    orgs = _make_orgs(rng, scale)
    people = _make_people(rng, orgs)
    lp_people = [p for p in people if p.org.entity_type == "lp"]
    truth_entities: list[list] = []
    truth_contacts: list[list] = []
    planted = {k: 0 for k in ("fund_admin.email_null", "fund_admin.email_illegal", "fund_admin.amount_illegal",
                              "crm.duplicate_contact", "crm.stale_contact", "crm.bulk_import", "crm.no_contact_owner",
                              "crm.deal_awaiting_onboarding")}

    # Fund administrator's LP contact export.
    rows = []
    for i, p in enumerate(lp_people):
        ext = f"FA-{i + 1:06d}"
        email = p.email
        roll = rng.random()
        if roll < RATES["fund_admin.email_null"]:
            email, planted["fund_admin.email_null"] = "", planted["fund_admin.email_null"] + 1
        elif roll < RATES["fund_admin.email_null"] + RATES["fund_admin.email_illegal"]:
            email = email.replace("@", " at ")
            planted["fund_admin.email_illegal"] += 1
        amount_val = rng.randrange(1_000_000, 250_000_000, 250_000)
        if rng.random() < RATES["fund_admin.amount_illegal"]:
            amount, planted["fund_admin.amount_illegal"] = rng.choice(["TBD", "n/a", "see side letter"]), \
                planted["fund_admin.amount_illegal"] + 1
        else:
            amount = _money_variants(rng, amount_val)
        updated = AS_OF - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1440))
        rows.append([ext, p.first, p.last, email, _name_variant(rng, p.org), amount, _ts_variants(rng, updated)])
        truth_contacts.append(["fund_admin", "lp_contact", ext, p.key])
        truth_entities.append(["fund_admin", "lp_contact", ext, p.org.key])
    w.write("fund_admin", HEADERS["fund_admin"], rows)

    # CRM companies: every org once, some twice (a duplicate created by hand, spelled differently).
    rows = []
    crm_company_id: dict[str, str] = {}
    onboarded: dict[str, bool] = {}   # one CRM company record, with the organisation's domain and tax id
    for org in orgs:
        copies = 2 if rng.random() < 0.06 else 1
        for c in range(copies):
            cid = str(1000 + len(rows))
            name = org.name if c == 0 else _name_variant(rng, org)
            modified = AS_OF - timedelta(days=rng.randint(0, 30), seconds=rng.randint(0, 86400))
            rows.append([cid, name, org.domain if rng.random() > 0.1 else "", org.entity_type,
                         org.tax_id if rng.random() > 0.2 else "", org.city, org.country,
                         modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "false"])
            crm_company_id.setdefault(org.key, cid)
            onboarded[org.key] = copies == 1 and bool(rows[-1][2]) and bool(rows[-1][4])
            truth_entities.append(["crm", "company", cid, org.key])
    w.write("crm_companies", HEADERS["crm_companies"], rows)

    # CRM deals: about half the LPs are in a fund raise (own random stream, so the other files do not change),
    # each deal associated with its LP's CRM company. A commitment is accepted once the LP is onboarded (its
    # subscription and KYC documents are in, and IR has one complete CRM company for it: web domain and tax id,
    # the key billing links invoices by); an LP whose CRM company is not there yet stays at soft_circle.
    drng = random.Random(f"{seed}:deals")
    rows, links = [], []
    for org in orgs:
        if org.entity_type != "lp" or drng.random() < 0.5:
            continue
        fund, _vintage = drng.choice(vocab.FUNDS)
        modified = AS_OF - timedelta(days=drng.randint(0, 30), seconds=drng.randint(0, 86400))
        stage = drng.choice(STAGES)
        if STAGES.index(stage) >= STAGES.index(COMMITTED_STAGE) and not onboarded[org.key]:
            stage = STAGES[STAGES.index(COMMITTED_STAGE) - 1]
            planted["crm.deal_awaiting_onboarding"] += 1
        deal_id = str(9001 + len(rows))
        rows.append([deal_id, f"{fund} - {org.name}", stage,
                     str(drng.randrange(1_000_000, 50_000_000, 250_000)), "USD", "default",
                     modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "false"])
        links.append(["deals", deal_id, "companies", crm_company_id[org.key]])
    w.write("crm_deals", HEADERS["crm_deals"], rows)
    w.write("crm_deal_associations", HEADERS["crm_deal_associations"], links)

    # CRM contacts: stale records, hand-made duplicates (nicknames, other email), stages, contact owners.
    rows = []
    org_owner = _contact_owners(seed, orgs, owner_ids)
    unowned = random.Random(f"{seed}:unowned")
    for p in people:
        copies = 2 if rng.random() < RATES["crm.duplicate_contact"] else 1
        planted["crm.duplicate_contact"] += copies - 1
        for c in range(copies):
            cid = str(5000 + len(rows))
            first = p.first if c == 0 else vocab.NICKNAMES.get(p.first, p.first)
            email = p.email if c == 0 or rng.random() < 0.5 else p.email.upper()
            stale = rng.random() < RATES["crm.stale_contact"]
            planted["crm.stale_contact"] += stale
            modified = AS_OF - timedelta(days=rng.randint(400, 900) if stale else rng.randint(0, 30),
                                         seconds=rng.randint(0, 86400))
            stage = rng.choice(STAGES) if p.org.entity_type == "lp" else ""
            owner = "" if unowned.random() < RATES["crm.no_contact_owner"] else org_owner[p.org.key]
            planted["crm.no_contact_owner"] += not owner
            rows.append([cid, first, p.last, email, p.phone, _name_variant(rng, p.org), p.title, p.org.country,
                         stage, "true" if stage == "interested" else "false", str(p.verified).lower(), owner,
                         modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "false"])
            truth_contacts.append(["crm", "contact", cid, p.key])
    # One control-list member (outreach.control_list) who is a CRM contact at an LP: no random draw, so the
    # other files and the bulk import below do not change.
    lp_org = next(o for o in orgs if o.entity_type == "lp")
    control = [str(5000 + len(rows)), *CONTROL_CONTACT, "", lp_org.name, "Friendly LP (agrees to receive tests)",
               lp_org.country, "prospect", "false", "true", org_owner[lp_org.key],
               (AS_OF - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "false"]
    truth_contacts.append(["crm", "contact", control[0], "control:" + CONTROL_CONTACT[2]])
    w.write("crm_contacts", HEADERS["crm_contacts"], rows + [control])

    # The bad bulk import: one batch, same minute, sets interested=true on many contacts.
    contact_rows = [r for r in rows if r[8] not in ("interested", "accepted", "closed")]
    bulk = rng.sample(contact_rows, max(50, int(len(contact_rows) * RATES["crm.bulk_import_share"])) if len(
        contact_rows) >= 50 else len(contact_rows))
    bulk_time = (AS_OF + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    bulk_rows = [r[:9] + ["true"] + r[10:12] + [bulk_time, "false"] for r in sorted(bulk, key=lambda r: int(r[0]))]
    planted["crm.bulk_import"] = len(bulk_rows)
    w.write("crm_bulk_import", HEADERS["crm_contacts"], bulk_rows)

    # Billing invoices for LP commitments (shared tax-ID world; billing has its own customer ids and writes the
    # customer's tax id without separators - the invoice-status flow links it to the CRM company by tax id).
    rows = []
    for i, org in enumerate(o for o in orgs if o.entity_type == "lp"):
        for _ in range(rng.randint(1, 3)):
            fund, _vintage = rng.choice(vocab.FUNDS)
            issued = AS_OF - timedelta(days=rng.randint(0, 120))
            rows.append([f"INV-{len(rows) + 1:07d}", f"BIL-{i + 1:05d}", org.tax_id.replace("-", ""), fund,
                         f"{rng.randrange(10_000, 2_000_000, 500):.2f}", rng.choice(["USD", "USD", "EUR", "usd"]),
                         rng.choice(vocab.INVOICE_STATUSES + ["open", "Paid"]), issued.strftime("%Y-%m-%d"),
                         (issued + timedelta(days=rng.randint(0, 10))).strftime("%Y-%m-%dT%H:%M:%SZ")])
            truth_entities.append(["billing", "customer", f"BIL-{i + 1:05d}", org.key])
    w.write("billing", HEADERS["billing"], rows)

    # CDP engagement events keyed by email.
    rows = []
    for p in rng.sample(people, max(1, len(people) // 2)):
        for _ in range(rng.randint(1, 5)):
            when = AS_OF - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
            score = "" if rng.random() < 0.01 else f"{rng.random():.3f}"
            rows.append([f"EV-{len(rows) + 1:08d}", p.email, rng.choice(vocab.EVENT_TYPES), score,
                         when.strftime("%Y-%m-%dT%H:%M:%SZ")])
    w.write("cdp", HEADERS["cdp"], rows)

    header_truth = ["system", "object", "external_id", "true_id"]
    w.write("truth_entities", header_truth, sorted(set(map(tuple, truth_entities))))
    w.write("truth_contacts", header_truth, truth_contacts)
    manifest = {
        "seed": seed,
        "scale": scale,
        "as_of": AS_OF.isoformat(),
        "counts": {key: sum(1 for _ in path.open(encoding="utf-8")) - 1 for key, path in sorted(w.paths.items())},
        "planted": planted,
        "rates": RATES,
        "organisations": len(orgs),
        "people": len(people),
        "files": {k: str(p.relative_to(root)) for k, p in sorted(w.paths.items())},
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return DemoDataset(root=root, files=dict(w.paths), manifest=manifest)
