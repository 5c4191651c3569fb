"""A provider's agreements: versions its admins publish, acceptances by its partners' admins.

An agreement is asked of every partner, or of those of one partner type and/or tier; its newest
version is the current one, so publishing a version asks every partner again. A partner's admin
accepts the current version by typing their own name; the acceptance keeps who, when, which
version and the SHA-256 of the exact bytes accepted. Texts and uploaded files (PDF or plain
text, recognized by their content) are kept in the database, never in a public folder.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..partnerships.common import load, require_active
from . import documents
from .documents import TEXT

MAX_TITLE = 120
NOT_VISIBLE = "That agreement does not exist or is not visible to you."
PARTNER_ADMINS_ONLY = "Only an administrator of your organization can sign an agreement."
NAME_RULE = "Type your name as your account spells it ({name}); capitals and spaces do not matter."


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """An agreement as its provider lists it."""

    id: int
    title: str
    asked_of: str  # "All partners", "Resellers", "Gold", "Resellers, Gold"
    version_id: int
    number: int
    media_type: str
    published_at: datetime
    signed: int  # partnerships that signed the current version


@dataclass(frozen=True, slots=True)
class Signature:
    """One acceptance, as both sides see it."""

    acceptance_id: int
    partner_name: str
    number: int
    typed_name: str
    signer_email: str
    accepted_at: datetime
    sha256: str
    current: bool  # of the agreement's current version


@dataclass(frozen=True, slots=True)
class Asked:
    """An agreement asked of one partnership: its current version and whether it is signed."""

    agreement_id: int
    title: str
    version_id: int
    number: int
    media_type: str
    text: str  # a written or text file's content ("" for a PDF)
    sha256: str
    signature: Signature | None  # of the current version
    signed_before: bool  # an earlier version was signed (the new one asks again)


def hash_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def same_name(typed: str, name: str) -> bool:
    """Whether a typed name is the account's, whatever the capitals and spacing."""
    return "".join(typed.split()).casefold() == "".join(name.split()).casefold()


def create(
    session: Session,
    *,
    actor: Actor,
    title: object,
    partner_type_id: object = None,
    partner_tier_id: object = None,
    text: object = None,
    upload_key: object = None,
    file_name: object = "",
) -> int:
    """A new agreement and its version 1 (a written text, or an uploaded file): its id."""
    _require_provider_admin(actor)
    agreement = Agreement(
        provider_org_id=actor.org_id,
        title=inputs.text(title, field="title", label="Title", max_len=MAX_TITLE),
        partner_type_id=_term(session, actor, partner_type_id, TermKind.PARTNER_TYPE),
        partner_tier_id=_term(session, actor, partner_tier_id, TermKind.PARTNER_TIER),
    )
    content, media_type, name = documents.content(text, upload_key, file_name)
    session.add(agreement)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=agreement,
        action="created",
        after={"title": agreement.title, "partner_type_id": agreement.partner_type_id},
    )
    _add_version(session, actor, agreement, 1, content, media_type, name)
    assert agreement.id is not None
    return agreement.id


def publish(
    session: Session,
    *,
    actor: Actor,
    agreement_id: object,
    text: object = None,
    upload_key: object = None,
    file_name: object = "",
) -> int:
    """Publish a new version of an agreement (which asks every partner again): its number."""
    _require_provider_admin(actor)
    agreement = _own(session, actor, agreement_id, lock=True)
    content, media_type, name = documents.content(text, upload_key, file_name)
    last = session.exec(
        select(sa.func.max(AgreementVersion.number)).where(
            AgreementVersion.agreement_id == agreement.id
        )
    ).one()
    number = int(last or 0) + 1
    _add_version(session, actor, agreement, number, content, media_type, name)
    return number


def archive(session: Session, *, actor: Actor, agreement_id: object) -> None:
    """Stop asking an agreement (its signatures stay)."""
    _require_provider_admin(actor)
    agreement = _own(session, actor, agreement_id, lock=True)
    agreement.archived_at = utcnow()
    session.add(agreement)
    activity.record(
        session,
        actor=actor,
        subject=agreement,
        action="archived",
        before={"archived": False},
        after={"archived": True},
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id, *_partner_orgs(session, actor))


