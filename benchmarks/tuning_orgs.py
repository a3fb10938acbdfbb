"""The organisation generator crmhub's resolver is tuned on (the benchmark's ``orgs`` data set).

Shapes follow how private-equity organisations are named in public material (Form D / Form ADV filings,
Luxembourg RCS and Cayman fund registers, LP reports and the press), with synthetic words only:

* managers and their fund families: "<Brand> Capital Partners VII, L.P.", "<Brand> Fund IV (Cayman) L.P.",
  "<Brand> Real Estate Partners Europe III SCSp", "<Brand> Infrastructure Opportunities Fund II", vintages
  ("<Brand> Growth 2019"), parallel / offshore / feeder / series vehicles ("Fund IV-A", "Fund IV (A)"),
  the management company ("<Brand> Capital Management, LLC", "<Brand> Advisors") and the GP
  ("<Brand> GP IV, L.L.C.", "<Brand> Partners IV GP Limited");
* LPs: public pension systems ("<State> Teachers' Retirement System"), endowments ("University of <X>
  Endowment"), foundations, family offices ("<Surname> Family Office"), insurers;
* portfolio companies ("<Brand> Systems Inc.", "<Brand> Technologies GmbH") and advisors ("<Surname> &
  <Surname> LLP", "<Brand> Placement Advisors");
* namesakes: the same brand used by an unrelated firm in another country (other domain, city, tax id).

No source is clean: the first record of an entity carries up to two of issue #17's variation classes and
each further record two to five at once, drawn independently per record: case; stray whitespace, tabs and
punctuation (also two words run together: "Harbor-Capital", "HarborCapital", "FundIV"); abbreviations of
common words; Arabic or written-out fund numerals ("Fund 2", "Fund Two"); legal forms in other spellings
and languages, or dropped; typos and adjacent transpositions in one distinctive word, sometimes two (first
letters included); other names of the same place (city and country); domains in every shape; tax ids with
or without separators, labels and country prefixes; fields missing in one source. Five source systems,
four of which never carry some field (fund administrator: domain; billing: country and domain; data
vendor: tax id; the IR team's spreadsheet: tax id, domain and country). Ground truth: ``entity`` (true
pairs), ``family`` (manager family: hard negatives are the same family's other entities), ``role``.
"""

from __future__ import annotations

import random
import string

import pandas as pd


def _words(text: str) -> list[str]:
    return text.split()


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
BRAND_WORDS = _words("""harbor summit granite oak birch cedar pine maple willow aspen blue red north south east west
atlas apex vertex meridian horizon pinnacle beacon keystone liberty eagle falcon hawk lion bear wolf river
lake ocean bay harbour stone iron silver golden crystal evergreen highland lowland coastal prairie canyon
alpine arctic polar solar lunar stellar orion phoenix titan trinity unity legacy heritage pioneer frontier
vanguard sentinel guardian crescent sterling regent crown royal bridge gate tower castle ardent bellwether
cobalt driftwood ember fairway garnet halcyon indigo juniper kestrel lantern marble northstar onyx
palisade quarry rampart saffron tamarack umber verdant wharf yarrow zenith""")
SYL_A = _words("bar ber cal dor el fen gar hal kel lan mar nor or pel quin ros sal tor val wes yor zan ash bren")
SYL_B = _words("ing ton ley son man ford well wood worth stead by field more ham ridge croft hurst wick dale")
SURNAMES = _words("""smith johnson williams brown jones garcia miller davis wilson anderson taylor moore jackson martin
thompson white harris clark lewis robinson walker young allen king wright scott hill green adams baker hall
campbell mitchell carter roberts phillips evans turner parker collins edwards stewart morris murphy cook rogers
morgan cooper peterson bailey reed kelly howard cox ward richardson watson brooks wood bennett gray hughes
price sanders patel myers long ross foster shah haddad vogel""")
STATES = _words("""Ohio Texas Florida Michigan Oregon Iowa Utah Kansas Maine Nevada Georgia Virginia Kentucky Arizona
Colorado Montana Idaho Vermont Alaska Hawaii Delaware Indiana Missouri Wyoming Nebraska Oklahoma""")
REGIONS = ["Europe", "Asia", "North America", "Latin America", "US", "Global"]

