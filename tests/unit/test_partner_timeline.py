"""A partnership's page and timeline: either side, newest first, private categorization kept
private, people named only to their own organization."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import OrgKind, Partnership, Role, TaxonomyTerm, TermKind
from prm_app.services import partnerships
from prm_app.services.core.errors import NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.partnerships import timeline as partner_timeline
from tests.unit.factories import colleague, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_each_side_reads_the_relationship_newest_first(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)  # invited, accepted, categorized by the firm
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    tier = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == provider.org_id, TaxonomyTerm.kind == TermKind.PARTNER_TIER
        )
    ).first()
    partnerships.categorize_partner(
        session,
        actor=provider,
        partnership_id=partnership.id,
        partner_type_id=None,
        partner_status_id=None,
        partner_tier_id=tier,
        partner_group_id=None,
        partner_manager_id=None,
    )
    found = deal_changes.register(
        session,
        actor=consultant,
        other_org_id=provider.org_id,
        form={"name": "ERP rollout", "company": "Contoso", "amount": "10", "product_ids": []},
    )
    deal_changes.approve(session, actor=provider, deal_id=found.deal_id, version=1)
    session.flush()

    def story(actor):
        page = partner_timeline.partner_page(session, actor=actor, partnership_id=partnership.id)
        return page.other_name, [(e.who, e.text) for e in page.entries]

    assert story(provider) == (
        "Fabrikam",
        [
            ("Pia", "Approved the deal ERP rollout"),
            ("Fabrikam", "Registered the deal ERP rollout"),
            ("Pia", "Changed the categorization"),
            ("Fabrikam", "Accepted the invitation"),
            ("Pia", "Sent the invitation"),
        ],
    )
    assert story(consultant) == (
        "Northwind",
        [
            ("Northwind", "Approved the deal ERP rollout"),
            ("Carl", "Registered the deal ERP rollout"),
            ("Carl", "Changed the categorization"),
            ("Carl", "Accepted the invitation"),
            ("Northwind", "Sent the invitation"),
        ],
    )
    member = colleague(session, provider, role=Role.MEMBER)
    assert story(member)[0] == "Fabrikam"  # the directory is no secret inside the provider
    for outsider in (
        org_admin(session, kind=OrgKind.PROVIDER),
        org_admin(session, kind=OrgKind.CONSULTANT),
    ):
        with pytest.raises(NotFound):
            partner_timeline.partner_page(session, actor=outsider, partnership_id=partnership.id)
    for hostile in (0, -1, "1 or 1=1", None, [1], {"id": 1}, True, 2**70, "9" * 40):
        with pytest.raises(NotFound):
            partner_timeline.partner_page(session, actor=provider, partnership_id=hostile)
