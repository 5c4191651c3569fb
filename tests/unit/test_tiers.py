"""Tier rules (issue 25): each criterion over its window with a frozen clock, promotion,
demotion, suggestions, overrides kept until cleared, the history's figures, the tier's
commission, progress towards the next tier, and the daily job's claim."""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from prm_app.models import (
    Approval,
    Deal,
    JobRun,
    Lead,
    LeadDirection,
    LeadRecipient,
    Notification,
    OrgKind,
    Outcome,
    Partnership,
    RecipientStatus,
    Role,
    TaxonomyTerm,
    TermKind,
    TierChange,
)
from prm_app.services import catalog, ledger, partnerships, tiers
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.ledger.terms import terms_of
from prm_app.services.tiers.figures import figures
from tests.unit.factories import colleague, org_admin, partners

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _setup(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)
    partnership = session.exec(
        select(Partnership).where(Partnership.consultant_org_id == consultant.org_id)
    ).one()
    return provider, consultant, partnership


def _tier(session, provider, name) -> int:
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == provider.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            TaxonomyTerm.name == name,
        )
    ).one()


def _rule(session, provider, name, mode="automatic", days=90, commission="", **minimums):
    form = {
        "commission_pct": commission,
        "mode": mode,
        "window_days": str(days),
        **{f"min_{k}": v for k, v in minimums.items()},
    }
    return tiers.save_rule(
        session, actor=provider, tier_id=_tier(session, provider, name), form=form
    )


def _won(session, provider, consultant, *, amount="1000", at=NOW, currency="USD"):
    session.add(
        Deal(
            provider_org_id=provider.org_id,
            partner_org_id=consultant.org_id,
            registered_by_id=consultant.user_id,
            name="Contoso ERP",
            company="Contoso",
            amount=Decimal(amount),
            currency=currency,
            approval=Approval.APPROVED,
            approved_at=at,
            outcome=Outcome.WON,
            closed_at=at,
        )
    )
    session.flush()


def _accepted_lead(session, provider, consultant, *, at=NOW, status=RecipientStatus.ACCEPTED):
    lead = Lead(
        direction=LeadDirection.PARTNER_TO_PROVIDER,
        origin_org_id=consultant.org_id,
        owner_id=consultant.user_id,
        created_by_id=consultant.user_id,
        status="submitted",
        first_name="Jane",
        last_name="Doe",
        email="jane@contoso.com",
        company="Contoso",
    )
    session.add(lead)
    session.flush()
    session.add(
        LeadRecipient(lead_id=lead.id, org_id=provider.org_id, status=status, responded_at=at)
    )
    session.flush()


def _figures(session, provider, consultant, days=90, now=NOW):
    return figures(session, provider.org_id, [consultant.org_id], window_days=days, now=now)[
        consultant.org_id
    ]


def _certification(session, provider, name="Certified consultant") -> int:
    return catalog.add_term(session, actor=provider, kind="certification", name=name).id


def _tier_of(session, partnership) -> int | None:
    session.refresh(partnership)
    return partnership.partner_tier_id


# --- each criterion over the window: (now - days, now] ---


def test_won_revenue_and_deals_won_count_deals_won_inside_the_window(session):
    provider, consultant, _ = _setup(session)
    _won(session, provider, consultant, amount="1000", at=NOW - timedelta(days=90))  # edge: out
    _won(session, provider, consultant, amount="2000", at=NOW - timedelta(days=90, seconds=-1))
    _won(session, provider, consultant, amount="3000", at=NOW)  # edge: in
    _won(session, provider, consultant, amount="4000", at=NOW + timedelta(seconds=1))  # future
    _won(session, provider, consultant, amount="9000", at=NOW, currency="EUR")  # other currency
    found = _figures(session, provider, consultant)
    assert found["won_revenue"] == Decimal("5000.00")
    assert found["deals_won"] == 3  # every won deal counts, whatever its currency


def test_registrations_count_deals_approved_inside_the_window(session):
    provider, consultant, _ = _setup(session)
    _won(session, provider, consultant, at=NOW - timedelta(days=30))
    session.add(
        Deal(
            provider_org_id=provider.org_id,
            partner_org_id=consultant.org_id,
            registered_by_id=consultant.user_id,
            name="Pending",
            company="Tailwind",
            approval=Approval.PENDING,
        )
    )
    session.flush()
    assert _figures(session, provider, consultant, days=31)["registrations"] == 1
    assert _figures(session, provider, consultant, days=30)["registrations"] == 0


