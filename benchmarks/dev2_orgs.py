"""Second independent development set of messy private-equity organisation records (``dev2_orgs``).

``generate(n, seed)`` returns about ``n`` records (exactly ``n`` unless fewer are asked for than one
family holds), deterministic per seed, with the columns ``record_id, source_system, name, domain, tax_id,
city, country, entity, family, role``. ``entity`` is the ground truth (records of one real-world
organisation share it); ``family`` groups related-but-different organisations (a manager, its advisers
and regional arms, its GPs, its funds and their vehicles; a public pension system's separate plans; a
university and its management company; a portfolio company's holdco chain; a fund administrator's
regional companies; a custodian bank group). Same family + other entity = hard negative. ``role`` is one
of fund, manager, gp, lp, portco, advisor, custodian. Missing values are ``""``, ``None`` or placeholders
("N/A", "n/a", "-", "TBD", "unknown", "none", "00-0000000").

What it models (stacked, several per record, with habits per source system):

* issue #17's classes: case, stray whitespace (tabs, doubled, non-breaking, leading/trailing) and
  punctuation; abbreviations (Partners/Prtnrs/Ptnrs, Capital/Cap, Opportunities/Opps, Infrastructure/Infra,
  Management/Mgmt, Private Equity/PE, Real Estate/RE, Investments/Invs, International/Intl, Associates/
  Assocs, Holdings/Hldgs, Advisors/Advisers, Foundation/Fdn, Retirement/Ret, Employees/Emp, ...); Roman vs
  Arabic vs "No. 3" fund numerals (a different numeral is a different fund); legal forms of twenty
  jurisdictions in every spelling, long form or dropped; typos and transpositions in the brand; several
  names of one place (George Town / Grand Cayman / Cayman Islands, Luxembourg-Ville, NYC, München,
  Den Haag, ...); domains bare, www., http(s)://, with paths, upper case, as an e-mail address; tax and
  registry ids (EIN, Companies House, RCS, HRB, SIREN, ABN, UID, KvK, UEN ...) with and without
  separators, labels and country prefixes, Excel-dropped leading zeros; fields missing in one source;
* former and other names: "X f/k/a Y", "X (formerly Y)", a stale record under the old name only, "dba",
  "a/k/a"; custody wrappers on LP names ("<custodian> as custodian FBO <LP>", "f/b/o", "for the benefit
  of", "<LP> c/o <custodian>", "<LP> Attn: Private Equity"); "&" / "and" / "+" / "&amp;"; "The" as prefix,
  as ", The" suffix, or dropped; mojibake ("SociÃ©tÃ©") and dropped accents or umlaut transcriptions;
  OCR confusions (0/O, 1/l/I, rn/m, cl/d, 5/S); names cut at 30/35/40/50 characters; brand words glued or
  split (Blue Rock / Bluerock / BlueRock / Blue-Rock); hyphen and slash variants (Co-Invest / Coinvest);
  curly apostrophes; LP nicknames and acronyms (NPERS, "Norland Teachers"); English and French word
  forms of one name (Partners / Partenaires); data-vendor vintage annotations ("Fund III (2019)"); CRM
  housekeeping marks ("ZZ - DO NOT USE -", "[OLD]", "*").
* hard negatives drawn from how the industry actually structures itself: numbered sibling funds;
  strategy programmes of one manager (Growth II vs Buyout II vs Credit Opportunities II); vintage-year
  funds; parallel (-A/-B), Cayman, Luxembourg, offshore, feeder, ERISA and AIV vehicles of one fund;
  sidecars, annex funds, executive funds, co-invest vehicles, continuation vehicles and deal SPVs; the GP
  of each fund; the management company vs its separately registered investment adviser vs the fund; the
  regional arms of a manager or an administrator; the separate plans of one public pension system;
  a university vs its investment management company; a foundation vs the family office and trust of the
  same family; an insurer vs its New York subsidiary and its reinsurer; a portfolio company vs its
  Topco/Midco/Bidco or Holdings/Intermediate/Buyer chain; a custodian's trust company vs its bank.
  Outside families (so counted against precision, not as labelled hard negatives): namesakes in other
  countries (same brand, other firm) and near-brands one letter apart ("Summit" / "Summitt").

Labelling decisions (from real practice):

* a custody wrapper (FBO / f/b/o / for the benefit of / "as custodian for") names the LP: the custodian
  is only the nominee holder of record, the investor in the CRM is the beneficial owner, so the record
  is the LP's entity. "c/o" and "Attn:" are mailing routes: also the LP. The custodian bank appearing
  under its own name is its own entity (role custodian) in its own family. An FBO record may carry the
  custodian's city (the register holds the nominee's address).
* regional offices that are separately incorporated ("X Capital (UK) LLP", "X Capital Hong Kong
  Limited") are separate legal entities with their own registrations and are separate CRM accounts in
  practice: different entity, same family (hard negative). A renamed organisation keeps its entity.
* a fund's parallel, offshore, feeder or Luxembourg vehicle is its own partnership (own tax id, own
  subscription documents): different entity, same family. The GP is different from the fund.
* a name cut by a field length stays the record's entity even when the cut removes what distinguished it.

Public material that informed the shapes only (no names, ids or data copied; every brand, person, place
in a pension-system name, id and domain is synthetic): SEC EDGAR Form D and Form ADV filer and private
fund names (Delaware/Cayman LPs, "GP, LLC", "Associates", parallel and feeder vehicles, f/k/a), 13F filer
names in upper case; UK Companies House names (LIMITED, LLP, Topco/Midco/Bidco chains); Luxembourg RCS
names (SCSp, S.à r.l., SICAV-RAIF); fund names as printed in the financial press; US public pension
fund and university endowment annual reports listing fund commitments (numerals, vintage years,
strategy programmes, short names); ILPA reporting templates; custodian registration lines on LP
subscription documents and K-1s.

Independence: written without reading the matcher (``include/crmhub/identity/*``), the other
organisation generators (``benchmarks/tuning_orgs.py``, ``benchmarks/dev_orgs.py``, ``benchmarks/heldout/*``),
``docs/identity.md`` or the identity tests (``tests/core/identity/*``); only the loader section of
``benchmarks/bench_identity.py`` was read, to wire this module in.
"""

from __future__ import annotations

import html
import random
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

COLUMNS = ["record_id", "source_system", "name", "domain", "tax_id", "city", "country", "entity", "family", "role"]

# ----------------------------------------------------------------------------------------- vocabulary

_w = str.split  # "a b c" -> ["a", "b", "c"]
_PRE = _w("Ash Birch Cedar Blue Iron Silver North Harbor Granite Summit Lake Stone Falcon Meridian Aurora Kestrel "
        "Quarry Oak Elm Pine Red Black White Gray Bright Clear Golden Copper River Bay Ridge High Long Broad Fair "
        "Green West East South Star Sun Moon Wind Hawk Eagle Fox Wolf Bear Crown Anchor Beacon Cobalt Amber "
        "Juniper Sterling Maple Willow Arbor Tide Glacier Canyon Mesa Prairie Timber Flint Slate Onyx")
_POST = _w("rock ridge wood field gate point bridge brook haven crest mont vale stone water ford wick hurst lake "
         "view hill peak shore port line mark light park land way bourne stead")
_SYL_A = _w("Ver Cor Tal Mar Bel Kal Dor Sel Var Nov Lum Ast Zen Quan Pax Ori Cal Tor Ven Cas Ard Ver Mil Sor Tri")
_SYL_B = _w("an ren ov ar el in os ia ex on um ax ell ora ium is ent ara eon ine")
_SYL_C = ["", "", "a", "o", "is", "ia", "us", "en", "e", "ix"]
_ACCENTED = _w("Élan Lumière Côte Rivière Forêt Étoile Hélios Sérac Cèdre Brücke Grünwald Höhenberg Südstern "
             "Mérante Léman Générale Vallée Château Bénéteau Hôtelier Kröller Mühlbach Zürichsee Allégret "
             "Béryl Frère Périgord Sévigné")
_SURNAMES = _w("Harlow Finch Whitmore Carrington Ashby Pemberton Langley Okafor Nakamura Lindqvist Moreau Brandt "
             "Kowalski Delgado Hargreaves Thornton Vasquez Mbeki Lund Castellano Becker Novak Sato Reyes O'Neill "
             "McAllister Fairbanks Holloway Prentice Ellsworth Abernathy Quinlan Radcliffe Stroud Talbot Winslow "
             "Yardley Bancroft Chen Patel Gupta Rosen Weiss Adler Feld Marsh Kemp Rourke Sterne Vance")
_PLACES = _w("Norland Westmark Eastvale Southmoor Kentmere Ashland Riverton Lakeshire Glenbrook Highmoor Fairhaven "
           "Oakridge Pinecrest Stonebridge Marlow Redfield Brightwater Calderon Dunmore Elmstead Fallbrook "
           "Greystone Hollister Irongate Kingsbury Larchmont Millbrook Newhaven Orchard Prescott")
_CODENAMES = _w("Falcon Atlas Orion Phoenix Titan Granite Nimbus Vega Lynx Osprey Cobalt Sierra Delta Juno Tango "
              "Everest Helix Zephyr Polaris Mercury Apollo Boreal Cascade Harrier")
_INDUSTRIES = ["Software", "Systems", "Technologies", "Healthcare", "Logistics", "Foods", "Dental Partners",
               "Pharma", "Industrial Services", "Packaging", "Analytics", "Energy Services", "Labs", "Networks",
               "Veterinary Group", "Building Products", "Insurance Services", "Education"]

