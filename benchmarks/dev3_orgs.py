"""A third independent development set of messy private-equity organisation records (issue #17).

Written without reading the matcher (``include/crmhub/identity``), its documentation, its tests or the other
organisation generators (tuning, dev, dev2, held-out): its worth is that it is not the generator's mirror.
Everything here comes from how real registries, filings, CRMs, fund administrators and data vendors write
organisation names. ``generate(n, seed)`` returns exactly ``n`` rows, deterministic per seed, with columns
``record_id, source_system, name, domain, tax_id, city, country`` plus the truth columns ``entity`` (records
of one real organisation share it), ``family`` (related but different organisations share it: same family and
another entity is a hard negative) and ``role`` (fund, manager, gp, lp, portco, advisor, custodian).

Spec - the organisation classes (each a family of one or more entities):

* Fund complexes as filed on SEC Form D / Form ADV, Luxembourg RCS and Cayman registers: the manager
  (``XYZ Capital Management, L.P.``), the flagship fund (``XYZ Capital Partners VII, L.P.``) written with
  roman or arabic numerals, ``Fund VII``, upper case (EDGAR), vendor short forms; hard negatives in the same
  family: the previous / next vintage, parallel vehicles (``VII-A``), AIVs (``VII (AIV I)``), the GP
  (``XYZ Capital Partners VII GP, L.P.``), Cayman feeders and Lux SCSp vehicles, co-invest funds, a second
  strategy programme with the same numeral. Founder-named managers write ``&`` / ``and`` / ``+`` and are
  known by their initials (``MKR``, ``MKR & Co.``, ``Morrow Kline & Reyes (MKR)``).
* Portfolio companies: the operating company and its deal-structure siblings (``Holdings``, ``Intermediate
  Holdings II``, ``Group``, UK ``Topco`` / ``Midco`` / ``Bidco Limited``, ``Parent, Inc.``) which share the
  brand and usually the web domain.
* Limited partners from many regions, each with its native / English / acronym names:
  real institutions (CPP Investments / CPPIB / Canada Pension Plan Investment Board, OTPP, CDPQ, PSP, AIMCo,
  ADIA vs ADIC, Mubadala vs Mubadala Capital, KIA vs KIO, PIF vs Sanabil, GPIF, Nippon Life vs Nissay Asset
  Management, Korea Investment Corporation vs Korea Investment & Securities vs Korea Investment Partners,
  ABP vs APG, PFZW vs PGGM, Swedish AP1-AP7, Varma / Keskinainen Tyoelakevakuutusyhtio Varma, ...);
  US public pensions in both word orders (``Employees' Retirement System of X`` / ``X Employees' Retirement
  System`` / ``XPERS``) with same-state sibling systems as hard negatives; Australian superannuation funds
  (``X Super``, ``X Super Pty Ltd as trustee for the X Superannuation Fund``, ABN) with their in-house
  investment company; Japanese institutions with Hepburn / wapuro / Kunrei romanisations and ``K.K.`` /
  ``Kabushiki Kaisha`` / ``Co., Ltd.``, English or Japanese type words (``Life Insurance`` / ``Seimei
  Hoken``) and group siblings (life / asset management / trust bank / holdings); Korean institutions with
  Revised / McCune-Reischauer / popular spellings and group siblings; Dutch ``Stichting Pensioenfonds`` /
  ``Bedrijfstakpensioenfonds`` with their fiduciary manager (``B.V.``) as hard negative; Danish / Norwegian
  / Finnish / Swedish pension institutions (ae / oe / aa transliterations); German Versorgungswerke
  (``Versorgungswerk der Aerztekammer X`` / ``Bayerische Aerzteversorgung``) with other professions of the
  same Land as hard negatives; Swiss Pensionskassen (city vs canton, German / French names, CHE UID);
  Spanish / Latin American ``S.L.`` / ``S.A. de C.V.`` / ``Ltda.`` holdings, AFPs (the same brand in Chile
  and Peru is two entities) and Brazilian ``Fundacao`` pension foundations; Gulf family groups with Arabic
  romanisation variants (``Al-`` / ``Al `` / ``El``, ``Mohammed`` / ``Muhammad``, ``ou`` / ``u`` / ``oo``);
  family offices named after people (``The Smith Family Office``, ``Smith FO``, ``J. Smith Family Office
  LLC``) with the family foundation and another branch's office as hard negatives; US endowments
  (``X University`` vs ``University of X`` are different schools) and their investment companies;
  insurers with their New York subsidiary (``X Life Insurance Company of New York``).
* Service providers: fund administrators and custodians per jurisdiction (``X Fund Services (Cayman)
  Ltd`` vs ``(Luxembourg) S.A.``), law firms (``A, B & C LLP`` / ``A B`` / ``A``) and placement agents.

Per source system (Salesforce, HubSpot, DealCloud, fund administrator, PitchBook, Preqin, ILPA template,
EDGAR Form D / Form ADV, Companies House, Luxembourg RCS, Cayman registry, GLEIF, local registries):
registered vs trading names, case (registries upper-case), legal-form spellings, abbreviations,
departments (``X - Private Markets Group``), parenthetical nicknames, ``The`` dropped, accents dropped,
typos, truncation to a field width, domains as URLs / ``www.`` / e-mail domains / old domains, registry
ids in the shapes of their registries (EIN, CIK, SEC 801- numbers, Companies House numbers losing their
leading zero, RCS B numbers, ABN, Canadian BN, Japanese corporate numbers, Korean business numbers, KvK,
CHE UID, NIF, RFC, RUT, CNPJ, Nordic organisation numbers, LEI) and missing values as ``""`` / ``None`` /
``N/A`` / ``-``. Country names come from pycountry (alpha-2, alpha-3, name) plus the colloquial forms CRMs
hold (``USA``, ``UK``, ``Holland``, ``UAE``, ``Korea``).
"""

from __future__ import annotations

import random
import unicodedata

import pandas as pd
import pycountry

COLUMNS = ["record_id", "source_system", "name", "domain", "tax_id", "city", "country", "entity", "family", "role"]


def _words(text: str) -> list[str]:
    return text.split()


MISSING = ["", "", "", None, None, "N/A", "n/a", "-", "Unknown", "none"]

# ------------------------------------------------------------------------------------------ vocabularies

BRAND_A = _words("Al Bel Cor Dar El Fal Gal Hal Ist Jor Kel Lum Mer Nor Ol Pel Quar Ros Sol Tal Ul Val Wex Xan Yar "
           "Zel Ash Bram Cal Dun Est Fen Gor Hav Ing Kin Lor Mor Nev Or Pax Ren Sar Tor Ver Wyn Bex Cra Dov "
           "Fer Hol Lis Mon Pra Tre Vol")
BRAND_M = ["", "", "", "an", "er", "id", "o", "is", "am", "ev", "ul", "ol"]
BRAND_B = _words("ara eon ix ora ant ent ica ion ova ex is um ar en ia yx ire ano ella ona ium ace ine oro ero ast "
           "ond ure wood brook gate field stone crest haven mark point ridge view bridge ford well mont vale "
           "wick ton ley")
WORD_A = _words("Granite Cedar Harbor Summit Iron Silver Birch Aspen Falcon Osprey Beacon Keystone Sterling Cobalt "
          "Meridian Northgate Bluewater Redwood Copper Juniper Alder Heron Saddle Lantern Anchor Pinnacle Ember "
          "Quarry Tidal Prairie Highland Glacier Canyon Crescent Orchard Hawthorn Larch Sable Onyx Indigo "
          "Marble Vantage Compass Bastion Lodestar Westbrook Eastfield Kestrel Wren")
WORD_B = _words("Peak Lake Hill Rock Bay Creek Point Ridge River Field Gate Bridge Oak Pine Stone Valley Harbor "
          "Park Grove Crest Street Square Light Path Forge Mill Court Lane Shore Tree")
SURNAMES = _words("Abbott Ashford Barlow Beckett Blackwood Brennan Calloway Carver Chandler Donnelly Draper Ellery "
            "Fairbank Fenwick Fletcher Garland Granger Hadley Halloran Hargreave Hartley Holloway Kendrick "
            "Kingsley Lockhart Lowell Mercer Merriweather Morrow Nash Oakes Pemberton Prescott Radcliffe Redford "
            "Sinclair Stanton Sutherland Thorne Underhill Vance Wainwright Whitaker Winslow Yardley Kline Reyes "
            "Okafor Adeyemi Nakamura Tanaka Kowalski Novak Horvat Lindqvist Johansson Virtanen Moreau Dubois "
            "Lefebvre Rossi Bianchi Esposito Romano Conti Schneider Fischer Weber Wagner Becker Hoffmann Keller "
            "Brandt Vogel Jansen Visser Bakker Dekker Mulder Peeters Claes Murphy Kelly Byrne Walsh Gallagher "
            "Doyle Quinn Hughes Evans Griffiths Patel Shah Mehta Kapoor Chopra Iyer Menon Chen Wong Lim Tan "
            "Goh Lau Cheung Ng Park Kang Cho Levy Cohen Katz Friedman Goldberg Rosen Adler Sato Ito Kato "
            "Yamamoto Costa Ferreira Almeida Moreno Navarro Ortega Castillo Santos Herrera Molina Silva Duarte "
            "Sorensen Hansen Larsen Nilsen Berg Dahl Strand Holm Lund Engel Frost Hale Kerr Lyle Pryce Rowe "
            "Sloane Tate Voss Webb Wilder Yates Ashby Bingham Corbett Dalton Eastman Forsythe Gilmore Hamlin "
            "Ingram Jessop Kimball Langley Maddox Norwood Osgood Pickering Quigley Rutledge Sheffield Talbot "
            "Upton Vickers Whitmore Alcott Birchall Cromwell Dunmore Everly Fairfax Gresham Huxley")
FIRST = _words("James John Robert Michael William David Richard Thomas Charles Peter Andrew Mark Paul Steven George "
         "Edward Henry Mary Susan Linda Sarah Karen Nancy Anne Laura Emily Helen Catherine Margaret Alice "
         "Elizabeth Victoria Jonathan Philip Martin Simon Hugh Frederick Walter Arthur")
US_STATES = _words("Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii "
             "Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan "
             "Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee "
             "Texas Utah Vermont Virginia Washington Wisconsin Wyoming")
STATE_STUB = {s: s[:3] if s[:3] not in ("Mis", "Mai", "Mar", "Mas", "Mic", "Min", "Mon", "Ala", "Ari", "Ark",
                                        "Neb", "Nev", "Wis", "Was", "Wyo", "Ind", "Ida", "Iow", "Ten")
              else s[:2] + s[-1] for s in US_STATES}
# (Ohio PERS shape) system name, acronym suffix, word-order form ("... of {S}")
US_SYSTEMS = [("Public Employees' Retirement System", "PERS", "Public Employees' Retirement System of {S}"),
              ("Teachers' Retirement System", "TRS", "Teachers' Retirement System of {S}"),
              ("State Employees' Retirement System", "SERS", "State Employees' Retirement System of {S}"),
              ("Public School Employees' Retirement System", "PSERS", "Public School Employees' Retirement System of {S}"),
              ("Municipal Retirement System", "MRS", "Municipal Retirement System of {S}"),
              ("State Teachers' Retirement System", "STRS", "State Teachers' Retirement System of {S}"),
              ("Police and Fire Retirement System", "PFRS", "Police and Fire Retirement System of {S}"),
              ("State Investment Board", "SIB", "State Investment Board of {S}"),
              ("Investment Council", "IC", "Investment Council of {S}")]
# capitals where state pension systems sit (most systems are in the capital; others left blank)
STATE_CAPITAL = {"Ohio": "Columbus", "Texas": "Austin", "California": "Sacramento", "Pennsylvania": "Harrisburg",
                 "Colorado": "Denver", "Minnesota": "St. Paul", "Washington": "Olympia", "Florida": "Tallahassee",
                 "Georgia": "Atlanta", "Illinois": "Springfield", "Michigan": "Lansing", "Wisconsin": "Madison",
                 "Virginia": "Richmond", "Oregon": "Tigard", "Massachusetts": "Boston", "Arizona": "Phoenix"}
US_CITIES = ["New York", "Boston", "Chicago", "San Francisco", "Menlo Park", "Greenwich", "Dallas", "Houston",
             "Los Angeles", "Denver", "Minneapolis", "Atlanta", "Seattle", "Miami", "Austin", "Philadelphia"]

