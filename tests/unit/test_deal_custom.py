"""A deal's custom fields per audience and path: Submit Deal (a partner's registration and a
provider's own deal), a lead's conversion, the deal's page (card and set_custom), the timeline,
a resubmission; hidden fields never reach the partner, required ones are enforced per side."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import ActivityEvent, Deal, OrgKind
from prm_app.services import custom_fields as cf
from prm_app.services import deals, leads
from prm_app.services.core.errors import Conflict, Invalid, NotFound
from prm_app.services.deals import custom as deal_custom
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.deals import withdrawal
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.factories import org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Northwind (a provider) with a deal field of each partner access, one required of its own
    people, a select; Fabrikam, its partner; Globex, another provider of Fabrikam's."""
    provider = org_admin(session, org_name="Northwind", name="Pia Provider")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    other = org_admin(session, org_name="Globex")
    partners(session, provider, consultant)
    partners(session, other, consultant)

    def add(label, kind="text", **extra):
        return cf.add_field(
            session, actor=provider, entity="deal", label=label, type=kind, **extra
        ).id

    ids = {
        "hidden": add("Margin", partner_access="hidden"),
        "visible": add("Region code", partner_access="visible"),
        "editable": add("Use case", partner_access="editable"),
        "required": add("Budget", "money", partner_access="required"),
        "internal": add(
            "Forecast", "select", options="Commit\nBest case", internal_access="required"
        ),
    }
    cf.add_field(
        session, actor=other, entity="deal", label="Globex only", type="text",
        partner_access="required",
    )  # fmt: skip
    return provider, consultant, other, ids


def _form(**values):
    return {
        "name": "Contoso rollout",
        "company": "Contoso Ltd",
        "contact_email": "jane@contoso.com",
        "amount": "1000",
        "close_date": "2027-03-31",
        "product_ids": [],
        **values,
    }


def _option(session, provider, field_id, label):
    field = next(f for f in cf.fields(session, actor=provider, entity="deal") if f.id == field_id)
    return next(o["id"] for o in field.options if o["label"] == label)


def _register(session, actor, other, values, **form):
    return deal_changes.register(
        session, actor=actor, other_org_id=other.org_id, form=_form(**form), custom_values=values
    ).deal_id


def _partner_deal(session, world, **values):
    provider, consultant, _, ids = world
    values = {str(ids["required"]): "500", **values}
    return _register(session, consultant, provider, values)


def _card_names(session, actor, deal_id):
    card = deal_custom.card(session, actor=actor, deal_id=deal_id)
    return {f.label for f in card.fields}, card


# --- Submit Deal ---------------------------------------------------------------------------


def test_a_partner_fills_the_providers_partner_fields_and_never_sees_hidden_ones(session, world):
    provider, consultant, _, _ = world
    fields = deal_custom.fields_for_new(session, actor=consultant, other_org_id=provider.org_id)
    assert [(f.label, f.editable, f.required) for f in fields] == [
        ("Region code", False, False),
        ("Use case", True, False),
        ("Budget", True, True),
    ]
    labels = {f.label for f in fields}
    assert "Margin" not in labels and "Globex only" not in labels


def test_partner_registration_requires_partner_required_fields_told_with_the_form(session, world):
    provider, consultant, _, ids = world
    with pytest.raises(Invalid) as refused:
        _register(session, consultant, provider, {}, name="")
    assert refused.value.problems == {
        "name": "Deal name is required.",
        f"custom_{ids['required']}": "Budget is required.",
    }
    # the provider's own required field is not the partner's to fill
    assert f"custom_{ids['internal']}" not in refused.value.problems


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("hidden", "There is no field \u201c{id}\u201d you can fill in."),
        ("visible", "Region code cannot be changed by your organization."),
        ("internal", "Forecast cannot be changed by your organization."),
    ],
)
def test_a_partner_cannot_write_hidden_or_read_only_fields(session, world, which, message):
    provider, _, _, ids = world
    field_id = ids[which]
    if which == "internal":
        cf.update_field(
            session, actor=provider, field_id=field_id, label="Forecast",
            internal_access="required", partner_access="visible",
        )  # fmt: skip
    with pytest.raises(Invalid) as refused:
        _partner_deal(session, world, **{str(field_id): "x"})
    assert refused.value.problems[f"custom_{field_id}"] == message.format(id=field_id)


def test_a_registration_keeps_the_values_and_each_side_sees_its_fields(session, world):
    provider, consultant, _, ids = world
    deal_id = _partner_deal(session, world, **{str(ids["editable"]): "Payroll"})
    deal = session.get(Deal, deal_id)
    assert deal.custom == {str(ids["required"]): 500, str(ids["editable"]): "Payroll"}
    names, card = _card_names(session, consultant, deal_id)
    assert names == {"Region code", "Use case", "Budget"}
    assert card.org_names == {provider.org_id: "Northwind"}
    names, card = _card_names(session, provider, deal_id)
    assert names == {"Margin", "Region code", "Use case", "Budget", "Forecast"}
    assert card.values == {str(ids["required"]): 500, str(ids["editable"]): "Payroll"}
    # both timelines show the values set at registration
    for actor in (provider, consultant):
        texts = [e.text for e in deal_timeline.timeline(session, actor=actor, deal_id=deal_id)]
        assert "Set Use case to Payroll; set Budget to 500.00" in texts


