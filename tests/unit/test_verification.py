"""verification, email_change, and the rules they put on sign-in, invitations and team invites:
an address belongs to whoever opens the link mailed to it, and nothing on screen tells whether
an address has an account."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from prm_app.models import (
    AccountToken,
    Organization,
    OrgKind,
    OutboundEmail,
    Partnership,
    SecurityEvent,
    User,
    utcnow,
)
from prm_app.services import partnerships
from prm_app.services.core.errors import Invalid, NotAuthenticated, NotFound
from prm_app.services.identity import (
    account_links,
    auth,
    email_change,
    rate_limits,
    security_log,
    team,
    verification,
)
from prm_app.services.partnerships import lifecycle, timeline
from tests.unit.factories import PASSWORD, browser, colleague, org_admin, signed_in, user_row

CLIENT = security_log.Client("203.0.113.9", "test-agent")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _register(session, email, *, org="Real Partner Firm", kind="consultant", ip="198.51.100.1"):
    return verification.register(
        session,
        org_name=org,
        org_kind=kind,
        name="Person",
        email=email,
        password=PASSWORD,
        client_ip=ip,
    )


def _mails(session, to: str, subject: str | None = None) -> list[OutboundEmail]:
    session.flush()
    query = select(OutboundEmail).where(OutboundEmail.to_address == to)
    if subject is not None:
        query = query.where(OutboundEmail.subject == subject)
    return list(session.exec(query.order_by(col(OutboundEmail.id))))


def _link_token(mail: OutboundEmail) -> str:
    return mail.body.split("/verify-email?token=")[1].split()[0]


def _user(session, email: str) -> User | None:
    session.flush()
    return session.exec(select(User).where(User.email == email)).first()


def _count(session, model, *where) -> int:
    session.flush()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _security_events(session, user_id: int) -> list[str]:
    session.flush()
    rows = session.exec(select(SecurityEvent.kind).where(SecurityEvent.user_id == user_id))
    return list(rows)


def _later(monkeypatch, **delta):
    """Move the clock of the link module forward."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(account_links, "utcnow", lambda: moved)


# sign-up and verification ----------------------------------------------------------------------


def test_sign_up_is_unverified_and_cannot_start_a_session_until_the_link_is_opened(session):
    assert _register(session, " New@Example.com ") == "new@example.com"
    user = _user(session, "new@example.com")
    assert user.email_verified_at is None
    (mail,) = _mails(session, "new@example.com", "Confirm your email address")
    assert "Real Partner Firm" in mail.body

    actor = auth.authenticate(session, email="new@example.com", password=PASSWORD)
    assert not verification.is_verified(session, user_id=actor.user_id)
    with pytest.raises(NotAuthenticated, match="Verify your address first"):
        auth.issue_ticket(
            session, actor=actor, redirect_to="http://localhost/", nonce_hash=browser()[1]
        )

    assert verification.describe(session, token=_link_token(mail)) == (
        "new@example.com",
        "Person",
        "Real Partner Firm",
    )
    done = verification.verify(session, token=_link_token(mail), client=CLIENT)

    assert (done.email, done.changed) == ("new@example.com", False)
    assert user_row(session, actor.user_id).email_verified_at is not None
    assert _security_events(session, actor.user_id) == ["email_verified"]
    assert auth.resolve(session, token=signed_in(session, actor)) == actor


def test_a_verification_link_works_once(session):
    _register(session, "once@example.com")
    token = _link_token(_mails(session, "once@example.com")[0])
    verification.verify(session, token=token, client=CLIENT)
    for use in (verification.describe, verification.verify):
        with pytest.raises(NotAuthenticated, match="not valid any more"):
            use(session, token=token, **({"client": CLIENT} if use is verification.verify else {}))


def test_a_verification_link_expires_after_a_day(session, monkeypatch):
    _register(session, "slow@example.com")
    token = _link_token(_mails(session, "slow@example.com")[0])
    _later(monkeypatch, hours=23, minutes=59)
    assert verification.describe(session, token=token)[0] == "slow@example.com"
    _later(monkeypatch, hours=24, minutes=1)
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        verification.verify(session, token=token, client=CLIENT)
    assert _user(session, "slow@example.com").email_verified_at is None


