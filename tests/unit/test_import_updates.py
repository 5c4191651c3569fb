"""imports in update mode: matching on email, external id or a deal's name within its partner,
the dry run's counts and before/after, the record's state and visibility, and undo."""

import io
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    ActivityEvent,
    Approval,
    Deal,
    ImportBatch,
    ImportChange,
    Lead,
    OrgKind,
    Outcome,
    Role,
)
from prm_app.services import imports, leads
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from tests.unit.factories import colleague, org_admin, partners

HEADER = "First name,Last name,Email,Company,Phone,Lead ID"
MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "phone": "Phone",
    "external_id": "Lead ID",
}
DEAL_HEADER = "Partner,Deal name,Company,Amount,Close date,Opportunity ID"
DEAL_MAPPING = {
    "partner": "Partner",
    "name": "Deal name",
    "company": "Company",
    "amount": "Amount",
    "close_date": "Close date",
    "external_id": "Opportunity ID",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    return provider, firm


def _file(header: str, *rows: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def _dry(session, actor, file, *, mode="update", key="email", kind="leads", mapping=MAPPING):
    return imports.dry_run(
        session, actor=actor, kind=kind, file=file, mapping=mapping, mode=mode, match_key=key
    )


def _run(session, actor, file, *, mode="update", key="email", kind="leads", mapping=MAPPING):
    return imports.run(
        session,
        actor=actor,
        kind=kind,
        file=file,
        file_name="update.csv",
        mapping=mapping,
        mode=mode,
        match_key=key,
    )


def _drafts(session, firm):
    """Three drafts of Fabrikam, with their CRM ids."""
    _run(
        session,
        firm,
        _file(
            HEADER,
            "Jane,Doe,jane@contoso.com,Contoso,+1 555 0100,L-1",
            "Joe,Li,joe@acme.com,Acme,,L-2",
            "Ann,Lee,ann@lee.com,Lee Group,,L-3",
        ),
        mode="create",
    )
    return {lead.external_id: lead for lead in session.exec(select(Lead)).all()}


def test_dry_run_counts_new_updated_unchanged_and_refused_rows(session, world):
    _, firm = world
    _drafts(session, firm)
    found = _dry(
        session,
        firm,
        _file(
            HEADER,
            "Jane,Doe,JANE@contoso.com,Contoso,+1 555 0199,",  # phone changed (email any case)
            "Joe,Li,joe@acme.com,Acme,,",  # as it is
            "Zoe,Ng,zoe@new.com,New Co,,",  # no such lead
            "Ann,Lee,ann@lee.com,Lee Group,,L-9",  # a new external id
        ),
    )
    assert (found.rows_new, found.rows_updated, found.rows_unchanged) == (0, 2, 1)
    assert found.rows_failed == 1 and found.rows_valid == 3
    assert [(p.row, p.column, p.message) for p in found.problems] == [
        (4, "Email", "No lead of yours has this email: nothing to update.")
    ]
    assert [(c.row, c.record, c.field, c.before, c.after) for c in found.changes] == [
        (2, "Jane Doe", "Phone", "+1 555 0100", "+1 555 0199"),
        (5, "Ann Lee", "External ID", "L-3", "L-9"),
    ]
    assert found.preview == []  # nothing new
    both = _dry(
        session,
        firm,
        _file(HEADER, "Zoe,Ng,zoe@new.com,New Co,,", "Joe,Li,joe@acme.com,Acme,,"),
        mode="both",
    )
    assert (both.rows_new, both.rows_updated, both.rows_unchanged, both.rows_failed) == (1, 0, 1, 0)
    assert [row["email"] for row in both.preview] == ["zoe@new.com"]


def test_update_writes_changes_the_timeline_and_undo_restores_them(session, world):
    _, firm = world
    before = _drafts(session, firm)
    batch = _run(
        session,
        firm,
        _file(
            HEADER,
            "Jane,Doe,jane@contoso.com,Contoso Ltd,+1 555 0199,",
            "Ben,Wu,ben@wu.com,Wu,,B-1",
        ),
        mode="both",
    )
    stored = session.get(ImportBatch, batch.id)
    assert (stored.mode, stored.rows_imported, stored.rows_updated) == ("both", 1, 1)
    jane = session.get(Lead, before["L-1"].id)
    session.refresh(jane)
    assert (jane.company, jane.phone, jane.company_norm) == (
        "Contoso Ltd",
        "+1 555 0199",
        "contoso",
    )
    change = session.exec(select(ImportChange).where(ImportChange.batch_id == batch.id)).one()
    assert change.before["phone"] == "+1 555 0100" and change.after["company"] == "Contoso Ltd"
    event = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_type == "lead",
            ActivityEvent.entity_id == jane.id,
            ActivityEvent.action == "updated",
        )
    ).one()
    assert event.before == {"company": "Contoso", "phone": "+1 555 0100"}
    assert event.after == {
        "company": "Contoso Ltd",
        "phone": "+1 555 0199",
        "import_batch_id": batch.id,
    }

    undone = imports.undo(session, actor=firm, batch_id=batch.id)
    assert undone.status == "undone"
    session.refresh(jane)
    assert (jane.company, jane.phone, jane.company_norm) == (
        "Contoso",
        "+1 555 0100",
        before["L-1"].company_norm,
    )
    assert session.exec(select(Lead).where(Lead.email == "ben@wu.com")).first() is None


