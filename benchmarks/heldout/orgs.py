"""Held-out private-equity organisation records, written independently of crmhub's matcher.

Why this exists: the identity benchmark's own ``orgs`` generator and the resolver were tuned together, so
a score on it says how well the resolver learned that generator. This module was written by someone who
had not read ``crmhub/identity/`` (normalisation, blocking, comparison) and never tunes against it: it is
built only from the variation classes of issue #17 and from how PE organisation names look in public
material (Form ADV / Form D filings, fund names in LP reports and the press: "<Manager> Capital Partners
VII, L.P.", "<Manager> Fund IV (Cayman) L.P.", "<Manager> Real Estate Partners Europe SCSp", pension
systems, endowments, family offices). All names are synthetic: word lists below, no real firm.

``generate(n, seed)`` returns about ``n`` records with the columns the identity benchmark reads for
organisations — ``record_id, source_system, name, domain, tax_id, city, country`` — plus ground truth:

* ``entity``: the true legal entity. Two records are a true pair iff their ``entity`` is equal.
* ``family``: the manager family (a GP with its funds, vehicles and management company; or an LP with
  its own vehicles). Records of the same family but different entities are **hard negatives**: fund
  vintages (Fund VI vs Fund VII), manager vs fund (Management LLC vs Partners Fund III L.P.), a fund vs
  its GP entity, and parallel / offshore / feeder vehicles (Fund IV vs Fund IV (Cayman) vs Fund IV-A).
  Those are separate legal entities with their own tax ids, even though they share a domain and a city.
* ``role``: manager, fund, vehicle, gp, lp, portco, advisor.

Variation applied to the records of one entity (each record independently, several classes at once):
case; stray whitespace, tabs and punctuation; abbreviations of common words; Arabic vs Roman fund
numerals; legal forms in other spellings and languages (and dropped); typos and adjacent transpositions in
a distinctive token; the same place under another name; domains in every shape; tax ids with or without
separators and country prefixes; fields missing in one source. Namesakes (the same brand in another
country, unrelated) are planted as well and are not pairs.
"""

from __future__ import annotations

import random

import pandas as pd

SYSTEMS = ["crm", "fund_admin", "billing"]

# Synthetic brand parts (not real firms).
BRAND_A = ["North", "Silver", "Granite", "Harbor", "Oak", "Red", "Blue", "Iron", "Summit", "Cedar", "Falcon",
           "Meridian", "Aster", "Beacon", "Crescent", "Hollis", "Kestrel", "Larch", "Marlow", "Pinnacle",
           "Quarry", "Riverton", "Sable", "Tamber", "Vantor", "Westbury", "Alder", "Brook", "Corvid", "Dunmore",
           "Elmstead", "Foxley", "Glenrock", "Hawthorn", "Ivel", "Juniper", "Kingsway", "Lowell", "Mistral",
           "Norrland", "Orchard", "Pellham", "Ravel", "Stour", "Tidewell", "Ulster", "Verity", "Wexford"]
BRAND_B = ["gate", "stone", "field", "bridge", "crest", "wood", "point", "water", "peak", "line", "mark",
           "haven", "moor", "ford", "vale", "wick", "ridge", "lake", "hall", "spring"]
SURNAMES = ["Abbott", "Baxter", "Calloway", "Devereux", "Ellison", "Fairbanks", "Gallagher", "Hargrove",
            "Iverson", "Jardine", "Kessler", "Lindqvist", "Montague", "Nakamura", "Okafor", "Pemberton",
            "Quintero", "Rasmussen", "Sterling", "Thornton", "Underwood", "Vasquez", "Whitaker", "Yardley"]
STRATEGY = ["Capital Partners", "Equity Partners", "Capital", "Partners", "Private Equity", "Infrastructure Partners",
            "Real Estate Partners", "Growth Partners", "Credit Opportunities", "Special Situations",
            "Investment Management", "Ventures", "Global Opportunities", "Systems Partners"]
