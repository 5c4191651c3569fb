"""Which CSV column feeds which field of an import: suggestions, checks, and the last mapping.

A mapping is a dict of field name to CSV header. Suggestions match headers ignoring case, spaces
and punctuation, by the field's own label and common synonyms, including the column names of
Salesforce and HubSpot exports.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from ...models import ImportKind, OrgKind, OrgSettings
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed
from ..leads import consent
from ..leads.fields import LEAD_FIELDS
from .files import csv_text

MAX_MAPPING = 50
COUNTERPARTS = ("provider", "partner")  # the fields naming where a row goes
# The fields an update may change, by kind, besides the external id and the custom fields (an
# email or a deal name is what the row is matched on unless the external id is; the owner, stage
# and where a record went are not changed).
LEAD_UPDATES = ("first_name", "last_name", "email", "company", "phone", "title", "notes")
DEAL_UPDATES = (
    "name",
    "company",
    "contact_name",
    "contact_email",
    "country",
    "region",
    "amount",
    "close_date",
)


@dataclass(frozen=True, slots=True)
class Mode:
    """How an import treats rows that name an existing record (services.imports.matching)."""

    mode: str = "create"  # matching.MODES
    key: str = ""  # matching.KEYS of the kind ("" in create mode)

    @property
    def updates(self) -> bool:
        return self.mode != "create"

    @property
    def creates(self) -> bool:
        return self.mode != "update"


CREATE = Mode()  # creating records only: no match key


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # also the template's header
    required: bool
    max_len: int
    synonyms: tuple[str, ...] = ()
    example: str = ""
    note: str = ""  # said beside it in the mapping (a custom field's, when it is required)


_OWNER = Field(
    "owner",
    "Owner email",
    False,
    254,
    ("owner", "lead owner", "contact owner", "deal owner", "opportunity owner", "assigned to"),
    "",
)


# The record's id in the CRM the file comes from: stored, and what update mode may match on.
EXTERNAL_ID = Field(
    "external_id",
    "External ID",
    False,
    100,
    (
        "external id",
        "record id",
        "lead id",
        "contact id",
        "deal id",
        "opportunity id",
        "crm id",
    ),
    "",
)


def _lead(name: str, synonyms: tuple[str, ...], example: str) -> Field:
    """A lead field, as leads.fields states it (label, limit, required)."""
    rule = LEAD_FIELDS[name]
    return Field(name, rule.label, rule.required, rule.max_len, synonyms, example)


_PERSON = (
    _lead(
        "first_name",
        ("first name", "firstname", "first", "given name", "forename", "contact first name"),
        "Jane",
    ),
    _lead(
        "last_name",
        ("last name", "lastname", "last", "surname", "family name", "contact last name"),
        "Doe",
    ),
    _lead(
        "email",
        ("email", "e-mail", "email address", "e-mail address", "work email", "mail"),
        "jane.doe@contoso.com",
    ),
    _lead(
        "company",
        ("company", "company name", "account name", "account", "organization", "organisation"),
        "Contoso Ltd",
    ),
    _lead(
        "phone",
        ("phone", "phone number", "mobile", "mobile phone", "mobilephone", "telephone", "tel"),
        "+1 555 0100",
    ),
    _lead("title", ("title", "job title", "jobtitle", "position", "role"), "CTO"),
    _lead(
        "notes",
        ("notes", "note", "description", "comments", "comment", "message"),
        "Wants a demo",
    ),
)

_CONSENT = Field(
    consent.FIELD,
    consent.LABEL,
    False,
    10,
    (
        "permission to share",
        "consent",
        "share consent",
        "gdpr consent",
        "permission to distribute",
        "opt in",
    ),
    "yes",
    'yes or no; a referral needs "yes" when your program requires the permission',
)
_PROVIDER = Field(
    "provider",
    "Provider",
    True,
    200,
    ("provider", "provider name", "vendor", "send to", "recipient"),
    "Northwind",
)
_PARTNER = Field(
    "partner",
    "Partner",
    True,
    200,
    ("partner", "partner name", "consultant", "reseller", "send to", "recipient"),
    "Fabrikam",
)
_DEAL = (
    Field(
        "name",
        "Deal name",
        True,
        200,
        ("deal name", "dealname", "opportunity name", "opportunity", "deal", "name"),
        "Contoso rollout",
    ),
    Field(
        "company",
        "Company",
        True,
        200,
        ("company", "account name", "company name", "account", "organization", "organisation"),
        "Contoso Ltd",
    ),
    Field(
        "contact_name",
        "Contact name",
        False,
        200,
        ("contact name", "contact", "full name", "primary contact"),
        "Jane Doe",
    ),
    Field(
        "contact_email",
        "Contact email",
        False,
        254,
        ("contact email", "email", "e-mail", "email address", "e-mail address"),
        "jane.doe@contoso.com",
    ),
    Field(
        "country",
        "Country",
        False,
        100,
        ("country", "country code", "billing country", "mailing country", "country/region"),
        "US",
    ),
    Field(
        "region",
        "Region",
        False,
        100,
        ("region", "state", "province", "billing state", "state/region", "subdivision"),
        "US-CA",
    ),
    Field(
        "amount",
        "Amount",
        False,
        30,
        ("amount", "deal amount", "opportunity amount", "value", "deal value"),
        "12000.00",
    ),
    Field(
        "close_date",
        "Close date",
        False,
        30,
        ("close date", "closedate", "expected close date", "closing date"),
        "2030-06-30",
    ),
    Field(
        "stage",
        "Stage",
        False,
        100,
        ("stage", "deal stage", "dealstage", "stagename", "stage name", "pipeline stage"),
        "",
    ),
)


def fields(kind: object, org_kind: object) -> tuple[Field, ...]:
    """The fields of an import of `kind` by an organization of `org_kind`, in form order."""
    kind = import_kind(kind)
    if kind == ImportKind.LEADS and org_kind == OrgKind.CONSULTANT:
        return (_PROVIDER, *_PERSON, _CONSENT, _OWNER, EXTERNAL_ID)
    if kind == ImportKind.REFERRALS and org_kind == OrgKind.PROVIDER:
        return (_PARTNER, *_PERSON, _CONSENT, _OWNER, EXTERNAL_ID)
    if kind == ImportKind.DEALS and org_kind in (OrgKind.CONSULTANT, OrgKind.PROVIDER):
        other = _PROVIDER if org_kind == OrgKind.CONSULTANT else _PARTNER
        return (other, *_DEAL, _OWNER, EXTERNAL_ID)
    if kind == ImportKind.LEADS:
        raise NotAllowed("Only a consultant firm imports leads: a provider imports referrals.")
    if kind == ImportKind.REFERRALS:
        raise NotAllowed("Only a provider imports referrals: a consultant firm imports leads.")
    raise NotAllowed("Your organization cannot import deals.")


def import_kind(value: object) -> ImportKind:
    if not isinstance(value, str) or value not in tuple(ImportKind):
        raise Invalid("Choose leads, referrals or deals to import.", field="kind")
    return ImportKind(value)


def required(
    kind: object,
    org_kind: object,
    *,
    submit: bool,
    sent_to_all: bool = False,
    mode: Mode = CREATE,
) -> list[str]:
    """The fields the mapping must choose a column for, by mode (the one rule: the checks of a
    mapping and the badges of the mapping screen ask here).

    Creating: the mandatory fields. Drafts go nowhere yet, so their provider or partner is
    optional, as it is when every row goes to the organizations chosen (`sent_to_all`, see
    send_to). Updating only: the match key alone (a deal's name is matched within its partner,
    so the partner's column too unless every row goes to one chosen); the other fields keep the
    record's values. Both: the mandatory fields, for the rows that create, and the match key.
    """
    found = [f.name for f in fields(kind, org_kind) if f.required]
    if sent_to_all or (not submit and import_kind(kind) != ImportKind.DEALS):
        found = [name for name in found if name not in COUNTERPARTS]
    if not mode.updates:
        return found
    keyed = [mode.key]
    if mode.key == "name" and not sent_to_all:  # a deal's name, within its partner
        keyed += [f.name for f in fields(kind, org_kind) if f.name in COUNTERPARTS]
    if not mode.creates:
        return keyed
    return [*found, *(name for name in keyed if name not in found)]


def updated(kind: object) -> tuple[str, ...]:
    """The fixed fields an import in update mode may change (custom fields besides)."""
    names = DEAL_UPDATES if import_kind(kind) == ImportKind.DEALS else LEAD_UPDATES
    return (*names, EXTERNAL_ID.name)


def suggest_mapping(
    headers: list[str], kind: object, org_kind: object = None, extra: Sequence[Field] = ()
) -> dict[str, str]:
    """Field name to header for every field a header matches (each header used once).

    `org_kind` defaults to the one that imports `kind` (a consultant for deals). `extra`: the
    organization's custom fields (services.imports.custom_import), after the fixed ones.
    """
    org_kind = org_kind or (
        OrgKind.PROVIDER if import_kind(kind) == ImportKind.REFERRALS else OrgKind.CONSULTANT
    )
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), header)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field in (*fields(kind, org_kind), *extra):
        for candidate in (field.name, field.label, *field.synonyms):
            header = by_key.get(_key(candidate))
            if header is not None and header not in taken:
                mapping[field.name] = header
                taken.add(header)
                break
    return mapping


def check_mapping(
    mapping: object,
    headers: list[str],
    kind: object,
    org_kind: object,
    *,
    submit: bool,
    extra: Sequence[Field] = (),
    sent_to_all: bool = False,
    mode: Mode = CREATE,
) -> dict[str, str]:
    """A user's mapping, validated: known fields (`extra`: the custom ones), headers of this
    file, each header once, every field `required` in this `mode` mapped (and, updating only,
    a field to update besides the match key). Unmapped fields may be left out or mapped to ""
    or None. `sent_to_all`: every row goes to the organizations chosen, so no column may say
    where a row goes."""
    known = {f.name: f for f in (*fields(kind, org_kind), *extra)}
    if not isinstance(mapping, dict) or len(mapping) > max(MAX_MAPPING, len(known)):
        raise Invalid("Map the file's columns to the fields again.", field="mapping")
    chosen: dict[str, str] = {}
    used: dict[str, str] = {}
    for name, header in mapping.items():
        if not isinstance(name, str) or name not in known:
            raise Invalid("Map the file's columns to the fields again.", field="mapping")
        if header is None or header == "":
            continue
        if not isinstance(header, str) or header not in headers:
            shown = header[:60] if isinstance(header, str) else "?"
            raise Invalid(
                f"{known[name].label}: the file has no column '{shown}'.", field=f"mapping.{name}"
            )
        if header in used:
            raise Invalid(
                f"The column '{header}' is chosen for both {known[used[header]].label} and "
                f"{known[name].label}: choose it for one of them.",
                field=f"mapping.{name}",
            )
        used[header] = name
        chosen[name] = header
    if sent_to_all and (counterpart := next((n for n in COUNTERPARTS if n in chosen), None)):
        raise Invalid(
            f"Choose the {known[counterpart].label} column or where to send every row, not both.",
            field=f"mapping.{counterpart}",
        )
    needed = required(kind, org_kind, submit=submit, sent_to_all=sent_to_all, mode=mode)
    if mode.updates and mode.key not in chosen:
        raise Invalid(
            f"Choose the {known[mode.key].label} column, to match rows on it.",
            field=f"mapping.{mode.key}",
        )
    missing = [known[n].label for n in needed if n not in chosen]
    if missing:
        raise Invalid(
            f"Choose the column of {_listed(missing)}: {'it is' if len(missing) == 1 else 'they are'} "
            "mandatory.",
            field=f"mapping.{next(n for n in known if known[n].label == missing[0])}",
        )
    changing = {*updated(kind), *(f.name for f in extra)} - {mode.key}
    if not mode.creates and not changing & set(chosen):
        raise Invalid(
            f"Choose a column to update besides {known[mode.key].label}: the file changes "
            "nothing otherwise.",
            field="mapping",
        )
    return chosen


def template_csv(
    kind: object,
    org_kind: object,
    extra: Sequence[Field] = (),
    examples: dict[str, str] | None = None,
) -> str:
    """A CSV with the expected columns (`extra`: the custom ones) and one example row (the UI
    offers it to download); `examples` replace the fields' own (by field name)."""
    found = (*fields(kind, org_kind), *extra)
    chosen = examples or {}
    return csv_text([f.label for f in found], [[chosen.get(f.name, f.example) for f in found]])


def last_mapping(session: Session, *, actor: Actor, kind: object) -> dict[str, str]:
    """The mapping the actor's organization used last for `kind` ({} if none)."""
    kind = import_kind(kind)
    settings = session.get(OrgSettings, actor.org_id)
    stored = (settings.last_import_mapping or {}) if settings else {}
    mapping = stored.get(kind, {}) if isinstance(stored, dict) else {}
    if not isinstance(mapping, dict):
        return {}
    return {k: v for k, v in mapping.items() if isinstance(k, str) and isinstance(v, str)}


def remember_mapping(session: Session, *, actor: Actor, kind: object, mapping: dict) -> None:
    """Keep `mapping` as the organization's last one for `kind` (the others are kept)."""
    kind = import_kind(kind)
    settings = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    stored = settings.last_import_mapping
    stored = dict(stored) if isinstance(stored, dict) else {}
    stored[kind.value] = dict(mapping)
    settings.last_import_mapping = stored  # a new dict: the JSON column sees the change
    session.add(settings)


def _key(text: str) -> str:
    """Case, spacing and punctuation do not matter ("E-mail" is "email")."""
    return re.sub(r"[\W_]+", "", text.lower())


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