@pytest.mark.parametrize("token", [None, "", 7, {"t": 1}, "x" * 300, "never-issued-token-value"])
def test_garbage_verification_tokens_are_refused(session, token):
    with pytest.raises(NotAuthenticated):
        verification.verify(session, token=token, client=CLIENT)


def test_resend_replaces_the_link_and_is_limited_per_address(session):
    _register(session, "again@example.com")
    first = _link_token(_mails(session, "again@example.com")[0])
    for _ in range(verification.RESENDS.count):
        verification.resend(session, email="AGAIN@example.com")
    with pytest.raises(rate_limits.TooMany, match="Try again in 60 minutes"):
        verification.resend(session, email="again@example.com")
    links = _mails(session, "again@example.com", "Confirm your email address")
    assert len(links) == 1 + verification.RESENDS.count
    with pytest.raises(NotAuthenticated):  # replaced by the newer ones
        verification.verify(session, token=first, client=CLIENT)
    verification.verify(session, token=_link_token(links[-1]), client=CLIENT)


def test_resend_answers_the_same_for_any_address_and_mails_only_a_waiting_account(session):
    owner = org_admin(session, email="verified@example.com")
    for email in ("verified@example.com", "nobody@example.com"):
        assert verification.resend(session, email=email) is None
        assert _mails(session, email) == []
    assert owner.email == "verified@example.com"


def test_sign_up_with_a_verified_address_answers_the_same_and_tells_the_owner(session):
    owner = org_admin(session, email="owner@example.com", kind=OrgKind.CONSULTANT)
    users, orgs = _count(session, User), _count(session, Organization)

    assert _register(session, "OWNER@example.com") == "owner@example.com"

    assert (_count(session, User), _count(session, Organization)) == (users, orgs)
    (notice,) = _mails(session, "owner@example.com")
    assert notice.subject == "Someone tried to create an account with your address"
    assert "/verify-email" not in notice.body
    assert user_row(session, owner.user_id).email == "owner@example.com"
    # The form's checks run first for every address, so a refusal tells nothing either.
    for email in ("owner@example.com", "free@example.com"):
        with pytest.raises(Invalid, match="at least") as caught:
            verification.register(
                session,
                org_name="X",
                org_kind="consultant",
                name="Y",
                email=email,
                password="short",
                client_ip="198.51.100.2",
            )
        assert caught.value.field == "password"


def test_the_owner_of_an_address_replaces_a_squatters_unverified_sign_up(session):
    _register(session, "real@partner.example", org="Real Partner Firm (squatter)")
    squatter = _user(session, "real@partner.example")
    squatter_link = _link_token(_mails(session, "real@partner.example")[0])

    _register(session, "real@partner.example", org="Real Partner Firm", ip="198.51.100.7")

    session.refresh(squatter)
    assert (squatter.is_active, squatter.email) == (
        False,
        f"retired-{squatter.id}@unverified.invalid",
    )
    with pytest.raises(NotAuthenticated):
        verification.verify(session, token=squatter_link, client=CLIENT)
    owner_link = _link_token(_mails(session, "real@partner.example")[-1])
    assert verification.describe(session, token=owner_link)[2] == "Real Partner Firm"
    verification.verify(session, token=owner_link, client=CLIENT)
    owner = _user(session, "real@partner.example")
    assert owner.id != squatter.id and owner.email_verified_at is not None
    with pytest.raises(Invalid, match="deactivated"):  # the squatter's account is retired
        auth.authenticate(session, email=squatter.email, password=PASSWORD)


def test_sign_ups_are_limited_per_client_address(session):
    for n in range(verification.SIGN_UPS.count):
        _register(session, f"many{n}@example.com", ip="192.0.2.50")
    with pytest.raises(rate_limits.TooMany):
        _register(session, "one-more@example.com", ip="192.0.2.50")
    _register(session, "elsewhere@example.com", ip="192.0.2.51")
    assert _user(session, "one-more@example.com") is None


# invitations bind to verified addresses --------------------------------------------------------