#: word -> variants (the first is the canonical spelling)
ABBR = {
    "Partners": ["Partners", "Prtnrs", "Ptnrs", "Partnrs", "Ptrs", "Partner"],
    "Capital": ["Capital", "Cap", "Cap.", "Cptl", "Capitol"],
    "Opportunities": ["Opportunities", "Opps", "Opp", "Opport.", "Opportunity"],
    "Infrastructure": ["Infrastructure", "Infra", "Infrastr."],
    "Systems": ["Systems", "Sys", "Syst.", "System"],
    "University": ["University", "Univ", "Univ.", "U."],
    "Management": ["Management", "Mgmt", "Mgt", "Mngmt", "Mgmt."],
    "Private Equity": ["Private Equity", "PE", "Priv Eq", "Pvt Equity", "Private Eq."],
    "Real Estate": ["Real Estate", "RE", "Real Est.", "R.E."],
    "Investments": ["Investments", "Invs", "Inv", "Invts", "Investment"],
    "Investment": ["Investment", "Inv", "Invt", "Invest."],
    "International": ["International", "Intl", "Int'l", "Internat'l"],
    "Global": ["Global", "Glbl", "Glob."],
    "Associates": ["Associates", "Assocs", "Assoc", "Assoc."],
    "Holdings": ["Holdings", "Hldgs", "Hldg", "Holding"],
    "Advisors": ["Advisors", "Advisers", "Advs", "Adv"],
    "Fund": ["Fund", "Fd", "Fnd"],
    "Ventures": ["Ventures", "Vntrs", "Vent."],
    "Foundation": ["Foundation", "Fdn", "Fndn", "Found."],
    "Retirement": ["Retirement", "Ret", "Retire.", "Retirmt"],
    "Employees'": ["Employees'", "Employees", "Employee", "Emp", "Employees’", "Empl."],
    "Teachers'": ["Teachers'", "Teachers", "Tchrs", "Teachers’", "Teacher"],
    "System": ["System", "Sys", "Syst"],
    "Pension": ["Pension", "Pens", "Pens."],
    "Insurance": ["Insurance", "Ins", "Ins.", "Insur"],
    "Company": ["Company", "Co", "Co.", "Cmpny"],
    "Secondaries": ["Secondaries", "Secs", "Secondary", "Secondaries"],
    "Technologies": ["Technologies", "Tech", "Techs", "Technology"],
    "Services": ["Services", "Svcs", "Svc", "Srvcs"],
    "Association": ["Association", "Assn", "Ass'n", "Assoc"],
    "Special Situations": ["Special Situations", "Spec Sits", "Special Sits", "Spec. Sit."],
    "Mid-Market": ["Mid-Market", "Midmarket", "Mid Market", "Mid-Mkt", "MidMarket"],
    "Markets": ["Markets", "Mkts", "Mkt"],
    "Growth": ["Growth", "Grwth", "Growth"],
    "Credit": ["Credit", "Cr.", "Credit"],
    "Buyout": ["Buyout", "Buy-Out", "Buy Out", "BO"],
    "Emerging Markets": ["Emerging Markets", "EM", "Emerg. Mkts"],
    "North America": ["North America", "N. America", "NA", "N.A."],
    "Europe": ["Europe", "Eur", "Euro", "European"],
    "Asia Pacific": ["Asia Pacific", "Asia-Pacific", "APAC", "Asia Pac"],
    "Healthcare": ["Healthcare", "Health Care", "Hlthcare", "HC"],
    "Equity": ["Equity", "Eq", "Eq."],
    "Group": ["Group", "Grp", "Grp."],
    "Trust": ["Trust", "Tr", "Tr."],
    "Endowment": ["Endowment", "Endow", "Endowmt"],
    "County": ["County", "Cnty", "Cty"],
    "Municipal": ["Municipal", "Muni", "Mun."],
    "Public": ["Public", "Pub", "Pub."],
    "Board": ["Board", "Bd", "Bd."],
    "Authority": ["Authority", "Auth", "Auth."],
    "Corporation": ["Corporation", "Corp", "Corp."],
    "Co-Investment": ["Co-Investment", "Co-Invest", "Coinvestment", "Co Investment", "Co-Inv", "CoInvest"],
    "Long-Term": ["Long-Term", "Long Term", "Longterm", "LT"],
    "Life": ["Life", "Life"],
    "Family": ["Family", "Fam", "Family"],
    "Office": ["Office", "Ofc", "Off."],
    "Consulting": ["Consulting", "Cnsltg", "Consultants"],
    "Fund Services": ["Fund Services", "Fund Svcs", "Fd Services", "FS"],
}
#: English word -> other-language form of the same name (bilingual firms, Luxembourg and Quebec registrations)
TRANSLATE = {"Partners": "Partenaires", "Management": "Gestion", "Investments": "Investissements",
             "Capital": "Capital", "Holdings": "Participations"}

LEGAL = {
    "LP": ["L.P.", "LP", "L.P", "L P", "Limited Partnership", "LP.", "Ltd. Partnership"],
    "ELP": ["L.P.", "LP", "Exempted Limited Partnership", "ELP", "Limited Partnership", "L.P"],
    "LLC": ["LLC", "L.L.C.", "Limited Liability Company", "Llc", "L.L.C", "LLC."],
    "Inc": ["Inc.", "Inc", "Incorporated", "INC", "Inc"],
    "Corp": ["Corporation", "Corp.", "Corp"],
    "Ltd": ["Limited", "Ltd", "Ltd.", "LTD", "Limited"],
    "LLP": ["LLP", "L.L.P.", "Limited Liability Partnership", "LLP"],
    "plc": ["plc", "PLC", "p.l.c.", "Public Limited Company"],
    "SCSp": ["SCSp", "S.C.Sp.", "SCSP", "S.C.Sp", "Société en commandite spéciale", "SCSp."],
    "SCS": ["SCS", "S.C.S.", "Société en commandite simple", "SECS", "S.e.c.s."],
    "Sarl": ["S.à r.l.", "S.a r.l.", "SARL", "S.à.r.l.", "Sàrl", "S.A.R.L.", "Société à responsabilité limitée",
             "S. à r.l."],
    "SA": ["S.A.", "SA", "Société Anonyme", "S.A"],
    "RAIF": ["SICAV-RAIF", "SICAV RAIF", "SCSp SICAV-RAIF", "S.C.Sp. SICAV-RAIF"],
    "GmbH": ["GmbH", "G.m.b.H.", "Gesellschaft mit beschränkter Haftung", "GMBH", "Gmbh"],
    "KG": ["GmbH & Co. KG", "GmbH & Co KG", "GmbH&Co.KG", "GmbH u. Co. KG", "GMBH & CO. KG"],
    "AG": ["AG", "A.G.", "Aktiengesellschaft"],
    "SAS": ["SAS", "S.A.S.", "Société par actions simplifiée", "S.A.S"],
    "SLP": ["SLP", "S.L.P.", "Société de Libre Partenariat"],
    "BV": ["B.V.", "BV", "Besloten Vennootschap", "B.V"],
    "CV": ["C.V.", "CV", "Commanditaire Vennootschap"],
    "PteLtd": ["Pte. Ltd.", "Pte Ltd", "Private Limited", "PTE LTD", "Pte Limited"],
    "PtyLtd": ["Pty Ltd", "Pty. Ltd.", "Proprietary Limited", "PTY LIMITED", "Pty Limited"],
    "AB": ["AB", "Aktiebolag", "A.B."],
    "AS": ["A/S", "AS", "Aktieselskab"],
    "DAC": ["DAC", "Designated Activity Company", "D.A.C."],
    "ICAV": ["ICAV", "Irish Collective Asset-management Vehicle"],
    "KK": ["K.K.", "KK", "Kabushiki Kaisha", "Co., Ltd."],
    "NA": ["N.A.", "NA", "National Association"],
}

QUAL = {
    "cayman": ["(Cayman)", "Cayman", "(Cayman Islands)", "- Cayman"],
    "lux": ["(Lux)", "(Luxembourg)", "Lux", "Luxembourg"],
    "offshore": ["Offshore", "(Offshore)", "- Offshore"],
    "feeder": ["Feeder", "(Feeder)", "Feeder Fund"],
    "parallel": ["Parallel", "(Parallel)", "Parallel Fund"],
    "aiv": ["AIV", "(AIV)", "Alternative Investment Vehicle"],
    "erisa": ["ERISA", "(ERISA)", "ERISA Fund"],
    "annex": ["Annex", "Annex Fund", "(Annex)"],
    "sidecar": ["Sidecar", "Side-Car", "Side Car", "SideCar"],
    "cv": ["Continuation Fund", "Continuation Vehicle", "CV", "Continuation"],
    "coinv": ["Co-Invest", "Co-Investment", "Coinvest", "Co Invest", "Co-Inv"],
    "exec": ["Executive Fund", "Executives Fund", "Exec Fund", "Executive"],
    "spv": ["SPV", "S.P.V.", "Special Purpose Vehicle"],
}

