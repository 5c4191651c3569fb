"""Writing the valid rows of an import: multi-row inserts through the database driver, the
records as the forms would write them."""

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, func, select

from ...models import (
    ActivityEvent,
    Deal,
    ImportBatch,
    ImportKind,
    Lead,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    OrgKind,
    Partnership,
    RecipientStatus,
)
from .. import leads
from ..core import activity, changes
from ..core.actor import Actor
from ..deals import builder as deal_builder
from .rules import lead_direction

INSERT_CHUNK = 5_000  # rows built and inserted at a time
_LEAD_TEXT = (
    "first_name",
    "last_name",
    "email",
    "company",
    "phone",
    "title",
    "notes",
    "external_id",
)


def insert_leads(
    session: Session,
    actor: Actor,
    batch: ImportBatch,
    valid: pd.DataFrame,
    submit: bool,
    now: datetime,
    written: Callable[[int], None],
    send_to: list[int],
) -> None:
    """Leads as leads.save_draft writes them; submitted ones with one recipient each (or one
    for each organization of `send_to`, when every row goes to them), as leads.submit writes it
    (pending, with the referral's deadline) and its "received" event."""
    direction = lead_direction(ImportKind(batch.kind))
    changes.touched(session, changes.Topic.LEADS, actor.org_id)
    columns = {
        "owner_id": valid["owner_id"].tolist(),
        **{name: valid[name].tolist() for name in _LEAD_TEXT},
        "company_norm": valid["company_norm"].str.slice(0, 200).tolist(),
        "email_domain": valid["email_domain"].str.slice(0, 254).tolist(),
        "custom": _json(valid["custom"]),
        "share_consent": [bool(v) for v in valid["share_consent"].tolist()]
        if "share_consent" in valid
        else [False] * len(valid),
    }
    constants = {
        "direction": direction.value,
        "origin_org_id": actor.org_id,
        "created_by_id": actor.user_id,
        "status": (LeadStatus.SUBMITTED if submit else LeadStatus.DRAFT).value,
        "source": LeadSource.CSV.value,
        "import_batch_id": batch.id,
        "created_at": now,
        "submitted_at": now if submit else None,
        "updated_at": now if submit else None,
    }
    if not submit:
        _insert(session, Lead, columns, constants, written=written)
        return
    lead_ids = _insert(session, Lead, columns, constants, new_ids=True, written=written)
    recipient_orgs = valid["other_org_id"].tolist()
    if len(send_to) > 1:
        lead_ids = [lead_id for lead_id in lead_ids for _ in send_to]
        recipient_orgs = send_to * len(valid)
    changes.touched(session, changes.Topic.LEADS, *set(recipient_orgs))
    recipient_ids = _insert(
        session,
        LeadRecipient,
        {"lead_id": lead_ids, "org_id": recipient_orgs},
        {
            "status": RecipientStatus.PENDING.value,
            "reason": "",
            "deadline_at": leads.accept_deadline(
                session, actor=actor, direction=direction, now=now
            ),
            "created_at": now,
        },
        new_ids=True,
    )
    _insert(
        session,
        ActivityEvent,
        {
            "org_id": recipient_orgs,
            "entity_id": recipient_ids,
            "after": [
                {"status": "pending", "lead_id": lead_id, "origin_org_id": actor.org_id}
                for lead_id in lead_ids
            ],
        },
        {
            "actor_id": actor.user_id,
            "entity_type": activity.ENTITY_TYPES[LeadRecipient],
            "action": "received",
            "before": None,
            "created_at": now,
        },
    )


