"""The REST API over the real services: every route, with its refusals (401, 403, 404, 409, 422)."""

import itertools

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Lead, LeadSource, OrgKind, Pipeline, Role, Stage
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import api_keys, auth
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import colleague, deal_stage, org_admin, partners

LEAD = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@navy.example",
    "company": "Navy Labs",
}


_leads_made = itertools.count()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, consultant)
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Elsewhere")
    return {
        "provider": provider,
        "consultant": consultant,
        "stranger": stranger,
        "p": key_for(session, provider),
        "c": key_for(session, consultant),
        "s": key_for(session, stranger),
    }


@pytest.fixture
def api(session):
    return client_over(session)


def _lead(api, world, **extra):
    """A new lead (its own email: the same lead twice in a row is refused as a retry)."""
    email = f"grace.{next(_leads_made)}@navy.example"
    body = {**LEAD, "email": email, "recipient_org_ids": [world["provider"].org_id], **extra}
    response = api.post("/leads", json=body, headers=world["c"])
    assert response.status_code == 201, response.text
    return response.json()


# authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer prm_0123456789ab_" + "A" * 43},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_requests_without_a_valid_key_are_refused(api, world, headers):
    for method, path in [("get", "/me"), ("get", "/leads"), ("get", "/deals")]:
        response = getattr(api, method)(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "API key" in response.json()["detail"]
    response = api.post("/leads", json=LEAD, headers=headers)
    assert response.status_code == 401


def test_a_revoked_key_is_refused_at_once(api, session, world):
    assert api.get("/me", headers=world["c"]).status_code == 200
    key_id = api_keys.list_keys(session, actor=world["consultant"])[0].id
    api_keys.revoke(session, actor=world["consultant"], key_id=key_id)
    assert api.get("/me", headers=world["c"]).status_code == 401


def test_me_names_the_organization_and_the_role(api, session, world):
    headers = key_for(session, world["provider"], Role.MEMBER)
    assert api.get("/me", headers=headers).json() == {
        "org_id": world["provider"].org_id,
        "org_name": "Northwind",
        "org_kind": "provider",
        "role": "member",
        "acting_user": world["provider"].name,
    }


# leads -----------------------------------------------------------------------------------------


def test_a_lead_goes_from_api_to_deal(api, session, world):
    created = _lead(api, world)
    lead = session.get(Lead, created["lead_id"])
    assert lead.source == LeadSource.API and lead.status == "submitted"
    sent = api.get("/leads", params={"status": "submitted"}, headers=world["c"]).json()
    assert [row["id"] for row in sent["items"]] == [created["lead_id"]] and sent["total"] == 1

    inbox = api.get("/received-leads", headers=world["p"]).json()["items"]
    assert [row["recipient_id"] for row in inbox] == created["recipient_ids"]
    recipient = created["recipient_ids"][0]
    assert api.post(f"/received-leads/{recipient}/accept", headers=world["p"]).json() == {
        "ok": True
    }
    stage = session.exec(
        select(Stage.id)
        .where(Stage.org_id == world["provider"].org_id, Stage.pipeline == Pipeline.LEAD)
        .order_by(Stage.position.desc())
    ).first()
    moved = api.post(
        f"/received-leads/{recipient}/stage", json={"stage_id": stage}, headers=world["p"]
    )
    assert moved.status_code == 200, moved.text
    converted = api.post(
        f"/received-leads/{recipient}/convert",
        json={"amount": "1200.50", "close_date": "2031-01-31"},
        headers=world["p"],
    )
    assert converted.status_code == 201, converted.text
    deal_id = converted.json()["deal_id"]
    seen = api.get(f"/deals/{deal_id}", headers=world["c"]).json()
    assert (seen["amount"], seen["close_date"], seen["side"]) == (
        "1200.50",
        "2031-01-31",
        "partner",
    )
    detail = api.get(f"/leads/{created['lead_id']}", headers=world["c"]).json()
    assert detail["recipients"][0]["status"] == "converted"


def test_an_accepted_lead_is_closed_as_lost_with_a_reason_from_the_list(api, session, world):
    recipient = _lead(api, world)["recipient_ids"][0]
    lost = f"/received-leads/{recipient}/lost"
    body = {"reason": "Chose a competitor", "note": "Went with Contoso"}
    refused = api.post(lost, json=body, headers=world["p"])
    assert refused.status_code == 422  # not accepted yet
    assert api.post(f"/received-leads/{recipient}/accept", headers=world["p"]).status_code == 200
    refused = api.post(lost, json={**body, "reason": "Bad vibes"}, headers=world["p"])
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    assert api.post(lost, json=body, headers=world["s"]).status_code == 404
    assert api.post(lost, json=body, headers=world["c"]).status_code == 404  # the sender
    done = api.post(lost, json=body, headers=world["p"])
    assert done.status_code == 200, done.text
    detail = api.get(f"/leads/{_lead_id(session, recipient)}", headers=world["c"]).json()
    assert detail["recipients"][0]["status"] == "lost"


def _lead_id(session, recipient_id: int) -> int:
    from prm_app.models import LeadRecipient

    return session.get(LeadRecipient, recipient_id).lead_id


def test_a_referral_reaches_the_partner_and_can_be_rejected(api, world):
    body = {**LEAD, "recipient_org_ids": [world["consultant"].org_id]}
    created = api.post("/leads", json=body, headers=world["p"]).json()
    inbox = api.get("/received-leads", headers=world["c"]).json()
    assert inbox["items"][0]["contact_hidden"] is True and inbox["items"][0]["email"] == ""
    recipient = created["recipient_ids"][0]
    assert api.post(f"/received-leads/{recipient}/open", headers=world["s"]).status_code == 404
    assert api.post(f"/received-leads/{recipient}/open", headers=world["c"]).status_code == 200
    opened = api.get("/received-leads", headers=world["c"]).json()["items"][0]
    assert (opened["contact_hidden"], opened["email"]) == (False, LEAD["email"])
    not_referral = _lead(api, world)["recipient_ids"][0]
    refused = api.post(f"/received-leads/{not_referral}/open", headers=world["p"])
    assert refused.status_code == 422 and "Only referrals" in refused.json()["detail"]
    refused = api.post(f"/received-leads/{recipient}/reject", json={}, headers=world["c"])
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    done = api.post(
        f"/received-leads/{recipient}/reject", json={"reason": "Not our area"}, headers=world["c"]
    )
    assert done.status_code == 200
    listed = api.get("/received-leads", params={"status": "rejected"}, headers=world["c"]).json()
    assert listed["total"] == 1


def test_a_lead_without_recipients_is_a_draft(api, world):
    created = api.post("/leads", json=LEAD, headers=world["c"]).json()
    assert created["recipient_ids"] == []
    drafts = api.get("/leads", params={"status": "draft"}, headers=world["c"]).json()
    assert [row["id"] for row in drafts["items"]] == [created["lead_id"]]


def test_other_organizations_records_are_not_found(api, world):
    created = _lead(api, world)
    recipient = created["recipient_ids"][0]
    assert api.get(f"/leads/{created['lead_id']}", headers=world["s"]).status_code == 404
    for action, body in [("accept", None), ("reject", {"reason": "x"}), ("stage", {"stage_id": 1})]:
        response = api.post(f"/received-leads/{recipient}/{action}", json=body, headers=world["s"])
        assert response.status_code == 404, (action, response.text)
        assert response.json()["detail"] == "That lead does not exist or is not visible to you."
    assert api.get("/received-leads", headers=world["s"]).json()["total"] == 0
    assert api.get("/leads", headers=world["s"]).json()["total"] == 0
    assert api.get("/leads/999999999", headers=world["c"]).status_code == 404
    # past the INTEGER columns' range: refused as input, never sent to the database
    assert api.get(f"/leads/{2**31}", headers=world["c"]).status_code == 422
    assert api.post(f"/received-leads/{2**31}/accept", headers=world["p"]).status_code == 422


def test_a_member_key_has_a_members_rights(api, session, world):
    _lead(api, world)
    member_key = key_for(session, world["consultant"], Role.MEMBER)
    # the admin's own lead is still theirs; a member may not give a lead to someone else
    colleague_actor = colleague(session, world["consultant"], role=Role.MEMBER)
    refused = api.post(
        "/leads", json={**LEAD, "owner_id": colleague_actor.user_id}, headers=member_key
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a manager can give a lead to someone else."
    # the member key sees only the leads its creator owns: not the colleague's
    colleague_key = key_for(session, world["consultant"])  # an admin key, the admin's rights
    made = api.post(
        "/leads", json={**LEAD, "owner_id": colleague_actor.user_id}, headers=colleague_key
    )
    assert made.status_code == 201
    assert api.get("/leads", headers=colleague_key).json()["total"] == 2
    assert api.get("/leads", headers=member_key).json()["total"] == 1
    assert api.get(f"/leads/{made.json()['lead_id']}", headers=member_key).status_code == 404


def test_validation_errors_name_the_field(api, world):
    cases = [
        ({**LEAD, "email": "not-an-email"}, "email"),
        ({**LEAD, "first_name": ""}, "first_name"),
        ({**LEAD, "first_name": "x" * 101}, "first_name"),
        ({**LEAD, "surprise": 1}, "surprise"),
        ({**LEAD, "recipient_org_ids": ["abc"]}, "recipient_org_ids.0"),
    ]
    for body, field in cases:
        response = api.post("/leads", json=body, headers=world["c"])
        assert response.status_code == 422, body
        assert response.json()["field"] == field, response.json()
    for params in [{"page_size": 0}, {"page_size": 101}, {"status": "lost"}, {"sort": "x"}]:
        response = api.get("/leads", params=params, headers=world["c"])
        assert response.status_code == 422 and response.json()["detail"], params
    misspelt = api.get("/leads", params={"stauts": "draft"}, headers=world["c"])
    assert misspelt.status_code == 422 and misspelt.json()["field"] == "stauts"
    unreadable = api.post(
        "/leads",
        content=b"\x00 not json",
        headers={**world["c"], "Content-Type": "application/json"},
    )
    assert unreadable.status_code in (400, 422) and unreadable.json()["detail"]
    bad_date = api.get("/leads", params={"created_from": "yesterday"}, headers=world["c"])
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "created_from"


def test_paging_is_bounded_and_stable(api, world):
    ids = [_lead(api, world)["lead_id"] for _ in range(3)]
    first = api.get("/leads", params={"page_size": 2}, headers=world["c"]).json()
    second = api.get("/leads", params={"page_size": 2, "page": 2}, headers=world["c"]).json()
    assert first["total"] == second["total"] == 3
    assert [r["id"] for r in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert api.get("/leads", params={"page": 9}, headers=world["c"]).json()["items"] == []


# deals -----------------------------------------------------------------------------------------


def _deal(api, world, headers="c", other="provider"):
    body = {"other_org_id": world[other].org_id, "name": "Rollout", "company": "Contoso"}
    response = api.post("/deals", json={**body, "amount": "5000"}, headers=world[headers])
    assert response.status_code == 201, response.text
    return response.json()["deal_id"]


def test_deal_registration_listing_and_stage_with_optimistic_locking(api, session, world):
    deal_id = _deal(api, world)
    listed = api.get("/deals", params={"approval": "pending"}, headers=world["p"]).json()
    assert [row["id"] for row in listed["items"]] == [deal_id]
    seen = api.get(f"/deals/{deal_id}", headers=world["c"]).json()
    stage = deal_stage(session, world["provider"], "Closed Won")
    refused = api.post(
        f"/deals/{deal_id}/stage",
        json={"version": seen["version"], "stage_id": stage},
        headers=world["c"],
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the provider closes a deal as won."
    other = next(
        s
        for s in (deal_stage(session, world["provider"], n) for n in ("Proposal", "Negotiation"))
        if s != seen["stage_id"]
    )
    body = {"version": seen["version"], "stage_id": other}
    assert api.post(f"/deals/{deal_id}/stage", json=body, headers=world["c"]).status_code == 200
    stale = api.post(f"/deals/{deal_id}/stage", json=body, headers=world["p"])
    assert stale.status_code == 409
    lost = deal_stage(session, world["provider"], "Closed Lost")
    fresh = api.get(f"/deals/{deal_id}", headers=world["p"]).json()["version"]
    no_reason = api.post(
        f"/deals/{deal_id}/stage", json={"version": fresh, "stage_id": lost}, headers=world["p"]
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"


def test_deals_of_other_organizations_are_not_found(api, world):
    deal_id = _deal(api, world)
    assert api.get(f"/deals/{deal_id}", headers=world["s"]).status_code == 404
    body = {"version": 1, "stage_id": 1}
    assert api.post(f"/deals/{deal_id}/stage", json=body, headers=world["s"]).status_code == 404
    assert api.get("/deals", headers=world["s"]).json()["total"] == 0
    # registering with a provider one is not partnered with
    response = api.post(
        "/deals",
        json={"other_org_id": world["provider"].org_id, "name": "x", "company": "y"},
        headers=world["s"],
    )
    assert response.status_code in (403, 404, 422) and response.json()["detail"]


def test_a_provider_records_a_deal_for_a_partner(api, world):
    deal_id = _deal(api, world, headers="p", other="consultant")
    seen = api.get(f"/deals/{deal_id}", headers=world["c"]).json()
    assert seen["approval"] == "approved" and seen["provider_name"] == "Northwind"
    bad = api.post(
        "/deals",
        json={
            "other_org_id": world["consultant"].org_id,
            "name": "x",
            "company": "y",
            "amount": -1,
        },
        headers=world["p"],
    )
    assert bad.status_code == 422 and bad.json()["field"] == "amount"


# partners --------------------------------------------------------------------------------------


def test_partners_and_providers_each_to_their_side(api, world):
    partners_seen = api.get("/partners", headers=world["p"]).json()
    assert [p["consultant_name"] for p in partners_seen["items"]] == ["Fabrikam"]
    assert partners_seen["total"] == 1
    providers_seen = api.get("/providers", headers=world["c"]).json()
    assert [p["provider_name"] for p in providers_seen["items"]] == ["Northwind"]
    assert api.get("/partners", headers=world["c"]).status_code == 403
    assert api.get("/providers", headers=world["p"]).status_code == 403
    assert api.get("/providers", headers=world["s"]).json()["items"] == []
    searched = api.get("/partners", params={"search": "zzz"}, headers=world["p"]).json()
    assert searched["items"] == []


def test_partner_and_provider_lists_take_paging(api, session, world):
    for name in ("Adatum", "Contoso"):
        partners(
            session, world["provider"], org_admin(session, kind=OrgKind.CONSULTANT, org_name=name)
        )
    first = api.get("/partners", params={"page_size": 2}, headers=world["p"]).json()
    second = api.get("/partners", params={"page_size": 2, "page": 2}, headers=world["p"]).json()
    names = [p["consultant_name"] for p in first["items"] + second["items"]]
    assert names == ["Adatum", "Contoso", "Fabrikam"]
    assert first["total"] == second["total"] == 3
    past = api.get("/partners", params={"page": 5}, headers=world["p"]).json()
    assert past["items"] == [] and past["total"] == 3
    assert api.get("/partners", params={"page_size": 101}, headers=world["p"]).status_code == 422
    providers_page = api.get("/providers", params={"page": 2}, headers=world["c"]).json()
    assert providers_page == {"items": [], "total": 1, "page": 2, "page_size": 25}


def test_a_malformed_sign_out_target_goes_to_sign_in_not_a_500():
    from starlette.testclient import TestClient

    from prm_app import settings
    from prm_app.http_api import api

    client = TestClient(api, follow_redirects=False)
    portal = {"Origin": settings.origins()[0]}
    left = client.post("/auth/signout", data={"next": "http://[::1"}, headers=portal)
    assert left.status_code == 303 and left.headers["location"] == "/login"


@pytest.mark.parametrize("route", ["/auth/session", "/auth/signout"])
def test_the_sign_in_routes_read_no_large_body(route):
    """They take one short field: a large body, declared or streamed, is refused unread."""
    from starlette.testclient import TestClient

    from prm_app import settings
    from prm_app.http_api import SMALL_FORM, api

    client = TestClient(api, follow_redirects=False)
    portal = {"Origin": settings.origins()[0]}
    declared = client.post(route, data={"ticket": "x" * SMALL_FORM}, headers=portal)
    assert declared.status_code == 413

    def streamed():
        for _ in range(1024):
            yield b"x" * 1024

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post(route, content=streamed(), headers=portal | form).status_code == 413


def test_a_partner_withdraws_and_resubmits_over_the_api(api, session, world):
    deal_id = _deal(api, world)
    seen = api.get(f"/deals/{deal_id}", headers=world["c"]).json()
    body = {"version": seen["version"], "reason": "Customer paused"}
    assert api.post(f"/deals/{deal_id}/withdraw", json=body, headers=world["s"]).status_code == 404
    refused = api.post(f"/deals/{deal_id}/withdraw", json=body, headers=world["p"])
    assert refused.status_code == 403
    empty = api.post(f"/deals/{deal_id}/withdraw", json={**body, "reason": ""}, headers=world["c"])
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    assert api.post(f"/deals/{deal_id}/withdraw", json=body, headers=world["c"]).status_code == 200
    assert api.post(f"/deals/{deal_id}/withdraw", json=body, headers=world["c"]).status_code == 409
    withdrawn = api.get(f"/deals/{deal_id}", headers=world["p"]).json()
    assert (withdrawn["approval"], withdrawn["withdrawal_reason"]) == ("withdrawn", body["reason"])
    assert withdrawn["allowed"] == []
    listed = api.get("/deals", params={"approval": "withdrawn"}, headers=world["p"]).json()
    assert [row["id"] for row in listed["items"]] == [deal_id]

    again = {"name": "Rollout, again", "company": "Contoso", "amount": "4000"}
    final = api.post(f"/deals/{deal_id}/resubmit", json=again, headers=world["c"])
    assert final.status_code == 422 and "withdrawn" in final.json()["detail"]

    rejected_id = _deal(api, world)
    version = api.get(f"/deals/{rejected_id}", headers=world["p"]).json()["version"]
    deal_changes.reject(
        session, actor=world["provider"], deal_id=rejected_id, version=version, reason="Too small"
    )
    assert (
        api.post(f"/deals/{rejected_id}/resubmit", json=again, headers=world["p"]).status_code
        == 403
    )
    made = api.post(f"/deals/{rejected_id}/resubmit", json=again, headers=world["c"])
    assert made.status_code == 201, made.text
    new = api.get(f"/deals/{made.json()['deal_id']}", headers=world["p"]).json()
    assert (new["approval"], new["resubmitted_from_id"]) == ("pending", rejected_id)
    schema = api.get("/openapi.json").json()
    assert {"/deals/{deal_id}/withdraw", "/deals/{deal_id}/resubmit"} <= set(schema["paths"])