# country code -> (country spellings, legal forms typical of the country, cities with their other names)
COUNTRIES = {
    "US": (["United States", "US", "USA", "U.S.", "United States of America", "U.S.A.", "usa"], ["LLC", "LP", "Inc"], {
        "New York": ["New York", "NYC", "New York City", "New York, NY", "Manhattan", "NEW YORK", "NY"],
        "San Francisco": ["San Francisco", "SF", "San Francisco, CA", "San Fran", "S.F."],
        "Boston": ["Boston", "Boston, MA", "BOSTON", "Boston MA"],
        "Chicago": ["Chicago", "Chicago, IL", "Chicago IL"],
        "Menlo Park": ["Menlo Park", "Menlo Park, CA", "Menlo Pk"],
        "Greenwich": ["Greenwich", "Greenwich, CT", "Greenwich CT"],
        "Dallas": ["Dallas", "Dallas, TX", "DFW"],
        "Los Angeles": ["Los Angeles", "LA", "L.A.", "Los Angeles, CA", "Santa Monica"],
        "Washington": ["Washington", "Washington, DC", "Washington D.C.", "DC", "Wash. DC"],
        "Wilmington": ["Wilmington", "Wilmington, DE", "Wilmington DE"],
        "Saint Louis": ["Saint Louis", "St. Louis", "St Louis", "St.Louis"],
        "Sacramento": ["Sacramento", "Sacramento, CA"],
        "Philadelphia": ["Philadelphia", "Phila.", "Philadelphia, PA"],
        "Minneapolis": ["Minneapolis", "Mpls", "Minneapolis, MN"],
        "Austin": ["Austin", "Austin, TX"],
        "Palo Alto": ["Palo Alto", "Palo Alto, CA"],
        "Fort Worth": ["Fort Worth", "Ft. Worth", "Ft Worth"]}),
    "GB": (["United Kingdom", "UK", "GB", "U.K.", "England", "Great Britain", "GBR"], ["Ltd", "LLP", "Ltd"], {
        "London": ["London", "LONDON", "City of London", "London EC2", "Greater London", "London W1"],
        "Edinburgh": ["Edinburgh", "EDINBURGH", "Edinburgh EH3"],
        "Manchester": ["Manchester", "Manchester M2"]}),
    "KY": (["Cayman Islands", "KY", "Cayman", "CYM", "Cayman Is.", "British West Indies"], ["ELP", "Ltd"], {
        "George Town": ["George Town", "Georgetown", "Grand Cayman", "George Town, Grand Cayman",
                        "Cayman Islands", "Camana Bay", "GT, Grand Cayman"]}),
    "LU": (["Luxembourg", "LU", "LUX", "Grand Duchy of Luxembourg", "Luxemburg", "G.D. Luxembourg"],
           ["SCSp", "Sarl", "SCS", "SA", "RAIF"], {
        "Luxembourg": ["Luxembourg", "Luxembourg City", "Luxembourg-Ville", "Luxemburg", "L-1855 Luxembourg",
                       "Ville de Luxembourg", "Luxembourg-Kirchberg"],
        "Munsbach": ["Munsbach", "L-5365 Munsbach"],
        "Senningerberg": ["Senningerberg", "Niederanven"]}),
    "DE": (["Germany", "DE", "Deutschland", "DEU", "GER", "Federal Republic of Germany"], ["GmbH", "KG", "AG"], {
        "Munich": ["Munich", "München", "Muenchen", "Munchen", "MÜNCHEN", "80333 München"],
        "Frankfurt": ["Frankfurt", "Frankfurt am Main", "Frankfurt a.M.", "Frankfurt/Main", "Ffm"],
        "Berlin": ["Berlin", "BERLIN"], "Hamburg": ["Hamburg", "20095 Hamburg"]}),
    "FR": (["France", "FR", "FRA", "République française"], ["SAS", "SLP", "SA"], {
        "Paris": ["Paris", "PARIS", "Paris Cedex 08", "Paris 8e", "75008 Paris"],
        "Lyon": ["Lyon", "Lyons", "69002 Lyon"]}),
    "NL": (["Netherlands", "NL", "The Netherlands", "Holland", "NLD", "Nederland"], ["BV", "CV"], {
        "Amsterdam": ["Amsterdam", "AMSTERDAM", "Amsterdam-Zuidas"],
        "The Hague": ["The Hague", "Den Haag", "'s-Gravenhage", "Hague"]}),
    "CH": (["Switzerland", "CH", "Schweiz", "Suisse", "CHE", "Swiss Confederation"], ["AG", "SA", "GmbH"], {
        "Zurich": ["Zurich", "Zürich", "Zuerich", "Zurich ZH", "ZÜRICH"],
        "Geneva": ["Geneva", "Genève", "Genf", "Geneve", "GENEVA"]}),
    "HK": (["Hong Kong", "HK", "Hong Kong SAR", "HKG", "Hong Kong, China"], ["Ltd"], {
        "Hong Kong": ["Hong Kong", "HK", "Central", "Central, Hong Kong", "Hong Kong SAR", "Admiralty"]}),
    "SG": (["Singapore", "SG", "SGP", "Republic of Singapore"], ["PteLtd"], {
        "Singapore": ["Singapore", "SINGAPORE", "Singapore 018989"]}),
    "AU": (["Australia", "AU", "AUS"], ["PtyLtd"], {
        "Sydney": ["Sydney", "Sydney NSW", "Sydney, NSW 2000", "SYDNEY"],
        "Melbourne": ["Melbourne", "Melbourne VIC", "Melb."]}),
    "CA": (["Canada", "CA", "CAN"], ["Inc", "LP"], {
        "Toronto": ["Toronto", "Toronto, ON", "Toronto, Ontario", "TO"],
        "Montreal": ["Montreal", "Montréal", "Montreal, QC", "MONTRÉAL"]}),
    "SE": (["Sweden", "SE", "SWE", "Sverige"], ["AB"], {"Stockholm": ["Stockholm", "STOCKHOLM", "Sthlm"]}),
    "DK": (["Denmark", "DK", "DNK", "Danmark"], ["AS"], {
        "Copenhagen": ["Copenhagen", "København", "Kobenhavn", "Koebenhavn", "Copenhagen K"]}),
    "IE": (["Ireland", "IE", "IRL", "Eire", "Republic of Ireland"], ["Ltd", "DAC", "ICAV"], {
        "Dublin": ["Dublin", "Dublin 2", "DUBLIN", "Dublin 4"]}),
    "JP": (["Japan", "JP", "JPN"], ["KK"], {
        "Tokyo": ["Tokyo", "Tokyo-to", "Chiyoda-ku, Tokyo", "TOKYO", "Minato-ku"]}),
    "BM": (["Bermuda", "BM", "BMU"], ["Ltd"], {"Hamilton": ["Hamilton", "Hamilton, Bermuda", "Pembroke"]}),
}
_MANAGER_HOMES = ["US"] * 10 + ["GB"] * 3 + ["DE", "FR", "NL", "CH", "SE", "DK", "AU", "CA", "HK", "SG", "JP", "LU"]

MISSING = ["", None, "N/A", "n/a", "-", "TBD", "unknown", "none", "NA", "--", "?"]


# ------------------------------------------------------------------------------------------ entities


@dataclass
class Ent:
    eid: str
    fam: str
    role: str
    parts: list
    country: str
    city: str
    domain: str | None
    tax: tuple | None  # (kind, digits)
    kind: str = ""  # record-count profile
    former: list | None = None  # parts of a former name
    dba: str | None = None
    nick: list = field(default_factory=list)  # short names / acronyms
    custody_ok: bool = False  # an LP that may appear under a custody wrapper