# city -> spellings seen in CRMs and registries (first is the canonical one)
CITY_FORMS = {
    "New York": ["New York", "NYC", "New York City", "New York, NY", "Manhattan", "NEW YORK"],
    "San Francisco": ["San Francisco", "SF", "San Francisco, CA", "San Fran"],
    "Los Angeles": ["Los Angeles", "LA", "Los Angeles, CA"], "Menlo Park": ["Menlo Park", "Menlo Park, CA"],
    "Greenwich": ["Greenwich", "Greenwich, CT"], "Wilmington": ["Wilmington", "Wilmington, DE", "WILMINGTON"],
    "London": ["London", "London, UK", "City of London", "LONDON", "Greater London"],
    "Luxembourg": ["Luxembourg", "Luxembourg City", "Luxembourg-Ville", "Luxemburg", "L-1855 Luxembourg"],
    "George Town": ["George Town", "Georgetown", "Grand Cayman", "George Town, Grand Cayman", "GEORGE TOWN"],
    "Sydney": ["Sydney", "Sydney NSW", "Sydney, New South Wales"], "Melbourne": ["Melbourne", "Melbourne VIC", "Docklands"],
    "Brisbane": ["Brisbane", "Brisbane QLD"], "Canberra": ["Canberra", "Canberra ACT"],
    "Toronto": ["Toronto", "Toronto, ON", "Toronto, Ontario"], "Montreal": ["Montréal", "Montreal", "Montreal, QC"],
    "Edmonton": ["Edmonton", "Edmonton, AB"], "Victoria": ["Victoria", "Victoria, BC"],
    "Tokyo": ["Tokyo", "Chiyoda-ku, Tokyo", "Minato-ku, Tokyo", "Tokyo-to", "Toukyou", "TOKYO"],
    "Osaka": ["Osaka", "Ōsaka", "Osaka-shi", "Oosaka"], "Nagoya": ["Nagoya", "Nagoya-shi"],
    "Seoul": ["Seoul", "Seoul, Korea", "Yeouido, Seoul", "Sŏul", "SEOUL"], "Busan": ["Busan", "Pusan"],
    "Daejeon": ["Daejeon", "Taejon", "Taejŏn"],
    "Amsterdam": ["Amsterdam"], "The Hague": ["Den Haag", "The Hague", "'s-Gravenhage"], "Zeist": ["Zeist"],
    "Heerlen": ["Heerlen"], "Rotterdam": ["Rotterdam"], "Utrecht": ["Utrecht"],
    "Munich": ["München", "Munich", "Muenchen", "Munchen"], "Cologne": ["Köln", "Cologne", "Koeln"],
    "Dusseldorf": ["Düsseldorf", "Duesseldorf", "Dusseldorf"], "Frankfurt": ["Frankfurt am Main", "Frankfurt", "Frankfurt a.M.", "Frankfurt/Main"],
    "Berlin": ["Berlin"], "Hamburg": ["Hamburg"], "Stuttgart": ["Stuttgart"], "Hannover": ["Hannover", "Hanover"],
    "Munster": ["Münster", "Muenster", "Munster"], "Dresden": ["Dresden"], "Mainz": ["Mainz"],
    "Zurich": ["Zürich", "Zurich", "Zuerich"], "Geneva": ["Genève", "Geneva", "Genf", "Geneve"], "Bern": ["Bern", "Berne"],
    "Basel": ["Basel", "Bâle", "Basle"], "Lucerne": ["Luzern", "Lucerne"], "Lausanne": ["Lausanne"],
    "St. Gallen": ["St. Gallen", "St Gallen", "Sankt Gallen", "Saint-Gall"],
    "Madrid": ["Madrid"], "Barcelona": ["Barcelona"], "Bilbao": ["Bilbao"],
    "Mexico City": ["Ciudad de México", "Mexico City", "CDMX", "Mexico, D.F.", "Ciudad de Mexico"],
    "Monterrey": ["Monterrey", "Monterrey, N.L."], "Santiago": ["Santiago", "Santiago de Chile", "Las Condes"],
    "Lima": ["Lima", "San Isidro, Lima"], "Sao Paulo": ["São Paulo", "Sao Paulo", "S. Paulo", "SP"],
    "Rio de Janeiro": ["Rio de Janeiro", "Rio"], "Bogota": ["Bogotá", "Bogota", "Bogotá D.C."],
    "Stockholm": ["Stockholm"], "Gothenburg": ["Göteborg", "Gothenburg", "Goteborg"],
    "Copenhagen": ["København", "Copenhagen", "Kobenhavn", "Koebenhavn"], "Hellerup": ["Hellerup"],
    "Oslo": ["Oslo"], "Helsinki": ["Helsinki", "Helsingfors"],
    "Abu Dhabi": ["Abu Dhabi", "Abu Zabi", "Abudhabi", "ABU DHABI"], "Dubai": ["Dubai", "DIFC, Dubai", "Dubayy"],
    "Riyadh": ["Riyadh", "Riyad", "Ar Riyad"], "Jeddah": ["Jeddah", "Jiddah", "Jedda"],
    "Kuwait City": ["Kuwait City", "Kuwait", "Al Kuwayt"], "Doha": ["Doha", "Ad Dawhah"], "Manama": ["Manama"],
    "Muscat": ["Muscat", "Masqat"], "Dublin": ["Dublin", "Dublin 2"], "Singapore": ["Singapore"],
}
CITY_COUNTRY = {"London": "GB", "Luxembourg": "LU", "George Town": "KY", "Wilmington": "US"}
# colloquial country spellings CRMs hold beside pycountry's alpha-2 / alpha-3 / names
COUNTRY_ALIASES = {"US": ["USA", "U.S.", "United States of America", "U.S.A."], "GB": ["UK", "U.K.", "England", "Great Britain"],
                   "NL": ["Holland", "The Netherlands"], "KR": ["Korea", "Republic of Korea", "S. Korea"],
                   "AE": ["UAE", "U.A.E."], "DE": ["Deutschland"], "CH": ["Schweiz", "Suisse"], "JP": ["Nippon"],
                   "KY": ["Cayman", "Grand Cayman"], "SA": ["KSA", "Saudi Arabia"], "MX": ["México"], "BR": ["Brasil"],
                   "ES": ["España"], "SE": ["Sverige"], "DK": ["Danmark"], "NO": ["Norge"], "FI": ["Suomi"]}
ID_SCHEME = {"US": "ein", "GB": "crn", "LU": "rcs", "KY": "cay", "AU": "abn", "CA": "bn", "JP": "jcn", "KR": "brn",
             "NL": "kvk", "DE": "stnr", "CH": "uid", "ES": "nif", "MX": "rfc", "CL": "rut", "PE": "ruc", "CO": "nit",
             "BR": "cnpj", "SE": "orgnr", "DK": "cvr", "FI": "ytunnus", "NO": "orgno", "AE": "trn", "SA": "cr",
             "KW": "cr", "QA": "cr", "BH": "cr", "OM": "cr", "IE": "cro", "SG": "uen"}
LOCAL_REGISTRY = {"GB": "companies_house", "LU": "lux_rcs", "KY": "cayman_registry"}

# legal-form spellings: first is the registered form; "{}" is the name
LEGAL = {
    "lp": ["{}, L.P.", "{} L.P.", "{} LP", "{}, LP", "{} Limited Partnership", "{}"],
    "llc": ["{}, LLC", "{} LLC", "{} L.L.C.", "{}, L.L.C.", "{}"],
    "inc": ["{}, Inc.", "{} Inc.", "{} Inc", "{} Incorporated", "{}"],
    "corp": ["{} Corporation", "{} Corp.", "{} Corp", "{}"],
    "ltd": ["{} Limited", "{} Ltd", "{} Ltd.", "{}"],
    "llp": ["{} LLP", "{} L.L.P.", "{}"],
    "scsp": ["{} SCSp", "{} S.C.Sp.", "{} SCSP", "{}"],
    "sarl": ["{} S.à r.l.", "{} S.a r.l.", "{} Sarl", "{} SARL", "{}"],
    "sa": ["{} S.A.", "{} SA", "{}"],
    "ptyltd": ["{} Pty Ltd", "{} Pty Limited", "{} Pty. Ltd.", "{} PTY LTD", "{}"],
    "kk": ["{} Co., Ltd.", "{} K.K.", "Kabushiki Kaisha {}", "{} Kabushiki Kaisha", "{} Co Ltd", "{}"],
    "kr": ["{} Co., Ltd.", "{} Co Ltd", "{} Co.,Ltd", "{} Corp.", "{}"],
    "stichting": ["Stichting {}", "{}", "Stg. {}"],
    "bv": ["{} B.V.", "{} BV", "{}"],
    "nv": ["{} N.V.", "{} NV", "{}"],
    "ag": ["{} AG", "{} Aktiengesellschaft", "{}"],
    "kdoer": ["{}", "{} (KdöR)", "{} KdöR"],
    "stiftung": ["{}", "Stiftung {}", "{} (Stiftung)"],
    "sl": ["{}, S.L.", "{} S.L.", "{} SL", "{} Sociedad Limitada", "{}"],
    "sadecv": ["{}, S.A. de C.V.", "{} S.A. de C.V.", "{} SA de CV", "{} S.A.B. de C.V.", "{}"],
    "ltda": ["{} Ltda.", "{} Ltda", "{} Limitada", "{}"],
    "pjsc": ["{} PJSC", "{} P.J.S.C.", "{}"],
    "gulf": ["{} L.L.C.", "{} LLC", "{} W.L.L.", "{} (CJSC)", "{}"],
    "plc": ["{} plc", "{} PLC", "{} p.l.c.", "{}"],
    "as": ["{} A/S", "{} AS", "{}"],
    "none": ["{}"],
}
ABBREV = {"Capital": ["Cap", "Cap."], "Management": ["Mgmt", "Mgt", "Mngmt"], "Partners": ["Ptrs", "Prtnrs", "Partner"],
          "International": ["Intl", "Int'l"], "Investment": ["Inv", "Invest", "Invt"], "Investments": ["Invts", "Inv"],
          "Company": ["Co", "Co."], "Corporation": ["Corp", "Corp."], "Association": ["Assn", "Assoc"],
          "Insurance": ["Ins", "Ins."], "Holdings": ["Hldgs", "Hldg", "Holding"], "Group": ["Grp", "Gp"],
          "Retirement": ["Ret", "Retire"], "System": ["Sys", "Syst"], "Pension": ["Pens", "Pen"],
          "Superannuation": ["Super", "Supn"], "Opportunities": ["Opps", "Opp"], "Fund": ["Fd"],
          "University": ["Univ", "Univ."], "Foundation": ["Fdn", "Fndn"], "Services": ["Svcs", "Srvcs"],
          "Advisors": ["Advisers", "Advs"], "Family": ["Fam"], "Employees'": ["Employees", "Emp", "Employee"],
          "Teachers'": ["Teachers", "Tchrs", "Teacher"], "Securities": ["Sec"], "Asset": ["Asset"]}
DEPARTMENTS = [" - Private Markets Group", " - Private Equity", " (Private Equity)", " - Alternatives", " / PE Team",
               " - Alternative Investments", " - Private Markets", " - Investment Office", " (Alts)", " - Co-Investments"]

# ------------------------------------------------------------------------------------------ sources

# name: (weight, formal-name share, upper-case share, domain share, tax-id share, city share, country share,
#        typo share, field width or 0)
SOURCES = {
    "salesforce": (10, 0.25, 0.02, 0.75, 0.12, 0.80, 0.85, 0.05, 0),
    "hubspot": (7, 0.15, 0.01, 0.92, 0.02, 0.55, 0.60, 0.07, 0),
    "dealcloud": (8, 0.40, 0.02, 0.60, 0.20, 0.75, 0.80, 0.03, 0),
    "fund_admin": (7, 0.80, 0.45, 0.10, 0.70, 0.70, 0.90, 0.02, 35),
    "pitchbook": (6, 0.55, 0.00, 0.90, 0.08, 0.90, 0.95, 0.01, 0),
    "preqin": (6, 0.45, 0.05, 0.70, 0.05, 0.85, 0.95, 0.02, 0),
    "ilpa_template": (3, 0.60, 0.10, 0.05, 0.10, 0.30, 0.40, 0.06, 0),
    "form_d": (5, 1.00, 0.75, 0.00, 0.95, 0.95, 0.95, 0.00, 0),
    "form_adv": (4, 1.00, 0.60, 0.50, 0.95, 0.95, 0.95, 0.00, 0),
    "companies_house": (5, 1.00, 1.00, 0.00, 1.00, 0.95, 0.90, 0.00, 160),
    "lux_rcs": (4, 1.00, 0.30, 0.00, 1.00, 0.95, 0.95, 0.00, 0),
    "cayman_registry": (4, 1.00, 0.80, 0.00, 0.95, 0.90, 0.90, 0.00, 0),
    "gleif": (4, 1.00, 0.40, 0.00, 1.00, 0.95, 1.00, 0.00, 0),
    "local_registry": (4, 1.00, 0.30, 0.00, 1.00, 0.90, 0.95, 0.00, 0),
}
REGISTRIES = frozenset({"form_d", "form_adv", "companies_house", "lux_rcs", "cayman_registry", "gleif", "local_registry"})
GENERAL = ["salesforce", "hubspot", "dealcloud", "fund_admin", "pitchbook", "preqin", "ilpa_template"]


def digits(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(k))


def new_id(rng: random.Random, scheme: str) -> str:
    """A fresh raw registry id of ``scheme`` (digits only unless the scheme has letters)."""
    if scheme == "nif":
        return rng.choice("ABG") + digits(rng, 8)
    if scheme == "rfc":
        return "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(3)) + digits(rng, 6) + rng.choice("ABCXYZ") + rng.choice("0123456789ABC") + digits(rng, 1)
    if scheme == "lei":
        return rng.choice(["5493", "2138", "5299", "8945", "3912"]) + "00" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(12)) + digits(rng, 2)
    if scheme == "crn":
        return rng.choice(["0", "0", "1", "SC", "OC"]) + digits(rng, 7 if rng.random() < 0.6 else 6).zfill(7)
    sizes = {"ein": 9, "cik": 7, "sec801": 5, "formd": 6, "rcs": 6, "cay": 6, "abn": 11, "bn": 9, "jcn": 13,
             "brn": 10, "kvk": 8, "stnr": 11, "uid": 9, "rut": 8, "ruc": 9, "nit": 9, "cnpj": 8, "orgnr": 10,
             "cvr": 8, "ytunnus": 8, "orgno": 9, "trn": 15, "cr": 10, "cro": 6, "uen": 9}
    return digits(rng, sizes[scheme])