def provider_agreements(session: Session, *, actor: Actor) -> list[AgreementRow]:
    """The provider's agreements in use, each with its current version and how many signed it."""
    actor.require_kind(OrgKind.PROVIDER)
    agreements = session.exec(
        select(Agreement)
        .where(Agreement.provider_org_id == actor.org_id, col(Agreement.archived_at).is_(None))
        .order_by(col(Agreement.title), col(Agreement.id))
    ).all()
    current = _current_versions(session, [a.id for a in agreements if a.id is not None])
    signed = dict(
        session.exec(
            select(AgreementAcceptance.version_id, sa.func.count())
            .where(col(AgreementAcceptance.version_id).in_([v.id for v in current.values()]))
            .group_by(col(AgreementAcceptance.version_id))
        ).all()
    )
    terms = term_names(
        session, {i for a in agreements for i in (a.partner_type_id, a.partner_tier_id)}
    )
    rows = []
    for agreement in agreements:
        version = current[agreement.id]
        assert agreement.id is not None and version.id is not None
        rows.append(
            AgreementRow(
                id=agreement.id,
                title=agreement.title,
                asked_of=_asked_of(agreement, terms),
                version_id=version.id,
                number=version.number,
                media_type=version.media_type,
                published_at=version.published_at,
                signed=int(signed.get(version.id, 0)),
            )
        )
    return rows


def signatures(session: Session, *, actor: Actor, agreement_id: object) -> list[Signature]:
    """Who signed which version of one of the provider's agreements, newest first."""
    actor.require_kind(OrgKind.PROVIDER)
    agreement = _own(session, actor, agreement_id)
    current = _current_versions(session, [agreement.id])[agreement.id]
    return _signatures(
        session,
        AgreementVersion.agreement_id == agreement.id,
        Partnership.provider_org_id == actor.org_id,
        current_ids={current.id},
    )


def asked_of(session: Session, *, actor: Actor, partnership_id: object) -> list[Asked]:
    """The agreements asked of a partnership, for either side of it."""
    partnership = visible_partnership(session, actor, partnership_id)
    return asked(session, partnership)


def asked(session: Session, partnership: Partnership) -> list[Asked]:
    """The agreements a partnership must sign: the provider's in use for all its partners, or
    for its partner type and/or tier; each with its current version and signature."""
    agreements = [
        a for a in _in_use(session, [partnership.provider_org_id]) if applies(a, partnership)
    ]
    current = _current_versions(session, [a.id for a in agreements])
    assert partnership.id is not None
    accepted = {
        s.acceptance_id: s
        for s in _signatures(
            session,
            AgreementAcceptance.partnership_id == partnership.id,
            current_ids={v.id for v in current.values()},
        )
    }
    by_version = _accepted_versions(session, [partnership.id])
    rows = []
    for agreement in agreements:
        version = current[agreement.id]
        assert agreement.id is not None and version.id is not None
        signed = by_version.get((partnership.id, version.id))
        earlier = any(
            pid == partnership.id and vid != version.id and aid == agreement.id
            for (pid, vid), (_, aid) in by_version.items()
        )
        rows.append(
            Asked(
                agreement_id=agreement.id,
                title=agreement.title,
                version_id=version.id,
                number=version.number,
                media_type=version.media_type,
                text=version.content.decode() if version.media_type == TEXT else "",
                sha256=version.sha256,
                signature=accepted.get(signed[0]) if signed else None,
                signed_before=earlier,
            )
        )
    return rows


def unsigned(session: Session, partnerships: list[Partnership]) -> dict[int, list[Asked]]:
    """For each partnership: the current versions asked of it and not yet signed (few
    queries for the whole list)."""
    providers = sorted({p.provider_org_id for p in partnerships})
    agreements = _in_use(session, providers)
    current = _current_versions(session, [a.id for a in agreements])
    ids = [p.id for p in partnerships if p.id is not None]
    accepted = _accepted_versions(session, ids)
    left: dict[int, list[Asked]] = {}
    for partnership in partnerships:
        assert partnership.id is not None
        left[partnership.id] = [
            _bare(agreement, current[agreement.id])
            for agreement in agreements
            if applies(agreement, partnership)
            and (partnership.id, current[agreement.id].id) not in accepted
        ]
    return left