def roman(n: int) -> str:
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.brands: list[tuple] = []
        self.used_tax: set = set()
        self.name_keys: set = set()
        self.domain_owner: dict = {}
        self.domain_alias: dict = {}
        self.n_ent = 0
        self.n_fam = 0
        self.ents: list[Ent] = []
        self.custodians: list[Ent] = []

    # ---------------------------------------------------------------------------- ids and brands
    def new_fam(self) -> str:
        self.n_fam += 1
        return f"fam{self.n_fam:06d}"

    def new_eid(self) -> str:
        self.n_ent += 1
        return f"ent{self.n_ent:07d}"

    def brand(self, accented: bool = False) -> tuple:
        """A synthetic brand as (words, glued): ('Blue', 'Rock') glued -> Bluerock."""
        r = self.rng
        if accented:
            b = ((r.choice(_ACCENTED),), False)
        else:
            x = r.random()
            if x < 0.40:
                b = ((r.choice(_PRE), r.choice(_POST).capitalize()), True)
            elif x < 0.60:
                b = ((r.choice(_PRE), r.choice(_PRE + ["Point", "Hill", "Rock", "Bridge", "Gate"])), False)
            elif x < 0.85:
                b = ((r.choice(_SYL_A) + r.choice(_SYL_B) + r.choice(_SYL_C),), False)
            elif x < 0.95:
                b = ((r.choice(_SURNAMES), "&", r.choice(_SURNAMES)), False)
            else:
                b = (("".join(r.choice("ABCDEFGHJKLMNPRSTVW") for _ in range(r.choice([2, 3, 3]))),), False)
        # namesakes (same brand, other firm) and near-brands (one letter apart), both in other families
        if self.brands and r.random() < 0.04:
            b = r.choice(self.brands)
        elif self.brands and r.random() < 0.03:
            words, glued = r.choice(self.brands)
            i = max(range(len(words)), key=lambda k: len(words[k]))
            w = words[i]
            j = r.randrange(1, len(w)) if len(w) > 1 else 0
            w = w[:j] + w[j - 1] + w[j:] if r.random() < 0.5 else w + r.choice("tse")
            b = (words[:i] + (w,) + words[i + 1:], glued)
        self.brands.append(b)
        return b

    def tax(self, country: str, role: str) -> tuple | None:
        r = self.rng
        while True:
            if country == "US":
                t = ("EIN", f"{r.randint(10, 99)}{r.randint(1000000, 9999999)}")
            elif country == "GB":
                t = ("UKCRN", ("OC" if role in ("manager", "advisor") and r.random() < 0.4 else "")
                     + f"{r.randint(0, 15999999):08d}")
            elif country == "LU":
                t = ("RCS", f"B{r.randint(100000, 299999)}")
            elif country == "KY":
                t = ("KY", f"{r.choice(['MC', 'WK', 'OG'])}-{r.randint(100000, 399999)}")
            elif country == "DE":
                t = ("HRB", f"{r.choice(['HRB', 'HRA'])} {r.randint(10000, 299999)}")
            elif country == "FR":
                t = ("SIREN", f"{r.randint(300000000, 999999999)}")
            elif country == "AU":
                t = ("ABN", f"{r.randint(10, 99)}{r.randint(100000000, 999999999)}")
            elif country == "CH":
                t = ("UID", f"{r.randint(100000000, 999999999)}")
            elif country == "NL":
                t = ("KVK", f"{r.randint(10000000, 99999999)}")
            elif country == "SG":
                t = ("UEN", f"{r.randint(2000, 2024)}{r.randint(10000, 99999)}{r.choice('ABCDEGHKMNRZ')}")
            elif country == "SE":
                t = ("ORGNR", f"55{r.randint(10000000, 99999999)}")
            elif country == "DK":
                t = ("CVR", f"{r.randint(10000000, 99999999)}")
            elif country == "CA":
                t = ("BN", f"{r.randint(100000000, 999999999)}")
            elif country == "IE":
                t = ("CRO", f"{r.randint(100000, 799999)}")
            elif country == "JP":
                t = ("JCN", f"{r.randint(1000000000000, 9999999999999)}")
            elif country == "HK":
                t = ("HKBR", f"{r.randint(10000000, 79999999)}")
            else:  # BM
                t = ("BMREG", f"{r.randint(10000, 99999)}")
            if t not in self.used_tax:
                self.used_tax.add(t)
                return t

    def domain_for(self, words: tuple, tail: str, tld: str = ".com") -> str:
        base = "".join(w for w in words if w != "&").lower()
        base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().replace("'", "")
        return base + tail + tld

    @staticmethod
    def name_key(parts: list, country: str) -> tuple:
        """What tells two organisations apart on paper: the name without legal form and the word Fund."""
        out = []
        for p in parts:
            if p[0] == "brand":
                out.append("".join(w for w in p[1] if w != "&").lower())
            elif p[0] in ("w", "lit") and p[1] and p[1] != "Fund":
                out.append(p[1].lower())
            elif p[0] in ("num", "year", "qual"):
                out.append(str(p[1:]))
        return (country, tuple(out))

    def own_domain(self, fam: str, domain: str | None) -> str | None:
        """One web domain belongs to one family (free-mail domains excepted): a taken one gets a variant."""
        if domain is None or domain in ("gmail.com", "outlook.com", "yahoo.com"):
            return domain
        if (fam, domain) in self.domain_alias:
            return self.domain_alias[(fam, domain)]
        name, dot, tld = domain.partition(".")
        cand, k = domain, 0
        while self.domain_owner.get(cand, fam) != fam:
            k += 1
            extra = ["group", "hq", "global", "inv", "-" + self.rng.choice("abcdefgh"), str(k)][min(k - 1, 5)]
            cand = f"{name}{extra}{dot}{tld}" if k < 6 else f"{name}{k}{self.rng.randint(10, 99)}{dot}{tld}"
        self.domain_owner[cand] = fam
        self.domain_alias[(fam, domain)] = cand
        return cand

    def add(self, fam: str, role: str, parts: list, country: str, city: str, domain: str | None, kind: str,
            **kw) -> Ent | None:
        """A new organisation, or None when one of that name already exists in that country (ground truth
        would be ambiguous: two entities nobody could tell apart)."""
        key = self.name_key(parts, country)
        if key in self.name_keys:
            return None
        self.name_keys.add(key)
        e = Ent(self.new_eid(), fam, role, parts, country, city, self.own_domain(fam, domain),
                self.tax(country, role) if self.rng.random() < 0.9 else None, kind, **kw)
        self.ents.append(e)
        return e

    def city(self, country: str) -> str:
        return self.rng.choice(list(COUNTRIES[country][2]))

    def legal(self, country: str) -> str:
        return self.rng.choice(COUNTRIES[country][1])

    # ---------------------------------------------------------------------------------- families
    def manager_family(self) -> None:
        r = self.rng
        fam = self.new_fam()
        home = r.choice(_MANAGER_HOMES)
        accented = home in ("FR", "LU", "CH", "DE", "CA") and r.random() < 0.35
        bw, glued = self.brand(accented)
        B = ("brand", bw, glued)
        city = self.city(home)
        body = r.choice([["Capital"], ["Partners"], ["Capital", "Partners"], ["Equity", "Partners"],
                         ["Private Equity"], ["Ventures"], ["Growth", "Partners"], ["Investments"],
                         ["Capital", "Management"], ["Infrastructure", "Partners"], ["Real Estate", "Partners"],
                         ["Associates"], ["Global", "Partners"]])
        W = [("w", w) for w in body]
        dom = self.domain_for(bw, r.choice(["", "", "cap", "capital", "partners", "pe", "equity"]),
                              r.choice([".com", ".com", ".com", ".co", ".net"] if home == "US" else
                                       [".com", f".{home.lower()}" if home != "GB" else ".co.uk"]))
        mlegal = {"US": r.choice(["LLC", "LP", "LLC"]), "GB": "LLP"}.get(home, self.legal(home))
        mparts = [B] + W + ([("w", "Management")] if r.random() < 0.35 else []) + [("legal", mlegal)]
        former = None
        if r.random() < 0.12:  # the manager was renamed; its tax id stays
            obw, oglued = self.brand(False)
            former = [("brand", obw, oglued)] + [("w", w) for w in r.choice([["Capital"], ["Partners"],
                                                                              ["Capital", "Partners"]])]
            former += [("legal", mlegal)]
        self.add(fam, "manager", mparts, home, city, dom, "manager", former=former,
                 nick=[" ".join(bw) if not glued else "".join(bw)])
        if home == "US" and r.random() < 0.3:  # separately registered investment adviser
            self.add(fam, "manager", [B] + W[:1] + [("w", "Advisors"), ("legal", "LLC")], home, city, dom,
                     "minor")
        for reg in r.sample(["GB", "HK", "DE", "AU", "SG", "LU", "US", "JP"], r.choice([0, 0, 0, 1, 1, 2])):
            if reg == home:
                continue
            label = {"GB": r.choice(["(UK)", "UK", "Europe"]), "HK": r.choice(["Hong Kong", "Asia", "(HK)"]),
                     "DE": r.choice(["Deutschland", "Germany"]), "AU": "Australia", "SG": "Singapore",
                     "LU": "Luxembourg", "US": r.choice(["US", "(USA)", "America"]), "JP": "Japan"}[reg]
            rl = {"GB": "LLP", "HK": "Ltd", "DE": "GmbH", "AU": "PtyLtd", "SG": "PteLtd", "LU": "Sarl",
                  "US": "LLC", "JP": "KK"}[reg]
            self.add(fam, "manager", [B] + W + [("lit", label), ("legal", rl)], reg, self.city(reg),
                     dom if r.random() < 0.6 else None, "minor")
        # fund programmes: the flagship plus strategy programmes; a different strategy is a different fund
        programmes = [("flag", W)]
        for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
            strat = r.choice([["Growth"], ["Buyout"], ["Credit", "Opportunities"], ["Secondaries"],
                              ["Co-Investment"], ["Opportunities"], ["Special Situations"], ["Infrastructure"],
                              ["Real Estate"], ["Mid-Market"], ["Healthcare"], ["Europe"], ["Asia Pacific"],
                              ["Emerging Markets"], ["Long-Term"], ["Venture"], ["Credit"]])
            if ("x", strat) not in programmes:
                programmes.append(("x", strat))
        # funds take the fund form of the manager's country, or a Delaware, Cayman or Luxembourg partnership
        flegal_home = {"US": "LP", "CA": "LP", "GB": "LP", "DE": "KG", "FR": "SLP", "NL": "CV", "LU": "SCSp"}.get(
            home, r.choice(["ELP", "SCSp", "LP"]))
        for kind, words in programmes:
            vintage_named = kind == "x" and r.random() < 0.15
            n_funds = r.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 10]) if kind == "flag" else r.choice([1, 1, 2, 3, 4])
            year = r.randint(1998, 2016)
            for k in range(1, n_funds + 1):
                year += r.choice([2, 3, 3, 4])
                if kind == "flag":
                    core = [B] + W + ([("w", "Fund")] if r.random() < 0.3 else [])
                else:
                    core = [B] + [("w", w) for w in words] + [("w", "Fund") if r.random() < 0.7 else ("w", "Partners")]
                num = ("year", year) if vintage_named else ("num", k, "")
                fl = flegal_home if r.random() < 0.8 else r.choice(["LP", "ELP", "SCSp"])
                fc = {"ELP": "KY", "SCSp": "LU", "KG": "DE", "SLP": "FR", "CV": "NL"}.get(
                    fl, home if home in ("US", "CA", "GB") else "US")
                fcity = city if fc == home else self.city(fc)
                fund = self.add(fam, "fund", core + [num, ("legal", fl)], fc, fcity, dom, "fund")
                if fund is not None:
                    fund.nick = [("vintage", year)]
                # the GP of the fund
                if r.random() < 0.45:
                    gshape = r.random()
                    if gshape < 0.5:
                        gp = core + [("lit", "GP"), num, ("legal", "LLC" if fc in ("US", "CA") else
                                                             ("Sarl" if fc == "LU" else "Ltd"))]
                    elif gshape < 0.8:
                        gp = core[:-1] + [("w", "Associates"), num, ("legal", "LP" if fc != "LU" else "SCS")] \
                            if kind == "x" else [B, ("w", "Associates"), num, ("legal", "LP" if fc != "LU" else "SCS")]
                    else:
                        gp = core + [num, ("lit", "GP"), ("legal", "Ltd" if fc != "US" else "LLC")]
                    self.add(fam, "gp", gp, fc, fcity, dom, "minor")
                # vehicles of the fund
                for q in r.sample(["parallel_a", "cayman", "lux", "feeder", "parallel_b", "offshore", "aiv",
                                   "erisa", "sidecar", "annex", "coinv", "exec", "cv"],
                                  r.choice([0, 0, 0, 0, 1, 1, 2])):
                    if q == "parallel_a":
                        parts, vc = core + [("num", num[1], "A") if num[0] == "num" else num,
                                            ("legal", fl)], fc
                        if num[0] == "year":
                            parts = core + [num, ("qual", "parallel"), ("legal", fl)]
                    elif q == "parallel_b":
                        parts, vc = core + [("num", num[1], "B") if num[0] == "num" else num,
                                            ("qual", "parallel") if num[0] == "year" else ("lit", ""),
                                            ("legal", fl)], fc
                    elif q == "cayman":
                        parts, vc = core + [num, ("qual", "cayman"), ("legal", "ELP")], "KY"
                    elif q == "lux":
                        parts, vc = core + [num, ("qual", "lux"), ("legal", r.choice(["SCSp", "RAIF"]))], "LU"
                    elif q == "offshore":
                        parts, vc = core + [num, ("qual", "offshore"), ("legal", r.choice(["ELP", "Ltd"]))], "KY"
                    else:
                        parts, vc = core + [num, ("qual", q), ("legal", fl)], fc
                    self.add(fam, "fund", parts, vc, fcity if vc == fc else self.city(vc), dom, "minor")
        # family-level continuation vehicles and deal SPVs
        for i in range(r.choice([0, 0, 0, 1, 1, 2])):
            self.add(fam, "fund", [B] + [("qual", "cv"), ("num", i + 1, "") if r.random() < 0.6 else
                                         ("year", r.randint(2019, 2025)), ("legal", "LP")],
                     "US" if home == "US" else "KY", city if home == "US" else "George Town", dom, "minor")
        for _ in range(r.choice([0, 0, 0, 0, 1, 2, 3])):
            cn = r.choice(_CODENAMES)
            tail = r.choice([[("qual", "coinv")], [("w", "Holdings")], [("qual", "spv")], [("lit", "Aggregator")]])
            sc = "US" if home == "US" else r.choice(["US", "KY"])
            self.add(fam, "fund", [B, ("lit", cn)] + tail + [("legal", "LP" if sc == "US" else "ELP")], sc,
                     city if sc == home else self.city(sc), dom if r.random() < 0.5 else None, "minor")

    def lp_family(self) -> None:
        r = self.rng
        fam = self.new_fam()
        x = r.random()
        if x < 0.25:  # public pension system: several separate plans
            place = r.choice(_PLACES) if r.random() < 0.3 else r.choice(_PRE) + r.choice(_POST)
            lvl = r.choice([["State", "of"], [], ["County"], ["City", "of"]])
            pre = [("lit", w) for w in (lvl if lvl and lvl[-1] == "of" else [])] + [("lit", place)] + \
                  ([("w", "County")] if lvl == ["County"] else [])
            plans = r.sample([["Public", "Employees'", "Retirement", "System"], ["Teachers'", "Retirement", "System"],
                              ["Police", "&", "Fire", "Retirement", "System"], ["Employees'", "Retirement", "Fund"],
                              ["Public", "Employees'", "Retirement", "Association"],
                              ["Municipal", "Employees'", "Pension", "Fund"], ["Investment", "Board"],
                              ["Public", "School", "Employees'", "Retirement", "System"]], r.choice([1, 1, 2, 3]))
            cityname = self.city("US")
            for plan in plans:
                words = [w for w in plan]
                parts = pre + [("w", w) if w in ABBR else ("lit", w) for w in words]
                acr = "".join(w[0] for w in ([place] + words) if w[0].isupper() or w == "&") \
                    .replace("&", "")
                nick = [acr, place + " " + r.choice(words[:2]).rstrip("'"), acr.lower()]
                self.add(fam, "lp", parts, "US", cityname, self.domain_for((acr.lower(),), "", r.choice(
                    [".org", ".gov", ".com"])), "lp", nick=nick, custody_ok=True)
        elif x < 0.42:  # university and its investment management company
            nm = r.choice(_PLACES + _SURNAMES)
            kind = r.choice(["University", "College", "Institute of Technology"])
            uni = [("lit", nm), ("w", kind) if kind in ABBR else ("lit", kind)]
            cityname = self.city(r.choice(["US", "US", "US", "GB", "CA"]))
            country = next(c for c, v in COUNTRIES.items() if cityname in v[2])
            dom = self.domain_for((nm,), "", ".edu" if country == "US" else ".ac.uk" if country == "GB" else ".ca")
            pre = r.random()
            parts = ([("lit", "Trustees"), ("lit", "of")] if pre < 0.3 else
                     [("lit", "President"), ("lit", "and"), ("lit", "Fellows"), ("lit", "of")] if pre < 0.4 else []) + uni
            self.add(fam, "lp", parts, country, cityname, dom, "lp", custody_ok=True,
                     nick=[f"{nm} {kind}", f"{nm} {'U' if kind == 'University' else kind}", f"{nm} Endowment"])
            if r.random() < 0.5:
                self.add(fam, "lp", uni + [("w", r.choice(["Management", "Investment"])), ("w", "Company"),
                                           ("legal", "LLC" if country == "US" else "Ltd")],
                         country, cityname, dom, "minor")
        elif x < 0.62:  # foundation, and the family office and trust of the same family
            nm = r.choice(_SURNAMES)
            the = r.random() < 0.6
            cn = self.city(r.choice(["US", "US", "US", "GB", "CH", "CA"]))
            country = next(c for c, v in COUNTRIES.items() if cn in v[2])
            dom = self.domain_for((nm,), r.choice(["foundation", "fdn", "fund"]), ".org")
            parts = ([("the",)] if the else []) + [("lit", nm), ("w", r.choice(["Foundation", "Family"]))]
            if parts[-1] == ("w", "Family"):
                parts.append(("w", "Foundation"))
            self.add(fam, "lp", parts, country, cn, dom, "lp", custody_ok=True, nick=[f"{nm} Fdn", nm])
            if r.random() < 0.4:
                self.add(fam, "lp", [("lit", nm), ("w", "Family"), ("w", "Office"), ("legal", "LLC")], country, cn,
                         r.choice([None, "gmail.com", self.domain_for((nm,), "fo", ".com")]), "minor")
            if r.random() < 0.3:
                self.add(fam, "lp", [("lit", nm), ("w", "Family"), ("w", "Trust")], country, cn, None, "minor")
        elif x < 0.75:  # insurer group
            bw, glued = self.brand()
            B = ("brand", bw, glued)
            cn = self.city("US")
            dom = self.domain_for(bw, r.choice(["", "life", "ins"]))
            self.add(fam, "lp", [B, ("w", "Life"), ("w", "Insurance"), ("w", "Company")], "US", cn, dom, "lp",
                     custody_ok=True)
            if r.random() < 0.4:
                self.add(fam, "lp", [B, ("w", "Life"), ("w", "Insurance"), ("w", "Company"), ("lit", "of"),
                                     ("lit", "New York")], "US", "New York", dom, "minor")
            if r.random() < 0.3:
                self.add(fam, "lp", [B, ("lit", "Re"), ("legal", "Ltd")], "BM", "Hamilton", dom, "minor")
        elif x < 0.92:  # single family office or small LP (free-mail domains are shared across firms)
            nm = r.choice(_SURNAMES)
            home = r.choice(["US", "US", "GB", "CH", "DE", "SG", "HK"])
            parts = [("lit", nm), ("w", r.choice(["Capital", "Holdings", "Investments", "Family"]))]
            if parts[-1][1] == "Family":
                parts.append(("w", "Office"))
            parts.append(("legal", self.legal(home) if home != "US" else "LLC"))
            dom = r.choice([None, r.choice(["gmail.com", "outlook.com", "yahoo.com"]),
                            self.domain_for((nm,), r.choice(["cap", "fo", "holdings"]))])
            self.add(fam, "lp", parts, home, self.city(home), dom, "lp", custody_ok=True)
        else:  # sovereign or corporate pension
            if r.random() < 0.5:
                place = r.choice(_PLACES)
                parts = [("lit", place), ("w", "Investment"), ("w", r.choice(["Authority", "Corporation"]))]
                home = r.choice(["SG", "AU", "CA", "DK", "SE"])
                self.add(fam, "lp", parts, home, self.city(home), self.domain_for((place,), "ia"), "lp",
                         custody_ok=True, nick=["".join(w[1][0] for w in parts)])
            else:
                bw, glued = self.brand()
                parts = [("brand", bw, glued), ("w", "Corporation"), ("w", r.choice(["Pension", "Retirement"])),
                         ("lit", r.choice(["Plan", "Trust", "Master Trust"]))]
                self.add(fam, "lp", parts, "US", self.city("US"), self.domain_for(bw, ""), "lp", custody_ok=True)

    def portco_family(self) -> None:
        r = self.rng
        fam = self.new_fam()
        home = r.choice(["US"] * 6 + ["GB", "GB", "DE", "FR", "NL", "AU", "CA", "SE"])
        bw, glued = self.brand(home in ("FR", "DE") and r.random() < 0.3)
        B = ("brand", bw, glued)
        ind = r.choice(_INDUSTRIES)
        W = [("w", w) if w in ABBR else ("lit", w) for w in ind.split()]
        cn = self.city(home)
        dom = self.domain_for(bw, r.choice(["", "", "hq", "inc", "group"]), r.choice([".com", ".io", ".com"]))
        legal = "Inc" if home == "US" and r.random() < 0.6 else ("LLC" if home == "US" else self.legal(home))
        former = None
        if r.random() < 0.1:
            obw, oglued = self.brand()
            former = [("brand", obw, oglued)] + W + [("legal", legal)]
        dba = None
        if r.random() < 0.1:
            dba = " ".join(bw) + " " + r.choice(["Dental", "Health", "Labs", "Direct", "Pro", "Online"])
        self.add(fam, "portco", [B] + W + [("legal", legal)], home, cn, dom, "portco", former=former, dba=dba)
        if r.random() < 0.3:  # the acquisition chain
            chain = (["Topco", "Midco", "Bidco"] if home == "GB" else
                     ["Holdings", "Intermediate Holdings", "Buyer", "Parent"])
            for link in r.sample(chain, r.choice([1, 2, 2, 3])):
                lg = "Ltd" if home == "GB" else ("LLC" if home == "US" else self.legal(home))
                self.add(fam, "portco", [B] + [("w", w) if w in ABBR else ("lit", w) for w in link.split()]
                         + [("legal", lg)], home, cn, dom, "minor")
        if r.random() < 0.15:  # a foreign subsidiary
            sub = r.choice([c for c in ("GB", "DE", "NL", "AU", "CA", "FR") if c != home])
            self.add(fam, "portco", [B] + W + [("legal", self.legal(sub) if sub != "GB" else "Ltd")], sub,
                     self.city(sub), dom, "minor")

    def advisor_family(self) -> None:
        r = self.rng
        fam = self.new_fam()
        x = r.random()
        home = r.choice(["US", "US", "GB", "LU", "IE", "KY", "DE"])
        cn = self.city(home)
        if x < 0.4:  # law or audit firm
            a, b = r.sample(_SURNAMES, 2)
            parts = [("lit", a)] + ([("lit", "&")] if r.random() < 0.7 else []) + [("lit", b)] + \
                    ([("lit", "&"), ("lit", r.choice(_SURNAMES))] if r.random() < 0.2 else []) + [("legal", "LLP")]
            self.add(fam, "advisor", parts, home if home in ("US", "GB") else "US",
                     cn if home in ("US", "GB") else self.city("US"),
                     self.domain_for((a, b), "", ".com") if r.random() < 0.5 else self.domain_for((a,), "law"),
                     "advisor")
        elif x < 0.7:  # fund administrator with regional companies
            bw, glued = self.brand()
            B = ("brand", bw, glued)
            dom = self.domain_for(bw, r.choice(["", "fs", "funds"]))
            for c in r.sample(["KY", "LU", "IE", "US", "GB", "SG"], r.choice([1, 1, 2, 3])):
                lab = {"KY": "(Cayman)", "LU": "(Luxembourg)", "IE": "(Ireland)", "US": "(USA)", "GB": "(UK)",
                       "SG": "(Singapore)"}[c]
                lg = {"KY": "Ltd", "LU": "SA", "IE": "Ltd", "US": "LLC", "GB": "Ltd", "SG": "PteLtd"}[c]
                self.add(fam, "advisor", [B, ("w", "Fund Services"), ("lit", lab), ("legal", lg)], c, self.city(c),
                         dom, "advisor")
        else:  # placement agent or consultant
            bw, glued = self.brand()
            parts = [("brand", bw, glued), ("w", r.choice(["Advisors", "Consulting", "Associates", "Partners"])),
                     ("legal", "LLC" if home == "US" else "Ltd")]
            c = home if home in ("US", "GB") else "US"
            self.add(fam, "advisor", parts, c, self.city(c), self.domain_for(bw, ""), "advisor")

    def custodian_families(self) -> None:
        r = self.rng
        for _ in range(8):
            fam = self.new_fam()
            bw, glued = self.brand()
            B = ("brand", bw, glued)
            dom = self.domain_for(bw, r.choice(["", "trust", "bank"]))
            e = self.add(fam, "custodian", [B, ("w", "Trust"), ("w", "Company"), ("legal", "NA")], "US",
                         r.choice(["New York", "Boston", "Chicago", "Saint Louis"]), dom, "advisor")
            if e is None:
                continue
            self.custodians.append(e)
            if r.random() < 0.6:
                self.add(fam, "custodian", [B, ("lit", "Bank"), ("lit", "and"), ("w", "Trust"), ("w", "Company")],
                         "US", e.city, dom, "advisor")
            if r.random() < 0.4:
                self.add(fam, "custodian", [B, ("lit", "Custody"), ("w", "Services"), ("lit", "(Europe)"),
                                            ("legal", "Ltd")], "GB", "London", dom, "advisor")


