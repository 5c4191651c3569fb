"""imports: mapping, dry run, import (drafts, submitted, deals), error report, undo, exports."""

import io
from datetime import timedelta

import pandas as pd
import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from prm_app.models import (
    ActivityEvent,
    Approval,
    Deal,
    ImportBatch,
    Lead,
    LeadRecipient,
    Notification,
    OrgKind,
    OrgSettings,
    Role,
    utcnow,
)
from prm_app.services import imports, leads
from prm_app.services.core import changes
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.customers import customer_keys, customer_keys_of
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.imports import columns as import_columns
from prm_app.services.imports import exports
from prm_app.services.imports import files as csv_files
from prm_app.services.imports import writer as imports_writer
from tests.unit.factories import colleague, deal_stage, org_admin, partners

HOSTILE_IDS = [None, "", "abc", "1; DROP", -1, 0, True, {"id": 1}, [1], 1.5, 2**70]
LEAD_HEADER = "First name,Last name,Email,Company,Provider,Owner email,Notes"
LEAD_MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "provider": "Provider",
    "owner": "Owner email",
    "notes": "Notes",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Northwind (provider) partnered with Fabrikam and Contoso (consultants)."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    other_firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Contoso Partners")
    partners(session, provider, firm)
    partners(session, provider, other_firm)
    return provider, firm, other_firm


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _leads_file(*rows: str) -> io.BytesIO:
    return _csv(LEAD_HEADER, *rows)


def _run(session, actor, file, *, kind="leads", mapping=None, submit=False):
    return imports.run(
        session,
        actor=actor,
        kind=kind,
        file=file,
        file_name="leads.csv",
        mapping=LEAD_MAPPING if mapping is None else mapping,
        submit=submit,
    )


def _count(session, model, *where) -> int:
    session.flush()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# mapping -------------------------------------------------------------------------------------


def test_suggests_a_mapping_for_salesforce_and_hubspot_lead_exports():
    salesforce = ["FirstName", "LastName", "Email", "Company", "Phone", "Title", "Description"]
    assert import_columns.suggest_mapping(salesforce, "leads") == {
        "first_name": "FirstName",
        "last_name": "LastName",
        "email": "Email",
        "company": "Company",
        "phone": "Phone",
        "title": "Title",
        "notes": "Description",
    }
    hubspot = ["Record ID", "First Name", "Last Name", "Email", "Company Name", "Phone Number"]
    hubspot += ["Job Title", "Lead Status"]
    assert import_columns.suggest_mapping(hubspot, "referrals") == {
        "first_name": "First Name",
        "last_name": "Last Name",
        "email": "Email",
        "company": "Company Name",
        "phone": "Phone Number",
        "title": "Job Title",
        "external_id": "Record ID",  # what update mode may match on
    }
    loose = [" e-MAIL ", "Surname", "First", "Account Name", "Mobile", "Vendor"]
    assert import_columns.suggest_mapping(loose, "leads") == {
        "provider": "Vendor",
        "first_name": "First",
        "last_name": "Surname",
        "email": " e-MAIL ",
        "company": "Account Name",
        "phone": "Mobile",
    }


def test_suggests_a_mapping_for_salesforce_and_hubspot_deal_exports():
    salesforce = ["Opportunity Name", "Account Name", "Amount", "Close Date", "Stage"]
    assert import_columns.suggest_mapping(salesforce, "deals") == {
        "name": "Opportunity Name",
        "company": "Account Name",
        "amount": "Amount",
        "close_date": "Close Date",
        "stage": "Stage",
    }
    hubspot = ["Deal Name", "Amount", "Close Date", "Deal Stage", "Company Name", "Partner"]
    assert import_columns.suggest_mapping(hubspot, "deals", OrgKind.PROVIDER) == {
        "partner": "Partner",
        "name": "Deal Name",
        "company": "Company Name",
        "amount": "Amount",
        "close_date": "Close Date",
        "stage": "Deal Stage",
    }


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({**LEAD_MAPPING, "email": "E-mail"}, "Email: the file has no column 'E-mail'."),
        (
            {**LEAD_MAPPING, "notes": "Email"},
            "The column 'Email' is chosen for both Email and Notes",
        ),
        ({**LEAD_MAPPING, "email": ""}, "Choose the column of Email: it is mandatory."),
        (
            {k: v for k, v in LEAD_MAPPING.items() if k not in ("email", "company")},
            "Choose the column of Email and Company: they are mandatory.",
        ),
        ({**LEAD_MAPPING, "password_hash": "Email"}, "Map the file's columns"),
        ({**LEAD_MAPPING, "email": ["Email"]}, "Email: the file has no column '?'."),
        ([("email", "Email")], "Map the file's columns"),
        ({str(n): "x" for n in range(100)}, "Map the file's columns"),
    ],
)
def test_a_wrong_mapping_is_refused(mapping, message):
    headers = LEAD_HEADER.split(",")
    with pytest.raises(Invalid, match="^" + message.replace("(", r"\(").replace("?", r"\?")):
        import_columns.check_mapping(mapping, headers, "leads", OrgKind.CONSULTANT, submit=True)