def insert_deals(
    session: Session,
    actor: Actor,
    batch: ImportBatch,
    valid: pd.DataFrame,
    now: datetime,
    written: Callable[[int], None],
) -> None:
    """Deals as deals.lifecycle.register writes them: a consultant's registration awaits the
    provider's approval; a provider's is approved and protects the customer at once. The owner
    across is the partnership's partner manager (provider side) or assigned user (consultant)."""
    by_provider = actor.org_kind == OrgKind.PROVIDER
    own_column, other_column = (
        (Partnership.provider_org_id, Partnership.consultant_org_id)
        if by_provider
        else (Partnership.consultant_org_id, Partnership.provider_org_id)
    )
    owner_across = dict(
        session.exec(
            select(
                other_column,
                Partnership.assigned_user_id if by_provider else Partnership.partner_manager_id,
            ).where(own_column == actor.org_id)
        ).all()
    )
    others = valid["other_org_id"].tolist()
    owners = valid["owner_id"].tolist()
    across = [owner_across.get(org) for org in others]
    providers = [actor.org_id] * len(others) if by_provider else others
    columns, constants = deal_builder.build_many(
        session,
        actor=actor,
        approved=by_provider,
        now=now,
        provider_org_ids=providers,
        columns={
            "partner_org_id": others if by_provider else [actor.org_id] * len(others),
            "name": valid["name"].tolist(),
            "external_id": valid["external_id"].tolist(),
            "company": valid["company"].tolist(),
            "company_norm": valid["company_norm"].str.slice(0, 200).tolist(),
            "email_domain": valid["email_domain"].str.slice(0, 254).tolist(),
            "contact_name": valid["contact_name"].tolist(),
            "contact_email": valid["contact_email"].tolist(),
            "country": valid["country"].tolist(),
            "region": valid["region"].tolist(),
            "amount": [Decimal(v) for v in valid["amount"]],
            "close_date": [d.date() if pd.notna(d) else None for d in valid["close_day"]],
            "stage_id": [None if pd.isna(s) else int(s) for s in valid["stage_id"]],
            "provider_owner_id": owners if by_provider else across,
            "partner_owner_id": across if by_provider else owners,
            "custom": _json(valid["custom"]),
        },
    )
    constants["import_batch_id"] = batch.id
    approval = constants["approval"]
    deal_ids = _insert(session, Deal, columns, constants, new_ids=True, written=written)
    changes.deals_changed(session, actor.org_id, *set(others))
    after = [
        {"name": name, "company": company, "amount": amount, "approval": approval}
        for name, company, amount in zip(
            columns["name"], columns["company"], valid["amount"], strict=True
        )
    ]
    _insert(
        session,
        ActivityEvent,
        {"entity_id": deal_ids, "after": after},
        {
            "org_id": actor.org_id,
            "actor_id": actor.user_id,
            "entity_type": activity.ENTITY_TYPES[Deal],
            "action": "registered",
            "before": None,
            "created_at": now,
        },
    )


def _insert(
    session: Session,
    model: Any,
    columns: dict[str, list],
    constants: dict[str, Any],
    *,
    new_ids: bool = False,
    written: Callable[[int], None] | None = None,
    serialized: frozenset[str] = frozenset(),
) -> list[int]:
    """Insert rows of `model`: `columns` (lists of one value per row) and `constants` (the same
    in every row), INSERT_CHUNK rows per executemany of the database driver (`written` is told
    the count of rows inserted after each).

    The driver's executemany, not SQLAlchemy's: SQLAlchemy builds and type-converts each row's
    parameters in Python, which costs more than the insert itself (benchmarks/csv_import.py).
    Values are converted here as SQLAlchemy would (each constant once). With `new_ids`, ids are
    allocated first and returned in row order. `serialized`: JSON columns given as JSON text
    (as `custom` always is).
    """
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    count = len(next(iter(columns.values())))
    ids = _new_ids(connection, table, count) if new_ids else []
    if new_ids:
        columns = {"id": ids, **columns}

    def converted(name: str, values: list) -> list:
        if name in _SERIALIZED or name in serialized:
            return values
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return [process(v) for v in values] if process else values

    values = [converted(name, column) for name, column in columns.items()]
    fixed = [converted(name, [value])[0] for name, value in constants.items()]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in (*columns, *constants))
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * (len(columns) + len(constants)))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 - names
    for start in range(0, count, INSERT_CHUNK):
        chunk = (column[start : start + INSERT_CHUNK] for column in values)
        rows = zip(*chunk, *map(repeat, fixed), strict=False)  # the repeats never end
        connection.exec_driver_sql(sql, list(rows))
        if written:
            written(min(start + INSERT_CHUNK, count))
    return ids


# Columns given as JSON text (the JSON types' own bind processors wrap each value in an adapter
# of the driver, which costs more than the insert of the value; the text is the same).
_SERIALIZED = frozenset({"custom"})


def _json(values: pd.Series) -> list[str]:
    """Each row's `custom` as the JSON column stores it."""
    return [json.dumps(value) for value in values]


def _new_ids(connection: Any, table: sa.Table, count: int) -> list[int]:
    """`count` new ids of the table, for rows about to be inserted."""
    if connection.dialect.name == "postgresql":
        return list(
            connection.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:name, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"name": table.name, "count": count},
            ).scalars()
        )
    # SQLite: this transaction holds the database's only write lock since it wrote the batch
    # row, so nobody else can take ids above the current largest until it ends.
    top = connection.execute(sa.select(func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + count + 1))
