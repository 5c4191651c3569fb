"""What the hostile suites attack and how they tell that nothing changed or leaked.

Everything is enumerated from the running code: the event handlers of every state class, the
form fields the states read, the tables and their foreign keys. A new handler, form field or
table is covered without editing this file.
"""

import hashlib
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from tests.support import ROOT

# Written by every sign-in and counted attempt (the attackers' own): not data an attack could
# corrupt.
VOLATILE_TABLES = {"auth_sessions", "auth_tickets", "rate_events"}
# The mail worker updates delivery columns on its own schedule: only which mail exists counts.
OUTBOX_COLUMNS = ("id", "to_address", "subject")

# One value per kind of malformed input: wrong types, containers where text is expected,
# operator-looking dicts, huge text, negative and out-of-range numbers, NaN.
HUGE = "x" * 100_000
# In every field of a form at once, 100,000 characters would make a message of several MB,
# which the socket server refuses by closing the connection (test_oversized_message).
HUGE_FIELD = "x" * 10_000
# The socket server refuses a message over 1,000,000 bytes (REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE):
# a form with HUGE_FIELD in every field stays under it, however many fields the app reads.
MESSAGE_BUDGET = 900_000
MALFORMED = (
    None,
    {"$gt": "", "id": {"$ne": 0}},
    ["1", "2"],
    HUGE,
    -1,
    2**63,
    10**30,
    float("nan"),
    "NaN",
    True,
)

# Forms whose one field is free text, where "NaN" is a name like any other (a folder called
# "NaN" is the attacker's own right): not a malformed value there, so not sent in their forms.
FREE_TEXT_FORMS = ("library_state.add_folder",)

# Record kinds an argument can name, and the table each comes from.
ID_TABLES = {
    "lead_id": "leads",
    "recipient_id": "lead_recipients",
    "deal_id": "deals",
    "partnership_id": "partnerships",
    "notification_id": "notifications",
    "batch_id": "import_batches",
    "term_id": "taxonomy_terms",
    "stage_id": "stages",
    "transaction_id": "ledger_transactions",
    "request_id": "payout_requests",
    "user_id": "users",
    "invite_id": "user_invites",
    "field_id": "custom_fields",
    "view_id": "saved_views",
    "application_id": "partner_applications",
    "agreement_id": "agreements",
    "version_id": "agreement_versions",
    "step_id": "checklist_steps",
    "item_id": "library_items",
    "folder_id": "library_folders",
    "budget_id": "mdf_budgets",
}
ID_ALIASES = {
    "owner_id": "user_id",
    "assigned_user_id": "user_id",
    "partner_manager_id": "user_id",
    "provider_type_id": "term_id",
    "proficiency_id": "term_id",
    "tier_id": "term_id",  # a partner tier (services.tiers)
    "other_org_id": "org_id",
    "provider_org_id": "org_id",
    "partner_org_id": "org_id",
}
# Harmless, well-formed values for the other fields: an attack must be stopped by who is
# asking and which record it names, not by a typo. Passwords are too short on purpose (an
# attacker may always sign up a new organization of its own; that is not an attack).
PLAIN = {
    "email": "x",
    "password": "short",
    "password_again": "short",
    "name": "Intruder",
    "org_name": "Intruder",
    "kind": "provider",
    "role": "admin",
    "reason": "Intruder's reason",
    "note": "Intruder's note",
    "notes": "Intruder's notes",
    "message": "hello",
    "amount": "1000",
    "probability": "50",
    "close_date": "2030-01-01",
    "pipeline": "deal",
    "outcome": "won",
    "method": "bank_transfer",
    "reference": "INV-1",
    "invoice_ref": "INV-1",
    "auto_apply_credits": "on",
    "value": "1",
    "delta": 1,
    "page": 2,
    "version": 1,
    "_version": 1,
    "key": "1",
    "direction": "up",
    "field": "email",
    "header": "Email",
    "intent": "submit",
    "category": "deals",
    "channel": "off",
    "progress": {"progress": 1},
    "ticked": True,
    "figure": "lead_decision",  # a scorecard figure
    "column": "name",  # a column to sort by
}
_FORM_KEY = re.compile(
    r"""(?:form_value\(\s*form,\s*|form\.get\(\s*|form\[\s*|data\[\s*)["']([a-z_]+)["']"""
)


@dataclass(frozen=True)
class Handler:
    event: str  # full event name, as the browser sends it
    name: str
    params: dict[str, object] = field(default_factory=dict)  # name -> annotation
    background: bool = False  # runs beside the token's queue (may finish later)
    ours: bool = True  # a state of the app (False: one of Reflex's own)

    @property
    def takes_form(self) -> bool:
        return "form" in self.params


