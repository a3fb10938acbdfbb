"""What the other systems do on a simulated day, stamped on the simulation clock.

Every change goes through the system's own door: the CRM sandbox's HubSpot API (its fault injection on at
the baseline API error rate, its timestamps from ``crmhub.clock``), the billing database, the fund
administrator's and the CDP's drop files. The baseline's planted problems, per day:

* duplicates: new CRM contacts that repeat an existing person under a personal address (each record's true
  identity goes to :data:`WORLD_TRUTH`, which the simulated steward reads);
* illegal values: fund-admin rows whose ``amount`` is not a number (the contract quarantines them);
* interest: IR marks ``DAILY["interest_flips"]`` contacts a day interested after a call, a meeting or a
  webinar (an investor-relations team in a fundraise logs a handful a day), one edit each: what the
  ``reinstate_interest`` automation reacts to (the planted bulk import is the other kind of change);
* late and out-of-order updates: billing rows whose ``updated_at`` is hours behind the rows already loaded
  (``LATE_SHARE`` of the billing changes are stamped 3-30 h before they reach the billing table), until the
  billing SLA's owner (FinanceOps), told by crmhub's ``sla`` incident on :data:`BILLING_SLA`, has the billing
  system post each change when it is made (:meth:`World.fix_billing_lateness`, the owners' review in
  ``crmhub.simulate.runner``), as the CDP's owner has its drifted export fixed;
* API faults: the sandbox answers 5xx on ``BASELINE_API_ERROR_RATE`` of requests, crmhub's and the world's;
* events (:class:`crmhub.simulate.plan.RolloutPlan.world_events`): the bulk import, a schema drift (the CDP
  file gains a column), an amount edited on a deal after the accept stage.
"""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from crmhub import clock
from crmhub.demo_data import vocab
from crmhub.demo_data.generator import FILES

#: The seed's baseline error rate (1.4 %) as the CRM's share of failed API calls.
BASELINE_API_ERROR_RATE = 0.014
#: The world's volume per day at --scale 1.
DAILY = {"crm_edits": 30, "crm_duplicates": 2, "fund_admin_rows": 6, "cdp_events": 15, "billing_changes": 6,
         "interest_flips": 4}
#: Shares of the volume that carry a planted problem.
ILLEGAL_SHARE = 0.2   # fund-admin rows with a non-numeric amount
LATE_SHARE = 0.3      # billing changes that arrive hours late
#: The SLA whose ``sla`` incident tells the billing system's owner that its changes reach the table late.
BILLING_SLA = "billing_to_crm"
#: The fundraising stage IR gives an LP contact the fund administrator already holds a commitment for.
LP_STAGE = "closed"
#: The world's own records' true identities (kind, email or name, true id), next to the demo data's truth.
WORLD_TRUTH = "truth/world.csv"