def test_drafts_need_no_provider_column():
    headers = ["First name", "Last name", "Email", "Company"]
    mapping = {k: v for k, v in LEAD_MAPPING.items() if v in headers}
    checked = import_columns.check_mapping(
        mapping, headers, "leads", OrgKind.CONSULTANT, submit=False
    )
    assert checked == mapping
    with pytest.raises(Invalid, match="Provider"):
        import_columns.check_mapping(mapping, headers, "leads", OrgKind.CONSULTANT, submit=True)


def test_drafts_import_without_a_provider_column(session, world):
    _, firm, _ = world
    mapping = {k: v for k, v in LEAD_MAPPING.items() if k not in ("provider", "owner")}
    batch = _run(
        session,
        firm,
        _csv("First name,Last name,Email,Company,Notes", "Ann,Lee,ann@lee.example,Lee Co,"),
        mapping=mapping,
    )
    assert (batch.rows_imported, batch.rows_failed) == (1, 0)


def test_the_last_mapping_is_remembered_per_organization_and_kind(session, world):
    provider, firm, _ = world
    odd = "Given,Family,Mail,Firm,To,Owner email,Notes"
    mapping = dict(zip(LEAD_MAPPING, odd.split(","), strict=True))
    _run(session, firm, _csv(odd, "Jane,Doe,jane@contoso.com,Contoso,Northwind,,"), mapping=mapping)
    assert import_columns.last_mapping(session, actor=firm, kind="leads") == mapping
    assert import_columns.last_mapping(session, actor=firm, kind="deals") == {}
    assert import_columns.last_mapping(session, actor=provider, kind="referrals") == {}
    prepared = imports.prepare(
        session, actor=firm, kind="leads", file=_csv(odd + ",Phone", "a,b,c,d,e,f,g,h")
    )
    assert prepared.mapping == {**mapping, "phone": "Phone"}
    assert prepared.rows == 1
    assert [f.name for f in prepared.fields][:2] == ["provider", "first_name"]
    settings = session.get(OrgSettings, firm.org_id)
    assert set(settings.last_import_mapping) == {"leads"}


def test_template_has_the_expected_columns_and_maps_back():
    template = import_columns.template_csv("referrals", OrgKind.PROVIDER)
    header = template.splitlines()[0].split(",")
    assert header[:3] == ["Partner", "First name", "Last name"]
    mapping = import_columns.suggest_mapping(header, "referrals")
    assert set(mapping) == {f.name for f in import_columns.fields("referrals", OrgKind.PROVIDER)}


# dry run -------------------------------------------------------------------------------------


