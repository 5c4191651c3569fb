"""Erasing a person from an organization's records, and telling the others holding a copy.

Erasure anonymises in place: the person's fields of the leads the organization sent and of the
deals it is the provider of are blanked (the company, amounts, stages, dates, custom values of
other kinds and every ledger entry stay) and the record is marked `erased_at`; the
organization's own copies (its activity trail, notifications, webhook payloads, mail to its
people, import reports) have the person's email, name and phone replaced by ERASED. A shared
lead or deal also lives in other organizations (the lead's sender, its recipients, the deal's
other party): each gets an ErasureRequest, and its admins erase their copy or decline with a
reason (a legal hold, say), both logged in both trails.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    ActivityEvent,
    CustomField,
    Deal,
    ImportBatch,
    Lead,
    LedgerTransaction,
    Notification,
    Organization,
    OutboundEmail,
    PartnerApplication,
    WebhookDelivery,
    utcnow,
)
from ..core import activity, changes
from ..core.actor import Actor
from .records import Matches, Person, match, person

ERASED = "[erased]"
ERASED_NAME = "Erased"
# Keys of a trail entry's before/after that hold the person in a record about them.
PERSON_KEYS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "notes",
    "contact_name",
    "contact_email",
}


@dataclass(frozen=True, slots=True)
class Erasure:
    counts: dict[str, int]
    asked_org_ids: list[int]


def erase(session: Session, *, actor: Actor, email: object, name: object) -> Erasure:
    """Erase the person from the actor's organization (its admins) and ask the other
    organizations holding a copy to erase theirs."""
    actor.require_admin()
    found = match(session, actor=actor, who=person(email, name))
    erase_matches(session, actor=actor, found=found)
    from .requests import ask_others  # the requests module erases through this one

    asked = ask_others(session, actor=actor, found=found, skip=set())
    _log(session, actor, found, asked)
    return Erasure(found.count(), asked)


def erase_matches(session: Session, *, actor: Actor, found: Matches) -> None:
    """Anonymise every record of `found` (already matched in the actor's organization)."""
    now = utcnow()
    pattern = _pattern(found.needles)
    own_fields = set(
        session.exec(select(CustomField.id).where(CustomField.org_id == actor.org_id)).all()
    )
    for lead in _rows(session, Lead, found.leads):
        if lead.id in found.own_leads:
            _erase_lead(session, actor, lead, pattern, now)
        else:  # a received lead: only the receiving organization's own field values
            _scrub_custom(lead, pattern, {str(f) for f in own_fields})
            session.add(lead)
    for deal in _rows(session, Deal, found.deals):
        if deal.id in found.own_deals:
            _erase_deal(session, actor, deal, pattern, now)
        else:
            _scrub_custom(deal, pattern, {str(f) for f in own_fields})
            session.add(deal)
    entities = {("lead", i) for i in found.leads} | {("deal", i) for i in found.deals}
    for event in _rows(session, ActivityEvent, found.events):
        about = (event.entity_type, event.entity_id) in entities
        event.before = _scrubbed(event.before, pattern, about)
        event.after = _scrubbed(event.after, pattern, about)
        session.add(event)
    for note in _rows(session, Notification, found.notifications):
        note.text = _replaced(note.text, pattern)
        session.add(note)
    for hook in _rows(session, WebhookDelivery, found.webhooks):
        hook.body = _replaced(hook.body, pattern)
        session.add(hook)
    for mail in _rows(session, OutboundEmail, found.mails):
        mail.subject, mail.body = _replaced(mail.subject, pattern), _replaced(mail.body, pattern)
        session.add(mail)
    for batch in _rows(session, ImportBatch, found.imports):
        batch.error_report = _replaced(batch.error_report, pattern)
        session.add(batch)
    for transaction in _rows(session, LedgerTransaction, found.ledger):
        transaction.memo = _replaced(transaction.memo, pattern)  # amounts and entries stay
        session.add(transaction)
    for app in _rows(session, PartnerApplication, found.applications):
        app.name, app.email, app.message = ERASED_NAME, "", ""
        app.custom = _scrubbed(app.custom, pattern, True) or {}
        session.add(app)
    session.flush()
    changes.touched(session, changes.Topic.LEADS, actor.org_id)
    changes.deals_changed(session, actor.org_id)


def _erase_lead(session: Session, actor: Actor, lead: Lead, pattern, now: datetime) -> None:
    for key in ("first_name", "last_name", "email", "phone", "title", "notes"):
        setattr(lead, key, "")
    lead.first_name = ERASED_NAME
    lead.custom = _scrubbed(lead.custom, pattern, False) or {}
    lead.erased_at = lead.erased_at or now
    lead.updated_at = now
    session.add(lead)
    activity.record(session, actor=actor, subject=lead, action="erased", after={"erased": True})


def _erase_deal(session: Session, actor: Actor, deal: Deal, pattern, now: datetime) -> None:
    deal.contact_name, deal.contact_email = ERASED_NAME, ""
    deal.name = _replaced(deal.name, pattern)
    deal.custom = _scrubbed(deal.custom, pattern, False) or {}
    deal.erased_at = deal.erased_at or now
    deal.updated_at = now
    session.add(deal)
    activity.record(session, actor=actor, subject=deal, action="erased", after={"erased": True})


def _scrub_custom(record: Any, pattern, field_ids: set[str]) -> None:
    custom = dict(record.custom or {})
    for key in list(custom):
        if key in field_ids:
            custom[key] = _scrubbed(custom[key], pattern, False)
    record.custom = custom


def _pattern(needles: list[str]) -> re.Pattern[str] | None:
    if not needles:
        return None
    ordered = sorted(needles, key=len, reverse=True)  # "jane doe" before "jane"
    return re.compile("|".join(re.escape(n) for n in ordered), re.IGNORECASE)


def _replaced(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(ERASED, text) if pattern and text else text


def _scrubbed(value: Any, pattern: re.Pattern[str] | None, about: bool, key: str = "") -> Any:
    """A JSON value with the person taken out: texts holding a needle lose it; in a record about
    the person, its contact keys are blanked whatever they hold."""
    if isinstance(value, dict):
        return {k: _scrubbed(v, pattern, about, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, pattern, about, key) for v in value]
    if isinstance(value, str):
        if about and key in PERSON_KEYS and value:
            return ERASED
        return _replaced(value, pattern)
    return value


def _rows(session: Session, model: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(ids))))


def _log(session: Session, actor: Actor, found: Matches, asked: list[int]) -> None:
    org = session.get(Organization, actor.org_id) or Organization(id=actor.org_id, name="")
    activity.record(
        session,
        actor=actor,
        subject=org,
        action="personal_data_erased",
        after={"records": found.count(), "asked_org_ids": asked},
    )


__all__ = ["ERASED", "Erasure", "Person", "erase", "erase_matches"]
