"""partnerships: invitations, answers, ending, categorization on both sides, and the lists."""

from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlmodel import func, select

from prm_app.models import (
    OrgKind,
    OutboundEmail,
    Partnership,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import partnerships
from prm_app.services.core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from prm_app.services.identity import auth, team
from prm_app.services.partnerships import lifecycle
from tests.unit.factories import (
    PASSWORD,
    colleague,
    events,
    in_the_past,
    org_admin,
    unique_email,
    user_row,
    verify,
)

MANAGERS_ONLY = "Only an administrator or manager of your organization can do that."
ONLY_PROVIDER = "Only a provider organization can do that."
ONLY_CONSULTANT = "Only a consultant organization can do that."
PARTNER_FIELDS = (
    "partner_type_id",
    "partner_status_id",
    "partner_tier_id",
    "partner_group_id",
    "partner_manager_id",
)
HOSTILE_IDS = [None, "", "abc", "1; DROP", -1, "-1", 0, True, False, {"id": 1}, [1], 1.0, 2**70]


# builders ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Accounts are only scaffolding here: hash their passwords cheaply."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _no_invitation_limits(monkeypatch):
    """These tests invite one firm from many providers; the hourly invitation limits have
    their own tests (test_verification.py)."""
    for name in ("INVITES_PER_ORG", "INVITES_PER_ADDRESS"):
        limit = getattr(lifecycle, name)
        monkeypatch.setattr(lifecycle, name, replace(limit, count=10_000))


def _provider(session, **overrides):
    return org_admin(session, kind=OrgKind.PROVIDER, **overrides)


def _consultant(session, **overrides):
    return org_admin(session, kind=OrgKind.CONSULTANT, **overrides)


def _row(session, partnership_id) -> Partnership | None:
    session.flush()
    return session.exec(select(Partnership).where(Partnership.id == partnership_id)).first()


def _count(session, *where) -> int:
    session.flush()
    return session.exec(select(func.count()).select_from(Partnership).where(*where)).one()


def _invited(session, provider, consultant) -> int:
    return partnerships.invite(session, actor=provider, email=consultant.email).partnership_id


def _partners(session, provider, consultant) -> int:
    """An active partnership (invited and accepted)."""
    partnership_id = _invited(session, provider, consultant)
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    return partnership_id


def _term(session, actor, kind, name) -> int:
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == kind,
            TaxonomyTerm.name == name,
        )
    ).one()


def _new_term(session, actor, kind, name, *, archived=False) -> int:
    term = TaxonomyTerm(
        org_id=actor.org_id,
        kind=kind,
        name=name,
        archived_at=in_the_past() if archived else None,
    )
    session.add(term)
    session.flush()
    return term.id


def _archive(session, term_id):
    term = session.get(TaxonomyTerm, term_id)
    term.archived_at = in_the_past()
    session.add(term)
    session.flush()


def _expire(session, partnership_id):
    row = _row(session, partnership_id)
    row.invite_expires_at = in_the_past()
    session.add(row)
    session.flush()


