"""The demo's organizations, people, products and customers."""

from dataclasses import dataclass

from ..models import (
    OrgKind,
    Role,
)

PASSWORD = "demo-password"


MARKER_EMAIL = "admin@northwind.example"


ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)


@dataclass(frozen=True, slots=True)
class OrgSpec:
    key: str  # short name, also the email domain: admin@<key>.example
    name: str
    kind: OrgKind
    people: tuple[str, str, str]  # admin, manager, member

    def email(self, role: str) -> str:
        return f"{role}@{self.key}.example"


@dataclass(frozen=True, slots=True)
class Customer:
    company: str
    contact: str  # "First Last"
    email: str
    title: str = ""


ORGS = (
    OrgSpec(
        "northwind",
        "Northwind Software",
        OrgKind.PROVIDER,
        ("Nancy Davolio", "Andrew Fuller", "Janet Leverling"),
    ),
    OrgSpec(
        "contoso", "Contoso HR Cloud", OrgKind.PROVIDER, ("Megan Bowen", "Adele Vance", "Lee Gu")
    ),
    OrgSpec(
        "fabrikam",
        "Fabrikam Consulting",
        OrgKind.CONSULTANT,
        ("Diego Siciliani", "Isaiah Langer", "Johanna Lorenz"),
    ),
    OrgSpec(
        "tailspin",
        "Tailspin Advisors",
        OrgKind.CONSULTANT,
        ("Lidia Holloway", "Grady Archie", "Pradeep Gupta"),
    ),
    OrgSpec(
        "adatum",
        "Adatum Partners",
        OrgKind.CONSULTANT,
        ("Alex Wilber", "Lynne Robbins", "Joni Sherman"),
    ),
)


PRODUCTS = {
    "northwind": ("Northwind ERP Cloud", "Northwind Finance"),
    "contoso": ("Contoso Payroll", "Contoso Talent"),
}


CUSTOMERS = {
    c.company: c
    for c in (
        Customer("Wingtip Toys", "Kim Abercrombie", "kim.abercrombie@wingtiptoys.example", "COO"),
        Customer("Proseware, Inc.", "Ben Miller", "ben@proseware.example"),
        Customer("Coho Winery LLC", "Dan Park", "dan.park@cohowinery.example", "Finance Director"),
        Customer("Fourth Coffee", "Sara Davis", "sara.davis@fourthcoffee.example", "CFO"),
        Customer("Humongous Insurance", "Eric Gruber", "eric@humongousinsurance.example", "CIO"),
        Customer("Lucerne Publishing", "Laura Norman", "laura@lucernepublishing.example", "CHRO"),
        Customer("Wide World Importers", "Anna Lidman", "anna@wideworldimporters.example", "CEO"),
        Customer("Southridge Video", "Tom Higgins", "tom@southridgevideo.example", "Controller"),
        Customer("Margie's Travel", "Margie Shoop", "margie@margiestravel.example", "Owner"),
        Customer("Globex Corporation", "Hank Scorpio", "hank@globex.example", "CEO"),
        Customer("Trey Research Ltd.", "Chris Preston", "chris@treyresearch.example", "CFO"),
        Customer("Graphic Design Institute", "Jo Brown", "jo.brown@gdi.example", "Dean"),
        Customer("School of Fine Art", "Lola Jacobsen", "lola@fineartschool.example", "Bursar"),
        Customer("City Power & Light", "Ray Chow", "ray.chow@cpandl.example", "IT Manager"),
        Customer("VanArsdel Ltd.", "Ivan Petrov", "ivan@vanarsdel.example", "CFO"),
        Customer("Blue Yonder Airlines, Inc.", "Amy Rusko", "amy@blueyonder.example", "VP Finance"),
        Customer("Adventure Works Cycles", "Rob Walters", "rob@adventure-works.example", "CEO"),
        Customer("Bellows College", "Ellen Adams", "ellen@bellowscollege.example", "HR Director"),
        Customer("Alpine Ski House", "Marc Faeber", "marc@alpineskihouse.example", "Owner"),
        Customer("Tailwind Traders", "Nina Kovac", "nina@tailwindtraders.example", "CHRO"),
        Customer("Nod Publishers", "Oscar Ward", "oscar@nodpublishers.example", "COO"),
        Customer("Globex Corp.", "Mindy Simmons", "mindy@globex.example", "Controller"),
        Customer("Woodgrove Bank", "Paul West", "paul.west@woodgrovebank.example", "CHRO"),
    )
}
