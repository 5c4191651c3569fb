"""A provider's list of existing customers, for the "not an existing customer" registration rule
(services.deals.eligibility): company names and email domains, kept by its administrators one by
one or from a file (CSV or spreadsheet), read by every member."""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlmodel import Session, col, func, select

from ...models import Organization, OrgKind, ProviderCustomer
from ..core import activity, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..core.listing import Page
from .keys import FREE_MAIL_DOMAINS, customer_keys

if TYPE_CHECKING:
    from ..imports.files import Source

NAME_HEADERS = ("company", "company name", "name", "account", "account name", "customer")
DOMAIN_HEADERS = ("domain", "email domain", "website", "web site", "url")
NO_CUSTOMER = "Enter a company name or an email domain."
NOT_A_DOMAIN = "Enter a domain such as contoso.com."
SHARED_DOMAIN = "{domain} is shared by unrelated people: enter the company's own domain."
ALREADY = "This customer is already on your list."
NO_COLUMNS = "The file needs a Company column, a Domain column, or both."
MAX_IMPORT = 50_000
_DOMAIN = re.compile(r"^(?=.{3,254}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True, slots=True)
class ExistingCustomer:
    id: int
    name: str
    domain: str


@dataclass(frozen=True, slots=True)
class Imported:
    """What a file of customers added: rows added, rows already listed, rows refused."""

    added: int
    already: int
    refused: list[str]  # "Row N: message", at most 20
    sheets: tuple[str, ...] = ()  # a workbook's sheets (none for a CSV)
    sheet: str = ""  # the one read


class FileRefused(Invalid):
    """A file refused once open (no Company or Domain column, no rows, too many): with the
    workbook's sheets and the one read, so that another sheet may be chosen."""

    def __init__(self, error: Invalid, sheets: tuple[str, ...], sheet: str):
        super().__init__(str(error), field=error.field)
        self.sheets, self.sheet = sheets, sheet


def customers(
    session: Session, *, actor: Actor, search: object = "", page: object = 1, page_size: object = 25
) -> Page:
    """The provider's existing customers, by name, one page of ExistingCustomer."""
    actor.require_kind(OrgKind.PROVIDER)
    page, page_size = listing.paging(page, page_size)
    where: list = [ProviderCustomer.provider_org_id == actor.org_id]
    if text := listing.search_text(search):
        where.append(
            listing.contains(ProviderCustomer.name, text)
            | listing.contains(ProviderCustomer.domain, text)
        )
    count = select(func.count()).select_from(ProviderCustomer).where(*where)
    query = (
        select(
            ProviderCustomer.id,
            ProviderCustomer.name,
            ProviderCustomer.domain,
            listing.total(count),
        )
        .where(*where)
        .order_by(func.lower(ProviderCustomer.name), col(ProviderCustomer.domain))
    )
    return listing.page_of(session, query, count, page, page_size, ExistingCustomer)


def add(session: Session, *, actor: Actor, name: object, domain: object = "") -> int:
    """An administrator adds a customer (a name, a domain or both); returns its id."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    values = inputs.every_field(
        {
            "name": lambda: inputs.text(
                name, field="name", label="Company", max_len=200, required=False
            ),
            "domain": lambda: clean_domain(domain),
        }
    )
    company, site = str(values["name"]), str(values["domain"])
    if not company and not site:
        raise Invalid(NO_CUSTOMER, field="name")
    norm = customer_keys(company, "")[0]
    if _listed(session, actor.org_id, {(norm, site)}):
        raise Invalid(ALREADY, field="name")
    row = ProviderCustomer(provider_org_id=actor.org_id, name=company, name_norm=norm, domain=site)
    session.add(row)
    session.flush()
    activity.record(
        session, actor=actor, subject=row, action="added", after={"name": company, "domain": site}
    )
    assert row.id is not None
    return row.id


def remove(session: Session, *, actor: Actor, customer_id: object) -> None:
    """An administrator takes a customer off the list."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    row = session.exec(
        select(ProviderCustomer).where(
            ProviderCustomer.id == inputs.record_id(customer_id, what="customer"),
            ProviderCustomer.provider_org_id == actor.org_id,
        )
    ).first()
    if row is None:
        raise NotFound("That customer does not exist or is not visible to you.")
    activity.record(
        session,
        actor=actor,
        subject=row,
        action="removed",
        before={"name": row.name, "domain": row.domain},
    )
    session.delete(row)