def test_dry_run_lists_every_problem_by_row_and_column(session, world):
    provider, firm, other_firm = world
    colleague(session, firm, email="sam@fabrikam.example", name="Sam")
    leads.create_and_submit(
        session,
        actor=firm,
        data=leads.LeadInput("Old", "Lead", "old@known.com", "Known Inc"),
        owner_id=firm.user_id,
        recipient_org_ids=[provider.org_id],
    )
    deal = deal_changes.register(
        session,
        actor=provider,
        other_org_id=other_firm.org_id,
        form={"name": "Big one", "company": "Protected Corp", "amount": "1000"},
    )
    until = session.get(Deal, deal.deal_id).protected_until.date().isoformat()
    file = _leads_file(
        "Jane,Doe,jane@contoso.com,Contoso Ltd,northwind,sam@fabrikam.example,",  # row 2: fine
        "",  # row 3: blank, skipped
        "Joe,,not-an-email,Acme,Northwind,,",  # row 4
        "Ann,Lee,ann@x.com,X Corp,Southwind,,",  # row 5
        "Bob,Ray,bob@y.com,Y,Northwind,nobody@else.com,",  # row 6
        "Jane,Doe,JANE@contoso.com,Contoso,Northwind,,",  # row 7: same as row 2
        "Old,Lead,old@known.com,Known,Northwind,,",  # row 8: already sent
        "Pat,Kim,pat@protected.com,Protected Corp.,Northwind,,'=1+1",  # row 9: a warning only
    )
    result = imports.dry_run(
        session, actor=firm, kind="leads", file=file, mapping=LEAD_MAPPING, submit=True
    )
    problems = [(p.row, p.column, p.message, p.blocking) for p in result.problems]
    assert problems == [
        (4, "Last name", "Last name is required.", True),
        (4, "Email", "'not-an-email' is not a valid email address.", True),
        (5, "Provider", "'Southwind' is not one of your active providers.", True),
        (  # no reason to refuse the row: it goes to the default owner (issue 23)
            6,
            "Owner email",
            "'nobody@else.com' is not an active member of your organization: its row goes to "
            f"{firm.name}, the default owner.",
            False,
        ),
        (
            7,
            "Email",
            "An earlier row of the file has the same email and company (jane@contoso.com, "
            "Contoso): only that one is imported.",
            True,
        ),
        (8, "Email", "Your organization already has this lead (the same email and company).", True),
        (
            9,
            "Company",
            f"Already protected for another partner until {until}: the provider decides.",
            False,
        ),
    ]
    assert (result.rows_total, result.rows_valid, result.rows_failed) == (7, 3, 4)
    assert "Contoso Partners" not in str(result)  # a consultant never learns who holds it
    assert result.preview[0] == {
        "row": 2,
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@contoso.com",
        "company": "Contoso Ltd",
        "provider": "Northwind",
        "owner": "sam@fabrikam.example",
        "notes": "",
    }
    assert result.preview[-1]["notes"] == "=1+1"  # an exported value comes back as it was
    assert _count(session, ImportBatch) == 0
    assert _count(session, Lead, Lead.import_batch_id.is_not(None)) == 0


def test_a_provider_sees_who_holds_a_protected_customer(session, world):
    provider, _, other_firm = world
    deal_changes.register(
        session,
        actor=provider,
        other_org_id=other_firm.org_id,
        form={"name": "Big one", "company": "Protected Corp", "amount": "1000"},
    )
    header = LEAD_HEADER.replace("Provider", "Partner")
    mapping = {**LEAD_MAPPING, "partner": "Partner"}
    del mapping["provider"]
    result = imports.dry_run(
        session,
        actor=provider,
        kind="referrals",
        file=_csv(header, "Pat,Kim,pat@protected.com,Protected Corp,fabrikam,,"),
        mapping=mapping,
        submit=True,
    )
    assert [p.message for p in result.problems] == [
        f"Protected for Contoso Partners until "
        f"{(utcnow() + timedelta(days=90)).date().isoformat()}."
    ]


def test_a_member_imports_only_for_themselves(session, world):
    _, firm, _ = world
    member = colleague(session, firm, role=Role.MEMBER, email="mo@fabrikam.example")
    result = imports.dry_run(
        session,
        actor=member,
        kind="leads",
        file=_leads_file(
            f"Jane,Doe,jane@contoso.com,Contoso,Northwind,{firm.email},",
            "Joe,Li,joe@acme.com,Acme,Northwind,MO@fabrikam.example,",
        ),
        mapping=LEAD_MAPPING,
        submit=False,
    )
    assert [(p.row, p.message) for p in result.problems] == [
        (2, "Only a manager can give a lead to someone else.")
    ]


# import --------------------------------------------------------------------------------------


def test_imports_valid_rows_as_drafts(session, world):
    provider, firm, _ = world
    batch = _run(
        session,
        firm,
        _leads_file(
            "Jane,Doe,jane@contoso.com,Contoso Ltd,Northwind,,Wants a demo",
            "Joe,,joe@acme.com,Acme,Northwind,,",
        ),
    )
    assert (batch.rows_total, batch.rows_imported, batch.rows_failed) == (2, 1, 1)
    lead = session.exec(select(Lead).where(Lead.import_batch_id == batch.id)).one()
    assert (lead.status, lead.source, lead.direction) == ("draft", "csv", "partner_to_provider")
    assert (lead.owner_id, lead.created_by_id, lead.origin_org_id) == (
        firm.user_id,
        firm.user_id,
        firm.org_id,
    )
    assert (lead.company_norm, lead.email_domain, lead.notes) == (
        "contoso",
        "contoso.com",
        "Wants a demo",
    )
    assert _count(session, LeadRecipient) == 0
    events = session.exec(
        select(ActivityEvent).where(ActivityEvent.entity_type == "import_batch")
    ).all()
    assert [(e.org_id, e.action, e.after["rows_imported"]) for e in events] == [
        (firm.org_id, "imported", 1)
    ]
    # The draft is an ordinary draft: it can be submitted as any other.
    leads.submit(session, actor=firm, lead_id=lead.id, recipient_org_ids=[provider.org_id])