REGION = ["", "", "", "Europe", "Asia", "North America", "Global", "Emerging Markets"]

# (canonical city, country code, other names the same place goes by)
PLACES = [
    ("George Town", "KY", ["Grand Cayman", "Cayman Islands", "George Town, Grand Cayman", "GEORGE TOWN"]),
    ("Luxembourg", "LU", ["Luxembourg City", "Luxembourg-Ville", "Luxemburg", "L-1855 Luxembourg"]),
    ("New York", "US", ["NYC", "New York City", "New York, NY", "Manhattan"]),
    ("London", "GB", ["City of London", "London EC2", "LONDON"]),
    ("Zurich", "CH", ["Zürich", "Zuerich", "Zurich ZH"]),
    ("Munich", "DE", ["München", "Muenchen"]),
    ("Hong Kong", "HK", ["HK", "Central, Hong Kong", "Hong Kong SAR"]),
    ("St Peter Port", "GG", ["Saint Peter Port", "St. Peter Port", "Guernsey"]),
    ("St Helier", "JE", ["Saint Helier", "St. Helier", "Jersey"]),
    ("San Francisco", "US", ["SF", "San Francisco, CA", "S.F."]),
    ("Boston", "US", ["Boston, MA", "Boston MA"]),
    ("Dublin", "IE", ["Dublin 2", "Baile Átha Cliath"]),
    ("Singapore", "SG", ["Singapore City", "SG"]),
    ("Toronto", "CA", ["Toronto, ON", "Toronto Ontario"]),
    ("Paris", "FR", ["Paris 8e", "PARIS"]),
    ("Stockholm", "SE", ["Stockholm City", "STHLM"]),
]
COUNTRY_SPELLINGS = {"KY": ["KY", "Cayman Islands", "CYM"], "LU": ["LU", "Luxembourg", "LUX"],
                     "US": ["US", "USA", "United States", "U.S."], "GB": ["GB", "UK", "United Kingdom"],
                     "CH": ["CH", "Switzerland"], "DE": ["DE", "Germany"], "HK": ["HK", "Hong Kong"],
                     "GG": ["GG", "Guernsey"], "JE": ["JE", "Jersey"], "IE": ["IE", "Ireland"],
                     "SG": ["SG", "Singapore"], "CA": ["CA", "Canada"], "FR": ["FR", "France"],
                     "SE": ["SE", "Sweden"]}
# Legal forms per country: the first spelling is the register's; the others are how people type them.
LEGAL = {
    "US": [["L.P.", "LP", "Limited Partnership", "L P"], ["LLC", "L.L.C.", "Limited Liability Company"],
           ["Inc.", "Inc", "Incorporated", "Corp.", "Corporation"]],
    "KY": [["L.P.", "LP", "Exempted Limited Partnership", "ELP"], ["Ltd.", "Ltd", "Limited"]],
    "LU": [["SCSp", "S.C.Sp.", "SCSP", "Société en commandite spéciale"], ["S.à r.l.", "SARL", "S.a.r.l.", "Sàrl"],
           ["SCA", "S.C.A.", "SCA SICAV-RAIF"]],
    "GB": [["LLP", "L.L.P."], ["Limited", "Ltd", "Ltd."], ["PLC", "plc", "P.L.C."]],
    "CH": [["AG", "A.G.", "SA"], ["GmbH", "Gmbh", "G.m.b.H."]],
    "DE": [["GmbH", "Gmbh", "G.m.b.H."], ["GmbH & Co. KG", "GmbH & Co KG", "GmbH u. Co. KG"]],
    "HK": [["Limited", "Ltd", "Ltd."]], "GG": [["L.P.", "LP", "Limited Partnership"], ["Limited", "Ltd"]],
    "JE": [["L.P.", "LP"], ["Limited", "Ltd"]], "IE": [["DAC", "D.A.C."], ["Limited", "Ltd", "Teoranta"]],
    "SG": [["Pte. Ltd.", "Pte Ltd", "Private Limited"]], "CA": [["L.P.", "LP", "S.E.C."], ["Inc.", "Inc", "Ltée"]],
    "FR": [["SAS", "S.A.S.", "SAS au capital"], ["SCA", "S.C.A."]], "SE": [["AB", "Aktiebolag", "A.B."]],
}
# Abbreviations people use for common words in fund and company names (whole words, case-insensitive).
ABBREV = {"Partners": ["Prtnrs", "Ptnrs", "Ptrs", "Partners"], "Capital": ["Cap", "Cap."], "Opportunities":
          ["Opps", "Opp", "Opps."], "Infrastructure": ["Infra"], "Systems": ["Sys", "Syst."],
          "University": ["Univ", "Univ."], "Management": ["Mgmt", "Mgt", "Mgmt."], "Real Estate": ["RE"],
          "Private Equity": ["PE"], "International": ["Intl", "Int'l"], "Investment": ["Inv", "Invt"],
          "Global": ["Glbl"], "Holdings": ["Hldgs", "Hlds"], "Associates": ["Assoc", "Assocs"],
          "Retirement": ["Ret."], "System": ["Sys"], "Foundation": ["Fdn"], "Endowment": ["Endow"],
          "Company": ["Co", "Co."], "Special Situations": ["Spec Sits", "Special Sits"], "and": ["&"],
          "Technologies": ["Tech", "Techs"], "Ventures": ["Vent."], "Europe": ["Eur"]}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
