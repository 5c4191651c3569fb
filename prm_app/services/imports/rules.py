"""The rules every imported row must pass, each checked over whole columns with pandas and a few
queries (partners, people, existing records, protected customers, stages), never one per row."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import Deal, ImportKind, Lead, LeadDirection, OrgKind, Pipeline, Stage
from .. import custom_fields, customers, deals, leads
from ..catalog import program
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..deals import eligibility, places, registration_rules
from ..leads import consent as leads_consent
from ..onboarding import holds
from . import columns as import_columns
from . import custom_import, locales
from . import send_to as send_to_all
from .columns import CREATE, Field, Mode
from .files import Table, restored
from .owners import default_owner_of, unknown_owner
from .sheets import Reading

IN_CHUNK = 5_000  # values in one IN (...) list (SQLite allows 32,766 parameters)
_EMAILS = ("email", "contact_email")
_AMOUNT = r"^\d{1,12}(\.\d{1,2})?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one row. A warning (`blocking` False) does not stop the row."""

    row: int
    column: str  # the file's header (the field's label when no column is mapped to it)
    message: str
    blocking: bool = True


@dataclass(slots=True)
class Checked:
    """A file checked against the rules: its values (by field) and what is wrong."""

    table: Table
    data: pd.DataFrame
    mapping: dict[str, str]  # field name to header, as checked
    problems: list[Problem] = field(default_factory=list)
    failed: pd.Series | None = None  # bool by row
    send_to: list[int] = field(default_factory=list)  # where every row goes (see send_to)
    labels: dict[str, str] = field(default_factory=dict)  # extra display values for the preview
    custom: list = field(default_factory=list)  # the custom fields it may fill in (FieldAccess)


@dataclass(slots=True)
class Carry:
    """What checking a file chunk by chunk carries from one chunk to the next, so that the
    chunks are checked as the whole file would be."""

    seen: set[int] = field(default_factory=set)  # the rows' keys so far, hashed (duplicates)
    # Unknown owners told about (by email): [as the file names them, rows so far, the default
    # owner's name, rows told of]: see owners.recounted.
    owners: dict[str, list] = field(default_factory=dict)
    batch_id: int | None = None  # the batch being written: its rows are no duplicates


def check(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    table: Table,
    mapping: object,
    submit: bool,
    default_owner: object = None,
    send_to: object = None,
    reading: Reading | None = None,
    carry: Carry | None = None,
    mode: Mode = CREATE,
) -> Checked:
    """Check a file's rows (or one chunk of them, with the `carry` of the chunks before), as
    `mode` needs them: a row that only updates a record needs no mandatory value (an empty
    cell keeps the record's), nor a registration's rules (as editing a deal)."""
    custom = custom_import.importable(session, actor, kind)
    extra = custom_import.columns_of(session, custom)
    everyone_to = send_to_all.organizations(session, actor, kind, send_to, submit=submit)
    chosen = import_columns.check_mapping(
        mapping,
        table.headers,
        kind,
        actor.org_kind,
        submit=submit,
        extra=extra,
        sent_to_all=bool(everyone_to),
        mode=mode,
    )
    fields = (*import_columns.fields(kind, actor.org_kind), *extra)
    index = table.rows.index
    data = pd.DataFrame(index=index)
    for f in fields:
        if f.name in chosen:
            data[f.name] = restored(table.rows[chosen[f.name]]).str.strip()
        else:
            data[f.name] = pd.Series("", index=index, dtype="str")
    checked = Checked(table=table, data=data, mapping=chosen, send_to=everyone_to, custom=custom)
    required = set(
        import_columns.required(kind, actor.org_kind, submit=submit, sent_to_all=bool(everyone_to))
        if mode.creates
        else ()
    )
    how = reading or Reading()
    ways = locales.ways(data, *custom_import.value_columns(kind, custom), how.numbers, how.dates)
    how = replace(how, numbers=ways[0], dates=ways[1])  # the file's ways, for every column
    rules = _Rules(checked, fields, chosen, required, how, carry or Carry())
    rules.basics()
    rules.owners(session, actor, kind, default_owner_of(session, actor, default_owner))
    if kind == ImportKind.DEALS:
        rules.counterparts(session, actor, kind, everyone_to)
        rules.deal_values(session)
        rules.deal_places()
        rules.duplicate_deals(session, actor)
        if mode.creates:
            rules.registration_rules(session, actor)
    else:
        if submit:  # drafts are sent nowhere yet
            rules.counterparts(session, actor, kind, everyone_to)
        rules.duplicate_leads(session, actor, kind)
        rules.consent(session, actor, kind, submit)
    for org_id in everyone_to[1:]:  # the first is the rows' own, as a column's would be
        rules.protected(session, actor, also_to=org_id)
    if "other_org_id" in data:
        rules.protected(session, actor)
    rules.custom(session, custom, enforced=mode.creates and (submit or kind == ImportKind.DEALS))
    rules.finish()
    return checked