#: (city, ISO country, other names of the same city as sources write them)
PLACES = [("New York", "US", ["NYC", "New York City", "New York, NY", "Manhattan", "new york", "New York NY 10022"]),
          ("Boston", "US", ["Boston, MA", "BOSTON"]), ("Chicago", "US", ["Chicago, IL"]),
          ("San Francisco", "US", ["SF", "San Francisco, CA"]), ("Menlo Park", "US", ["Menlo Park, CA"]),
          ("Greenwich", "US", ["Greenwich, CT"]), ("Houston", "US", ["Houston, TX"]),
          ("Washington", "US", ["Washington, D.C.", "Washington DC"]), ("London", "GB", ["London, UK", "LONDON", "London EC2M"]),
          ("Luxembourg", "LU", ["Luxembourg City", "Luxembourg-Ville", "Luxemburg", "Luxembourg, Luxembourg",
                                     "L-1855 Luxembourg"]),
          ("George Town", "KY", ["Grand Cayman", "Cayman Islands", "Georgetown", "George Town, Grand Cayman"]),
          ("Hamilton", "BM", ["Hamilton, Bermuda", "Bermuda"]), ("Road Town", "VG", ["Tortola", "British Virgin Islands"]),
          ("Saint Peter Port", "GG", ["St Peter Port", "St. Peter Port", "Guernsey"]),
          ("Saint Helier", "JE", ["St Helier", "St. Helier", "Jersey"]), ("Zurich", "CH", ["Zürich", "Zuerich"]),
          ("Geneva", "CH", ["Genève", "Genf"]), ("Munich", "DE", ["München", "Muenchen"]),
          ("Frankfurt", "DE", ["Frankfurt am Main"]), ("Paris", "FR", ["PARIS", "Paris, France"]),
          ("Dublin", "IE", ["Dublin 2"]), ("Singapore", "SG", ["Singapore City"]), ("Hong Kong", "HK", ["Hong Kong SAR"]),
          ("Sydney", "AU", ["Sydney NSW"]), ("Toronto", "CA", ["Toronto, ON"]), ("Tokyo", "JP", ["Tokyo-to"]),
          ("Amsterdam", "NL", ["Amsterdam-Zuidoost", "1082 MS Amsterdam"]), ("Stockholm", "SE", ["Stockholm C", "111 47 Stockholm"]),
          ("Copenhagen", "DK", ["København", "Kobenhavn K"]), ("Vienna", "AT", ["Wien", "1010 Wien"]),
          ("Oslo", "NO", ["OSLO", "0250 Oslo"]), ("Brussels", "BE", ["Bruxelles", "Brussel"])]
#: other names of a country (ISO code -> names sources use)
COUNTRY_NAMES = {"US": ["USA", "United States", "U.S.", "United States of America"],
                 "GB": ["UK", "United Kingdom", "Great Britain"], "LU": ["Luxembourg", "Grand Duchy of Luxembourg"],
                 "KY": ["Cayman Islands", "KY"], "DE": ["Germany", "Deutschland"], "CH": ["Switzerland", "Schweiz"],
                 "FR": ["France"], "IE": ["Ireland"], "SG": ["Singapore"], "HK": ["Hong Kong"], "AU": ["Australia"],
                 "CA": ["Canada"], "JP": ["Japan"], "BM": ["Bermuda"], "VG": ["British Virgin Islands"],
                 "GG": ["Guernsey"], "JE": ["Jersey"], "NL": ["Netherlands", "Nederland"], "SE": ["Sweden"],
                 "DK": ["Denmark"], "AT": ["Austria"], "NO": ["Norway"], "BE": ["Belgium"]}
#: legal form per role and domicile family, with the other spellings and languages of the same form
LEGAL_SPELLINGS = {
    "L.P.": ["LP", "L.P", "Limited Partnership", "LP.", "L. P."], "SCSp": ["S.C.Sp.", "SCSP", "S.C.Sp", "L.P."],
    "LLC": ["L.L.C.", "Limited Liability Company", "llc", "L.L.C"], "Inc.": ["Inc", "Incorporated", "INC"],
    "Corp.": ["Corp", "Corporation"], "Ltd": ["Ltd.", "Limited", "LTD"], "Limited": ["Ltd", "Ltd."],
    "LLP": ["L.L.P.", "Limited Liability Partnership"], "GmbH": ["G.m.b.H.", "Gesellschaft mit beschränkter Haftung"],
    "S.à r.l.": ["SARL", "S.a.r.l.", "Sàrl", "S.à.r.l."], "SAS": ["S.A.S.", "Société par actions simplifiée"],
    "S.A.": ["SA", "Société Anonyme"], "AG": ["Aktiengesellschaft"], "B.V.": ["BV", "B.V"],
    "Pty Ltd": ["Pty. Ltd.", "Pty Limited", "Proprietary Limited", "PTY LTD"], "plc": ["PLC", "p.l.c."],
    "SCA SICAV-RAIF": ["S.C.A. SICAV-RAIF", "SCA SICAV RAIF"], "": [""],
}
FUND_FORMS = {"US": ["L.P."], "KY": ["L.P.", "Ltd"], "LU": ["SCSp", "SCA SICAV-RAIF", "S.à r.l."], "GB": ["LLP", "L.P."],
              "GG": ["L.P.", "Limited"], "JE": ["L.P.", "Limited"]}