def test_a_providers_own_deal_requires_its_internal_required_fields(session, world):
    provider, consultant, _, ids = world
    with pytest.raises(Invalid) as refused:
        _register(session, provider, consultant, {})
    assert refused.value.problems == {f"custom_{ids['internal']}": "Forecast is required."}
    commit = _option(session, provider, ids["internal"], "Commit")
    deal_id = _register(
        session, provider, consultant, {str(ids["internal"]): str(commit), str(ids["hidden"]): "9"}
    )
    assert session.get(Deal, deal_id).custom == {
        str(ids["internal"]): commit,
        str(ids["hidden"]): "9",
    }
    # the partner's view of the provider's deal: the hidden margin and its change never appear
    names, card = _card_names(session, consultant, deal_id)
    assert "Margin" not in names and str(ids["hidden"]) not in card.values
    texts = [e.text for e in deal_timeline.timeline(session, actor=consultant, deal_id=deal_id)]
    assert not any("Margin" in t or "Forecast" in t for t in texts)


def test_another_providers_fields_never_apply(session, world):
    _, consultant, other, ids = world
    with pytest.raises(Invalid) as refused:
        _register(session, consultant, other, {str(ids["required"]): "5"})
    problems = refused.value.problems
    assert problems[f"custom_{ids['required']}"].startswith("There is no field")
    assert any(v == "Globex only is required." for v in problems.values())


@pytest.mark.parametrize("values", ["x", ["a"], {str(i): "x" for i in range(500)}])
def test_hostile_values_are_refused(session, world, values):
    provider, consultant, _, _ = world
    with pytest.raises(Invalid):
        _register(session, consultant, provider, values)


# --- conversion --------------------------------------------------------------------------------