def _set(session, partnership_id, **values):
    row = _row(session, partnership_id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()


def _provider_categorization(session, consultant, **overrides):
    arguments = {
        "provider_type_id": _term(session, consultant, TermKind.PROVIDER_TYPE, "ERP"),
        "proficiency_id": _term(session, consultant, TermKind.PROFICIENCY, "Expert"),
        "assigned_user_id": consultant.user_id,
    }
    arguments.update(overrides)
    return arguments


def _assert_uncategorized(session, partnership_id):
    row = _row(session, partnership_id)
    assert (row.provider_type_id, row.proficiency_id, row.assigned_user_id) == (None, None, None)
    assert row.categorized_at is None


def _categorize_provider(session, consultant, partnership_id, **overrides):
    partnerships.categorize_provider(
        session,
        actor=consultant,
        partnership_id=partnership_id,
        **_provider_categorization(session, consultant, **overrides),
    )


def _categorize_partner(session, provider, partnership_id, **overrides):
    arguments = {**dict.fromkeys(PARTNER_FIELDS), **overrides}
    partnerships.categorize_partner(
        session, actor=provider, partnership_id=partnership_id, **arguments
    )


def _trail(session, actor):
    """(action, entity id, actor id) of the partnership events in the actor's organization."""
    return [
        (e.action, e.entity_id, e.actor_id)
        for e in events(session, org_id=actor.org_id, entity_type="partnership")
    ]


def _last_event(session, actor):
    return events(session, org_id=actor.org_id, entity_type="partnership")[-1]


@contextmanager
def _statements(session):
    """Collects the SQL statements run on the session's connection."""
    session.flush()
    seen: list[str] = []
    connection = session.connection()

    def _count_statement(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", _count_statement)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", _count_statement)


# invite --------------------------------------------------------------------------------------


def test_invite_a_consultant_user_binds_the_invitation_to_their_firm(session):
    provider = _provider(session, org_name="Northwind")
    consultant = _consultant(session, org_name="Fabrikam", email=unique_email("fab"))
    invitation = partnerships.invite(
        session, actor=provider, email=f"  {consultant.email.upper()} ", message="  Hello!  "
    )
    row = _row(session, invitation.partnership_id)
    assert invitation.email == consultant.email  # what the inviter is told: never the firm
    assert (row.provider_org_id, row.consultant_org_id, row.status) == (
        provider.org_id,
        consultant.org_id,
        "invited",
    )
    assert (row.invite_email, row.invite_message, row.invited_by_id) == (
        consultant.email,
        "Hello!",
        provider.user_id,
    )
    assert row.invite_token_hash == auth.hash_token(invitation.token)
    assert row.invite_expires_at > utcnow() + timedelta(days=14, minutes=-1)
    (event_,) = events(session, org_id=provider.org_id, entity_type="partnership")
    assert (event_.action, event_.entity_id, event_.actor_id, event_.before) == (
        "invited",
        row.id,
        provider.user_id,
        None,
    )
    assert event_.after == {
        "status": "invited",
        "consultant_org_id": consultant.org_id,
        "email": consultant.email,
    }
    (pending,) = partnerships.consultant_invitations(session, actor=consultant)
    assert (pending.id, pending.provider_name, pending.message) == (row.id, "Northwind", "Hello!")
    # A bound invitation is no sign-up link.
    with pytest.raises(NotAuthenticated):
        partnerships.describe_invitation(session, token=invitation.token)


def test_manager_may_invite(session):
    provider = _provider(session)
    manager = colleague(session, provider, role=Role.MANAGER)
    invitation = partnerships.invite(session, actor=manager, email="firm@example.com")
    assert _row(session, invitation.partnership_id).invited_by_id == manager.user_id


def test_invite_an_unknown_email_makes_a_sign_up_invitation(session):
    provider = _provider(session, org_name="Contoso")
    invitation = partnerships.invite(session, actor=provider, email="New.Firm@Example.com")
    row = _row(session, invitation.partnership_id)
    assert invitation.email == "new.firm@example.com"
    assert (row.consultant_org_id, row.status, row.invite_email) == (
        None,
        "invited",
        "new.firm@example.com",
    )
    assert partnerships.describe_invitation(session, token=invitation.token) == (
        "Contoso",
        "new.firm@example.com",
    )
    assert _last_event(session, provider).after == {
        "status": "invited",
        "consultant_org_id": None,
        "email": "new.firm@example.com",
    }


@pytest.mark.parametrize("deactivated", ["membership", "account"])
def test_invite_an_email_of_a_deactivated_consultant_user_makes_a_sign_up_invitation(
    session, deactivated
):
    consultant = _consultant(session)
    leaver = colleague(session, consultant, email=unique_email("leaver"))
    if deactivated == "membership":
        team.set_active(session, actor=consultant, user_id=leaver.user_id, active=False)
    else:
        account = user_row(session, leaver.user_id)
        account.is_active = False
        session.add(account)
    invitation = partnerships.invite(session, actor=_provider(session), email=leaver.email)
    assert _row(session, invitation.partnership_id).consultant_org_id is None


def test_invite_a_consultants_colleague_binds_to_their_firm(session):
    consultant = _consultant(session, org_name="Tailspin")
    member = colleague(session, consultant, email="worker@example.com")
    invitation = partnerships.invite(session, actor=_provider(session), email="worker@example.com")
    assert _row(session, invitation.partnership_id).consultant_org_id == member.org_id


@pytest.mark.parametrize("whose", ["colleague", "other provider"])
def test_invite_to_a_provider_users_address_answers_the_same_and_tells_the_owner(session, whose):
    """Not "this email belongs to a software provider": an unbound invitation like any other,
    and the owner of the address learns by mail why it is not for them."""
    provider = _provider(session, org_name="Inviter")
    target = (
        colleague(session, provider) if whose == "colleague" else _provider(session, org_name="B")
    )
    invitation = partnerships.invite(session, actor=provider, email=target.email)
    assert invitation.email == target.email
    row = _row(session, invitation.partnership_id)
    assert (row.consultant_org_id, row.status) == (None, "invited")
    (notice,) = [m for m in _mails(session, target.email) if "partner program" in m.subject]
    assert "cannot take this invitation" in notice.body
    assert invitation.token not in notice.body


def test_invite_refuses_an_active_partner(session):
    provider = _provider(session)
    consultant = _consultant(session, org_name="Adatum")
    partnership_id = _partners(session, provider, consultant)
    other = colleague(session, consultant)
    for email in (consultant.email, other.email):
        with pytest.raises(Invalid, match="Adatum is already your partner") as caught:
            partnerships.invite(session, actor=provider, email=email)
        assert caught.value.field == "email"
    assert _row(session, partnership_id).status == "active"
    assert [a for a, *_ in _trail(session, provider)] == ["invited"]


def test_invite_refuses_a_pending_invitation_to_the_same_email(session):
    provider = _provider(session)
    consultant = _consultant(session)
    other_person = colleague(session, consultant)
    partnerships.invite(session, actor=provider, email=consultant.email)
    partnerships.invite(session, actor=provider, email="someone@example.com")
    for email in (consultant.email, "SOMEONE@example.com"):
        with pytest.raises(Invalid, match="already invited: resend") as caught:
            partnerships.invite(session, actor=provider, email=email)
        assert caught.value.field == "email"
    # Another address of the invited firm is not refused (that would tell the inviter whose
    # address it is): it gets an unbound invitation, and its owner a notice.
    other = partnerships.invite(session, actor=provider, email=other_person.email)
    assert _row(session, other.partnership_id).consultant_org_id is None
    (notice,) = [m for m in _mails(session, other_person.email) if "partner program" in m.subject]
    assert "cannot take this invitation" in notice.body
    assert _count(session, Partnership.provider_org_id == provider.org_id) == 3


def test_a_pending_sign_up_invitation_blocks_inviting_the_firm_created_later(session):
    provider = _provider(session)
    partnerships.invite(session, actor=provider, email="later@example.com")
    _consultant(session, email="later@example.com")  # signed up without the link
    with pytest.raises(Invalid, match="already invited"):
        partnerships.invite(session, actor=provider, email="later@example.com")


def test_another_providers_pending_invitation_does_not_block(session):
    consultant = _consultant(session)
    first, second = _provider(session), _provider(session)
    _invited(session, first, consultant)
    second_id = _invited(session, second, consultant)
    assert _row(session, second_id).consultant_org_id == consultant.org_id


def test_an_expired_invitation_is_reopened_by_a_new_invite(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    _expire(session, partnership_id)
    invitation = partnerships.invite(session, actor=provider, email=consultant.email)
    assert invitation.partnership_id == partnership_id
    assert _row(session, partnership_id).invite_expires_at > utcnow()
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)


@pytest.mark.parametrize("closed", ["rejected", "revoked", "ended"])
def test_reinviting_reuses_the_closed_row_and_keeps_its_categorization(session, closed):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    if closed == "rejected":
        partnerships.reject(session, actor=consultant, partnership_id=partnership_id)
    elif closed == "revoked":
        partnerships.revoke(session, actor=provider, partnership_id=partnership_id)
    else:
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
        gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
        _categorize_partner(session, provider, partnership_id, partner_tier_id=gold)
        _categorize_provider(session, consultant, partnership_id)
        partnerships.end(session, actor=provider, partnership_id=partnership_id)
    _set(session, partnership_id, invited_at=utcnow() - timedelta(days=30))
    before = _row(session, partnership_id)
    categorization = (before.partner_tier_id, before.provider_type_id, before.categorized_at)

    colleague_email = colleague(session, consultant).email
    invitation = partnerships.invite(
        session, actor=provider, email=colleague_email, message="Again?"
    )

    row = _row(session, partnership_id)
    assert invitation.partnership_id == partnership_id
    assert _count(session, Partnership.provider_org_id == provider.org_id) == 1
    assert (row.status, row.invite_email, row.invite_message) == (
        "invited",
        colleague_email,
        "Again?",
    )
    assert (row.responded_at, row.ended_at) == (None, None)
    assert row.invited_at > utcnow() - timedelta(minutes=1)
    assert row.invite_token_hash == auth.hash_token(invitation.token)
    assert (row.partner_tier_id, row.provider_type_id, row.categorized_at) == categorization
    last = _last_event(session, provider)
    assert (last.action, last.before, last.after["status"]) == (
        "invited",
        {"status": closed, "consultant_org_id": consultant.org_id},
        "invited",
    )
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "active"


def test_reinviting_an_email_after_revoking_reuses_the_sign_up_invitation(session):
    provider = _provider(session)
    first = partnerships.invite(session, actor=provider, email="again@example.com")
    partnerships.revoke(session, actor=provider, partnership_id=first.partnership_id)
    second = partnerships.invite(session, actor=provider, email="again@example.com")
    assert second.partnership_id == first.partnership_id
    assert _row(session, first.partnership_id).status == "invited"
    assert partnerships.describe_invitation(session, token=second.token)[1] == "again@example.com"
    with pytest.raises(NotAuthenticated):
        partnerships.describe_invitation(session, token=first.token)


@pytest.mark.parametrize(
    "email", [None, "", "nope", 5, True, {"email": "a@b.co"}, ["a@b.co"], "a" * 300 + "@x.io"]
)
def test_invite_refuses_bad_emails(session, email):
    provider = _provider(session)
    with pytest.raises(Invalid) as caught:
        partnerships.invite(session, actor=provider, email=email)
    assert caught.value.field == "email"
    assert _count(session, Partnership.provider_org_id == provider.org_id) == 0


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"text": "hi"}, "must be text"),
        (["hi"], "must be text"),
        (7, "must be text"),
        ("x" * 2001, "at most 2000"),
        ("nul\x00byte", "cannot be stored"),
    ],
)
def test_invite_refuses_bad_messages(session, message, error):
    provider = _provider(session)
    with pytest.raises(Invalid, match=error) as caught:
        partnerships.invite(session, actor=provider, email="m@example.com", message=message)
    assert caught.value.field == "message"
    assert _count(session, Partnership.provider_org_id == provider.org_id) == 0


def test_invite_accepts_a_missing_or_maximal_message(session):
    provider = _provider(session)
    none = partnerships.invite(session, actor=provider, email="a@example.com", message=None)
    full = partnerships.invite(session, actor=provider, email="b@example.com", message="x" * 2000)
    assert _row(session, none.partnership_id).invite_message == ""
    assert _row(session, full.partnership_id).invite_message == "x" * 2000


def test_members_cannot_invite(session):
    provider = _provider(session)
    member = colleague(session, provider)
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        partnerships.invite(session, actor=member, email="m@example.com")
    assert _count(session, Partnership.provider_org_id == provider.org_id) == 0