COMPANY_FORMS = {"US": ["LLC", "Inc.", "Corp.", "L.P."], "GB": ["Ltd", "Limited", "LLP", "plc"], "DE": ["GmbH", "AG"],
                 "CH": ["AG", "S.A.", "GmbH"], "FR": ["SAS", "S.A."], "LU": ["S.à r.l.", "S.A."], "AU": ["Pty Ltd"],
                 "KY": ["Ltd"], "IE": ["Limited"], "SG": ["Pte. Ltd."], "HK": ["Limited"], "CA": ["Inc."], "JP": ["K.K."],
                 "BM": ["Ltd"], "VG": ["Ltd"], "GG": ["Limited"], "JE": ["Limited"], "NL": ["B.V."], "SE": ["AB"],
                 "DK": ["A/S", "ApS"], "AT": ["GmbH"], "NO": ["AS"], "BE": ["SA", "NV"]}
#: abbreviations of common words as CRMs and fund administrators write them (several per word)
ABBREVIATIONS = {"Partners": ["Ptnrs", "Prtnrs", "Ptrs", "Partners"], "Capital": ["Cap", "Cap.", "Capital"],
                 "Opportunities": ["Opps", "Opp", "Opportunity"], "Infrastructure": ["Infra", "Infrastr"],
                 "Management": ["Mgmt", "Mgt", "Mgmt."], "Systems": ["Sys", "Sys."], "University": ["Univ", "Univ."],
                 "International": ["Intl", "Int'l"], "Investments": ["Invs", "Inv", "Invest"],
                 "Holdings": ["Hldgs", "Hldg"], "Advisors": ["Advs", "Advisers"], "Associates": ["Assoc", "Assocs"],
                 "Global": ["Glbl", "Gbl"], "Technologies": ["Tech", "Techs"], "Retirement": ["Ret"],
                 "System": ["Sys"], "Employees": ["Emps", "Empl"], "Group": ["Grp"], "Fund": ["Fd"],
                 "Services": ["Svcs"], "Foundation": ["Fdn", "Found."], "Company": ["Co", "Co."],
                 "Markets": ["Mkts"], "Growth": ["Grwth"], "Equity": ["Eq"], "Teachers'": ["Teachers", "Tchrs"],
                 "Insurance": ["Ins", "Ins."], "Investment": ["Invt", "Inv."], "Association": ["Assn", "Assoc."],
                 "Endowment": ["Endow"], "Pension": ["Pens"], "County": ["Cnty"], "Public": ["Pub"],
                 "Manufacturing": ["Mfg"], "Healthcare": ["Hlthcare", "Health Care"], "Software": ["Sftwr"]}
PHRASES = {"Private Equity": ["PE"], "Real Estate": ["RE"], "North America": ["N. America"], " and ": [" & "], " & ": [" and "]}
ARABIC = {r: str(i + 1) for i, r in enumerate(ROMAN)}
#: fund numerals written out, as some LP reports and press releases do ("Fund Two")
SPELLED = dict(zip(ROMAN[:10], _words("One Two Three Four Five Six Seven Eight Nine Ten"), strict=True))
FUND_SHAPES = ["{b} Capital Partners {r}", "{b} Partners {r}", "{b} Fund {r}", "{b} Equity Partners {r}",
               "{b} Real Estate Partners {g} {r}", "{b} Infrastructure Opportunities Fund {r}",
               "{b} Private Equity Fund {r}", "{b} Growth Equity Fund {r}", "{b} Credit Opportunities {r}",
               "{b} Ventures {r}", "{b} Buyout Fund {r}"]
