"""A lead's fields: what a lead form holds and the rules each value must meet.

The one statement of each field's label, limit and requirement: the form's validation, the REST
schema and the CSV import columns read LEAD_FIELDS; each limit is its column's length in the
model, so the database and every check agree.
"""

from dataclasses import dataclass, fields
from datetime import timedelta

from ...models import Lead
from ..core import inputs
from ..core.errors import Invalid
from . import consent

MAX_REASON = 1000
MAX_NOTE = MAX_REASON - 100  # a lost reason's note, after the reason itself
# The same email and company as a lead the organization sent: an import refuses it whenever it
# was sent, the REST API when it was sent within DUPLICATE_WINDOW (a retried request).
DUPLICATE = "Your organization already has this {noun} (the same email and company)."
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """A lead field: its label (in messages), its length limit and whether it is required."""

    label: str
    max_len: int
    required: bool = False


def _rule(name: str, label: str, *, required: bool = False) -> FieldRule:
    return FieldRule(label, Lead.__table__.c[name].type.length, required)  # type: ignore[attr-defined]


# In form order (the first problem found is the one told).
LEAD_FIELDS: dict[str, FieldRule] = {
    "first_name": _rule("first_name", "First name", required=True),
    "last_name": _rule("last_name", "Last name", required=True),
    "email": _rule("email", "Email", required=True),
    "company": _rule("company", "Company", required=True),
    "phone": _rule("phone", "Phone"),
    "title": _rule("title", "Title"),
    "notes": _rule("notes", "Notes"),
}


@dataclass(frozen=True, slots=True)
class LeadInput:
    first_name: str
    last_name: str
    email: str
    company: str
    phone: str = ""
    title: str = ""
    notes: str = ""
    share_consent: bool = False  # permission to share with partners (leads.consent)


def _checked(name: str, value: object) -> str:
    rule = LEAD_FIELDS[name]
    if name == "email":
        return inputs.email(value, field=name)
    return inputs.text(
        value, field=name, label=rule.label, max_len=rule.max_len, required=rule.required
    )


def lead_input(form: object) -> LeadInput:
    """Validate a lead form (a dict of field name to value) into a LeadInput. When fields are
    wrong, the Invalid raised tells the first and holds every field's message in `problems`."""
    if not isinstance(form, dict):
        raise Invalid("The form could not be read: send it again.")
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in LEAD_FIELDS:
        try:
            values[name] = _checked(name, form.get(name))
        except Invalid as error:
            problems[name] = str(error)
    try:
        shared = consent.flag(form.get(consent.FIELD))
    except Invalid as error:
        problems[consent.FIELD] = str(error)
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    return LeadInput(**values, share_consent=shared)


def field_problem(name: object, value: object) -> str:
    """What is wrong with one field of a lead form ("" when nothing is, or it is no lead field):
    the form's inline message, checked again as the person corrects it."""
    if not isinstance(name, str) or name not in LEAD_FIELDS:
        return ""
    try:
        _checked(name, value)
    except Invalid as error:
        return str(error)
    return ""


def checked_input(data: object) -> LeadInput:
    """A LeadInput re-validated (callers may build one by hand)."""
    if not isinstance(data, LeadInput):
        raise Invalid("The form could not be read: send it again.")
    return lead_input({f.name: getattr(data, f.name) for f in fields(LeadInput)})


def reason_text(value: object) -> str:
    return inputs.text(value, field="reason", label="Reason", max_len=MAX_REASON)
