"""The agreements' downloads: a version as published (its provider, the partners it is asked of)
and a signed agreement (the two organizations of the partnership only)."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Organization,
    Partnership,
    PartnershipStatus,
    User,
)
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import NotFound
from .agreements import NOT_VISIBLE, applies
from .documents import PDF, TEXT


@dataclass(frozen=True, slots=True)
class File:
    name: str
    media_type: str
    content: bytes


def version_file(session: Session, *, actor: Actor, version_id: object) -> File:
    """A version as published: for its provider, or a partner it is asked of."""
    version_id = inputs.record_id(version_id, what="agreement")
    row = session.exec(
        select(AgreementVersion, Agreement)
        .join(Agreement, col(Agreement.id) == AgreementVersion.agreement_id)
        .where(AgreementVersion.id == version_id)
    ).first()
    if row is None:
        raise NotFound(NOT_VISIBLE)
    version, agreement = row
    if actor.org_id != agreement.provider_org_id:
        partnership = session.exec(
            select(Partnership).where(
                Partnership.provider_org_id == agreement.provider_org_id,
                Partnership.consultant_org_id == actor.org_id,
                Partnership.status == PartnershipStatus.ACTIVE,
            )
        ).first()
        if partnership is None or not applies(agreement, partnership):
            raise NotFound(NOT_VISIBLE)
    return File(file_name(agreement, version), version.media_type, version.content)


def signed_file(session: Session, *, actor: Actor, acceptance_id: object) -> File:
    """A signed agreement, for the two organizations of the partnership only: a text with the
    acceptance record appended, or the uploaded PDF as it was signed."""
    acceptance_id = inputs.record_id(acceptance_id, what="agreement")
    row = session.exec(
        select(AgreementAcceptance, AgreementVersion, Agreement, Partnership)
        .join(AgreementVersion, col(AgreementVersion.id) == AgreementAcceptance.version_id)
        .join(Agreement, col(Agreement.id) == AgreementVersion.agreement_id)
        .join(Partnership, col(Partnership.id) == AgreementAcceptance.partnership_id)
        .where(AgreementAcceptance.id == acceptance_id)
    ).first()
    if row is None:
        raise NotFound(NOT_VISIBLE)
    acceptance, version, agreement, partnership = row
    if actor.org_id not in (partnership.provider_org_id, partnership.consultant_org_id):
        raise NotFound(NOT_VISIBLE)
    name = file_name(agreement, version, signed=True)
    signer = session.exec(select(User.email).where(User.id == acceptance.user_id)).one()
    if version.media_type != TEXT:
        return File(name, version.media_type, version.content)
    orgs = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_(
                    [partnership.provider_org_id, partnership.consultant_org_id]
                )
            )
        ).all()
    )
    record = (
        f"\n\n---\nAccepted: {agreement.title}, version {version.number}, "
        f"of {orgs[partnership.provider_org_id]}\n"
        f"By: {acceptance.typed_name} <{signer}>, administrator of "
        f"{orgs[partnership.consultant_org_id]}\n"
        f"On: {acceptance.accepted_at.isoformat(timespec='seconds')}\n"
        f"SHA-256 of the text above: {acceptance.sha256}\n"
    )
    return File(name, TEXT, version.content + record.encode())


def file_name(agreement: Agreement, version: AgreementVersion, *, signed: bool = False) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in agreement.title).strip("-").lower()
    extension = "pdf" if version.media_type == PDF else "txt"
    return f"{stem or 'agreement'}-v{version.number}{'-signed' if signed else ''}.{extension}"