def test_a_squatters_unverified_firm_gets_no_invitation(session):
    provider = org_admin(session, org_name="Northwind")
    _register(session, "real@partner.example", org="Real Partner Firm")
    squatter = auth.authenticate(session, email="real@partner.example", password=PASSWORD)

    invitation = partnerships.invite(session, actor=provider, email="real@partner.example")

    row = session.get(Partnership, invitation.partnership_id)
    assert row.consultant_org_id is None
    assert partnerships.consultant_invitations(session, actor=squatter) == []
    with pytest.raises(NotFound):
        partnerships.accept(session, actor=squatter, partnership_id=invitation.partnership_id)
    # The address's mailbox gets the sign-up link, not the squatter.
    (mail,) = _mails(
        session, "real@partner.example", "Northwind invites your firm to its partner program."
    )
    assert "/signup?invite=" in mail.body


def test_the_invitation_binds_when_the_real_owner_verifies(session):
    provider = org_admin(session, org_name="Northwind")
    _register(session, "real@partner.example", org="Squatted Name")
    invitation = partnerships.invite(session, actor=provider, email="real@partner.example")
    _register(session, "real@partner.example", org="Real Partner", ip="198.51.100.9")
    link = _link_token(_mails(session, "real@partner.example", "Confirm your email address")[-1])

    verification.verify(session, token=link, client=CLIENT)

    owner = auth.authenticate(session, email="real@partner.example", password=PASSWORD)
    assert owner.org_name == "Real Partner"
    (pending,) = partnerships.consultant_invitations(session, actor=owner)
    assert pending.id == invitation.partnership_id
    partnerships.accept(session, actor=owner, partnership_id=pending.id)


def test_the_inviter_is_told_the_same_for_every_kind_of_address(session):
    provider = org_admin(session)
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Secret Firm")
    other_provider = org_admin(session, org_name="Secret Provider")
    _register(session, "unverified@example.com", org="Secret Squat")
    addresses = [firm.email, other_provider.email, "unverified@example.com", "nobody@example.com"]

    answers = [partnerships.invite(session, actor=provider, email=e) for e in addresses]

    assert [a.email for a in answers] == addresses
    listed = partnerships.provider_invitations(session, actor=provider)
    assert sorted((i.email, i.status, i.expired) for i in listed) == sorted(
        (e, "invited", False) for e in addresses
    )
    shown = repr(answers) + repr(listed)
    for secret in ("Secret Firm", "Secret Provider", "Secret Squat"):
        assert secret not in shown
    with pytest.raises(NotFound):  # nor by the partnership page of a bound invitation
        timeline.partner_page(session, actor=provider, partnership_id=answers[0].partnership_id)


def test_invitations_are_limited_per_provider_and_per_address(session):
    provider, other = org_admin(session), org_admin(session)
    for n in range(lifecycle.INVITES_PER_ORG.count):
        partnerships.invite(session, actor=provider, email=f"firm{n}@example.com")
    with pytest.raises(rate_limits.TooMany) as caught:
        partnerships.invite(session, actor=provider, email="one-more@example.com")
    assert caught.value.field == "email"
    assert _count(session, Partnership, Partnership.invite_email == "one-more@example.com") == 0

    for _ in range(lifecycle.INVITES_PER_ADDRESS.count):
        partnerships.invite(session, actor=org_admin(session), email="popular@example.com")
    with pytest.raises(rate_limits.TooMany):
        partnerships.invite(session, actor=other, email="popular@example.com")
    invited = _count(session, Partnership, Partnership.invite_email == "popular@example.com")
    assert invited == lifecycle.INVITES_PER_ADDRESS.count


def test_a_resend_counts_against_the_invitation_limits(session):
    provider = org_admin(session)
    invitation = partnerships.invite(session, actor=provider, email="resent@example.com")
    for _ in range(lifecycle.INVITES_PER_ADDRESS.count - 1):
        partnerships.resend(session, actor=provider, partnership_id=invitation.partnership_id)
    with pytest.raises(rate_limits.TooMany):
        partnerships.resend(session, actor=provider, partnership_id=invitation.partnership_id)


# team invitations ------------------------------------------------------------------------------


