"""The REST API on the running app: every operation of its OpenAPI document refuses a client
without a valid key, and a stranger organization's key finds nothing of another's records."""

import re
import uuid

import httpx
from sqlmodel import Session, col, select

from prm_app.models import Deal, Lead, LeadRecipient, OrgKind
from prm_app.services.identity import api_keys, auth
from tests.harness import DEMO_PASSWORD
from tests.security.test_anonymous_access import api_url, secrets_in_db

FABRIKAM = "admin@fabrikam.example"
FORGED = "prm_0123456789ab_" + "A" * 43


def _operations() -> list[tuple[str, str]]:
    """(method, path with every id set to 1) of every operation the live document lists."""
    document = httpx.get(f"{api_url()}/api/v1/openapi.json").json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, methods in document["paths"].items()
        for method in methods
    ]


def _call(method: str, path: str, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    body = {} if method == "POST" else None
    return httpx.request(method, f"{api_url()}/api/v1{path}", headers=headers, json=body)


def _key(db, actor, role="admin") -> api_keys.NewKey:
    with Session(db) as session:
        made = api_keys.create(session, actor=actor, name="security test", role=role)
        session.commit()
    return made


def test_every_operation_refuses_a_missing_forged_or_revoked_key(harness, db):
    with Session(db) as session:
        fabrikam = auth.authenticate(session, email=FABRIKAM, password=DEMO_PASSWORD)
    made = _key(db, fabrikam)
    with Session(db) as session:
        api_keys.revoke(session, actor=fabrikam, key_id=made.id)
        session.commit()
    revoked = made.key
    operations = _operations()
    assert len(operations) >= 15
    secrets = secrets_in_db(db)
    failures = []
    for method, path in operations:
        for key in (None, "forged", FORGED, revoked, revoked[:-1] + "x"):
            response = _call(method, path, key)
            if response.status_code != 401:
                failures.append(f"{method} {path} with {key!r:.20}: {response.status_code}")
            if leaked := [s for s in secrets if s in response.text]:
                failures.append(f"{method} {path} revealed {leaked[:3]}")
    assert not failures, "\n".join(failures)


def test_a_stranger_organizations_key_finds_nothing_of_fabrikams(harness, db):
    with Session(db) as session:
        fabrikam = auth.authenticate(session, email=FABRIKAM, password=DEMO_PASSWORD)
        stranger = auth.sign_up(
            session,
            org_name="Stranger Software",
            org_kind=OrgKind.PROVIDER,
            name="Stan Stranger",
            email=f"stan-{uuid.uuid4().hex[:6]}@stranger.example",
            password=DEMO_PASSWORD,
        )
        session.commit()
        lead_ids = session.exec(
            select(Lead.id).where(Lead.origin_org_id == fabrikam.org_id).limit(5)
        ).all()
        recipient_ids = session.exec(
            select(LeadRecipient.id).where(LeadRecipient.org_id == fabrikam.org_id).limit(5)
        ).all()
        deal_ids = session.exec(
            select(Deal.id).where(col(Deal.partner_org_id) == fabrikam.org_id).limit(5)
        ).all()
    assert lead_ids and recipient_ids and deal_ids
    key = _key(db, stranger).key
    secrets = secrets_in_db(db) - {"Stranger Software", "Stan Stranger"}
    checks = [("GET", f"/leads/{i}") for i in lead_ids]
    checks += [("GET", f"/deals/{i}") for i in deal_ids]
    checks += [("POST", f"/received-leads/{i}/accept") for i in recipient_ids]
    checks += [("POST", f"/deals/{i}/stage") for i in deal_ids]  # an empty body: 422 first
    for method, path in checks:
        response = _call(method, path, key)
        assert response.status_code in (404, 422), (method, path, response.status_code)
        if method == "GET" or path.endswith("accept"):
            assert response.status_code == 404, (method, path)
        assert not [s for s in secrets if s in response.text], (method, path)
    for path in ("/leads", "/received-leads", "/deals", "/partners"):
        listed = _call("GET", path, key).json()
        assert (listed["total"], listed["items"]) == (0, []), path
    # Its own /me names only itself.
    assert _call("GET", "/me", key).json()["org_name"] == "Stranger Software"
