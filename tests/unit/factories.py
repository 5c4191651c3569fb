"""Builders for unit tests: organizations and people are made through the services themselves."""

import itertools
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event
from sqlmodel import Session, col, select

from prm_app.models import (
    ActivityEvent,
    AuthSession,
    Membership,
    OrgKind,
    Pipeline,
    Role,
    Stage,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from prm_app.services import partnerships
from prm_app.services.core.actor import Actor
from prm_app.services.identity import account_links, auth, security_log, team, verification
from prm_app.services.leads import forms as lead_forms

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_serial)}@example.com"


def org_admin(
    session: Session,
    *,
    kind: OrgKind = OrgKind.PROVIDER,
    org_name: str | None = None,
    name: str = "Ada Admin",
    email: str | None = None,
    password: str = PASSWORD,
) -> Actor:
    """A new organization of `kind` with its first admin (via auth.sign_up), whose address is
    verified the way a person does it: by opening the mailed link."""
    serial = next(_serial)
    actor = auth.sign_up(
        session,
        org_name=org_name or f"Org {serial}",
        org_kind=kind,
        name=name,
        email=email or f"admin{serial}@example.com",
        password=password,
    )
    verify(session, actor)
    return actor


def verify(session: Session, actor: Actor) -> None:
    """Open the verification link of the actor's address (as if read from the mail)."""
    token = account_links.issue(
        session, user_id=actor.user_id, purpose=account_links.VERIFY_EMAIL, email=actor.email
    )
    verification.verify(session, token=token, client=security_log.Client())


def colleague(
    session: Session,
    admin: Actor,
    *,
    role: Role = Role.MEMBER,
    name: str = "Cole League",
    email: str | None = None,
    password: str = PASSWORD,
) -> Actor:
    """A colleague in the admin's organization (invited and joined via team)."""
    token = team.invite_colleague(
        session, actor=admin, email=email or unique_email(role.value), role=role
    )
    return team.accept_invite(session, token=token, name=name, password=password)


def browser() -> tuple[str, str]:
    """A browser's pre-sign-in nonce and its SHA-256 (what /auth/nonce sets and answers)."""
    nonce = auth.new_token()
    return nonce, auth.hash_token(nonce)


def signed_in(session: Session, actor: Actor, *, user_agent: str = "", ip: str = "") -> str:
    """A session token for the actor, obtained the way a browser gets one (ticket, redeem)."""
    nonce, nonce_hash = browser()
    ticket = auth.issue_ticket(
        session, actor=actor, redirect_to="http://localhost/", nonce_hash=nonce_hash
    )
    token, _, _ = auth.redeem_ticket(
        session, ticket=ticket, nonce=nonce, user_agent=user_agent, ip=ip
    )
    session.flush()
    return token


def session_row(session: Session, token: str) -> AuthSession:
    return session.exec(
        select(AuthSession).where(AuthSession.token_hash == auth.hash_token(token))
    ).one()


def user_row(session: Session, user_id: int) -> User:
    return session.exec(select(User).where(User.id == user_id)).one()


def membership_row(session: Session, actor: Actor) -> Membership:
    return session.exec(
        select(Membership).where(
            Membership.user_id == actor.user_id, Membership.org_id == actor.org_id
        )
    ).one()


def events(session: Session, *, org_id: int, entity_type: str | None = None) -> list[ActivityEvent]:
    """The organization's activity events, oldest first."""
    session.flush()
    query = select(ActivityEvent).where(ActivityEvent.org_id == org_id)
    if entity_type is not None:
        query = query.where(ActivityEvent.entity_type == entity_type)
    return list(session.exec(query.order_by(col(ActivityEvent.id))))


def in_the_past(minutes: int = 1):
    return utcnow() - timedelta(minutes=minutes)


@contextmanager
def statements(session):
    """The SQL statements the session runs inside the block (after flushing what is pending)."""
    session.flush()
    seen: list[str] = []
    connection = session.connection()

    def _count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", _count)


def partners(session: Session, provider: Actor, consultant: Actor) -> None:
    """An active partnership the consultant has categorized (so it may submit leads)."""
    partnership_id = partnerships.invite(
        session, actor=provider, email=consultant.email
    ).partnership_id
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    terms = {
        kind: session.exec(
            select(TaxonomyTerm.id).where(
                TaxonomyTerm.org_id == consultant.org_id, TaxonomyTerm.kind == kind
            )
        ).first()
        for kind in (TermKind.PROVIDER_TYPE, TermKind.PROFICIENCY)
    }
    partnerships.categorize_provider(
        session,
        actor=consultant,
        partnership_id=partnership_id,
        provider_type_id=terms[TermKind.PROVIDER_TYPE],
        proficiency_id=terms[TermKind.PROFICIENCY],
        assigned_user_id=consultant.user_id,
    )


def deal_stage(session: Session, org: Actor, name: str) -> int:
    """The id of the organization's deal stage of this name."""
    return session.exec(
        select(Stage.id).where(
            Stage.org_id == org.org_id, Stage.pipeline == Pipeline.DEAL, Stage.name == name
        )
    ).one()


def paced(session: Session, token: str, values: dict, *, now=None) -> dict:
    """A form's values as a person sends them: with the signed time its page was served, a
    little longer than a person needs before `now`."""
    served_at = (now or utcnow()) - lead_forms.MIN_FILL - timedelta(seconds=5)
    page = lead_forms.public_form(session, token=token, now=served_at)
    return {**values, lead_forms.SERVED: page.served}


def partner_form(session: Session, provider: Actor, *, name: str = "Contact us", fields=()):
    """A provider's public form routed to a new active partner: (the form, the partner)."""
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    form_id = lead_forms.create(
        session,
        actor=provider,
        name=name,
        fields=list(fields),
        routing="partner",
        partner_org_id=consultant.org_id,
    )
    form = next(f for f in lead_forms.forms(session, actor=provider) if f.id == form_id)
    return form, consultant