VEHICLE_SHAPES = ["{f} (Cayman)", "{f}-A", "{f}-B", "{f} Parallel", "{f} Offshore", "{f} Feeder",
                  "{f} Co-Investment", "{f} (Lux)"]
MANAGER_SHAPES = ["{b} Capital Management", "{b} Management", "{b} Advisors", "{b} Capital", "{b} Partners",
                  "{b} Asset Management", "{b} Investment Management"]
GP_SHAPES = ["{b} GP {r}", "{b} Partners {r} GP", "{b} Associates {r}", "{b} Fund {r} GP"]
LP_SHAPES = ["{S} Teachers' Retirement System", "{S} Public Employees' Retirement System", "{S} State Pension Fund",
             "{B} County Employees Retirement Association", "Municipal Employees' Retirement System of {S}",
             "University of {B} Endowment", "{B} University Investment Office", "{B} College Endowment Fund",
             "{B} Foundation", "{N} Family Office", "{N} Family Investments", "{B} Life Insurance Company",
             "{B} Mutual Insurance Company", "{N} Charitable Trust"]
PORTCO_SHAPES = ["{B} Systems", "{B} Technologies", "{B} Software", "{B} Healthcare Services", "{B} Logistics",
                 "{B} Manufacturing Company", "{B} Foods", "{B} Data Systems", "{B} Global Services"]
ADVISOR_SHAPES = ["{N} & {M} LLP", "{B} Placement Advisors", "{B} Fund Services", "{B} Fund Administration",
                  "{N} {M} & Associates"]
FREE = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com"]


