"""Onboarding: Northwind's partner agreement (signed by Tailspin, waiting for Fabrikam) and its
onboarding checklist, so the onboarding pages and the partner cards have something to show."""

from sqlmodel import select

from ..models import Partnership
from ..services import onboarding
from .context import Demo

AGREEMENT = """Northwind Software partner agreement

1. The partner presents Northwind's products accurately and follows its brand guidelines.
2. Leads and deals are registered through the partner portal before any quote is sent.
3. Commissions follow the terms shown in the portal; payouts above the threshold are monthly.
4. Either side may end the partnership with 30 days' notice.
"""
STEPS = (
    ("agreement", "Sign the partner agreement", ""),
    ("profile", "Categorize Northwind under My providers", ""),
    ("link", "Watch the product tour", "https://northwind.example/partners/tour"),
    ("first_lead", "Submit a first lead", ""),
    ("manual", "Hold the kick-off call", ""),
)


def create_onboarding(demo: Demo) -> None:
    provider = demo.actor("northwind")
    onboarding.create(demo.session, actor=provider, title="Partner agreement", text=AGREEMENT)
    for kind, title, url in STEPS:
        onboarding.add_step(demo.session, actor=provider, kind=kind, title=title, url=url)
    tailspin = demo.actor("tailspin")
    partnership_id = demo.session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == provider.org_id,
            Partnership.consultant_org_id == tailspin.org_id,
        )
    ).one()
    [asked] = onboarding.asked_of(demo.session, actor=tailspin, partnership_id=partnership_id)
    onboarding.accept(
        demo.session,
        actor=tailspin,
        partnership_id=partnership_id,
        version_id=asked.version_id,
        typed_name=tailspin.name,
    )