# ------------------------------------------------------------------------------------------ rendering

SOURCES = ["crm", "fund_admin", "billing", "data_vendor", "subscription_docs", "ir_spreadsheet",
           "email_signature", "ocr_scan", "legacy_crm"]
_SOURCE_W = [22, 14, 10, 12, 9, 11, 8, 5, 9]

#: per source: probability of each field present, and of each noise
HABITS = {
    "crm": dict(dom=0.8, tax=0.25, city=0.85, country=0.8, abbr=0.15, legal_drop=0.45, typo=0.12, case=0.1,
                space=0.15, punct=0.2, nick=0.15, the_drop=0.6, arabic=0.2, house=0.04),
    "fund_admin": dict(dom=0.2, tax=0.85, city=0.95, country=0.95, abbr=0.05, legal_drop=0.02, typo=0.04,
                       case=0.6, space=0.05, punct=0.1, custody=0.35, the_drop=0.2, arabic=0.05, numword=0.15),
    "billing": dict(dom=0.1, tax=0.5, city=0.9, country=0.6, abbr=0.3, legal_drop=0.2, typo=0.06, case=0.8,
                    space=0.1, punct=0.7, trunc=0.5, careof=0.2, the_drop=0.5, arabic=0.3),
    "data_vendor": dict(dom=0.9, tax=0.6, city=0.9, country=0.95, abbr=0.4, legal_drop=0.1, legal_short=0.7,
                        typo=0.03, case=0.05, space=0.02, punct=0.3, vintage=0.4, the_drop=0.8, arabic=0.25,
                        url=0.6, iso=0.8, former=0.5),
    "subscription_docs": dict(dom=0.3, tax=0.7, city=0.9, country=0.9, abbr=0.0, legal_drop=0.0, legal_long=0.5,
                              typo=0.02, case=0.05, space=0.05, punct=0.05, custody=0.25, the_keep=0.9,
                              arabic=0.02, former=0.7, taxlabel=0.6),
    "ir_spreadsheet": dict(dom=0.5, tax=0.2, city=0.6, country=0.5, abbr=0.35, legal_drop=0.6, typo=0.15,
                           case=0.2, space=0.4, punct=0.3, nick=0.35, the_drop=0.7, arabic=0.5, placeholder=0.5,
                           amp=0.3),
    "email_signature": dict(dom=0.95, tax=0.02, city=0.7, country=0.3, abbr=0.1, legal_drop=0.5, typo=0.2,
                            case=0.1, space=0.2, punct=0.2, mojibake=0.25, htmlesc=0.3, url=0.8, nick=0.2,
                            the_drop=0.6, arabic=0.3),
    "ocr_scan": dict(dom=0.2, tax=0.6, city=0.8, country=0.7, abbr=0.05, legal_drop=0.1, typo=0.05, case=0.5,
                     space=0.5, punct=0.3, ocr=0.7, glue=0.4, custody=0.15, arabic=0.1),
    "legacy_crm": dict(dom=0.5, tax=0.4, city=0.8, country=0.7, abbr=0.25, legal_drop=0.3, typo=0.1, case=0.5,
                       space=0.2, punct=0.3, mojibake=0.4, trunc=0.3, stale=0.6, accents_drop=0.5, arabic=0.2,
                       placeholder=0.3, house=0.1),
}
_NUMWORDS = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
_OCR = [("O", "0"), ("0", "O"), ("l", "1"), ("I", "l"), ("1", "l"), ("m", "rn"), ("rn", "m"), ("cl", "d"),
        ("S", "5"), ("B", "8"), ("e", "c"), ("h", "b")]
