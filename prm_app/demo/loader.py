"""Load the demo data once, and print its sign-ins."""

from sqlmodel import Session, select

from .. import routes
from ..models import (
    Notification,
    Role,
    TaxonomyTerm,
    TermKind,
    User,
)
from ..services.core.unit_of_work import unit_of_work
from .apply import create_program_pages
from .context import Demo
from .custom import create_custom_fields
from .funds import create_funds
from .library import create_library
from .onboard import create_onboarding
from .partners import create_org, create_partnerships
from .pipeline import create_consultant_leads, create_referrals, create_registrations
from .scorecard import create_registration_decisions
from .specs import MARKER_EMAIL, ORGS, PASSWORD, PRODUCTS, ROLES
from .tiers import create_tier_rules


def load(session: Session) -> bool:
    """Add the demo data to `session`; False, changing nothing, when it is already there."""
    if session.exec(select(User.id).where(User.email == MARKER_EMAIL)).first() is not None:
        return False
    demo = Demo(session)
    for spec in ORGS:
        create_org(demo, spec)
    for key, names in PRODUCTS.items():
        for position, name in enumerate(names):
            term = TaxonomyTerm(
                org_id=demo.org_id(key), kind=TermKind.PRODUCT, name=name, position=position
            )
            session.add(term)
    create_partnerships(demo)
    create_consultant_leads(demo)
    create_referrals(demo)
    create_registrations(demo)
    create_registration_decisions(demo)
    create_custom_fields(demo)
    create_program_pages(demo)
    create_onboarding(demo)
    create_tier_rules(demo)
    create_library(demo)
    create_funds(demo)
    _create_notifications(demo)
    session.flush()
    return True


def _create_notifications(demo: Demo) -> None:
    """A few notifications, read and unread, so the bell has something to show."""
    for key, role, kind, text, link, read in (
        (
            "northwind",
            Role.ADMIN,
            "lead_received",
            "Fabrikam Consulting sent you a lead: Coho Winery LLC.",
            routes.Provider.LEADS,
            False,
        ),
        (
            "fabrikam",
            Role.MEMBER,
            "lead_accepted",
            "Northwind Software accepted your lead Humongous Insurance.",
            routes.Consultant.LEADS,
            True,
        ),
        (
            "fabrikam",
            Role.ADMIN,
            "referral_received",
            "Northwind Software referred City Power & Light to you.",
            routes.Consultant.REFERRALS,
            False,
        ),
        (
            "tailspin",
            Role.MANAGER,
            "deal_won",
            "Closed Won: Trey Research finance suite with Northwind Software.",
            routes.Consultant.DEALS,
            False,
        ),
        (
            "adatum",
            Role.ADMIN,
            "partnership_invited",
            "Contoso HR Cloud invited Adatum Partners to partner with them.",
            routes.Consultant.PROVIDERS,
            False,
        ),
    ):
        demo.session.add(
            Notification(
                user_id=demo.user_id(key, role),
                org_id=demo.org_id(key),
                kind=kind,
                text=text,
                link=link,
                read_at=demo.ago(0.5) if read else None,
                created_at=demo.ago(1),
            )
        )


def sign_ins() -> list[tuple[str, str, str, str]]:
    """(email, role, organization, portal) of every demo user."""
    return [
        (spec.email(role), str(role), spec.name, f"{spec.kind} {routes.home_for(spec.kind)}")
        for spec in ORGS
        for role in ROLES
    ]


def format_sign_ins() -> str:
    """The demo sign-ins as a plain-text table, followed by the shared password."""
    rows = [("Email", "Role", "Organization", "Portal"), *sign_ins()]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*(line.rstrip() for line in lines), "", f"Password for all: {PASSWORD}"])


def main() -> None:
    """Load the demo data in one transaction and print the demo sign-ins."""
    with unit_of_work() as session:
        loaded = load(session)
    print("Demo data loaded." if loaded else "Demo data already loaded: nothing changed.")
    print(format_sign_ins())