def _state_classes(root):
    for sub in root.get_substates():
        yield sub
        yield from _state_classes(sub)


def all_handlers() -> list[Handler]:
    """Every event handler of every state class of the app (the app must be imported)."""
    import reflex as rx

    found = []
    for cls in [rx.State, *_state_classes(rx.State)]:
        for name, handler in cls.event_handlers.items():
            signature = inspect.signature(handler.fn)
            params = {p.name: p.annotation for p in list(signature.parameters.values())[1:]}
            found.append(
                Handler(
                    f"{cls.get_full_name()}.{name}",
                    name,
                    params,
                    background=bool(getattr(handler, "is_background", False)),
                    ours=handler.fn.__module__.startswith("prm_app"),
                )
            )
    return found


def form_keys() -> set[str]:
    """Every form field the states or services read (scanned from their source)."""
    keys = set()
    for folder in ("state", "services"):
        for path in (Path(ROOT) / "prm_app" / folder).glob("*.py"):
            keys |= set(_FORM_KEY.findall(path.read_text()))
    return keys | set(ID_TABLES) | set(ID_ALIASES) | {"id"}


# --- which rows belong to whom ------------------------------------------------------------


def _references(table: sa.Table, target: str) -> list[str]:
    """Columns of `table` that hold an id of `target` (a table name), itself included."""
    columns = [
        c.name
        for c in table.columns
        if any(fk.column.table.name == target for fk in c.foreign_keys)
    ]
    if table.name == target:
        columns.append("id")
    return columns


def _touches(table: sa.Table, row, orgs: set[int], users: set[int]) -> bool:
    values = row._mapping
    return any(values[c] in orgs for c in _references(table, "organizations")) or any(
        values[c] in users for c in _references(table, "users")
    )


def table_digests(
    engine, *, orgs: set[int] = frozenset(), users: set[int] = frozenset()
) -> dict[str, str]:
    """A fingerprint per table of every row, except rows that name one of `orgs` or `users`
    (the attacker's own, which it may legitimately change), the sign-in tables, and the mail
    worker's delivery columns."""
    fingerprints = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            hashed = hashlib.sha256()
            query = table.select().order_by(*table.primary_key.columns)
            if table.name == "outbound_emails":
                query = sa.select(*(table.c[c] for c in OUTBOX_COLUMNS)).order_by(table.c.id)
            for row in connection.execute(query):
                if table.name == "outbound_emails" or not _touches(table, row, orgs, users):
                    hashed.update(repr(tuple(row)).encode())
            fingerprints[table.name] = hashed.hexdigest()
    return fingerprints