def _accepted(session, consultant, provider) -> int:
    data = LeadInput(first_name="Jane", last_name="Doe", email="jane@acme.com", company="Acme")
    _, [recipient_id] = leads.create_and_submit(
        session,
        actor=consultant,
        data=data,
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    return recipient_id


def test_the_providers_conversion_requires_its_required_deal_fields(session, world):
    provider, consultant, _, ids = world
    recipient_id = _accepted(session, consultant, provider)
    with pytest.raises(Invalid) as refused:
        leads.convert(session, actor=provider, recipient_id=recipient_id, amount="-1")
    assert set(refused.value.problems) == {"amount", f"custom_{ids['internal']}"}
    best = _option(session, provider, ids["internal"], "Best case")
    deal_id = leads.convert(
        session,
        actor=provider,
        recipient_id=recipient_id,
        amount="10",
        custom_values={f"custom_{ids['internal']}": str(best)},
    )
    assert session.get(Deal, deal_id).custom == {str(ids["internal"]): best}
    texts = [e.text for e in deal_timeline.timeline(session, actor=provider, deal_id=deal_id)]
    assert "Set Forecast to Best case" in texts


def test_the_partners_conversion_requires_the_partner_required_fields(session, world):
    provider, consultant, _, ids = world
    recipient_id = _accepted(session, consultant, provider)
    with pytest.raises(Invalid) as refused:
        leads.convert(session, actor=consultant, recipient_id=recipient_id, amount="10")
    assert refused.value.problems == {f"custom_{ids['required']}": "Budget is required."}
    deal_id = leads.convert(
        session,
        actor=consultant,
        recipient_id=recipient_id,
        amount="10",
        custom_values={str(ids["required"]): "75"},
    )
    assert session.get(Deal, deal_id).custom == {str(ids["required"]): 75}


# --- the deal's page ---------------------------------------------------------------------------


def _set(session, actor, deal_id, values):
    deal = session.get(Deal, deal_id)
    return deals.set_custom(
        session, actor=actor, deal_id=deal_id, version=deal.version, values=values
    )


def test_each_side_edits_what_it_may_and_each_timeline_shows_what_it_sees(session, world):
    provider, consultant, _, ids = world
    deal_id = _partner_deal(session, world)
    commit = _option(session, provider, ids["internal"], "Commit")
    full = {
        str(ids["hidden"]): "12%",
        str(ids["visible"]): "EMEA",
        str(ids["editable"]): "",
        str(ids["required"]): "500",
        str(ids["internal"]): str(commit),
    }
    assert _set(session, provider, deal_id, full) is True
    assert _set(session, provider, deal_id, full) is False  # nothing changed, no event
    provider_texts = [
        e.text for e in deal_timeline.timeline(session, actor=provider, deal_id=deal_id)
    ]
    assert provider_texts[0] == (
        "Set Margin to 12%; set Region code to EMEA; set Forecast to Commit"
    )
    partner_texts = [
        e.text for e in deal_timeline.timeline(session, actor=consultant, deal_id=deal_id)
    ]
    assert partner_texts[0] == "Set Region code to EMEA"

    # the partner edits its editable fields; the read-only and hidden ones are refused
    assert _set(
        session, consultant, deal_id, {str(ids["editable"]): "HR", str(ids["required"]): "600"}
    )
    deal = session.get(Deal, deal_id)
    assert deal.custom[str(ids["hidden"])] == "12%" and deal.custom[str(ids["editable"])] == "HR"
    with pytest.raises(Invalid) as refused:
        _set(session, consultant, deal_id, {str(ids["required"]): ""})
    assert refused.value.problems == {f"custom_{ids['required']}": "Budget is required."}
    with pytest.raises(Invalid):
        _set(session, consultant, deal_id, {str(ids["required"]): "600", str(ids["visible"]): "US"})

    # a change of the hidden field alone leaves no trace on the partner's timeline
    before = len(deal_timeline.timeline(session, actor=consultant, deal_id=deal_id))
    now = {str(ids["editable"]): "HR", str(ids["required"]): "600", str(ids["hidden"]): "15%"}
    assert _set(session, provider, deal_id, {**full, **now})
    assert len(deal_timeline.timeline(session, actor=consultant, deal_id=deal_id)) == before
    provider_texts = [
        e.text for e in deal_timeline.timeline(session, actor=provider, deal_id=deal_id)
    ]
    assert provider_texts[0] == "Changed Margin from 12% to 15%"
    event = session.exec(
        select(ActivityEvent)
        .where(ActivityEvent.action == cf.ACTION)
        .order_by(ActivityEvent.id.desc())
    ).first()
    assert event.org_id == provider.org_id and event.entity_id == deal_id


def test_the_page_edit_is_locked_scoped_and_closed_like_any_edit(session, world):
    provider, consultant, other, ids = world
    deal_id = _partner_deal(session, world)
    stale = session.get(Deal, deal_id).version
    assert _set(session, consultant, deal_id, {str(ids["required"]): "700"})
    with pytest.raises(Conflict):
        deals.set_custom(
            session, actor=provider, deal_id=deal_id, version=stale,
            values={str(ids["internal"]): ""},
        )  # fmt: skip
    with pytest.raises(NotFound):
        _set(session, other, deal_id, {})
    deal = session.get(Deal, deal_id)
    deal_changes.reject(session, actor=provider, deal_id=deal_id, version=deal.version, reason="No")
    with pytest.raises(Invalid, match="rejected"):
        _set(session, consultant, deal_id, {str(ids["required"]): "800"})


def test_an_archived_field_keeps_its_value_and_disappears(session, world):
    provider, consultant, _, ids = world
    deal_id = _partner_deal(session, world, **{str(ids["editable"]): "Payroll"})
    cf.archive_field(session, actor=provider, field_id=ids["editable"])
    for actor in (provider, consultant):
        names, card = _card_names(session, actor, deal_id)
        assert "Use case" not in names and str(ids["editable"]) not in card.values
    assert session.get(Deal, deal_id).custom[str(ids["editable"])] == "Payroll"
    # saving the page's form again keeps it
    assert _set(session, consultant, deal_id, {str(ids["required"]): "501"})
    assert session.get(Deal, deal_id).custom[str(ids["editable"])] == "Payroll"


def test_a_resubmission_keeps_the_values_its_partner_may_fill(session, world):
    provider, consultant, _, ids = world
    deal_id = _partner_deal(session, world, **{str(ids["editable"]): "Payroll"})
    deal = session.get(Deal, deal_id)
    assert _set(
        session,
        provider,
        deal_id,
        {
            str(ids["hidden"]): "9%",
            str(ids["editable"]): "Payroll",
            str(ids["required"]): "500",
            str(ids["internal"]): str(_option(session, provider, ids["internal"], "Commit")),
        },
    )
    deal = session.get(Deal, deal_id)
    deal_changes.reject(session, actor=provider, deal_id=deal_id, version=deal.version, reason="No")
    again = withdrawal.resubmit(session, actor=consultant, deal_id=deal_id, form=_form())
    assert session.get(Deal, again.deal_id).custom == {
        str(ids["required"]): 500,
        str(ids["editable"]): "Payroll",
    }


def test_the_api_names_fields_by_key_with_the_forms_messages(session, world):
    provider, consultant, _, ids = world
    register = deal_changes.register
    with pytest.raises(Invalid) as refused:
        register(
            session, actor=consultant, other_org_id=provider.org_id, form=_form(),
            custom_values={"margin": "9%", "use_case": "HR"}, custom_named_by="key",
        )  # fmt: skip
    assert refused.value.problems == {
        "custom_margin": "There is no field \u201cmargin\u201d you can fill in.",
        f"custom_{ids['required']}": "Budget is required.",
    }
    deal_id = register(
        session, actor=consultant, other_org_id=provider.org_id, form=_form(),
        custom_values={"budget": "1,200", "use_case": "HR"}, custom_named_by="key",
    ).deal_id  # fmt: skip
    assert session.get(Deal, deal_id).custom == {
        str(ids["required"]): 1200,
        str(ids["editable"]): "HR",
    }