class _Ids:
    """Unique synthetic tax ids in each country's usual shape (EIN, VAT, RCS, company number, UID)."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def new(self, country: str) -> tuple[str, str]:
        """(country, digits-or-register) unique across the run."""
        rng = self.rng
        while True:
            if country == "LU":
                core = f"B{rng.randint(10_000, 299_999)}"
            elif country == "GB":
                core = f"{rng.randint(0, 99_999_999):08d}"
            elif country == "CH":
                core = f"{rng.randint(100_000_000, 999_999_999)}"
            elif country == "SE":
                core = f"55{rng.randint(0, 99_999_999):08d}"  # organisationsnummer
            elif country in ("DK", "AT"):
                core = f"{rng.randint(10_000_000, 99_999_999)}"  # CVR / the digits of an ATU number
            elif country == "BE":
                core = f"0{rng.randint(200_000_000, 999_999_999)}"  # enterprise number
            elif country == "FR":
                core = f"{rng.randint(300_000_000, 999_999_999)}"  # SIREN
            else:  # EIN, German/Dutch/Norwegian 9-digit numbers
                core = f"{rng.randint(10, 99)}{rng.randint(0, 9_999_999):07d}"
            if (country, core) not in self.used:
                self.used.add((country, core))
                return country, core


def tax_shape(rng: random.Random, country: str, core: str) -> str:
    """``core`` as one source writes it: with/without separators, labels and country prefix."""
    if country == "LU":
        return rng.choice([core, f"{core[0]} {core[1:]}", f"LU{core}", f"RCS {core}", f"{core[0]}{core[1:4]}.{core[4:]}",
                           f"RCS Luxembourg {core}"])
    if country == "GB":
        return rng.choice([core, f"GB{core}", f"{core[:2]} {core[2:5]} {core[5:]}", f"CRN {core}", f"UK {core}"])
    if country == "CH":
        return rng.choice([f"CHE-{core[:3]}.{core[3:6]}.{core[6:]}", f"CHE{core}", f"CHE-{core[:3]}.{core[3:6]}.{core[6:]} MWST",
                           f"CHE {core[:3]} {core[3:6]} {core[6:]}"])
    if country == "NL":  # RSIN, or the VAT number built from it ("NL" + RSIN + "B01")
        return rng.choice([core, f"NL{core}B01", f"NL {core[:4]}.{core[4:6]}.{core[6:]}.B01", f"BTW NL{core}B01",
                           f"{core}B01"])
    if country == "SE":  # organisationsnummer, or the VAT number ("SE" + number + "01")
        return rng.choice([f"{core[:6]}-{core[6:]}", core, f"SE{core}01", f"Moms SE {core}01", f"VAT SE{core}01"])
    if country == "DK":
        return rng.choice([core, f"DK{core}", f"CVR {core}", f"DK {core[:2]} {core[2:4]} {core[4:6]} {core[6:]}"])
    if country == "AT":
        return rng.choice([f"ATU{core}", f"AT U{core}", f"UID ATU{core}", f"U{core}"])
    if country == "NO":  # organisasjonsnummer, or with "MVA" (registered for VAT)
        return rng.choice([core, f"NO{core}MVA", f"{core[:3]} {core[3:6]} {core[6:]} MVA", f"NO {core}"])
    if country == "BE":
        return rng.choice([f"BE{core}", f"{core[:4]}.{core[4:7]}.{core[7:]}", f"BE {core}", f"BTW BE {core}",
                           f"BE{core[1:]}" if core[0] == "0" else core])
    if country == "FR":  # SIREN, SIRET (SIREN + establishment), VAT ("FR" + 2 check digits + SIREN)
        return rng.choice([core, f"{core[:3]} {core[3:6]} {core[6:]}", f"SIRET {core} 000{rng.randint(10, 99)}",
                           f"FR{rng.randint(10, 99)}{core}", f"TVA FR {rng.randint(10, 99)} {core}"])
    if country in ("US", "KY", "VG", "BM"):
        return rng.choice([core, f"{core[:2]}-{core[2:]}", f"US {core[:2]}-{core[2:]}", f"EIN: {core[:2]}-{core[2:]}",
                           f"{core[:2]} {core[2:]}", f"US{core}", f"EIN {core}", f"{core[:2]}.{core[2:5]}.{core[5:]}",
                           f"US EIN {core[:2]}-{core[2:]}", f"{core[:2]}-{core[2:]} (EIN)", f"Federal EIN: {core}"])
    return rng.choice([core, f"{country}{core}", f"{country} {core[:3]} {core[3:6]} {core[6:]}", f"{country}-{core}",
                       f"VAT {country}{core}", f"{core[:3]}.{core[3:6]}.{core[6:]}", f"USt-IdNr.: {country}{core}"
                       if country == "DE" else f"VAT No. {country} {core}"])


#: A second register of one entity in some countries (a company-register number besides the VAT number):
#: sources pick either, so one entity's records carry two different numbers of different shapes.
SECOND_REGISTER = {"GB": lambda rng: f"GB{rng.randint(100_000_000, 999_999_999)}",  # VAT no. (9) vs company no. (8)
                   "LU": lambda rng: f"{rng.randint(10_000_000, 99_999_999)}",    # LU VAT (8) vs RCS "B123456"
                   "DE": lambda rng: f"HRB {rng.randint(10_000, 299_999)}",      # Handelsregister vs USt-IdNr
                   "NL": lambda rng: f"KvK {rng.randint(10_000_000, 99_999_999)}",  # KvK (8) vs RSIN (9)
                   "AT": lambda rng: f"FN {rng.randint(100_000, 599_999)}{rng.choice('abdfghikmpstvwxyz')}"}


def second_register(rng: random.Random, country: str) -> str | None:
    """A second registration number of an entity of ``country`` (about a third of those that have one)."""
    make = SECOND_REGISTER.get(country)
    return make(rng) if make and rng.random() < 0.35 else None


#: Registered office of a fund domiciled in ``country`` as its administrator records it (the seat, or
#: a Delaware fund's registered agent in Wilmington), where the manager's records give its own office.
REGISTERED_OFFICES = {"KY": [("George Town", "KY"), ("Grand Cayman", "Cayman Islands")],
                      "LU": [("Luxembourg", "LU"), ("L-2453 Luxembourg", "Luxembourg")],
                      "US": [("Wilmington", "US"), ("Wilmington, DE", "USA")], "JE": [("St Helier", "JE")],
                      "GG": [("St Peter Port", "GG")], "BM": [("Hamilton", "BM")], "IE": [("Dublin 2", "IE")]}


def _brand(rng: random.Random) -> str:
    r = rng.random()
    word = rng.choice(BRAND_WORDS).title()
    if r < 0.35:
        return word + " " + rng.choice(BRAND_WORDS).title()
    if r < 0.6:
        return (rng.choice(SYL_A) + rng.choice(SYL_B)).title() + (" " + word if rng.random() < 0.5 else "")
    if r < 0.8:
        return rng.choice(SURNAMES).title() + " " + word
    return word


def _domain(rng: random.Random, brand: str, country: str) -> str | None:
    r = rng.random()
    if r < 0.06:
        return rng.choice(FREE)
    if r < 0.16:
        return None
    tld = {"GB": ".co.uk", "DE": ".de", "CH": ".ch", "LU": ".lu", "FR": ".fr", "AU": ".com.au", "JP": ".co.jp",
           "SG": ".com.sg", "HK": ".com.hk", "CA": ".ca", "IE": ".ie"}.get(country, ".com")
    if rng.random() < 0.4:
        tld = ".com"
    return brand.lower().replace(" ", "") + rng.choice(["", "", "cap", "-partners", "group", "capital"]) + tld


def _place(rng: random.Random, countries: tuple[str, ...] | None = None) -> tuple[str, str]:
    choices = [p for p in PLACES if countries is None or p[1] in countries]
    city, country, _ = rng.choice(choices)
    return city, country


def _entity(name: str, form: str, domain, tax, city: str, country: str, role: str, rng: random.Random | None = None,
            domicile: str | None = None) -> dict:
    tax2 = second_register(rng, tax[0]) if tax and rng is not None else None
    return {"base": name, "form": form, "domain": domain, "tax": tax, "tax2": tax2, "city": city, "country": country,
            "role": role, "domicile": domicile}


def _family(rng: random.Random, ids: _Ids) -> list[dict]:
    """One manager family (or one LP / portco / advisor): its legal entities."""
    r = rng.random()
    brand = _brand(rng)
    if r < 0.45:  # a GP with funds, vehicles, manager, GP entities
        city, country = _place(rng, ("US", "GB", "CH", "DE", "FR", "SG", "HK", "AU", "CA"))
        domain = _domain(rng, brand, country)
        shape = rng.choice(FUND_SHAPES)
        region = rng.choice(REGIONS)
        vintage = rng.random() < 0.2
        start, first = rng.randint(2008, 2020), rng.randint(0, 4)
        n_funds = rng.choice([1, 1, 2, 2, 3, 4, 5])
        out = []
        for k in range(n_funds):
            numeral = str(start + 2 * k) if vintage else ROMAN[first + k]
            fname = shape.format(b=brand, r=numeral, g=region)
            dom_country = rng.choice(["US", "KY", "LU", "US"]) if country == "US" else rng.choice([country, "LU", "KY", "GB"])
            form = rng.choice(FUND_FORMS.get(dom_country, ["L.P."]))
            out.append(_entity(fname, form, domain, ids.new(dom_country) if rng.random() < 0.75 else None, city,
                               country, "fund", rng, dom_country))
            if not vintage and rng.random() < 0.35:
                for vshape in rng.sample(VEHICLE_SHAPES, rng.choice([1, 1, 2, 3])):
                    vform = "L.P." if "Cayman" in vshape else ("SCSp" if "Lux" in vshape else form)
                    vcountry = "KY" if "Cayman" in vshape else ("LU" if "Lux" in vshape else dom_country)
                    out.append(_entity(vshape.format(f=fname), vform, domain,
                                       ids.new(vcountry) if rng.random() < 0.75 else None, city, country, "vehicle",
                                       rng, vcountry))
            if not vintage and rng.random() < 0.3:
                out.append(_entity(rng.choice(GP_SHAPES).format(b=brand, r=numeral), rng.choice(["LLC", "Ltd", "L.P."]),
                                   domain, ids.new(country) if rng.random() < 0.6 else None, city, country, "gp"))
        if rng.random() < 0.7:
            out.append(_entity(rng.choice(MANAGER_SHAPES).format(b=brand), rng.choice(COMPANY_FORMS.get(country, ["LLC"])),
                               domain, ids.new(country) if rng.random() < 0.7 else None, city, country, "manager",
                               rng))
        return out
    if r < 0.7:
        shapes, role = LP_SHAPES, "lp"
    elif r < 0.9:
        shapes, role = PORTCO_SHAPES, "portco"
    else:
        shapes, role = ADVISOR_SHAPES, "advisor"
    city, country = _place(rng)
    shape = rng.choice(shapes)
    name = shape.format(S=rng.choice(STATES), B=brand, N=rng.choice(SURNAMES).title(), M=rng.choice(SURNAMES).title())
    form = "" if role == "lp" and rng.random() < 0.8 else rng.choice(COMPANY_FORMS.get(country, ["LLC"]))
    domain = _domain(rng, name.split()[0] if role != "lp" else brand, country)
    return [_entity(name, form, domain, ids.new(country) if rng.random() < 0.65 else None, city, country, role, rng)]


def _namesake(rng: random.Random, ids: _Ids, ent: dict) -> dict:
    """The same brand used by an unrelated firm in another country."""
    city, country = _place(rng)
    while country == ent["country"]:
        city, country = _place(rng)
    return _entity(ent["base"], rng.choice(COMPANY_FORMS.get(country, ["LLC"])),
                   _domain(rng, ent["base"].split()[0], country), ids.new(country) if rng.random() < 0.65 else None,
                   city, country, ent["role"])


# ------------------------------------------------------------------------------------ variation classes


def typo(rng: random.Random, word: str) -> str:
    """Deletion, substitution, insertion or adjacent transposition anywhere in ``word`` (first letters too)."""
    if len(word) < 4:
        return word
    i = rng.randrange(0, len(word) - 1)
    op = rng.random()
    if op < 0.35:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op < 0.55:
        return word[:i] + word[i + 1:]
    if op < 0.8:
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i:]


def _is_distinctive(word: str) -> bool:
    plain = word.strip(",.()'").rstrip("'")
    return len(plain) >= 4 and plain.isalpha() and plain not in ROMAN and plain not in {
        "Fund", "Partners", "Capital", "Management", "Parallel", "Offshore", "Feeder", "Cayman", "Advisors"}


def _name_variant(rng: random.Random, words: list[str], c: str) -> list[str]:
    """Apply one name class ``c`` to the words of a name (legal form handled by the caller)."""
    if c == "case":
        f = rng.choice([str.upper, str.lower, str.title])
        return [f(w) for w in words]
    if c == "space":
        out = []
        for w in words:
            out.append(w + (rng.choice(["", "", "", " ", "\t", ",", ".", " -", "  "]) if rng.random() < 0.4 else ""))
        if rng.random() < 0.5:
            out[0] = rng.choice([" ", "\t", "\"", "'"]) + out[0]
        if len(out) >= 2 and rng.random() < 0.3:  # two words joined: "Harbor-Capital", "Harbor/Capital", "HarborCapital"
            k = rng.randrange(len(out) - 1)
            out[k:k + 2] = [out[k].rstrip(",.") + rng.choice(["-", "/", ""]) + out[k + 1]]
        return out
    if c == "abbrev":
        text = " ".join(words)
        for phrase, shorts in PHRASES.items():
            if phrase in text and rng.random() < 0.7:
                text = text.replace(phrase, rng.choice(shorts))
        return [rng.choice(ABBREVIATIONS[w]) if w in ABBREVIATIONS and rng.random() < 0.7 else w for w in text.split()]
    if c == "numeral":
        table = SPELLED if rng.random() < 0.25 else ARABIC
        return [table.get(w, w) for w in words]
    if c == "typo":
        distinct = [k for k, w in enumerate(words) if _is_distinctive(w)]
        words = list(words)
        # one distinctive word, sometimes two (a record keyed in by hand twice over)
        for k in rng.sample(distinct, min(len(distinct), 2 if rng.random() < 0.25 else 1)):
            words[k] = typo(rng, words[k])
        return words
    return words


def render(rng: random.Random, ent: dict, classes: set[str]) -> dict:
    """One source record of ``ent`` with the variation ``classes`` applied."""
    words = ent["base"].split()
    for c in ("abbrev", "numeral", "typo", "case", "space"):
        if c in classes:
            words = _name_variant(rng, words, c)
    form = ent["form"]
    if "legal" in classes:
        form = rng.choice(LEGAL_SPELLINGS.get(form, [form]) + ([""] if rng.random() < 0.3 else []))
        if "case" in classes and rng.random() < 0.5:
            form = form.upper()
    name = " ".join(words)
    if form:
        name += rng.choice([", ", " ", " ", ","]) + form
    if "space" in classes and rng.random() < 0.4:
        name += rng.choice([" ", "\t", ".", "  "])
    domain = ent["domain"]
    if domain and "domain" in classes and domain not in FREE:
        domain = rng.choice([f"https://www.{domain}/", f"http://{domain}/about", f"www.{domain}", domain.upper(),
                             f"https://{domain}/en/funds?lang=en", f"//www.{domain}", f"WWW.{domain.upper()}/",
                             f"https://www.{domain}/contact-us", f"http://www.{domain}", f"{domain}/"])
    tax = tax_shape(rng, *ent["tax"]) if ent["tax"] else None
    if tax and ent.get("tax2") and rng.random() < 0.4:
        tax = ent["tax2"]
    city, country = ent["city"], ent["country"]
    if "place" in classes:
        aliases = next((p[2] for p in PLACES if p[0] == city), [])
        if aliases:
            city = rng.choice(aliases)
        if rng.random() < 0.5:
            country = rng.choice(COUNTRY_NAMES.get(country, [country]))
    if "missing" in classes:
        # left empty, or filled with what a source writes when it does not know ("N/A", "Unknown", "-")
        gap = rng.choice([None, None, None, "N/A", "Unknown", "-", "n/a", "TBD"])
        for f in rng.sample(["domain", "tax", "city", "country"], rng.choice([1, 1, 2])):
            if f == "domain":
                domain = gap
            elif f == "tax":
                tax = gap
            elif f == "city":
                city = gap
            else:
                country = gap
    return {"name": name, "domain": domain, "tax_id": tax, "city": city, "country": country}


#: Fields a source system does not carry at all (fund administrators keep no web domain, a data vendor
#: no tax id, billing no country): missing in one source, not at random.
SOURCE_GAPS = {"crm": (), "fund_admin": ("domain",), "billing": ("country", "domain"), "data_vendor": ("tax_id",),
               "ir_spreadsheet": ("tax_id", "domain", "country")}
CLASSES = ("case", "space", "abbrev", "numeral", "legal", "typo", "place", "domain", "missing")
CLASS_WEIGHTS = (1.0, 1.0, 1.2, 0.8, 1.2, 1.0, 0.8, 0.8, 1.0)


def _pick_classes(rng: random.Random, k: int) -> set[str]:
    """``k`` distinct variation classes, drawn by :data:`CLASS_WEIGHTS` without replacement."""
    pool, weights, out = list(CLASSES), list(CLASS_WEIGHTS), set()
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), weights=weights)[0]
        out.add(pool.pop(i))
        weights.pop(i)
    return out


def generate(n: int, seed: int) -> pd.DataFrame:
    """About ``n`` organisation records (exactly ``n``) with ground truth ``entity``, ``family``, ``role``."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    systems = ["crm", "fund_admin", "billing", "data_vendor", "ir_spreadsheet"]
    rows: list[dict] = []
    entity = family = 0
    namesake_pool: list[dict] = []
    used_names: set[tuple[str, str]] = set()
    while len(rows) < n:
        if namesake_pool and rng.random() < 0.04:
            ents = [_namesake(rng, ids, rng.choice(namesake_pool))]
            if (ents[0]["base"].lower(), ents[0]["country"]) in used_names:
                continue
            used_names.add((ents[0]["base"].lower(), ents[0]["country"]))
        else:
            ents = _family(rng, ids)
            # registers keep one name per jurisdiction: two unrelated entities never share a base name in
            # one country (namesakes abroad are planted above)
            keys = {(e["base"].lower(), e["country"]) for e in ents}
            if keys & used_names:
                continue
            used_names |= keys
        for ent in ents:
            if ent["role"] in ("manager", "portco", "lp") and rng.random() < 0.2:
                namesake_pool.append(ent)
            r = rng.random()
            k = 0 if r < 0.5 else (1 if r < 0.8 else (2 if r < 0.93 else rng.randint(3, 4)))
            first_system = rng.choice(systems)
            for v in range(k + 1):
                # no source is clean: the first record carries up to two classes, each further one two to five
                classes = _pick_classes(rng, rng.choice([0, 0, 1, 2]) if v == 0 else rng.choice([2, 2, 3, 3, 4, 5]))
                rec = render(rng, ent, classes)
                system = systems[(systems.index(first_system) + v) % len(systems)] if v else first_system
                if system == "fund_admin" and ent["domicile"] in REGISTERED_OFFICES and rng.random() < 0.5:
                    # the administrator keeps the fund's registered office, the CRM the manager's office
                    rec["city"], rec["country"] = rng.choice(REGISTERED_OFFICES[ent["domicile"]])
                for f in SOURCE_GAPS[system]:
                    rec[f] = None  # a source that never carries the field
                rec["source_system"] = first_system if v == 0 else systems[(systems.index(first_system) + v) % len(systems)]
                rec["entity"], rec["family"], rec["role"] = entity, family, ent["role"]
                rows.append(rec)
            entity += 1
        family += 1
    rows = rows[:n]
    rng.shuffle(rows)
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [f"o{i}" for i in range(len(df))])
    return df