def test_progress_is_reported_from_reading_to_the_last_row_written(session, world, monkeypatch):
    _, firm, _ = world
    monkeypatch.setattr(imports_writer, "INSERT_CHUNK", 2)
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", 2)  # 2 records at a time (the header first)
    rows = [f"P{i},Q,p{i}@site{i}.com,Firm {i},Northwind,," for i in range(5)]
    seen: list[tuple[str, float]] = []
    imports.dry_run(
        session,
        actor=firm,
        kind="leads",
        file=_leads_file(*rows),
        mapping=LEAD_MAPPING,
        progress=lambda step, share: seen.append((step, share)),
    )
    assert [step for step, _ in seen] == [
        "Reading the file",
        *["Checking the rows", "Checked 1 rows", "Checking the rows", "Checked 3 rows"],
        *["Checking the rows", "Checked 5 rows"],
    ]
    shares = [share for _, share in seen]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    seen.clear()
    imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_leads_file(*rows),
        file_name="leads.csv",
        mapping=LEAD_MAPPING,
        progress=lambda step, share: seen.append((step, share)),
    )
    assert [step for step, _ in seen] == [
        "Reading the file",
        *["Checking the rows", "Imported 1 leads", "Checking the rows", "Imported 3 leads"],
        *["Checking the rows", "Imported 5 leads"],
    ]
    shares = [share for _, share in seen]
    assert shares == sorted(shares) and shares[-1] == 1.0


def test_imports_submitted_leads_as_submit_does(session, world):
    provider, firm, _ = world
    batch = _run(
        session, firm, _leads_file("Jane,Doe,jane@contoso.com,Contoso,Northwind,,"), submit=True
    )
    lead = session.exec(select(Lead).where(Lead.import_batch_id == batch.id)).one()
    recipient = session.exec(select(LeadRecipient).where(LeadRecipient.lead_id == lead.id)).one()
    assert lead.status == "submitted" and lead.submitted_at is not None
    assert (recipient.org_id, recipient.status, recipient.deadline_at) == (
        provider.org_id,
        "pending",
        None,
    )
    received = leads.list_received(session, actor=provider)
    assert [row.lead_id for row in received.rows] == [lead.id]
    event = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_type == "lead_recipient", ActivityEvent.entity_id == recipient.id
        )
    ).one()
    assert (event.org_id, event.action) == (provider.org_id, "received")
    # The provider's managers hear once per import, the importer that it finished.
    notes = session.exec(
        select(Notification)
        .where(col(Notification.kind).in_(["import_finished", "lead_received"]))
        .order_by(Notification.id)
    ).all()
    assert [(n.user_id, n.kind) for n in notes] == [
        (firm.user_id, "import_finished"),
        (provider.user_id, "lead_received"),
    ]
    assert notes[1].text == "Fabrikam sent you 1 leads from a file."


def test_imported_referrals_get_the_acceptance_deadline(session, world):
    provider, firm, _ = world
    header = LEAD_HEADER.replace("Provider", "Partner")
    mapping = {**{k: v for k, v in LEAD_MAPPING.items() if k != "provider"}, "partner": "Partner"}
    before = utcnow()
    batch = _run(
        session,
        provider,
        _csv(header, "Jane,Doe,jane@contoso.com,Contoso,Fabrikam,,"),
        kind="referrals",
        mapping=mapping,
        submit=True,
    )
    recipient = session.exec(
        select(LeadRecipient)
        .join(Lead, Lead.id == LeadRecipient.lead_id)
        .where(Lead.import_batch_id == batch.id)
    ).one()
    assert recipient.org_id == firm.org_id
    hours = (recipient.deadline_at - before).total_seconds() / 3600
    assert 71.9 < hours < 72.1
    row = leads.list_received(session, actor=firm).rows[0]
    assert row.contact_hidden and row.email == ""


def test_nothing_is_imported_when_no_row_is_valid(session, world):
    _, firm, _ = world
    with pytest.raises(Invalid, match="No row can be imported"):
        _run(session, firm, _leads_file("Joe,,joe@acme.com,Acme,Northwind,,"))
    assert _count(session, ImportBatch) == 0


