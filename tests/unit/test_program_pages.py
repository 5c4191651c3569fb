"""The partner program's public pages, attacked: an unknown slug or a closed program is 404,
another provider's listing is 404, oversize and file bodies are refused, the honeypot and the
rate limit hold, answers are escaped, the headers forbid scripts."""

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from starlette.testclient import TestClient

from prm_app import program_pages, web_forms
from prm_app.http_api import api
from prm_app.models import Lead, OrgKind, OutboundEmail, PartnerApplication, Partnership, utcnow
from prm_app.services import program
from prm_app.services.core import public_forms
from prm_app.services.identity import auth
from prm_app.services.program import applications
from tests.unit.api_support import units_of_work
from tests.unit.factories import org_admin, partners

ANSWERS = {"firm": "Fabrikam", "name": "Fay Brik", "email": "fay@fabrikam.example"}
VISITOR = {"first_name": "Vic", "last_name": "Tor", "email": "vic@t.example", "company": "T"}


@pytest.fixture(autouse=True)
def _setup(monkeypatch, session):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(program_pages, "unit_of_work", units_of_work(session))


@pytest.fixture
def client():
    return TestClient(api, follow_redirects=False)


@pytest.fixture
def provider(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind <Labs>")
    program.set_program(
        session, actor=admin, slug="northwind", applications_open=True, locator_published=True
    )
    return admin


@pytest.fixture
def listing(session, provider):
    """The listing id of a partner who opted in."""
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    partnership_id = session.exec(
        select(Partnership.id).where(Partnership.consultant_org_id == firm.org_id)
    ).one()
    program.save_listing(
        session,
        actor=firm,
        partnership_id=partnership_id,
        published=True,
        description="<b>We</b> integrate",
        website="https://fabrikam.example",
        country="Ireland",
        product_ids=[],
    )
    return program.locator_page(session, slug="northwind").partners[0].listing_id


def _served(html: str) -> str:
    return re.search(r'name="served" value="([^"]+)"', html).group(1)


def _aged(session, page: str) -> str:
    """A served time a person could have taken (signed like the page's own)."""
    key = program.open_program(session, "northwind").stamp_key
    at = int((utcnow() - timedelta(seconds=30)).timestamp())
    return public_forms.served_stamp(key, page, at)


def test_the_apply_page_shows_its_questions_a_trap_and_strict_headers(client, provider):
    page = client.get("/apply/northwind")
    assert page.status_code == 200
    for name in ("firm", "name", "email", "web_address", "country", "partner_type_id", "website"):
        assert f'name="{name}"' in page.text
    assert "Northwind &lt;Labs&gt;" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


@pytest.mark.parametrize(
    "path", ["/apply/nobody", "/apply/NORTHWIND", "/apply/a%3Cb%3E", "/partners/nobody"]
)
def test_an_unknown_slug_is_404(client, provider, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data=ANSWERS).status_code in (404, 405)


def test_a_closed_program_is_404(client, session, provider, listing):
    program.set_program(
        session, actor=provider, slug="northwind", applications_open=False, locator_published=False
    )
    assert client.get("/apply/northwind").status_code == 404
    assert client.post("/apply/northwind", data=ANSWERS).status_code == 404
    assert client.get("/partners/northwind").status_code == 404
    contact = f"/partners/northwind/{listing}/contact"
    assert client.get(contact).status_code == 404
    assert client.post(contact, data=VISITOR).status_code == 404


def test_an_application_goes_through_and_the_mailed_link_confirms_it(client, session, provider):
    data = {**ANSWERS, "served": _aged(session, applications.page_name("northwind"))}
    response = client.post("/apply/northwind", data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/apply/northwind/thanks"
    body = session.exec(select(OutboundEmail.body)).all()[-1]
    link = re.search(r"(/apply/northwind/confirm\?token=[\w-]+)", body).group(1)
    assert "Address confirmed" in client.get(link).text
    assert [a.firm for a in program.queue(session, actor=provider)] == ["Fabrikam"]
    assert client.get("/apply/northwind/confirm?token=" + "A" * 40).status_code == 404


def test_bad_answers_come_back_escaped_with_400(client, session, provider):
    data = {
        **ANSWERS,
        "firm": '"><script>x</script>',
        "email": "nope",
        "served": _aged(session, applications.page_name("northwind")),
    }
    response = client.post("/apply/northwind", data=data)
    assert response.status_code == 400
    assert "<script>x" not in response.text and "&lt;script&gt;" in response.text
    assert "is not a valid email address" in response.text


def test_the_honeypot_and_a_missing_served_time_create_nothing(client, session, provider):
    served = _aged(session, applications.page_name("northwind"))
    for data in ({**ANSWERS, "website": "http://spam", "served": served}, ANSWERS):
        assert client.post("/apply/northwind", data=data).status_code == 303
    assert session.exec(select(PartnerApplication)).all() == []


def test_oversize_files_and_too_many_fields_are_refused(client, provider):
    big = {**ANSWERS, "message": "x" * (web_forms.MAX_BODY + 1)}
    assert client.post("/apply/northwind", data=big).status_code == 413
    files = {"file": ("a.txt", b"hello", "text/plain")}
    assert client.post("/apply/northwind", files=files).status_code == 415
    many = {f"f{i}": "1" for i in range(web_forms.MAX_FIELDS + 1)}
    assert client.post("/apply/northwind", data=many).status_code == 400


def test_a_client_past_the_limit_gets_429(client, session, provider):
    for _ in range(applications.PER_CLIENT.count):
        assert client.post("/apply/northwind", data=ANSWERS).status_code == 303  # bots count
    assert client.post("/apply/northwind", data=ANSWERS).status_code == 429


def test_the_locator_lists_escapes_and_takes_a_contact(client, session, provider, listing):
    page = client.get("/partners/northwind?tier=abc&country=<x>")
    assert page.status_code == 200
    assert "&lt;b&gt;We&lt;/b&gt;" in page.text and "<b>We" not in page.text
    contact = f"/partners/northwind/{listing}/contact"
    assert contact in page.text
    form = client.get(contact)
    assert form.status_code == 200
    data = {**VISITOR, "served": _aged(session, "partners/northwind")}
    response = client.post(contact, data=data)
    assert response.status_code == 303
    assert "Thank you" in client.get(response.headers["location"]).text
    assert [lead.company for lead in session.exec(select(Lead)).all()] == ["T"]


def test_another_providers_listing_is_404(client, session, provider, listing):
    other = org_admin(session, kind=OrgKind.PROVIDER)
    program.set_program(
        session, actor=other, slug="other", applications_open=False, locator_published=True
    )
    for path in (f"/partners/other/{listing}/contact", "/partners/northwind/99999/contact"):
        assert client.get(path).status_code == 404
        assert client.post(path, data=VISITOR).status_code == 404
    assert client.get("/partners/northwind/abc/contact").status_code == 404
    assert session.exec(select(Lead)).all() == []
