"""Development set of messy private-equity organisation records (``dev_orgs``), with ground truth.

A third organisation generator for crmhub's identity benchmark, next to the tuning generator (``orgs``)
and the held-out set. It was written without reading the matcher (``include/crmhub/identity/``), its
docs and tests, the tuning generator or the held-out set: only from issue #17's variation classes and
from how organisation records look in public material. The matcher may be tuned on it; the held-out
set stays the final check.

What it models
--------------
* Entities, grouped in families (``family``; same family + different ``entity`` = hard negative):
  managers with their management company, GP entities, holdings and numbered funds (I-XII) in several
  programmes, each fund with parallel / "-A" / "(Cayman)" / offshore / feeder / co-invest / "(TEI)" /
  Luxembourg SCSp vehicles and vintage-year funds; an unrelated namesake of the brand in another
  country; LPs (public pension systems of one state, universities, foundations, insurers with their
  New-York-style subsidiary, sovereign funds, family offices, funds of funds); portfolio companies with
  their Topco/Midco/Bidco chain; law firms, placement agents and fund administrators with their
  country subsidiaries.
* Source systems with their own habits: CRM (title case, legal form often dropped, web address),
  fund administration (ALL CAPS, full legal form, tax ids), billing (short name field, accounts-payable
  e-mail in the domain field, VAT numbers), data vendor (field length cut), subscription documents
  ("a Delaware limited partnership"), IR spreadsheets (abbreviations, lower case, Arabic numerals).
* Per record, independently and several at once: case; stray whitespace, tabs, punctuation; "&" vs
  "and"; leading "The"; abbreviations of common words; word order ("University of X", "X University",
  "X, University of", "Teachers' Retirement System of X"); acronyms ("... (XTRS)" or the acronym
  alone); a law firm by its first name only; truncation at a field length;
  Arabic / Roman / written-out fund numerals; legal forms in every spelling and language, or dropped;
  typos and transpositions in distinctive tokens; accents folded; the same place under other names;
  domains in every shape; tax ids (EIN, VAT, Luxembourg RCS, UK company numbers, Swiss UID, HRB) with
  and without separators, labels and prefixes; missing fields and placeholders ("N/A", "-", "TBD").

Sources that informed the shapes (read for shapes only; no names or data copied; every brand, person
and state name here is synthetic): SEC EDGAR filings (Form N-2 / Form D covers of private funds named
like "<Brand> <Strategy> Fund III, LLC", "(TEI) LLC" feeders, "c/o <Brand> Advisers, LLC"); US
public-pension commitment reports and press (programmes such as "<Brand> Capital Partners VI",
"<Brand> Europe V", "<Brand> Real Estate Partners VIII", "Fund I-A"; LPs such as "<State> State
Employees' Retirement System (<ACRONYM>)", "Teachers' Retirement System of <State>", "<City> County
Employees' Retirement Association", "<State> State Investment Board"); Luxembourg fund-structuring
notes (SCSp / S.C.Sp. / SLP, SCS, SCA SICAV-RAIF, S.à r.l. general partners, RCS B numbers).

``generate(n, seed)`` is deterministic per seed and returns about ``n`` rows (whole families).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

import pandas as pd

COLUMNS = ["record_id", "source_system", "name", "domain", "tax_id", "city", "country", "entity", "family", "role"]

# ------------------------------------------------------------------------------------------ world lists

ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
WORDS = ["", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve"]

#: legal form key -> spellings (first = the registered one)
LEGAL = {
    "LP": ["L.P.", "LP", "Limited Partnership", "L.P", "Ltd. Partnership", "LP."],
    "LLC": ["LLC", "L.L.C.", "Limited Liability Company", "L.L.C", "Llc"],
    "INC": ["Inc.", "Inc", "Incorporated", "INC."],
    "LTD": ["Ltd", "Ltd.", "Limited"],
    "PLC": ["plc", "PLC", "Public Limited Company", "p.l.c."],
    "LLP": ["LLP", "L.L.P.", "Limited Liability Partnership"],
    "SCSP": ["SCSp", "S.C.Sp.", "SCSP", "société en commandite spéciale", "SLP", "S.C.Sp"],
    "SCS": ["SCS", "S.C.S.", "société en commandite simple"],
    "RAIF": ["SCA SICAV-RAIF", "S.C.A. SICAV-RAIF", "SCA, SICAV-RAIF", "SICAV-RAIF", "S.C.A., SICAV - RAIF"],
    "SARL": ["S.à r.l.", "SARL", "S.a r.l.", "S.à.r.l.", "Sàrl", "société à responsabilité limitée", "S.A.R.L."],
    "SA": ["S.A.", "SA", "Société Anonyme"],
    "SAS": ["SAS", "S.A.S.", "société par actions simplifiée"],
    "GMBH": ["GmbH", "Gesellschaft mit beschränkter Haftung", "G.m.b.H.", "Gmbh"],
    "KG": ["GmbH & Co. KG", "GmbH & Co KG", "GmbH und Co. KG", "GmbH&Co.KG"],
    "AG": ["AG", "Aktiengesellschaft"],
    "BV": ["B.V.", "BV", "Besloten Vennootschap"],
    "NV": ["N.V.", "NV"],
    "PTY": ["Pty Ltd", "Pty. Ltd.", "Proprietary Limited", "Pty Limited", "PTY LTD"],
    "PTE": ["Pte. Ltd.", "Pte Ltd", "Private Limited", "Pte. Limited"],
    "ICAV": ["ICAV", "I.C.A.V."],
    "AB": ["AB", "Aktiebolag", "AB (publ)"],
}
#: written out in subscription documents after the name
LEGAL_PROSE = {"LP": ["a Delaware limited partnership", "a Cayman Islands exempted limited partnership"],
               "LLC": ["a Delaware limited liability company"], "INC": ["a Delaware corporation"]}

#: word -> abbreviations seen in CRM / vendor / spreadsheet fields
ABBREV = {
    "Partners": ["Ptnrs", "Prtnrs", "Partners", "Ptrs", "Pts"], "Capital": ["Cap", "Cap."],
    "Management": ["Mgmt", "Mgt", "Mgmt."], "Opportunities": ["Opps", "Opp", "Opport."],
    "Opportunity": ["Opp", "Opps"], "Infrastructure": ["Infra", "Infrastr."],
    "International": ["Intl", "Int'l", "Intl."], "Holdings": ["Hldgs", "Hldg", "Hold."], "Group": ["Grp", "Gp"],
    "Associates": ["Assoc", "Assocs", "Assoc."], "Investment": ["Inv", "Invt", "Invest."],
    "Investments": ["Invts", "Inv", "Invs"], "Investors": ["Invs", "Inv."],
    "Advisors": ["Adv", "Advisers", "Advs"], "Advisers": ["Advisors", "Adv"],
    "University": ["Univ", "Univ.", "U."], "Foundation": ["Fdn", "Fdn.", "Found."], "Retirement": ["Ret", "Ret."],
    "System": ["Sys", "Sys."], "Employees": ["Emp", "Empl", "Employees"], "Employees'": ["Employees", "Emp", "Empl"],
    "Association": ["Assn", "Assoc"], "Fund": ["Fd", "Fd."], "Limited": ["Ltd"], "Company": ["Co", "Co."],
    "Insurance": ["Ins", "Ins."], "Corporation": ["Corp", "Corp."], "Global": ["Glbl", "Gbl"],
    "Equity": ["Eq", "Eqty"], "Ventures": ["Vent", "Ventures"], "Secondaries": ["Secondary", "Secs"],
    "Teachers'": ["Teachers", "Tchrs"], "Public": ["Pub"], "Pension": ["Pens"], "Services": ["Svcs", "Servs"],
    "Technologies": ["Tech", "Techs"], "Healthcare": ["Health Care", "Hlthcare"], "Mutual": ["Mut"],
    "Europe": ["Eur", "European"], "Growth": ["Grwth"], "Strategies": ["Strats", "Strat"],
    "Credit": ["Cr"], "Trust": ["Tr"], "Office": ["Off"], "Authority": ["Auth"], "Board": ["Bd"],
}
PHRASE_ABBREV = {"Private Equity": ["PE", "Priv Eq", "Private Eq"], "Real Estate": ["RE", "R.E.", "Real Est"],
                 "Co-Investment": ["Co-Invest", "Coinvest", "Co Inv", "Co-Inv"], "Family Office": ["FO"],
                 "State Employees'": ["State Employees", "State Emp"], "Management Company": ["ManCo", "Mgmt Co"]}

@dataclass(frozen=True)
class Place:
    names: tuple  # first = canonical
    country: str  # ISO code

PLACES = {
    "NY": Place(("New York", "New York City", "NYC", "New York, NY", "NEW YORK", "Manhattan", "N.Y."), "US"),
    "SF": Place(("San Francisco", "SF", "San Fran", "San Francisco, CA", "S.F."), "US"),
    "BOS": Place(("Boston", "Boston, MA", "Boston MA"), "US"),
    "CHI": Place(("Chicago", "Chicago, IL", "Chicago IL"), "US"),
    "DC": Place(("Washington", "Washington DC", "Washington, D.C.", "DC", "Washington D.C."), "US"),
    "GRW": Place(("Greenwich", "Greenwich, CT", "Greenwich CT"), "US"),
    "MP": Place(("Menlo Park", "Menlo Park, CA", "Menlo Pk"), "US"),
    "DAL": Place(("Dallas", "Dallas, TX", "Dallas TX"), "US"),
    "SAC": Place(("Sacramento", "Sacramento, CA"), "US"),
    "HBG": Place(("Harrisburg", "Harrisburg, PA"), "US"),
    "AUS": Place(("Austin", "Austin, TX"), "US"),
    "COL": Place(("Columbus", "Columbus, OH"), "US"),
    "LDN": Place(("London", "City of London", "London EC2", "LONDON", "Greater London"), "GB"),
    "LUX": Place(("Luxembourg", "Luxembourg City", "Luxembourg-Ville", "Luxemburg", "L-1855 Luxembourg"), "LU"),
    "CAY": Place(("George Town", "Grand Cayman", "Cayman Islands", "Georgetown", "George Town, Grand Cayman"), "KY"),
    "BDA": Place(("Hamilton", "Bermuda", "Hamilton, Bermuda", "Pembroke"), "BM"),
    "GSY": Place(("St Peter Port", "St. Peter Port", "Guernsey", "St Peter Port, Guernsey"), "GG"),
    "JSY": Place(("St Helier", "St. Helier", "Jersey", "St Helier, Jersey"), "JE"),
    "BVI": Place(("Road Town", "Tortola", "BVI", "Road Town, Tortola"), "VG"),
    "DUB": Place(("Dublin", "Dublin 2", "Baile Átha Cliath"), "IE"),
    "MUC": Place(("Munich", "München", "Muenchen", "Munchen"), "DE"),
    "FRA": Place(("Frankfurt", "Frankfurt am Main", "Frankfurt a.M.", "Frankfurt/Main"), "DE"),
    "ZRH": Place(("Zurich", "Zürich", "Zuerich", "Zurich ZH"), "CH"),
    "GVA": Place(("Geneva", "Genève", "Geneve", "Genf"), "CH"),
    "HAG": Place(("The Hague", "Den Haag", "'s-Gravenhage", "Hague"), "NL"),
    "AMS": Place(("Amsterdam", "Amsterdam-Zuid"), "NL"),
    "PAR": Place(("Paris", "Paris 8e", "PARIS"), "FR"),
    "STO": Place(("Stockholm", "Stockholm, Sweden"), "SE"),
    "CPH": Place(("Copenhagen", "København", "Kobenhavn", "Copenhagen K"), "DK"),
    "OSL": Place(("Oslo", "Oslo, Norway"), "NO"),
    "SGP": Place(("Singapore", "Singapore 018989", "SG"), "SG"),
    "HKG": Place(("Hong Kong", "Central, Hong Kong", "HK"), "HK"),
    "SYD": Place(("Sydney", "Sydney NSW", "Sydney, Australia"), "AU"),
    "TOR": Place(("Toronto", "Toronto, ON", "Toronto, Ontario"), "CA"),
    "MTL": Place(("Montreal", "Montréal", "Montreal, QC"), "CA"),
    "TYO": Place(("Tokyo", "Tokyo, Japan", "Chiyoda-ku, Tokyo"), "JP"),
    "AUH": Place(("Abu Dhabi", "Abu Dhabi, UAE"), "AE"),
}
COUNTRY_NAMES = {
    "US": ["US", "USA", "United States", "United States of America", "U.S.", "U.S.A."],
    "GB": ["GB", "UK", "United Kingdom", "England", "Great Britain", "U.K."],
    "LU": ["LU", "Luxembourg", "Grand Duchy of Luxembourg", "LUX"], "KY": ["KY", "Cayman Islands", "Cayman"],
    "BM": ["BM", "Bermuda"], "GG": ["GG", "Guernsey", "Channel Islands"], "JE": ["JE", "Jersey", "Channel Islands"],
    "VG": ["VG", "BVI", "British Virgin Islands", "Virgin Islands, British"], "IE": ["IE", "Ireland", "Republic of Ireland"],
    "DE": ["DE", "Germany", "Deutschland"], "CH": ["CH", "Switzerland", "Schweiz", "Suisse"],
    "NL": ["NL", "Netherlands", "The Netherlands", "Holland"], "FR": ["FR", "France"], "SE": ["SE", "Sweden", "Sverige"],
    "DK": ["DK", "Denmark", "Danmark"], "NO": ["NO", "Norway", "Norge"], "SG": ["SG", "Singapore"],
    "HK": ["HK", "Hong Kong", "Hong Kong SAR"], "AU": ["AU", "Australia"], "CA": ["CA", "Canada"],
    "JP": ["JP", "Japan"], "AE": ["AE", "UAE", "United Arab Emirates"],
}
US_HUBS = ["NY", "NY", "NY", "SF", "BOS", "CHI", "GRW", "MP", "DAL", "DC"]
EU_HUBS = ["LDN", "LDN", "LDN", "MUC", "FRA", "ZRH", "GVA", "AMS", "PAR", "STO", "CPH", "OSL", "DUB"]
APAC_HUBS = ["SGP", "HKG", "SYD", "TYO", "TOR", "MTL", "AUH"]
#: manager's home -> (local company form, local partnership form, home TLD)
HOME_FORMS = {"US": ("LLC", "LP", "com"), "GB": ("LTD", "LLP", "co.uk"), "DE": ("GMBH", "KG", "de"),
              "CH": ("AG", "AG", "ch"), "NL": ("BV", "BV", "nl"), "FR": ("SAS", "SAS", "fr"), "SE": ("AB", "AB", "se"),
              "DK": ("LTD", "LTD", "dk"), "NO": ("LTD", "LTD", "no"), "IE": ("LTD", "ICAV", "ie"),
              "SG": ("PTE", "PTE", "sg"), "HK": ("LTD", "LP", "hk"), "AU": ("PTY", "PTY", "com.au"),
              "CA": ("INC", "LP", "ca"), "JP": ("INC", "LP", "jp"), "AE": ("LLC", "LTD", "ae")}

PLACEHOLDERS = ["N/A", "n/a", "-", "TBD", "none", "?", "0", "unknown", ".", "NA", "--"]
SOURCES = {  # source -> weight of use
    "crm": 5, "fund_admin": 3, "billing": 2, "data_vendor": 2, "sub_docs": 1, "ir_sheet": 2,
}

# --------------------------------------------------------------------------------------- synthetic names

_ON = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr",
       "gr", "kr", "tr", "st", "th", "sh", "ch", "qu", "bl", "cl", "fl", "gl", "pl", "sl", "sk", "sp"]
_VOW = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou", "y"]
_COD = ["", "", "", "n", "r", "l", "s", "th", "x", "nd", "rn", "lt", "st", "m", "v", "rk", "ck"]
_END = ["ane", "ora", "ick", "ant", "ell", "ion", "ar", "en", "is", "ock", "ent", "ay", "ow", "eth", "ine", "ura"]
_ACCENT = {"o": "ø", "a": "ä", "e": "é", "u": "ü"}


def _word(rng: random.Random) -> str:
    w = rng.choice(_ON) + rng.choice(_VOW)
    if rng.random() < 0.6:  # two syllables: a soft coda keeps the word pronounceable
        w += rng.choice(["", "", "n", "r", "l", "s"]) + rng.choice(_ON[:17]) + rng.choice(_END)
    else:
        w += rng.choice(_COD) + rng.choice(_END)
    return w.capitalize()


class Namer:
    """Unique synthetic words per data set (brands, surnames, states), so that families don't collide."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, set()

    def word(self, accent: bool = False) -> str:
        while True:
            w = _word(self.rng)
            if 5 <= len(w) <= 11 and w not in self.used:
                self.used.add(w)
                break
        if accent:
            i = next((i for i, c in enumerate(w[1:], 1) if c in _ACCENT), None)
            if i is not None:
                w = w[:i] + _ACCENT[w[i]] + w[i + 1:]
        return w


