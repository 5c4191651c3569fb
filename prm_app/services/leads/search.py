"""Lead search served by an index: FTS5 trigrams on SQLite, a trigram index on PostgreSQL."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col, select

from ...models import Lead
from ...models.pipeline import SEARCH_TABLE
from ..core import listing


def searched(text: str) -> sa.ColumnElement[bool]:
    """True of every lead a search matches (the text is in one of its searched columns, so in
    them all joined): redundant for the result, it lets the database find the few candidates
    in an index. PostgreSQL: the trigram index ix_leads_search, which holds this very
    expression (models.SEARCHED). SQLite: the FTS5 trigram table leads_search (the same text),
    whose phrase query finds text of 3 characters or more; shorter text scans."""
    space = sa.literal_column("' '")
    joined = Lead.first_name.concat(space).concat(Lead.last_name).concat(space)
    trigrams = listing.contains(joined.concat(Lead.email).concat(space).concat(Lead.company), text)
    if not by_trigrams(text):
        return _ByDialect(sqlite=sa.true(), other=trigrams)
    folded = text.lower()  # as listing.contains: what the exact condition looks for
    phrase = '"' + folded.replace('"', '""') + '"'  # an FTS5 string: nothing in it is syntax
    fts = select(_SEARCH_INDEX.c.rowid).where(sa.literal_column(SEARCH_TABLE).op("MATCH")(phrase))
    return _ByDialect(sqlite=col(Lead.id).in_(fts), other=trigrams)


_SEARCH_INDEX = sa.table(SEARCH_TABLE, sa.column("rowid"))


def by_trigrams(text: str) -> bool:
    """Whether a search text is long enough for a trigram index (3 characters, as compared)."""
    return len(text.lower()) >= 3


def counted_along(session: Session, search: object) -> bool:
    """Whether a list's page reads every match: PostgreSQL takes a search's candidates from
    its trigram index, all of them, then sorts them (so the page counts them too); SQLite
    reads the page in list order until it is full and counts from its FTS index apart. A text
    too short for trigrams is no such search."""
    text = listing.search_text(search)
    return by_trigrams(text) and session.get_bind().dialect.name != "sqlite"


def scope_column(column: Any, text: str) -> Any:
    """The sent list's organization column where every match is read. While a search reads
    its candidates from SQLite's FTS index, it is written `column + 0`, which no index serves:
    SQLite (having no statistics) would rather walk every lead of the organization and look
    each one up in the candidates. A page is best read that way (in list order, until it is
    full); a count from the few candidates. (The received list's count reaches the candidates'
    recipient rows through their unique (lead_id, org_id) index on its own.)"""
    return _ByDialect(sqlite=column + 0, other=column) if by_trigrams(text) else column


class _ByDialect(sa.ColumnElement[Any]):
    """An expression written one way for SQLite and another for the other databases."""

    inherit_cache = True
    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("other", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, *, sqlite: sa.ColumnElement[Any], other: sa.ColumnElement[Any]):
        self.sqlite, self.other = (
            coercions.expect(roles.ExpressionElementRole, e) for e in (sqlite, other)
        )
        self.type = self.other.type

    def self_group(self, against: Any = None) -> "_ByDialect":
        return self  # compiled in parentheses; a condition is not compared with 1 on SQLite


@compiles(_ByDialect)
def _other_dialects(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.other, **kw)})"


@compiles(_ByDialect, "sqlite")
def _sqlite(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.sqlite, **kw)})"
