"""Sign-in throttling: an address locked out of one account, a growing delay for the account
from elsewhere (never more than a minute), a busy address refused except to the people who sign
in from it; the same for unknown emails, never reset by someone else's success, lifted when the
window passes, old failures swept."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from prm_app import client_address
from prm_app.models import FailedSignIn, utcnow
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth, throttle
from tests.unit.factories import PASSWORD, browser, org_admin, unique_email

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


def test_five_failures_lock_that_address_out_of_the_account_and_slow_it_elsewhere(session):
    admin = org_admin(session)
    fail(session, admin.email, 5)
    assert attempt(session, admin.email, PASSWORD) == THROTTLED  # even the right password
    # From another address the account is only slowed down: a second after the last failure.
    assert attempt(session, admin.email.upper(), PASSWORD, ip="203.0.113.9") == (
        "Too many failed sign-ins. Try again in 1 second."
    )
    age_failures(session, 2 / 60)
    assert attempt(session, admin.email, PASSWORD, ip="203.0.113.9") == "ok"
    assert attempt(session, admin.email, PASSWORD) == (
        "Too many failed sign-ins. Try again in 15 minutes."
    )


def test_the_accounts_delay_doubles_and_a_stranger_cannot_stretch_it_past_a_minute(session):
    """Failures from many addresses (a stranger, or a botnet) slow the account down, yet its
    owner can always get in within a minute of the last attempt."""
    admin = org_admin(session)
    for n in range(12):  # a new address every two failures: no address is ever locked out
        fail(session, admin.email, 1, ip=f"198.51.100.{n // 2 + 20}")
        if n >= 4:
            expected = min(2 ** (n - 4), 60)
            words = f"{expected} second" + ("s" if expected > 1 else "")
            if expected == 60:
                words = "1 minute"
            assert attempt(session, admin.email, PASSWORD, ip="203.0.113.50").endswith(
                f"Try again in {words}."
            )
            age_failures(session, expected / 60)
    assert attempt(session, admin.email, PASSWORD, ip="203.0.113.50") == "ok"


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


def test_people_who_sign_in_from_a_busy_address_are_not_locked_out_by_it(session, monkeypatch):
    """A shared office address sprayed by one noisy machine still lets in its regular users."""
    regular, newcomer = org_admin(session), org_admin(session)
    actor = auth.authenticate(session, email=regular.email, password=PASSWORD, ip="192.0.2.80")
    nonce, nonce_hash = browser()
    ticket = auth.issue_ticket(
        session, actor=actor, redirect_to="http://localhost:3000/", nonce_hash=nonce_hash
    )
    auth.redeem_ticket(
        session, ticket=ticket, nonce=nonce, ip="192.0.2.80"
    )  # a session from that address
    monkeypatch.setenv("PRM_SIGNIN_MAX_PER_IP", "6")
    for _ in range(3):
        fail(session, unique_email("spray"), 2, ip="192.0.2.80")
    assert attempt(session, regular.email, PASSWORD, ip="192.0.2.80") == "ok"
    assert attempt(session, newcomer.email, PASSWORD, ip="192.0.2.80") == THROTTLED


@pytest.mark.parametrize(
    ("peer", "forwarded", "hops", "client"),
    [
        ("10.0.0.2", "", 0, "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6", 0, "10.0.0.2"),  # no trusted proxy: the header is the client's
        ("10.0.0.2", "203.0.113.7", 1, "203.0.113.7"),  # Caddy appends the client
        ("10.0.0.2", "6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # a forged entry on the left
        ("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9", 2, "203.0.113.7"),
        ("10.0.0.2", "", 1, "10.0.0.2"),  # not through the proxy after all
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_vouch_for(peer, forwarded, hops, client):
    assert client_address.behind_proxies(peer, forwarded, hops) == client


def test_behind_the_proxy_one_clients_failures_do_not_block_another(session, monkeypatch):
    """50 failures arriving through the proxy are the attacker's, not everyone's."""
    admin = org_admin(session)
    proxy = "10.0.0.2"
    attacker = client_address.behind_proxies(proxy, "203.0.113.66", 1)
    colleague = client_address.behind_proxies(proxy, "203.0.113.77", 1)
    for _ in range(10):
        fail(session, unique_email("stuffing"), 5, ip=attacker)
    assert attempt(session, admin.email, PASSWORD, ip=attacker) == THROTTLED
    assert attempt(session, admin.email, PASSWORD, ip=colleague) == "ok"


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


@pytest.mark.parametrize("minutes,words", [(1, "1 minute."), (0.5, "30 seconds.")])
def test_the_message_never_says_zero_minutes(session, monkeypatch, minutes, words):
    admin = org_admin(session)
    fail(session, admin.email, 5)
    now = utcnow()  # the clock stops: a slow machine cannot shorten the wait by a second
    monkeypatch.setattr(throttle, "utcnow", lambda: now)
    for row in session.exec(select(FailedSignIn)).all():
        row.created_at = now - timedelta(minutes=15 - minutes)
        session.add(row)
    session.flush()
    assert attempt(session, admin.email, PASSWORD).endswith(words)
    assert session.exec(select(col(FailedSignIn.id))).all()