def digest(engine, **scope) -> str:
    """One fingerprint of `table_digests`."""
    return hashlib.sha256(repr(sorted(table_digests(engine, **scope).items())).encode()).hexdigest()


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose fingerprint differs."""
    return sorted(name for name in after if before.get(name) != after[name])


def org_of(engine, email: str) -> tuple[int, int, set[int]]:
    """(user id, org id, every user id of that org) of the user with this email."""
    with engine.connect() as connection:
        user_id, org_id = connection.execute(
            sa.text(
                "select u.id, m.org_id from users u join memberships m on m.user_id = u.id "
                "where u.email = :email"
            ),
            {"email": email},
        ).one()
        members = connection.execute(
            sa.text("select user_id from memberships where org_id = :org"), {"org": org_id}
        ).scalars()
        return user_id, org_id, set(members)


def reachable_ids(
    engine, *, orgs: set[int] = frozenset(), users: set[int] = frozenset()
) -> set[int]:
    """Every id, of any record kind, of a record that names one of `orgs` or `users`, or whose
    lead does (or that is the lead of such a recipient): values an attacker may legitimately
    act on. A form's `id` field names a record of a kind the suite cannot know, so no attack
    uses one of these values there."""
    tables = SQLModel.metadata.tables
    found, leads = set(), set()
    with engine.connect() as connection:
        for name in {*ID_TABLES.values(), "organizations"}:
            table = tables[name]
            for row in connection.execute(table.select()):
                if _touches(table, row, orgs, users):
                    found.add(row.id)
                    if name == "leads":
                        leads.add(row.id)
                    if name == "lead_recipients":
                        found.add(row.lead_id)
        recipients = tables["lead_recipients"]
        for row in connection.execute(recipients.select()):
            if row.lead_id in leads:
                found.add(row.id)
    return found


def foreign_ids(
    engine,
    *,
    avoid_orgs: set[int],
    avoid_users: set[int],
    within_org: int | None = None,
    newest: bool = False,
    skip: set[int] = frozenset(),
) -> dict[str, int]:
    """For each record kind, the id of the oldest (or newest) record that names none of
    `avoid_orgs` and `avoid_users` (and, with `within_org`, does name that organization),
    whose id is not in `skip`."""
    tables = SQLModel.metadata.tables
    ids = {}
    with engine.connect() as connection:
        for kind, name in [*ID_TABLES.items(), ("org_id", "organizations")]:
            table = tables[name]
            order = table.c.id.desc() if newest else table.c.id
            for row in connection.execute(table.select().order_by(order)):
                if row.id in skip or _touches(table, row, avoid_orgs, avoid_users):
                    continue
                if within_org is not None and not _touches(table, row, {within_org}, set()):
                    continue
                ids[kind] = row.id
                break
    return ids


def secrets(engine, *, attacker_org: int) -> set[str]:
    """Text of records that do not involve the attacker's organization and appear nowhere in
    records that do (deal names, lead companies and contact emails, people's emails). A lead
    involves the organizations it was sent to as well as its origin."""
    tables = SQLModel.metadata.tables
    theirs, ours = set(), set()
    with engine.connect() as connection:
        received = set(
            connection.execute(
                sa.text("select lead_id from lead_recipients where org_id = :org"),
                {"org": attacker_org},
            ).scalars()
        )
        for name, columns in (
            ("leads", ("company", "email")),
            ("deals", ("name", "company", "contact_email")),
            ("users", ("email",)),
        ):
            table = tables[name]
            for row in connection.execute(table.select()):
                mine = _touches(table, row, {attacker_org}, set())
                if name == "users":
                    mine = _shares_a_partnership(connection, row.id, attacker_org)
                if name == "leads":
                    mine = mine or row.id in received
                for column in columns:
                    (ours if mine else theirs).add(str(row._mapping[column]))
    return {s for s in theirs - ours if len(s) >= 6}


def _shares_a_partnership(connection, user_id: int, org_id: int) -> bool:
    """Whether this user's organization is the attacker's or ever partnered with it."""
    return (
        connection.execute(
            sa.text(
                "select 1 from memberships m where m.user_id = :user and (m.org_id = :org or "
                "exists (select 1 from partnerships p where (p.provider_org_id = m.org_id and "
                "p.consultant_org_id = :org) or (p.consultant_org_id = m.org_id and "
                "p.provider_org_id = :org)))"
            ),
            {"user": user_id, "org": org_id},
        ).first()
        is not None
    )


# --- payloads -------------------------------------------------------------------------------


def _value(name: str, annotation: object, ids: dict[str, int]) -> object:
    kind = ID_ALIASES.get(name, name)
    if kind in ids:
        value = ids[kind]
        return value if annotation is int else str(value)
    if name.endswith("_id"):
        return "1"
    return PLAIN.get(name, "x")


def plausible_forms(ids: dict[str, int], reachable: set[int] = frozenset()) -> list[dict]:
    """Well-formed forms naming the given records: one per record kind for the ambiguous
    `id` field (what it names depends on the form), except values in `reachable`."""
    base = {key: _value(key, str, ids) for key in form_keys()}
    base |= {f"provider_{ids.get('org_id', 1)}": "on"}
    values = sorted(set(ids.values()) - set(reachable))
    return [base | {"id": str(value)} for value in values] or [base]


def plausible(
    handler: Handler, ids: dict[str, int], reachable: set[int] = frozenset()
) -> list[dict]:
    """Payloads of well-formed arguments that name the given records."""
    fixed = {p: _value(p, a, ids) for p, a in handler.params.items() if p != "form"}
    if not handler.takes_form:
        return [fixed]
    return [fixed | {"form": form} for form in plausible_forms(ids, reachable)]


def malformed(handler: Handler) -> list[dict]:
    """One payload per malformed value in every argument at once; for a form, also in every
    field of a dict form."""
    if not handler.params:
        return []
    # True is no malformed value for a switch (a handler taking only booleans).
    switch = all(kind is bool for kind in handler.params.values())
    payloads = [
        dict.fromkeys(handler.params, bad)
        for bad in MALFORMED
        if not (switch and isinstance(bad, bool))
    ]
    if handler.takes_form:  # and each malformed value in every field of a dict form
        fields = form_keys()
        huge = HUGE_FIELD[: MESSAGE_BUDGET // max(len(fields), 1)]
        free_text = handler.event.endswith(FREE_TEXT_FORMS)
        payloads += [
            p | {"form": dict.fromkeys(fields, huge if p["form"] == HUGE else p["form"])}
            for p in list(payloads)
            if not (free_text and p["form"] == "NaN")
        ]
    return payloads


def route_query(ids: dict[str, int]) -> dict[str, str]:
    """The page parameters a detail page's handlers read, naming the given records."""
    return {k: str(ids[k]) for k in ("deal_id", "lead_id", "partnership_id") if k in ids}