def accept(
    session: Session,
    *,
    actor: Actor,
    partnership_id: object,
    version_id: object,
    typed_name: object,
) -> int:
    """A partner's admin signs the current version of an agreement asked of the partnership by
    typing their name (as their account spells it, capitals and spaces aside): the acceptance's id."""
    actor.require_kind(OrgKind.CONSULTANT)
    if not actor.is_admin:
        raise NotAllowed(PARTNER_ADMINS_ONLY)
    partnership = load(session, actor, partnership_id)
    require_active(partnership)
    version_id = inputs.record_id(version_id, what="agreement")
    target = next((a for a in asked(session, partnership) if a.version_id == version_id), None)
    if target is None:
        raise NotFound("That agreement is not asked of you, or a newer version replaced it.")
    if target.signature is not None:
        raise Invalid("You already signed this version.", field="typed_name")
    assert partnership.id is not None
    name = session.exec(select(User.name).where(User.id == actor.user_id)).one()
    typed = inputs.text(typed_name, field="typed_name", label="Your name", max_len=200)
    if not same_name(typed, name):
        raise Invalid(NAME_RULE.format(name=name), field="typed_name")
    acceptance = AgreementAcceptance(
        version_id=version_id,
        partnership_id=partnership.id,
        user_id=actor.user_id,
        typed_name=typed,
        sha256=target.sha256,
    )
    session.add(acceptance)
    session.flush()
    after = {"agreement": target.title, "version": target.number, "sha256": target.sha256}
    for org_id in (partnership.provider_org_id, actor.org_id):
        activity.record(
            session,
            actor=actor,
            subject=partnership,
            action="agreement_signed",
            org_id=org_id,
            after=after,
        )
    changes.touched(
        session, changes.Topic.PARTNERS, partnership.provider_org_id, partnership.consultant_org_id
    )
    assert acceptance.id is not None
    return acceptance.id


