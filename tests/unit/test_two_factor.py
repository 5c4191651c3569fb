"""Two-factor sign-in: enrolment, codes (a ±1 step window, each once, rate limited), recovery
codes, re-authentication with a code, the organization's policy and an admin's reset."""

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlmodel import col, select

from prm_app.models import RecoveryCode, Role, SecurityEvent, utcnow
from prm_app.services.core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from prm_app.services.identity import (
    auth,
    rate_limits,
    reauth,
    totp,
    two_factor,
    two_factor_policy,
)
from tests.unit.factories import PASSWORD, colleague, org_admin, signed_in, user_row
from tests.unit.test_passwords import mails_to, open_sessions

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=utcnow().tzinfo)


class Clock:
    """A clock the code checks read, moved by the test."""

    def __init__(self, monkeypatch, now: datetime = START):
        self.now = now
        for module in (totp, rate_limits):
            monkeypatch.setattr(f"{module.__name__}.utcnow", lambda: self.now)

    def move(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def secret_of(session, user_id: int) -> str:
    return user_row(session, user_id).totp_secret


def enrolled(session, actor, clock) -> tuple[str, list[str]]:
    """(secret, recovery codes) of `actor`, enrolled through the account page's steps."""
    shown = two_factor.begin(session, actor=actor, password=PASSWORD)
    secret = shown.secret.replace(" ", "")
    codes = two_factor.confirm(session, actor=actor, code=code_at(secret, clock.now))
    clock.move(seconds=totp.STEP_SECONDS)  # the next code is a new one
    return secret, codes


def kinds(session, user_id: int) -> list[str]:
    session.flush()
    return list(
        session.exec(
            select(SecurityEvent.kind)
            .where(SecurityEvent.user_id == user_id)
            .order_by(col(SecurityEvent.id))
        )
    )


# Enrolment


def test_enrolment_needs_the_password_and_is_not_in_force_until_confirmed(session, clock):
    admin = org_admin(session)
    before = kinds(session, admin.user_id)  # the sign-up's own (its address verified)
    with pytest.raises(Invalid, match=reauth.WRONG):
        two_factor.begin(session, actor=admin, password="not the password")
    shown = two_factor.begin(session, actor=admin, password=PASSWORD)
    secret = secret_of(session, admin.user_id)
    assert shown.secret.replace(" ", "") == secret and len(secret) == 32
    assert shown.qr.startswith("data:image/svg+xml;base64,")
    assert shown.uri.startswith("otpauth://totp/") and "issuer=PRM" in shown.uri
    assert not two_factor.needs_code(session, user_id=admin.user_id)
    with pytest.raises(Invalid, match="not right"):
        two_factor.confirm(session, actor=admin, code="000000")
    codes = two_factor.confirm(session, actor=admin, code=code_at(secret, clock.now))
    assert two_factor.needs_code(session, user_id=admin.user_id)
    assert len(codes) == len(set(codes)) == two_factor.RECOVERY_CODES
    assert kinds(session, admin.user_id) == [*before, "two_factor_enrolled"]
    stored = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == admin.user_id)).all()
    assert len(stored) == 10 and not {r.code_hash for r in stored} & set(codes)


def test_a_second_enrolment_is_refused_while_one_is_on(session, clock):
    admin = org_admin(session)
    enrolled(session, admin, clock)
    with pytest.raises(Invalid, match="already on"):
        two_factor.begin(session, actor=admin, password=PASSWORD)


# Codes at sign-in


def test_a_code_is_accepted_one_step_either_side_and_no_further(session, clock):
    admin = org_admin(session)
    secret, _ = enrolled(session, admin, clock)
    step = timedelta(seconds=totp.STEP_SECONDS)
    for offset, accepted in [(-2, False), (2, False), (-1, True), (0, True), (1, True)]:
        clock.move(minutes=5)  # a fresh step, with the attempts' window past
        code = code_at(secret, clock.now + offset * step)
        if accepted:
            actor = two_factor.second_step(
                session, user_id=admin.user_id, org_id=admin.org_id, code=code
            )
            assert actor.user_id == admin.user_id
        else:
            with pytest.raises(two_factor.WrongCode):
                two_factor.second_step(
                    session, user_id=admin.user_id, org_id=admin.org_id, code=code
                )