def import_csv(session: Session, *, actor: Actor, file: object, sheet: object = None) -> Imported:
    """An administrator adds the customers of a file (a Company and/or a Domain column,
    recognized by their headers); rows already listed are skipped, wrong ones reported.

    The file is a CSV or a spreadsheet (.xlsx, .xls, .ods: its `sheet`, by name, else its
    first sheet with a value), read as the lead import reads it, with its limits and messages
    (services.imports.sheets.open_table). What it returns, and the FileRefused it raises once
    the file is open, name the workbook's sheets and the one read."""
    from ..imports.sheets import open_table  # imports depend on customers

    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    source = open_table(file, sheet=sheet, chunk_rows=10_000)
    try:
        rows, names, domains = _columns(source)
    except Invalid as error:
        raise FileRefused(error, source.sheets, source.sheet) from None
    refused: list[str] = []
    wanted: dict[tuple[str, str], str] = {}
    for position, row in enumerate(rows):
        company = str(names.iloc[position]) if names is not None else ""
        try:
            site = clean_domain(domains.iloc[position]) if domains is not None else ""
            if not company and not site:
                raise Invalid(NO_CUSTOMER)
            if len(company) > 200:
                raise Invalid(inputs.too_long("Company", 200))
        except Invalid as error:
            refused.append(f"Row {row}: {error}")
            continue
        wanted.setdefault((customer_keys(company, "")[0], site), company)
    listed = _listed(session, actor.org_id, set(wanted))
    new = [(key, company) for key, company in wanted.items() if key not in listed]
    session.add_all(
        ProviderCustomer(provider_org_id=actor.org_id, name=company, name_norm=norm, domain=site)
        for (norm, site), company in new
    )
    organization = session.get(Organization, actor.org_id)
    assert organization is not None
    added, already = len(new), len(wanted) - len(new)
    activity.record(
        session,
        actor=actor,
        subject=organization,
        action="customers_imported",
        after={"added": added, "already": already, "refused": len(refused)},
    )
    return Imported(added, already, refused[:20], source.sheets, source.sheet)


def _columns(source: "Source") -> tuple[pd.Index, pd.Series | None, pd.Series | None]:
    """The file's row numbers, company names and domains (None: no such column), as text;
    Invalid when it has neither column, no rows or too many."""
    from ..imports.files import restored  # imports depend on customers

    frames = []
    for frame in source.chunks():  # read no further than the limit
        frames.append(frame)
        if sum(len(f) for f in frames) > MAX_IMPORT:
            raise Invalid(f"Import at most {MAX_IMPORT:,} customers at once.", field="file")
    table = source.table(pd.concat(frames))
    by_key = {h.strip().lower(): h for h in table.headers}
    name_header = next((by_key[h] for h in NAME_HEADERS if h in by_key), None)
    domain_header = next((by_key[h] for h in DOMAIN_HEADERS if h in by_key), None)
    if name_header is None and domain_header is None:
        raise Invalid(NO_COLUMNS, field="file")
    names = restored(table.rows[name_header]).str.strip() if name_header else None
    domains = restored(table.rows[domain_header]).str.strip() if domain_header else None
    return table.rows.index, names, domains


def clean_domain(value: object) -> str:
    """A company's email or web domain ("https://www.contoso.com/x", "@contoso.com" ->
    contoso.com); "" for none."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 300:
        raise Invalid(NOT_A_DOMAIN, field="domain")
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].rpartition("@")[2]
    text = text.removeprefix("www.")
    if not text:
        return ""
    if not _DOMAIN.match(text):
        raise Invalid(NOT_A_DOMAIN, field="domain")
    if text in FREE_MAIL_DOMAINS:
        raise Invalid(SHARED_DOMAIN.format(domain=text), field="domain")
    return text


def _listed(session: Session, provider_org_id: int, keys: set[tuple[str, str]]) -> set:
    """Which (name_norm, domain) pairs the provider's list already holds."""
    if not keys:
        return set()
    norms = sorted({norm for norm, _ in keys})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(norms), 5_000):
        found.update(
            session.exec(
                select(ProviderCustomer.name_norm, ProviderCustomer.domain).where(
                    ProviderCustomer.provider_org_id == provider_org_id,
                    col(ProviderCustomer.name_norm).in_(norms[start : start + 5_000]),
                )
            ).all()
        )
    return found & keys
