"""leads: a trigram search index on SQLite, and the received list sorted by company from an index

Revision ID: d5e7f9a1b3c6
Revises: c4d6e8f0a2b4
Create Date: 2026-11-24 12:00:00

Measured by benchmarks/leads_list.py on 100,000 leads (SQLite):
- The lists' search (`lower(column) LIKE '%text%'`) scanned the organization's leads. An FTS5
  table with the trigram tokenizer (leads_search, rowid = leads.id) over the text that
  PostgreSQL's ix_leads_search indexes now gives the candidates; triggers keep it in step with
  every insert, update and delete of a lead. PostgreSQL keeps its GIN trigram index.
- Sorting received leads by company sorted every received row by a column of leads.
  lead_recipients.company_norm is now a copy of its lead's, indexed with the organization;
  triggers on both databases set it on insert and follow every change of the lead's.
- Filtering received leads by their sender, or sent leads by a recipient, joined and counted
  the two tables; lead_recipients.origin_org_id is now a copy of its lead's (the same
  triggers), indexed with the receiving organization.
- A member's received leads are counted from ix_lead_recipients_owner_org_created.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "d5e7f9a1b3c6"
down_revision: Union[str, Sequence[str], None] = "c4d6e8f0a2b4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SEARCHED_COLUMNS = ("first_name", "last_name", "email", "company")


def _searched(row: str = "") -> str:
    """prm_app.models.pipeline.SEARCHED_TEXT (as of this revision), of `row` ("NEW.")."""
    return " || ' ' || ".join(f"{row}{name}" for name in SEARCHED_COLUMNS)

# Copied from the lead onto each of its recipient rows.
COPIED = ("company_norm", "origin_org_id")


def _of_lead(column: str, row: str) -> str:
    return f"(SELECT {column} FROM leads WHERE leads.id = {row}.lead_id)"


def _copy(row: str) -> str:
    """SET clause of the copies, from the lead of `row`."""
    return ", ".join(f"{c} = {_of_lead(c, row)}" for c in COPIED)


def _stale(row: str) -> str:
    return " OR ".join(f"{row}.{c} IS NOT {_of_lead(c, row)}" for c in COPIED)


INDEXES = [
    ("ix_lead_recipients_org_company", ["org_id", "company_norm", "lead_id"]),
    # The received list of one sending organization (ordered and counted from the index) and,
    # holding lead_id, the sent list's leads sent to one organization.
    (
        "ix_lead_recipients_org_origin_created",
        ["org_id", "origin_org_id", "created_at", "id", "lead_id"],
    ),
    # A member's received leads, counted from the index: without it, the wider table made
    # SQLite count them through the organization's index, reading every received row.
    ("ix_lead_recipients_owner_org_created", ["owner_id", "org_id", "created_at", "id"]),
]
SQLITE_UP = [
    f"UPDATE lead_recipients SET {_copy('lead_recipients')}",
    # Triggers: the copies are set after the insert (SQLite cannot change NEW), and any write
    # of a copy or of the lead's value is put right (WHEN: no write when already equal).
    f"""CREATE TRIGGER lead_recipients_copy_insert AFTER INSERT ON lead_recipients
    WHEN {_stale("NEW")}
    BEGIN
        UPDATE lead_recipients SET {_copy("NEW")} WHERE id = NEW.id;
    END""",
    f"""CREATE TRIGGER lead_recipients_copy_update
    AFTER UPDATE OF lead_id, {", ".join(COPIED)} ON lead_recipients
    WHEN {_stale("NEW")}
    BEGIN
        UPDATE lead_recipients SET {_copy("NEW")} WHERE id = NEW.id;
    END""",
    f"""CREATE TRIGGER leads_copy_to_recipients AFTER UPDATE OF {", ".join(COPIED)} ON leads
    WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COPIED)}
    BEGIN
        UPDATE lead_recipients SET {", ".join(f"{c} = NEW.{c}" for c in COPIED)}
        WHERE lead_id = NEW.id;
    END""",
    # trigram: every three characters, case-folded, so any substring of 3+ characters is found.
    "CREATE VIRTUAL TABLE leads_search USING fts5(searched, tokenize = 'trigram')",
    f"INSERT INTO leads_search (rowid, searched) SELECT id, {_searched()} FROM leads",
    f"""CREATE TRIGGER leads_search_insert AFTER INSERT ON leads
    BEGIN
        INSERT INTO leads_search (rowid, searched) VALUES (NEW.id, {_searched("NEW.")});
    END""",
    f"""CREATE TRIGGER leads_search_update
    AFTER UPDATE OF id, {", ".join(SEARCHED_COLUMNS)} ON leads
    BEGIN
        UPDATE leads_search SET rowid = NEW.id, searched = {_searched("NEW.")}
        WHERE rowid = OLD.id;
    END""",
    """CREATE TRIGGER leads_search_delete AFTER DELETE ON leads
    BEGIN
        DELETE FROM leads_search WHERE rowid = OLD.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER leads_search_delete",
    "DROP TRIGGER leads_search_update",
    "DROP TRIGGER leads_search_insert",
    "DROP TABLE leads_search",
    "DROP TRIGGER leads_copy_to_recipients",
    "DROP TRIGGER lead_recipients_copy_update",
    "DROP TRIGGER lead_recipients_copy_insert",
]
POSTGRES_UP = [
    f"UPDATE lead_recipients SET {_copy('lead_recipients')}",
    f"""CREATE FUNCTION lead_recipients_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {" ".join(f"NEW.{c} := {_of_lead(c, 'NEW')};" for c in COPIED)}
        RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER lead_recipients_copy
    BEFORE INSERT OR UPDATE OF lead_id, {", ".join(COPIED)} ON lead_recipients
    FOR EACH ROW EXECUTE FUNCTION lead_recipients_copy()""",
    f"""CREATE FUNCTION leads_copy_to_recipients() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE lead_recipients SET {", ".join(f"{c} = NEW.{c}" for c in COPIED)}
        WHERE lead_id = NEW.id;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER leads_copy_to_recipients AFTER UPDATE OF {", ".join(COPIED)} ON leads
    FOR EACH ROW WHEN ({" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COPIED)})
    EXECUTE FUNCTION leads_copy_to_recipients()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER leads_copy_to_recipients ON leads",
    "DROP FUNCTION leads_copy_to_recipients()",
    "DROP TRIGGER lead_recipients_copy ON lead_recipients",
    "DROP FUNCTION lead_recipients_copy()",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "lead_recipients",
        sa.Column("company_norm", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "lead_recipients",
        sa.Column("origin_org_id", sa.Integer(), nullable=False, server_default="0"),
    )
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)
    for name, columns in INDEXES:
        op.create_index(name, "lead_recipients", columns)
    if sqlite:  # SQLite takes the newest of equally good indexes: this one stays the newest
        op.drop_index("ix_lead_recipients_org_created", table_name="lead_recipients")
        op.create_index(
            "ix_lead_recipients_org_created", "lead_recipients", ["org_id", "created_at", "id"]
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="lead_recipients")
    op.drop_column("lead_recipients", "origin_org_id")
    op.drop_column("lead_recipients", "company_norm")