def test_consultants_cannot_invite(session):
    consultant = _consultant(session)
    with pytest.raises(NotAllowed, match=ONLY_PROVIDER):
        partnerships.invite(session, actor=consultant, email="p@example.com")
    assert _count(session, Partnership.provider_org_id == consultant.org_id) == 0


# describe_invitation / claim_invitations ------------------------------------------------------


def test_an_invitation_binds_to_the_firm_only_when_its_address_is_verified(session):
    provider = _provider(session, org_name="Contoso")
    invitation = partnerships.invite(session, actor=provider, email="boss@newfirm.example")
    firm = auth.sign_up(
        session,
        org_name="New Firm",
        org_kind="consultant",
        name="Boss",
        email="boss@newfirm.example",
        password=PASSWORD,
    )
    assert _row(session, invitation.partnership_id).consultant_org_id is None  # not yet proved

    verify(session, firm)

    partnership_id = invitation.partnership_id
    row = _row(session, partnership_id)
    assert (row.consultant_org_id, row.status, row.invite_token_hash) == (
        firm.org_id,
        "invited",
        None,
    )
    claimed = _last_event(session, firm)
    assert (claimed.action, claimed.entity_id, claimed.actor_id) == (
        "claimed",
        partnership_id,
        firm.user_id,
    )
    assert (claimed.before, claimed.after) == (
        {"status": "invited", "consultant_org_id": None},
        {"status": "invited", "consultant_org_id": firm.org_id},
    )
    assert [i.id for i in partnerships.consultant_invitations(session, actor=firm)] == [
        partnership_id
    ]
    # The sign-up link is used up.
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        partnerships.describe_invitation(session, token=invitation.token)
    partnerships.accept(session, actor=firm, partnership_id=partnership_id)
    (partner,) = partnerships.partner_directory(session, actor=provider)
    assert (partner.id, partner.consultant_name) == (partnership_id, "New Firm")


def test_claim_reopens_the_firms_closed_partnership_and_drops_the_unbound_row(session):
    provider = _provider(session)
    consultant = _consultant(session)
    old_id = _partners(session, provider, consultant)
    _categorize_provider(session, consultant, old_id)
    partnerships.end(session, actor=consultant, partnership_id=old_id)
    _expire(session, old_id)
    invitation = partnerships.invite(
        session, actor=provider, email="friend@example.com", message="Come back"
    )
    _set(session, invitation.partnership_id, invited_at=utcnow() - timedelta(days=3))
    unbound = _row(session, invitation.partnership_id)
    invited_at, expires_at = unbound.invited_at, unbound.invite_expires_at

    # A colleague joins from the invitation mailed to them: that proves the address.
    friend = colleague(session, consultant, email="friend@example.com", role=Role.MANAGER)

    assert _row(session, invitation.partnership_id) is None
    row = _row(session, old_id)
    assert (row.status, row.invite_email, row.invite_message, row.ended_at) == (
        "invited",
        "friend@example.com",
        "Come back",
        None,
    )
    assert (row.invited_at, row.invite_expires_at) == (invited_at, expires_at)
    assert row.categorized_at is not None
    assert _last_event(session, consultant).before == {
        "status": "ended",
        "consultant_org_id": consultant.org_id,
    }
    partnerships.accept(session, actor=friend, partnership_id=old_id)
    assert partnerships.can_submit_to(
        session, consultant_org_id=consultant.org_id, provider_org_id=provider.org_id
    )


@pytest.mark.parametrize("state", ["active", "invited"])
def test_an_invitation_stays_unbound_when_the_firm_is_already_partner_or_invited(session, state):
    provider = _provider(session)
    consultant = _consultant(session)
    existing_id = _invited(session, provider, consultant)
    if state == "active":
        partnerships.accept(session, actor=consultant, partnership_id=existing_id)
    invitation = partnerships.invite(session, actor=provider, email="other@example.com")
    colleague(session, consultant, email="other@example.com")
    assert _row(session, existing_id).status == state
    assert _row(session, invitation.partnership_id).consultant_org_id is None
    assert partnerships.describe_invitation(session, token=invitation.token)[1] == (
        "other@example.com"
    )


def test_a_provider_proving_the_address_does_not_take_the_invitation(session):
    provider = _provider(session)
    invitation = partnerships.invite(session, actor=provider, email="x@example.com")
    colleague(session, _provider(session), email="x@example.com")
    assert _row(session, invitation.partnership_id).consultant_org_id is None


def test_a_member_of_a_consultant_firm_may_claim_but_not_accept(session):
    provider = _provider(session)
    invitation = partnerships.invite(session, actor=provider, email="x@example.com")
    member = colleague(session, _consultant(session), email="x@example.com")
    partnership_id = invitation.partnership_id
    assert _row(session, partnership_id).consultant_org_id == member.org_id
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        partnerships.accept(session, actor=member, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "invited"


@pytest.mark.parametrize("closed", ["revoked", "expired", "bound"])
def test_closed_invitation_links_are_refused(session, closed):
    provider = _provider(session)
    invitation = partnerships.invite(session, actor=provider, email="late@example.com")
    if closed == "revoked":
        partnerships.revoke(session, actor=provider, partnership_id=invitation.partnership_id)
    elif closed == "expired":
        _expire(session, invitation.partnership_id)
    else:
        _consultant(session, email="late@example.com")
    message = "has expired" if closed == "expired" else "not valid any more"
    with pytest.raises(NotAuthenticated, match=message):
        partnerships.describe_invitation(session, token=invitation.token)
    if closed != "bound":  # a firm proving the address later does not take a closed invitation
        firm = _consultant(session, email="late@example.com")
        assert _count(session, Partnership.consultant_org_id == firm.org_id) == 0


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "is not valid"),
        ("", "is not valid"),
        (7, "is not valid"),
        ({"token": "x"}, "is not valid"),
        ("t" * 101, "is not valid"),
        ("\ud800" * 20, "is not valid"),
        ("never-issued-token-xyz", "not valid any more"),
    ],
)
def test_garbage_invitation_tokens_are_refused(session, token, message):
    provider = _provider(session)
    invitation = partnerships.invite(session, actor=provider, email="real@example.com")
    with pytest.raises(NotAuthenticated, match=message):
        partnerships.describe_invitation(session, token=token)
    assert _row(session, invitation.partnership_id).consultant_org_id is None


# resend / revoke -----------------------------------------------------------------------------


def test_resend_issues_a_new_token_and_expiry(session):
    provider = _provider(session)
    invitation = partnerships.invite(session, actor=provider, email="slow@example.com")
    _expire(session, invitation.partnership_id)
    with pytest.raises(NotAuthenticated, match="has expired"):
        partnerships.describe_invitation(session, token=invitation.token)

    token = partnerships.resend(session, actor=provider, partnership_id=invitation.partnership_id)

    row = _row(session, invitation.partnership_id)
    assert token != invitation.token
    assert row.invite_token_hash == auth.hash_token(token)
    assert row.invite_expires_at > utcnow() + partnerships.INVITE_TTL - timedelta(minutes=1)
    assert partnerships.describe_invitation(session, token=token)[1] == "slow@example.com"
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        partnerships.describe_invitation(session, token=invitation.token)
    resent = _last_event(session, provider)
    assert (resent.action, resent.entity_id, resent.actor_id) == (
        "resent",
        row.id,
        provider.user_id,
    )
    assert resent.after == {"expires_at": row.invite_expires_at.isoformat()}
    assert resent.before["expires_at"] < resent.after["expires_at"]


def test_resend_lets_a_firm_accept_an_expired_invitation(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    _expire(session, partnership_id)
    assert partnerships.consultant_invitations(session, actor=consultant) == []
    partnerships.resend(session, actor=provider, partnership_id=str(partnership_id))
    assert [i.id for i in partnerships.consultant_invitations(session, actor=consultant)] == [
        partnership_id
    ]
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)


