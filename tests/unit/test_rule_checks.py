"""The live check of the deal forms (services.deals.rule_checks): a draft as the check takes it,
the verdicts as the form shows them, and the deal a lead conversion would register, seen only
by whoever may convert it."""

import pytest

from prm_app.services import leads
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import eligibility, registration_rules, rule_checks
from tests.unit.factories import colleague
from tests.unit.test_leads import (
    _cheap_password_hashing,  # noqa: F401
    _consultant,
    _provider,
    _received_ids,
    _sent,
    _setup,
)


def test_a_draft_keeps_its_known_fields_as_short_text():
    form = {"company": "Acme", "amount": 5, "country": "x" * 1000, "owner_id": "7", "region": None}
    found = rule_checks.draft(form)
    assert found == {
        "company": "Acme",
        "amount": "",
        "country": "x" * rule_checks.MAX_DRAFT_TEXT,
        "region": "",
    }
    assert rule_checks.draft(["not", "a", "form"]) == {}


def test_verdicts_read_pass_fail_or_warn_and_the_failing_hard_rules_block(session, monkeypatch):
    provider, consultant = _setup(session)
    seen = {}

    def check(session, *, actor, other_org_id, form):
        seen.update(actor=actor, other=other_org_id, form=form)
        return [
            eligibility.Verdict("territory", "Territory", False, True, "Not served."),
            eligibility.Verdict("amount_min", "Minimum amount", True, True, "At least 1,000."),
            eligibility.Verdict("customer", "Existing customer", False, False, "A customer."),
            eligibility.Verdict("products", "Products", False, True, "Name a product."),
        ]

    monkeypatch.setattr(rule_checks.eligibility, "check", check)
    found = rule_checks.check(
        session, actor=consultant, other_org_id=str(provider.org_id), form={"country": "DE"}
    )
    assert [(c.label, c.status) for c in found] == [
        ("Territory", "fail"),
        ("Minimum amount", "pass"),
        ("Existing customer", "warn"),
        ("Products", "fail"),
    ]
    assert rule_checks.blocking(found) == ["Territory", "Products"]
    assert (seen["actor"], seen["other"], seen["form"]) == (
        consultant,
        provider.org_id,
        {"country": "DE"},
    )


@pytest.mark.parametrize("other", [None, "", "abc", -1, {"id": 1}, [1], 2**70])
def test_the_check_refuses_a_malformed_organization(session, other):
    _, consultant = _setup(session)
    with pytest.raises(NotFound):
        rule_checks.check(session, actor=consultant, other_org_id=other, form={})


def test_a_conversion_draft_is_the_deal_converting_would_register_with_the_other_side(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    for actor, other in ((provider, consultant), (consultant, provider)):
        found = rule_checks.conversion_draft(session, actor=actor, recipient_id=recipient_id)
        assert found.other_org_id == other.org_id
        assert found.other_name == other.org_name
        assert found.form["company"] == "Contoso Ltd"
        assert found.form["contact_email"] == "jane@contoso.com"
        assert found.form["name"] == "Contoso Ltd \u2013 Jane Doe"
        assert (found.provider_org_id, found.checked) == (provider.org_id, True)
    # A referral: the provider sent it, the partner converts it, and the other way round.
    referral = _received_ids(session, provider, consultant, 1)[0]
    leads.accept(session, actor=consultant, recipient_id=referral)
    for actor, other in ((consultant, provider), (provider, consultant)):
        found = rule_checks.conversion_draft(session, actor=actor, recipient_id=referral)
        assert found.other_org_id == other.org_id
        # The provider chose a referral's customer: its conversion is checked against no rule.
        assert (found.provider_org_id, found.checked) == (provider.org_id, False)


def test_a_conversion_draft_is_refused_as_converting_would_be(session):
    provider, consultant = _setup(session)
    pending, accepted = _received_ids(session, consultant, provider, 2)
    with pytest.raises(Invalid, match="not been accepted"):
        rule_checks.conversion_draft(session, actor=provider, recipient_id=pending)
    leads.accept(session, actor=provider, recipient_id=accepted)
    for outsider in (_provider(session), _consultant(session)):
        with pytest.raises(NotFound):
            rule_checks.conversion_draft(session, actor=outsider, recipient_id=accepted)
    with pytest.raises(NotAllowed):
        rule_checks.conversion_draft(
            session, actor=colleague(session, provider), recipient_id=accepted
        )
    leads.convert(session, actor=provider, recipient_id=accepted, amount=1)
    with pytest.raises(Invalid, match="already converted"):
        rule_checks.conversion_draft(session, actor=consultant, recipient_id=accepted)


def test_a_conversion_is_checked_live_as_converting_then_enforces_it(session):
    """The panel's verdicts on a conversion draft are the ones converting acts on: a hard
    territory rule fails without the country, passes with it, and converting agrees."""
    provider, consultant = _setup(session)
    registration_rules.save_rule(
        session,
        actor=provider,
        rule=registration_rules.TERRITORY,
        enabled=True,
        hard=True,
        countries=["US"],
    )
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    found = rule_checks.conversion_draft(session, actor=consultant, recipient_id=recipient_id)

    def verdicts(**fields):
        form = {**found.form, **rule_checks.draft(fields)}
        checks = rule_checks.check(
            session, actor=consultant, other_org_id=found.other_org_id, form=form
        )
        return {c.rule: c for c in checks}

    abroad = verdicts(amount="100", country="DE")
    assert abroad["territory"].status == "fail"
    assert abroad["protection"].status == "pass"  # on by default, soft
    assert rule_checks.blocking(list(abroad.values())) == ["Territory"]
    with pytest.raises(Invalid) as refused:
        leads.convert(
            session, actor=consultant, recipient_id=recipient_id, amount="100", country="DE"
        )
    assert str(refused.value) == abroad["territory"].message
    home = verdicts(amount="100", country="US", region="US-CA")
    assert home["territory"].status == "pass"
    assert rule_checks.blocking(list(home.values())) == []
    leads.convert(
        session,
        actor=consultant,
        recipient_id=recipient_id,
        amount="100",
        country="US",
        region="US-CA",
    )