def visible_partnership(session: Session, actor: Actor, partnership_id: object) -> Partnership:
    """A partnership of the caller's organization, either side (any role may read)."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.get(Partnership, partnership_id)
    if partnership is None or actor.org_id not in (
        partnership.provider_org_id,
        partnership.consultant_org_id,
    ):
        raise NotFound("That partnership does not exist or is not visible to you.")
    return partnership


def applies(agreement: Agreement, partnership: Partnership) -> bool:
    return agreement.partner_type_id in (None, partnership.partner_type_id) and (
        agreement.partner_tier_id in (None, partnership.partner_tier_id)
    )


def _require_provider_admin(actor: Actor) -> None:
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()


def _own(session: Session, actor: Actor, agreement_id: object, *, lock: bool = False) -> Agreement:
    agreement_id = inputs.record_id(agreement_id, what="agreement")
    query = select(Agreement).where(
        Agreement.id == agreement_id,
        Agreement.provider_org_id == actor.org_id,
        col(Agreement.archived_at).is_(None),
    )
    agreement = session.exec(query.with_for_update() if lock else query).first()
    if agreement is None:
        raise NotFound(NOT_VISIBLE)
    return agreement


def _term(session: Session, actor: Actor, value: object, kind: TermKind) -> int | None:
    if value in (None, ""):
        return None
    what = "partner type" if kind == TermKind.PARTNER_TYPE else "tier"
    term_id = inputs.record_id(value, what=what)
    found = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.id == term_id,
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == kind,
            col(TaxonomyTerm.archived_at).is_(None),
        )
    ).first()
    if found is None:
        raise NotFound(f"That {what} does not exist or is not visible to you.")
    return term_id


def _add_version(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    number: int,
    content: bytes,
    media_type: str,
    name: str,
) -> None:
    assert agreement.id is not None
    version = AgreementVersion(
        agreement_id=agreement.id,
        number=number,
        media_type=media_type,
        file_name=name,
        content=content,
        sha256=hash_of(content),
        published_by_id=actor.user_id,
    )
    session.add(version)
    activity.record(
        session,
        actor=actor,
        subject=agreement,
        action="version_published",
        after={"version": number, "sha256": version.sha256, "media_type": media_type},
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id, *_partner_orgs(session, actor))


def _partner_orgs(session: Session, actor: Actor) -> list[int]:
    return [
        org_id
        for org_id in session.exec(
            select(Partnership.consultant_org_id).where(
                Partnership.provider_org_id == actor.org_id,
                Partnership.status == PartnershipStatus.ACTIVE,
            )
        ).all()
        if org_id is not None
    ]


def _in_use(session: Session, provider_ids: list[int]) -> list[Agreement]:
    return list(
        session.exec(
            select(Agreement)
            .where(
                col(Agreement.provider_org_id).in_(provider_ids),
                col(Agreement.archived_at).is_(None),
            )
            .order_by(col(Agreement.title), col(Agreement.id))
        ).all()
    )


def _current_versions(session: Session, agreement_ids: list) -> dict:
    """{agreement id: its newest version}."""
    if not agreement_ids:
        return {}
    newest = (
        select(AgreementVersion.agreement_id, sa.func.max(AgreementVersion.number).label("n"))
        .where(col(AgreementVersion.agreement_id).in_(agreement_ids))
        .group_by(col(AgreementVersion.agreement_id))
        .subquery()
    )
    versions = session.exec(
        select(AgreementVersion).join(
            newest,
            sa.and_(
                newest.c.agreement_id == AgreementVersion.agreement_id,
                newest.c.n == AgreementVersion.number,
            ),
        )
    ).all()
    return {v.agreement_id: v for v in versions}


def _accepted_versions(session: Session, partnership_ids: list[int]) -> dict:
    """{(partnership id, version id): (acceptance id, agreement id)} of these partnerships."""
    if not partnership_ids:
        return {}
    rows = session.exec(
        select(
            AgreementAcceptance.partnership_id,
            AgreementAcceptance.version_id,
            AgreementAcceptance.id,
            AgreementVersion.agreement_id,
        )
        .join(AgreementVersion, col(AgreementVersion.id) == AgreementAcceptance.version_id)
        .where(col(AgreementAcceptance.partnership_id).in_(partnership_ids))
    ).all()
    return {(pid, vid): (aid, agreement_id) for pid, vid, aid, agreement_id in rows}


def _signatures(session: Session, *where, current_ids: set) -> list[Signature]:
    rows = session.exec(
        select(AgreementAcceptance, AgreementVersion.number, Organization.name, User.email)
        .join(AgreementVersion, col(AgreementVersion.id) == AgreementAcceptance.version_id)
        .join(Partnership, col(Partnership.id) == AgreementAcceptance.partnership_id)
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .join(User, col(User.id) == AgreementAcceptance.user_id)
        .where(*where)
        .order_by(col(AgreementAcceptance.accepted_at).desc(), col(AgreementAcceptance.id).desc())
    ).all()
    return [
        Signature(
            acceptance_id=int(acceptance.id or 0),
            partner_name=partner,
            number=number,
            typed_name=acceptance.typed_name,
            signer_email=email,
            accepted_at=acceptance.accepted_at,
            sha256=acceptance.sha256,
            current=acceptance.version_id in current_ids,
        )
        for acceptance, number, partner, email in rows
    ]


def _bare(agreement: Agreement, version: AgreementVersion) -> Asked:
    assert agreement.id is not None and version.id is not None
    return Asked(
        agreement_id=agreement.id,
        title=agreement.title,
        version_id=version.id,
        number=version.number,
        media_type=version.media_type,
        text="",
        sha256=version.sha256,
        signature=None,
        signed_before=False,
    )


def term_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """{term id: name} of these taxonomy terms (ids None are skipped)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.exec(
        select(TaxonomyTerm.id, TaxonomyTerm.name).where(col(TaxonomyTerm.id).in_(wanted))
    ).all()
    return {term_id: name for term_id, name in rows if term_id is not None}


def _asked_of(agreement: Agreement, terms: dict[int, str]) -> str:
    names = [terms[i] for i in (agreement.partner_type_id, agreement.partner_tier_id) if i]
    return ", ".join(names) or "All partners"