def test_a_database_error_mid_insert_leaves_nothing(session, world, monkeypatch):
    _, firm, _ = world
    session.commit()  # the set-up stays (the fixture turns commits into savepoints)
    monkeypatch.setattr(imports_writer, "INSERT_CHUNK", 2)
    real = Connection.exec_driver_sql
    calls = []

    def failing(self, statement, parameters=None, *args, **kwargs):
        calls.append(statement)
        if len(calls) == 2:  # the second chunk of leads reuses an id of the first: the
            parameters = [(parameters[0][0] - 2, *parameters[0][1:]), *parameters[1:]]
        return real(self, statement, parameters, *args, **kwargs)  # database refuses it

    monkeypatch.setattr(Connection, "exec_driver_sql", failing)
    rows = [f"P{n},Q,p{n}@x{n}.com,X{n},Northwind,," for n in range(5)]
    with pytest.raises(IntegrityError):
        _run(session, firm, _leads_file(*rows), submit=True)
    session.rollback()
    assert len(calls) == 2
    assert _count(session, Lead, Lead.origin_org_id == firm.org_id) == 0
    assert _count(session, ImportBatch) == 0
    assert _count(session, LeadRecipient) == 0


def test_error_report_holds_the_failed_rows_ready_to_fix(session, world):
    _, firm, _ = world
    batch = _run(
        session,
        firm,
        _leads_file(
            "Jane,Doe,jane@contoso.com,Contoso,Northwind,,",
            ' Joe ,,not-mail,"Acme, Inc",Southwind,,=2+2',
        ),
    )
    found = imports.error_report(session, actor=firm, batch_id=batch.id)
    assert found.name == "leads-errors.csv" and found.charset == "utf-8"
    report = found.data.decode("utf-8")
    assert report.splitlines() == [
        "\ufeff" + LEAD_HEADER + ",error",
        ' Joe ,,not-mail,"Acme, Inc",Southwind,,\'=2+2,'
        "Last name: Last name is required.; Email: 'not-mail' is not a valid email address.",
    ]
    table = csv_files.read_csv(io.BytesIO(found.data))
    assert table.headers == [*LEAD_HEADER.split(","), "error"]
    assert csv_files.restored(table.rows["Notes"]).tolist() == ["=2+2"]


def test_imports_deals_as_a_consultant_pending_and_as_a_provider_approved(session, world):
    provider, firm, _ = world
    header = "Opportunity Name,Account Name,Contact email,Amount,Close Date,Stage,Provider"
    mapping = import_columns.suggest_mapping(header.split(","), "deals")
    assert mapping["provider"] == "Provider"
    result = imports.dry_run(
        session,
        actor=firm,
        kind="deals",
        file=_csv(
            header,
            'Rollout,Contoso,jane@contoso.com,"12,000.50",2030-06-30,,Northwind',
            "Bad,Acme,,12.345,2030-02-30,Nowhere,Northwind",
            "Lost one,Acme,,,,Closed Lost,Northwind",
        ),
        mapping=mapping,
    )
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "Amount"),
        (3, "Close Date"),
        (3, "Stage"),
        (4, "Stage"),
    ]
    assert result.problems[3].message == "Imported deals start open: choose an open stage."
    batch = _run(
        session,
        firm,
        _csv(header, 'Rollout,Contoso,jane@contoso.com,"12,000.50",2030-06-30,,Northwind'),
        kind="deals",
        mapping=mapping,
    )
    deal = session.exec(select(Deal).where(Deal.import_batch_id == batch.id)).one()
    assert (deal.approval, str(deal.amount), deal.close_date.isoformat()) == (
        Approval.PENDING,
        "12000.50",
        "2030-06-30",
    )
    assert (deal.partner_owner_id, deal.provider_org_id, deal.protected_until) == (
        firm.user_id,
        provider.org_id,
        None,
    )
    assert deal.stage_id is not None and deal.version == 1
    # Both organizations' open deals views are told (read by the app after commit).
    assert changes.noted(session).deal_orgs == {provider.org_id, firm.org_id}
    session.info.clear()
    imports.undo(session, actor=firm, batch_id=batch.id)
    assert changes.noted(session).deal_orgs == {provider.org_id, firm.org_id}
    mapping = {"name": "Deal", "company": "Company", "partner": "Partner", "stage": "Stage"}
    batch = _run(
        session,
        provider,
        _csv("Deal,Company,Partner,Stage", "Expansion,Tailspin,Fabrikam,proposal"),
        kind="deals",
        mapping=mapping,
    )
    deal = session.exec(select(Deal).where(Deal.import_batch_id == batch.id)).one()
    assert deal.approval == Approval.APPROVED and deal.protected_until > utcnow()
    assert deal.stage_id == deal_stage(session, provider, "Proposal")
    assert (deal.provider_owner_id, deal.partner_owner_id) == (provider.user_id, firm.user_id)