VEHICLES = ["(Cayman)", "(Offshore)", "Parallel", "-A", "-B", "(Lux) SCSp", "Feeder", "AIV", "Co-Invest"]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com"]


class _World:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.rows: list[dict] = []
        self.entity = 0
        self.family = 0
        self.brands: set[str] = set()
        self.tax_seen: set[str] = set()

    # -------------------------------------------------------------------------------- truth records
    def brand(self) -> str:
        r = self.rng
        for _ in range(1000):
            style = r.random()
            if style < 0.45:
                b = r.choice(BRAND_A) + r.choice(BRAND_B)
            elif style < 0.7:
                b = f"{r.choice(BRAND_A)} {r.choice(BRAND_A)}"
            elif style < 0.9:
                b = r.choice(SURNAMES)
            else:
                b = f"{r.choice(SURNAMES)} {r.choice(SURNAMES)}" if r.random() < 0.5 else \
                    f"{r.choice(SURNAMES)} & {r.choice(SURNAMES)}"
            if b not in self.brands or r.random() < 0.04:   # a few unrelated namesakes, on purpose
                self.brands.add(b)
                return b
        return f"{r.choice(BRAND_A)}{len(self.brands)}"

    def tax_id(self, country: str) -> str:
        while True:
            if country == "US":
                t = f"{self.rng.randint(10, 99)}{self.rng.randint(0, 9_999_999):07d}"
            elif country == "LU":
                t = f"{self.rng.randint(10_000_000, 99_999_999)}"
            else:
                t = f"{self.rng.randint(100_000_000, 999_999_999)}"
            if (country, t) not in self.tax_seen:
                self.tax_seen.add((country, t))
                return t

    def place(self) -> tuple[str, str, list[str]]:
        return self.rng.choice(PLACES)

    def new_entity(self, family: int, role: str, name: str, country: str, city_idx: tuple, domain: str | None,
                   legal_group: int | None) -> dict:
        self.entity += 1
        forms = LEGAL.get(country, LEGAL["US"])
        legal = forms[legal_group % len(forms)] if legal_group is not None else None
        return {"entity": self.entity, "family": family, "role": role, "name": name, "country": country,
                "place": city_idx, "domain": domain, "legal": legal,
                "tax_id": self.tax_id(country) if self.rng.random() < 0.75 else None}

    def manager_family(self) -> list[dict]:
        """A GP: management company, 1-5 fund vintages, their GP entities and parallel/offshore vehicles."""
        r = self.rng
        self.family += 1
        brand = self.brand()
        strategy = r.choice(STRATEGY)
        region = r.choice(REGION)
        place = self.place()
        country = place[1]
        domain = brand.lower().replace(" & ", "").replace(" ", "") + r.choice(["", "cap", "partners", "pe"]) + \
            r.choice([".com", ".com", ".com", ".co.uk", ".lu", ".ch", ".de"])
        out = [self.new_entity(self.family, "manager", f"{brand} {strategy.split()[0]} Management", country,
                               place, domain, 1 if country in ("US", "LU", "GB") else 0)]
        n_funds = r.choice([0, 1, 2, 3, 3, 4, 5])
        first = r.randint(1, 9)
        arabic_style = r.random() < 0.3          # the register's own style for this family
        for k in range(n_funds):
            num = first + k
            numeral = str(num) if arabic_style else ROMAN[num - 1]
            fund = f"{brand} {strategy}{' ' + region if region else ''} {'Fund ' if r.random() < 0.5 else ''}{numeral}"
            fund = " ".join(fund.split())
            out.append(self.new_entity(self.family, "fund", fund, country, place, domain, 0))
            if r.random() < 0.35:
                out.append(self.new_entity(self.family, "gp", f"{fund} GP", country, place, domain,
                                           1 if country in ("US", "LU") else 0))
            if r.random() < 0.4:
                v = r.choice(VEHICLES)
                vname = f"{fund}{v}" if v.startswith("-") else f"{fund} {v}"
                vplace = PLACES[0] if "Cayman" in v or "Offshore" in v else (PLACES[1] if "Lux" in v else place)
                out.append(self.new_entity(self.family, "vehicle", vname.replace(" (Lux) SCSp", " (Lux)"),
                                           vplace[1], vplace, domain, 0))
        return out

    def lp_family(self) -> list[dict]:
        """An LP: pension system, endowment, foundation, family office or insurer (sometimes two vehicles)."""
        r = self.rng
        self.family += 1
        place = self.place()
        brand = self.brand()
        kind = r.random()
        if kind < 0.3:
            state = r.choice(BRAND_A + SURNAMES)
            name = f"{state} {r.choice(['Public Employees', 'Teachers', 'State Employees', 'Municipal'])} " \
                   f"Retirement System"
            domain = f"{state.lower()}{r.choice(['pers', 'trs', 'retirement'])}.org"
            legal = None
        elif kind < 0.5:
            name = f"University of {brand} {r.choice(['Endowment', 'Investment Management Company', 'Foundation'])}"
            domain = f"{brand.lower().replace(' ', '').replace('&', '')}.edu"
            legal = None
        elif kind < 0.75:
            name = f"{r.choice(SURNAMES)} Family {r.choice(['Office', 'Holdings', 'Investment Office', 'Trust'])}"
            domain = None if r.random() < 0.3 else f"{name.split()[0].lower()}fo.com"
            legal = 1
        else:
            name = f"{brand} {r.choice(['Life Insurance Company', 'Assurance', 'Insurance Holdings'])}"
            domain = f"{brand.lower().replace(' ', '').replace('&', '')}.com"
            legal = 2
        out = [self.new_entity(self.family, "lp", name, place[1], place, domain, legal)]
        if r.random() < 0.15:   # its own separate investment vehicle: a hard negative, not a pair
            out.append(self.new_entity(self.family, "lp", f"{name} International Holdings", place[1], place,
                                       domain, 1))
        return out

    def portco_or_advisor(self) -> list[dict]:
        r = self.rng
        self.family += 1
        place = self.place()
        brand = self.brand()
        if r.random() < 0.7:
            name = f"{brand} {r.choice(['Systems', 'Technologies', 'Health', 'Logistics', 'Software', 'Holdings', 'Group', 'International'])}"
            role, legal = "portco", 2 if place[1] in ("US",) else 0
        else:
            name = f"{r.choice(SURNAMES)} {r.choice(['&', 'and'])} {r.choice(SURNAMES)}"
            role, legal = "advisor", 0
            if place[1] == "US":
                legal = 1
        domain = brand.lower().replace(" ", "").replace("&", "") + r.choice([".com", ".io", ".co", ".com"])
        return [self.new_entity(self.family, role, name, place[1], place, domain, legal)]

    # -------------------------------------------------------------------------------- messy copies
    def records_of(self, ent: dict) -> list[dict]:
        r = self.rng
        n = r.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]
        systems = r.sample(SYSTEMS, k=min(n, 3)) + [r.choice(SYSTEMS) for _ in range(max(0, n - 3))]
        return [self.messy(ent, system, first=(i == 0)) for i, system in enumerate(systems)]

    def messy(self, ent: dict, system: str, *, first: bool) -> dict:
        r = self.rng
        name = self.vary_words(ent["name"]) if not first else ent["name"]
        if ent["legal"]:
            legal = ent["legal"][0] if first else r.choice(ent["legal"] + [""])   # other spelling, or dropped
            if legal:
                name = f"{name}{',' if r.random() < 0.4 else ''} {legal}"
        if not first:
            name = self.vary_surface(name)
        canon_city, country, others = ent["place"]
        city = canon_city if first or r.random() < 0.4 else r.choice(others)
        ctry = country if first else r.choice(COUNTRY_SPELLINGS.get(country, [country]))
        rec = {"source_system": system, "name": name, "domain": self.vary_domain(ent["domain"], first),
               "tax_id": self.vary_tax(ent["tax_id"], ent["country"], first), "city": city, "country": ctry,
               "entity": ent["entity"], "family": ent["family"], "role": ent["role"]}
        if not first:  # missing fields in one source (never the name)
            for field in ("domain", "tax_id", "city", "country"):
                if r.random() < 0.22:
                    rec[field] = None
        return rec

    def vary_words(self, name: str) -> str:
        """Abbreviations, numerals and a typo in a distinctive token (the legal form is added after)."""
        r = self.rng
        text = name
        for full, short in ABBREV.items():
            if full in text and r.random() < 0.45:
                text = text.replace(full, r.choice(short), 1)
        # Arabic <-> Roman numerals
        toks = text.split(" ")
        for i, t in enumerate(toks):
            bare = t.strip(",.")
            if bare in ROMAN and r.random() < 0.5:
                toks[i] = t.replace(bare, str(ROMAN.index(bare) + 1))
            elif bare.isdigit() and 0 < int(bare) <= len(ROMAN) and r.random() < 0.5:
                toks[i] = t.replace(bare, ROMAN[int(bare) - 1])
        text = " ".join(toks)
        # a typo or adjacent transposition in a distinctive (long, non-generic) token
        if r.random() < 0.35:
            toks = text.split(" ")
            cands = [i for i, t in enumerate(toks) if len(t) >= 5 and t.isalpha() and t not in ABBREV]
            if cands:
                i = r.choice(cands)
                toks[i] = self.typo(toks[i])
                text = " ".join(toks)
        return text

    def vary_surface(self, text: str) -> str:
        """Case, punctuation and whitespace over the whole name."""
        r = self.rng
        c = r.random()
        if c < 0.2:
            text = text.upper()
        elif c < 0.35:
            text = text.lower()
        if r.random() < 0.2:
            text = text.replace(",", "").replace(".", "")
        if r.random() < 0.15:
            text = text.replace(" ", "  ", 1)
        if r.random() < 0.08:
            text = text.replace(" ", "\t", 1)
        if r.random() < 0.1:
            text = f" {text} " if r.random() < 0.5 else f"{text}."
        if r.random() < 0.06:
            text = f'"{text}"'
        return text

    def typo(self, token: str) -> str:
        r = self.rng
        i = r.randint(1, len(token) - 2)
        kind = r.random()
        if kind < 0.4:   # adjacent transposition
            return token[:i] + token[i + 1] + token[i] + token[i + 2:]
        if kind < 0.65:  # dropped letter
            return token[:i] + token[i + 1:]
        if kind < 0.85:  # substituted letter (keyboard-ish neighbour not modelled: any letter)
            return token[:i] + r.choice("aeiourstnlm") + token[i + 1:]
        return token[:i] + token[i] + token[i:]  # doubled letter

    def vary_domain(self, domain: str | None, first: bool) -> str | None:
        if domain is None:
            return None
        r = self.rng
        if first:
            return domain if r.random() < 0.7 else f"www.{domain}"
        shape = r.random()
        if shape < 0.2:
            return domain
        if shape < 0.35:
            return f"www.{domain}"
        if shape < 0.5:
            return f"https://www.{domain}/"
        if shape < 0.62:
            return f"http://{domain}"
        if shape < 0.74:
            return f"https://{domain}/{r.choice(['about', 'contact-us', 'en/home', 'team?ref=lp'])}"
        if shape < 0.84:
            return domain.upper()
        if shape < 0.92:
            return f"WWW.{domain.upper()}/"
        return f"info@{domain}" if r.random() < 0.5 else f"{r.choice(FREE_MAIL)}"  # contact email typed in

    def vary_tax(self, tax: str | None, country: str, first: bool) -> str | None:
        if tax is None:
            return None
        r = self.rng
        if country == "US":
            shapes = [tax, f"{tax[:2]}-{tax[2:]}", f"US{tax}", f"US {tax[:2]}-{tax[2:]}", f"{tax[:2]} {tax[2:]}"]
        else:
            shapes = [tax, f"{country}{tax}", f"{country} {tax}", f"{tax[:3]}.{tax[3:6]}.{tax[6:]}",
                      f"{country}-{tax}"]
        return shapes[0] if first and r.random() < 0.6 else r.choice(shapes)