def fmt_id(rng: random.Random, scheme: str, v: str) -> str:
    """One of the shapes a registry id of ``scheme`` is written in."""
    if scheme == "ein":
        opts = [f"{v[:2]}-{v[2:]}", v, f"EIN {v[:2]}-{v[2:]}", f"{v[:2]}-{v[2:]}"]
    elif scheme == "cik":
        opts = [v.zfill(10), v, f"CIK {v}", f"CIK#{v.zfill(10)}"]
    elif scheme == "sec801":
        opts = [f"801-{v}", f"SEC File No. 801-{v}", f"801{v}"]
    elif scheme == "formd":
        opts = [f"021-{v}", f"021{v}"]
    elif scheme == "crn":
        opts = [v, v.lstrip("0"), f"Company No. {v}", f"CRN {v}"]
    elif scheme == "rcs":
        opts = [f"B{v}", f"B {v}", f"RCS B{v}", f"R.C.S. Luxembourg B {v}"]
    elif scheme == "cay":
        opts = [v, f"MC-{v}", f"Reg. No. {v}"]
    elif scheme == "abn":
        opts = [f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}", v, f"ABN {v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"]
    elif scheme == "bn":
        opts = [v, f"{v}RC0001", f"{v} RC 0001", f"{v[:5]} {v[5:]}"]
    elif scheme == "jcn":
        opts = [v, f"{v[0]}-{v[1:5]}-{v[5:9]}-{v[9:]}", f"T{v}"]
    elif scheme == "brn":
        opts = [f"{v[:3]}-{v[3:5]}-{v[5:]}", v]
    elif scheme == "kvk":
        opts = [v, f"KvK {v}", f"KVK-nr. {v}"]
    elif scheme == "stnr":
        opts = [f"{v[:3]}/{v[3:6]}/{v[6:]}", v]
    elif scheme == "uid":
        opts = [f"CHE-{v[:3]}.{v[3:6]}.{v[6:]}", f"CHE{v}", f"CHE-{v[:3]}.{v[3:6]}.{v[6:]} MWST"]
    elif scheme == "nif":
        opts = [v, f"{v[0]}-{v[1:]}", f"ES{v}"]
    elif scheme == "rfc":
        opts = [v, f"{v[:3]}-{v[3:9]}-{v[9:]}"]
    elif scheme == "rut":
        k = str(sum(int(c) for c in v) % 10)
        opts = [f"{v[:2]}.{v[2:5]}.{v[5:]}-{k}", f"{v}-{k}", f"{v}{k}"]
    elif scheme == "ruc":
        opts = [f"20{v}", f"RUC 20{v}"]
    elif scheme == "nit":
        opts = [f"{v}-{int(v) % 9}", f"{v[:3]}.{v[3:6]}.{v[6:]}-{int(v) % 9}"]
    elif scheme == "cnpj":
        tail = f"0001{int(v) % 97:02d}"
        opts = [f"{v[:2]}.{v[2:5]}.{v[5:]}/{tail[:4]}-{tail[4:]}", f"{v}{tail}"]
    elif scheme == "orgnr":
        opts = [f"{v[:6]}-{v[6:]}", v, f"SE{v}01"]
    elif scheme == "cvr":
        opts = [v, f"DK{v}", f"CVR {v}"]
    elif scheme == "ytunnus":
        opts = [f"{v[:7]}-{v[7]}", f"FI{v}"]
    elif scheme == "orgno":
        opts = [f"{v[:3]} {v[3:6]} {v[6:]}", v, f"NO{v}MVA"]
    elif scheme == "lei":
        opts = [v, v, f"LEI {v}"]
    elif scheme == "cr":
        opts = [v, f"CR {v}", f"C.R. {v}"]
    else:
        opts = [v]
    return rng.choice(opts)


def country_forms(code: str) -> list[str]:
    c = pycountry.countries.get(alpha_2=code)
    forms = [code, code, c.alpha_3, c.name, getattr(c, "common_name", c.name)]
    return forms + COUNTRY_ALIASES.get(code, [])


COUNTRY_FORMS = {code: country_forms(code) for code in sorted(set(ID_SCHEME) | {"HK", "FR"})}


def strip_accents(s: str) -> str:
    s = s.replace("ß", "ss").replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def german_translit(s: str) -> str:
    """The DIN 5007-2 way of writing umlauts without them (ä -> ae), as German systems without Unicode do."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"),
                 ("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        s = s.replace(a, b)
    return s


def to_roman(k: int) -> str:
    out, vals = "", [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    for v, r in vals:
        while k >= v:
            out, k = out + r, k - v
    return out


def acronym(words: str) -> str:
    skip = {"of", "the", "and", "for", "de", "du", "la", "der", "des", "&", "+", "-", "y", "e", "van", "voor"}
    return "".join(w[0].upper() for w in words.replace("-", " ").split() if w.lower() not in skip and w[0].isalpha())


# ------------------------------------------------------------------------------------------ entities


class Ent:
    """One real organisation: its names (first = registered), legal form, ids, domain and seat."""

    __slots__ = ("role", "names", "weights", "reg", "legal", "domain", "old_domain", "ids", "city", "country",
                 "acr", "dept", "jurisdiction", "max_dups", "real_twin")

    def __init__(self, role: str, names: list[str], legal: str = "none", *, weights: list[float] | None = None,
                 reg: int = 0, domain: str | None = None, ids: dict | None = None, city: str = "New York",
                 country: str = "US", acr: str | None = None, dept: bool = False, jurisdiction: str | None = None,
                 old_domain: str | None = None, max_dups: int = 5, real_twin: bool = False):
        self.role, self.names, self.legal, self.reg = role, names, legal, reg
        self.weights = weights or [3.0] + [1.0] * (len(names) - 1)
        self.domain, self.old_domain, self.ids = domain, old_domain, ids or {}
        self.city, self.country, self.acr, self.dept = city, country, acr, dept
        self.jurisdiction, self.max_dups = jurisdiction or country, max_dups
        self.real_twin = real_twin  # REAL_FAMILIES holds this institution: drawn as before, never written


class Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.real_left = list(REAL_FAMILIES)
        rng.shuffle(self.real_left)

    def claim(self, key: str) -> bool:
        key = key.lower()
        if key in self.used:
            return False
        self.used.add(key)
        return True

    def ids(self, country: str, *extra: str) -> dict:
        out = {}
        if country in ID_SCHEME:
            out[ID_SCHEME[country]] = self.unique_id(ID_SCHEME[country])
        for scheme in extra:
            out[scheme] = self.unique_id(scheme)
        if self.rng.random() < 0.35:
            out["lei"] = self.unique_id("lei")
        return out

    def unique_id(self, scheme: str) -> str:
        """A registry number names one organisation: draw again while ``scheme`` has given this one out (a
        5-digit SEC 801- number drawn at random for thousands of advisers repeats by chance; a register never
        does)."""
        while True:
            v = new_id(self.rng, scheme)
            if self.claim(f"id:{scheme}:{v}"):
                return v

    def brand(self) -> str | None:
        rng = self.rng
        for _ in range(30):
            r = rng.random()
            if r < 0.45:
                b = rng.choice(BRAND_A) + rng.choice(BRAND_M) + rng.choice(BRAND_B)
            elif r < 0.8:
                b = f"{rng.choice(WORD_A)} {rng.choice(WORD_B)}"
            else:
                b = f"{rng.choice(BRAND_A)}{rng.choice(BRAND_B)} {rng.choice(WORD_B)}"
            if self.claim("brand:" + b):
                return b
        return None

    def domain_for(self, name: str, tld: str = ".com") -> str:
        base = "".join(ch for ch in strip_accents(name).lower() if ch.isalnum())
        r = self.rng.random()
        if r < 0.15 and len(base) > 12:
            base = base[:10]
        elif r < 0.25 and len(acronym(name)) >= 2:  # initials: "Cedar Ridge Capital" -> crcap.com
            base = acronym(name).lower() + self.rng.choice(["", "group", "cap", "inv", "partners"])
        return base + tld

    # ---------------------------------------------------------------- fund complexes (Form D / ADV)

    def fund_complex(self) -> list[Ent] | None:
        rng = self.rng
        founders = rng.random() < 0.25
        if founders:
            people = rng.sample(SURNAMES, rng.choice([2, 3]))
            if not self.claim("founders:" + "/".join(people)):
                return None
            brand = ", ".join(people[:-1]) + " & " + people[-1] if len(people) == 3 else " & ".join(people)
            ini = "".join(p[0] for p in people)
            mgr_names = [brand, brand.replace(" & ", " and "), brand.replace(",", "").replace(" & ", " + "),
                         brand.replace(",", ""), ini, f"{ini} & Co.", f"{brand} ({ini})"]
            core_brand, mgr_legal = brand.replace(",", ""), rng.choice(["llc", "lp"])
            mgr_names[0] = brand + " & Co." if rng.random() < 0.3 else brand
        else:
            b = self.brand()
            if b is None:
                return None
            mtype = rng.choice(["Capital Management", "Capital Partners", "Management", "Capital", "Partners",
                                "Equity Partners", "Advisors", "Investment Management", "Asset Management"])
            full = f"{b} {mtype}"
            ini = acronym(full)
            mgr_names = [full, b, f"{b} Capital" if "Capital" not in mtype else full.replace("Capital ", ""),
                         f"{full} ({ini})" if len(b.split()) > 1 else full, ini if len(b.split()) > 1 else b]
            core_brand, mgr_legal = b, rng.choice(["lp", "llc", "llc", "lp"])
        city = rng.choice(US_CITIES + ["London", "London", "Stockholm", "Luxembourg", "Toronto", "Sydney"])
        country = CITY_COUNTRY.get(city, {"Stockholm": "SE", "Toronto": "CA", "Sydney": "AU"}.get(city, "US"))
        dom = self.domain_for(core_brand.split(" & ")[0] if founders else core_brand, rng.choice([".com", ".com", ".com", ".co", ".vc", ".com"]))
        old = self.domain_for(core_brand) if rng.random() < 0.2 else None
        mgr_ids = self.ids(country, "sec801", "cik") if country == "US" else self.ids(country)
        out = [Ent("manager", mgr_names, mgr_legal, domain=dom, ids=mgr_ids, city=city, country=country,
                   acr=ini, dept=True, old_domain=old)]
        if rng.random() < 0.8:  # most CRMs hold only the firm, not its vehicles
            return out
        progs = ["Capital Partners", "Equity Partners", "Partners", "Fund", "Growth Fund", "Buyout Fund",
                 "Ventures", "Credit Opportunities Fund", "Infrastructure Partners", "Opportunities Fund",
                 "Real Estate Partners", "Secondaries Fund"]
        prog = rng.choice(progs)
        k = rng.choice([2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        jur = rng.choice(["US", "US", "US", "KY", "LU"]) if country != "GB" else rng.choice(["GB", "LU", "KY"])
        out.append(self.fund(core_brand, prog, k, "", jur, dom, city, country))
        if rng.random() < 0.55:
            out.append(self.fund(core_brand, prog, k - 1, "", jur, dom, city, country))
        if rng.random() < 0.25:
            out.append(self.fund(core_brand, prog, k + 1, "", jur, dom, city, country))
        if rng.random() < 0.35:
            out.append(self.fund(core_brand, prog, k, rng.choice(["-A", "-B"]), jur, dom, city, country))
        if rng.random() < 0.2:
            out.append(self.fund(core_brand, prog, k, " (AIV I)" if rng.random() < 0.6 else " (AIV II)", jur, dom, city, country))
        if rng.random() < 0.45:
            out.append(self.fund(core_brand, prog, k, " GP", jur, dom, city, country, role="gp"))
        if rng.random() < 0.2:
            out.append(self.fund(core_brand, prog, k, " (Cayman)", "KY", dom, city, country))
        if rng.random() < 0.15:
            out.append(self.fund(core_brand, prog, k, " SCSp", "LU", dom, city, country))
        if rng.random() < 0.15:
            out.append(self.fund(core_brand, "Co-Investment Fund", k, "", jur, dom, city, country))
        if rng.random() < 0.15:
            other = rng.choice([p for p in progs if p != prog])
            out.append(self.fund(core_brand, other, rng.choice([k, 1, 2]), "", jur, dom, city, country))
        return out

    def fund(self, brand: str, prog: str, k: int, suffix: str, jur: str, dom: str, city: str, country: str,
             role: str = "fund") -> Ent:
        rng = self.rng
        k = max(k, 1)
        r, a = to_roman(k), str(k)
        sfx = suffix.strip()
        if suffix == " SCSp":
            sfx, jur = "", "LU"
        base = f"{brand} {prog}"
        if sfx.startswith("-"):
            names = [f"{base} {r}{sfx}", f"{base} {r} {sfx[1:]}", f"{base} {a}{sfx}", f"{base} {r}({sfx[1:]})"]
        elif sfx.startswith("(AIV"):
            n = sfx[5:-1]
            names = [f"{base} {r} {sfx}", f"{base} {r} AIV {n}", f"{base} {a} (AIV {len(n)})", f"{base} {r} AIV-{len(n)}"]
        elif sfx == "GP":
            names = [f"{base} {r} GP", f"{base} GP {r}", f"{brand} GP {r}", f"{base} {a} GP"]
        elif sfx == "(Cayman)":
            names = [f"{base} {r} (Cayman)", f"{base} {r} Cayman", f"{base} {r} Offshore", f"{base} {a} (Cayman)"]
        else:
            names = [f"{base} {r}", f"{base} {a}", f"{base} {r}", f"{brand} {r}"]
            if "Fund" not in prog:
                names.append(f"{base} Fund {r}")
        legal = {"US": rng.choice(["lp", "lp", "llc"]) if role == "gp" else "lp", "KY": "lp", "LU": "scsp" if role == "fund" else "sarl",
                 "GB": "lp"}[jur]
        seat = {"KY": "George Town", "LU": "Luxembourg", "US": "Wilmington", "GB": "London"}[jur]
        ids = {"formd": self.unique_id("formd"), "cik": self.unique_id("cik")} if jur == "US" else {}
        ids.update({s: v for s, v in self.ids(jur).items() if s != "lei" or role == "fund"})
        # funds live at the manager's office in CRMs and at the registered office in registries
        return Ent(role, names, legal, weights=[4.0] + [1.0] * (len(names) - 1),
                   domain=dom if rng.random() < 0.6 else None, ids=ids,
                   city=city if rng.random() < 0.7 else seat, country=country if jur == "US" else jur, jurisdiction=jur)

    # ---------------------------------------------------------------- portfolio companies

    def portco(self) -> list[Ent] | None:
        rng = self.rng
        b = self.brand()
        if b is None:
            return None
        ind = rng.choice(["Software", "Health", "Logistics", "Foods", "Dental Partners", "Pet Care", "Analytics",
                          "Systems", "Technologies", "Solutions", "Industries", "Brands", "Medical", "Energy",
                          "Labs", "Payments", "Education", "Insurance Services", "Packaging", "Aerospace"])
        country = rng.choice(["US"] * 6 + ["GB"] * 3 + ["DE", "NL", "ES", "SE", "FR", "AU", "CA"])
        city = {"US": rng.choice(US_CITIES), "GB": "London", "DE": rng.choice(["Munich", "Berlin", "Hamburg", "Frankfurt"]),
                "NL": rng.choice(["Amsterdam", "Utrecht", "Rotterdam"]), "ES": rng.choice(["Madrid", "Barcelona"]),
                "SE": "Stockholm", "FR": "Paris", "AU": rng.choice(["Sydney", "Melbourne"]), "CA": "Toronto"}[country]
        legal = {"US": rng.choice(["inc", "llc", "corp"]), "GB": "ltd", "DE": "ag" if rng.random() < 0.3 else "none",
                 "NL": "bv", "ES": "sl", "SE": "none", "FR": "sa", "AU": "ptyltd", "CA": "inc"}[country]
        if country == "DE" and legal == "none":
            legal = "ltd"
        full = f"{b} {ind}"
        dom = self.domain_for(b if rng.random() < 0.6 else full, rng.choice([".com", ".com", ".io", ".co", ".net"]))
        if country in ("GB", "DE", "NL", "FR", "ES", "SE") and rng.random() < 0.5:
            dom = dom.rsplit(".", 1)[0] + {"GB": ".co.uk", "DE": ".de", "NL": ".nl", "FR": ".fr", "ES": ".es", "SE": ".se"}[country]
        names = [full, b, full, f"{b} {ind} (dba {b})" if rng.random() < 0.3 else f"{b}"]
        out = [Ent("portco", names, legal, domain=dom, ids=self.ids(country), city=city, country=country,
                   old_domain=("get" + dom) if rng.random() < 0.1 else None)]
        hold_legal = "ltd" if country == "GB" else legal
        if country == "GB":
            layers = ["Topco", "Midco", "Bidco", "Holdings", "Group"]
        else:
            layers = ["Holdings", "Intermediate Holdings", "Intermediate Holdings II", "Group", "Parent", "Buyer",
                      "Acquisition Corp", "Holdco"]
        n_layers = rng.choice([0] * 24 + [1, 1, 2, 3])
        for layer in rng.sample(layers, n_layers):
            lname = f"{b} {layer}"
            out.append(Ent("portco", [lname, f"{b} {ind} {layer}", lname.replace("Holdings", "Hldgs")], hold_legal,
                           domain=dom if rng.random() < 0.5 else None, ids=self.ids(country), city=city,
                           country=country, max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: family wealth

    def family_wealth(self) -> list[Ent] | None:
        rng = self.rng
        s = rng.choice(SURNAMES)
        if rng.random() < 0.3:
            s = f"{s}-{rng.choice(SURNAMES)}"
        if not self.claim("family:" + s):
            return None
        f1 = rng.choice(FIRST)
        country = rng.choice(["US"] * 5 + ["GB", "GB", "CH", "LU", "SG", "HK", "AE"])
        city = {"US": rng.choice(US_CITIES), "GB": "London", "CH": rng.choice(["Zurich", "Geneva"]), "LU": "Luxembourg",
                "SG": "Singapore", "HK": "Hong Kong", "AE": "Dubai"}[country]
        legal = {"US": "llc", "GB": "ltd", "CH": "ag", "LU": "sarl", "SG": "ltd", "HK": "ltd", "AE": "gulf"}[country]
        dom = self.domain_for(f"{s} family office" if rng.random() < 0.4 else f"{s} fo", rng.choice([".com", ".com", ".net"])) if rng.random() < 0.7 else None
        names = [f"{s} Family Office", f"The {s} Family Office", f"{s} FO", f"{f1[0]}. {s} Family Office",
                 f"{f1} {s} Family Office", f"{s} Family Investments", f"{s} Family Office (SFO)"]
        out = [Ent("lp", names, legal, weights=[3, 2, 1, 1, 1, 1, 0.5], domain=dom, ids=self.ids(country),
                   city=city, country=country, max_dups=4)]
        r = rng.random()
        if r < 0.12:
            out.append(Ent("lp", [f"The {s} Family Foundation", f"{s} Family Foundation", f"{s} Fdn", f"{s} Foundation"],
                           "none" if country == "US" else legal, domain=None, ids=self.ids(country), city=city,
                           country=country, max_dups=3))
        elif r < 0.18:
            f2 = rng.choice([f for f in FIRST if f[0] != f1[0]])
            out.append(Ent("lp", [f"{f2} {s} Family Office", f"{f2[0]}. {s} Family Office", f"{f2} {s} FO"], legal,
                           domain=None, ids=self.ids(country), city=city, country=country, max_dups=3))
        elif r < 0.22:
            out.append(Ent("lp", [f"{s} Capital", f"{s} Capital Partners", f"{s} Cap"], legal,
                           domain=self.domain_for(f"{s} capital"), ids=self.ids(country), city=city, country=country,
                           max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: US public pensions, endowments, insurers

    def us_public_pension(self) -> list[Ent] | None:
        rng = self.rng
        state = rng.choice(US_STATES)
        systems = [s for s in US_SYSTEMS if f"uspp:{state}:{s[1]}".lower() not in self.used]
        if not systems:
            return None
        out = []
        for name, acr, of_form in rng.sample(systems, min(len(systems), rng.choice([1, 1, 1, 1, 1, 1, 2, 3]))):
            self.claim(f"uspp:{state}:{acr}")
            stub = STATE_STUB[state]
            names = [f"{state} {name}", of_form.format(S=state), f"{stub}{acr}", f"{state} {acr}",
                     f"{of_form.format(S=state)} ({stub}{acr})", f"{state} {name.replace(chr(39), '')}"]
            out.append(Ent("lp", names, "none", weights=[3, 2, 1, 1, 1, 1],
                           domain=f"{stub.lower()}{acr.lower()}.org" if rng.random() < 0.5 else f"{acr.lower()}.{stub.lower()}.gov",
                           ids=self.ids("US"), city=STATE_CAPITAL.get(state, ""), country="US", acr=f"{stub}{acr}",
                           dept=True))
        return out

    def endowment(self) -> list[Ent] | None:
        rng = self.rng
        place = rng.choice(US_STATES + US_CITIES + [w for w in WORD_A[:25]])
        if not self.claim("edu:" + place):
            return None
        city = rng.choice(US_CITIES)
        out = []
        first_univ = rng.random() < 0.5
        forms = [("{P} University", ["{P} University", "Trustees of {P} University", "{P} Univ", "{P} University Endowment"]),
                 ("University of {P}", ["University of {P}", "The Regents of the University of {P}", "Univ. of {P}", "U of {P}"])]
        if not first_univ:
            forms.reverse()
        main = forms[0]
        dom = self.domain_for(place, ".edu")
        out.append(Ent("lp", [n.format(P=place) for n in main[1]], "none", domain=dom, ids=self.ids("US"), city=city,
                       country="US", dept=True))
        r = rng.random()
        if r < 0.15:  # the other school with the same place name
            other = forms[1]
            out.append(Ent("lp", [n.format(P=place) for n in other[1]], "none", domain=self.domain_for("u" + place, ".edu"),
                           ids=self.ids("US"), city=rng.choice(US_CITIES), country="US"))
        if rng.random() < 0.15:  # its investment company
            out.append(Ent("manager", [f"{place} Investment Management Company", f"{place} Management Company",
                                       f"{place} IMC"], "none" if rng.random() < 0.5 else "llc",
                           domain=dom, ids=self.ids("US"), city=city, country="US", max_dups=3))
        return out

    def insurer(self) -> list[Ent] | None:
        rng = self.rng
        b = self.brand()
        if b is None:
            return None
        dom = self.domain_for(b)
        city = rng.choice(US_CITIES)
        out = [Ent("lp", [f"{b} Life Insurance Company", f"{b} Life", f"{b} Life Ins Co", f"{b} Life Insurance"], "none",
                   domain=dom, ids=self.ids("US"), city=city, country="US", dept=True)]
        if rng.random() < 0.25:
            out.append(Ent("lp", [f"{b} Life Insurance Company of New York", f"{b} Life of NY", f"{b} Life Insurance Co of New York"],
                           "none", domain=dom, ids=self.ids("US"), city="New York", country="US", max_dups=3))
        if rng.random() < 0.15:
            out.append(Ent("manager", [f"{b} Investment Management", f"{b} Investments", f"{b} IM"], "llc", domain=dom,
                           ids=self.ids("US"), city=city, country="US", max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: Australia

    def au_super(self) -> list[Ent] | None:
        rng = self.rng
        word = rng.choice(["Media", "Energy", "Mining", "Transport", "Nurses", "Teachers", "Local Government",
                           "Legal", "Maritime", "Agricultural", "Catholic", "Vision", "Guild", "Prime", "Equip",
                           "Active", "Spirit", "Harbour", "Coastal", "Outback", "Southern Cross", "Red Centre",
                           "Unity", "Civic", "Trades", "Retail", "Health", "Emergency Services", "Rail", "Water"])
        state = rng.choice(["", "", "", "Victorian ", "Queensland ", "NSW ", "WA ", "Tasmanian ", "SA "])
        x = f"{state}{word}"
        if not self.claim("au:" + x):
            return None
        joined = x.replace(" ", "")
        city = rng.choice(["Sydney", "Melbourne", "Brisbane", "Canberra"])
        names = [f"{x} Super", f"{joined}Super", f"{x} Superannuation Fund", f"{x} Super Pty Ltd as trustee for the {x} Superannuation Fund",
                 f"Trustee for {x} Super", f"{x} Super Fund", f"{x} Super ({acronym(x)}S)"]
        dom = f"{joined.lower()}super.com.au"
        out = [Ent("lp", names, "none", weights=[3, 1, 2, 1, 1, 1, 0.5], reg=3, domain=dom, ids=self.ids("AU"),
                   city=city, country="AU", dept=True)]
        if rng.random() < 0.2:
            out.append(Ent("manager", [f"{x} Investments", f"{x} Super Investments", f"{x} Investment Management"],
                           "ptyltd", domain=dom, ids=self.ids("AU"), city=city, country="AU", max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: Japan

    JP_CHUNKS = ["yasu", "da", "mitsu", "sumi", "tomo", "fuku", "koku", "dai", "ichi", "asa", "hi", "shin", "sei",
                 "tō", "kyō", "ō", "naga", "kami", "shima", "hama", "matsu", "chū", "ji", "shō", "ryū", "nichi", "hoku",
                 "toku", "kō", "sō", "yū", "jū", "kai", "sen", "hachi", "ju", "nan", "bu", "min", "tsu", "fuji", "chiba",
                 "shiga", "oka", "yama", "kawa", "mura", "ta", "yo", "sanwa", "wa"]

    def jp_forms(self, word: str) -> list[str]:
        """Hepburn without macrons first, then the spellings other systems write (ou / oh / oo, Kunrei, macron)."""
        hep = word.replace("ō", "o").replace("ū", "u")
        out = [hep, word.replace("ō", "ou").replace("ū", "uu"), word.replace("ō", "oh").replace("ū", "u"),
               word.replace("ō", "oo").replace("ū", "uu")]
        kun = hep
        for a, b in (("shi", "si"), ("chi", "ti"), ("tsu", "tu"), ("fu", "hu"), ("ji", "zi"), ("sh", "sy"),
                     ("ch", "ty"), ("j", "zy")):
            kun = kun.replace(a, b)
        out.append(kun)
        out.append(word)
        seen, uniq = set(), []
        for w in out:
            w = w[0].upper() + w[1:]
            if w not in seen:
                seen.add(w)
                uniq.append(w)
        return uniq

    def japanese_group(self) -> list[Ent] | None:
        rng = self.rng
        c1, c2 = rng.choice(self.JP_CHUNKS), rng.choice(self.JP_CHUNKS)
        word = c1 + c2
        if len(word) < 4 or not self.claim("jp:" + word):
            return None
        vowels = "aeiouōū"
        forms = self.jp_forms(word)
        if c1[-1] in vowels and c2[0] in vowels:  # Dai-ichi / Daiichi / Dai Ichi
            forms += [f"{c1.capitalize()}-{c2}", f"{c1.capitalize()}-{c2.capitalize()}", f"{c1.capitalize()} {c2.capitalize()}"]
        forms = [f.replace("ō", "o") if i and rng.random() < 0.5 else f for i, f in enumerate(forms)]
        canon, alts = forms[0], forms[1:] or [forms[0]]
        city = rng.choice(["Tokyo", "Tokyo", "Osaka", "Nagoya"])
        dom = self.domain_for(canon, ".co.jp")
        kinds = [("Life Insurance Company", "Seimei Hoken", "lp", "kk"), ("Asset Management", "Asset Management", "manager", "kk"),
                 ("Trust Bank", "Shintaku Ginko", "lp", "kk"), ("Bank", "Ginko", "lp", "kk"),
                 ("Securities", "Shoken", "advisor", "kk"), ("Holdings", "Holdings", "lp", "kk"),
                 ("Fire & Marine Insurance", "Kasai Kaijo Hoken", "lp", "kk"), ("Shinkin Bank", "Shinkin Ginko", "lp", "none"),
                 ("Corporate Pension Fund", "Kigyo Nenkin Kikin", "lp", "none")]
        out = []
        for en, ja, role, legal in rng.sample(kinds, rng.choice([1, 1, 1, 1, 1, 1, 2, 3])):
            alt = rng.choice(alts)
            names = [f"{canon} {en}", f"{canon} {ja}", f"{alt} {en}", f"The {canon} {en}", f"{alt} {ja}",
                     f"{canon} {en.replace('Insurance Company', '').replace(' & ', ' and ').strip()}"]
            out.append(Ent(role, names, legal, weights=[4, 1, 1, 1, 0.5, 1], domain=dom if rng.random() < 0.7 else None,
                           ids=self.ids("JP"), city=city, country="JP", dept=True))
        return out

    # ---------------------------------------------------------------- LPs: Korea

    KR_SYL = [("gyeong", ["kyong", "kyung"]), ("seong", ["song", "sung"]), ("hyeon", ["hyon", "hyun"]),
              ("jeong", ["chong", "jung", "chung"]), ("dae", ["tae"]), ("han", []), ("il", []), ("sin", ["shin"]),
              ("gwang", ["kwang"]), ("dong", ["tong"]), ("jin", ["chin"]), ("mi", []), ("rae", ["lae"]),
              ("bu", ["pu", "boo"]), ("san", []), ("hwa", []), ("u", ["woo"]), ("yeong", ["yong", "young"]),
              ("cheon", ["chon", "chun"]), ("seo", ["so", "suh"]), ("won", []), ("gang", ["kang"]), ("jo", ["cho"]),
              ("baek", ["paek", "paik"]), ("geum", ["kum", "keum"]), ("sam", []), ("gyo", ["kyo"]), ("bo", ["po"]),
              ("do", ["to"]), ("nam", []), ("hyo", []), ("ju", ["chu", "joo"]), ("seung", ["sung"]), ("eun", ["un"]),
              ("yu", ["you", "yoo"]), ("heung", ["hung"]), ("kuk", ["guk"]), ("hae", [])]

    def korean_group(self) -> list[Ent] | None:
        rng = self.rng
        (a, av), (b, bv) = rng.sample(self.KR_SYL, 2)
        if not self.claim(f"kr:{a}{b}"):
            return None
        brand_a, brand_b = rng.choice([a] + av), rng.choice([b] + bv)  # the company's own English spelling
        canon = (brand_a + brand_b).capitalize()
        variants = [(x + y).capitalize() for x in [a] + av for y in [b] + bv if (x + y).capitalize() != canon]
        variants += [f"{brand_a.capitalize()}-{brand_b}", f"{brand_a.capitalize()}-{brand_b.capitalize()}",
                     f"{brand_a.capitalize()} {brand_b.capitalize()}"]
        dom = self.domain_for(canon, rng.choice([".co.kr", ".com"]))
        kinds = [("Asset Management", "manager"), ("Investment & Securities", "advisor"), ("Life Insurance", "lp"),
                 ("Fire & Marine Insurance", "lp"), ("Capital", "lp"), ("Venture Investment", "manager"),
                 ("Private Equity", "manager"), ("Savings Bank", "lp")]
        out = []
        for kind, role in rng.sample(kinds, rng.choice([1, 1, 1, 1, 1, 1, 2, 3])):
            names = [f"{canon} {kind}", f"{rng.choice(variants)} {kind}", f"{canon} {kind.replace('&', 'and')}",
                     f"{canon} {kind}", f"{rng.choice(variants)} {kind.replace('&', 'and')}"]
            out.append(Ent(role, names, "kr", weights=[4, 1, 1, 2, 0.5], domain=dom if rng.random() < 0.7 else None,
                           ids=self.ids("KR"), city=rng.choice(["Seoul", "Seoul", "Busan", "Daejeon"]), country="KR", dept=True))
        return out

    # ---------------------------------------------------------------- LPs: Netherlands / Nordics

    NL_SECTORS = [("Metaal en Techniek", "Metal and Technology"), ("Zorg en Welzijn", "Care and Welfare"),
                  ("Bouw", "Construction"), ("Detailhandel", "Retail Trade"), ("Vervoer", "Transport"),
                  ("Horeca & Catering", "Hospitality & Catering"), ("Schilders", "Painters"), ("Landbouw", "Agriculture"),
                  ("Media", "Media"), ("Grafische Bedrijven", "Graphic Industry"), ("Huisartsen", "General Practitioners"),
                  ("Medisch Specialisten", "Medical Specialists"), ("Architectenbureaus", "Architects"),
                  ("Woningcorporaties", "Housing Associations"), ("Schoonmaak", "Cleaning"), ("Waterbouw", "Hydraulic Engineering"),
                  ("Rijn- en Binnenvaart", "Inland Shipping"), ("Apothekers", "Pharmacists"), ("Dierenartsen", "Veterinarians"),
                  ("Notarissen", "Notaries"), ("Bakkers", "Bakers"), ("Slagers", "Butchers"), ("Kappers", "Hairdressers"),
                  ("Tandartsen", "Dentists"), ("Fysiotherapeuten", "Physiotherapists")]
    NL_COMPANIES = ["Van der Meer", "De Vries", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer", "De Boer",
                    "Mulder", "De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Dijk", "Dekker", "Brouwer",
                    "Van Leeuwen", "Janssen", "Van der Linden", "Kuipers", "Wijnands", "Van Rijn", "IJsselmonde"]

    def dutch_pension(self) -> list[Ent] | None:
        rng = self.rng
        if rng.random() < 0.6:
            nl, en = rng.choice(self.NL_SECTORS)
            if not self.claim("nl:" + nl):
                return None
            a = acronym(nl)
            names = [f"Bedrijfstakpensioenfonds voor de {nl}", f"Pensioenfonds {nl}", f"BPF {nl}", f"PF{a}",
                     f"Pension Fund for {en}", f"{en} Pension Fund", f"Pensioenfonds {nl} (PF{a})", f"bpf{nl.split()[0]}"]
            core_dom = f"pf{a.lower()}.nl"
        else:
            co = rng.choice(self.NL_COMPANIES) + rng.choice(["", " Groep", " Techniek", " Bouw", " Logistiek", " Chemie"])
            if not self.claim("nl:" + co):
                return None
            alt = co.replace("ij", "y").replace("IJ", "Y")
            names = [f"Pensioenfonds {co}", f"{co} Pensioenfonds", f"Pensioenfonds {alt}", f"{co} Pension Fund",
                     f"SPF {co}", f"Pension Fund of {co}"]
            a, en = acronym(co), co
            core_dom = self.domain_for(f"pensioenfonds {co}", ".nl")
        city = rng.choice(["Amsterdam", "The Hague", "Zeist", "Heerlen", "Rotterdam", "Utrecht"])
        out = [Ent("lp", names, "stichting", weights=[3] + [1] * (len(names) - 1), domain=core_dom, ids=self.ids("NL"),
                   city=city, country="NL", acr=f"PF{a}", dept=True)]
        if rng.random() < 0.25:  # its fiduciary manager / pension administrator
            mgr = rng.choice([f"{a} Vermogensbeheer", f"{a} Asset Management", f"{a} Investments", f"{en} Investment Management"])
            out.append(Ent("manager", [mgr, mgr.replace("Vermogensbeheer", "Asset Management"), f"{mgr} Groep"],
                           rng.choice(["bv", "nv"]), domain=self.domain_for(mgr, ".nl"), ids=self.ids("NL"), city=city,
                           country="NL", max_dups=3))
        return out

    NORDIC_PROF = [("Sygeplejersker", "Nurses"), ("Jordemødre", "Midwives"), ("Arkitekter", "Architects"),
                   ("Farmaceuter", "Pharmacists"), ("Ingeniører", "Engineers"), ("Tandlæger", "Dentists"),
                   ("Dyrlæger", "Veterinarians"), ("Psykologer", "Psychologists"), ("Økonomer", "Economists"),
                   ("Lærere", "Teachers"), ("Læger", "Doctors"), ("Jurister", "Lawyers"), ("Præster", "Clergy"),
                   ("Socialrådgivere", "Social Workers"), ("Bibliotekarer", "Librarians")]
    FI_NAMES = ["Aalto", "Kaleva", "Tapio", "Lumo", "Pohjola", "Saimaa", "Kataja", "Kuusi", "Honka", "Ilves",
                "Otava", "Revontuli", "Tuuli", "Karhu", "Sampo", "Louhi", "Vellamo", "Ahti", "Kotka", "Hanko"]
    NO_TOWNS = ["Bærum", "Drammen", "Trondheim", "Stavanger", "Tromsø", "Ålesund", "Bodø", "Asker", "Skien", "Moss",
                "Fredrikstad", "Sandnes", "Sørum", "Hamar", "Gjøvik"]

    def nordic_pension(self) -> list[Ent] | None:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            da, en = rng.choice(self.NORDIC_PROF)
            if not self.claim("dk:" + da):
                return None
            names = [f"Pensionskassen for {da}", f"Pensionskassen for {strip_accents(da)}", f"Pensionskassen for {german_translit(da)}",
                     f"{en}' Pension Fund", f"Pension Fund for {en}", f"{da}s Pension"]
            dom = self.domain_for(f"pk {strip_accents(da)}", ".dk")
            return [Ent("lp", names, "none", domain=dom, ids=self.ids("DK"), city=rng.choice(["Copenhagen", "Hellerup"]),
                        country="DK", dept=True)]
        if r < 0.75:
            x = rng.choice(self.FI_NAMES)
            if not self.claim("fi:" + x):
                return None
            names = [f"Keskinäinen Työeläkevakuutusyhtiö {x}", f"{x} Mutual Pension Insurance Company", x,
                     f"Keskinainen Tyoelakevakuutusyhtio {x}", f"{x} Pension", f"Työeläkeyhtiö {x}"]
            out = [Ent("lp", names, "none", weights=[2, 3, 2, 1, 1, 1], domain=f"{x.lower()}.fi", ids=self.ids("FI"),
                       city="Helsinki", country="FI", dept=True)]
            if rng.random() < 0.35:
                out.append(Ent("lp", [f"Keskinäinen Vakuutusyhtiö {x}", f"{x} Mutual Insurance Company", f"{x} Insurance"],
                               "none", domain=f"{x.lower()}vakuutus.fi", ids=self.ids("FI"), city="Helsinki", country="FI", max_dups=3))
            return out
        town = rng.choice(self.NO_TOWNS)
        if not self.claim("no:" + town):
            return None
        t2 = german_translit(town)
        names = [f"{town} kommunale pensjonskasse", f"{town} Kommunale Pensjonskasse (KPK)", f"{strip_accents(town)} kommunale pensjonskasse",
                 f"{t2} Municipal Pension Fund", f"{town} KPK", f"Pensjonskassen i {town} kommune"]
        out = [Ent("lp", names, "none", domain=self.domain_for(f"{strip_accents(town)} kpk", ".no"), ids=self.ids("NO"),
                   city="Oslo", country="NO")]
        if rng.random() < 0.4:
            out.append(Ent("lp", [f"{town} kommune", f"{strip_accents(town)} kommune", f"Municipality of {t2}"], "none",
                           domain=self.domain_for(strip_accents(town) + " kommune", ".no"), ids=self.ids("NO"), city="Oslo",
                           country="NO", max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: Germany / Switzerland

    LAENDER = [("Bayern", "Bayerische"), ("Nordrhein", "Nordrheinische"), ("Westfalen-Lippe", "Westfälisch-Lippische"),
               ("Niedersachsen", "Niedersächsische"), ("Baden-Württemberg", "Baden-Württembergische"),
               ("Hessen", "Hessische"), ("Sachsen", "Sächsische"), ("Berlin", "Berliner"), ("Hamburg", "Hamburger"),
               ("Thüringen", "Thüringer"), ("Brandenburg", "Brandenburgische"), ("Schleswig-Holstein", "Schleswig-Holsteinische"),
               ("Rheinland-Pfalz", "Rheinland-Pfälzische"), ("Saarland", "Saarländische"), ("Bremen", "Bremer"),
               ("Mecklenburg-Vorpommern", "Mecklenburg-Vorpommersche"), ("Sachsen-Anhalt", "Sachsen-Anhaltische")]
    PROFESSIONS = [("Ärztekammer", "Ärzteversorgung", "Medical Association", "Physicians"),
                   ("Zahnärztekammer", "Zahnärzteversorgung", "Dental Association", "Dentists"),
                   ("Tierärztekammer", "Tierärzteversorgung", "Veterinary Association", "Veterinarians"),
                   ("Apothekerkammer", "Apothekerversorgung", "Chamber of Pharmacists", "Pharmacists"),
                   ("Rechtsanwaltskammer", "Rechtsanwaltsversorgung", "Bar Association", "Lawyers"),
                   ("Architektenkammer", "Architektenversorgung", "Chamber of Architects", "Architects"),
                   ("Steuerberaterkammer", "Steuerberaterversorgung", "Chamber of Tax Advisers", "Tax Advisers"),
                   ("Psychotherapeutenkammer", "Psychotherapeutenversorgung", "Chamber of Psychotherapists", "Psychotherapists"),
                   ("Ingenieurkammer", "Ingenieurversorgung", "Chamber of Engineers", "Engineers")]
    LAND_CITY = {"Bayern": "Munich", "Nordrhein": "Dusseldorf", "Westfalen-Lippe": "Munster", "Niedersachsen": "Hannover",
                 "Baden-Württemberg": "Stuttgart", "Hessen": "Frankfurt", "Sachsen": "Dresden", "Berlin": "Berlin",
                 "Hamburg": "Hamburg", "Rheinland-Pfalz": "Mainz", "Bremen": "Bremen", "Saarland": "Saarbrücken",
                 "Thüringen": "Erfurt", "Brandenburg": "Potsdam", "Schleswig-Holstein": "Kiel", "Sachsen-Anhalt": "Magdeburg",
                 "Mecklenburg-Vorpommern": "Schwerin"}

    def versorgungswerk(self) -> list[Ent] | None:
        rng = self.rng
        land, adj = rng.choice(self.LAENDER)
        profs = [p for p in self.PROFESSIONS if f"vw:{land}:{p[0]}".lower() not in self.used]
        if not profs:
            return None
        city = self.LAND_CITY[land]
        out = []
        for kammer, versorgung, en, en_p in rng.sample(profs, min(len(profs), rng.choice([1, 1, 1, 1, 1, 2, 3]))):
            self.claim(f"vw:{land}:{kammer}")
            names = [f"Versorgungswerk der {kammer} {land}", f"{adj} {versorgung}", f"{versorgung} {land}",
                     german_translit(f"Versorgungswerk der {kammer} {land}"), german_translit(f"{adj} {versorgung}"),
                     f"Versorgungswerk {kammer} {land}",
                     f"{land} {en} Pension Fund", f"Pension Fund of the {land} {en}", f"{en_p}' Pension Scheme {land}"]
            out.append(Ent("lp", names, "kdoer", weights=[3, 2, 1, 1, 1, 1, 1, 1, 0.5],
                           domain=self.domain_for(german_translit(f"{versorgung} {land}"), ".de") if rng.random() < 0.7 else None,
                           ids=self.ids("DE"), city=city, country="DE", dept=True,
                           real_twin=(land, kammer) in self.REAL_VW))
        return out

    # the Versorgungswerke REAL_FAMILIES holds as real institutions (Bayerische Ärzteversorgung)
    REAL_VW = {("Bayern", "Ärztekammer")}

    SWISS = [("Zürich", "Zurich", "Zurich"), ("Bern", "Berne", "Bern"), ("Luzern", "Lucerne", "Lucerne"),
             ("Basel", "Bâle", "Basel"), ("St. Gallen", "Saint-Gall", "St. Gallen"), ("Genf", "Genève", "Geneva"),
             ("Lausanne", "Lausanne", "Lausanne"), ("Winterthur", "Winterthour", "Zurich"), ("Biel", "Bienne", "Bern"),
             ("Freiburg", "Fribourg", "Bern"), ("Schaffhausen", "Schaffhouse", "Zurich"), ("Aargau", "Argovie", "Zurich"),
             ("Thurgau", "Thurgovie", "St. Gallen"), ("Graubünden", "Grisons", "St. Gallen"), ("Wallis", "Valais", "Lausanne"),
             ("Zug", "Zoug", "Zurich"), ("Solothurn", "Soleure", "Bern"), ("Neuenburg", "Neuchâtel", "Lausanne")]

    def swiss_pk(self) -> list[Ent] | None:
        rng = self.rng
        de, fr, city = rng.choice(self.SWISS)
        if not self.claim("ch:" + de):
            return None
        out = []
        kinds = [("city", [f"Pensionskasse der Stadt {de}", f"PK Stadt {de}", f"Pensionskasse Stadt {de}",
                           f"Caisse de pension de la Ville de {fr}", f"City of {de} Pension Fund", f"Pensionskasse der Stadt {strip_accents(de)}"]),
                 ("canton", [f"Pensionskasse des Kantons {de}", f"PK Kanton {de}", f"{de}er Pensionskasse" if not de.endswith("n") else f"Kantonale Pensionskasse {de}",
                             f"Caisse de pensions de l'Etat de {fr}", f"Canton of {de} Pension Fund", f"Pensionskasse Kanton {strip_accents(de)}"])]
        for _kind, names in rng.sample(kinds, rng.choice([1, 1, 1, 2])):
            out.append(Ent("lp", names, "stiftung", weights=[3, 1, 1, 1, 1, 1], domain=self.domain_for(names[1], ".ch") if rng.random() < 0.6 else None,
                           ids=self.ids("CH"), city=city, country="CH", dept=True))
        return out

    # ---------------------------------------------------------------- LPs: Iberia / Latin America

    ES_SURNAMES = ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
                   "Jiménez", "Ruiz", "Hernández", "Díaz", "Álvarez", "Muñoz", "Romero", "Gutiérrez", "Domínguez",
                   "Vázquez", "Ramírez", "Suárez", "Núñez", "Iglesias", "Méndez", "Márquez", "Peña", "Ibáñez",
                   "Benítez", "Sáez", "Larraín", "Echeverría", "Aldunate", "Garza", "Zambrano", "Saldaña", "Ordóñez"]
    BR_SURNAMES = ["Gonçalves", "Conceição", "Magalhães", "Araújo", "Guimarães", "Brandão", "Simões", "Falcão",
                   "Leão", "Assunção", "Lustosa", "Junqueira", "Sampaio", "Queiroz", "Bittencourt", "Figueiredo"]
    AFP_BRANDS = ["Horizonte", "Cóndor", "Andina", "Pacífico", "Austral", "Futuro", "Porvenir", "Cumbre", "Aurora",
                  "Prisma", "Litoral", "Nevado", "Altiplano", "Cordillera", "Amanecer", "Valle"]

    def latam_iberian(self) -> list[Ent] | None:
        rng = self.rng
        r = rng.random()
        if r < 0.3:  # an AFP brand present in two countries: two legal entities
            b = rng.choice(self.AFP_BRANDS)
            if not self.claim("afp:" + b):
                return None
            out = []
            for cc, city in rng.sample([("CL", "Santiago"), ("PE", "Lima"), ("CO", "Bogota")], rng.choice([1, 1, 2])):
                names = [f"Administradora de Fondos de Pensiones {b}", f"AFP {b}", f"A.F.P. {b}", f"AFP {strip_accents(b)}",
                         f"{b} AFP", f"AFP {b} {pycountry.countries.get(alpha_2=cc).name}"]
                out.append(Ent("lp", names, "sa", weights=[2, 4, 1, 1, 1, 1], domain=self.domain_for(f"afp{strip_accents(b)}", {"CL": ".cl", "PE": ".com.pe", "CO": ".com.co"}[cc]),
                               ids=self.ids(cc), city=city, country=cc, dept=True))
            return out
        if r < 0.45:  # Brazilian closed pension foundation
            s = rng.choice(self.BR_SURNAMES + self.AFP_BRANDS)
            if not self.claim("br:" + s):
                return None
            acr = (strip_accents(s)[:4] + rng.choice(["PREV", "OS", "SEG"])).upper()
            names = [f"Fundação {s} de Seguridade Social", f"Fundacao {strip_accents(s)} de Seguridade Social", acr,
                     f"{acr} - Fundação {s}", f"{s} Pension Foundation"]
            return [Ent("lp", names, "none", domain=f"{acr.lower()}.com.br", ids=self.ids("BR"),
                        city=rng.choice(["Sao Paulo", "Rio de Janeiro"]), country="BR", acr=acr, dept=True)]
        s1, s2 = rng.sample(self.ES_SURNAMES, 2)
        if not self.claim(f"es:{s1}:{s2}"):
            return None
        cc = rng.choice(["ES", "ES", "MX", "MX", "CL", "BR"])
        legal = {"ES": "sl", "MX": "sadecv", "CL": "sa", "BR": "ltda"}[cc]
        city = {"ES": rng.choice(["Madrid", "Barcelona", "Bilbao"]), "MX": rng.choice(["Mexico City", "Monterrey"]),
                "CL": "Santiago", "BR": "Sao Paulo"}[cc]
        inv = "Participações" if cc == "BR" else "Inversiones"
        plain = strip_accents
        names = [f"{inv} {s1} {s2}", f"{inv} {plain(s1)} {plain(s2)}", f"{s1} {s2} {inv}", f"{inv} {s1} y {s2}" if cc != "BR" else f"{inv} {s1} e {s2}",
                 f"{s1} {s2} Family Office", f"{inv} {s1}-{s2}"]
        out = [Ent("lp", names, legal, domain=self.domain_for(f"{plain(s1)}{plain(s2)}", rng.choice([".com", {"ES": ".es", "MX": ".com.mx", "CL": ".cl", "BR": ".com.br"}[cc]])) if rng.random() < 0.5 else None,
                   ids=self.ids(cc), city=city, country=cc)]
        rr = rng.random()
        if rr < 0.12:
            out.append(Ent("lp", [f"Fundación {s1} {s2}", f"Fundacion {plain(s1)} {plain(s2)}", f"{s1} {s2} Foundation"], "none",
                           ids=self.ids(cc), city=city, country=cc, max_dups=3))
        elif rr < 0.2:
            out.append(Ent("lp", [f"{inv} {s1}", f"{inv} {plain(s1)}", f"{s1} {inv}"], legal, ids=self.ids(cc), city=city,
                           country=cc, max_dups=3))
        elif rr < 0.25:
            out.append(Ent("manager", [f"{s1} {s2} Capital", f"{plain(s1)} {plain(s2)} Capital", f"{s1} & {s2} Capital"], legal,
                           ids=self.ids(cc), city=city, country=cc, max_dups=3))
        return out

    # ---------------------------------------------------------------- LPs: Gulf family groups

    GULF_ROOTS = [["Futtaim", "Futaim"], ["Qasimi", "Qassimi", "Kassimi"], ["Mansouri", "Mansoori", "Mansuri"],
                  ["Hashemi", "Hashimi"], ["Suwaidi", "Suwaidy", "Swaidi"], ["Otaibi", "Oteibi", "Utaybi"],
                  ["Ghamdi", "Ghamedi"], ["Zahrani", "Zahranee"], ["Shamsi", "Shamsy"], ["Marzouqi", "Marzooqi", "Marzuqi"],
                  ["Mazrouei", "Mazrui", "Mazroui"], ["Nuaimi", "Noaimi", "Nuaymi"], ["Dhaheri", "Daheri", "Zaheri"],
                  ["Kaabi", "Ka'abi", "Kaabey"], ["Kuwari", "Kuwary"], ["Attiyah", "Attiya", "Atiyah"],
                  ["Saqr", "Saqer", "Sager"], ["Falasi", "Falasy"], ["Habtoor", "Habtour"], ["Ghurair", "Ghurayr"],
                  ["Jaber", "Jabir", "Gaber"], ["Rashed", "Rashid"], ["Hammadi", "Hamadi"], ["Khoury", "Khouri", "Khuri"],
                  ["Sudairy", "Sudairi", "Sudayri"], ["Rajhi", "Rajihi"], ["Olayan", "Olayyan", "Ulayan"],
                  ["Zamil", "Zamel"], ["Muhaidib", "Muhaidb", "Mohaidib"], ["Fozan", "Fawzan"], ["Shaya", "Shaya'a"],
                  ["Bahar", "Bahhar"], ["Ghanim", "Ghanem"], ["Kharafi", "Khorafi"], ["Marzouk", "Marzook", "Marzuq"]]
    GULF_FIRST = [["Mohammed", "Muhammad", "Mohamed", "Mohamad"], ["Abdullah", "Abdallah", "Abdulla"],
                  ["Abdulaziz", "Abdul Aziz", "Abdel Aziz", "Abd al-Aziz"], ["Khalid", "Khaled"], ["Saud", "Sa'ud"],
                  ["Hamad", "Hammad"], ["Yousef", "Yousuf", "Yusuf"], ["Ahmed", "Ahmad"]]
    GULF_PREFIX = ["Al {}", "Al-{}", "Al{}", "El-{}", "AL {}"]

    def gulf_group(self) -> list[Ent] | None:
        rng = self.rng
        root = rng.choice(self.GULF_ROOTS)
        cc, city = rng.choice([("AE", "Dubai"), ("AE", "Abu Dhabi"), ("SA", "Riyadh"), ("SA", "Jeddah"), ("KW", "Kuwait City"),
                               ("QA", "Doha"), ("BH", "Manama"), ("OM", "Muscat")])
        if not self.claim(f"gulf:{root[0]}:{cc}"):
            return None
        fam = [p.format(r) for p in self.GULF_PREFIX for r in root]
        canon = f"Al {root[0]}"
        out = []
        kinds = [("Group", "lp"), ("Holding", "lp"), ("Investments", "lp"), ("Family Office", "lp"), ("Capital", "manager"),
                 ("Real Estate", "portco")]
        for kind, role in rng.sample(kinds, rng.choice([1, 1, 1, 1, 1, 1, 2, 3])):
            names = [f"{canon} {kind}", f"{rng.choice(fam)} {kind}", f"{rng.choice(fam)} {kind}", f"{root[0]} {kind}",
                     f"{canon} {kind} Company"]
            if kind == "Family Office":
                first = rng.choice(self.GULF_FIRST)
                names = [f"{first[0]} {canon} Family Office", f"{rng.choice(first)} {rng.choice(fam)} Family Office",
                         f"{rng.choice(first)} {rng.choice(fam)} FO", f"{canon} Family Office"]
            out.append(Ent(role, names, "gulf", domain=self.domain_for(f"al{root[0]}{kind.split()[0]}") if rng.random() < 0.5 else None,
                           ids=self.ids(cc), city=city, country=cc, dept=True))
        return out

    # ---------------------------------------------------------------- service providers

    def providers(self) -> list[Ent] | None:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            b = self.brand()
            if b is None:
                return None
            kind = rng.choice(["Fund Services", "Fund Administration", "Trust Company", "Corporate Services", "Fund Solutions"])
            role = "custodian" if kind == "Trust Company" else "advisor"
            dom = self.domain_for(b)
            out = []
            juris = [("US", "New York", "llc", ""), ("KY", "George Town", "ltd", " (Cayman)"), ("LU", "Luxembourg", "sa", " (Luxembourg)"),
                     ("IE", "Dublin", "ltd", " (Ireland)"), ("GB", "London", "ltd", " (UK)"), ("SG", "Singapore", "ltd", " (Singapore)")]
            for cc, city, legal, tag in rng.sample(juris, rng.choice([1, 1, 1, 1, 1, 2, 3])):
                names = [f"{b} {kind}{tag}", f"{b} {kind}", f"{b}{tag}", f"{b} {kind} {tag.strip(' ()')}".strip()]
                out.append(Ent(role, names, legal, domain=dom, ids=self.ids(cc), city=city, country=cc))
            return out
        if r < 0.75:
            people = rng.sample(SURNAMES, rng.choice([2, 2, 3]))
            if not self.claim("law:" + "/".join(people)):
                return None
            full = ", ".join(people[:-1]) + " & " + people[-1]
            cc = rng.choice(["US", "US", "GB"])
            names = [full, full.replace(",", ""), " ".join(people[:2]), people[0], full.replace(" & ", " and "), f"{full} (law firm)"]
            return [Ent("advisor", names, "llp", weights=[3, 1, 2, 1, 1, 0.3], domain=self.domain_for(people[0] + (people[1] if rng.random() < 0.5 else ""), ".com"),
                        ids=self.ids(cc), city="London" if cc == "GB" else rng.choice(["New York", "Chicago"]), country=cc)]
        b = self.brand()
        if b is None:
            return None
        dom = self.domain_for(b)
        out = [Ent("advisor", [f"{b} Capital Advisors", f"{b} Private Funds Group", f"{b} Capital Advisors - Placement",
                               f"{b} Advisors"], "llc", domain=dom, ids=self.ids("US"), city="New York", country="US", dept=True)]
        if rng.random() < 0.25:
            out.append(Ent("advisor", [f"{b} Securities", f"{b} Securities LLC", f"{b} Sec"], "llc", domain=dom,
                           ids=self.ids("US"), city="New York", country="US", max_dups=3))
        return out

    # ---------------------------------------------------------------- real institutions

    def real(self) -> list[Ent] | None:
        if not self.real_left:
            return None
        fam = self.real_left.pop()
        out = []
        for role, cc, city, names, legal, dom in fam:
            out.append(Ent(role, names.split("|"), legal, domain=dom, ids=self.ids(cc), city=city, country=cc, dept=True))
        return out


# (role, country, city, "registered name|other names...", legal, domain): one list per family.
REAL_FAMILIES = [
    [("lp", "CA", "Toronto", "Canada Pension Plan Investment Board|CPP Investments|CPPIB|CPP Investment Board|Office d'investissement du régime de pensions du Canada|Canada Pension Plan Investment Board (CPP Investments)", "none", "cppinvestments.com")],
    [("lp", "CA", "Toronto", "Ontario Teachers' Pension Plan Board|Ontario Teachers' Pension Plan|OTPP|Ontario Teachers'|Ontario Teachers Pension Plan", "none", "otpp.com"),
     ("lp", "CA", "Toronto", "OMERS Administration Corporation|OMERS|Ontario Municipal Employees Retirement System|OMERS Admin Corp", "none", "omers.com"),
     ("lp", "CA", "Toronto", "Healthcare of Ontario Pension Plan|HOOPP|Healthcare of Ontario Pension Plan Trust Fund", "none", "hoopp.com"),
     ("lp", "CA", "Toronto", "OPSEU Pension Trust|OPTrust|OP Trust", "none", "optrust.com"),
     ("manager", "CA", "Toronto", "Investment Management Corporation of Ontario|IMCO|IMCO Ontario", "none", "imcoinvest.com")],
    [("lp", "CA", "Montreal", "Caisse de dépôt et placement du Québec|CDPQ|Caisse de depot et placement du Quebec|La Caisse|Quebec Deposit and Investment Fund", "none", "cdpq.com"),
     ("lp", "CA", "Montreal", "Public Sector Pension Investment Board|PSP Investments|PSP|PSPIB|Investissements PSP", "none", "investpsp.com")],
    [("manager", "CA", "Edmonton", "Alberta Investment Management Corporation|AIMCo|AIMCO|Alberta Investment Mgmt Corp", "none", "aimco.ca"),
     ("manager", "CA", "Victoria", "British Columbia Investment Management Corporation|BCI|bcIMC|BC Investment Management Corp", "none", "bci.ca")],
    [("lp", "AU", "Melbourne", "AustralianSuper Pty Ltd|AustralianSuper|Australian Super|AustralianSuper Pty Ltd as trustee for AustralianSuper", "none", "australiansuper.com")],
    [("lp", "AU", "Melbourne", "UniSuper Limited|UniSuper|Uni Super", "none", "unisuper.com.au"),
     ("manager", "AU", "Melbourne", "UniSuper Management Pty Ltd|UniSuper Management|USM", "none", "unisuper.com.au")],
    [("lp", "AU", "Sydney", "Aware Super Pty Ltd|Aware Super|First State Super|FSS Trustee Corporation", "none", "aware.com.au")],
    [("lp", "AU", "Melbourne", "H.E.S.T. Australia Ltd|HESTA|Health Employees Superannuation Trust Australia", "none", "hesta.com.au")],
    [("lp", "AU", "Melbourne", "United Super Pty Ltd as trustee for the Construction and Building Unions Superannuation Fund|Cbus|Cbus Super|Construction and Building Unions Superannuation", "none", "cbussuper.com.au")],
    [("lp", "AU", "Sydney", "Retail Employees Superannuation Pty Limited|Rest|REST Super|Retail Employees Superannuation Trust", "none", "rest.com.au")],
    [("lp", "AU", "Melbourne", "Future Fund Board of Guardians|Future Fund|Australia's Future Fund|Future Fund Management Agency", "none", "futurefund.gov.au")],
    [("lp", "AE", "Abu Dhabi", "Abu Dhabi Investment Authority|ADIA|Abu Dhabi Investment Auth.|Abu Dhabi Inv Authority", "none", "adia.ae"),
     ("lp", "AE", "Abu Dhabi", "Abu Dhabi Investment Council|ADIC|Abu Dhabi Investment Council Company", "none", "adcouncil.ae")],
    [("lp", "AE", "Abu Dhabi", "Mubadala Investment Company PJSC|Mubadala|Mubadala Investment Co|Mubadala Development Company", "none", "mubadala.com"),
     ("manager", "AE", "Abu Dhabi", "Mubadala Capital|Mubadala Capital LLC|Mubadala Capital Ltd", "none", "mubadalacapital.ae")],
    [("lp", "KW", "Kuwait City", "Kuwait Investment Authority|KIA|Kuwait Investment Auth|Al Hay'a al-Amma lil-Istithmar", "none", "kia.gov.kw"),
     ("lp", "GB", "London", "Kuwait Investment Office|KIO|Kuwait Investment Office London", "none", None)],
    [("lp", "QA", "Doha", "Qatar Investment Authority|QIA|Qatar Investment Auth.", "none", "qia.qa"),
     ("lp", "QA", "Doha", "Qatar Holding LLC|Qatar Holding|QH", "none", None)],
    [("lp", "SA", "Riyadh", "Public Investment Fund|PIF|Public Investment Fund of Saudi Arabia|Saudi PIF|Sunduq al-Istithmarat al-Amma", "none", "pif.gov.sa"),
     ("lp", "SA", "Riyadh", "Sanabil Investments|Sanabil|Sanabil Investments Company|Sanabel Investments", "none", "sanabil.com")],
    [("lp", "OM", "Muscat", "Oman Investment Authority|OIA|Oman Inv. Authority", "none", "oia.gov.om")],
    [("lp", "BH", "Manama", "Bahrain Mumtalakat Holding Company B.S.C.(c)|Mumtalakat|Mumtalakat Holding Company|Bahrain Mumtalakat", "none", "bahrainmumtalakat.com")],
    [("lp", "AE", "Dubai", "Investment Corporation of Dubai|ICD|Investment Corp of Dubai", "none", "icd.gov.ae"),
     ("lp", "AE", "Dubai", "Dubai Holding LLC|Dubai Holding|Dubai Holding Investments", "none", "dubaiholding.com")],
    [("lp", "JP", "Tokyo", "Government Pension Investment Fund|GPIF|Nenkin Tsumitatekin Kanri Unyo Dokuritsu Gyosei Hojin|Government Pension Investment Fund, Japan|Nenkin Tsumitate-kin Kanri Un'yō Dokuritsu Gyōsei Hōjin", "none", "gpif.go.jp"),
     ("lp", "JP", "Tokyo", "Pension Fund Association|Kigyo Nenkin Rengokai|PFA Japan|Kigyou Nenkin Rengoukai", "none", "pfa.or.jp")],
    [("lp", "JP", "Osaka", "Nippon Life Insurance Company|Nippon Life|Nissay|Nippon Seimei Hoken Sogo Kaisha|Nihon Seimei|The Nippon Life Insurance Company", "none", "nissay.co.jp"),
     ("manager", "JP", "Tokyo", "Nissay Asset Management Corporation|Nissay Asset Management|Nissay AM|Nissay Asset Mgmt", "none", "nam.co.jp")],
    [("lp", "JP", "Tokyo", "The Dai-ichi Life Insurance Company, Limited|Dai-ichi Life|Daiichi Life|Dai-Ichi Seimei|Dai Ichi Life Insurance", "none", "dai-ichi-life.co.jp"),
     ("lp", "JP", "Tokyo", "Dai-ichi Life Holdings, Inc.|Dai-ichi Life Holdings|Daiichi Life Holdings|Dai-ichi Life Group", "none", "dai-ichi-life-hd.com")],
    [("lp", "JP", "Tokyo", "Development Bank of Japan Inc.|DBJ|Development Bank of Japan|Nihon Seisaku Toshi Ginko", "none", "dbj.jp")],
    [("lp", "JP", "Tokyo", "The Norinchukin Bank|Norinchukin Bank|Norinchukin|Nōrinchūkin Bank|Norin Chukin Bank", "none", "nochubank.or.jp")],
    [("lp", "JP", "Tokyo", "Sumitomo Mitsui Trust Bank, Limited|SMTB|Sumitomo Mitsui Trust Bank|Sumitomo Mitsui Trust", "none", "smtb.jp"),
     ("lp", "JP", "Tokyo", "Sumitomo Mitsui Banking Corporation|SMBC|Sumitomo Mitsui Banking Corp|Sumitomo Mitsui Bank", "none", "smbc.co.jp"),
     ("manager", "JP", "Tokyo", "Sumitomo Mitsui Trust Asset Management Co., Ltd.|SuMi TRUST Asset Management|Sumitomo Mitsui Trust AM", "none", "smtam.jp")],
    [("lp", "JP", "Tokyo", "Mitsubishi UFJ Trust and Banking Corporation|MUTB|Mitsubishi UFJ Trust & Banking|Mitsubishi UFJ Trust", "none", "tr.mufg.jp"),
     ("lp", "JP", "Tokyo", "MUFG Bank, Ltd.|MUFG Bank|Bank of Tokyo-Mitsubishi UFJ|BTMU", "none", "bk.mufg.jp"),
     ("lp", "JP", "Tokyo", "Mitsubishi UFJ Financial Group, Inc.|MUFG|Mitsubishi UFJ Financial Group|MUFG Group", "none", "mufg.jp")],
    [("lp", "JP", "Tokyo", "Tokio Marine & Nichido Fire Insurance Co., Ltd.|Tokio Marine Nichido|Tokio Marine & Nichido|Tokio Kaijo Nichido Kasai Hoken", "none", "tokiomarine-nichido.co.jp"),
     ("lp", "JP", "Tokyo", "Tokio Marine Holdings, Inc.|Tokio Marine Holdings|Tokio Marine HD|Tokio Marine Group", "none", "tokiomarinehd.com"),
     ("manager", "JP", "Tokyo", "Tokio Marine Asset Management Co., Ltd.|Tokio Marine Asset Management|TMAM|Tokio Marine AM", "none", "tokiomarineam.co.jp")],
    [("lp", "JP", "Tokyo", "Japan Post Bank Co., Ltd.|Japan Post Bank|JP Bank|Yucho Ginko|Yuucho Ginkou", "none", "jp-bank.japanpost.jp"),
     ("lp", "JP", "Tokyo", "Japan Post Insurance Co., Ltd.|Japan Post Insurance|Kampo|Kanpo Seimei", "none", "jp-life.japanpost.jp"),
     ("lp", "JP", "Tokyo", "Japan Post Holdings Co., Ltd.|Japan Post Holdings|JP Holdings|Nippon Yusei", "none", "japanpost.jp")],
    [("lp", "KR", "Seoul", "National Pension Service|NPS|Korea National Pension Service|Gungmin Yeongeum Gongdan|Kukmin Yongum Kongdan|National Pension Service of Korea", "none", "nps.or.kr")],
    [("lp", "KR", "Seoul", "Korea Investment Corporation|KIC|Korea Investment Corp|Korea Investment Corporation (KIC)", "none", "kic.kr"),
     ("advisor", "KR", "Seoul", "Korea Investment & Securities Co., Ltd.|Korea Investment & Securities|Korea Investment and Securities|KIS", "none", "truefriend.com"),
     ("manager", "KR", "Seoul", "Korea Investment Partners Co., Ltd.|Korea Investment Partners|KIP|Korea Investment Partners Co Ltd", "none", "kipvc.com")],
    [("lp", "KR", "Seoul", "Korea Teachers' Credit Union|KTCU|Korean Teachers' Credit Union|The Korean Teachers Credit Union|Korea Teachers Credit Union", "none", "ktcu.or.kr")],
    [("lp", "KR", "Seoul", "Public Officials Benefit Association|POBA|Public Officials Benefit Assn", "none", "poba.or.kr"),
     ("lp", "KR", "Seoul", "Government Employees Pension Service|GEPS|Gongmuwon Yeongeum Gongdan|Government Employees Pension Svc", "none", "geps.or.kr")],
    [("lp", "KR", "Seoul", "Military Mutual Aid Association|MMAA|Military Mutual Aid Assn|Korea Military Mutual Aid Association", "none", "mmaa.or.kr")],
    [("lp", "KR", "Seoul", "Samsung Life Insurance Co., Ltd.|Samsung Life|Samsung Life Insurance|Samsung Saengmyeong", "none", "samsunglife.com"),
     ("lp", "KR", "Seoul", "Samsung Fire & Marine Insurance Co., Ltd.|Samsung Fire & Marine|Samsung Fire and Marine Insurance|Samsung F&M", "none", "samsungfire.com"),
     ("manager", "KR", "Seoul", "Samsung Asset Management Co., Ltd.|Samsung Asset Management|Samsung AM|Samsung Asset Mgmt", "none", "samsungfund.com")],
    [("lp", "KR", "Seoul", "Kyobo Life Insurance Co., Ltd.|Kyobo Life|Kyobo Saengmyeong|Kyobo Life Insurance", "none", "kyobo.co.kr")],
    [("lp", "NL", "Amsterdam", "Stichting Pensioenfonds ABP|ABP|Algemeen Burgerlijk Pensioenfonds|Pensioenfonds ABP|ABP Pension Fund", "none", "abp.nl"),
     ("manager", "NL", "Amsterdam", "APG Asset Management N.V.|APG|APG Asset Management|APG Groep|All Pensions Group", "none", "apg.nl")],
    [("lp", "NL", "Zeist", "Stichting Pensioenfonds Zorg en Welzijn|PFZW|Pensioenfonds Zorg en Welzijn|Pension Fund for Care and Well-being", "none", "pfzw.nl"),
     ("manager", "NL", "Zeist", "PGGM Vermogensbeheer B.V.|PGGM|PGGM Investments|PGGM N.V.", "none", "pggm.nl")],
    [("lp", "NL", "The Hague", "Stichting Pensioenfonds van de Metalektro|PME|Pensioenfonds Metalektro|PME Pensioenfonds", "none", "pmepensioen.nl"),
     ("lp", "NL", "The Hague", "Stichting Pensioenfonds Metaal en Techniek|PMT|Pensioenfonds Metaal en Techniek|PMT Pension Fund", "none", "pmt.nl"),
     ("manager", "NL", "The Hague", "MN Services N.V.|MN|MN Services|Mn Services NV", "none", "mn.nl")],
    [("lp", "SE", "Stockholm", "Första AP-fonden|AP1|First AP Fund|Forsta AP-fonden|AP-fonden 1|First Swedish National Pension Fund", "none", "ap1.se"),
     ("lp", "SE", "Gothenburg", "Andra AP-fonden|AP2|Second AP Fund|Second Swedish National Pension Fund", "none", "ap2.se"),
     ("lp", "SE", "Gothenburg", "Tredje AP-fonden|AP3|Third AP Fund|Third Swedish National Pension Fund", "none", "ap3.se"),
     ("lp", "SE", "Stockholm", "Fjärde AP-fonden|AP4|Fourth AP Fund|Fjarde AP-fonden|Fourth Swedish National Pension Fund", "none", "ap4.se"),
     ("lp", "SE", "Stockholm", "Sjunde AP-fonden|AP7|Seventh AP Fund|Seventh Swedish National Pension Fund", "none", "ap7.se")],
    [("lp", "DK", "Hellerup", "ATP|Arbejdsmarkedets Tillægspension|Arbejdsmarkedets Tillaegspension|ATP Pension|Danish Labour Market Supplementary Pension Fund", "none", "atp.dk"),
     ("lp", "DK", "Copenhagen", "PFA Pension, forsikringsaktieselskab|PFA Pension|PFA|PFA Pension A/S", "none", "pfa.dk"),
     ("lp", "DK", "Copenhagen", "PensionDanmark A/S|PensionDanmark|Pension Danmark|PensionDenmark", "none", "pensiondanmark.com")],
    [("lp", "NO", "Oslo", "Kommunal Landspensjonskasse gjensidig forsikringsselskap|KLP|Kommunal Landspensjonskasse|KLP Pension", "none", "klp.no"),
     ("lp", "NO", "Oslo", "Statens pensjonskasse|SPK|Norwegian Public Service Pension Fund|Statens Pensjonskasse", "none", "spk.no")],
    [("lp", "FI", "Helsinki", "Keskinäinen Työeläkevakuutusyhtiö Varma|Varma|Varma Mutual Pension Insurance Company|Keskinainen Tyoelakevakuutusyhtio Varma", "none", "varma.fi"),
     ("lp", "FI", "Helsinki", "Keskinäinen Eläkevakuutusyhtiö Ilmarinen|Ilmarinen|Ilmarinen Mutual Pension Insurance Company|Keskinainen Elakevakuutusyhtio Ilmarinen", "none", "ilmarinen.fi"),
     ("lp", "FI", "Helsinki", "Keskinäinen Työeläkevakuutusyhtiö Elo|Elo|Elo Mutual Pension Insurance Company|Työeläkeyhtiö Elo", "none", "elo.fi")],
    [("lp", "DE", "Munich", "Bayerische Ärzteversorgung|Bayerische Aerzteversorgung|BÄV|Bavarian Physicians' Pension Fund|Bayerische Versorgungskammer - Ärzteversorgung", "none", "baev.de"),
     ("lp", "DE", "Munich", "Bayerische Versorgungskammer|BVK|Bavarian Pension Agency|Bayerische Versorgungskammer (BVK)", "none", "versorgungskammer.de")],
    [("lp", "CH", "Zurich", "BVK Personalvorsorge des Kantons Zürich|BVK|Beamtenversicherungskasse des Kantons Zürich|BVK Zurich|BVK Kanton Zuerich", "none", "bvk.ch"),
     ("lp", "CH", "Zurich", "Pensionskasse Stadt Zürich|PKZH|Pensionskasse der Stadt Zürich|PK Stadt Zuerich", "none", "pkzh.ch")],
    [("lp", "CL", "Santiago", "Administradora de Fondos de Pensiones Habitat S.A.|AFP Habitat|AFP Hábitat|Habitat AFP", "none", "afphabitat.cl"),
     ("lp", "PE", "Lima", "AFP Habitat S.A.|AFP Habitat Peru|AFP Hábitat Perú|Habitat Peru", "none", "afphabitat.com.pe")],
]

CLASSES = [("fund_complex", 14), ("portco", 24), ("family_wealth", 12), ("us_public_pension", 3), ("endowment", 3),
           ("insurer", 3), ("au_super", 2), ("japanese_group", 4), ("korean_group", 4), ("dutch_pension", 2),
           ("nordic_pension", 2), ("versorgungswerk", 2), ("swiss_pk", 1.5), ("latam_iberian", 5), ("gulf_group", 3),
           ("providers", 6), ("real", 1.5)]


# ------------------------------------------------------------------------------------------ rendering


def pick_sources(rng: random.Random, ent: Ent, k: int) -> list[str]:
    pool = list(GENERAL)
    if ent.jurisdiction in LOCAL_REGISTRY:
        pool.append(LOCAL_REGISTRY[ent.jurisdiction])
    elif ent.jurisdiction != "US":
        pool.append("local_registry")
    if ent.jurisdiction == "US" and ent.role in ("fund", "gp"):
        pool.append("form_d")
    if ent.role == "manager" and ent.country == "US":
        pool.append("form_adv")
    if "lei" in ent.ids:
        pool.append("gleif")
    if ent.role == "lp" and ent.jurisdiction == "US":
        pool.remove("fund_admin")
    weights = [SOURCES[s][0] * (2.0 if s in REGISTRIES else 1.0) for s in pool]
    out: list[str] = []
    for _ in range(min(k, len(pool))):
        s = rng.choices(pool, weights)[0]
        i = pool.index(s)
        pool.pop(i)
        weights.pop(i)
        out.append(s)
    return out


def typo(rng: random.Random, s: str) -> str:
    letters = [i for i, ch in enumerate(s) if ch.isalpha()]
    if len(letters) < 4:
        return s
    i = rng.choice(letters[1:])
    op = rng.random()
    if op < 0.3:
        return s[:i] + s[i + 1:]
    if op < 0.55 and i + 1 < len(s):
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op < 0.8:
        return s[:i] + s[i] + s[i:]
    near = {"a": "s", "e": "r", "i": "o", "o": "p", "n": "m", "m": "n", "r": "t", "s": "d", "t": "r", "l": "k", "u": "y"}
    return s[:i] + near.get(s[i].lower(), s[i]) + s[i + 1:]


def abbreviate(rng: random.Random, s: str) -> str:
    words = s.split(" ")
    cand = [i for i, w in enumerate(words) if w.strip(",") in ABBREV]
    for i in rng.sample(cand, min(len(cand), rng.choice([1, 1, 2]))):
        w = words[i]
        tail = "," if w.endswith(",") else ""
        words[i] = rng.choice(ABBREV[w.strip(",")]) + tail
    return " ".join(words)


def render_name(rng: random.Random, ent: Ent, source: str) -> str:
    _w, formal, upper, *_rest, width = SOURCES[source]
    registry = source in REGISTRIES
    if registry or rng.random() < formal * 0.5:
        core = ent.names[ent.reg]
    else:
        core = rng.choices(ent.names, ent.weights)[0]
    forms = LEGAL[ent.legal]
    if registry:
        tmpl = forms[0]
    elif rng.random() < formal:
        tmpl = forms[0] if rng.random() < 0.6 else rng.choice(forms)
    else:
        tmpl = forms[-1] if rng.random() < 0.5 else rng.choice(forms)
    # names that already carry a legal form ("... Co., Ltd.", "... PJSC") are not given a second one
    name = core if any(m in core for m in (" Ltd", "Inc.", " PJSC", "B.S.C.", " N.V.", " B.V.", " A/S", " S.A.", " LLC")) else tmpl.format(core)
    if not registry:
        name = mess(rng, ent, name, source)
    elif source in ("form_d", "form_adv") and rng.random() < 0.3:
        name = name.replace(",", "")
    if rng.random() < upper:
        name = name.upper()
    if source == "companies_house":
        name = name.upper()
    if width and len(name) > width:
        name = name[:width].rstrip()
    return name


def mess(rng: random.Random, ent: Ent, name: str, source: str) -> str:
    r = rng.random
    if " & " in name and r() < 0.3:
        name = name.replace(" & ", rng.choice([" and ", " + ", "&", " & "]))
    elif " and " in name and r() < 0.2:
        name = name.replace(" and ", rng.choice([" & ", " + "]))
    if r() < 0.12:
        name = abbreviate(rng, name)
    if r() < 0.1:
        name = name.replace(".", "").replace(",", "")
    if r() < 0.08:
        name = name.replace("'", "").replace("’", "")
    if name.startswith("The ") and r() < 0.4:
        name = name[4:]
    elif r() < 0.03:
        name = "The " + name
    if r() < 0.08:
        name = strip_accents(name)
    if ent.dept and source in ("salesforce", "dealcloud", "hubspot", "ilpa_template") and r() < 0.1:
        name += rng.choice(DEPARTMENTS)
    if ent.acr and r() < 0.05 and ent.acr not in name:
        name = f"{name} ({ent.acr})"
    if r() < SOURCES[source][7]:
        name = typo(rng, name)
    if r() < 0.03:
        name = name.lower()
    if r() < 0.03:
        name = name.replace(" ", "  ", 1) + rng.choice(["", " "])
    if source == "ilpa_template" and r() < 0.2:
        name = name.replace(", L.P.", " LP").replace(", LLC", " LLC")
    return name


def render_domain(rng: random.Random, ent: Ent, source: str):
    if ent.domain is None or rng.random() > SOURCES[source][3]:
        return rng.choice(MISSING)
    d = ent.old_domain if ent.old_domain and rng.random() < 0.3 else ent.domain
    r = rng.random()
    if r < 0.45:
        return d
    if r < 0.6:
        return "www." + d
    if r < 0.72:
        return "https://www." + d + rng.choice(["", "/"])
    if r < 0.8:
        return "http://" + d
    if r < 0.87:
        return rng.choice(["info@", "ir@", "contact@"]) + d
    if r < 0.93:
        return d.upper() if rng.random() < 0.3 else d.capitalize()
    return "https://" + d + rng.choice(["/about", "/en/", "/contact-us"])


def render_tax(rng: random.Random, ent: Ent, source: str):
    if not ent.ids or rng.random() > SOURCES[source][4]:
        return rng.choice(MISSING)
    if source == "gleif" and "lei" in ent.ids:
        return ent.ids["lei"]
    if source == "form_d":
        for s in ("formd", "cik"):
            if s in ent.ids:
                return fmt_id(rng, s, ent.ids[s])
    if source == "form_adv":
        for s in ("sec801", "cik"):
            if s in ent.ids:
                return fmt_id(rng, s, ent.ids[s])
    national = [s for s in ent.ids if s in ID_SCHEME.values()]
    if national and (source in REGISTRIES or rng.random() < 0.8):
        s = national[0]
    else:
        s = rng.choice(sorted(ent.ids))
    v = fmt_id(rng, s, ent.ids[s])
    if source not in REGISTRIES and rng.random() < 0.01:  # one mistyped digit
        i = rng.randrange(len(v))
        if v[i].isdigit():
            v = v[:i] + str((int(v[i]) + 1) % 10) + v[i + 1:]
    return v


def render_city(rng: random.Random, ent: Ent, source: str):
    if not ent.city or rng.random() > SOURCES[source][5]:
        return rng.choice(MISSING)
    city = ent.city
    # registers and GLEIF hold a vehicle's registered office; Form D its principal place of business (the manager)
    if source in REGISTRIES and source != "form_d" and ent.role in ("fund", "gp"):
        city = {"KY": "George Town", "LU": "Luxembourg", "US": "Wilmington"}.get(ent.jurisdiction, city)
    forms = CITY_FORMS.get(city, [city])
    return forms[0] if rng.random() < 0.6 else rng.choice(forms)


def render_country(rng: random.Random, ent: Ent, source: str):
    if rng.random() > SOURCES[source][6]:
        return rng.choice(MISSING)
    code = ent.jurisdiction if source in REGISTRIES else ent.country
    forms = COUNTRY_FORMS.get(code, [code])
    return forms[0] if rng.random() < 0.4 else rng.choice(forms)


def n_dups(rng: random.Random, ent: Ent) -> int:
    k = rng.choices([1, 2, 3, 4, 5], [28, 32, 21, 12, 7])[0]
    return min(k, ent.max_dups)


def generate(n: int, seed: int) -> pd.DataFrame:
    """``n`` organisation records (exactly), deterministic per ``seed``; truth in ``entity`` / ``family`` / ``role``."""
    rng = random.Random(seed)
    b = Builder(rng)
    names = [c for c, _ in CLASSES]
    weights = [w for _, w in CLASSES]
    rows: list[tuple] = []
    fam_no = ent_no = 0
    failures = dict.fromkeys(names, 0)
    while len(rows) < n:
        cls = rng.choices(names, weights)[0]
        ents = getattr(b, cls)()
        if not ents:
            failures[cls] += 1
            if failures[cls] > 50:  # the class's name space is used up
                i = names.index(cls)
                names.pop(i)
                weights.pop(i)
            continue
        fam_no += 1
        fam = f"F{fam_no:06d}"
        for ent in ents:
            ent_no += 1
            eid = f"E{ent_no:07d}"
            for src in pick_sources(rng, ent, n_dups(rng, ent)):
                row = (src, render_name(rng, ent, src), render_domain(rng, ent, src), render_tax(rng, ent, src),
                       render_city(rng, ent, src), render_country(rng, ent, src), eid, fam, ent.role)
                if not ent.real_twin:  # rendered all the same, so the draws of every later record stay as they were
                    rows.append(row)
    rows = rows[:n]
    order = list(range(len(rows)))
    rng.shuffle(order)
    df = pd.DataFrame([rows[i] for i in order], columns=COLUMNS[1:])
    df.insert(0, "record_id", [f"D3-{i:07d}" for i in range(len(df))])
    return df
