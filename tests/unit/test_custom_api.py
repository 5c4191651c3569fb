"""Custom values through the REST API and webhooks, per audience: a provider's hidden, visible,
editable and required fields, and a consultant's private ones, as each side reads and writes
them (lists, detail, create, PATCH) and as each receiving organization's webhooks carry them."""

import json

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import ActivityEvent, Deal, OrgKind, Partnership, WebhookDelivery
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.integrations import custom_api, webhooks
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import org_admin, partners

LEAD = {"first_name": "Grace", "last_name": "Hopper", "email": "g@navy.example", "company": "Navy"}
DEAL = {"name": "Rollout", "company": "Navy Labs"}


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setenv("PRM_WEBHOOKS_ALLOW_PRIVATE", "1")


def _field(session, actor, label, kind, **extra):
    return cf.add_field(
        session, actor=actor, entity=extra.pop("entity", "lead"), label=label, type=kind, **extra
    )


@pytest.fixture
def world(session):
    """Northwind (provider) with a field of each partner access on leads, deals and partners;
    Fabrikam (its partner) with a private lead field; Contoso (another provider) with a
    required lead field of its own."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    other = org_admin(session, kind=OrgKind.PROVIDER, org_name="Contoso")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    partners(session, other, firm)
    fields = {
        "score": _field(session, provider, "Score", "number"),  # hidden
        "region": _field(session, provider, "Region", "text", partner_access="visible"),
        "budget": _field(session, provider, "Budget", "money", partner_access="editable"),
        "tier": _field(
            session,
            provider,
            "Tier",
            "select",
            options=["Gold", "Silver"],
            partner_access="required",
        ),
        "mine": _field(session, firm, "Our note", "text"),
        "theirs": _field(session, other, "Seats", "number", partner_access="required"),
        "deal_size": _field(
            session,
            provider,
            "Size",
            "select",
            entity="deal",
            options=["S", "L"],
            partner_access="required",
        ),
        "deal_secret": _field(session, provider, "Margin", "number", entity="deal"),
        "health": _field(
            session,
            provider,
            "Health",
            "select",
            entity="partner",
            options=["Good", "Poor"],
            partner_access="visible",
        ),
        "fit": _field(session, provider, "Fit", "text", entity="partner"),
        "firm_view": _field(session, firm, "Contact cadence", "text", entity="partner"),
    }
    return {
        "provider": provider,
        "other": other,
        "firm": firm,
        "f": fields,
        "p": key_for(session, provider),
        "c": key_for(session, firm),
    }


@pytest.fixture
def api(session):
    return client_over(session)


def _send(api, world, custom, to=None, email="g@navy.example"):
    to = [world["provider"].org_id] if to is None else to
    body = {**LEAD, "email": email, "recipient_org_ids": to, "custom": custom}
    return api.post("/leads", json=body, headers=world["c"])


def test_the_field_list_names_what_each_side_sees_and_may_edit(api, world, session):
    seen = api.get("/custom-fields?entity=lead", headers=world["c"]).json()
    by_name = {f["name"]: (f["editable"], f["required"], f["own"]) for f in seen}
    assert by_name == {
        "our_note": (True, False, True),
        "region": (False, False, False),
        "budget": (True, False, False),
        "tier": (True, True, False),
        "seats": (True, True, False),
    }
    assert next(f for f in seen if f["name"] == "tier")["options"] == ["Gold", "Silver"]
    only = api.get(
        f"/custom-fields?entity=lead&other_org_id={world['other'].org_id}", headers=world["c"]
    ).json()
    assert {f["name"] for f in only} == {"our_note", "seats"}
    stranger = org_admin(session, kind=OrgKind.PROVIDER, org_name="Elsewhere")
    _field(session, stranger, "Their secret plan", "text", partner_access="visible")
    theirs = api.get(
        f"/custom-fields?entity=lead&other_org_id={stranger.org_id}", headers=world["c"]
    ).json()
    assert {f["name"] for f in theirs} == {"our_note"}  # not a partner: none of its fields
    own = api.get("/custom-fields?entity=lead", headers=world["p"]).json()
    assert {f["name"] for f in own} == {"score", "region", "budget", "tier"}  # never our_note
    assert api.get("/custom-fields?entity=nope", headers=world["c"]).status_code == 422


def test_a_lead_sent_needs_its_providers_required_fields_and_only_theirs(api, world, session):
    tier = world["f"]["tier"]
    missing = _send(api, world, {"budget": 100})
    assert missing.status_code == 422
    assert missing.json() == {"detail": "Tier is required.", "field": "custom.tier"}
    wrong = _send(api, world, {"tier": "Bronze"})
    assert wrong.json()["detail"] == "Tier: choose one of Gold, Silver."  # the form's message
    hidden = _send(api, world, {"tier": "Gold", "score": 5})
    assert hidden.json()["detail"] == "There is no field \u201cscore\u201d you can fill in."
    read_only = _send(api, world, {"tier": "Gold", "region": "EMEA"})
    assert read_only.json()["detail"] == "Region cannot be changed by your organization."
    made = _send(api, world, {"tier": "gold", "budget": "1200.50", "our_note": "warm"})
    assert made.status_code == 201, made.text
    lead_id = made.json()["lead_id"]
    assert api.get(f"/leads/{lead_id}", headers=world["c"]).json()["custom"] == {
        "our_note": "warm",
        "region": None,
        "budget": 1200.5,
        "tier": "Gold",
    }  # no "seats": Contoso's field, and the lead did not go there
    draft = _send(api, world, {"our_note": "later"}, to=[], email="d@navy.example")
    assert draft.status_code == 201  # a draft requires nothing
    unsent = _send(api, world, {"budget": 5}, to=[], email="e@navy.example")
    assert unsent.json()["field"] == "custom.budget"  # a draft going nowhere has no provider
    other = _send(api, world, {"seats": 3}, to=[world["other"].org_id], email="o@navy.example")
    assert other.status_code == 201  # Contoso's lead needs no Northwind field
    events = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.action == cf.ACTION, ActivityEvent.entity_id == lead_id
        )
    ).all()
    assert [e.after[str(tier.id)] for e in events] == ["Gold"]


def test_each_side_reads_only_what_it_may_see_and_patches_what_it_may_edit(api, world):
    f = world["f"]
    lead_id = _send(api, world, {"tier": "Gold", "our_note": "warm"}).json()["lead_id"]
    score = api.patch(f"/leads/{lead_id}", json={"custom": {"score": 9}}, headers=world["c"])
    assert score.status_code == 422
    assert score.json()["field"] == "custom.score"
    patched = api.patch(
        f"/leads/{lead_id}", json={"custom": {"budget": 50}}, headers=world["c"]
    ).json()["custom"]
    assert (patched["budget"], patched["tier"]) == (50, "Gold")  # partial: tier stays
    emptied = api.patch(f"/leads/{lead_id}", json={"custom": {"tier": None}}, headers=world["c"])
    assert emptied.json()["detail"] == "Tier is required."
    by_provider = api.patch(
        f"/leads/{lead_id}", json={"custom": {"score": 7, "region": "EMEA"}}, headers=world["p"]
    )
    assert by_provider.status_code == 200, by_provider.text
    mine = api.patch(f"/leads/{lead_id}", json={"custom": {"our_note": "x"}}, headers=world["p"])
    assert mine.json()["detail"] == "There is no field \u201cour_note\u201d you can fill in."
    received = api.get("/received-leads", headers=world["p"]).json()["items"][0]["custom"]
    assert received == {"score": 7, "region": "EMEA", "budget": 50, "tier": "Gold"}
    sent = api.get("/leads", headers=world["c"]).json()["items"][0]["custom"]
    assert "score" not in sent and sent["region"] == "EMEA" and sent["our_note"] == "warm"
    detail = api.get(f"/leads/{lead_id}", headers=world["p"]).json()["custom"]
    assert "our_note" not in detail and detail["score"] == 7
    assert f["score"].id  # the hidden field exists; it is simply not the consultant's to see


def test_deals_take_the_required_fields_of_both_sides(api, world, session):
    body = {**DEAL, "other_org_id": world["provider"].org_id}
    missing = api.post("/deals", json=body, headers=world["c"])
    assert missing.json()["detail"] == "Size is required."
    made = api.post("/deals", json={**body, "custom": {"size": "L"}}, headers=world["c"])
    assert made.status_code == 201, made.text
    deal_id = made.json()["deal_id"]
    margin = api.patch(f"/deals/{deal_id}", json={"custom": {"margin": 3}}, headers=world["c"])
    assert margin.json()["detail"] == "There is no field \u201cmargin\u201d you can fill in."
    ok = api.patch(f"/deals/{deal_id}", json={"custom": {"margin": 3}}, headers=world["p"])
    assert ok.json()["custom"] == {"margin": 3, "size": "L"}
    assert api.get(f"/deals/{deal_id}", headers=world["c"]).json()["custom"] == {"size": "L"}
    listed = api.get("/deals", headers=world["p"]).json()["items"][0]
    assert listed["custom"] == {"margin": 3, "size": "L"}


def test_partnerships_custom_values_per_side(api, world, session):
    partnership_id = session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == world["provider"].org_id,
            Partnership.consultant_org_id == world["firm"].org_id,
        )
    ).one()
    path = f"/partnerships/{partnership_id}"
    done = api.patch(path, json={"custom": {"health": "Good", "fit": "high"}}, headers=world["p"])
    assert done.json()["custom"] == {"health": "Good", "fit": "high"}
    refused = api.patch(path, json={"custom": {"health": "Poor"}}, headers=world["c"])
    assert refused.json()["detail"] == "Health cannot be changed by your organization."
    api.patch(path, json={"custom": {"contact_cadence": "monthly"}}, headers=world["c"])
    providers = api.get("/providers", headers=world["c"]).json()["items"]
    seen = next(p for p in providers if p["id"] == partnership_id)["custom"]
    assert seen == {"contact_cadence": "monthly", "health": "Good"}  # never "fit"
    directory = api.get("/partners", headers=world["p"]).json()["items"][0]["custom"]
    assert directory == {"health": "Good", "fit": "high"}  # never the firm's own field
    stranger = org_admin(session, kind=OrgKind.PROVIDER)
    assert (
        api.patch(path, json={"custom": {}}, headers=key_for(session, stranger)).status_code == 404
    )


@pytest.mark.parametrize(
    "values", [None, [], "x", {1: 2}, {f"k{n}": n for n in range(custom_api.MAX_VALUES + 1)}]
)
def test_hostile_custom_values_are_refused(session, world, values):
    lead_id = leads.save_draft(
        session,
        actor=world["firm"],
        data=leads.lead_input(LEAD),
        owner_id=world["firm"].user_id,
    )
    with pytest.raises(Invalid) as refused:
        custom_api.set_lead_custom(session, actor=world["firm"], lead_id=lead_id, values=values)
    assert (str(refused.value), refused.value.field) == (custom_api.NO_VALUES, "custom")


def _bodies(session, event):
    session.flush()
    rows = session.exec(select(WebhookDelivery).where(WebhookDelivery.event == event)).all()
    return {d.org_id: json.loads(d.body)["data"] for d in rows}


def test_webhooks_carry_what_each_receiving_organization_may_see(api, world, session):
    url = "http://127.0.0.1:9/hooks"
    for actor in (world["provider"], world["firm"]):
        webhooks.add_endpoint(session, actor=actor, url=url, events=list(webhooks.EVENTS))
    lead_id = _send(api, world, {"tier": "Gold", "our_note": "warm"}).json()["lead_id"]
    submitted = _bodies(session, "lead.submitted")
    assert submitted[world["provider"].org_id]["custom"] == {
        "score": None,
        "region": None,
        "budget": None,
        "tier": "Gold",
    }
    assert submitted[world["firm"].org_id]["custom"]["our_note"] == "warm"
    custom_api.set_lead_custom(
        session, actor=world["provider"], lead_id=lead_id, values={"score": 4}
    )
    recipient_id = api.get("/received-leads", headers=world["p"]).json()["items"][0]
    leads.accept(session, actor=world["provider"], recipient_id=recipient_id["recipient_id"])
    accepted = _bodies(session, "lead.accepted")
    assert accepted[world["provider"].org_id]["custom"]["score"] == 4
    assert "score" not in accepted[world["firm"].org_id]["custom"]  # hidden from the partner
    assert "our_note" not in accepted[world["provider"].org_id]["custom"]  # the firm's own


def test_a_lead_converted_through_the_api_takes_the_deals_custom_values(api, world, session):
    lead_id = _send(api, world, {"tier": "Gold"}).json()["lead_id"]
    row = api.get("/received-leads", headers=world["p"]).json()["items"][0]
    assert row["lead_id"] == lead_id
    recipient = row["recipient_id"]
    assert api.post(f"/received-leads/{recipient}/accept", headers=world["p"]).status_code == 200
    path = f"/received-leads/{recipient}/convert"
    wrong = api.post(path, json={"amount": "10", "custom": {"size": "XL"}}, headers=world["p"])
    assert wrong.json() == {"detail": "Size: choose one of S, L.", "field": "custom.size"}
    assert session.exec(select(Deal)).first() is None  # nothing of the conversion is kept
    made = api.post(
        path, json={"amount": "10", "custom": {"size": "S", "margin": 2}}, headers=world["p"]
    )
    assert made.status_code == 201, made.text
    deal = api.get(f"/deals/{made.json()['deal_id']}", headers=world["c"]).json()
    assert deal["custom"] == {"size": "S"}  # the margin is Northwind's alone