def test_joining_from_the_mailed_team_invitation_verifies_and_replaces_a_squatter(session):
    admin = org_admin(session, org_name="Globex")
    _register(session, "joiner@example.com", org="Squatter Inc")
    squatter = _user(session, "joiner@example.com")
    token = team.invite_colleague(session, actor=admin, email="joiner@example.com", role="member")
    (mail,) = _mails(
        session, "joiner@example.com", f"{admin.name} invited you to join Globex on PRM"
    )
    assert f"/join?token={token}" in mail.body

    joined = team.accept_invite(session, token=token, name="Jo", password=PASSWORD)

    assert user_row(session, joined.user_id).email_verified_at is not None
    session.refresh(squatter)
    assert squatter.is_active is False
    assert auth.resolve(session, token=signed_in(session, joined)) == joined


def test_team_invitations_are_limited_per_organization(session):
    admin = org_admin(session)
    for n in range(team.INVITES.count):
        team.invite_colleague(session, actor=admin, email=f"c{n}@example.com", role="member")
    with pytest.raises(rate_limits.TooMany):
        team.invite_colleague(session, actor=admin, email="late@example.com", role="member")


# change of address -----------------------------------------------------------------------------


def test_a_change_of_address_takes_effect_only_when_the_new_address_is_proved(session):
    me = org_admin(session, email="old@example.com")
    with pytest.raises(Invalid, match="not your current password") as caught:
        email_change.request_change(session, actor=me, new_email="new@example.com", password="x")
    assert caught.value.field == "current"

    assert (
        email_change.request_change(
            session, actor=me, new_email="NEW@example.com", password=PASSWORD
        )
        == "new@example.com"
    )

    assert user_row(session, me.user_id).email == "old@example.com"
    (link,) = _mails(session, "new@example.com", "Confirm your new email address")
    (notice,) = _mails(session, "old@example.com", "A change of your email address was requested")
    assert "new@example.com" in notice.body and "/verify-email" not in notice.body
    row = session.exec(select(AccountToken).where(AccountToken.user_id == me.user_id)).all()[-1]
    assert row.email == "new@example.com"

    done = verification.verify(session, token=_link_token(link), client=CLIENT)

    assert (done.email, done.changed) == ("new@example.com", True)
    assert user_row(session, me.user_id).email == "new@example.com"
    assert "email_changed" in _security_events(session, me.user_id)
    assert auth.authenticate(session, email="new@example.com", password=PASSWORD).user_id == (
        me.user_id
    )


def test_a_change_to_a_taken_address_answers_the_same_and_tells_its_owner(session):
    me = org_admin(session, email="mine@example.com")
    org_admin(session, email="taken@example.com")
    new = email_change.request_change(
        session, actor=me, new_email="taken@example.com", password=PASSWORD
    )
    assert new == "taken@example.com"
    (notice,) = _mails(session, "taken@example.com")
    assert notice.subject == "Someone tried to move another account to your address"
    assert "/verify-email" not in notice.body
    assert len(_mails(session, "mine@example.com")) == 1  # the old address is told either way


def test_a_change_is_refused_when_another_account_took_the_address_meanwhile(session):
    me = org_admin(session, email="first@example.com")
    email_change.request_change(session, actor=me, new_email="race@example.com", password=PASSWORD)
    link = _link_token(_mails(session, "race@example.com")[0])
    org_admin(session, email="race@example.com")
    with pytest.raises(Invalid, match="used by another account"):
        verification.verify(session, token=link, client=CLIENT)
    assert user_row(session, me.user_id).email == "first@example.com"


def test_a_change_claims_invitations_to_the_new_address(session):
    provider = org_admin(session)
    firm = org_admin(session, kind=OrgKind.CONSULTANT)
    invitation = partnerships.invite(session, actor=provider, email="firm-new@example.com")
    email_change.request_change(
        session, actor=firm, new_email="firm-new@example.com", password=PASSWORD
    )
    link = _link_token(_mails(session, "firm-new@example.com", "Confirm your new email address")[0])
    verification.verify(session, token=link, client=CLIENT)
    assert session.get(Partnership, invitation.partnership_id).consultant_org_id == firm.org_id


def test_a_colleague_is_verified_by_joining(session):
    admin = org_admin(session)
    joined = colleague(session, admin)
    assert verification.is_verified(session, user_id=joined.user_id)