_KEYS = _w("qwertyuiop asdfghjkl zxcvbnm")


def _typo(rng: random.Random, w: str) -> str:
    if len(w) < 4:
        return w
    i = rng.randrange(1, len(w) - 1)
    op = rng.random()
    if op < 0.35:
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if op < 0.55:
        return w[:i] + w[i + 1:]
    if op < 0.7:
        return w[:i] + w[i] + w[i:]
    row = next((k for k in _KEYS if w[i].lower() in k), None)
    if row:
        j = row.index(w[i].lower())
        c = row[max(0, min(len(row) - 1, j + rng.choice([-1, 1])))]
        return w[:i] + (c.upper() if w[i].isupper() else c) + w[i + 1:]
    return w


def _brand_text(rng: random.Random, words: tuple, glued: bool, h: dict) -> str:
    ws = list(words)
    if rng.random() < h.get("typo", 0):
        i = max(range(len(ws)), key=lambda k: len(ws[k]))
        ws[i] = _typo(rng, ws[i])
    if "&" in ws:
        amp = rng.random()
        join = "&" if amp < 0.55 else ("and" if amp < 0.8 else ("+" if amp < 0.9 else "&"))
        if rng.random() < h.get("amp", 0.1):
            join = rng.choice(["and", "+", "&"])
        sep = " " if rng.random() < 0.9 else ""
        return sep.join(join if w == "&" else w for w in ws)
    if len(ws) == 2:
        g = rng.random()
        flip = g < 0.12 + h.get("glue", 0)
        if glued and not flip:
            return ws[0] + ws[1].lower()
        if glued:
            return rng.choice([ws[0] + " " + ws[1], ws[0] + ws[1], ws[0] + "-" + ws[1]])
        if not flip:
            return ws[0] + " " + ws[1]
        return rng.choice([ws[0] + ws[1].lower(), ws[0] + ws[1], ws[0] + "-" + ws[1]])
    return " ".join(ws)