# undo ----------------------------------------------------------------------------------------


def test_undo_removes_the_whole_batch(session, world):
    provider, firm, _ = world
    batch = _run(
        session,
        firm,
        _leads_file(
            "Jane,Doe,jane@contoso.com,Contoso,Northwind,,",
            "Joe,Li,joe@acme.com,Acme,Northwind,,",
        ),
        submit=True,
    )
    undone = imports.undo(session, actor=firm, batch_id=batch.id)
    assert undone.status == "undone" and undone.undone_at is not None
    assert _count(session, Lead, Lead.import_batch_id == batch.id) == 0
    assert _count(session, LeadRecipient) == 0
    assert leads.list_received(session, actor=provider).total == 0
    actions = session.exec(select(ActivityEvent.action).order_by(ActivityEvent.id)).all()
    assert actions[-2:] == ["imported", "undone"]
    assert "received" not in actions
    with pytest.raises(Invalid, match="already undone"):
        imports.undo(session, actor=firm, batch_id=batch.id)


def test_undo_is_refused_once_a_row_was_touched(session, world):
    provider, firm, _ = world
    rows = [f"P{n},Q,p{n}@x{n}.com,X{n},Northwind,," for n in range(3)]
    batch = _run(session, firm, _leads_file(*rows), submit=True)
    recipient = leads.list_received(session, actor=provider).rows[0]
    leads.accept(session, actor=provider, recipient_id=recipient.recipient_id)
    with pytest.raises(Invalid) as refused:
        imports.undo(session, actor=firm, batch_id=batch.id)
    assert str(refused.value) == (
        "1 of the 3 imported leads changed since the import (opened, decided, edited or moved): "
        "the import can no longer be undone."
    )
    assert _count(session, Lead, Lead.import_batch_id == batch.id) == 3

    drafts = _run(session, firm, _leads_file("Ann,Lee,ann@lee.com,Lee,Northwind,,"))
    lead = session.exec(select(Lead).where(Lead.import_batch_id == drafts.id)).one()
    leads.save_draft(
        session,
        actor=firm,
        data=leads.LeadInput("Ann", "Lee", "ann@lee.com", "Lee Group"),
        owner_id=firm.user_id,
        lead_id=lead.id,
    )
    with pytest.raises(Invalid, match=r"^1 of the 1 imported leads changed"):
        imports.undo(session, actor=firm, batch_id=drafts.id)


def test_undo_of_deals_is_refused_once_one_was_approved(session, world):
    provider, firm, _ = world
    mapping = {"name": "Deal", "company": "Company", "provider": "Provider"}
    file = _csv("Deal,Company,Provider", "A,Acme,Northwind", "B,Beta,Northwind")
    batch = _run(session, firm, file, kind="deals", mapping=mapping)
    deal = session.exec(select(Deal).where(Deal.import_batch_id == batch.id)).first()
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    with pytest.raises(Invalid, match=r"^1 of the 2 imported deals changed"):
        imports.undo(session, actor=firm, batch_id=batch.id)
    file = _csv("Deal,Company,Provider", "C,Gamma,Northwind")
    batch = _run(session, firm, file, kind="deals", mapping=mapping)
    imports.undo(session, actor=firm, batch_id=batch.id)
    assert _count(session, Deal, Deal.import_batch_id == batch.id) == 0


def test_batches_of_other_organizations_and_colleagues_do_not_exist(session, world):
    provider, firm, other_firm = world
    batch = _run(session, firm, _leads_file("Jane,Doe,jane@contoso.com,Contoso,Northwind,,"))
    member = colleague(session, firm, role=Role.MEMBER, email="mo@fabrikam.example")
    for outsider in (provider, other_firm, member):
        for call in (imports.batch, imports.error_report, imports.undo):
            with pytest.raises(NotFound):
                call(session, actor=outsider, batch_id=batch.id)
        assert imports.list_batches(session, actor=outsider).total == 0
    page = imports.list_batches(session, actor=firm, kind="leads")
    assert [(row.id, row.created_by_name) for row in page.rows] == [(batch.id, firm.name)]


