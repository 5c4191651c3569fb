"""Which existing record each row of an import in update mode names, and whether it may change.

A row names a record by its match key: a lead (referral) by email or by external id, a deal by
external id or by its name within the partner (provider) of the row. Only the importing
organization's records of the import's kind are searched, a few queries per file (IN lists),
never one per row. A match is refused (the row is then one of the refused ones) when the key
names several records, when the caller may not see the record (a member updates only what they
own), or when the record's state forbids the change: a lead once sent (only a draft's contact is
edited, as on the lead's form: its recipients keep what they were sent, converted or not), a
deal that is closed, withdrawn or rejected.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, func, select

from ...models import Approval, Deal, ImportKind, Lead, LeadStatus, Outcome
from .. import deals
from ..core.actor import Actor
from ..core.errors import Invalid
from .columns import DEAL_UPDATES, LEAD_UPDATES, Mode
from .rules import IN_CHUNK, lead_direction

MODES = {"create": "Create new records", "update": "Update existing ones", "both": "Both"}
KEYS = {  # the match keys of each kind, the first one the default
    ImportKind.LEADS: {"email": "Email", "external_id": "External ID"},
    ImportKind.REFERRALS: {"email": "Email", "external_id": "External ID"},
    ImportKind.DEALS: {"external_id": "External ID", "name": "Deal name (within the partner)"},
}
# The fields an update may change, by kind (columns.updated: with the external id).
LEAD_FIELDS, DEAL_FIELDS = LEAD_UPDATES, DEAL_UPDATES
SENT = (
    "This lead was sent already: an import updates only drafts (its recipients keep what they got)."
)
CLOSED = "This deal is closed, withdrawn or rejected: an import does not change it."
NOT_YOURS = "This record belongs to a colleague: only a manager can update it."
APPROVED_AMOUNT = (
    "The amount of an approved deal changes on the deal's page, where the provider may approve "
    "it again."
)


def mode_of(kind: ImportKind, mode: object, key: object) -> Mode:
    """The mode and match key chosen, checked (the kind's first key when none is given)."""
    if mode is None or mode == "":
        mode = "create"
    if not isinstance(mode, str) or mode not in MODES:
        raise Invalid("Choose to create records, update them or both.", field="mode")
    if mode == "create":
        return Mode()
    keys = KEYS[kind]
    if key is None or key == "":
        key = next(iter(keys))
    if not isinstance(key, str) or key not in keys:
        raise Invalid(f"Match rows on {' or '.join(keys.values())}.", field="match_key")
    return Mode(mode, key)


@dataclass(slots=True)
class Found:
    """The record a row names, as it is now (None: no record; refused: why it cannot change)."""

    record_id: int
    # The updatable fields, the norms kept beside them and (custom columns mapped) `custom`.
    values: dict[str, Any]
    refused: str = ""
    version: int = 0  # a deal's


def find(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    mode: Mode,
    data: pd.DataFrame,
    custom: bool = False,
) -> dict[int, Found | str]:
    """Each row (by index) that names an existing record: what it names, or why it is refused
    (the key names several records). Rows whose key is empty or names nothing are left out.
    `custom`: the records' custom values are read too (the file has custom columns)."""
    keys = data[mode.key].str.lower() if mode.key != "external_id" else data[mode.key]
    if kind == ImportKind.DEALS and mode.key == "name":
        keys = data["other_org_id"].astype(str) + "\x1f" + keys
    usable = data[mode.key] != ""
    wanted = sorted(set(keys[usable]))
    extra = ("custom",) if custom else ()
    records = (
        _deals(session, actor, mode, wanted, data, extra)
        if kind == ImportKind.DEALS
        else _leads(session, actor, kind, mode, wanted, extra)
    )
    by_key: dict[str, list[Found]] = {}
    for key, found in records:
        by_key.setdefault(key, []).append(found)
    result: dict[int, Found | str] = {}
    what = "deals" if kind == ImportKind.DEALS else "leads"
    label = KEYS[kind][mode.key].split(" (")[0].lower()
    for row, key in keys[usable].items():
        matches = by_key.get(key)
        if not matches:
            continue
        if len(matches) > 1:
            other = next(k for k in KEYS[kind] if k != mode.key)
            result[row] = (
                f"{len(matches):,} {what} have this {label}: match on "
                f"{KEYS[kind][other].split(' (')[0]} instead."
            )
        else:
            result[row] = matches[0]
    return result


def _leads(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    mode: Mode,
    wanted: list[str],
    extra: tuple[str, ...],
) -> Iterable[tuple[str, Found]]:
    # Emails are stored lower-cased (services.core.inputs.email), as the rows' are compared.
    key_column = col(Lead.external_id) if mode.key == "external_id" else col(Lead.email)
    names = (*LEAD_FIELDS, "external_id", *extra)
    fields = [getattr(Lead, name) for name in names]
    for chunk in _chunks(wanted):
        rows = session.exec(
            select(  # type: ignore[call-overload]
                key_column,
                Lead.id,
                Lead.owner_id,
                Lead.status,
                Lead.company_norm,
                Lead.email_domain,
                *fields,
            ).where(
                Lead.origin_org_id == actor.org_id,
                Lead.direction == lead_direction(kind),
                key_column.in_(chunk),
            )
        ).all()
        for key, lead_id, owner_id, status, norm, domain, *values in rows:
            found = Found(
                lead_id,
                {
                    **dict(zip(names, values, strict=True)),
                    "company_norm": norm,
                    "email_domain": domain,
                },
            )
            if not actor.sees_all and owner_id != actor.user_id:
                found.refused = NOT_YOURS
            elif status != LeadStatus.DRAFT:
                found.refused = SENT
            yield key, found


def _deals(
    session: Session,
    actor: Actor,
    mode: Mode,
    wanted: list[str],
    data: pd.DataFrame,
    extra: tuple[str, ...],
) -> Iterable[tuple[str, Found]]:
    side = deals.side_columns(actor)
    names = ("external_id", *DEAL_FIELDS, *extra)
    fields = [getattr(Deal, name) for name in names]
    if mode.key == "external_id":
        chunks: Iterable[list[str]] = _chunks(wanted)
    else:  # other org id and lower(name): matched on the names, then on both
        chunks = _chunks(sorted({key.split("\x1f", 1)[1] for key in wanted}))
    wanted_keys = set(wanted)
    for chunk in chunks:
        key_column = col(Deal.external_id) if mode.key == "external_id" else func.lower(Deal.name)
        rows = session.exec(
            select(  # type: ignore[call-overload]
                key_column,
                side.other_org,
                Deal.id,
                side.owner,
                Deal.outcome,
                Deal.approval,
                Deal.withdrawn_at,
                Deal.version,
                Deal.company_norm,
                Deal.email_domain,
                *fields,
            ).where(side.own_org == actor.org_id, key_column.in_(chunk))
        ).all()
        for (
            key,
            other,
            deal_id,
            owner,
            outcome,
            approval,
            withdrawn,
            version,
            norm,
            domain,
            *values,
        ) in rows:
            if mode.key == "name":
                key = f"{other}\x1f{key}"
                if key not in wanted_keys:
                    continue
            found = Found(
                deal_id,
                {
                    **dict(zip(names, values, strict=True)),
                    "company_norm": norm,
                    "email_domain": domain,
                    "approval": approval,
                },
                version=version,
            )
            if not actor.sees_all and owner != actor.user_id:
                found.refused = NOT_YOURS
            elif outcome != Outcome.OPEN or withdrawn is not None or approval == Approval.REJECTED:
                found.refused = CLOSED
            yield key, found


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