# ---------------------------------------------------------------------------------------------- entities


@dataclass
class Entity:
    core: str  # name body without numeral, vehicle tag and legal form
    place: str
    role: str
    numeral: int | None = None  # fund number
    tag: str = ""  # vehicle tag after the numeral: "-A", "(Cayman)", "Parallel", "2019"...
    legal: str | None = None
    domain: str | None = None
    tax_id: tuple | None = None  # (kind, digits)
    alt_cores: list = field(default_factory=list)  # other ways the body is written (word order, acronym)
    acronym: str | None = None
    eid: str = ""
    family: str = ""


def _tax(rng: random.Random, country: str, role: str) -> tuple | None:
    d = lambda k: "".join(rng.choice(string.digits) for _ in range(k))  # noqa: E731
    if country == "US":
        return ("EIN", d(9))
    if country == "LU":
        return ("RCS", d(6)) if rng.random() < 0.6 else ("VAT_LU", d(8))
    if country == "GB":
        return ("UKCO", ("OC" if role in {"law_firm", "manager"} else "") + d(6 if role in {"law_firm", "manager"} else 8)) \
            if rng.random() < 0.5 else ("VAT_GB", d(9))
    if country == "DE":
        return ("VAT_DE", d(9)) if rng.random() < 0.6 else ("HRB", d(6))
    if country == "CH":
        return ("CHE", d(9))
    if country in {"NL", "FR", "SE", "DK", "IE"}:
        return ("VAT_" + country, d(9 if country != "IE" else 7))
    if country == "KY":
        return ("KYREG", d(6)) if rng.random() < 0.3 else None
    return None


