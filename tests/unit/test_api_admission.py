"""What an API request passes before its route runs: the key first (a stranger's body is never
read), a bounded body, and Idempotency-Key replays; and the API's refusal of a retried lead."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select, update

from prm_app.models import IdempotentRequest, Lead, OrgKind
from prm_app.rest_api import admission
from prm_app.services.identity import api_keys, auth
from prm_app.services.integrations import idempotency
from prm_app.services.leads import DUPLICATE
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import org_admin, partners

LEAD = {"first_name": "Grace", "last_name": "Hopper", "company": "Navy Labs"}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, consultant)
    other = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Elsewhere")
    partners(session, provider, other)
    return {
        "provider": provider,
        "c": key_for(session, consultant),
        "o": key_for(session, other),
    }


@pytest.fixture
def api(session):
    return client_over(session)


def _body(world, email="grace@navy.example", **extra):
    return {**LEAD, "email": email, "recipient_org_ids": [world["provider"].org_id], **extra}


def _leads(session) -> int:
    return session.exec(select(func.count()).select_from(Lead)).one()


# the key before the body --------------------------------------------------------------------


def test_without_a_key_the_body_is_never_read(api):
    # Not JSON, and far over the limit: a stranger still gets 401, not 400 or 413.
    response = api.post("/leads", content=b"{" * (admission.MAX_BODY + 10))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    bad_scheme = api.post("/leads", content=b"{}", headers={"Authorization": "Basic abc"})
    assert bad_scheme.status_code == 401


def test_the_documentation_needs_no_key(api):
    assert api.get("/openapi.json").status_code == 200
    assert api.get("/docs").status_code == 200


def test_a_body_over_the_limit_is_refused_as_it_arrives(api, world):
    declared = api.post("/leads", content=b"x" * (admission.MAX_BODY + 1), headers=world["c"])
    assert declared.status_code == 413
    assert declared.json()["detail"] == admission.TOO_LARGE

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(admission.MAX_BODY // 65536 + 2):
            yield b"x" * 65536

    streamed = api.post("/leads", content=chunks(), headers=world["c"])
    assert streamed.status_code == 413


def test_a_body_within_the_limit_reaches_the_route(api, world, session):
    response = api.post("/leads", json=_body(world), headers=world["c"])
    assert response.status_code == 201, response.text
    assert _leads(session) == 1


# idempotency keys ---------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_response(api, world, session):
    headers = {**world["c"], "Idempotency-Key": "7f1c2a9e-retry"}
    first = api.post("/leads", json=_body(world), headers=headers)
    again = api.post("/leads", json=_body(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers[admission.REPLAYED] == "true"
    assert admission.REPLAYED not in first.headers
    assert _leads(session) == 1


def test_the_same_key_with_another_body_is_refused(api, world, session):
    headers = {**world["c"], "Idempotency-Key": "order-1"}
    assert api.post("/leads", json=_body(world), headers=headers).status_code == 201
    other = api.post("/leads", json=_body(world, email="ada@navy.example"), headers=headers)
    assert other.status_code == 422
    assert other.json() == {"detail": idempotency.OTHER_REQUEST, "field": "Idempotency-Key"}
    assert _leads(session) == 1


def test_keys_belong_to_one_organization(api, world, session):
    key = {"Idempotency-Key": "shared-name"}
    mine = api.post("/leads", json=_body(world), headers={**world["c"], **key})
    theirs = api.post("/leads", json=_body(world), headers={**world["o"], **key})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["lead_id"] != theirs.json()["lead_id"]
    assert _leads(session) == 2


def test_a_key_is_kept_for_a_day(api, world, session):
    headers = {**world["c"], "Idempotency-Key": "daily"}
    first = api.post("/leads", json=_body(world), headers=headers).json()
    day_ago = idempotency.KEEP + timedelta(minutes=1)
    for table in (IdempotentRequest, Lead):  # a day later: the lead is no recent duplicate
        session.exec(update(table).values(created_at=col(table.created_at) - day_ago))
    later = api.post("/leads", json=_body(world), headers=headers)
    assert later.status_code == 201
    assert admission.REPLAYED not in later.headers
    assert later.json()["lead_id"] != first["lead_id"]


def test_a_key_still_running_is_refused_until_its_claim_goes_stale(api, world, session):
    headers = {**world["c"], "Idempotency-Key": "slow"}
    body = _body(world)
    request = api.build_request("POST", "/leads", json=body, headers=headers)
    fingerprint = idempotency.fingerprint("POST", "/leads", "", request.read())
    actor = api_keys.resolve(session, key=headers["Authorization"].removeprefix("Bearer "))
    session.add(IdempotentRequest(org_id=actor.org_id, key="slow", fingerprint=fingerprint))
    session.flush()
    busy = api.post("/leads", json=body, headers=headers)
    assert busy.status_code == 409
    assert busy.json()["detail"] == idempotency.IN_PROGRESS
    session.exec(
        update(IdempotentRequest).values(
            created_at=col(IdempotentRequest.created_at) - idempotency.STALE
        )
    )
    assert api.post("/leads", json=body, headers=headers).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "é"])
def test_a_malformed_key_is_refused_with_what_a_key_must_be(api, world, key, session):
    headers = {**world["c"], "Idempotency-Key": key.encode()}
    response = api.post("/leads", json=_body(world), headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == idempotency.BAD_KEY
    assert _leads(session) == 0


def test_reads_ignore_the_key(api, world):
    headers = {**world["c"], "Idempotency-Key": "read"}
    assert api.get("/leads", headers=headers).status_code == 200
    assert api.get("/leads", headers=headers).headers.get(admission.REPLAYED) is None


# a retried lead without a key ---------------------------------------------------------------


def test_the_api_refuses_the_same_lead_twice_in_a_row_like_the_import(api, world, session):
    assert api.post("/leads", json=_body(world), headers=world["c"]).status_code == 201
    again = api.post("/leads", json=_body(world), headers=world["c"])
    assert again.status_code == 422
    assert again.json() == {"detail": DUPLICATE.format(noun="lead"), "field": "email"}
    other_company = _body(world, company="Navy Yard")
    assert api.post("/leads", json=other_company, headers=world["c"]).status_code == 201
    assert _leads(session) == 2
