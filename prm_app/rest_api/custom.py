"""Custom values in the REST API: the `custom` object of leads, referrals, deals and
partnerships, the fields behind it (/custom-fields), and the records' views carrying it.

A `custom` object maps each field's API name (its key; "key:<org id>" when another visible field
has the same key) to its value: text, a number, an ISO date, true/false, a select's option
label, or a list of labels for a multi select; null or absent is no value. Only the fields the
key's organization may see are there; writing a field it may not edit is refused by name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request

from ..services.deals import DealDetail, DealRow
from ..services.integrations import custom_api
from ..services.integrations.custom_api import FieldInfo
from ..services.leads import LeadDetail, ReceivedRow, SentRow
from ..services.partnerships import PartnerView, ProviderView
from .core import ERRORS, Caller, work
from .schemas import Body, Custom, CustomValue, QueryId

router = APIRouter(tags=["custom fields"], responses=ERRORS)


class CustomIn(Body):
    """A partial change: only the fields named change (null empties one)."""

    custom: Custom


class CustomOut(Body):
    custom: Custom


@router.get("/custom-fields", response_model=list[FieldInfo], summary="Custom fields")
def custom_fields(
    request: Request,
    actor: Caller,
    entity: Literal["lead", "referral", "deal", "partner"],
    other_org_id: QueryId = None,
):
    """The custom fields of a kind of record that the key's organization sees: its own, and
    those its partners show it (of `other_org_id` only, when given), with their API names."""
    with work(request) as session:
        return custom_api.field_list(session, actor=actor, entity=entity, other_org_id=other_org_id)


# The services' views with the record's `custom` object -----------------------------------------


@dataclass(frozen=True)
class SentLead(SentRow):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceivedLead(ReceivedRow):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadOut(LeadDetail):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class DealListed(DealRow):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class DealOut(DealDetail):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerOut(PartnerView):
    custom: dict[str, CustomValue] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderOut(ProviderView):
    custom: dict[str, CustomValue] = field(default_factory=dict)


View = TypeVar("View")


def with_custom(view: Callable[..., View], row: Any, custom: dict[str, Any] | None) -> View:
    """`row` (a service's view) as `view`, the same fields and its `custom` object."""
    values = {f.name: getattr(row, f.name) for f in fields(row)}
    return view(**values, custom=custom or {})
