"""A page of the leads lists (sent and received) as a viewer sees it, from the filters a tab
shows it with: what the tab's own read sets and what a change pushes to every tab showing the
same page (state.live, "Pushed views"), so that both come from one place.

`params` is the tab's list as JSON: its built-in filters, sort and page (ListFilters), the
organization filter, and its custom columns and filters (ListViews).
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from ..models import OrgKind
from ..services import leads
from ..services.core.actor import Actor
from . import view
from .lead_rows import ReceivedLeadRow, ReceivedRow, SentLeadRow

SENT_VIEW, RECEIVED_VIEW = "sent_leads", "received_leads"  # their names as pushed views


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    """The arguments both lists' services take."""
    names = ("search", "status", "owner_id", "created_from", "created_to", "sort", "page")
    return {
        **{name: params.get(name, "") for name in names},
        "page_size": view.PAGE_SIZE,
        "columns": list(params.get("columns") or []),
        "custom_filters": list(params.get("custom_filters") or []),
    }


def _cells(row: Any, params: dict[str, Any]) -> list[str]:
    """A row's values of the chosen custom columns, in their order."""
    return [row.custom.get(c, "") for c in params.get("columns") or []]


def sent_page(session: Session, actor: Actor, _: int, params: dict[str, Any]) -> dict[str, Any]:
    """The sending side's page: its rows, the total and the page number."""
    found = leads.list_sent(
        session, actor=actor, recipient_org_id=params.get("org_id", ""), **_filters(params)
    )
    rows: list[SentLeadRow] = [
        {
            "id": str(row.id),
            "company": row.company,
            "contact": f"{row.first_name} {row.last_name}",
            "email": row.email,
            "status": row.status,
            "recipients": f"{row.accepted}/{row.recipients} accepted" if row.recipients else "",
            "owner": row.owner_name,
            "created": view.day(row.created_at),
            "cells": _cells(row, params),
        }
        for row in found.rows
    ]
    return {"rows": rows, "total": found.total, "page": found.page}


def received_page(session: Session, actor: Actor, _: int, params: dict[str, Any]) -> dict[str, Any]:
    """The receiving side's page: its rows, the total, the page number, and the lost reasons
    of the providers of its rows."""
    found = leads.list_received(
        session,
        actor=actor,
        stage_id=params.get("stage_id", ""),
        origin_org_id=params.get("org_id", ""),
        **_filters(params),
    )
    rows = [_received_row(row, actor, _cells(row, params)) for row in found.rows]
    return {
        "rows": rows,
        "total": found.total,
        "page": found.page,
        "lost_reasons": lost_reasons(session, rows),
    }


def lost_reasons(session: Session, rows: Sequence[ReceivedRow]) -> dict[str, list[str]]:
    """The lost reasons of the providers of `rows` (one query), by provider id."""
    found = leads.lost_reason_choices(
        session, provider_org_ids={int(row["provider_id"]) for row in rows}
    )
    return {str(org_id): names for org_id, names in found.items()}


def _received_row(row, actor: Actor, cells: list[str]) -> ReceivedLeadRow:
    provider_id = actor.org_id if actor.org_kind == OrgKind.PROVIDER else row.origin_org_id
    return {
        "id": str(row.recipient_id),
        "lead_id": str(row.lead_id),
        "company": row.company,
        "contact": f"{row.first_name} {row.last_name}".strip(),
        "email": row.email,
        "hidden": "yes" if row.contact_hidden else "",
        "partner": row.origin_org_name,
        "provider_id": str(provider_id),
        "status": row.status,
        "stage_id": "" if row.stage_id is None else str(row.stage_id),
        "stage": row.stage_name,
        "owner": row.owner_name,
        "received": view.day(row.created_at),
        "protected": "yes" if row.protected_elsewhere else "",
        "cells": cells,
    }


PAGES = {SENT_VIEW: sent_page, RECEIVED_VIEW: received_page}