def test_a_code_works_once(session, clock):
    admin = org_admin(session)
    secret, _ = enrolled(session, admin, clock)
    code = code_at(secret, clock.now)
    two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=code)
    with pytest.raises(two_factor.WrongCode):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=code)
    # Nor an older code of the window, once a newer one was used.
    with pytest.raises(two_factor.WrongCode):
        two_factor.second_step(
            session,
            user_id=admin.user_id,
            org_id=admin.org_id,
            code=code_at(secret, clock.now - timedelta(seconds=totp.STEP_SECONDS)),
        )
    assert kinds(session, admin.user_id)[-2:] == ["sign_in_failed", "sign_in_failed"]


def test_code_attempts_are_limited_per_person(session, clock):
    admin = org_admin(session)
    secret, _ = enrolled(session, admin, clock)
    clock.move(minutes=5)
    for _ in range(totp.ATTEMPTS.count):
        with pytest.raises(two_factor.WrongCode):
            two_factor.second_step(
                session, user_id=admin.user_id, org_id=admin.org_id, code="123456"
            )
    right = code_at(secret, clock.now)
    with pytest.raises(rate_limits.TooMany, match="Try again in 5 minutes"):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=right)
    clock.move(minutes=5, seconds=1)
    right = code_at(secret, clock.now)
    two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=right)


def test_a_recovery_code_works_once_is_recorded_and_mailed(session, clock):
    admin = org_admin(session)
    _, codes = enrolled(session, admin, clock)
    mailed = len(mails_to(session, admin.email))
    actor = two_factor.second_step(
        session, user_id=admin.user_id, org_id=admin.org_id, code=codes[3].upper()
    )
    assert actor.user_id == admin.user_id
    assert kinds(session, admin.user_id)[-1] == "recovery_code_used"
    assert mails_to(session, admin.email)[-1].subject == "A recovery code was used to sign in"
    assert len(mails_to(session, admin.email)) == mailed + 1
    assert two_factor.codes_left(session, admin.user_id) == 9
    with pytest.raises(two_factor.WrongCode):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=codes[3])


@pytest.mark.parametrize("code", [None, "", "12345", "1234567", {"$ne": 1}, ["123456"], "x" * 99])
def test_malformed_codes_are_wrong_codes(session, clock, code):
    admin = org_admin(session)
    enrolled(session, admin, clock)
    with pytest.raises(two_factor.WrongCode):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=code)


def test_no_second_step_without_a_second_factor(session):
    admin = org_admin(session)
    with pytest.raises(NotAuthenticated):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code="1")


# Re-authentication, regenerating and turning off


def test_reauth_accepts_a_current_code_once(session, clock):
    admin = org_admin(session)
    secret, _ = enrolled(session, admin, clock)
    code = code_at(secret, clock.now)
    assert reauth.confirm(session, user_id=admin.user_id, password=code).id == admin.user_id
    with pytest.raises(Invalid, match=reauth.WRONG_OR_CODE):
        reauth.confirm(session, user_id=admin.user_id, password=code)
    assert reauth.confirm(session, user_id=admin.user_id, password=PASSWORD).id == admin.user_id


def test_new_recovery_codes_replace_the_old_ones(session, clock):
    admin = org_admin(session)
    secret, old = enrolled(session, admin, clock)
    new = two_factor.new_recovery_codes(session, actor=admin, proof=code_at(secret, clock.now))
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(two_factor.WrongCode):
        two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=old[0])
    two_factor.second_step(session, user_id=admin.user_id, org_id=admin.org_id, code=new[0])


def test_turn_off_needs_proof_and_is_refused_when_the_policy_requires_it(session, clock):
    admin = org_admin(session)
    enrolled(session, admin, clock)
    two_factor_policy.set_policy(session, actor=admin, policy="admins", password=PASSWORD)
    with pytest.raises(NotAllowed, match="requires two-factor"):
        two_factor.turn_off(session, actor=admin, proof=PASSWORD)
    two_factor_policy.set_policy(session, actor=admin, policy="off", password=PASSWORD)
    with pytest.raises(Invalid):
        two_factor.turn_off(session, actor=admin, proof="not the password")
    two_factor.turn_off(session, actor=admin, proof=PASSWORD)
    user = user_row(session, admin.user_id)
    assert user.totp_secret is None and user.totp_enabled_at is None
    assert two_factor.codes_left(session, admin.user_id) == 0
    assert mails_to(session, admin.email)[-1].subject == "Two-factor sign-in was turned off"


