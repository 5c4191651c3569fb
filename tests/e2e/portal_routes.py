"""Every page of the app, as the right person sees it: read from the running app's own page
registry, so a page added to prm_app.py is visited by the phone-width and accessibility tests
without anyone remembering to list it.

- /c/... pages: a consultant admin (Fabrikam); /p/... pages: a provider admin (Northwind);
- any other page that sends an anonymous visitor to sign-in: both of them;
- the rest (sign-in, sign-up, password reset, ...): an anonymous visitor;
- plus the provider's public web-to-lead form and its partner program's pages (the demo has
  Northwind's on), which the backend serves.

A dynamic segment (`[deal_id]`) is filled from the demo data with a record the visitor may see
(for a deal: the one with the longest contact email, the case that used to overlap the amount).
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func
from sqlmodel import Session, col, select

from prm_app import routes
from prm_app.models import (
    Deal,
    Lead,
    LeadForm,
    LeadRecipient,
    LocatorListing,
    Organization,
    Partnership,
    PayoutRequest,
    User,
)
from prm_app.services.leads import forms as lead_forms
from tests.e2e.test_sign_in import sign_in

CONSULTANT = "admin@fabrikam.example"
PROVIDER = "admin@northwind.example"
ANONYMOUS = ""
# Asks for the seeded redemptions: not Fabrikam, whose balances other tests count on.
REQUESTER = "admin@tailspin.example"
WHO = {
    CONSULTANT: "Fabrikam Consulting",
    PROVIDER: "Northwind Software",
    REQUESTER: "Tailspin Advisors",
}
TO_PARTNER, TO_PROVIDER = "provider_to_partner", "partner_to_provider"
DEMO_PROGRAM = "northwind"  # the slug of the demo provider's program pages (prm_app/demo/apply.py)


@dataclass(frozen=True)
class Visit:
    who: str  # an email, or ANONYMOUS
    route: str  # as registered, e.g. /c/deals/[deal_id]
    path: str  # what the browser opens (a full URL for pages the backend serves)

    @property
    def label(self) -> str:
        return f"{self.path} ({self.who or 'anonymous'})"


def registered_routes(harness) -> list[str]:
    """The routes of every page the app registers, as /paths."""
    pages = harness.app_instance._unevaluated_pages
    return sorted("/" if r == "index" else f"/{r}" for r in pages)


def _org_id(session: Session, who: str) -> int:
    return session.exec(select(Organization.id).where(Organization.name == WHO[who])).one()


def _lead_sent(direction: str, who: str) -> Callable[[Session], int | None]:
    def pick(session: Session) -> int | None:
        return session.exec(
            select(Lead.id)
            .where(Lead.origin_org_id == _org_id(session, who), Lead.direction == direction)
            .order_by(Lead.id)
        ).first()

    return pick


def _lead_received(direction: str, who: str) -> Callable[[Session], int | None]:
    def pick(session: Session) -> int | None:
        return session.exec(
            select(LeadRecipient.lead_id)
            .join(Lead, Lead.id == LeadRecipient.lead_id)
            .where(LeadRecipient.org_id == _org_id(session, who), Lead.direction == direction)
            .order_by(LeadRecipient.id)
        ).first()

    return pick


def _deal(side: str, who: str) -> Callable[[Session], int | None]:
    def pick(session: Session) -> int | None:
        column = Deal.provider_org_id if side == "provider" else Deal.partner_org_id
        return session.exec(
            select(Deal.id)
            .where(column == _org_id(session, who))
            .order_by(func.length(Deal.contact_email).desc(), Deal.id)
        ).first()

    return pick


def _partnership(side: str, who: str) -> Callable[[Session], int | None]:
    def pick(session: Session) -> int | None:
        column = (
            Partnership.provider_org_id if side == "provider" else Partnership.consultant_org_id
        )
        return session.exec(
            select(Partnership.id)
            .where(column == _org_id(session, who), Partnership.status == "active")
            .order_by(Partnership.id)
        ).first()

    return pick


# One record per dynamic route. A new dynamic route fails the tests until it is given one here.
RECORDS: dict[str, Callable[[Session], int | None]] = {
    routes.Consultant.LEAD: _lead_sent(TO_PROVIDER, CONSULTANT),
    routes.Consultant.REFERRAL: _lead_received(TO_PARTNER, CONSULTANT),
    routes.Consultant.DEAL: _deal("partner", CONSULTANT),
    routes.Consultant.PROVIDER: _partnership("consultant", CONSULTANT),
    routes.Provider.LEAD: _lead_received(TO_PROVIDER, PROVIDER),
    routes.Provider.REFERRAL: _lead_sent(TO_PARTNER, PROVIDER),
    routes.Provider.DEAL: _deal("provider", PROVIDER),
    routes.Provider.PARTNER: _partnership("provider", PROVIDER),
}


def path_of(route: str, db) -> str:
    """The route with its dynamic segment filled with a record the visitor may see."""
    if "[" not in route:
        return route
    assert route in RECORDS, f"{route}: add the record to visit to RECORDS in {__name__}"
    with Session(db) as session:
        record = RECORDS[route](session)
    assert record is not None, f"{route}: the demo data has no record for it"
    return re.sub(r"\[[a-z_]+\]", str(record), route)


def public_form_url(db) -> str:
    """The provider's public web-to-lead form (one is added when the demo has none)."""
    with Session(db) as session:
        form = session.exec(select(LeadForm).where(LeadForm.is_active)).first()
        if form is None:
            provider = _org_id(session, PROVIDER)
            owner = session.exec(select(User.id).where(User.email == PROVIDER)).one()
            form = LeadForm(
                org_id=provider,
                owner_id=owner,
                name="Contact our sales team",
                public_token=secrets.token_urlsafe(24),
                fields=list(lead_forms.OPTIONAL_FIELDS),
                routing="partner",
                partner_org_id=_org_id(session, CONSULTANT),
            )
            session.add(form)
            session.commit()
        return routes.file_url(routes.lead_form(form.public_token))


