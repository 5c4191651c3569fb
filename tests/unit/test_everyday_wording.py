"""The small things of issue 23 that a person reads: one full stop, counts that agree, amounts
with their currency and separators."""

import pytest
from sqlmodel import select

from prm_app.services.notifications.delivery import sentence
from prm_app.state import view
from tests.unit.test_notifications import World, _base_url, _cheap_password_hashing  # noqa: F401


def test_a_name_ending_with_a_full_stop_gets_no_second_one(session):
    world = World(session)
    world.submit(company="Litware Inc.")
    assert world.texts("lead_received") == {"Fabrikam sent you a lead: Litware Inc."}


def test_one_full_stop_and_an_ellipsis_kept():
    assert sentence("Sent: Litware Inc..") == "Sent: Litware Inc."
    assert sentence("Lost: we will see....") == "Lost: we will see..."
    assert sentence("Lost: we will see...") == "Lost: we will see..."
    assert sentence("Accepted.") == "Accepted."


def test_counts_agree_with_their_number():
    assert view.count(1, "row") == "1 row"
    assert view.count(2, "row") == "2 rows"
    assert view.count(12500, "lead") == "12,500 leads"
    assert view.count(0, "valid row") == "0 valid rows"


def test_a_new_tier_goes_where_the_admin_says_in_a_highest_first_list(session):
    from prm_app.models import OrgKind
    from prm_app.services import catalog
    from prm_app.services.core.errors import Invalid
    from tests.unit.factories import org_admin

    provider = org_admin(session, kind=OrgKind.PROVIDER)
    before = [t.name for t in catalog.terms(session, actor=provider, kind="partner_tier")]
    catalog.add_term(session, actor=provider, kind="partner_tier", name="Diamond", place="top")
    catalog.add_term(session, actor=provider, kind="partner_tier", name="Tin")
    after = [t.name for t in catalog.terms(session, actor=provider, kind="partner_tier")]
    assert after == ["Diamond", *before, "Tin"]
    with pytest.raises(Invalid):
        catalog.add_term(session, actor=provider, kind="partner_tier", name="X", place="middle")


def test_dashboard_figures_have_thousands_separators():
    from prm_app.state.dashboards import figures

    assert figures([{"stage": "Proposal", "value": 150000.0, "deals": 1250}]) == [
        {
            "stage": "Proposal",
            "value": 150000.0,
            "deals": 1250,
            "value_text": "150,000.00",
            "deals_text": "1,250",
        }
    ]


def test_a_deadline_in_hours_shows_its_time_and_the_hours_left():
    from datetime import UTC, datetime

    now = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)
    assert view.deadline(datetime(2026, 12, 6, 15, 0), now) == "2026-12-06 15:00 UTC (23 h left)"
    assert view.deadline(datetime(2026, 12, 5, 16, 0), now) == (
        "2026-12-05 16:00 UTC (less than 1 h left)"
    )
    assert view.deadline(datetime(2026, 12, 5, 15, 0), now) == "2026-12-05 15:00 UTC (passed)"
    assert view.deadline(None, now) == ""


def test_a_registered_deal_gets_a_provider_side_owner(session):
    """The partnership's partner manager when it has one; otherwise whoever approves it."""
    from prm_app.models import Partnership, Role
    from prm_app.services.deals import lifecycle as deal_changes
    from tests.unit.factories import colleague
    from tests.unit.test_deal_changes import _registered, _setup

    provider, consultant = _setup(session)
    approver = colleague(session, provider, role=Role.MANAGER, name="Ann Approver")
    deal = _registered(session, consultant, provider)
    assert deal.provider_owner_id is None  # the partnership has no partner manager
    deal_changes.approve(session, actor=approver, deal_id=deal.id, version=deal.version)
    assert deal.provider_owner_id == approver.user_id

    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    partnership.partner_manager_id = provider.user_id
    session.add(partnership)
    second = _registered(session, consultant, provider, name="Second", company="Other Co")
    deal_changes.approve(session, actor=approver, deal_id=second.id, version=second.version)
    assert second.provider_owner_id == provider.user_id  # the partner manager, kept