def _word(rng: random.Random, w: str, h: dict, lang_fr: bool) -> str:
    if lang_fr and w in TRANSLATE and rng.random() < 0.5:
        return TRANSLATE[w]
    if w in ABBR and rng.random() < h.get("abbr", 0):
        return rng.choice(ABBR[w][1:])
    if w in ("Co-Investment", "Mid-Market", "Long-Term") and rng.random() < 0.2:
        return rng.choice(ABBR[w])
    return w


def render_parts(rng: random.Random, parts: list, h: dict, src: str, lang_fr: bool, vintage: int | None) -> str:
    out: list[str] = []
    the_mode = "keep"
    if any(p[0] == "the" for p in parts):
        x = rng.random()
        the_mode = ("keep" if x < h.get("the_keep", 0.4) else
                    "drop" if x < h.get("the_keep", 0.4) + h.get("the_drop", 0.3) * (1 - h.get("the_keep", 0.4))
                    else "suffix")
    arabic = rng.random() < h.get("arabic", 0.15)
    numword = rng.random() < h.get("numword", 0.0)
    legal_drop = rng.random() < h.get("legal_drop", 0.2)
    for p in parts:
        t = p[0]
        if t == "the":
            if the_mode == "keep":
                out.append("The")
        elif t == "brand":
            out.append(_brand_text(rng, p[1], p[2], h))
        elif t == "w":
            out.append(_word(rng, p[1], h, lang_fr))
        elif t == "lit":
            if p[1]:
                out.append(p[1])
        elif t == "num":
            k, suffix = p[1], p[2]
            if numword and not suffix:
                txt = rng.choice(["No. ", "No ", "#"]) + str(k)
            elif arabic:
                txt = str(k)
            else:
                txt = roman(k)
            if suffix:
                txt += rng.choice(["-", "", " ", "-"]) + suffix
            out.append(txt)
        elif t == "year":
            out.append(str(p[1]) if rng.random() < 0.85 else "(" + str(p[1]) + ")")
        elif t == "qual":
            out.append(rng.choice(QUAL[p[1]]))
        elif t == "legal":
            if legal_drop:
                continue
            forms = LEGAL[p[1]]
            if h.get("legal_short") and rng.random() < h["legal_short"]:
                form = forms[1] if len(forms) > 1 else forms[0]
            elif h.get("legal_long") and rng.random() < h["legal_long"]:
                form = max(forms, key=len)
            else:
                form = forms[0] if rng.random() < 0.5 else rng.choice(forms)
            if out:
                out[-1] += "," if rng.random() < 0.5 and p[1] not in ("KG",) else ""
            out.append(form)
    name = " ".join(out)
    if vintage and rng.random() < h.get("vintage", 0):
        name += rng.choice([f" ({vintage})", f" - {vintage}", f" {vintage}"])
    if the_mode == "suffix":
        name += ", The"
    return name


def _mojibake(s: str) -> str:
    try:
        return s.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return s.encode("utf-8").decode("latin-1")


def _strip_accents(rng: random.Random, s: str) -> str:
    if rng.random() < 0.3:
        s = s.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("Ü", "Ue").replace("Ö", "Oe")
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def _noise(rng: random.Random, s: str, h: dict) -> str:
    if rng.random() < h.get("ocr", 0):
        for _ in range(rng.choice([1, 1, 2])):
            a, b = rng.choice(_OCR)
            idx = [i for i in range(len(s)) if s.startswith(a, i)]
            if idx:
                i = rng.choice(idx)
                s = s[:i] + b + s[i + len(a):]
    if any(ord(c) > 127 for c in s):
        if rng.random() < h.get("mojibake", 0.03):
            s = _mojibake(s)
        elif rng.random() < h.get("accents_drop", 0.25):
            s = _strip_accents(rng, s)
    if rng.random() < h.get("punct", 0.1):
        x = rng.random()
        if x < 0.5:
            s = s.replace(".", "").replace(",", "")
        elif x < 0.7:
            s = s.replace(",", "")
        elif x < 0.85:
            s = s + rng.choice([".", ",", " -", ";", ".."])
        else:
            s = s.replace(" ", rng.choice([", ", " "]), 1)
    if "'" in s and rng.random() < 0.2:
        s = s.replace("'", rng.choice(["’", "", "`"]))
    if rng.random() < h.get("htmlesc", 0):
        s = html.escape(s)
    c = rng.random()
    if c < h.get("case", 0.1):
        s = s.upper() if rng.random() < 0.7 else s.lower()
    elif c < h.get("case", 0.1) + 0.05:
        s = s.title()
    if rng.random() < h.get("trunc", 0.0):
        cut = rng.choice([30, 35, 40, 50])
        if len(s) > cut:
            s = s[:cut]
    if rng.random() < h.get("space", 0.1):
        x = rng.random()
        if x < 0.3:
            s = s.replace(" ", "  ", 1)
        elif x < 0.5:
            s = s + rng.choice(["\t", " ", "  ", "\xa0"])
        elif x < 0.7:
            s = " " + s
        elif x < 0.85:
            i = s.find(" ")
            s = s[:i] + "\t" + s[i + 1:] if i > 0 else s
        else:
            s = s.replace(" ", "\xa0", 1)
    if rng.random() < h.get("house", 0):
        s = rng.choice(["ZZ - DO NOT USE - ", "(DUPLICATE) ", "*", "zz_"]) + s if rng.random() < 0.6 \
            else s + rng.choice([" [OLD]", " (inactive)", " *", " - dup"])
    return s


def fmt_domain(rng: random.Random, dom: str, h: dict, ent: Ent) -> str:
    if dom in ("gmail.com", "outlook.com", "yahoo.com"):
        return dom if rng.random() < 0.7 else f"{rng.choice(['info', 'office', 'jd'])}@{dom}"
    x = rng.random()
    url = rng.random() < h.get("url", 0.3)
    host = dom if rng.random() < 0.55 else "www." + dom
    if rng.random() < 0.05:
        host = host.upper() if rng.random() < 0.5 else host.capitalize()
    if not url:
        if x < 0.1:
            return f"{rng.choice(['ir', 'info', 'investorrelations', 'ap', 'finance'])}@{dom}"
        return host + ("/" if x > 0.95 else "")
    scheme = rng.choice(["https://", "http://", "https://", "//"])
    path = rng.choice(["", "", "/", "/about", "/funds", "/en/contact-us", "/portfolio", "/team/",
                       "/index.html", "/?utm_source=linkedin", "/investors/login"])
    if ent.role == "fund" and rng.random() < 0.3:
        path = "/funds/" + "-".join(p[1].lower() for p in ent.parts if p[0] == "w")[:30]
    return scheme + host + path