def generate(n: int = 5_000, seed: int = 0) -> pd.DataFrame:
    """About ``n`` messy organisation records with ground truth (see the module docstring).

    Args:
        n: number of records wanted (the last family may overshoot by a few; the frame is cut at ``n``).
        seed: makes the output deterministic.

    Returns:
        A frame with ``record_id, source_system, name, domain, tax_id, city, country, entity, family, role``.

    Examples:
        >>> df = generate(300, seed=1)
        >>> len(df), df["record_id"].is_unique
        (300, True)
        >>> bool((df.groupby("entity").size() > 1).any())
        True
    """
    world = _World(seed)
    rows: list[dict] = []
    while len(rows) < n:
        pick = world.rng.random()
        entities = world.manager_family() if pick < 0.45 else world.lp_family() if pick < 0.75 else \
            world.portco_or_advisor()
        for ent in entities:
            rows.extend(world.records_of(ent))
    df = pd.DataFrame(rows[:n])
    df.insert(0, "record_id", [f"h{i}" for i in range(len(df))])
    return df[["record_id", "source_system", "name", "domain", "tax_id", "city", "country", "entity", "family",
               "role"]]


def true_pairs(df: pd.DataFrame) -> int:
    """Number of true record pairs (same ``entity``)."""
    sizes = df.groupby("entity").size()
    return int((sizes * (sizes - 1) // 2).sum())


def hard_negative_pairs(df: pd.DataFrame) -> set[tuple[str, str]]:
    """Record pairs of the same family but different entities (vintages, manager vs fund, vehicles)."""
    out: set[tuple[str, str]] = set()
    for _, fam in df.groupby("family"):
        if fam["entity"].nunique() < 2:
            continue
        recs = list(zip(fam["record_id"], fam["entity"], strict=True))
        for i, (a, ea) in enumerate(recs):
            for b, eb in recs[i + 1:]:
                if ea != eb:
                    out.add((a, b) if a < b else (b, a))
    return out