class _Rules:
    """The checks, each over whole columns; problems are gathered, then sorted once."""

    def __init__(
        self,
        checked: Checked,
        fields: tuple[Field, ...],
        chosen: dict[str, str],
        required: set[str],
        reading: Reading,
        carry: Carry,
    ):
        self.checked = checked
        self.carry = carry
        self.reading = reading  # the ways of writing amounts and dates chosen
        self.required = required
        self.data = checked.data
        self.fields = {f.name: f for f in fields}
        self.order = {f.name: n for n, f in enumerate(fields)}
        self.chosen = chosen
        self.found: list[tuple[str, pd.Series, Any, bool]] = []

    def add(self, name: str, mask: pd.Series, message: Any, *, blocking: bool = True) -> None:
        """Rows where `mask` holds have `message` (text, or a Series of texts by row)."""
        if mask.any():
            self.found.append((name, mask, message, blocking))

    def basics(self) -> None:
        """Required values and lengths, then emails, with the messages the forms give."""
        for name, f in self.fields.items():
            values = self.data[name]
            email = name in _EMAILS
            if name in self.required:
                self.add(name, values == "", inputs.NO_EMAIL if email else inputs.missing(f.label))
            if not email:  # an email too long is not an email address
                self.add(name, values.str.len() > f.max_len, inputs.too_long(f.label, f.max_len))
        for name in _EMAILS:
            if name in self.data:
                values = self.data[name].str.lower()
                self.data[name] = values
                bad = (values != "") & (
                    ~values.str.match(inputs.EMAIL_PATTERN) | (values.str.len() > inputs.MAX_EMAIL)
                )
                if bad.any():
                    said = pd.Series("", index=values.index)
                    said[bad] = values[bad].map(inputs.not_an_email)
                    self.add(name, bad, said)

    def owners(
        self, session: Session, actor: Actor, kind: ImportKind, default_owner: tuple[int, str]
    ) -> None:
        """Each row's owner, by email: an active member; a member may name only themselves.

        An owner who is no active member of the organization (an export from another firm's
        CRM names that firm's sales people) is no reason to refuse the row: the row goes to the
        default owner, with one warning per such owner, on the first row naming them.
        """
        emails = self.data["owner"].str.lower()
        people = {
            email: user_id
            for user_id, email, _, user_active, member_active in session.exec(
                leads.members(actor.org_id)
            )
            if user_active and member_active
        }
        ids = emails.map(people)
        given = emails != ""
        unknown = given & ids.isna()
        if unknown.any():
            counts = emails[unknown].value_counts()
            first = emails[unknown].drop_duplicates(keep="first")
            told = self.carry.owners
            for email, rows in counts.items():
                if email in told:  # in an earlier chunk
                    told[email][1] += int(rows)
            first = first[~first.isin(told)]
            for row, email in first.items():
                rows = int(counts[email])
                told[email] = [self.data["owner"][row], rows, default_owner[1], rows]
            said = pd.Series("", index=emails.index)
            said[first.index] = [
                unknown_owner(self.data["owner"][row], int(counts[email]), default_owner[1])
                for row, email in first.items()
            ]
            self.add("owner", said != "", said, blocking=False)
        known = given & ids.notna()
        self.data["owner_id"] = ids.where(known, default_owner[0]).astype("int64")
        if not actor.sees_all:
            self.add(
                "owner",
                known & (ids != actor.user_id),
                deals.ONLY_MANAGER_GIVES if kind == ImportKind.DEALS else leads.ONLY_MANAGER_GIVES,
            )

    def counterparts(
        self, session: Session, actor: Actor, kind: ImportKind, everyone_to: list[int]
    ) -> None:
        """The provider (partner) of each row, by name among the organization's partnerships;
        only an active (and, for a consultant, categorized) one can receive, and registrations
        and referrals wait for a held partner's signature (services.onboarding.holds). With
        `everyone_to` (checked already, holds included), every row goes to the first of them (and to the others)."""
        name = "provider" if actor.org_kind == OrgKind.CONSULTANT else "partner"
        consultant = actor.org_kind == OrgKind.CONSULTANT
        rows = session.exec(leads.partners(actor)).all()
        if everyone_to:
            names = {org_id: org_name for org_id, org_name, _, _ in rows}
            self.data["other_org_id"] = everyone_to[0]
            self.data[name] = ", ".join(names[org_id] for org_id in everyone_to)
            self.data["provider_org_id"] = everyone_to[0] if consultant else actor.org_id
            self.checked.labels[name] = self.data[name]
            return
        by_name: dict[str, list[tuple[int, str, str | None]]] = {}
        for org_id, org_name, status, categorized in rows:
            refusal = leads.recipient_refusal(org_name, status, categorized, consultant=consultant)
            by_name.setdefault(org_name.strip().lower(), []).append((org_id, org_name, refusal))
        resolved: dict[str, int] = {}
        refused: dict[str, str] = {}
        for key, found in by_name.items():
            eligible = [(org_id, n) for org_id, n, refusal in found if refusal is None]
            if len(eligible) == 1:
                resolved[key] = eligible[0][0]
            elif eligible:
                refused[key] = f"Several of your partners are named {eligible[0][1]}."
            else:
                refused[key] = found[0][2]
        if kind == (ImportKind.DEALS if consultant else ImportKind.REFERRALS):
            for key, org_id in list(resolved.items()):
                pair = (org_id, actor.org_id) if consultant else (actor.org_id, org_id)
                if held := holds.held(session, provider_org_id=pair[0], partner_org_id=pair[1]):
                    refused[key] = held
                    del resolved[key]
        keys = self.data[name].str.lower()
        given = keys != ""
        ids = keys.map(resolved)
        what = "provider" if consultant else "partner"
        self.add(name, given & keys.map(refused).notna(), keys.map(refused))
        self.add(
            name,
            given & ids.isna() & keys.map(refused).isna(),
            "'" + self.data[name].str.slice(0, 60) + f"' is not one of your active {what}s.",
        )
        self.data["other_org_id"] = ids.fillna(0).astype("int64")
        self.data["provider_org_id"] = self.data["other_org_id"] if consultant else actor.org_id
        names = {org_id: org_name for org_id, org_name, _, _ in rows}
        self.checked.labels[name] = self.data["other_org_id"].map(names)

    def duplicate_leads(self, session: Session, actor: Actor, kind: ImportKind) -> None:
        """The same email and company twice in the file, or already sent by the organization."""
        norms, domains = customers.customer_keys_of(self.data["company"], self.data["email"])
        self.data["company_norm"], self.data["email_domain"] = norms, domains
        keys = self.data["email"] + "\x1f" + norms
        usable = (self.data["email"] != "") & (norms != "")
        what = "the same email and company (" + self.data["email"] + ", "
        self._within_file(keys, usable, "email", what + self.data["company"].str.slice(0, 60))
        direction = lead_direction(kind)
        existing: set[str] = set()
        # By email (ix_leads_origin_org_email): a company's earlier leads, this import's rows
        # among them, would make each chunk read more than the one before.
        for chunk in _chunks(sorted(set(self.data["email"][usable]))):
            existing.update(
                f"{email}\x1f{norm}"
                for email, norm in session.exec(
                    select(Lead.email, Lead.company_norm).where(
                        Lead.origin_org_id == actor.org_id,
                        Lead.direction == direction,
                        col(Lead.email).in_(chunk),
                        *self._not_this_batch(Lead.import_batch_id),
                    )
                )
            )
        noun = "lead" if kind == ImportKind.LEADS else "referral"
        self.add(
            "email",
            usable & keys.isin(existing),
            leads.DUPLICATE.format(noun=noun),
        )

    def consent(self, session: Session, actor: Actor, kind: ImportKind, submit: bool) -> None:
        """The permission to share read as yes/no; referrals sent need it when the provider's
        program requires it (leads.consent: the one rule and message)."""
        values = self.data[leads_consent.FIELD]
        readable = values.map(leads_consent.is_flag)
        self.add(leads_consent.FIELD, ~readable, leads_consent.NOT_A_FLAG)
        self.data[leads_consent.FIELD] = readable & values.map(_is_yes)
        required = submit and kind == ImportKind.REFERRALS
        if required and leads_consent.required_by(session, actor.org_id):
            missing = readable & ~self.data[leads_consent.FIELD]
            self.add(leads_consent.FIELD, missing, leads_consent.REQUIRED)

    def duplicate_deals(self, session: Session, actor: Actor) -> None:
        """The same deal name, company and other organization twice in the file or already."""
        norms, domains = customers.customer_keys_of(
            self.data["company"], self.data["contact_email"]
        )
        self.data["company_norm"], self.data["email_domain"] = norms, domains
        other = self.data["other_org_id"].astype(str)
        keys = other + "\x1f" + norms + "\x1f" + self.data["name"].str.lower()
        usable = (self.data["other_org_id"] > 0) & (norms != "") & (self.data["name"] != "")
        what = "the same deal (" + self.data["name"].str.slice(0, 60) + ", "
        self._within_file(keys, usable, "name", what + self.data["company"].str.slice(0, 60))
        side = deals.side_columns(actor)
        existing: set[str] = set()
        for chunk in _chunks(sorted(set(norms[usable]))):
            existing.update(
                f"{other_id}\x1f{norm}\x1f{deal_name.lower()}"
                for other_id, norm, deal_name in session.exec(
                    select(side.other_org, Deal.company_norm, Deal.name).where(
                        side.own_org == actor.org_id,
                        col(Deal.company_norm).in_(chunk),
                        *self._not_this_batch(Deal.import_batch_id),
                    )
                )
            )
        self.add(
            "name",
            usable & keys.isin(existing),
            "This deal already exists (the same name, company and organization).",
        )

    def deal_values(self, session: Session) -> None:
        """Amount (empty: 0), close date (YYYY-MM-DD) and stage (an open one; empty: first)."""
        amount = locales.amounts(self.data["amount"], self.reading.numbers)
        amount = amount.where(amount != "", "0")
        self.add(
            "amount",
            ~amount.str.match(_AMOUNT),
            "Enter the amount as a number of 0 or more with at most two decimals (1200.50).",
        )
        self.data["amount"] = amount
        dates = locales.dates(self.data["close_date"], self.reading.dates)
        parsed = pd.to_datetime(
            dates.where(dates.str.match(_ISO_DATE)), format="%Y-%m-%d", errors="coerce"
        )
        self.add("close_date", (dates != "") & parsed.isna(), "Enter the close date as YYYY-MM-DD.")
        self.data["close_day"] = parsed
        providers = self._providers()
        stages = session.exec(
            select(Stage.org_id, Stage.name, Stage.id, Stage.is_won, Stage.is_lost).where(
                col(Stage.org_id).in_(providers),
                Stage.pipeline == Pipeline.DEAL,
                col(Stage.archived_at).is_(None),
            )
        ).all()
        by_name = {
            f"{org}\x1f{name.lower()}": (sid, won or lost) for org, name, sid, won, lost in stages
        }
        first = {org: program.first_stage(session, org, Pipeline.DEAL) for org in providers}
        keys = self.data["provider_org_id"].astype(str) + "\x1f" + self.data["stage"].str.lower()
        found = keys.map(by_name)
        given = self.data["stage"] != ""
        self.add(
            "stage",
            given & found.isna() & (self.data["provider_org_id"] > 0),
            "'" + self.data["stage"].str.slice(0, 60) + "' is not a deal stage of this provider.",
        )
        closed = found.map(lambda hit: isinstance(hit, tuple) and hit[1])
        self.add(
            "stage",
            given & closed.fillna(False).astype(bool),
            "Imported deals start open: choose an open stage.",
        )
        chosen = found.map(lambda hit: hit[0] if isinstance(hit, tuple) else None)
        self.data["stage_id"] = chosen.where(given, self.data["provider_org_id"].map(first))

    def deal_places(self) -> None:
        """Country (a code or name) and region (of that country), as the deal form checks them:
        each distinct value is looked up once."""
        countries = self.data["country"]
        codes = countries.map(_place(places.country, set(countries)))
        self.add("country", codes.isna(), places.NO_COUNTRY)
        self.data["country"] = codes.fillna("")
        keys = self.data["country"] + "\x1f" + self.data["region"]
        regions = keys.map(_place(_region_of, set(keys)))
        self.add("region", regions.isna() & codes.notna(), places.NO_REGION)
        self.data["region"] = regions.fillna("")

    def registration_rules(self, session: Session, actor: Actor) -> None:
        """Each row against its provider's registration rules (services.deals.eligibility, as
        Submit Deal): the first failing hard rule refuses the row, soft ones warn. Protection is
        `protected`'s warning; an import names no products."""
        data, consultant = self.data, actor.org_kind == OrgKind.CONSULTANT
        programs: dict[int, eligibility.Program] = {}
        for provider_id in self._providers():
            program = eligibility.program_of(session, provider_id)
            program.rules = [r for r in program.rules if r.rule != registration_rules.PROTECTION]
            if program.rules:
                eligibility.read_customer_list(session, program)
                programs[provider_id] = program
        if not programs:
            return
        amounts = pd.to_numeric(data["amount"], errors="coerce")
        said: dict[str, dict[Any, str]] = {}
        blocking: dict[str, dict[Any, str]] = {}
        for row in data.index[data["provider_org_id"].isin(list(programs))]:
            program = programs[int(data.at[row, "provider_org_id"])]
            partner_id = actor.org_id if consultant else int(data.at[row, "other_org_id"])
            amount = amounts[row]
            facts = eligibility.facts_from(
                company=data.at[row, "company"],
                contact_email=data.at[row, "contact_email"],
                amount=Decimal(str(amount)) if pd.notna(amount) else Decimal(0),
                country=data.at[row, "country"],
                region=data.at[row, "region"],
                contact_name=data.at[row, "contact_name"],
                close_date=data.at[row, "close_date"],
            )
            verdicts = eligibility.evaluate(
                session, program, partner_org_id=partner_id, facts=facts
            )
            refusal = eligibility.first_refusal(verdicts, facts, program)
            if refusal is not None:
                blocking.setdefault(_column(refusal.field, consultant), {})[row] = str(refusal)
            elif partner_id in program.open_counts:  # one more open, for the rows after it
                program.open_counts[partner_id] += 1
            for verdict in verdicts:
                if not verdict.hard and not verdict.passed:
                    name = _column(registration_rules.BY_RULE[verdict.rule].field, consultant)
                    said.setdefault(name, {})[row] = verdict.message
        for found, hard in ((blocking, True), (said, False)):
            for name, messages in found.items():
                texts = pd.Series(messages, dtype="str").reindex(data.index, fill_value="")
                self.add(name, texts != "", texts, blocking=hard)

    def protected(self, session: Session, actor: Actor, also_to: int = 0) -> None:
        """Customers already protected for another partner of the provider (a warning: the row
        is still imported and the provider decides). A consultant learns until when, never who.
        `also_to`: another organization every row goes to, besides the row's own."""
        data = self.data
        consultant = actor.org_kind == OrgKind.CONSULTANT
        partner = (also_to or data["other_org_id"]) if not consultant else actor.org_id
        rows = pd.DataFrame(
            {
                "provider": (also_to or data["provider_org_id"]) if consultant else actor.org_id,
                "partner": partner,
                "company_norm": data["company_norm"],
                "email_domain": data["email_domain"],
            },
            index=data.index,
        )
        found = customers.held_by_row(session, rows, exclude=actor.org_id if consultant else 0)
        until = found["until"].map(
            lambda moment: moment.date().isoformat() if pd.notna(moment) else ""
        )
        if consultant:
            message = (
                "Already protected for another partner until " + until + ": the provider decides."
            )
        else:
            message = "Protected for " + found["holder_name"].fillna("") + " until " + until + "."
        self.add("company", found["until"].notna(), message, blocking=False)

    def custom(
        self, session: Session, fields: list[custom_fields.FieldAccess], *, enforced: bool
    ) -> None:
        """The custom columns, by the forms' rules (services.imports.custom_import); each row's
        `custom` as it will be stored."""
        others = self.data.get("other_org_id")
        found = custom_import.check(
            session,
            fields,
            self.data,
            enforced=enforced,
            other_org_ids=others,
            also_to=self.checked.send_to[1:],
            ways=(str(self.reading.numbers), str(self.reading.dates)),
        )
        for name, mask, messages in found.problems:
            self.add(name, mask, messages)
        self.data["custom"] = found.custom

    def finish(self) -> None:
        """Sort the problems by row, then by the fields' order; mark the failed rows."""
        index = self.data.index
        failed = pd.Series(False, index=index)
        problems: list[tuple[int, int, Problem]] = []
        for name, mask, message, blocking in self.found:
            column = self.chosen.get(name) or self.fields[name].label
            messages = message[mask] if isinstance(message, pd.Series) else None
            for row in index[mask.to_numpy()]:
                text = messages[row] if messages is not None else message
                problems.append((row, self.order[name], Problem(int(row), column, text, blocking)))
            if blocking:
                failed |= mask
        problems.sort(key=lambda item: (item[0], item[1]))
        self.checked.problems = [p for _, _, p in problems]
        self.checked.failed = failed

    def _within_file(self, keys: pd.Series, usable: pd.Series, name: str, what: pd.Series) -> None:
        """Rows repeating an earlier row's `keys`, told by their content (`what`: "the same
        deal (Rollout, Contoso"), not by the earlier row's number, which the error file lacks
        when that row was imported."""
        repeated = usable & keys.duplicated(keep="first")
        hashed = pd.util.hash_pandas_object(keys[usable], index=False)
        if self.carry.seen:  # the same row in an earlier chunk
            seen = self.carry.seen
            earlier = [value in seen for value in hashed.tolist()]
            repeated[usable[usable].index[earlier]] = True
        self.carry.seen.update(hashed.tolist())
        if repeated.any():
            said = "An earlier row of the file has " + what + "): only that one is imported."
            self.add(name, repeated, said)

    def _not_this_batch(self, column: Any) -> list:
        """The rows an import wrote in earlier chunks are no duplicates of the file's rows."""
        if self.carry.batch_id is None:
            return []
        return [sa.or_(col(column).is_(None), column != self.carry.batch_id)]

    def _providers(self) -> list[int]:
        """The distinct providers of the rows (known once `counterparts` ran)."""
        return sorted(int(p) for p in set(self.data["provider_org_id"]) if p > 0)


def _column(form_field: str | None, consultant: bool) -> str:
    """The import's field for a deal form's field that a registration rule names."""
    if form_field == "other_org_id":
        return "provider" if consultant else "partner"
    return "name" if form_field in (None, "product_ids") else form_field


def _is_yes(value: str) -> bool:
    return leads_consent.is_flag(value) and leads_consent.flag(value)


def lead_direction(kind: ImportKind) -> LeadDirection:
    """The direction of the leads an import of `kind` makes."""
    if kind == ImportKind.LEADS:
        return LeadDirection.PARTNER_TO_PROVIDER
    return LeadDirection.PROVIDER_TO_PARTNER


def _place(check: Callable[[str], str], values: set[str]) -> dict[str, str | None]:
    """Each distinct value to what `check` makes of it (None when it is refused)."""
    found: dict[str, str | None] = {}
    for value in values:
        try:
            found[value] = check(value)
        except Invalid:
            found[value] = None
    return found


def _region_of(key: str) -> str:
    country, _, region = key.partition("\x1f")
    return places.region(region, country_code=country)


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