def test_undo_is_refused_once_an_updated_record_changed_again(session, world):
    _, firm = world
    before = _drafts(session, firm)
    batch = _run(session, firm, _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,+1 555 0199,"))
    leads.save_draft(
        session,
        actor=firm,
        data=leads.LeadInput("Jane", "Doe", "jane@contoso.com", "Contoso", phone="+1 555 0111"),
        owner_id=firm.user_id,
        lead_id=before["L-1"].id,
    )
    with pytest.raises(Invalid, match=r"^1 of the 1 leads it imported or updated changed"):
        imports.undo(session, actor=firm, batch_id=batch.id)


def test_matches_on_the_external_id_and_refuses_sent_leads_and_others_records(session, world):
    provider, firm = world
    drafts = _drafts(session, firm)
    leads.submit(session, actor=firm, lead_id=drafts["L-2"].id, recipient_org_ids=[provider.org_id])
    member = colleague(session, firm, role=Role.MEMBER)
    found = _dry(
        session,
        firm,
        _file(
            HEADER,
            "Jane,Doe,jane.doe@contoso.com,Contoso,,L-1",
            "Joe,Li,joe@acme.com,Acme,+1 1,L-2",
        ),
        key="external_id",
    )
    assert (found.rows_updated, found.rows_failed) == (1, 1)
    assert [(c.field, c.after) for c in found.changes] == [("Email", "jane.doe@contoso.com")]
    assert found.problems[0].message.startswith("This lead was sent already")
    theirs = _dry(
        session,
        member,
        _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,+1 2,L-1"),
        key="external_id",
    )
    assert theirs.rows_updated == 0
    assert (
        theirs.problems[0].message
        == "This record belongs to a colleague: only a manager can update it."
    )
    other = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Elsewhere")
    partners(session, provider, other)
    elsewhere = _dry(
        session,
        other,
        _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,+1 2,L-1"),
        key="external_id",
    )
    assert elsewhere.rows_updated == 0 and "nothing to update" in elsewhere.problems[0].message


def test_the_same_record_twice_and_an_ambiguous_email_are_refused(session, world):
    _, firm = world
    _drafts(session, firm)
    _run(session, firm, _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso Two,,L-4"), mode="create")
    found = _dry(session, firm, _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,+1 3,"))
    assert found.problems[0].message == "2 leads have this email: match on External ID instead."
    twice = _dry(
        session,
        firm,
        _file(
            HEADER, "Joe,Li,joe@acme.com,Acme,+1 4,L-2", "Joe,Li,joe@acme.com,Acme Labs,+1 5,L-2"
        ),
        key="external_id",
    )
    assert twice.rows_updated == 1
    assert twice.problems[0].message.startswith(
        "An earlier row of the file updates the same record"
    )


@pytest.mark.parametrize(
    ("mode", "key"), [("upsert", "email"), ({"a": 1}, "email"), ("update", "name"), ("update", 3)]
)
def test_hostile_modes_and_keys_are_refused(session, world, mode, key):
    _, firm = world
    with pytest.raises(Invalid):
        _dry(
            session, firm, _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,,"), mode=mode, key=key
        )


def test_external_id_key_needs_its_column(session, world):
    _, firm = world
    mapping = {k: v for k, v in MAPPING.items() if k != "external_id"}
    with pytest.raises(Invalid, match="External ID column"):
        _dry(
            session,
            firm,
            _file(HEADER, "Jane,Doe,jane@contoso.com,Contoso,,"),
            key="external_id",
            mapping=mapping,
        )


def test_deals_update_on_external_id_or_name_within_the_partner(session, world):
    provider, _firm = world
    _run(
        session,
        provider,
        _file(
            DEAL_HEADER,
            "Fabrikam,Rollout,Contoso,1000,2030-06-30,O-1",
            "Fabrikam,Pilot,Acme,50,,O-2",
        ),
        kind="deals",
        mode="create",
        mapping=DEAL_MAPPING,
    )
    deals = {d.external_id: d for d in session.exec(select(Deal)).all()}
    found = _dry(
        session,
        provider,
        _file(
            DEAL_HEADER,
            "Fabrikam,Rollout 2,Contoso,1500.5,2030-07-01,O-1",
            "Fabrikam,Pilot,Acme,50,,O-2",
        ),
        kind="deals",
        key="external_id",
        mapping=DEAL_MAPPING,
    )
    assert (found.rows_updated, found.rows_unchanged, found.rows_failed) == (1, 1, 0)
    assert {(c.field, c.before, c.after) for c in found.changes} == {
        ("Name", "Rollout", "Rollout 2"),
        ("Amount", "1000.00", "1500.50"),
        ("Close date", "2030-06-30", "2030-07-01"),
    }
    batch = _run(
        session,
        provider,
        _file(DEAL_HEADER, "Fabrikam,pilot,Acme,75,,O-7"),
        kind="deals",
        key="name",
        mapping=DEAL_MAPPING,
    )
    pilot = session.get(Deal, deals["O-2"].id)
    session.refresh(pilot)
    assert (pilot.amount, pilot.external_id, pilot.version) == (Decimal("75.00"), "O-7", 2)
    event = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_id == pilot.id, ActivityEvent.action == "edited"
        )
    ).one()
    assert event.before == {"amount": "50.00", "external_id": "O-2"}
    imports.undo(session, actor=provider, batch_id=batch.id)
    session.refresh(pilot)
    assert (pilot.amount, pilot.external_id, pilot.version) == (Decimal("50.00"), "O-2", 3)

    rollout = session.get(Deal, deals["O-1"].id)
    rollout.outcome = Outcome.WON
    session.add(rollout)
    session.flush()
    closed = _dry(
        session,
        provider,
        _file(DEAL_HEADER, "Fabrikam,Rollout,Contoso,9,,O-1"),
        kind="deals",
        key="external_id",
        mapping=DEAL_MAPPING,
    )
    assert closed.problems[0].message.startswith("This deal is closed")


def test_a_partner_does_not_change_an_approved_deals_amount_by_import(session, world):
    _provider, firm = world
    header = "Provider,Deal name,Company,Amount,Opportunity ID"
    mapping = {
        "provider": "Provider",
        "name": "Deal name",
        "company": "Company",
        "amount": "Amount",
        "external_id": "Opportunity ID",
    }
    _run(
        session,
        firm,
        _file(header, "Northwind,Rollout,Contoso,1000,O-1"),
        kind="deals",
        mode="create",
        mapping=mapping,
    )
    deal = session.exec(select(Deal)).one()
    deal.approval = Approval.APPROVED
    session.add(deal)
    session.flush()
    found = _dry(
        session,
        firm,
        _file(header, "Northwind,Rollout,Contoso,2000,O-1"),
        kind="deals",
        key="external_id",
        mapping=mapping,
    )
    assert found.rows_updated == 0
    assert found.problems[0].message.startswith(
        "The amount of an approved deal changes on the deal's page"
    )
    renamed = _dry(
        session,
        firm,
        _file(header, "Northwind,Rollout B,Contoso,1000,O-1"),
        kind="deals",
        key="external_id",
        mapping=mapping,
    )
    assert renamed.rows_updated == 1
