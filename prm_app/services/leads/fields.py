"""A lead's fields: what a lead form holds and the rules each value must meet."""

from dataclasses import dataclass, fields

from ..core import inputs
from ..core.errors import Invalid

MAX_REASON = 1000


MAX_NOTE = MAX_REASON - 100  # a lost reason's note, after the reason itself


@dataclass(frozen=True, slots=True)
class LeadInput:
    first_name: str
    last_name: str
    email: str
    company: str
    phone: str = ""
    title: str = ""
    notes: str = ""


def lead_input(form: object) -> LeadInput:
    """Validate a lead form (a dict of field name to value) into a LeadInput."""
    if not isinstance(form, dict):
        raise Invalid("The form could not be read: send it again.")
    return LeadInput(
        first_name=inputs.text(
            form.get("first_name"), field="first_name", label="First name", max_len=100
        ),
        last_name=inputs.text(
            form.get("last_name"), field="last_name", label="Last name", max_len=100
        ),
        email=inputs.email(form.get("email")),
        company=inputs.text(form.get("company"), field="company", label="Company", max_len=200),
        phone=inputs.text(
            form.get("phone"), field="phone", label="Phone", max_len=50, required=False
        ),
        title=inputs.text(
            form.get("title"), field="title", label="Title", max_len=150, required=False
        ),
        notes=inputs.text(
            form.get("notes"), field="notes", label="Notes", max_len=5000, required=False
        ),
    )


def checked_input(data: object) -> LeadInput:
    """A LeadInput re-validated (callers may build one by hand)."""
    if not isinstance(data, LeadInput):
        raise Invalid("The form could not be read: send it again.")
    return lead_input({f.name: getattr(data, f.name) for f in fields(LeadInput)})


def reason_text(value: object) -> str:
    return inputs.text(value, field="reason", label="Reason", max_len=MAX_REASON)
