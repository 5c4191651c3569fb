"""Password rules, the mailed reset link and changing one's password (services.identity)."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from prm_app.models import AccountToken, AuthSession, OutboundEmail, SecurityEvent, utcnow
from prm_app.services.core.errors import Invalid, NotAuthenticated
from prm_app.services.identity import account_links, auth, passwords, rate_limits, reauth
from prm_app.services.identity.security_log import Client
from tests.unit.factories import PASSWORD, org_admin, signed_in, user_row

NEW = "a brand new passphrase"


def later(monkeypatch, module, **delta):
    """Move `module`'s clock forward by `delta`."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(f"{module.__name__}.utcnow", lambda: moved)


def mails_to(session, address: str) -> list[OutboundEmail]:
    session.flush()
    return list(
        session.exec(
            select(OutboundEmail)
            .where(OutboundEmail.to_address == address)
            .order_by(col(OutboundEmail.id))
        )
    )


def link_token(mail: OutboundEmail) -> str:
    return mail.body.split("?token=", 1)[1].split()[0]


def security_kinds(session, user_id: int) -> list[str]:
    session.flush()
    return list(
        session.exec(
            select(SecurityEvent.kind)
            .where(SecurityEvent.user_id == user_id)
            .order_by(col(SecurityEvent.id))
        )
    )


def open_sessions(session, user_id: int) -> int:
    session.flush()
    return len(
        session.exec(
            select(AuthSession.id).where(
                AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None)
            )
        ).all()
    )


# The rules


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x" * (auth.MIN_PASSWORD - 1), auth.TOO_SHORT),
        ("x" * (auth.MAX_PASSWORD + 1), "at most 256"),
        ("passwordstandard", auth.TOO_COMMON),  # in zxcvbn's list
        ("QWERTY123456", auth.TOO_COMMON),  # compared case-insensitively
        ("rose.tyler.bbc@example.com", auth.IS_EMAIL),
        ("Rose.Tyler.BBC", auth.IS_EMAIL),  # the local part
        (None, auth.TOO_SHORT),
        (["a long list of words"], auth.TOO_SHORT),
    ],
)
def test_a_password_breaking_a_rule_is_refused(password, message):
    with pytest.raises(Invalid, match=message) as caught:
        auth.check_password(password, email="rose.tyler.bbc@example.com")
    assert caught.value.field == "password"


@pytest.mark.parametrize("password", ["x" * auth.MIN_PASSWORD, "no digits or capitals at all"])
def test_no_composition_rules_only_length_and_the_lists(password):
    assert auth.check_password(password, email="someone@example.com") == password


def test_the_common_list_is_zxcvbns_and_loaded_once():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    assert auth._common_passwords() is auth._common_passwords()
    assert len(auth._common_passwords()) > 20_000
    assert all(w.lower() in auth._common_passwords() for w in FREQUENCY_LISTS["passwords"][:50])


def test_sign_up_applies_the_rules_with_the_persons_address(session):
    with pytest.raises(Invalid, match=auth.IS_EMAIL):
        org_admin(session, email="longlocalpart@example.com", password="LongLocalPart")
    with pytest.raises(Invalid, match=auth.TOO_COMMON):
        org_admin(session, password="123456789101")


# Forgot password


def test_the_answer_is_the_same_for_unknown_and_known_addresses(session):
    admin = org_admin(session)
    known = passwords.request_reset(session, email=admin.email, client=Client("10.0.0.1"))
    unknown = passwords.request_reset(
        session, email="nobody@example.com", client=Client("10.0.0.1")
    )
    assert known == unknown == passwords.LINK_SENT
    assert len(mails_to(session, admin.email)) == 1
    assert mails_to(session, "nobody@example.com") == []


def test_reset_sets_the_password_ends_every_session_and_tells_the_person(session):
    admin = org_admin(session)
    signed_in(session, admin)
    signed_in(session, admin)
    user = user_row(session, admin.user_id)
    user.email_verified_at = None  # opening the link proves the address
    passwords.request_reset(session, email=admin.email)
    token = link_token(mails_to(session, admin.email)[-1])
    assert passwords.describe_reset(session, token=token) == admin.email
    passwords.reset(session, token=token, password=NEW, password_again=NEW)
    user = user_row(session, admin.user_id)
    assert auth.password_matches(user, NEW) and not auth.password_matches(user, PASSWORD)
    assert user.password_changed_at is not None and user.email_verified_at is not None
    assert open_sessions(session, admin.user_id) == 0
    assert mails_to(session, admin.email)[-1].subject == "Your password was changed"
    assert security_kinds(session, admin.user_id)[-1] == "password_reset"
    with pytest.raises(auth.SignInFailed):
        auth.authenticate(session, email=admin.email, password=PASSWORD)
    assert auth.authenticate(session, email=admin.email, password=NEW).user_id == admin.user_id


def test_a_reset_link_works_once(session):
    admin = org_admin(session)
    passwords.request_reset(session, email=admin.email)
    token = link_token(mails_to(session, admin.email)[-1])
    passwords.reset(session, token=token, password=NEW, password_again=NEW)
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        passwords.reset(session, token=token, password=NEW + "!", password_again=NEW + "!")
    assert auth.password_matches(user_row(session, admin.user_id), NEW)


