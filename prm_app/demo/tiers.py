"""Northwind's tier rules (in "suggest" mode, so the daily job leaves suggestions on the partner
cards rather than moving the demo's partners) and a certification ticked for Fabrikam."""

from decimal import Decimal

from sqlmodel import select

from ..models import (
    PartnerCertification,
    Partnership,
    TaxonomyTerm,
    TermKind,
    TierMode,
    TierRule,
)
from .context import Demo

RULES: dict[str, dict] = {
    "Gold": {"min_won_revenue": Decimal("100000"), "min_deals_won": 3, "min_certifications": 1},
    "Silver": {"min_deals_won": 1, "min_leads_accepted": 2},
}


def create_tier_rules(demo: Demo) -> None:
    northwind = demo.org_id("northwind")
    for name, rule in RULES.items():
        demo.add(
            TierRule(
                tier_id=demo.term("northwind", TermKind.PARTNER_TIER, name),
                org_id=northwind,
                mode=TierMode.SUGGEST,
                window_days=365,
                **rule,
            )
        )
    certification = demo.add(
        TaxonomyTerm(
            org_id=northwind,
            kind=TermKind.CERTIFICATION,
            name="Certified implementation consultant",
        )
    )
    demo.add(
        TaxonomyTerm(
            org_id=northwind, kind=TermKind.CERTIFICATION, name="Certified trainer", position=1
        )
    )
    fabrikam = demo.session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == northwind,
            Partnership.consultant_org_id == demo.org_id("fabrikam"),
        )
    ).one()
    assert fabrikam is not None and certification.id is not None
    demo.add(PartnerCertification(partnership_id=fabrikam, term_id=certification.id))