def seed_requests(db) -> list[int]:
    """Two redemption requests from a partner awaiting the provider (the demo has none), so that
    the provider's commissions page shows their rows and decisions."""
    with Session(db) as session:
        provider, partner = _org_id(session, PROVIDER), _org_id(session, REQUESTER)
        waiting = session.exec(
            select(PayoutRequest.id).where(
                PayoutRequest.provider_org_id == provider,
                PayoutRequest.partner_org_id == partner,
                PayoutRequest.status == "requested",
            )
        ).all()
        by = session.exec(select(User.id).where(User.email == REQUESTER)).one()
        for amount in [250, 400][len(waiting) :]:
            session.add(
                PayoutRequest(
                    provider_org_id=provider,
                    partner_org_id=partner,
                    kind="cash",
                    method="paypal",
                    amount=amount,
                    requested_by_id=by,
                )
            )
        session.commit()
        return list(
            session.exec(
                select(PayoutRequest.id).where(
                    PayoutRequest.provider_org_id == provider,
                    PayoutRequest.partner_org_id == partner,
                    PayoutRequest.status == "requested",
                )
            ).all()
        )


def _needs_sign_in(page: Page, path: str) -> bool:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return bool(re.search(r"/login/?(\?.*)?$", page.url)) and path != routes.LOGIN


def visits(harness, db, browser: Browser, base_url: str) -> list[Visit]:
    """Every page of both portals and the public ones, each with who should look at it."""
    seed_requests(db)
    found: list[Visit] = []
    probe = browser.new_context(base_url=base_url).new_page()  # anonymous
    for route in registered_routes(harness):
        path = path_of(route, db)
        if route.startswith("/c/"):
            found.append(Visit(CONSULTANT, route, path))
        elif route.startswith("/p/"):
            found.append(Visit(PROVIDER, route, path))
        elif _needs_sign_in(probe, path):
            found += [Visit(CONSULTANT, route, path), Visit(PROVIDER, route, path)]
        else:
            found.append(Visit(ANONYMOUS, route, path))
    probe.context.close()
    found.append(Visit(ANONYMOUS, routes.LEAD_FORM, public_form_url(db)))
    found += [
        Visit(ANONYMOUS, route, routes.file_url(path))
        for route, path in (
            (routes.APPLY, routes.apply(DEMO_PROGRAM)),
            (routes.LOCATOR, routes.locator(DEMO_PROGRAM)),
            (routes.LOCATOR_CONTACT, locator_contact_path(db)),
        )
    ]
    return found


def locator_contact_path(db) -> str:
    """The contact page of the first partner on the demo provider's locator."""
    with Session(db) as session:
        listing = session.exec(
            select(LocatorListing.id)
            .where(col(LocatorListing.published).is_(True))
            .order_by(LocatorListing.id)
        ).first()
    assert listing is not None, "the demo has no partner on a locator"
    return routes.locator_contact(DEMO_PROGRAM, listing)


def signed_in_pages(browser: Browser, base_url: str, viewport: dict) -> dict[str, Page]:
    """One tab per visitor, signed in once (anonymous has no session)."""
    tabs: dict[str, Page] = {}
    for who in (ANONYMOUS, CONSULTANT, PROVIDER):
        page = browser.new_context(base_url=base_url, viewport=viewport).new_page()
        if who:
            sign_in(page, who)
        tabs[who] = page
    return tabs


def open_page(page: Page, visit: Visit) -> None:
    """Open the page and wait until its on_load handlers have filled it."""
    page.goto(visit.path)
    if visit.who:
        # The shell marks its main region busy until the page's data has arrived.
        expect(page.get_by_role("main")).to_have_attribute("aria-busy", "false")
    page.wait_for_load_state("networkidle")


@dataclass(frozen=True)
class AxeFinding:
    """One axe-core rule violated on one page (printed at the end of the run)."""

    where: str
    rule: str
    impact: str  # critical, serious, moderate, minor
    elements: int


# Filled by test_accessibility, read by the summary at the end of the run (tests/e2e/conftest.py).
AXE_PAGES: list[str] = []  # every page view axe checked
AXE_FINDINGS: list[AxeFinding] = []