def test_a_reset_link_expires_after_30_minutes(session, monkeypatch):
    admin = org_admin(session)
    passwords.request_reset(session, email=admin.email)
    token = link_token(mails_to(session, admin.email)[-1])
    later(monkeypatch, account_links, minutes=29)
    assert passwords.describe_reset(session, token=token) == admin.email
    later(monkeypatch, account_links, minutes=31)
    with pytest.raises(NotAuthenticated):
        passwords.describe_reset(session, token=token)
    with pytest.raises(NotAuthenticated):
        passwords.reset(session, token=token, password=NEW, password_again=NEW)
    assert auth.password_matches(user_row(session, admin.user_id), PASSWORD)


def test_a_new_link_retires_the_earlier_one(session):
    admin = org_admin(session)
    passwords.request_reset(session, email=admin.email)
    passwords.request_reset(session, email=admin.email)
    first, second = (link_token(m) for m in mails_to(session, admin.email))
    with pytest.raises(NotAuthenticated):
        passwords.describe_reset(session, token=first)
    assert passwords.describe_reset(session, token=second) == admin.email


def test_a_refused_new_password_keeps_the_link_open(session):
    admin = org_admin(session)
    passwords.request_reset(session, email=admin.email)
    token = link_token(mails_to(session, admin.email)[-1])
    with pytest.raises(Invalid, match=auth.TOO_SHORT):
        passwords.reset(session, token=token, password="short", password_again="short")
    with pytest.raises(Invalid, match=passwords.DIFFERENT) as caught:
        passwords.reset(session, token=token, password=NEW, password_again=NEW + "x")
    assert caught.value.field == "password_again"
    session.flush()
    row = session.exec(
        select(AccountToken).where(
            AccountToken.user_id == admin.user_id,
            AccountToken.purpose == account_links.RESET_PASSWORD,
        )
    ).one()
    assert row.used_at is None


@pytest.mark.parametrize("token", ["", "x" * 43, None, {"$ne": ""}, ["a"]])
def test_a_made_up_token_resets_nothing(session, token):
    with pytest.raises(NotAuthenticated):
        passwords.reset(session, token=token, password=NEW, password_again=NEW)


def test_requests_are_limited_per_address(session):
    admin = org_admin(session)
    for n in range(passwords.PER_ADDRESS.count):
        passwords.request_reset(session, email=admin.email, client=Client(f"10.1.0.{n}"))
    with pytest.raises(rate_limits.TooMany, match="Try again in"):
        passwords.request_reset(session, email=admin.email, client=Client("10.1.1.1"))
    assert len(mails_to(session, admin.email)) == passwords.PER_ADDRESS.count
    # The same answer (and limit) for an address without an account.
    for _ in range(passwords.PER_ADDRESS.count):
        passwords.request_reset(session, email="ghost@example.com", client=Client("10.1.2.1"))
    with pytest.raises(rate_limits.TooMany):
        passwords.request_reset(session, email="ghost@example.com", client=Client("10.1.2.2"))
    later(monkeypatch := pytest.MonkeyPatch(), rate_limits, hours=1, minutes=1)
    try:
        passwords.request_reset(session, email=admin.email, client=Client("10.1.1.1"))
    finally:
        monkeypatch.undo()


def test_requests_are_limited_per_client_address(session):
    for n in range(passwords.PER_CLIENT.count):
        passwords.request_reset(session, email=f"probe{n}@example.com", client=Client("10.2.0.1"))
    with pytest.raises(rate_limits.TooMany):
        passwords.request_reset(session, email="probe-x@example.com", client=Client("10.2.0.1"))
    passwords.request_reset(session, email="probe-x@example.com", client=Client("10.2.0.2"))


# Change password


def test_change_keeps_this_session_ends_the_others_and_tells_the_person(session):
    admin = org_admin(session)
    here = signed_in(session, admin)
    signed_in(session, admin)
    passwords.change(
        session, actor=admin, current=PASSWORD, password=NEW, password_again=NEW, keep_token=here
    )
    assert auth.password_matches(user_row(session, admin.user_id), NEW)
    assert open_sessions(session, admin.user_id) == 1
    assert auth.resolve(session, token=here) is not None
    assert mails_to(session, admin.email)[-1].subject == "Your password was changed"
    assert security_kinds(session, admin.user_id)[-1] == "password_changed"


def test_change_needs_the_current_password_and_a_valid_new_one(session):
    admin = org_admin(session)
    with pytest.raises(Invalid, match=reauth.WRONG) as caught:
        passwords.change(
            session,
            actor=admin,
            current="not my password",
            password=NEW,
            password_again=NEW,
            keep_token=None,
        )
    assert caught.value.field == "current"
    with pytest.raises(Invalid, match=auth.TOO_COMMON):
        passwords.change(
            session,
            actor=admin,
            current=PASSWORD,
            password="qwerty123456",
            password_again="qwerty123456",
            keep_token=None,
        )
    with pytest.raises(Invalid, match="your current password"):
        passwords.change(
            session,
            actor=admin,
            current=PASSWORD,
            password=PASSWORD,
            password_again=PASSWORD,
            keep_token=None,
        )
    assert auth.password_matches(user_row(session, admin.user_id), PASSWORD)
    assert mails_to(session, admin.email) == []