@dataclass
class World:
    crm_url: str
    crm_token: str
    billing_url: str
    data_dir: Path
    seed: int
    scale: int = 1
    rng: random.Random = field(init=False)
    contacts: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: share of billing changes stamped hours before they reach the table (0 once FinanceOps fixed the posting)
    late_share: float = LATE_SHARE
    _truth: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed * 7919 + 21)
        self._http = httpx.Client(base_url=self.crm_url, headers={"Authorization": f"Bearer {self.crm_token}"},
                                  timeout=30)

    def close(self) -> None:
        self._http.close()

    # -- the CRM ------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kw) -> httpx.Response:
        """One API call; a person's tool retries the sandbox's injected 5xx/drops like any HubSpot client."""
        for attempt in range(6):
            try:
                resp = self._http.request(method, path, **kw)
            except httpx.TransportError:
                time.sleep(0.05 * (attempt + 1))
                continue
            if resp.status_code in (429, 502, 503):
                time.sleep(0.05 * (attempt + 1))
                continue
            resp.raise_for_status()
            return resp
        raise RuntimeError(f"CRM sandbox kept failing {method} {path}")

    def set_faults(self, error_rate: float = BASELINE_API_ERROR_RATE) -> None:
        self._call("POST", "/_sandbox/faults", json={"error_rate": error_rate, "seed": self.seed})

    def _load_contacts(self) -> None:
        after = None
        while True:
            page = self._call("GET", "/crm/v3/objects/contacts",
                              params={"limit": 100,
                                      "properties": "firstname,lastname,email,company,interested,hubspot_owner_id",
                                      **({"after": after} if after else {})}).json()
            self.contacts += [{"id": r["id"], **r["properties"]} for r in page["results"]]
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return

    def refresh_contacts(self) -> None:
        """Read the CRM's contacts again (after a bulk change the world did not make itself)."""
        self.contacts = []
        self._load_contacts()

    def _bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def crm_edits(self, n: int) -> None:
        """``n`` ordinary edits by people (job title or phone) on existing contacts."""
        if not self.contacts:
            self._load_contacts()
        for contact in self.rng.sample(self.contacts, min(n, len(self.contacts))):
            prop = self.rng.choice(["jobtitle", "phone"])
            value = (self.rng.choice(["Partner", "Principal", "CFO", "Head of IR", "Analyst"]) if prop == "jobtitle"
                     else f"+44 20 7{self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}")
            self._call("PATCH", f"/crm/v3/objects/contacts/{contact['id']}", json={"properties": {prop: value}})
            self._bump("crm_edits")

    def crm_duplicates(self, n: int) -> None:
        """``n`` new contacts that repeat an existing person: the same person entered again from a form or a
        business card under a personal address at a free-mail provider (CRMs refuse a second contact with
        the same email, so a duplicate inside the CRM always carries another address), half the time with
        the original's phone, sometimes under a nickname, owned by the original's contact owner. Each is added to the world's truth
        (:data:`WORLD_TRUTH`), which the simulated steward reads."""
        if not self.contacts:
            self._load_contacts()
        for contact in self.rng.sample(self.contacts, min(n, len(self.contacts))):
            first, last = contact.get("firstname") or "Alex", contact.get("lastname") or "Doe"
            if self.rng.random() < 0.3:
                first = vocab.NICKNAMES.get(first, first)
            email = (f"{first}.{last}{self.rng.randint(1, 99)}@{self.rng.choice(vocab.FREE_MAIL)}"
                     .lower().replace(" ", ""))
            props = {"firstname": first, "lastname": last, "email": email, "company": contact.get("company") or ""}
            if contact.get("phone") and self.rng.random() < 0.5:
                props["phone"] = contact["phone"]
            if contact.get("hubspot_owner_id"):
                props["hubspot_owner_id"] = contact["hubspot_owner_id"]
            self._call("POST", "/crm/v3/objects/contacts", json={"properties": props})
            self._add_truth("contact", email, self._truth_of(contact))
            self._bump("crm_duplicates")

    def interest_flips(self, n: int) -> None:
        """IR marks ``n`` contacts interested, one edit each (``interested`` becomes true): contacts with an
        address that are not interested yet and not on the outreach control list (RevOps uses that one)."""
        from crmhub.demo_data.generator import CONTROL_CONTACT

        if not self.contacts:
            self._load_contacts()
        open_ = [c for c in self.contacts if c.get("email") and c.get("interested") != "true"
                 and c["email"].strip().lower() != CONTROL_CONTACT[2]]
        for contact in self.rng.sample(open_, min(n, len(open_))):
            self._call("PATCH", f"/crm/v3/objects/contacts/{contact['id']}", json={"properties": {"interested": "true"}})
            contact["interested"] = "true"
            self._bump("interest_flips")

    def mark_control_contact_interested(self) -> str:
        """RevOps triggers the outreach automation for the control list's friendly LP (``CONTROL_CONTACT``): the
        control send a human checks before promoting (``crmhub outreach control-report`` / ``promote``).
        Returns the address."""
        from crmhub.demo_data.generator import CONTROL_CONTACT

        email = CONTROL_CONTACT[2]
        found = self._call("GET", f"/crm/v3/objects/contacts/{email}",
                           params={"idProperty": "email", "properties": "interested"}).json()
        if (found.get("properties") or {}).get("interested") == "true":   # it must *become* true
            self._call("PATCH", f"/crm/v3/objects/contacts/{found['id']}", json={"properties": {"interested": "false"}})
        self._call("PATCH", f"/crm/v3/objects/contacts/{found['id']}", json={"properties": {"interested": "true"}})
        self._bump("control_triggers")
        return email

    def enter_lp_contacts(self, records: list[dict], stage: str = LP_STAGE) -> int:
        """IR enters LP contacts from the fund administrator's records in the CRM (``first_name``,
        ``last_name``, ``email``, ``company``), at ``stage``: the fund administrator holds their commitment.
        A person looks the address up first: a contact the CRM already has (reverse ETL's ``contact_traits``
        creates one by address alone) gets the stage and the names it lacks, nothing it already has.
        Returns how many contacts were created or completed."""
        done = 0
        for rec in records:
            email = rec["email"].strip().lower()
            wanted = {"firstname": rec.get("first_name") or "", "lastname": rec["last_name"],
                      "company": rec.get("company") or "", "lp_stage": stage}
            try:
                found = self._call("GET", f"/crm/v3/objects/contacts/{email}",
                                   params={"idProperty": "email", "properties": ",".join(wanted)}).json()
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 404:
                    raise
                found = None
            if found is None:
                self._call("POST", "/crm/v3/objects/contacts", json={"properties": {**wanted, "email": email}})
            else:
                has = found.get("properties") or {}
                missing = {k: v for k, v in wanted.items() if v and not has.get(k)}
                if not missing:
                    continue
                self._call("PATCH", f"/crm/v3/objects/contacts/{found['id']}", json={"properties": missing})
            done += 1
        self._bump("lp_contacts_entered_by_ir", done)
        return done
    def _truth_of(self, contact: dict) -> str:
        """The true person behind a CRM contact (the demo data's truth, or one the world added)."""
        from crmhub.simulate.steward import Truth

        if self._truth is None:
            self._truth = Truth.load(self.data_dir)
        return self._truth.of("contact", contact.get("email")) or f"crm:{contact['id']}"

    def _add_truth(self, kind: str, key: str, true_id: str) -> None:
        """Append one record's true identity to the world's truth file (``kind``, email or name, true id)."""
        path = self.data_dir / WORLD_TRUTH
        new = not path.exists()
        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            if new:
                w.writerow(["kind", "key", "true_id"])
            w.writerow([kind, key, true_id])
        if self._truth is not None:
            self._truth.add(kind, key, true_id)

    def amount_after_accept(self, accept_stage: str) -> None:
        """Edit the amount of a deal at the map's accept stage (its amount is frozen: reconciliation must catch it)."""
        accepted, after = [], None
        while True:
            page = self._call("GET", "/crm/v3/objects/deals",
                              params={"limit": 100, "properties": "dealstage,amount",
                                      **({"after": after} if after else {})}).json()
            accepted += [d for d in page["results"] if d["properties"].get("dealstage") == accept_stage
                         and d["properties"].get("amount")]
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                break
        if not accepted:
            raise RuntimeError(f"no CRM deal at the accept stage {accept_stage!r} with an amount: the planted "
                               "'amount after accept' event needs one (the demo's committed deals are)")
        deal = self.rng.choice(accepted)
        amount = float(deal["properties"]["amount"]) * 1.07
        self._call("PATCH", f"/crm/v3/objects/deals/{deal['id']}", json={"properties": {"amount": f"{amount:.2f}"}})
        self._bump("amount_after_accept")

    # -- files and the billing database -----------------------------------------------------------------

    def fund_admin_rows(self, n: int, illegal: int | None = None) -> None:
        """Append ``n`` new LP contact rows to the fund administrator's file, ``illegal`` of them with a bad amount."""
        illegal = sum(self.rng.random() < ILLEGAL_SHARE for _ in range(n)) if illegal is None else illegal
        path = self.data_dir / FILES["fund_admin"]
        stamp = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for i in range(n):
                k = self.rng.randint(100000, 999999)
                amount = "n/a" if i < illegal else f"{self.rng.randint(1, 50) * 250000}"
                first, last, email, company = self._new_lp_contact(k)
                w.writerow([f"FA-SIM-{k}", first, last, email, company, amount, stamp])
                self._add_truth("contact", email, f"FA-SIM-{k}")
        self._bump("fund_admin_rows", n)
        self._bump("illegal_values", illegal)

    def _new_lp_contact(self, k: int) -> tuple[str, str, str, str]:
        """A new person at an LP the CRM knows (a colleague's company and mail domain), named like the demo's
        people. (The world once named them "Sim Investor<k>" at "Sim Capital <k % 97>": strangers that
        differ only in digits, which the resolver rightly scores as one person under many addresses.)"""
        if not self.contacts:
            self._load_contacts()
        colleague = self.rng.choice([c for c in self.contacts if c.get("company")] or [{}])
        first, last = self.rng.choice(vocab.FIRST_NAMES), self.rng.choice(vocab.LAST_NAMES)
        domain = (colleague.get("email") or "").rpartition("@")[2].lower()
        if not domain or domain in vocab.FREE_MAIL:
            domain = "lp.example"
        return first, last, f"{first[0]}{last}{k % 997}@{domain}".lower(), colleague.get("company") or "Sim Capital"

    def fund_admin_corrections(self, records: list[dict]) -> int:
        """The fund administrator, sent the CRM's LP contacts its file lacks (``first_name``, ``last_name``,
        ``email``, ``company``), looks each one up in its own file by name and company and re-sends the row it
        finds, corrected, in the next drop: an amount from its books where the row's did not parse (the
        contract quarantined it), the address where the row had none. A contact it has no row for (it holds no
        commitment) stays a difference. Returns how many rows it re-sent."""
        path = self.data_dir / FILES["fund_admin"]
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        header = list(rows[0].keys()) if rows else []
        mine = {}
        for row in rows:   # its newest row per LP, by name and company as its own staff would search
            mine[(_fold(row["first_name"]), _fold(row["last_name"]), _company_key(row["company"]))] = row
        stamp = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        fixed = []
        for rec in records:
            row = mine.get((_fold(rec.get("first_name")), _fold(rec.get("last_name")), _company_key(rec.get("company"))))
            if row is None:
                continue
            new = dict(row, updated_at=stamp)
            if not _parses_as_money(row["amount"]):
                new["amount"] = str(self.rng.randint(4, 200) * 250000)
            if not (row.get("email") or "").strip() or "@" not in row["email"]:
                new["email"] = (rec.get("email") or "").strip().lower()
            fixed.append(new)
        if fixed:
            with path.open("a", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=header)
                w.writerows(fixed)
        self._bump("fund_admin_rows_corrected", len(fixed))
        return len(fixed)

    def cdp_events(self, n: int) -> None:
        path = self.data_dir / FILES["cdp"]
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        stamp = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        emails = [c["email"] for c in self.contacts if c.get("email")] or ["someone@lp.example"]
        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for _ in range(n):
                row = {"event_id": f"ev-sim-{self.rng.getrandbits(40):x}", "email": self.rng.choice(emails),
                       "event_type": self.rng.choice(["page_view", "email_open", "webinar"]),
                       "behavioral_score": str(self.rng.randint(1, 100)), "occurred_at": stamp, "channel": "web"}
                w.writerow([row.get(h, "") for h in header])
        self._bump("cdp_events", n)

    def schema_drift(self) -> None:
        """The CDP adds a column to its export without notice (ingest must park it and freeze, not guess)."""
        path = self.data_dir / FILES["cdp"]
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        if "channel" in rows[0]:
            return
        rows[0].append("channel")
        for row in rows[1:]:
            row.append("web")
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        self._bump("schema_drift")

    def billing_changes(self, n: int, late: int | None = None) -> None:
        """Change ``n`` invoices; ``late`` of them arrive with an ``updated_at`` hours in the past."""
        late = sum(self.rng.random() < self.late_share for _ in range(n)) if late is None else late
        now = clock.now()
        with psycopg.connect(self.billing_url) as conn:
            # the billing system's table has no key; its logical-replication publication needs an identity
            conn.execute("ALTER TABLE billing.invoices REPLICA IDENTITY FULL")
            ids = [r[0] for r in conn.execute("SELECT invoice_id FROM billing.invoices ORDER BY invoice_id")]
            for i, inv in enumerate(self.rng.sample(ids, min(n, len(ids)))):
                stamp = now - timedelta(hours=self.rng.randint(3, 30)) if i < late else now
                conn.execute("UPDATE billing.invoices SET invoice_status = %s, updated_at = %s WHERE invoice_id = %s",
                             (self.rng.choice(["sent", "paid", "overdue"]), stamp, inv))
        self._bump("billing_changes", n)
        self._bump("late_updates", late)

    # -- one cycle of the world ---------------------------------------------------------------------------

    def fix_schema_drift(self) -> None:
        """The CDP's owner, told by the drift incident, has the export put back to the contracted columns."""
        path = self.data_dir / FILES["cdp"]
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        if "channel" not in rows[0]:
            return
        cut = rows[0].index("channel")
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([r[:cut] + r[cut + 1:] for r in rows])
        self._bump("schema_drift_fixed")

    def fix_billing_lateness(self) -> None:
        """FinanceOps, told by the billing SLA incident, has the billing system post each invoice change when it
        is made: from now on no change reaches the table with an ``updated_at`` hours in the past."""
        if self.late_share:
            self.late_share = 0.0
            self._bump("billing_lateness_fixed")

    def _some(self, per_day: float, share: float) -> int:
        """How many of ``per_day`` happen in a cycle that covers ``share`` of the day's window (random rounding)."""
        x = per_day * share
        return int(x) + (1 if self.rng.random() < x - int(x) else 0)

    def play_before(self, cycle_at: datetime, spread_min: int, share: float, *, files: float = 0.0) -> None:
        """The changes made in the ``spread_min`` minutes before a sync cycle at ``cycle_at`` (``share`` of the
        day's volume), each at its own moment on the clock, so the lag a sync measures is the real distance.

        Drop files (fund admin, CDP) arrive only before a cycle that loads them (``files`` = their share of the
        day's volume; 0 when crmhub_ingest is not due): the senders deliver on the schedule agreed with them.
        """
        s = self.scale
        steps = [(DAILY["crm_edits"] * s, share, self.crm_edits), (DAILY["crm_duplicates"], share, self.crm_duplicates),
                 (DAILY["fund_admin_rows"] * s, files, self.fund_admin_rows),
                 (DAILY["cdp_events"] * s, files, self.cdp_events),
                 (DAILY["billing_changes"] * s, share, self.billing_changes),
                 (DAILY["interest_flips"] * s, share, self.interest_flips)]
        for per_day, part, step in steps:
            n = self._some(per_day, part)
            if n:
                clock.travel_to(cycle_at - timedelta(minutes=self.rng.uniform(0.5, spread_min)))
                step(n)


def _fold(value: object) -> str:
    return " ".join(str(value or "").lower().split())


def _company_key(value: object) -> str:
    """A company name as a person matches it: letters and digits of its first word (``"Highland Meridian Cap.
    LLC"`` and ``"Highland Meridian Capital, LLC"`` both give ``"highland"``)."""
    words = _fold(value).replace(",", " ").replace(".", " ").split()
    return "".join(ch for ch in (words[0] if words else "") if ch.isalnum())


def _parses_as_money(text: object) -> bool:
    digits = "".join(ch for ch in str(text or "") if ch.isdigit())
    return len(digits) >= 4
