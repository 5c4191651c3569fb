"""Sign-in throttling: per email and per client address, the same for unknown emails, never
reset by someone else's success, lifted when the window passes, old failures swept."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from prm_app.models import FailedSignIn
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth, throttle
from tests.unit.factories import PASSWORD, org_admin, unique_email

WRONG = "Wrong email or password."
THROTTLED = "Too many failed sign-ins. Try again in 15 minutes."


def attempt(session, email, password, ip="198.51.100.7") -> str:
    """The outcome of one sign-in, as the sign-in handler sees it: "ok" or the message."""
    try:
        auth.authenticate(session, email=email, password=password, ip=ip)
    except Invalid as error:
        return str(error)
    return "ok"


def fail(session, email, times, ip="198.51.100.7") -> None:
    for _ in range(times):
        assert attempt(session, email, "wrong password!", ip) == WRONG


def age_failures(session, minutes: float) -> None:
    """Move every stored failure `minutes` into the past."""
    for row in session.exec(select(FailedSignIn)).all():
        row.created_at -= timedelta(minutes=minutes)
        session.add(row)
    session.flush()


def test_five_failures_block_even_the_right_password(session):
    admin = org_admin(session)
    fail(session, admin.email, 5)
    assert attempt(session, admin.email, PASSWORD) == THROTTLED
    assert attempt(session, admin.email.upper(), PASSWORD, ip="203.0.113.9") == THROTTLED


def test_an_unknown_email_is_throttled_with_the_same_words(session):
    ghost = unique_email("ghost")
    fail(session, ghost, 5)
    assert attempt(session, ghost, PASSWORD) == THROTTLED


def test_fewer_failures_do_not_block_and_other_emails_are_unaffected(session):
    admin, other = org_admin(session), org_admin(session)
    fail(session, admin.email, 4)
    assert attempt(session, admin.email, PASSWORD) == "ok"
    fail(session, admin.email, 1)
    assert attempt(session, admin.email, PASSWORD) == THROTTLED
    assert attempt(session, other.email, PASSWORD) == "ok"


def test_a_success_does_not_reset_another_persons_counter(session):
    victim, attacker = org_admin(session), org_admin(session)
    fail(session, victim.email, 4)
    assert attempt(session, attacker.email, PASSWORD) == "ok"  # same address
    fail(session, victim.email, 1)
    assert attempt(session, victim.email, PASSWORD) == THROTTLED


def test_one_address_trying_many_emails_is_throttled(session, monkeypatch):
    monkeypatch.setenv("PRM_SIGNIN_MAX_PER_IP", "6")
    admin = org_admin(session)
    for _ in range(3):
        fail(session, unique_email("spray"), 2, ip="192.0.2.66")
    assert attempt(session, admin.email, PASSWORD, ip="192.0.2.66") == THROTTLED
    assert attempt(session, admin.email, PASSWORD, ip="192.0.2.67") == "ok"


def test_the_wait_shrinks_and_the_block_lifts_when_the_window_passes(session):
    admin = org_admin(session)
    fail(session, admin.email, 5)
    age_failures(session, 10)
    assert attempt(session, admin.email, PASSWORD) == (
        "Too many failed sign-ins. Try again in 5 minutes."
    )
    age_failures(session, 5.5)
    assert attempt(session, admin.email, PASSWORD) == "ok"


def test_failures_older_than_the_window_are_swept(session):
    admin = org_admin(session)
    fail(session, admin.email, 3)
    age_failures(session, 16)
    fail(session, unique_email("fresh"), 1)
    rows = session.exec(select(FailedSignIn)).all()
    assert len(rows) == 1
    assert rows[0].created_at > throttle.utcnow() - timedelta(minutes=1)


def test_no_clear_text_is_stored_and_malformed_emails_are_not_counted(session):
    admin = org_admin(session)
    fail(session, admin.email, 1, ip="192.0.2.99")
    for bad in (None, {"$gt": ""}, "not-an-email", "x" * 1000):
        assert attempt(session, bad, PASSWORD) == WRONG
    rows = session.exec(select(FailedSignIn)).all()
    assert len(rows) == 1
    stored = f"{rows[0].email_hash} {rows[0].ip_hash}"
    assert admin.email not in stored and "192.0.2.99" not in stored


@pytest.mark.parametrize("minutes,words", [(1, "1 minute."), (0.5, "1 minute.")])
def test_the_message_never_says_zero_minutes(session, minutes, words):
    admin = org_admin(session)
    fail(session, admin.email, 5)
    age_failures(session, 15 - minutes)
    assert attempt(session, admin.email, PASSWORD).endswith(words)
    assert session.exec(select(col(FailedSignIn.id))).all()
