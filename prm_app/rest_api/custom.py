"""Custom values in the REST API: the `custom` object of leads, referrals, deals and
partnerships, the fields behind it (/custom-fields), and the records' views carrying it.

A `custom` object maps each field's API name (its key; "key:<org id>" when another visible field
has the same key) to its value: text, a number, an ISO date, true/false, a select's option
label, or a list of labels for a multi select; null or absent is no value. Only the fields the
key's organization may see are there; writing a field it may not edit is refused by name.
"""

from dataclasses import MISSING, Field, field, fields, make_dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_type_hints

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
# Built from each view's fields, less what the pages use for custom values (`custom`: a list's
# cells or a detail's values by field id; `custom_fields`: a detail's fields), with the API's
# `custom` object instead.

PAGES_ONLY = ("custom", "custom_fields")


def _api_view(name: str, view: type, doc: str) -> type:
    hints = get_type_hints(view)
    kept = [(f.name, hints[f.name], _default(f)) for f in fields(view) if f.name not in PAGES_ONLY]
    custom: tuple[str, Any, Any] = ("custom", dict[str, CustomValue], field(default_factory=dict))
    made = make_dataclass(name, [*kept, custom], frozen=True)
    made.__module__, made.__doc__ = __name__, doc
    return made


def _default(source: Field) -> Any:
    if source.default is not MISSING:
        return field(default=source.default)
    if source.default_factory is not MISSING:
        return field(default_factory=source.default_factory)
    return field()


if TYPE_CHECKING:  # the type checker reads them as the services' views they are built from
    SentLead: TypeAlias = SentRow
    ReceivedLead: TypeAlias = ReceivedRow
    LeadOut: TypeAlias = LeadDetail
    DealListed: TypeAlias = DealRow
    DealOut: TypeAlias = DealDetail
    PartnerOut: TypeAlias = PartnerView
    ProviderOut: TypeAlias = ProviderView
else:
    SentLead = _api_view("SentLead", SentRow, "A lead or referral the organization sent.")
    ReceivedLead = _api_view("ReceivedLead", ReceivedRow, "A lead or referral received.")
    LeadOut = _api_view("LeadOut", LeadDetail, "A lead, as the key's organization sees it.")
    DealListed = _api_view("DealListed", DealRow, "A deal in a list.")
    DealOut = _api_view("DealOut", DealDetail, "A deal, as the key's organization sees it.")
    PartnerOut = _api_view("PartnerOut", PartnerView, "A partner of the provider.")
    ProviderOut = _api_view("ProviderOut", ProviderView, "A provider of the consultant firm.")


def with_custom(view: type, row: Any, custom: dict[str, Any] | None) -> Any:
    """`row` (a service's view) as `view` (its API form), with its `custom` object."""
    values = {f.name: getattr(row, f.name) for f in fields(view) if f.name != "custom"}
    return view(**values, custom=custom or {})
