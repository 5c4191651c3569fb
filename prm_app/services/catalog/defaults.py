"""What a new organization starts with: default terms, stages (providers) and settings."""

from sqlmodel import Session

from ...models import Organization, OrgKind, OrgSettings, Pipeline, Stage, TaxonomyTerm, TermKind

LOST_REASONS = ["No budget", "Chose a competitor", "No response", "Not a fit", "Bad timing"]


DEFAULT_TERMS: dict[str, dict[str, list[str]]] = {
    OrgKind.PROVIDER: {
        TermKind.PARTNER_STATUS: ["Beginner", "Intermediate", "Expert"],
        TermKind.PARTNER_TYPE: ["Reseller", "Implementation partner", "Referral partner"],
        TermKind.PARTNER_TIER: ["Gold", "Silver", "Bronze"],
        TermKind.LOST_REASON: LOST_REASONS,
    },
    OrgKind.CONSULTANT: {
        TermKind.PROVIDER_TYPE: ["ERP", "HRM", "Accounting", "CRM"],
        TermKind.PROFICIENCY: ["Beginner", "Intermediate", "Expert"],
    },
}


# (name, probability %, is_won, is_lost)
DEFAULT_STAGES: dict[str, list[tuple[str, int, bool, bool]]] = {
    Pipeline.LEAD: [
        ("New", 10, False, False),
        ("Contacted", 20, False, False),
        ("Qualified", 40, False, False),
    ],
    Pipeline.DEAL: [
        ("Qualification", 10, False, False),
        ("Discovery", 25, False, False),
        ("Proposal", 50, False, False),
        ("Negotiation", 75, False, False),
        ("Closed Won", 100, True, False),
        ("Closed Lost", 0, False, True),
    ],
}


def seed_defaults(session: Session, *, org: Organization) -> None:
    """Give a new organization its default terms, stages (providers) and settings."""
    for kind, names in DEFAULT_TERMS[org.kind].items():
        for position, name in enumerate(names):
            session.add(TaxonomyTerm(org_id=org.id, kind=kind, name=name, position=position))
    if org.kind == OrgKind.PROVIDER:
        for pipeline, stages in DEFAULT_STAGES.items():
            for position, (name, probability, won, lost) in enumerate(stages):
                session.add(
                    Stage(
                        org_id=org.id,
                        pipeline=pipeline,
                        name=name,
                        position=position,
                        probability=probability,
                        is_won=won,
                        is_lost=lost,
                    )
                )
    session.add(OrgSettings(org_id=org.id))
