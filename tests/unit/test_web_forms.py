"""The public form pages: shown, submitted (303 to thanks), refused with the problem, limited."""

import re

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from starlette.testclient import TestClient

from prm_app import web_forms
from prm_app.http_api import api
from prm_app.models import FormSubmission, Lead, OrgKind
from prm_app.services.identity import auth
from prm_app.services.leads import forms as lead_forms
from tests.unit.api_support import units_of_work
from tests.unit.factories import org_admin, paced, partner_form

PERSON = {
    "first_name": "Lin",
    "last_name": "Webb",
    "email": "lin@webb.example",
    "company": "Webb & Co",
}


@pytest.fixture(autouse=True)
def _setup(monkeypatch, session):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(web_forms, "unit_of_work", units_of_work(session))


@pytest.fixture
def form(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind <Labs>")
    return partner_form(session, provider, name="Talk to sales", fields=["notes"])[0]


@pytest.fixture
def client():
    return TestClient(api, follow_redirects=False)


def _leads(session, form):
    """The companies of the referrals this form created."""
    return session.exec(
        select(Lead.company)
        .join(FormSubmission, FormSubmission.lead_id == Lead.id)
        .where(FormSubmission.form_id == form.id)
    ).all()


def test_the_form_page_shows_its_fields_and_a_hidden_trap(client, form):
    page = client.get(f"/forms/{form.token}")
    assert page.status_code == 200
    html = page.text
    for name in ("first_name", "last_name", "email", "company", "notes", "website"):
        assert f'name="{name}"' in html
    assert 'name="phone"' not in html
    assert "Northwind &lt;Labs&gt;" in html  # escaped
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]  # none allowed


def test_a_submission_redirects_to_thanks_and_creates_the_referral(client, session, form):
    sent = paced(session, form.token, {**PERSON, "notes": "Hello"})
    response = client.post(f"/forms/{form.token}", data=sent)
    assert response.status_code == 303
    assert response.headers["location"] == f"/forms/{form.token}/thanks"
    assert _leads(session, form) == ["Webb & Co"]
    assert "Thank you" in client.get(response.headers["location"]).text


def test_a_bad_submission_shows_the_problem_and_keeps_the_values_escaped(client, session, form):
    response = client.post(
        f"/forms/{form.token}",
        data=paced(
            session, form.token, {**PERSON, "email": "nope", "company": '"><script>x</script>'}
        ),
    )
    assert response.status_code == 400
    assert "is not a valid email address" in response.text
    assert "<script>x" not in response.text and "&lt;script&gt;x" in response.text
    assert _leads(session, form) == []


def test_bots_are_thanked_and_ignored_and_floods_are_limited(client, session, form):
    trapped = client.post(f"/forms/{form.token}", data={**PERSON, "website": "spam"})
    assert trapped.status_code == 303 and _leads(session, form) == []
    for _ in range(lead_forms.PER_CLIENT - 1):
        assert (
            client.post(f"/forms/{form.token}", data=paced(session, form.token, PERSON)).status_code
            == 303
        )
    limited = client.post(f"/forms/{form.token}", data=paced(session, form.token, PERSON))
    assert limited.status_code == 429 and "try again" in limited.text


def test_unknown_or_closed_forms_are_not_found(client, session, form):
    assert client.get("/forms/not-a-real-form-token-at-all").status_code == 404
    assert client.post("/forms/x", data=PERSON).status_code == 404
    huge = client.post(f"/forms/{form.token}", data={**PERSON, "notes": "x" * 30_000})
    assert huge.status_code == 413


def test_a_chunked_body_past_the_limit_is_refused_unread(client, session, form):
    """No Content-Length to check: the body is counted as it streams in."""

    def five_megabytes():
        yield b"first_name=Lin&notes="
        for _ in range(5 * 1024):
            yield b"x" * 1024

    huge = client.post(
        f"/forms/{form.token}",
        content=five_megabytes(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413 and "x" * 100 not in huge.text
    assert _leads(session, form) == []


def test_file_parts_and_field_floods_are_refused(client, session, form):
    with_file = client.post(
        f"/forms/{form.token}", data=PERSON, files={"cv": ("cv.pdf", b"%PDF-1.4 ...")}
    )
    assert with_file.status_code == 415
    flood = client.post(f"/forms/{form.token}", data={f"f{n}": "x" for n in range(100)})
    assert flood.status_code == 400
    assert _leads(session, form) == []


def test_a_long_value_is_never_echoed_whole(client, session, form):
    shown = client.post(
        f"/forms/{form.token}",
        data=paced(session, form.token, {**PERSON, "email": "not-an-email", "notes": "y" * 19_000}),
    )
    assert shown.status_code == 400
    assert (
        "y" * web_forms.MAX_ECHO in shown.text and "y" * (web_forms.MAX_ECHO + 1) not in shown.text
    )


def test_bots_cannot_use_up_the_forms_limit(client, session, form, monkeypatch):
    """Honeypot posts from many addresses are thanked and ignored, and the next real visitor
    still gets through."""
    monkeypatch.setenv("PRM_TRUSTED_PROXY_HOPS", "1")
    monkeypatch.setattr(lead_forms, "PER_FORM", 3)
    for n in range(10):
        bot = client.post(
            f"/forms/{form.token}",
            data={**PERSON, "website": "spam"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
        assert bot.status_code == 303
    visitor = client.post(
        f"/forms/{form.token}",
        data=paced(session, form.token, PERSON),
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert visitor.status_code == 303 and len(_leads(session, form)) == 1


def test_the_embed_code_escapes_every_attribute():
    code = lead_forms.embed_code(
        'https://prm.example/forms/abc"x', 'Contact" onload="alert(document.domain)'
    )
    assert 'onload="' not in code and "&quot; onload=&quot;" in code
    assert code.startswith('<iframe src="https://prm.example/forms/abc&quot;x" title="Contact')


def test_the_page_carries_when_it_was_served_and_a_quick_script_is_ignored(client, session, form):
    page = client.get(f"/forms/{form.token}").text
    served = re.search(r'name="served" value="([^"]+)"', page)
    assert served, "the form page carries its signed serving time"
    # Sent at once, as a script does: thanked, and nothing made.
    quick = client.post(f"/forms/{form.token}", data={**PERSON, "served": served.group(1)})
    assert quick.status_code == 303 and _leads(session, form) == []