class World:
    """Builds families of entities; every entity gets an id, family id, place, domain and tax id."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.names = rng, Namer(rng)
        self.entities: list[Entity] = []
        self.nfam = 0

    def add(self, fam: str, e: Entity, country: str | None = None) -> Entity:
        e.eid, e.family = f"E{len(self.entities):06d}", fam
        if e.tax_id is None:
            e.tax_id = _tax(self.rng, country or PLACES[e.place].country, e.role)
        self.entities.append(e)
        return e

    def new_family(self) -> str:
        self.nfam += 1
        return f"F{self.nfam:05d}"

    # -- managers and their funds

    def manager_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        region = rng.random()
        hub = rng.choice(US_HUBS if region < 0.6 else EU_HUBS if region < 0.9 else APAC_HUBS)
        country = PLACES[hub].country
        company, partnership, tld = HOME_FORMS[country]
        brand = self.names.word(accent=country in {"DE", "CH", "SE", "DK", "NO", "FR"} and rng.random() < 0.4)
        if rng.random() < 0.2:
            brand = f"{brand} {rng.choice(['Ridge', 'Harbour' if country != 'US' else 'Harbor', 'Point', 'Lane', 'Peak', 'Square', 'Hill', 'Bay'])}"
        style = rng.choice(["Capital Partners", "Partners", "Capital", "Equity Partners", "Investment Management",
                            "Private Equity", "Capital Management", "Infrastructure Partners", "Real Estate Advisors",
                            "Growth Partners", "Ventures", "Capital Advisors", "Asset Management", "& Co."])
        slug = brand.lower().replace(" ", "").translate(str.maketrans("øäéü", "oaeu"))
        domain = rng.choice([f"{slug}.{tld}", f"{slug}{style.split()[0].lower().strip('&.')}.{tld}", f"{slug}-cap.com",
                             f"{slug}partners.com"])
        self.add(fam, Entity(f"{brand} {style}", hub, "manager", legal=rng.choice([company, partnership, company]),
                                    domain=domain))
        if rng.random() < 0.5:
            self.add(fam, Entity(f"{brand} Management Company", hub, "management_company", legal=company, domain=domain))
        if rng.random() < 0.35:
            self.add(fam, Entity(f"{brand} Holdings", hub, "holdings", legal=rng.choice([partnership, company, "LTD"]),
                                 domain=domain))
        for _ in range(rng.choice([1, 1, 1, 2, 2])):
            self._programme(fam, brand, style, hub, domain, company)
        if rng.random() < 0.25:  # vintage-year series
            prog = f"{brand} {rng.choice(['Secondaries Fund', 'Co-Investment Fund', 'Credit Opportunities', 'Select Fund'])}"
            for year in sorted(rng.sample(range(2012, 2025), rng.choice([2, 2, 3]))):
                self.add(fam, Entity(prog, hub, "fund", tag=str(year), legal="LP" if country == "US" else partnership,
                                     domain=domain))
        if rng.random() < 0.15:  # an unrelated firm with the same brand in another country
            other = rng.choice([h for h in US_HUBS + EU_HUBS + APAC_HUBS if PLACES[h].country != country])
            oc = PLACES[other].country
            self.add(fam, Entity(f"{brand} {rng.choice(['Capital', 'Partners', 'Group', 'Holdings', 'Advisors'])}", other,
                                 "namesake", legal=HOME_FORMS.get(oc, ("LTD",))[0],
                                 domain=f"{slug}.{HOME_FORMS.get(oc, ('', '', 'net'))[2]}"))

    def _programme(self, fam: str, brand: str, style: str, hub: str, domain: str, company: str) -> None:
        rng = self.rng
        base = style.replace("& Co.", "").replace("Investment Management", "Fund").replace("Capital Management", "Capital")
        base = base.replace("Asset Management", "Fund").replace("Advisors", "Partners").strip()
        prog = rng.choice([f"{brand} {base}", f"{brand} Fund", f"{brand} Opportunities Fund", f"{brand} Europe",
                           f"{brand} Infrastructure Fund", f"{brand} Real Estate Partners", f"{brand} Growth Fund",
                           f"{brand} Private Equity Fund", f"{brand} International Partners", f"{brand} Energy Partners"])
        start = rng.randint(1, 9)
        us = PLACES[hub].country == "US"
        for num in range(start, min(12, start + rng.choice([1, 2, 2, 3, 4])) + 1):
            main_legal = "LP" if us or rng.random() < 0.4 else rng.choice(["SCSP", "LP", "RAIF"])
            main_place = hub if main_legal == "LP" and us else ("LUX" if main_legal in {"SCSP", "RAIF"} else
                                                                 rng.choice(["GSY", "JSY", "LDN", "CAY"]))
            self.add(fam, Entity(prog, main_place, "fund", numeral=num, legal=main_legal, domain=domain))
            vehicles = rng.sample([("(Cayman)", "CAY", "LP"), ("-A", main_place, main_legal), ("-B", main_place, main_legal),
                                   ("Parallel", main_place, main_legal), ("(Offshore)", "CAY", "LP"),
                                   ("Feeder", "CAY", "LTD"), ("Co-Investment", main_place, main_legal),
                                   ("(TEI)", hub, "LLC"), ("EUR", "LUX", "SCSP"), ("(AIV)", "CAY", "LP"),
                                   ("Executive Fund", hub, "LP"), ("(Lux)", "LUX", "SCSP")], rng.choice([0, 0, 1, 1, 2]))
            for tag, place, legal in vehicles:
                self.add(fam, Entity(prog, place, "vehicle", numeral=num, tag=tag, legal=legal, domain=domain))
            if rng.random() < 0.2:  # the fund's general partner
                gp = rng.choice([f"{brand} GP", f"{brand} Associates", f"{brand} Partners GP"])
                self.add(fam, Entity(gp, hub if us else rng.choice(["LUX", "GSY", "CAY"]), "gp", numeral=num,
                                     legal="LLC" if us else rng.choice(["SARL", "LTD", "LP"]), domain=domain))

    # -- limited partners

    def pension_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        state = self.names.word()
        hub = rng.choice(["SAC", "HBG", "AUS", "COL", "BOS", "DC", "CHI", "DAL"])
        plans = rng.sample([("State Employees' Retirement System", "SERS"), ("Teachers' Retirement System", "TRS"),
                            ("Public Employees' Retirement System", "PERS"), ("Public School Employees' Retirement System", "PSERS"),
                            ("Police & Fire Pension System", "PFPS"), ("State Investment Board", "SIB"),
                            ("Municipal Employees' Retirement System", "MERS"), ("County Employees' Retirement Association", "CERA")],
                           rng.choice([1, 1, 2, 3]))
        dom_tld = rng.choice(["gov", "org", "com"])
        for body, acr in plans:
            acronym = state[0] + acr if rng.random() < 0.7 else state[:2].upper() + acr
            of_form = f"{body[6:]} of the State of {state}" if body.startswith("State ") else f"{body} of {state}"
            alts = [of_form, f"{state} {body.replace(chr(39), '')}", f"{state}, {body}"]
            self.add(fam, Entity(f"{state} {body}", hub, "lp_pension", domain=f"{acronym.lower()}.{dom_tld}",
                                 alt_cores=alts, acronym=acronym.upper()), country="US")

    def university_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        place = self.names.word()
        hub = rng.choice(US_HUBS + ["COL", "AUS"] + EU_HUBS[:3])
        dom = f"{place.lower()}.{'edu' if PLACES[hub].country == 'US' else 'ac.uk'}"
        self.add(fam, Entity(f"University of {place}", hub, "lp_endowment", domain=dom,
                             alt_cores=[f"{place} University", f"{place}, University of", f"The Regents of the University of {place}",
                                        f"University of {place} Endowment", f"University of {place} - Investment Office"]))
        if rng.random() < 0.5:  # a different institution with the place in its name
            self.add(fam, Entity(f"{place} State University", rng.choice(US_HUBS), "lp_endowment", domain=f"{place.lower()}state.edu",
                                 alt_cores=[f"{place} State Univ"]), country="US")
        if rng.random() < 0.4:
            self.add(fam, Entity(f"{place} Investment Management Company", hub, "lp_endowment", domain=dom,
                                 alt_cores=[f"{place} Management Company"]))

    def foundation_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        name = self.names.word()
        hub = rng.choice(US_HUBS + EU_HUBS)
        dom = f"{name.lower()}{rng.choice(['foundation', 'fdn', 'fund'])}.org"
        self.add(fam, Entity(f"The {name} Foundation", hub, "lp_foundation", domain=dom,
                             alt_cores=[f"{name} Foundation", f"{name} Foundation, The"]))
        if rng.random() < 0.5:
            self.add(fam, Entity(f"The {name} Family Foundation", hub, "lp_foundation", domain=f"{name.lower()}family.org"))
        if rng.random() < 0.4:
            self.add(fam, Entity(f"{name} Family Office", hub, "lp_family_office", legal=HOME_FORMS[PLACES[hub].country][0],
                                 domain=f"{name.lower()}fo.com"))
        if rng.random() < 0.3:
            self.add(fam, Entity(f"{name} Charitable Trust", hub, "lp_foundation", domain=dom))

    def insurer_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        brand, hub = self.names.word(), rng.choice(US_HUBS + EU_HUBS)
        country = PLACES[hub].country
        kind = rng.choice(["Life Insurance Company", "Mutual Insurance Company", "Life Assurance", "Insurance Group"])
        legal = {"US": "INC", "GB": "PLC"}.get(country, HOME_FORMS[country][0])
        dom = f"{brand.lower()}{rng.choice(['', 'life', 'ins'])}.com"
        self.add(fam, Entity(f"{brand} {kind}", hub, "lp_insurer", legal=legal, domain=dom))
        if rng.random() < 0.5:
            self.add(fam, Entity(f"{brand} {kind} of New York", "NY", "lp_insurer", legal="INC", domain=dom), country="US")
        if rng.random() < 0.3:
            self.add(fam, Entity(f"{brand} Investment Management", hub, "lp_insurer", legal=HOME_FORMS[country][0], domain=dom))

    def sovereign_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        land = self.names.word()
        hub = rng.choice(APAC_HUBS + ["OSL"])
        acr = land[0] + "IA"
        self.add(fam, Entity(f"{land} Investment Authority", hub, "lp_sovereign", domain=f"{acr.lower()}.{HOME_FORMS[PLACES[hub].country][2]}",
                             acronym=acr.upper(), alt_cores=[f"{land} Investment Auth"]))
        if rng.random() < 0.5:
            self.add(fam, Entity(f"{land} Investment Corporation", hub, "lp_sovereign", legal=HOME_FORMS[PLACES[hub].country][0],
                                 domain=f"{land.lower()}ic.com"))

    def fund_of_funds_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        brand, hub = self.names.word(), rng.choice(US_HUBS + EU_HUBS)
        us = PLACES[hub].country == "US"
        dom = f"{brand.lower()}.{'com' if us else HOME_FORMS[PLACES[hub].country][2]}"
        self.add(fam, Entity(f"{brand} Private Equity Partners", hub, "lp_fund_of_funds", legal="LLC" if us else "LTD", domain=dom))
        start = rng.randint(1, 8)
        for num in range(start, start + rng.choice([1, 2, 3])):
            self.add(fam, Entity(f"{brand} Fund Investors", hub if us else "LUX", "lp_fund_of_funds", numeral=num,
                                 legal="LP" if us else "SCSP", domain=dom))

    # -- portfolio companies and service providers

    def portfolio_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        hub = rng.choice(US_HUBS + EU_HUBS + APAC_HUBS)
        country = PLACES[hub].country
        brand = self.names.word(accent=country in {"DE", "CH", "FR", "SE", "DK", "NO"} and rng.random() < 0.3)
        sector = rng.choice(["Technologies", "Software", "Health", "Healthcare Services", "Logistics", "Foods", "Industries",
                             "Labs", "Energy", "Systems", "Group", "Payments", "Data", "Medical"])
        slug = brand.lower().translate(str.maketrans("øäéü", "oaeu"))
        dom = rng.choice([f"{slug}.com", f"{slug}{sector.split()[0].lower()}.com", f"get{slug}.com", f"{slug}.io",
                          f"{slug}.{HOME_FORMS[country][2]}"])
        legal = "INC" if country == "US" and rng.random() < 0.6 else HOME_FORMS[country][0]
        self.add(fam, Entity(f"{brand} {sector}", hub, "portfolio_company", legal=legal, domain=dom))
        if rng.random() < 0.35:  # the deal's holding chain
            for layer in rng.sample(["Topco", "Midco", "Bidco", "Holdings", "Intermediate Holdings", "Acquisition Corp"],
                                    rng.choice([1, 2])):
                hl = rng.choice(["LUX", "JSY", hub]) if country != "US" else hub
                self.add(fam, Entity(f"{brand} {layer}", hl, "portfolio_holdco",
                                     legal="SARL" if hl == "LUX" else ("LTD" if hl == "JSY" else ("LLC" if country == "US" else HOME_FORMS[country][0])),
                                     domain=dom))

    def provider_family(self) -> None:
        rng, fam = self.rng, self.new_family()
        kind = rng.random()
        if kind < 0.4:  # law firm
            names = [self.names.word() for _ in range(rng.choice([2, 2, 3]))]
            core = f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]}, {names[1]} & {names[2]}"
            hub = rng.choice(US_HUBS + ["LDN"])
            dom = f"{names[0].lower()}{''.join(n[0].lower() for n in names[1:])}.com"
            self.add(fam, Entity(core, hub, "law_firm", legal="LLP", domain=dom,
                                 alt_cores=[f"{names[0]} {names[1]}", names[0]] if len(names) == 2 else [f"{names[0]} {names[1]}"]))
            if rng.random() < 0.4:
                self.add(fam, Entity(core, "LDN" if hub != "LDN" else "NY", "law_firm", tag="(UK)" if hub != "LDN" else "(US)",
                                     legal="LLP", domain=dom))
        elif kind < 0.7:  # placement agent / adviser
            brand, hub = self.names.word(), rng.choice(US_HUBS + EU_HUBS)
            country = PLACES[hub].country
            dom = f"{brand.lower()}{rng.choice(['advisors', 'partners', 'capital', ''])}.com"
            self.add(fam, Entity(f"{brand} Capital Advisors", hub, "placement_agent", legal=HOME_FORMS[country][0], domain=dom))
            if rng.random() < 0.5:
                self.add(fam, Entity(f"{brand} Securities", hub, "broker_dealer", legal=HOME_FORMS[country][0], domain=dom))
        else:  # fund administrator with country subsidiaries
            brand = self.names.word()
            dom = f"{brand.lower()}fs.com"
            for loc, legal in rng.sample([("Luxembourg", "SA"), ("Ireland", "LTD"), ("Cayman", "LTD"), ("Jersey", "LTD"),
                                          ("USA", "LLC"), ("Guernsey", "LTD")], rng.choice([1, 2, 3])):
                hub = {"Luxembourg": "LUX", "Ireland": "DUB", "Cayman": "CAY", "Jersey": "JSY", "USA": "NY", "Guernsey": "GSY"}[loc]
                self.add(fam, Entity(f"{brand} Fund Services", hub, "fund_administrator", tag=f"({loc})", legal=legal, domain=dom))


#: family kind -> weight; a manager family holds ~10 entities, the others 1-3 (about 45 % of entities
#: are managers and their vehicles, 35 % LPs, 12 % portfolio companies, 8 % service providers)
FAMILY_KINDS = [("manager_family", 12), ("pension_family", 12), ("university_family", 10), ("foundation_family", 12),
                ("insurer_family", 6), ("sovereign_family", 3), ("fund_of_funds_family", 5), ("portfolio_family", 24),
                ("provider_family", 12)]


# --------------------------------------------------------------------------------------------- rendering

#: source -> (P legal form written, P abbreviate a word, P upper case, P lower case, field length, P tax id, P domain)
HABITS = {
    "crm": (0.5, 0.10, 0.04, 0.03, 80, 0.20, 0.85),
    "fund_admin": (0.95, 0.10, 0.85, 0.0, 50, 0.85, 0.45),
    "billing": (0.6, 0.25, 0.30, 0.0, 35, 0.70, 0.75),
    "data_vendor": (0.8, 0.20, 0.10, 0.0, 40, 0.40, 0.90),
    "sub_docs": (1.0, 0.0, 0.05, 0.0, 200, 0.60, 0.30),
    "ir_sheet": (0.3, 0.35, 0.05, 0.20, 200, 0.15, 0.60),
}
_COMMON = {w.lower() for w in list(ABBREV) + ["The", "of", "and", "&", "Fund", "State", "Family", "Real", "Estate",
                                               "Private", "Life", "New", "York", "Co.", "GP", "Europe"]}
_FOLD = [{"ø": "o", "ä": "a", "é": "e", "ü": "u", "à": "a"}, {"ø": "oe", "ä": "ae", "é": "e", "ü": "ue", "à": "a"}]
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def _numeral(rng: random.Random, num: int, source: str) -> str:
    p_arabic = {"ir_sheet": 0.5, "billing": 0.35, "crm": 0.25, "data_vendor": 0.15}.get(source, 0.05)
    r = rng.random()
    if r < p_arabic:
        return str(num)
    if r < p_arabic + 0.04:
        return WORDS[num]
    return ROMAN[num]


def _tag(rng: random.Random, tag: str, numeral: str) -> str:
    if tag in {"-A", "-B"}:
        letter = tag[1]
        return rng.choice([f"{numeral}-{letter}", f"{numeral}-{letter}", f"{numeral}{letter}", f"{numeral} {letter}",
                           f"{numeral}-{letter.lower()}"])
    if tag.startswith("("):
        word = tag.strip("()")
        return f"{numeral} " + rng.choice([tag, tag, word, f"- {word}", f"({word.upper()})", f"[{word}]"])
    if tag in {"Parallel", "Feeder", "Co-Investment", "Executive Fund"}:
        return f"{numeral} " + rng.choice([tag, tag, f"({tag})", f"{tag} Fund" if "Fund" not in tag else tag, f"- {tag}"])
    return f"{numeral} {tag}".strip()


def _year_tag(rng: random.Random, tag: str) -> str:
    return rng.choice([tag, tag, f"({tag})", f"Vintage {tag}", f"'{tag[2:]}", f"- {tag}"])


def _body(rng: random.Random, e: Entity, source: str) -> str:
    core = e.core
    if e.alt_cores and rng.random() < 0.3:
        core = rng.choice(e.alt_cores)
    if e.acronym:
        r = rng.random()
        if r < 0.04:
            return e.acronym
        if r < 0.12:
            core = f"{core} ({e.acronym})"
    if e.numeral is not None:
        num = _numeral(rng, e.numeral, source)
        if e.role in {"fund", "vehicle"} and rng.random() < 0.04 and not core.endswith("Fund"):
            core += " Fund"
        return f"{core} {_tag(rng, e.tag, num)}".strip()
    if e.tag.isdigit():
        return f"{core} {_year_tag(rng, e.tag)}"
    if e.tag:
        return f"{core} {e.tag}"
    return core


def _legal(rng: random.Random, e: Entity, source: str) -> str:
    if e.legal is None or rng.random() > HABITS[source][0]:
        return ""
    if source == "sub_docs":
        prose = LEGAL_PROSE.get(e.legal)
        if prose and PLACES[e.place].country in {"US", "KY"} and rng.random() < 0.5:
            return ", " + prose[0 if PLACES[e.place].country == "US" else -1]
        return ", " + LEGAL[e.legal][0]
    spellings = LEGAL[e.legal]
    spelling = spellings[0] if rng.random() < 0.45 else rng.choice(spellings)
    return rng.choice([", ", " ", " ", ","]) + spelling


def _abbreviate(rng: random.Random, name: str, p: float) -> str:
    for phrase, alts in PHRASE_ABBREV.items():
        if phrase in name and rng.random() < p * 1.5:
            name = name.replace(phrase, rng.choice(alts))
    words = name.split(" ")
    out = [rng.choice(ABBREV[w]) if w in ABBREV and rng.random() < p else w for w in words]
    return " ".join(out)


def _typo(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.lower().strip(",.") not in _COMMON and w.isalpha()]
    if not idx:
        return name
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.random()
    if op < 0.35:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]  # transposition
    elif op < 0.6:
        w = w[:j] + w[j + 1:]  # missing letter
    elif op < 0.8:
        w = w[:j] + w[j] + w[j:]  # doubled letter
    else:
        w = w[:j] + rng.choice(_KEYS) + w[j + 1:]  # wrong letter
    words[i] = w
    return " ".join(words)


def _noise(rng: random.Random, name: str, source: str) -> str:
    if rng.random() < 0.25:
        name = name.replace(" & ", " and ") if " & " in name else name.replace(" and ", " & ")
    if name.startswith("The ") and rng.random() < 0.4:
        name = name[4:]
    elif rng.random() < 0.02:
        name = "The " + name
    if rng.random() < 0.12:
        name = _typo(rng, name)
    if any(c in name for c in "øäéüà") and (source in {"billing", "fund_admin", "data_vendor"} or rng.random() < 0.3):
        fold = rng.choice(_FOLD)
        name = "".join(fold.get(c, c) for c in name)
    r = rng.random()
    if r < 0.08:
        name = name.replace(",", "").replace(".", "")
    elif r < 0.12:
        name = name.replace("'", "")
    r = rng.random()
    if r < 0.06:
        name = name.replace(" ", "  ", 1)
    elif r < 0.09:
        name = name.replace(" ", "\t", 1)
    elif r < 0.14:
        name = name + rng.choice([" ", "  ", ".", " ,", "\t"])
    elif r < 0.17:
        name = " " + name
    return name


def _case(rng: random.Random, name: str, source: str) -> str:
    _, _, p_up, p_low, *_ = HABITS[source]
    r = rng.random()
    if r < p_up:
        return name.upper()
    if r < p_up + p_low:
        return name.lower()
    return name


def render_name(rng: random.Random, e: Entity, source: str) -> str:
    p_abbrev, length = HABITS[source][1], HABITS[source][4]
    name = _body(rng, e, source)
    name = _abbreviate(rng, name, p_abbrev)
    name = name + _legal(rng, e, source)
    name = _noise(rng, name, source)
    name = _case(rng, name, source)
    if len(name) > length:
        name = name[:length]
    return name


def render_domain(rng: random.Random, e: Entity, source: str) -> str | None:
    if e.domain is None:
        return None
    if rng.random() > HABITS[source][6]:
        return None if rng.random() < 0.85 else rng.choice(PLACEHOLDERS)
    d = e.domain
    if source == "billing" and rng.random() < 0.5:
        return rng.choice(["ap", "accounts.payable", "invoices", "finance", "fundaccounting"]) + "@" + d
    if rng.random() < 0.07:
        return rng.choice(["info", "ir", "investorrelations", "j.smith", "contact"]) + "@" + d
    if rng.random() < 0.05 and d.endswith(".com"):
        d = d[:-4] + rng.choice([".co.uk", ".de", ".lu", ".com.au", ".eu"])
    shape = rng.random()
    if shape < 0.3:
        pass
    elif shape < 0.5:
        d = "www." + d
    elif shape < 0.65:
        d = "https://www." + d
    elif shape < 0.75:
        d = "http://" + d
    elif shape < 0.82:
        d = "https://" + d + "/"
    elif shape < 0.9:
        d = "https://www." + d + rng.choice(["/en", "/en/home", "/contact-us", "/about/", "/index.html", "/?lang=en"])
    else:
        d = "www." + d + "/"
    if rng.random() < 0.08:
        d = d.upper()
    return d + (" " if rng.random() < 0.03 else "")


def render_tax(rng: random.Random, e: Entity, source: str) -> str | None:
    if e.tax_id is None or rng.random() > HABITS[source][5]:
        return None if rng.random() < 0.9 else rng.choice(PLACEHOLDERS)
    kind, d = e.tax_id
    if kind == "EIN":
        return rng.choice([f"{d[:2]}-{d[2:]}", f"{d[:2]}-{d[2:]}", d, f"EIN: {d[:2]}-{d[2:]}", f"EIN {d}",
                           f"{d[:2]} {d[2:]}", f"TIN {d[:2]}-{d[2:]}"])
    if kind == "RCS":
        return rng.choice([f"B{d}", f"B {d}", f"RCS Luxembourg B{d}", f"R.C.S. Luxembourg B {d}", f"B{d[:3]}.{d[3:]}",
                           f"RCS B-{d}"])
    if kind == "UKCO":
        return rng.choice([d, f"Company No. {d}", f"Reg. no {d}", d.lstrip("0") if d.isdigit() else d])
    if kind == "HRB":
        return rng.choice([f"HRB {d}", f"HRB{d}", f"Amtsgericht München HRB {d}", f"HRB {d} B"])
    if kind == "CHE":
        return rng.choice([f"CHE-{d[:3]}.{d[3:6]}.{d[6:]}", f"CHE{d}", f"CHE-{d[:3]}.{d[3:6]}.{d[6:]} MWST",
                           f"CHE {d[:3]} {d[3:6]} {d[6:]}"])
    if kind == "KYREG":
        return rng.choice([f"MC-{d}", f"MC{d}", f"WK-{d}", d])
    cc = kind.split("_")[1]
    suffix = "B01" if cc == "NL" else ""
    groups = " ".join(d[i:i + 3] for i in range(0, len(d), 3))
    return rng.choice([f"{cc}{d}{suffix}", f"{cc} {groups}{(' ' + suffix) if suffix else ''}", f"{d}{suffix}",
                       f"VAT: {cc}{d}{suffix}", f"{cc}-{d}{suffix}", f"{cc}{d}{suffix}".lower()])


def render_place(rng: random.Random, e: Entity) -> tuple:
    place = PLACES[e.place]
    city = None
    if rng.random() < 0.85:
        names = place.names
        city = names[0] if rng.random() < 0.5 else rng.choice(names)
        if rng.random() < 0.05:
            city = city.upper()
    elif rng.random() < 0.3:
        city = rng.choice(PLACEHOLDERS)
    country = None
    if rng.random() < 0.8:
        names = COUNTRY_NAMES[place.country]
        country = names[0] if rng.random() < 0.4 else rng.choice(names)
    return city, country


# ------------------------------------------------------------------------------------------------ public

RECORDS_PER_ENTITY = ([1, 2, 3, 4, 5], [38, 27, 18, 10, 7])


def build_world(n_entities: int, rng: random.Random) -> World:
    world = World(rng)
    kinds, weights = zip(*FAMILY_KINDS, strict=True)
    while len(world.entities) < n_entities:
        getattr(world, rng.choices(kinds, weights)[0])()
    return world



def generate(n: int, seed: int) -> pd.DataFrame:
    """About ``n`` organisation records with ground truth ``entity``, ``family`` and ``role``; deterministic per seed."""
    rng = random.Random(seed)
    counts, weights = RECORDS_PER_ENTITY
    mean = sum(c * w for c, w in zip(counts, weights, strict=True)) / sum(weights)
    world = build_world(max(1, round(n / mean)), rng)
    sources, source_w = zip(*SOURCES.items(), strict=True)
    rows = []
    for e in world.entities:
        for source in rng.choices(sources, source_w, k=rng.choices(counts, weights)[0]):
            city, country = render_place(rng, e)
            rows.append({"source_system": source, "name": render_name(rng, e, source), "domain": render_domain(rng, e, source),
                         "tax_id": render_tax(rng, e, source), "city": city, "country": country,
                         "entity": e.eid, "family": e.family, "role": e.role})
    rng.shuffle(rows)
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [f"dev-{i:07d}" for i in range(len(df))])
    return df[COLUMNS]
