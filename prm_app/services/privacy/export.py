"""What an organization holds of one person: shown to its admin, exported as JSON and CSV."""

import csv
import io
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    ActivityEvent,
    Deal,
    FormSubmission,
    ImportBatch,
    Lead,
    LeadRecipient,
    Notification,
    Organization,
    OutboundEmail,
    PartnerApplication,
    WebhookDelivery,
)
from ..core import activity
from ..core.actor import Actor
from .records import Matches, direction_word, match, person

HIDDEN = "(hidden until the referral is opened)"


@dataclass(frozen=True, slots=True)
class Record:
    """One record holding the person, as the export writes it."""

    kind: str  # lead, referral, deal, form_submission, activity_event, ...
    id: int
    summary: str  # one line for the page
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Report:
    email: str
    name: str
    records: list[Record]
    counts: dict[str, int]
    other_orgs: list[str]  # the other organizations holding a copy of a shared lead or deal


def find(session: Session, *, actor: Actor, email: object, name: object) -> Report:
    """Every record of the actor's organization holding this person (its admins)."""
    actor.require_admin()
    found = match(session, actor=actor, who=person(email, name))
    return _report(session, actor, found)


def export(
    session: Session, *, actor: Actor, email: object, name: object, fmt: object
) -> tuple[str, str]:
    """The person's records as a file: (file name, text), JSON or CSV; the export is logged
    (how many records, never who)."""
    actor.require_admin()
    found = match(session, actor=actor, who=person(email, name))
    report = _report(session, actor, found)
    org = session.get(Organization, actor.org_id) or Organization(id=actor.org_id, name="")
    activity.record(
        session,
        actor=actor,
        subject=org,
        action="personal_data_exported",
        after={"format": "csv" if fmt == "csv" else "json", "records": report.counts},
    )
    if fmt == "csv":
        return "personal-data.csv", to_csv(report)
    return "personal-data.json", to_json(report)


def to_json(report: Report) -> str:
    body = {
        "email": report.email,
        "name": report.name,
        "records": [asdict(r) for r in report.records],
    }
    return json.dumps(body, indent=2, default=str, ensure_ascii=False)


def to_csv(report: Report) -> str:
    """One line per field of each record: kind, id, field, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "id", "field", "value"])
    for record in report.records:
        for key, value in record.fields.items():
            shown = json.dumps(value, default=str) if isinstance(value, dict | list) else value
            writer.writerow([record.kind, record.id, key, _cell(shown)])
    return out.getvalue()


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _report(session: Session, actor: Actor, found: Matches) -> Report:
    records: list[Record] = []
    hidden = {
        lead_id
        for lead_id, opened in session.exec(
            select(LeadRecipient.lead_id, LeadRecipient.opened_at).where(
                LeadRecipient.org_id == actor.org_id,
                col(LeadRecipient.lead_id).in_(found.leads or [-1]),
            )
        ).all()
        if opened is None
    }
    for lead in _rows(session, Lead, found.leads):
        masked = lead.id in hidden and lead.origin_org_id != actor.org_id
        masked = masked and direction_word(lead) == "referral"
        contact = {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
            "phone": lead.phone,
            "title": lead.title,
            "notes": lead.notes,
        }
        if masked:
            contact = dict.fromkeys(contact, HIDDEN)
        records.append(
            Record(
                direction_word(lead),
                lead.id or 0,
                f"{lead.company}: {contact['first_name']} {contact['last_name']}".strip(),
                {
                    **contact,
                    "company": lead.company,
                    "status": lead.status,
                    "side": "sent" if lead.origin_org_id == actor.org_id else "received",
                    "share_consent": lead.share_consent,
                    "custom": {} if masked else lead.custom,
                    "created_at": lead.created_at,
                    "erased_at": lead.erased_at,
                },
            )
        )
    for deal in _rows(session, Deal, found.deals):
        records.append(
            Record(
                "deal",
                deal.id or 0,
                f"{deal.name}: {deal.contact_name}",
                {
                    "name": deal.name,
                    "company": deal.company,
                    "contact_name": deal.contact_name,
                    "contact_email": deal.contact_email,
                    "amount": str(deal.amount),
                    "currency": deal.currency,
                    "outcome": deal.outcome,
                    "custom": deal.custom,
                    "created_at": deal.created_at,
                    "erased_at": deal.erased_at,
                },
            )
        )
    for sub in _rows(session, FormSubmission, found.submissions):
        records.append(
            Record(
                "form_submission",
                sub.id or 0,
                f"Web form submission that made lead {sub.lead_id}",
                {"form_id": sub.form_id, "lead_id": sub.lead_id, "created_at": sub.created_at},
            )
        )
    for event in _rows(session, ActivityEvent, found.events):
        records.append(
            Record(
                "activity_event",
                event.id or 0,
                f"{event.entity_type} {event.entity_id}: {event.action}",
                {
                    "entity_type": event.entity_type,
                    "entity_id": event.entity_id,
                    "action": event.action,
                    "before": event.before,
                    "after": event.after,
                    "created_at": event.created_at,
                },
            )
        )
    for note in _rows(session, Notification, found.notifications):
        records.append(
            Record(
                "notification",
                note.id or 0,
                note.text,
                {"text": note.text, "created_at": note.created_at},
            )
        )
    for hook in _rows(session, WebhookDelivery, found.webhooks):
        records.append(
            Record(
                "webhook_payload",
                hook.id or 0,
                f"Webhook {hook.event}",
                {"event": hook.event, "body": hook.body, "created_at": hook.created_at},
            )
        )
    for mail in _rows(session, OutboundEmail, found.mails):
        records.append(
            Record(
                "mail",
                mail.id or 0,
                mail.subject,
                {"to": mail.to_address, "subject": mail.subject, "body": mail.body},
            )
        )
    for batch in _rows(session, ImportBatch, found.imports):
        records.append(
            Record(
                "import_report",
                batch.id or 0,
                f"Import {batch.file_name}",
                {"file_name": batch.file_name, "error_report": batch.error_report},
            )
        )
    for app in _rows(session, PartnerApplication, found.applications):
        records.append(
            Record(
                "partner_application",
                app.id or 0,
                f"Application from {app.firm}: {app.name}",
                {"firm": app.firm, "name": app.name, "email": app.email, "message": app.message},
            )
        )
    names = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_(list(found.other_orgs) or [-1])
            )
        ).all()
    )
    return Report(
        found.person.email,
        found.person.name,
        records,
        found.count(),
        sorted(names.values()),
    )


def _rows(session: Session, model: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(ids)).order_by(col(model.id))))
