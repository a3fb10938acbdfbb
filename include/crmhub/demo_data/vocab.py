"""Word lists for the demo generator (invented names; any likeness is coincidental)."""

ORG_STEMS = [
    "Harbor", "Summit", "Granite", "Northwind", "Bluewater", "Cedar", "Atlas", "Meridian", "Oakmont", "Redwood",
    "Silverline", "Ironbridge", "Westbrook", "Lakeshore", "Pinecrest", "Stonegate", "Brightwater", "Highland",
    "Riverside", "Evergreen", "Crescent", "Falcon", "Beacon", "Keystone", "Sterling", "Windmere", "Copperfield",
    "Ashford", "Larkspur", "Thornbury", "Halcyon", "Juniper", "Marlowe", "Osprey", "Quarry", "Rowan", "Sable",
    "Tidewater", "Vantage", "Whitfield", "Alder", "Birchwood", "Clearwater", "Dunmore", "Elmstead", "Foxglove",
]
ORG_KINDS = {
    "lp": ["Capital", "Pension Fund", "Endowment", "Family Office", "Foundation", "Insurance", "Retirement System"],
    "gp": ["Capital Partners", "Equity Partners", "Growth Partners", "Investment Management"],
    "portfolio_company": ["Software", "Logistics", "Health", "Foods", "Robotics", "Analytics"],
    "advisor": ["Advisors", "Placement Partners", "Legal", "Consulting"],
}
LEGAL = {"lp": ["LP", "LLC", "", "Inc"], "gp": ["LP", "LLC", "Ltd"], "portfolio_company": ["Inc", "GmbH", "Ltd", "SA"],
         "advisor": ["LLC", "LLP", "plc", ""]}
LEGAL_VARIANTS = {
    "LP": ["LP", ", LP", "L.P.", ", L.P.", "lp"],
    "LLC": ["LLC", ", LLC", "L.L.C.", "llc"],
    "Inc": ["Inc", "Inc.", ", Inc.", "Incorporated"],
    "Ltd": ["Ltd", "Ltd.", "Limited"],
    "GmbH": ["GmbH", "Gmbh"],
    "SA": ["SA", "S.A."],
    "LLP": ["LLP", "L.L.P."],
    "plc": ["plc", "PLC"],
}
ABBREVIATIONS = {"Capital": "Cap.", "Management": "Mgmt", "International": "Intl", "Partners": "Ptnrs"}
FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
    "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy",
    "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Paul", "Sandra", "Steven", "Ashley", "Andrew",
    "Kimberly", "Kenneth", "Emily", "Joshua", "Donna", "Kevin", "Michelle", "Brian", "Carol", "George", "Amanda",
    "Aiko", "Rahul", "Sofia", "Lars", "Chen", "Fatima", "Mateo", "Ingrid", "Kwame", "Yara", "Noah", "Elena",
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Tanaka", "Okafor", "Lindqvist", "Schneider", "Rossi", "Dubois", "Kowalski", "Haddad", "Petrov", "Silva",
]
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Richard": "Dick", "Elizabeth": "Liz", "Michael": "Mike",
             "Jennifer": "Jen", "Thomas": "Tom", "Joseph": "Joe", "Margaret": "Peggy", "Daniel": "Dan"}
CITIES = [("New York", "US"), ("Boston", "US"), ("San Francisco", "US"), ("Chicago", "US"), ("London", "GB"),
          ("Zurich", "CH"), ("Frankfurt", "DE"), ("Paris", "FR"), ("Singapore", "SG"), ("Toronto", "CA"),
          ("Stockholm", "SE"), ("Tokyo", "JP"), ("Dubai", "AE"), ("Sydney", "AU")]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com"]
TITLES = ["Managing Director", "Partner", "Principal", "Investment Officer", "CIO", "Portfolio Manager",
          "Head of Private Markets", "Analyst", "Associate", "General Counsel", "CFO"]
FUNDS = [("Crmhub Growth Fund II", 2019), ("Crmhub Growth Fund III", 2022), ("Crmhub Buyout Fund IV", 2023),
         ("Crmhub Credit Opportunities I", 2021)]
EVENT_TYPES = ["portal_login", "report_download", "email_open", "email_click", "webinar"]
INVOICE_STATUSES = ["draft", "sent", "paid", "overdue", "void"]