def fmt_tax(rng: random.Random, tax: tuple, h: dict) -> str:
    kind, v = tax
    label = rng.random() < h.get("taxlabel", 0.15)
    x = rng.random()
    if kind == "EIN":
        s = [f"{v[:2]}-{v[2:]}", v, f"{v[:2]} {v[2:]}", f"US{v}", f"US {v[:2]}-{v[2:]}"][
            0 if x < 0.5 else 1 if x < 0.8 else 2 if x < 0.88 else 3 if x < 0.95 else 4]
        return (rng.choice(["EIN ", "EIN: ", "TIN ", "FEIN# "]) + s) if label else s
    if kind == "UKCRN":
        s = [v, v.lstrip("0") if not v.startswith("OC") else v, f"GB{v}", f"Co. No. {v}"][
            0 if x < 0.55 else 1 if x < 0.75 else 2 if x < 0.88 else 3]
        return ("Company No. " + s) if label and not s.startswith("Co") else s
    if kind == "RCS":
        s = [v, f"B {v[1:]}", f"RCS Luxembourg {v[0]} {v[1:]}", f"R.C.S. Luxembourg B {v[1:4]}.{v[4:]}",
             f"LU-{v}", v[1:]][0 if x < 0.4 else 1 if x < 0.6 else 2 if x < 0.75 else 3 if x < 0.85
                              else 4 if x < 0.93 else 5]
        return s
    if kind == "KY":
        return [v, v.replace("-", ""), f"Reg. No. {v}", v.split("-")[1], f"KY-{v}"][
            0 if x < 0.5 else 1 if x < 0.7 else 2 if x < 0.8 else 3 if x < 0.92 else 4]
    if kind == "HRB":
        court = rng.choice(["Amtsgericht München", "AG Frankfurt am Main", "Amtsgericht Berlin-Charlottenburg"])
        return [v, v.replace(" ", ""), f"{court} {v}", f"DE-{v.replace(' ', '')}"][
            0 if x < 0.5 else 1 if x < 0.7 else 2 if x < 0.9 else 3]
    if kind == "SIREN":
        return [v, f"{v[:3]} {v[3:6]} {v[6:]}", f"RCS Paris {v[:3]} {v[3:6]} {v[6:]}", f"FR{v}"][
            0 if x < 0.4 else 1 if x < 0.7 else 2 if x < 0.85 else 3]
    if kind == "ABN":
        return [v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}", f"ABN {v[:2]} {v[2:5]} {v[5:8]} {v[8:]}", f"AU{v}"][
            0 if x < 0.4 else 1 if x < 0.75 else 2 if x < 0.92 else 3]
    if kind == "UID":
        return [f"CHE-{v[:3]}.{v[3:6]}.{v[6:]}", f"CHE{v}", f"CHE-{v[:3]}.{v[3:6]}.{v[6:]} MWST", v][
            0 if x < 0.5 else 1 if x < 0.75 else 2 if x < 0.9 else 3]
    if kind == "KVK":
        return [v, f"KvK {v}", f"NL{v}", f"KVK-nr. {v}"][0 if x < 0.5 else 1 if x < 0.75 else 2 if x < 0.9 else 3]
    if kind == "ORGNR":
        return [f"{v[:6]}-{v[6:]}", v, f"SE{v}01"][0 if x < 0.6 else 1 if x < 0.85 else 2]
    if kind == "CVR":
        return [v, f"DK{v}", f"CVR {v}", f"DK {v[:2]} {v[2:4]} {v[4:6]} {v[6:]}"][
            0 if x < 0.5 else 1 if x < 0.75 else 2 if x < 0.9 else 3]
    if kind == "BN":
        return [v, f"{v} RC0001", f"{v[:3]} {v[3:6]} {v[6:]}", f"BN {v}"][
            0 if x < 0.5 else 1 if x < 0.75 else 2 if x < 0.9 else 3]
    if kind == "CRO":
        return [v, f"IE{v}", f"CRO {v}", f"CRO No. {v}"][0 if x < 0.5 else 1 if x < 0.75 else 2 if x < 0.9 else 3]
    if kind == "JCN":
        return [v, f"{v[0]}-{v[1:5]}-{v[5:9]}-{v[9:]}", f"JP{v}"][0 if x < 0.6 else 1 if x < 0.85 else 2]
    if kind == "HKBR":
        return [v, f"BR {v}", f"{v}-000-01-24-1", f"HK{v}"][0 if x < 0.5 else 1 if x < 0.7 else 2 if x < 0.9 else 3]
    if kind == "UEN":
        return [v, f"UEN {v}", f"SG{v}"][0 if x < 0.7 else 1 if x < 0.9 else 2]
    return [v, f"Reg. {v}", f"BM{v}"][0 if x < 0.6 else 1 if x < 0.85 else 2]


def _missing(rng: random.Random, h: dict):
    if rng.random() < h.get("placeholder", 0.1):
        return rng.choice(MISSING[2:])
    return rng.choice(["", None])


_RECORD_COUNTS = {
    "fund": ([1, 2, 3, 4, 5, 6], [35, 25, 18, 11, 7, 4]),
    "manager": ([1, 2, 3, 4, 5, 6], [25, 25, 20, 15, 10, 5]),
    "lp": ([1, 2, 3, 4, 5, 6], [42, 25, 15, 9, 6, 3]),
    "portco": ([1, 2, 3, 4], [62, 22, 11, 5]),
    "advisor": ([1, 2, 3, 4], [58, 25, 11, 6]),
    "minor": ([1, 2, 3, 4], [62, 24, 10, 4]),
}


class Renderer:
    def __init__(self, gen: Gen):
        self.g = gen
        self.rng = gen.rng

    def name(self, e: Ent, src: str, h: dict) -> str:
        r = self.rng
        lang_fr = e.country in ("FR", "LU") or (e.country == "CA" and e.city == "Montreal")
        vintage = next((n[1] for n in e.nick if isinstance(n, tuple)), None) if e.role == "fund" else None
        nicks = [n for n in e.nick if isinstance(n, str)]
        if nicks and r.random() < h.get("nick", 0.05) and e.role != "manager":
            base = r.choice(nicks)
            return _noise(r, base, {**h, "trunc": 0})
        if e.role == "manager" and nicks and r.random() < h.get("nick", 0.05) * 0.7:
            # a manager known in the CRM by its brand plus a generic word
            base = nicks[0] + " " + r.choice(["Capital", "Partners", "", ""])
            return _noise(r, base.strip(), h)
        name = render_parts(r, e.parts, h, src, lang_fr, vintage)
        if e.former is not None:
            x = r.random()
            old = render_parts(r, e.former, h, src, lang_fr, None)
            if src == "legacy_crm" and r.random() < h.get("stale", 0):
                name = old  # a stale record under the old name only
            elif x < h.get("former", 0.2):
                name = r.choice([f"{name} f/k/a {old}", f"{name} (formerly {old})", f"{name} (f/k/a {old})",
                                 f"{name} F/K/A {old}", f"{name}, formerly known as {old}"])
        if e.dba and r.random() < 0.4:
            name = f"{name} {r.choice(['dba', 'd/b/a', 'DBA', 'd.b.a.'])} {e.dba}"
        elif e.role in ("portco", "manager") and r.random() < 0.015:
            name = f"{name} a/k/a {render_parts(r, e.parts[:2], {}, src, lang_fr, None)}"
        if e.custody_ok and self.g.custodians:
            x = r.random()
            if x < h.get("custody", 0):
                cu = r.choice(self.g.custodians)
                cn = render_parts(r, cu.parts[:1] + [("lit", r.choice(["Trust Company", "Trust Co", "Bank", "",
                                                                       "Trust Company, N.A."]))], {}, src, False, None)
                name = r.choice([f"{cn} as custodian FBO {name}", f"{cn} Cust FBO {name}", f"{cn} f/b/o {name}",
                                 f"{cn} as Custodian for the benefit of {name}", f"{cn} FBO {name}",
                                 f"{cn} as Trustee for {name}", f"{name} - {cn} as custodian"])
                self._fbo_city = cu.city
            elif x < h.get("custody", 0) + h.get("careof", 0):
                if r.random() < 0.5 and self.g.custodians:
                    cu = r.choice(self.g.custodians)
                    name = f"{name} c/o {render_parts(r, cu.parts[:1], {}, src, False, None)} Trust"
                else:
                    name = f"{name} {r.choice(['Attn:', 'ATTN', 'Attn.', 'Attention:'])} " \
                           f"{r.choice(['Private Equity', 'PE Dept', 'Accounts Payable', 'Alternative Investments'])}"
        elif r.random() < h.get("careof", 0) * 0.5:
            name = f"{name} {r.choice(['Attn:', 'ATTN'])} {r.choice(['Accounts Payable', 'Finance', 'Legal'])}"
        return _noise(r, name, h)

    def record(self, e: Ent, src: str) -> dict:
        r = self.rng
        h = HABITS[src]
        self._fbo_city = None
        name = self.name(e, src, h)
        dom = fmt_domain(r, e.domain, h, e) if e.domain and r.random() < h["dom"] else _missing(r, h)
        tax = fmt_tax(r, e.tax, h) if e.tax and r.random() < h["tax"] else _missing(r, h)
        if isinstance(tax, str) and tax == "-" and r.random() < 0.3:
            tax = "00-0000000"
        spellings, _, cities = COUNTRIES[e.country]
        city_name = self._fbo_city if self._fbo_city and r.random() < 0.6 else e.city
        if r.random() < h["city"]:
            cc = next((v for v in COUNTRIES.values() if city_name in v[2]), COUNTRIES[e.country])
            al = cc[2][city_name]
            city = al[0] if r.random() < 0.45 else r.choice(al)
            city = _noise(r, city, {"case": h.get("case", 0) * 0.5, "space": h.get("space", 0) * 0.3,
                                    "accents_drop": h.get("accents_drop", 0.2), "mojibake": h.get("mojibake", 0)})
        else:
            city = _missing(r, h)
        if r.random() < h["country"]:
            country = e.country if r.random() < h.get("iso", 0.2) else (
                spellings[0] if r.random() < 0.4 else r.choice(spellings))
        else:
            country = _missing(r, h)
        return {"source_system": src, "name": name, "domain": dom, "tax_id": tax, "city": city,
                "country": country, "entity": e.eid, "family": e.fam, "role": e.role}


def generate(n: int, seed: int) -> pd.DataFrame:
    """About ``n`` messy organisation records (exactly ``n`` for n >= a few hundred), deterministic per seed."""
    g = Gen(seed)
    r = g.rng
    rd = Renderer(g)
    g.custodian_families()
    rows: list[dict] = []
    done = 0

    def emit_until() -> None:
        nonlocal done
        for e in g.ents[done:]:
            ks, ws = _RECORD_COUNTS[e.kind]
            k = r.choices(ks, ws)[0]
            srcs = r.choices(SOURCES, _SOURCE_W, k=k)
            if k > 1 and len(set(srcs)) == 1 and r.random() < 0.7:  # mostly records from different systems
                srcs[-1] = r.choice([s for s in SOURCES if s != srcs[0]])
            for s in srcs:
                rows.append(rd.record(e, s))
        done = len(g.ents)

    emit_until()
    while len(rows) < n:
        x = r.random()
        if x < 0.13:
            g.manager_family()
        elif x < 0.55:
            g.lp_family()
        elif x < 0.86:
            g.portco_family()
        else:
            g.advisor_family()
        emit_until()
    df = pd.DataFrame(rows[:n] if n >= 1 else rows[:0])
    if len(df) == 0:
        return pd.DataFrame(columns=COLUMNS)
    df = df.sample(frac=1.0, random_state=seed % (2 ** 32)).reset_index(drop=True)
    df.insert(0, "record_id", [f"dv2-{i:07d}" for i in range(1, len(df) + 1)])
    return df[COLUMNS]
