"""deals.won_stage_ids: the stages the deal page asks about before moving (Closed Won is
final), for a deal the caller sees; nothing of a deal they do not see."""

import pytest

from prm_app.models import Deal, OrgKind
from prm_app.services import deals
from prm_app.services.core.errors import NotFound
from tests.unit.factories import deal_stage, org_admin, partners


def test_the_won_stages_of_the_deals_provider_for_either_side(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    stranger = org_admin(session, kind=OrgKind.PROVIDER)
    partners(session, provider, consultant)
    deal = Deal(
        provider_org_id=provider.org_id,
        partner_org_id=consultant.org_id,
        registered_by_id=consultant.user_id,
        name="Acme deal",
        company="Acme",
    )
    session.add(deal)
    session.flush()

    won = [deal_stage(session, provider, "Closed Won")]
    assert deals.won_stage_ids(session, actor=provider, deal_id=deal.id) == won
    assert deals.won_stage_ids(session, actor=consultant, deal_id=deal.id) == won
    with pytest.raises(NotFound):
        deals.won_stage_ids(session, actor=stranger, deal_id=deal.id)