def test_leads_accepted_count_the_partners_leads_the_provider_accepted(session):
    provider, consultant, _ = _setup(session)
    _accepted_lead(session, provider, consultant, at=NOW - timedelta(days=10))
    _accepted_lead(session, provider, consultant, status=RecipientStatus.CONVERTED)
    _accepted_lead(session, provider, consultant, status=RecipientStatus.REJECTED)
    _accepted_lead(session, provider, consultant, at=NOW - timedelta(days=100))
    assert _figures(session, provider, consultant)["leads_accepted"] == 2


def test_certifications_count_the_active_ones_ticked(session):
    provider, consultant, partnership = _setup(session)
    first, second = _certification(session, provider), _certification(session, provider, "Expert")
    for term_id in (first, second):
        tiers.set_certification(
            session, actor=provider, partnership_id=partnership.id, term_id=term_id, ticked=True
        )
    assert _figures(session, provider, consultant)["certifications"] == 2
    catalog.remove_term(session, actor=provider, term_id=second)  # in use: archived
    assert _figures(session, provider, consultant)["certifications"] == 1
    tiers.set_certification(
        session, actor=provider, partnership_id=partnership.id, term_id=first, ticked=False
    )
    assert _figures(session, provider, consultant)["certifications"] == 0


def test_another_providers_certification_cannot_be_ticked(session):
    provider, _, partnership = _setup(session)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    term_id = _certification(session, other)
    with pytest.raises(NotFound):
        tiers.set_certification(
            session, actor=provider, partnership_id=partnership.id, term_id=term_id, ticked=True
        )


# --- promotion, demotion, suggestion, override ---