# The organization's policy


@pytest.mark.parametrize(
    ("policy", "role", "required"),
    [
        ("off", Role.ADMIN, False),
        ("admins", Role.ADMIN, True),
        ("admins", Role.MEMBER, False),
        ("admins", Role.MANAGER, False),
        ("everyone", Role.MEMBER, True),
    ],
)
def test_who_the_policy_covers(session, policy, role, required):
    admin = org_admin(session)
    person = admin if role == Role.ADMIN else colleague(session, admin, role=role)
    two_factor_policy.set_policy(session, actor=admin, policy=policy, password=PASSWORD)
    assert two_factor.must_enrol(session, actor=person) is required
    assert two_factor.status(session, actor=person).required is required


def test_a_covered_person_with_a_second_factor_need_not_enrol(session, clock):
    admin = org_admin(session)
    enrolled(session, admin, clock)
    two_factor_policy.set_policy(session, actor=admin, policy="everyone", password=PASSWORD)
    assert not two_factor.must_enrol(session, actor=admin)


def test_enrolment_at_sign_in_puts_the_second_factor_in_force(session, clock):
    admin = org_admin(session)
    two_factor_policy.set_policy(session, actor=admin, policy="everyone", password=PASSWORD)
    actor = auth.authenticate(session, email=admin.email, password=PASSWORD)
    assert two_factor.must_enrol(session, actor=actor)
    shown = two_factor.start(session, user_id=actor.user_id)
    codes = two_factor.finish(
        session,
        user_id=actor.user_id,
        org_id=actor.org_id,
        code=code_at(shown.secret.replace(" ", ""), clock.now),
    )
    assert len(codes) == 10 and not two_factor.must_enrol(session, actor=actor)


def test_only_an_admin_sets_the_policy_after_the_password_with_a_known_value(session):
    admin = org_admin(session)
    member = colleague(session, admin)
    with pytest.raises(NotAllowed):
        two_factor_policy.set_policy(session, actor=member, policy="off", password=PASSWORD)
    with pytest.raises(Invalid, match="offered"):
        two_factor_policy.set_policy(session, actor=admin, policy="always", password=PASSWORD)
    with pytest.raises(Invalid):
        two_factor_policy.set_policy(session, actor=admin, policy="admins", password="nope nope")
    assert two_factor_policy.policy_of(session, admin.org_id) == "off"
    two_factor_policy.set_policy(session, actor=admin, policy="admins", password=PASSWORD)
    assert two_factor_policy.policy_of(session, admin.org_id) == "admins"
    session.flush()
    event = session.exec(
        select(SecurityEvent).where(
            SecurityEvent.org_id == admin.org_id, SecurityEvent.kind == "policy_changed"
        )
    ).one()
    assert event.actor_user_id == admin.user_id and "Required for admins" in event.detail


# An admin's reset


def test_an_admin_resets_a_colleagues_second_factor(session, clock):
    admin = org_admin(session)
    member = colleague(session, admin)
    enrolled(session, member, clock)
    signed_in(session, member)
    two_factor.reset_for_colleague(session, actor=admin, user_id=str(member.user_id))
    assert not two_factor.needs_code(session, user_id=member.user_id)
    assert two_factor.codes_left(session, member.user_id) == 0
    assert open_sessions(session, member.user_id) == 0
    assert kinds(session, member.user_id)[-1] == "two_factor_reset"
    assert mails_to(session, member.email)[-1].subject == "Two-factor sign-in was turned off"


def test_only_an_admin_resets_and_only_in_their_organization(session, clock):
    admin = org_admin(session)
    member = colleague(session, admin)
    enrolled(session, member, clock)
    stranger = org_admin(session)
    with pytest.raises(NotAllowed):
        two_factor.reset_for_colleague(session, actor=member, user_id=member.user_id)
    for bad in (member.user_id, "abc", None, {"id": 1}, True, -1, str(2**63), 10**30):
        with pytest.raises(NotFound):
            two_factor.reset_for_colleague(session, actor=stranger, user_id=bad)
    assert two_factor.needs_code(session, user_id=member.user_id)