def test_revoke_closes_the_invitation_and_its_link(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    link = partnerships.invite(session, actor=provider, email="link@example.com")
    partnerships.revoke(session, actor=provider, partnership_id=partnership_id)
    partnerships.revoke(session, actor=provider, partnership_id=link.partnership_id)

    row = _row(session, partnership_id)
    assert (row.status, row.invite_token_hash) == ("revoked", None)
    assert row.ended_at is not None
    assert partnerships.consultant_invitations(session, actor=consultant) == []
    with pytest.raises(Invalid, match="withdrawn"):
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    with pytest.raises(NotAuthenticated):
        partnerships.describe_invitation(session, token=link.token)
    revoked = [e for e in events(session, org_id=provider.org_id) if e.action == "revoked"]
    assert [(e.entity_type, e.entity_id, e.actor_id, e.before, e.after) for e in revoked] == [
        (
            "partnership",
            partnership_id,
            provider.user_id,
            {"status": "invited", "consultant_org_id": consultant.org_id},
            {"status": "revoked", "consultant_org_id": consultant.org_id},
        ),
        (
            "partnership",
            link.partnership_id,
            provider.user_id,
            {"status": "invited", "consultant_org_id": None},
            {"status": "revoked", "consultant_org_id": None},
        ),
    ]


@pytest.mark.parametrize("operation", [partnerships.resend, partnerships.revoke])
@pytest.mark.parametrize(
    ("state", "message"),
    [("active", "already accepted"), ("rejected", "declined"), ("revoked", "withdrawn")],
)
def test_resend_and_revoke_only_pending_invitations(session, operation, state, message):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    if state == "active":
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    elif state == "rejected":
        partnerships.reject(session, actor=consultant, partnership_id=partnership_id)
    else:
        partnerships.revoke(session, actor=provider, partnership_id=partnership_id)
    hash_before = _row(session, partnership_id).invite_token_hash
    before = _trail(session, provider)
    with pytest.raises(Invalid, match=message):
        operation(session, actor=provider, partnership_id=partnership_id)
    row = _row(session, partnership_id)
    assert (row.status, row.invite_token_hash) == (state, hash_before)
    assert _trail(session, provider) == before


@pytest.mark.parametrize("operation", [partnerships.resend, partnerships.revoke])
def test_resend_and_revoke_refuse_members_strangers_and_consultants(session, operation):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    hash_before = _row(session, partnership_id).invite_token_hash
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        operation(session, actor=colleague(session, provider), partnership_id=partnership_id)
    with pytest.raises(NotFound, match="does not exist or is not visible"):
        operation(session, actor=_provider(session), partnership_id=partnership_id)
    with pytest.raises(NotAllowed, match=ONLY_PROVIDER):
        operation(session, actor=consultant, partnership_id=partnership_id)
    row = _row(session, partnership_id)
    assert (row.status, row.invite_token_hash) == ("invited", hash_before)
    assert [a for a, *_ in _trail(session, provider)] == ["invited"]


def test_a_manager_may_resend_and_revoke(session):
    provider = _provider(session)
    manager = colleague(session, provider, role=Role.MANAGER)
    partnership_id = _invited(session, provider, _consultant(session))
    partnerships.resend(session, actor=manager, partnership_id=partnership_id)
    partnerships.revoke(session, actor=manager, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "revoked"
    assert [(a, actor) for a, _, actor in _trail(session, provider)][1:] == [
        ("resent", manager.user_id),
        ("revoked", manager.user_id),
    ]


# accept / reject -----------------------------------------------------------------------------


def test_accept_activates_the_partnership(session):
    provider = _provider(session, org_name="Northwind")
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    manager = colleague(session, consultant, role=Role.MANAGER)

    partnerships.accept(session, actor=manager, partnership_id=str(partnership_id))

    row = _row(session, partnership_id)
    assert (row.status, row.invite_token_hash, row.ended_at) == ("active", None, None)
    assert row.responded_at is not None
    assert _trail(session, consultant) == [("accepted", partnership_id, manager.user_id)]
    assert _last_event(session, consultant).after == {
        "status": "active",
        "consultant_org_id": consultant.org_id,
    }
    assert partnerships.consultant_invitations(session, actor=consultant) == []
    assert [p.provider_name for p in partnerships.my_providers(session, actor=consultant)] == [
        "Northwind"
    ]


def test_a_second_accept_is_refused(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    responded_at = _row(session, partnership_id).responded_at
    with pytest.raises(Invalid, match="already accepted"):
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    assert _row(session, partnership_id).responded_at == responded_at
    assert [a for a, *_ in _trail(session, consultant)] == ["accepted"]


def test_an_expired_invitation_cannot_be_accepted(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    _expire(session, partnership_id)
    with pytest.raises(Invalid, match="has expired"):
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "invited"
    assert _trail(session, consultant) == []


def test_reject_declines_the_invitation(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    partnerships.reject(session, actor=consultant, partnership_id=partnership_id)
    row = _row(session, partnership_id)
    assert (row.status, row.invite_token_hash) == ("rejected", None)
    assert row.responded_at is not None
    assert _trail(session, consultant) == [("rejected", partnership_id, consultant.user_id)]
    with pytest.raises(Invalid, match="declined"):
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    with pytest.raises(Invalid, match="declined"):
        partnerships.reject(session, actor=consultant, partnership_id=partnership_id)
    assert partnerships.lead_targets(session, actor=consultant).unavailable == []


@pytest.mark.parametrize("operation", [partnerships.accept, partnerships.reject])
def test_accept_and_reject_refuse_members_strangers_and_providers(session, operation):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    unbound = partnerships.invite(session, actor=provider, email="nobody@example.com")
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        operation(session, actor=colleague(session, consultant), partnership_id=partnership_id)
    stranger = _consultant(session)
    for target in (partnership_id, unbound.partnership_id):
        with pytest.raises(NotFound, match="does not exist or is not visible"):
            operation(session, actor=stranger, partnership_id=target)
    with pytest.raises(NotAllowed, match=ONLY_CONSULTANT):
        operation(session, actor=provider, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "invited"
    assert _trail(session, consultant) == []
    assert _trail(session, stranger) == []


def test_accepting_an_ended_partnership_is_refused(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    partnerships.end(session, actor=provider, partnership_id=partnership_id)
    with pytest.raises(Invalid, match="has ended"):
        partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "ended"


# end -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["provider", "consultant"])
def test_either_side_ends_an_active_partnership_and_records_stay(session, side):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    _categorize_provider(session, consultant, partnership_id)
    actor = provider if side == "provider" else consultant

    partnerships.end(session, actor=actor, partnership_id=partnership_id)

    row = _row(session, partnership_id)
    assert row.status == "ended"
    assert row.ended_at is not None
    assert row.categorized_at is not None
    assert row.provider_type_id is not None
    last = _last_event(session, actor)
    assert (last.action, last.entity_id, last.actor_id, last.org_id) == (
        "ended",
        partnership_id,
        actor.user_id,
        actor.org_id,
    )
    assert (last.before["status"], last.after["status"]) == ("active", "ended")
    assert not partnerships.can_submit_to(
        session, consultant_org_id=consultant.org_id, provider_org_id=provider.org_id
    )
    with pytest.raises(Invalid, match="Only an active partnership"):
        partnerships.end(session, actor=actor, partnership_id=partnership_id)


def test_end_refuses_pending_invitations(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _invited(session, provider, consultant)
    for actor in (provider, consultant):
        with pytest.raises(Invalid, match="Only an active partnership"):
            partnerships.end(session, actor=actor, partnership_id=partnership_id)
    assert _row(session, partnership_id).status == "invited"


@pytest.mark.parametrize("side", [OrgKind.PROVIDER, OrgKind.CONSULTANT])
def test_end_refuses_members_and_strangers(session, side):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    own = provider if side == OrgKind.PROVIDER else consultant
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        partnerships.end(session, actor=colleague(session, own), partnership_id=partnership_id)
    with pytest.raises(NotFound):
        partnerships.end(
            session, actor=org_admin(session, kind=side), partnership_id=partnership_id
        )
    assert _row(session, partnership_id).status == "active"


# hostile partnership ids ---------------------------------------------------------------------

_PROVIDER_OPERATIONS = [partnerships.resend, partnerships.revoke, partnerships.end]
_CONSULTANT_OPERATIONS = [partnerships.accept, partnerships.reject, partnerships.end]


@pytest.mark.parametrize("partnership_id", [*HOSTILE_IDS, 999_999, "999999"])
def test_hostile_partnership_ids_are_not_found(session, partnership_id):
    provider = _provider(session)
    consultant = _consultant(session)
    invited_id = _invited(session, provider, consultant)
    for operation in _PROVIDER_OPERATIONS:
        with pytest.raises(NotFound):
            operation(session, actor=provider, partnership_id=partnership_id)
    for operation in _CONSULTANT_OPERATIONS:
        with pytest.raises(NotFound):
            operation(session, actor=consultant, partnership_id=partnership_id)
    with pytest.raises(NotFound):
        _categorize_partner(session, provider, partnership_id)
    with pytest.raises(NotFound):
        _categorize_provider(session, consultant, partnership_id)
    assert _row(session, invited_id).status == "invited"
    assert _trail(session, consultant) == []


# categorize_partner --------------------------------------------------------------------------


def test_categorize_partner_sets_every_field_and_records_the_change(session):
    provider = _provider(session)
    consultant = _consultant(session, org_name="Fabrikam")
    manager = colleague(session, provider, role=Role.MANAGER, name="Mia Manager")
    partnership_id = _partners(session, provider, consultant)
    kind = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    standing = _term(session, provider, TermKind.PARTNER_STATUS, "Expert")
    tier = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    group = _new_term(session, provider, TermKind.PARTNER_GROUP, "EMEA")

    _categorize_partner(
        session,
        manager,
        str(partnership_id),
        partner_type_id=kind,
        partner_status_id=str(standing),
        partner_tier_id=tier,
        partner_group_id=group,
        partner_manager_id=str(manager.user_id),
    )

    row = _row(session, partnership_id)
    assert (
        row.partner_type_id,
        row.partner_status_id,
        row.partner_tier_id,
        row.partner_group_id,
        row.partner_manager_id,
    ) == (kind, standing, tier, group, manager.user_id)
    last = _last_event(session, provider)
    assert (last.action, last.entity_id, last.actor_id) == (
        "categorized",
        partnership_id,
        manager.user_id,
    )
    assert last.before == dict.fromkeys(PARTNER_FIELDS)
    assert last.after == {
        "partner_type_id": kind,
        "partner_status_id": standing,
        "partner_tier_id": tier,
        "partner_group_id": group,
        "partner_manager_id": manager.user_id,
    }
    (partner,) = partnerships.partner_directory(session, actor=provider)
    assert (
        partner.partner_type,
        partner.partner_status,
        partner.partner_tier,
        partner.partner_group,
        partner.partner_manager,
    ) == ("Reseller", "Expert", "Gold", "EMEA", "Mia Manager")
    assert row.categorized_at is None  # the consultant side is separate


@pytest.mark.parametrize("empty", [None, ""])
def test_categorize_partner_clears_fields_and_records_only_changes(session, empty):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    _categorize_partner(
        session, provider, partnership_id, partner_tier_id=gold, partner_type_id=reseller
    )
    _categorize_partner(
        session, provider, partnership_id, partner_tier_id=empty, partner_type_id=reseller
    )
    row = _row(session, partnership_id)
    assert (row.partner_tier_id, row.partner_type_id) == (None, reseller)
    last = _last_event(session, provider)
    assert (last.before, last.after) == ({"partner_tier_id": gold}, {"partner_tier_id": None})


def test_categorize_partner_without_changes_records_nothing(session):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    _categorize_partner(session, provider, partnership_id, partner_tier_id=gold)
    before = _trail(session, provider)
    _categorize_partner(session, provider, partnership_id, partner_tier_id=str(gold))
    assert _trail(session, provider) == before


def test_categorize_partner_keeps_a_term_archived_since_but_refuses_a_new_archived_one(session):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    silver = _term(session, provider, TermKind.PARTNER_TIER, "Silver")
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    _categorize_partner(session, provider, partnership_id, partner_tier_id=gold)
    _archive(session, gold)
    _archive(session, silver)

    _categorize_partner(
        session, provider, partnership_id, partner_tier_id=gold, partner_type_id=reseller
    )
    row = _row(session, partnership_id)
    assert (row.partner_tier_id, row.partner_type_id) == (gold, reseller)

    with pytest.raises(Invalid, match="Silver is archived") as caught:
        _categorize_partner(
            session, provider, partnership_id, partner_tier_id=silver, partner_type_id=reseller
        )
    assert caught.value.field == "partner_tier_id"
    assert _row(session, partnership_id).partner_tier_id == gold


@pytest.mark.parametrize(
    ("field", "owner", "kind", "name"),
    [
        ("partner_type_id", "other provider", TermKind.PARTNER_TYPE, "Reseller"),
        ("partner_status_id", "other provider", TermKind.PARTNER_STATUS, "Expert"),
        ("partner_tier_id", "consultant", TermKind.PROFICIENCY, "Expert"),
        ("partner_type_id", "own", TermKind.PARTNER_TIER, "Gold"),
        ("partner_group_id", "own", TermKind.PARTNER_TYPE, "Reseller"),
    ],
)
def test_categorize_partner_refuses_other_orgs_terms_and_terms_of_another_kind(
    session, field, owner, kind, name
):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    owner = {"own": provider, "consultant": consultant}.get(owner) or _provider(session)
    term = _term(session, owner, kind, name)
    with pytest.raises(NotFound, match="does not exist or is not visible"):
        _categorize_partner(session, provider, partnership_id, **{field: term})
    assert getattr(_row(session, partnership_id), field) is None
    assert [a for a, *_ in _trail(session, provider)] == ["invited"]


@pytest.mark.parametrize("term_id", [True, -1, "-1", 0, "abc", {"id": 1}, [1], 1.5, 2**70])
def test_categorize_partner_refuses_hostile_term_ids(session, term_id):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    for field in PARTNER_FIELDS:
        with pytest.raises(NotFound):
            _categorize_partner(session, provider, partnership_id, **{field: term_id})
    row = _row(session, partnership_id)
    assert [getattr(row, f) for f in PARTNER_FIELDS] == [None] * 5


@pytest.mark.parametrize("who", ["other org", "consultant", "unknown"])
def test_categorize_partner_refuses_managers_outside_the_org(session, who):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    user_id = {"consultant": consultant.user_id, "unknown": 999_999}.get(who) or (
        colleague(session, _provider(session)).user_id
    )
    with pytest.raises(NotFound, match="not in your organization"):
        _categorize_partner(session, provider, partnership_id, partner_manager_id=user_id)
    assert _row(session, partnership_id).partner_manager_id is None


def test_categorize_partner_refuses_a_deactivated_manager(session):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    leaver = colleague(session, provider, name="Lee Ver")
    team.set_active(session, actor=provider, user_id=leaver.user_id, active=False)
    with pytest.raises(Invalid, match="Lee Ver is deactivated") as caught:
        _categorize_partner(session, provider, partnership_id, partner_manager_id=leaver.user_id)
    assert caught.value.field == "partner_manager_id"
    account = user_row(session, colleague(session, provider).user_id)
    account.is_active = False
    session.add(account)
    with pytest.raises(Invalid, match="deactivated"):
        _categorize_partner(session, provider, partnership_id, partner_manager_id=account.id)
    assert _row(session, partnership_id).partner_manager_id is None


def test_categorize_partner_keeps_a_manager_deactivated_since(session):
    provider = _provider(session)
    partnership_id = _partners(session, provider, _consultant(session))
    manager = colleague(session, provider)
    _categorize_partner(session, provider, partnership_id, partner_manager_id=manager.user_id)
    team.set_active(session, actor=provider, user_id=manager.user_id, active=False)
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    _categorize_partner(
        session, provider, partnership_id, partner_manager_id=manager.user_id, partner_tier_id=gold
    )
    row = _row(session, partnership_id)
    assert (row.partner_manager_id, row.partner_tier_id) == (manager.user_id, gold)


def test_categorize_partner_refusals_by_role_side_owner_and_status(session):
    provider = _provider(session)
    consultant = _consultant(session)
    active_id = _partners(session, provider, consultant)
    invited_id = _invited(session, provider, _consultant(session))
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        _categorize_partner(session, colleague(session, provider), active_id, partner_tier_id=gold)
    with pytest.raises(NotAllowed, match=ONLY_PROVIDER):
        _categorize_partner(session, consultant, active_id, partner_tier_id=gold)
    with pytest.raises(NotFound):
        _categorize_partner(session, _provider(session), active_id, partner_tier_id=gold)
    with pytest.raises(Invalid, match="Only an active partnership"):
        _categorize_partner(session, provider, invited_id, partner_tier_id=gold)
    assert _row(session, active_id).partner_tier_id is None
    assert _row(session, invited_id).partner_tier_id is None


# categorize_provider -------------------------------------------------------------------------


def test_categorize_provider_sets_fields_and_makes_the_provider_a_lead_target(session):
    provider = _provider(session, org_name="Northwind")
    consultant = _consultant(session)
    manager = colleague(session, consultant, role=Role.MANAGER, name="Kai")
    partnership_id = _partners(session, provider, consultant)
    erp = _term(session, consultant, TermKind.PROVIDER_TYPE, "ERP")
    expert = _term(session, consultant, TermKind.PROFICIENCY, "Expert")
    assert partnerships.lead_targets(session, actor=consultant).unavailable == [
        ("Northwind", "waiting to be categorized")
    ]

    partnerships.categorize_provider(
        session,
        actor=manager,
        partnership_id=partnership_id,
        provider_type_id=str(erp),
        proficiency_id=expert,
        assigned_user_id=manager.user_id,
    )

    row = _row(session, partnership_id)
    assert (row.provider_type_id, row.proficiency_id, row.assigned_user_id) == (
        erp,
        expert,
        manager.user_id,
    )
    assert row.categorized_at is not None
    last = _last_event(session, consultant)
    assert (last.action, last.actor_id, last.before, last.after) == (
        "categorized",
        manager.user_id,
        {"provider_type_id": None, "proficiency_id": None, "assigned_user_id": None},
        {"provider_type_id": erp, "proficiency_id": expert, "assigned_user_id": manager.user_id},
    )
    (view,) = partnerships.my_providers(session, actor=consultant)
    assert (view.provider_type, view.proficiency, view.assigned_user, view.categorized) == (
        "ERP",
        "Expert",
        "Kai",
        True,
    )
    assert partnerships.lead_targets(session, actor=consultant) == partnerships.LeadTargets(
        eligible=[(provider.org_id, "Northwind")], unavailable=[]
    )
    assert partnerships.can_submit_to(
        session, consultant_org_id=consultant.org_id, provider_org_id=provider.org_id
    )
    # The provider's side is untouched.
    assert row.partner_type_id is None


@pytest.mark.parametrize("field", ["provider_type_id", "proficiency_id", "assigned_user_id"])
@pytest.mark.parametrize("empty", [None, ""])
def test_categorize_provider_requires_every_field(session, field, empty):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    with pytest.raises(Invalid, match="Choose a") as caught:
        _categorize_provider(session, consultant, partnership_id, **{field: empty})
    assert caught.value.field == field
    _assert_uncategorized(session, partnership_id)


@pytest.mark.parametrize(
    ("field", "owner", "kind", "name"),
    [
        ("provider_type_id", "other consultant", TermKind.PROVIDER_TYPE, "ERP"),
        ("proficiency_id", "other consultant", TermKind.PROFICIENCY, "Expert"),
        ("provider_type_id", "provider", TermKind.PARTNER_TYPE, "Reseller"),
        ("proficiency_id", "own", TermKind.PROVIDER_TYPE, "ERP"),
    ],
)
def test_categorize_provider_refuses_other_orgs_terms_and_terms_of_another_kind(
    session, field, owner, kind, name
):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    owner = {"own": consultant, "provider": provider}.get(owner) or _consultant(session)
    term = _term(session, owner, kind, name)
    with pytest.raises(NotFound, match="does not exist or is not visible"):
        _categorize_provider(session, consultant, partnership_id, **{field: term})
    _assert_uncategorized(session, partnership_id)


@pytest.mark.parametrize("owner", ["other consultant", "provider"])
def test_categorize_provider_refuses_people_outside_the_firm(session, owner):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    outsider = provider if owner == "provider" else colleague(session, _consultant(session))
    with pytest.raises(NotFound, match="not in your organization"):
        _categorize_provider(session, consultant, partnership_id, assigned_user_id=outsider.user_id)
    _assert_uncategorized(session, partnership_id)


@pytest.mark.parametrize("field", ["provider_type_id", "proficiency_id", "assigned_user_id"])
@pytest.mark.parametrize("value", [True, -3, "x", "1.0", {"id": 1}, [1], 2**70])
def test_categorize_provider_refuses_hostile_ids(session, field, value):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    with pytest.raises(NotFound):
        _categorize_provider(session, consultant, partnership_id, **{field: value})
    _assert_uncategorized(session, partnership_id)


def test_categorize_provider_refuses_archived_terms_and_deactivated_people(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    legacy = _new_term(session, consultant, TermKind.PROVIDER_TYPE, "Legacy", archived=True)
    with pytest.raises(Invalid, match="Legacy is archived") as caught:
        _categorize_provider(session, consultant, partnership_id, provider_type_id=legacy)
    assert caught.value.field == "provider_type_id"
    leaver = colleague(session, consultant, name="Lee Ver")
    team.set_active(session, actor=consultant, user_id=leaver.user_id, active=False)
    with pytest.raises(Invalid, match="Lee Ver is deactivated") as caught:
        _categorize_provider(session, consultant, partnership_id, assigned_user_id=leaver.user_id)
    assert caught.value.field == "assigned_user_id"
    _assert_uncategorized(session, partnership_id)


def test_recategorizing_a_provider_records_only_the_change(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)
    beginner = _term(session, consultant, TermKind.PROFICIENCY, "Beginner")
    expert = _term(session, consultant, TermKind.PROFICIENCY, "Expert")
    _categorize_provider(session, consultant, partnership_id, proficiency_id=beginner)
    first = _row(session, partnership_id).categorized_at
    _categorize_provider(session, consultant, partnership_id, proficiency_id=str(beginner))
    assert [a for a, *_ in _trail(session, consultant)] == ["accepted", "categorized"]
    assert _row(session, partnership_id).categorized_at == first
    _categorize_provider(session, consultant, partnership_id, proficiency_id=expert)
    last = _last_event(session, consultant)
    assert (last.before, last.after) == ({"proficiency_id": beginner}, {"proficiency_id": expert})
    assert _row(session, partnership_id).categorized_at > first


def test_categorize_provider_refusals_by_role_side_owner_and_status(session):
    provider = _provider(session)
    consultant = _consultant(session)
    active_id = _partners(session, provider, consultant)
    invited_id = _invited(session, _provider(session), consultant)
    with pytest.raises(NotAllowed, match=MANAGERS_ONLY):
        _categorize_provider(session, colleague(session, consultant), active_id)
    with pytest.raises(NotAllowed, match=ONLY_CONSULTANT):
        partnerships.categorize_provider(
            session,
            actor=provider,
            partnership_id=active_id,
            provider_type_id=None,
            proficiency_id=None,
            assigned_user_id=None,
        )
    with pytest.raises(NotFound):
        _categorize_provider(session, _consultant(session), active_id)
    with pytest.raises(Invalid, match="Only an active partnership"):
        _categorize_provider(session, consultant, invited_id)
    assert _row(session, active_id).categorized_at is None
    assert _row(session, invited_id).categorized_at is None


# provider_invitations ------------------------------------------------------------------------


def test_provider_invitations_lists_invitations_not_yet_partnerships_newest_first(session):
    provider = _provider(session)
    pending = _invited(session, provider, _consultant(session, org_name="Pending Firm"))
    decliner = _consultant(session, org_name="Declining Firm")
    declined = _invited(session, provider, decliner)
    partnerships.reject(session, actor=decliner, partnership_id=declined)
    withdrawn = partnerships.invite(session, actor=provider, email="gone@example.com")
    partnerships.revoke(session, actor=provider, partnership_id=withdrawn.partnership_id)
    _expire(session, withdrawn.partnership_id)  # only an open invitation shows as expired
    stale = partnerships.invite(session, actor=provider, email="stale@example.com", message="Hi")
    _expire(session, stale.partnership_id)
    accepted = _partners(session, provider, _consultant(session))
    ended = _partners(session, provider, _consultant(session))
    partnerships.end(session, actor=provider, partnership_id=ended)
    _invited(session, _provider(session), _consultant(session))  # another provider's
    base = utcnow() - timedelta(days=10)
    for offset, partnership_id in enumerate(
        [pending, declined, withdrawn.partnership_id, stale.partnership_id, accepted, ended]
    ):
        _set(session, partnership_id, invited_at=base + timedelta(hours=offset))

    listed = partnerships.provider_invitations(session, actor=colleague(session, provider))

    assert [(i.id, i.status, i.expired) for i in listed] == [
        (stale.partnership_id, "invited", True),
        (withdrawn.partnership_id, "revoked", False),
        (declined, "rejected", False),
        (pending, "invited", False),
    ]
    assert not hasattr(listed[0], "consultant_name")  # whose address: unknown until accepted
    assert (listed[0].email, listed[0].message) == ("stale@example.com", "Hi")
    assert listed[0].expires_at < utcnow() < listed[3].expires_at
    with pytest.raises(NotAllowed, match=ONLY_PROVIDER):
        partnerships.provider_invitations(session, actor=_consultant(session))


# partner_directory ---------------------------------------------------------------------------


def _directory_fixture(session):
    """A provider with three active partners (categorized differently), one ended, and noise."""
    provider = _provider(session)
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    bronze = _term(session, provider, TermKind.PARTNER_TIER, "Bronze")
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    referral = _term(session, provider, TermKind.PARTNER_TYPE, "Referral partner")
    expert = _term(session, provider, TermKind.PARTNER_STATUS, "Expert")
    emea = _new_term(session, provider, TermKind.PARTNER_GROUP, "EMEA")
    ids = {}
    for name, since_days, terms in (
        ("beta Consulting", 30, {"partner_tier_id": bronze, "partner_type_id": reseller}),
        ("Alpha 100% Partners", 10, {"partner_type_id": referral, "partner_group_id": emea}),
        ("Gamma_Works", 20, {"partner_tier_id": gold, "partner_status_id": expert}),
        ("Delta Ended", 40, {"partner_tier_id": gold}),
    ):
        ids[name] = _partners(session, provider, _consultant(session, org_name=name))
        _categorize_partner(session, provider, ids[name], **terms)
        _set(session, ids[name], responded_at=utcnow() - timedelta(days=since_days))
    partnerships.end(session, actor=provider, partnership_id=ids["Delta Ended"])
    _invited(session, provider, _consultant(session, org_name="Alpha Invited"))
    other = _provider(session)
    _partners(session, other, _consultant(session, org_name="Alpha Elsewhere"))
    return (
        provider,
        ids,
        dict(gold=gold, reseller=reseller, referral=referral, expert=expert, emea=emea),
    )


def _names(session, provider, **arguments):
    listed = partnerships.partner_directory(session, actor=provider, **arguments)
    return [p.consultant_name for p in listed]


def test_partner_directory_lists_active_partners_by_name_with_their_categorization(session):
    provider, ids, terms = _directory_fixture(session)
    listed = partnerships.partner_directory(session, actor=colleague(session, provider))
    assert [p.consultant_name for p in listed] == [
        "Alpha 100% Partners",
        "beta Consulting",
        "Gamma_Works",
    ]
    gamma = listed[2]
    assert (gamma.id, gamma.status, gamma.partner_tier_id, gamma.partner_tier) == (
        ids["Gamma_Works"],
        "active",
        terms["gold"],
        "Gold",
    )
    assert (gamma.partner_status, gamma.partner_type, gamma.partner_group) == ("Expert", "", "")
    assert (gamma.partner_type_id, gamma.partner_manager_id, gamma.partner_manager) == (
        None,
        None,
        "",
    )
    assert gamma.consultant_org_id == _row(session, ids["Gamma_Works"]).consultant_org_id
    assert gamma.since == _row(session, ids["Gamma_Works"]).responded_at


def test_partner_directory_includes_ended_partners_on_request(session):
    provider, _, _ = _directory_fixture(session)
    listed = partnerships.partner_directory(session, actor=provider, include_ended=True)
    assert [(p.consultant_name, p.status) for p in listed] == [
        ("Alpha 100% Partners", "active"),
        ("beta Consulting", "active"),
        ("Delta Ended", "ended"),
        ("Gamma_Works", "active"),
    ]
    assert "Delta Ended" not in _names(session, provider, include_ended="yes")


def test_partner_directory_filters_by_terms(session):
    provider, _, terms = _directory_fixture(session)
    assert _names(session, provider, partner_tier_id=terms["gold"]) == ["Gamma_Works"]
    assert _names(session, provider, partner_tier_id=str(terms["gold"]), include_ended=True) == [
        "Delta Ended",
        "Gamma_Works",
    ]
    assert _names(session, provider, partner_type_id=terms["reseller"]) == ["beta Consulting"]
    assert _names(session, provider, partner_status_id=str(terms["expert"])) == ["Gamma_Works"]
    assert _names(session, provider, partner_group_id=terms["emea"]) == ["Alpha 100% Partners"]
    assert _names(
        session, provider, partner_type_id=terms["referral"], partner_group_id=terms["emea"]
    ) == ["Alpha 100% Partners"]
    assert _names(session, provider, partner_type_id=terms["referral"], partner_tier_id="") == [
        "Alpha 100% Partners"
    ]
    assert (
        _names(session, provider, partner_tier_id=terms["gold"], partner_type_id=terms["reseller"])
        == []
    )
    assert _names(session, provider, partner_tier_id=999_999) == []


def test_partner_directory_searches_names_case_insensitively_and_literally(session):
    provider, _, _ = _directory_fixture(session)
    assert _names(session, provider, search="  ALPHA ") == ["Alpha 100% Partners"]
    assert _names(session, provider, search="consult") == ["beta Consulting"]
    assert _names(session, provider, search="%") == ["Alpha 100% Partners"]
    assert _names(session, provider, search="_") == ["Gamma_Works"]
    assert _names(session, provider, search="a_w") == ["Gamma_Works"]
    assert _names(session, provider, search="elsewhere") == []
    assert _names(session, provider, search=None) == _names(session, provider)
    assert len(_names(session, provider, search="a" * 100)) == 0


def test_partner_directory_sorts_by_since_and_by_tier(session):
    provider, _, _ = _directory_fixture(session)
    assert _names(session, provider, sort="since") == [
        "Alpha 100% Partners",
        "Gamma_Works",
        "beta Consulting",
    ]
    # Gold (position 0) before Bronze (2); untiered last.
    assert _names(session, provider, sort="tier") == [
        "Gamma_Works",
        "beta Consulting",
        "Alpha 100% Partners",
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"sort": "price"}, "sort"),
        ({"sort": None}, "sort"),
        ({"sort": ["name"]}, "sort"),
        ({"sort": {"by": "name"}}, "sort"),
        ({"search": "x" * 101}, "search"),
        ({"search": {"q": "x"}}, "search"),
        ({"search": 5}, "search"),
        ({"partner_tier_id": "gold"}, "partner_tier_id"),
        ({"partner_type_id": -1}, "partner_type_id"),
        ({"partner_status_id": True}, "partner_status_id"),
        ({"partner_group_id": {"id": 1}}, "partner_group_id"),
    ],
)
def test_partner_directory_refuses_bad_arguments(session, arguments, field):
    provider, _, _ = _directory_fixture(session)
    with pytest.raises(Invalid) as caught:
        partnerships.partner_directory(session, actor=provider, **arguments)
    assert caught.value.field == field


def test_partner_directory_is_for_providers(session):
    with pytest.raises(NotAllowed, match=ONLY_PROVIDER):
        partnerships.partner_directory(session, actor=_consultant(session))


# consultant side lists -----------------------------------------------------------------------


def test_consultant_invitations_lists_pending_unexpired_invitations_newest_first(session):
    consultant = _consultant(session)
    first = _invited(session, _provider(session, org_name="First"), consultant)
    second = _invited(session, _provider(session, org_name="Second"), consultant)
    expired = _invited(session, _provider(session), consultant)
    _expire(session, expired)
    revoker = _provider(session)
    partnerships.revoke(
        session, actor=revoker, partnership_id=_invited(session, revoker, consultant)
    )
    _partners(session, _provider(session), consultant)
    _invited(session, _provider(session), _consultant(session))  # another firm's
    _set(session, first, invited_at=utcnow() - timedelta(days=2))

    listed = partnerships.consultant_invitations(session, actor=colleague(session, consultant))

    assert [(i.id, i.provider_name) for i in listed] == [(second, "Second"), (first, "First")]
    assert listed[0].expires_at > utcnow()
    with pytest.raises(NotAllowed, match=ONLY_CONSULTANT):
        partnerships.consultant_invitations(session, actor=_provider(session))


def test_my_providers_lists_uncategorized_then_categorized_then_ended(session):
    consultant = _consultant(session)
    names = ["Zeta", "alpha", "Mu", "Aardvark ended", "Pending", "Declined"]
    ids = {name: _invited(session, _provider(session, org_name=name), consultant) for name in names}
    for name in ("Zeta", "alpha", "Mu", "Aardvark ended"):
        partnerships.accept(session, actor=consultant, partnership_id=ids[name])
    _categorize_provider(session, consultant, ids["alpha"])
    _categorize_provider(session, consultant, ids["Aardvark ended"])
    partnerships.end(session, actor=consultant, partnership_id=ids["Aardvark ended"])
    partnerships.reject(session, actor=consultant, partnership_id=ids["Declined"])
    _partners(session, _provider(session, org_name="Aaa Elsewhere"), _consultant(session))

    listed = partnerships.my_providers(session, actor=colleague(session, consultant))

    assert [(p.provider_name, p.status, p.categorized) for p in listed] == [
        ("Mu", "active", False),
        ("Zeta", "active", False),
        ("alpha", "active", True),
        ("Aardvark ended", "ended", True),
    ]
    alpha = listed[2]
    assert (alpha.id, alpha.provider_type, alpha.proficiency, alpha.assigned_user) == (
        ids["alpha"],
        "ERP",
        "Expert",
        "Ada Admin",
    )
    assert alpha.assigned_user_id == consultant.user_id
    assert alpha.provider_org_id == _row(session, ids["alpha"]).provider_org_id
    assert alpha.since is not None
    assert (listed[0].provider_type_id, listed[0].provider_type, listed[0].assigned_user) == (
        None,
        "",
        "",
    )
    with pytest.raises(NotAllowed, match=ONLY_CONSULTANT):
        partnerships.my_providers(session, actor=_provider(session))


def test_lead_targets_gives_each_unavailable_provider_its_reason(session):
    consultant = _consultant(session)
    ids = {
        name: _invited(session, _provider(session, org_name=name), consultant)
        for name in (
            "Ready",
            "Uncategorized",
            "Invited",
            "Expired",
            "Ended",
            "Declined",
            "Also ready",
        )
    }
    for name in ("Ready", "Uncategorized", "Ended", "Also ready"):
        partnerships.accept(session, actor=consultant, partnership_id=ids[name])
    for name in ("Ready", "Ended", "Also ready"):
        _categorize_provider(session, consultant, ids[name])
    partnerships.end(session, actor=consultant, partnership_id=ids["Ended"])
    partnerships.reject(session, actor=consultant, partnership_id=ids["Declined"])
    _expire(session, ids["Expired"])
    elsewhere = _consultant(session)  # another firm's partnerships stay out
    _invited(session, _provider(session, org_name="Elsewhere invited"), elsewhere)
    _partners(session, _provider(session, org_name="Elsewhere active"), elsewhere)

    targets = partnerships.lead_targets(session, actor=colleague(session, consultant))

    provider_of = {name: _row(session, i).provider_org_id for name, i in ids.items()}
    assert targets.eligible == [
        (provider_of["Also ready"], "Also ready"),
        (provider_of["Ready"], "Ready"),
    ]
    assert targets.unavailable == [
        ("Ended", "partnership ended"),
        ("Invited", "invitation not accepted yet"),
        ("Uncategorized", "waiting to be categorized"),
    ]
    with pytest.raises(NotAllowed, match=ONLY_CONSULTANT):
        partnerships.lead_targets(session, actor=_provider(session))


def test_can_submit_to_requires_an_active_categorized_partnership(session):
    provider = _provider(session)
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant)

    def allowed(consultant_org_id=consultant.org_id, provider_org_id=provider.org_id):
        return partnerships.can_submit_to(
            session, consultant_org_id=consultant_org_id, provider_org_id=provider_org_id
        )

    assert not allowed()
    _categorize_provider(session, consultant, partnership_id)
    assert allowed()
    assert allowed(str(consultant.org_id), str(provider.org_id))
    assert not allowed(provider.org_id, consultant.org_id)
    assert not allowed(_consultant(session).org_id)
    for hostile in (None, True, -1, "x", {"id": 1}):
        assert not allowed(consultant_org_id=hostile)
        assert not allowed(provider_org_id=hostile)
    partnerships.end(session, actor=provider, partnership_id=partnership_id)
    assert not allowed()


@pytest.mark.parametrize(
    ("listing", "side"),
    [
        (partnerships.partner_directory, OrgKind.PROVIDER),
        (partnerships.provider_invitations, OrgKind.PROVIDER),
        (partnerships.my_providers, OrgKind.CONSULTANT),
        (partnerships.consultant_invitations, OrgKind.CONSULTANT),
        (partnerships.lead_targets, OrgKind.CONSULTANT),
    ],
)
def test_lists_run_one_query_however_many_rows(session, listing, side):
    provider = _provider(session)
    consultant = _consultant(session)
    for _ in range(4):
        other_consultant = _consultant(session)
        partnership_id = _partners(session, provider, other_consultant)
        _categorize_partner(
            session,
            provider,
            partnership_id,
            partner_tier_id=_term(session, provider, TermKind.PARTNER_TIER, "Gold"),
            partner_manager_id=provider.user_id,
        )
        other_provider = _provider(session)
        partnership_id = _partners(session, other_provider, consultant)
        _categorize_provider(session, consultant, partnership_id)
        _invited(session, _provider(session), consultant)
        partnerships.invite(session, actor=provider, email=unique_email("firm"))
    actor = provider if side == OrgKind.PROVIDER else consultant
    with _statements(session) as statements:
        result = listing(session, actor=actor)
    assert result
    assert len(statements) == 1


def _mails(session, to: str) -> list[OutboundEmail]:
    session.flush()
    return list(session.exec(select(OutboundEmail).where(OutboundEmail.to_address == to)))