# hostile arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch_id", HOSTILE_IDS)
def test_hostile_batch_ids(session, world, batch_id):
    _, firm, _ = world
    with pytest.raises(NotFound):
        imports.undo(session, actor=firm, batch_id=batch_id)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"kind": None}, Invalid, "Choose leads, referrals or deals"),
        ({"kind": {"x": 1}}, Invalid, "Choose leads, referrals or deals"),
        ({"kind": "referrals"}, NotAllowed, "Only a provider imports referrals"),
        ({"submit": "yes"}, Invalid, "drafts or to send"),
        ({"submit": 1}, Invalid, "drafts or to send"),
        ({"mapping": None}, Invalid, "Map the file's columns"),
        ({"mapping": {"email": "x" * 100_000}}, Invalid, "Email: the file has no column"),
        ({"file": None}, Invalid, "Choose a CSV file"),
        ({"file": b"First name\nJane\n"}, Invalid, "Choose a CSV file"),
    ],
)
def test_hostile_import_arguments(session, world, arguments, error, message):
    _, firm, _ = world
    values = {
        "kind": "leads",
        "file": _leads_file("Jane,Doe,jane@contoso.com,Contoso,Northwind,,"),
        "file_name": "x.csv",
        "mapping": LEAD_MAPPING,
        "submit": False,
        **arguments,
    }
    with pytest.raises(error, match=message):
        imports.run(session, actor=firm, **values)
    assert _count(session, ImportBatch) == 0


@pytest.mark.parametrize(
    ("file_name", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\leads.csv", "leads.csv"),
        ({"name": "x"}, "import.csv"),
        ("a\x00b\u202e.csv", "ab.csv"),
        ("x" * 1000, "x" * 255),
    ],
)
def test_file_names_are_cleaned(session, world, file_name, stored):
    _, firm, _ = world
    batch = imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_leads_file("Jane,Doe,jane@contoso.com,Contoso,Northwind,,"),
        file_name=file_name,
        mapping=LEAD_MAPPING,
    )
    assert batch.file_name == stored


# exports -------------------------------------------------------------------------------------


def _export(session, actor, list_name, **filters) -> list[list[str]]:
    text = "".join(exports.export_csv(session, actor=actor, list_name=list_name, filters=filters))
    table = csv_files.read_csv(io.BytesIO(text.encode()))
    return [table.headers, *table.rows.values.tolist()]


def test_exports_follow_the_lists_filters_and_neutralize_formulas(session, world, monkeypatch):
    provider, firm, _ = world
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)  # several chunks
    member = colleague(session, firm, role=Role.MEMBER, email="mo@fabrikam.example")
    rows = [f"P{n},Q,p{n}@x{n}.com,X{n},Northwind,,=cmd{n}" for n in range(4)]
    rows.append("=HYPERLINK(1),Q,h@h.com,H,Northwind,mo@fabrikam.example,")
    _run(session, firm, _leads_file(*rows), submit=True)
    sent = _export(session, firm, "sent")
    assert sent[0][:3] == ["ID", "Type", "Status"]
    assert len(sent) == 6
    assert sent[1][3] == "'=HYPERLINK(1)" and sent[1][10] == "Northwind"
    assert [row[3] for row in _export(session, firm, "sent", search="p1@")[1:]] == ["P1"]
    assert [row[3] for row in _export(session, member, "sent")[1:]] == ["'=HYPERLINK(1)"]
    received = _export(session, provider, "received", status="pending")
    assert len(received) == 6 and received[1][5] == "'=HYPERLINK(1)"
    with pytest.raises(Invalid):
        exports.export_csv(session, actor=firm, list_name="sent", filters={"owner_id": {}})
    with pytest.raises(Invalid):
        exports.export_csv(session, actor=firm, list_name="users", filters={})
    with pytest.raises(Invalid):
        exports.export_csv(session, actor=firm, list_name="sent", filters={"org_id": 1})


def test_exported_phones_keep_no_formula_guard(session, world):
    provider, firm, _ = world
    header = "First name,Last name,Email,Company,Provider,Phone,Title"
    mapping = {**LEAD_MAPPING, "phone": "Phone", "title": "Title"}
    mapping.pop("owner"), mapping.pop("notes")
    rows = ["Jane,Doe,jane@contoso.com,Contoso,Northwind,+4930123,+49 CEO"]
    rows.append("Al,Roe,al@tailspin.com,Tailspin,Northwind,=1+1,")
    rows.append("Di,Poe,di@tailspin.com,Tailspin,Northwind,030 123,")
    _run(session, firm, _csv(header, *rows), mapping=mapping, submit=True)
    for actor, name in ((firm, "sent"), (provider, "received")):
        text = "".join(exports.export_csv(session, actor=actor, list_name=name, filters={}))
        assert ",+4930123," in text and "'+4930123" not in text
        assert ",030 123," in text
        assert ",'=1+1," in text  # a formula in the phone column keeps its guard
        assert ",'+49 CEO" in text  # as does a value elsewhere starting with +


