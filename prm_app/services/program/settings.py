"""The partner program's public pages: a provider's slug (its address in /apply/<slug> and
/partners/<slug>) and two switches, applications open and the locator published, chosen by
its admins. No slug (the default), or a switch off: that page does not exist (404)."""

import re
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...models import Organization, OrgKind, OrgSettings, TaxonomyTerm
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SLUG_RULE = (
    "Use 2 to 40 lower-case letters, digits and dashes, starting and ending with a letter or digit."
)
SLUG_TAKEN = "Another organization uses that address: choose another."
NEEDS_SLUG = "Choose your program's address first."
NO_PAGE = "There is no such page."


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    slug: str
    applications_open: bool
    locator_published: bool


@dataclass(frozen=True, slots=True)
class OpenProgram:
    """A provider whose page is on, as its public pages need it."""

    org_id: int
    name: str
    slug: str
    stamp_key: str


def program_settings(session: Session, *, actor: Actor) -> ProgramSettings:
    """The caller's program settings (any member of a provider reads them)."""
    actor.require_kind(OrgKind.PROVIDER)
    row = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    return ProgramSettings(row.program_slug or "", row.applications_open, row.locator_published)


def set_program(
    session: Session,
    *,
    actor: Actor,
    slug: object,
    applications_open: object,
    locator_published: object,
) -> ProgramSettings:
    """Change the program's address and switches (admins). A page is on only with a slug."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    if not isinstance(slug, str):  # a form always sends text; nothing else turns a page off
        raise Invalid(SLUG_RULE, field="slug")
    text = inputs.text(slug, field="slug", label="Address", max_len=40, required=False).lower()
    if not isinstance(applications_open, bool) or not isinstance(locator_published, bool):
        raise Invalid("Choose whether each page is on.", field="applications_open")
    if text and (len(text) < 2 or not SLUG.match(text)):
        raise Invalid(SLUG_RULE, field="slug")
    if not text and (applications_open or locator_published):
        raise Invalid(NEEDS_SLUG, field="slug")
    taken = session.exec(
        select(OrgSettings.org_id).where(
            OrgSettings.program_slug == text, OrgSettings.org_id != actor.org_id
        )
    ).first()
    if text and taken is not None:
        raise Invalid(SLUG_TAKEN, field="slug")
    row = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    before = _state(row)
    row.program_slug = text or None
    row.applications_open = applications_open
    row.locator_published = locator_published
    row.program_stamp_key = row.program_stamp_key or secrets.token_hex(16)
    session.add(row)
    if _state(row) != before:
        activity.record(
            session,
            actor=actor,
            subject=row,
            action="program_changed",
            before=before,
            after=_state(row),
        )
        changes.touched(session, changes.Topic.PARTNERS, actor.org_id)
    return ProgramSettings(text, applications_open, locator_published)


def open_program(session: Session, slug: object, *, locator: bool = False) -> OpenProgram:
    """The provider whose applications page (or, with `locator`, whose locator) is on at
    `slug`; NotFound for anything else, whatever the reason."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise NotFound(NO_PAGE)
    switch = OrgSettings.locator_published if locator else OrgSettings.applications_open
    row = session.exec(
        select(OrgSettings, Organization.name)
        .join(Organization, col(Organization.id) == OrgSettings.org_id)
        .where(
            OrgSettings.program_slug == slug,
            col(switch).is_(True),
            Organization.kind == OrgKind.PROVIDER,
        )
    ).first()
    key = row[0].program_stamp_key if row is not None else None
    if row is None or not key:
        raise NotFound(NO_PAGE)
    return OpenProgram(row[0].org_id, row[1], slug, key)


def terms(session: Session, org_id: int, kind: str) -> list[tuple[int, str]]:
    """A provider's active terms of one kind, in its order: (id, name)."""
    return [
        (term_id, name)
        for term_id, name in session.exec(
            select(TaxonomyTerm.id, TaxonomyTerm.name)
            .where(
                TaxonomyTerm.org_id == org_id,
                TaxonomyTerm.kind == kind,
                col(TaxonomyTerm.archived_at).is_(None),
            )
            .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
        ).all()
        if term_id is not None
    ]


def _state(row: OrgSettings) -> dict:
    return {
        "program_slug": row.program_slug,
        "applications_open": row.applications_open,
        "locator_published": row.locator_published,
    }