def test_a_partner_is_promoted_to_the_highest_tier_it_qualifies_for(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", won_revenue="10000", deals_won="2")
    _rule(session, provider, "Silver", won_revenue="5000")
    _won(session, provider, consultant, amount="6000", at=NOW - timedelta(days=1))
    result = tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert result == tiers.Recomputed(changed=1, suggested=0)
    assert _tier_of(session, partnership) == _tier(session, provider, "Silver")
    _won(session, provider, consultant, amount="5000", at=NOW - timedelta(days=1))
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")
    card = tiers.tier_card(session, actor=provider, partnership_id=partnership.id)
    assert [(h.from_tier, h.to_tier) for h in card.history] == [
        ("Silver", "Gold"),
        ("No tier", "Silver"),
    ]
    assert card.history[0].who == "Automatically"
    assert "Won revenue USD 11,000.00" in card.history[0].figures
    assert "Deals won 2" in card.history[0].figures
    change = session.exec(select(TierChange).order_by(TierChange.id.desc())).first()
    assert change.figures["won_revenue"] == "11000.00" and change.figures["window_days"] == 90
    note = session.exec(select(Notification).where(Notification.user_id == consultant.user_id))
    assert "You are now a Gold partner of Northwind." in [n.text for n in note]


def test_a_partner_is_demoted_when_its_figures_leave_the_window(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", won_revenue="5000")
    _won(session, provider, consultant, amount="6000", at=NOW - timedelta(days=80))
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")
    later = NOW + timedelta(days=10)
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=later)
    assert _tier_of(session, partnership) is None
    texts = [n.text for n in session.exec(select(Notification))]
    assert "You are no longer a Gold partner of Northwind." in texts


def test_suggest_mode_leaves_a_suggestion_the_provider_accepts(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", mode="suggest", deals_won="1")
    _won(session, provider, consultant)
    result = tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert result == tiers.Recomputed(changed=0, suggested=1)
    assert _tier_of(session, partnership) is None
    card = tiers.tier_card(session, actor=provider, partnership_id=partnership.id)
    assert card.suggestion == "Gold" and "Deals won 1" in card.suggestion_figures
    # Made once: the next recompute does not suggest it again.
    again = tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert again.suggested == 0
    tiers.accept_suggestion(session, actor=provider, partnership_id=partnership.id)
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")
    card = tiers.tier_card(session, actor=provider, partnership_id=partnership.id)
    assert card.suggestion == ""
    assert card.history[0].cause == "Suggested by the tier rules and accepted"
    assert card.history[0].who == "Pia" and "Deals won 1" in card.history[0].figures


def test_a_dismissed_suggestion_is_not_made_again(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", mode="suggest", deals_won="1")
    _won(session, provider, consultant)
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    tiers.dismiss_suggestion(session, actor=provider, partnership_id=partnership.id)
    result = tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert result.suggested == 0
    with pytest.raises(Invalid):
        tiers.accept_suggestion(session, actor=provider, partnership_id=partnership.id)


def test_an_override_sticks_until_cleared(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", deals_won="1")
    _won(session, provider, consultant)
    bronze = _tier(session, provider, "Bronze")
    tiers.set_tier(session, actor=provider, partnership_id=partnership.id, tier_id=bronze)
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == bronze
    card = tiers.tier_card(session, actor=provider, partnership_id=partnership.id)
    assert card.overridden and card.history[0].cause.startswith("Set by hand")
    tiers.clear_override(session, actor=provider, partnership_id=partnership.id)
    assert _tier_of(session, partnership) == bronze  # the next recompute decides
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")
    causes = [
        h.cause
        for h in tiers.tier_card(session, actor=provider, partnership_id=partnership.id).history
    ]
    assert causes == [
        "Automatically, by the tier rules",
        "Override cleared: the next recompute decides",
        "Set by hand (kept until cleared)",
    ]
    with pytest.raises(Invalid):
        tiers.clear_override(session, actor=provider, partnership_id=partnership.id)


def test_only_managers_set_tiers_and_only_admins_set_rules(session):
    provider, _, partnership = _setup(session)
    member = colleague(session, provider, role=Role.MEMBER)
    manager = colleague(session, provider, role=Role.MANAGER)
    gold = _tier(session, provider, "Gold")
    with pytest.raises(NotAllowed):
        tiers.set_tier(session, actor=member, partnership_id=partnership.id, tier_id=gold)
    tiers.set_tier(session, actor=manager, partnership_id=partnership.id, tier_id=gold)
    with pytest.raises(NotAllowed):
        _rule(session, manager, "Gold", deals_won="1")
    with pytest.raises(NotAllowed):
        tiers.recompute_now(session, actor=manager)
    assert tiers.tier_rules(session, actor=member)[0].tier_name == "Gold"


def test_another_providers_tier_or_partnership_is_not_found(session):
    provider, _, partnership = _setup(session)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):
        tiers.set_tier(
            session,
            actor=provider,
            partnership_id=partnership.id,
            tier_id=_tier(session, other, "Gold"),
        )
    with pytest.raises(NotFound):
        tiers.set_tier(session, actor=other, partnership_id=partnership.id, tier_id="")
    with pytest.raises(NotFound):
        tiers.tier_card(session, actor=other, partnership_id=partnership.id)
    with pytest.raises(NotFound):
        tiers.save_rule(session, actor=other, tier_id=_tier(session, provider, "Gold"), form={})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("window_days", "0"),
        ("window_days", "abc"),
        ("min_deals_won", "-1"),
        ("min_deals_won", "1.5"),
        ("min_won_revenue", "x"),
        ("commission_pct", "101"),
        ("mode", "sometimes"),
    ],
)
def test_a_rule_refuses_bad_values(session, field, value):
    provider, _, _ = _setup(session)
    form = {"mode": "automatic", "window_days": "90", field: value}
    with pytest.raises(Invalid) as refused:
        tiers.save_rule(
            session, actor=provider, tier_id=_tier(session, provider, "Gold"), form=form
        )
    assert refused.value.field == field


# --- commission, progress, the daily job ---


def test_the_tiers_commission_applies_when_the_partnership_has_no_terms(session):
    provider, consultant, partnership = _setup(session)
    gold = _tier(session, provider, "Gold")
    _rule(session, provider, "Gold", commission="15")
    assert terms_of(session, provider.org_id, consultant.org_id).value == Decimal("10")
    tiers.set_tier(session, actor=provider, partnership_id=partnership.id, tier_id=gold)
    terms = terms_of(session, provider.org_id, consultant.org_id)
    assert terms.value == Decimal("15")
    assert terms.describe("USD") == "15% of the deal amount (the Gold tier's rate)"
    (listed,) = ledger.partner_terms(session, actor=provider)
    assert listed.kind == "default" and "Gold tier" in listed.description
    ledger.set_terms(
        session, actor=provider, partnership_id=partnership.id, kind="percent", value="12"
    )
    assert terms_of(session, provider.org_id, consultant.org_id).value == Decimal("12")


def test_progress_shows_each_criterion_of_the_next_tier_to_both_sides(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", won_revenue="10000", deals_won="2")
    _rule(session, provider, "Silver", deals_won="1")
    _won(session, provider, consultant, amount="4000", at=datetime.now(UTC))
    tiers.recompute_now(session, actor=provider)
    for actor in (provider, consultant):
        seen = tiers.progress(session, actor=actor, partnership_id=partnership.id)
        assert (seen.current_tier, seen.next_tier) == ("Silver", "Gold")
        assert [(c.label, c.current, c.needed, c.met) for c in seen.criteria] == [
            ("Won revenue", "USD 4,000.00", "USD 10,000.00", False),
            ("Deals won", "1", "2", False),
        ]
    stranger = org_admin(session, kind=OrgKind.CONSULTANT)
    with pytest.raises(NotFound):
        tiers.progress(session, actor=stranger, partnership_id=partnership.id)
    # The scorecard asks by the other organization: the same progress, none between strangers.
    assert tiers.progress_with(session, actor=provider, org_id=consultant.org_id) == seen
    assert tiers.progress_with(session, actor=consultant, org_id=provider.org_id) == seen
    assert tiers.progress_with(session, actor=stranger, org_id=provider.org_id) is None


def test_the_daily_job_runs_once_a_day(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", deals_won="1")
    _won(session, provider, consultant)
    assert tiers.run_daily(session, now=NOW) >= 1
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")
    assert tiers.run_daily(session, now=NOW + timedelta(hours=1)) == 0  # claimed already
    assert tiers.claim(session, name="tiers", period="2026-12-06")


def test_two_concurrent_claims_yield_one_run(engine):
    """Two workers claim the same day at once: the second waits for the first's transaction and
    then skips; when a winner rolls back (its run failed), the next claim wins."""
    period = f"test-{uuid.uuid4().hex[:12]}"
    outcome: dict[str, bool] = {}

    def _second() -> None:
        with Session(engine) as other:
            outcome["won"] = tiers.claim(other, name="tiers", period=period)
            other.commit()

    try:
        with Session(engine) as first:
            assert tiers.claim(first, name="tiers", period=period)
            racer = threading.Thread(target=_second)
            racer.start()
            racer.join(0.5)
            assert racer.is_alive()  # waiting for the first transaction
            first.commit()
        racer.join(30)
        assert outcome == {"won": False}
        with Session(engine) as failed:
            assert tiers.claim(failed, name="tiers", period=f"{period}-2")
            failed.rollback()
        with Session(engine) as retried:
            assert tiers.claim(retried, name="tiers", period=f"{period}-2")
            retried.commit()
    finally:
        with Session(engine) as cleanup:
            for name in (period, f"{period}-2"):
                row = cleanup.get(JobRun, ("tiers", name))
                if row is not None:
                    cleanup.delete(row)
            cleanup.commit()


def test_a_tier_chosen_in_the_categorization_form_is_kept_until_cleared(session):
    provider, consultant, partnership = _setup(session)
    _rule(session, provider, "Gold", deals_won="1")
    _won(session, provider, consultant)
    silver = _tier(session, provider, "Silver")
    partnerships.categorize_partner(
        session,
        actor=provider,
        partnership_id=partnership.id,
        partner_type_id=None,
        partner_status_id=None,
        partner_tier_id=silver,
        partner_group_id=None,
        partner_manager_id=None,
    )
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == silver
    card = tiers.tier_card(session, actor=provider, partnership_id=partnership.id)
    assert card.overridden
    assert [(h.from_tier, h.to_tier, h.who) for h in card.history] == [("No tier", "Silver", "Pia")]


def test_a_tier_without_a_rule_is_left_only_upwards(session):
    provider, consultant, partnership = _setup(session)
    bronze = _tier(session, provider, "Bronze")
    partnership.partner_tier_id = bronze  # set before the program had rules
    session.add(partnership)
    _rule(session, provider, "Gold", deals_won="1")
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == bronze
    _won(session, provider, consultant)
    tiers.recompute_provider(session, provider_id=provider.org_id, actor=None, now=NOW)
    assert _tier_of(session, partnership) == _tier(session, provider, "Gold")


@pytest.mark.parametrize("bad", [None, 0, "gold", ["1"], {"id": 1}, True])
def test_setting_a_tier_needs_one_of_the_providers_tiers_or_an_empty_choice(session, bad):
    provider, _, partnership = _setup(session)
    with pytest.raises(NotFound):
        tiers.set_tier(session, actor=provider, partnership_id=partnership.id, tier_id=bad)
    tiers.set_tier(session, actor=provider, partnership_id=partnership.id, tier_id="")
    assert tiers.tier_card(session, actor=provider, partnership_id=partnership.id).overridden