def test_a_referrals_contact_stays_hidden_in_the_export_until_opened(session, world):
    provider, firm, _ = world
    header = LEAD_HEADER.replace("Provider", "Partner")
    mapping = {**{k: v for k, v in LEAD_MAPPING.items() if k != "provider"}, "partner": "Partner"}
    _run(
        session,
        provider,
        _csv(header, "Jane,Doe,jane@contoso.com,Contoso,Fabrikam,,"),
        kind="referrals",
        mapping=mapping,
        submit=True,
    )
    row = _export(session, firm, "received")[1]
    assert (row[4], row[5], row[7]) == ("Contoso", "", "")
    leads.open_referral(session, actor=firm, recipient_id=int(row[0]))
    row = _export(session, firm, "received")[1]
    assert (row[5], row[7]) == ("Jane", "jane@contoso.com")


def test_deals_export(session, world):
    provider, firm, _ = world
    mapping = {"name": "Deal", "company": "Company", "provider": "Provider", "amount": "Amount"}
    _run(
        session,
        firm,
        _csv("Deal,Company,Provider,Amount", "A,Acme,Northwind,10", "B,-Beta,Northwind,20"),
        kind="deals",
        mapping=mapping,
    )
    exported = _export(session, provider, "deals", approval="pending")
    assert exported[0][3] == "Partner"
    assert [(row[1], row[2], row[3], row[8]) for row in exported[1:]] == [
        ("B", "'-Beta", "Fabrikam", "20.00"),
        ("A", "Acme", "Fabrikam", "10.00"),
    ]
    approved = exports.export_csv(
        session, actor=provider, list_name="deals", filters={"approval": "approved"}
    )
    assert "".join(approved).count("\r\n") == 1  # the header alone


# customer keys -------------------------------------------------------------------------------

_WORDS = st.sampled_from(["acme", "inc", "co", "ltd", "corp", "plc", "été", "a.b", "-", "coinc"])
_SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", "\x1c", ", "])


@hypothesis_settings(deadline=None)  # a timing bound would only measure how busy the machine is
@given(st.lists(st.tuples(_WORDS, _SPACES), max_size=6), st.emails())
def test_vectorized_customer_keys_are_customer_keys(words, email):
    company = "".join(word + space for word, space in words)
    norms, domains = customer_keys_of(pd.Series([company], dtype="str"), pd.Series([email]))
    assert (norms[0], domains[0]) == customer_keys(company, email)


# one statement of the lead fields ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("email", "not-an-email"),
        ("email", "o'neil at contoso"),
        ("email", ""),
        ("email", "j@" + "x" * 250 + ".com"),
        ("company", "C" * 201),
        ("first_name", "F" * 101),
        ("last_name", ""),
        ("notes", "n" * 5001),
    ],
)
def test_a_bad_lead_value_is_told_the_same_in_a_csv_row_and_by_the_lead_form(
    session, world, name, value
):
    _, firm, _ = world
    row = {"first_name": "Jane", "last_name": "Doe", "email": "jane@contoso.com"}
    row |= {"company": "Contoso", "notes": ""}
    row[name] = value
    with pytest.raises(Invalid) as caught:
        leads.lead_input(row)
    file = _leads_file(
        ",".join((row["first_name"], row["last_name"], row["email"], row["company"]))
        + f",Northwind,,{row['notes']}"
    )
    result = imports.dry_run(
        session, actor=firm, kind="leads", file=file, mapping=LEAD_MAPPING, submit=True
    )
    assert [p.message for p in result.problems] == [str(caught.value)]


def test_the_lead_limits_are_the_columns_the_import_and_the_rest_schema_share():
    from prm_app.rest_api.schemas import LeadIn

    person = {f.name: f for f in import_columns.fields("leads", OrgKind.CONSULTANT)}
    for name, rule in leads.LEAD_FIELDS.items():
        assert rule.max_len == Lead.__table__.c[name].type.length
        assert (person[name].label, person[name].max_len) == (rule.label, rule.max_len)
        assert person[name].required == rule.required
        assert LeadIn.model_fields[name].metadata[0].max_length == rule.max_len
