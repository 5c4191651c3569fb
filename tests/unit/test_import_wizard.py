"""The import wizard's choices: "send every row to" chosen organizations instead of a column."""

import io

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Deal, ImportKind, Lead, LeadRecipient, Notification, OrgKind
from prm_app.services import imports
from prm_app.services.core.errors import Invalid, NotFound
from prm_app.services.identity import auth
from prm_app.services.imports import columns as import_columns
from prm_app.services.imports import files as csv_files
from prm_app.services.imports.sheets import Reading
from tests.unit.factories import org_admin, partners

LEADS = "First name,Last name,Email,Company\nJane,Doe,jane@contoso.com,Contoso\nAl,Roe,al@tailspin.com,Tailspin\n"
MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Tailwind partners with Northwind and Woodgrove; Litware is a stranger to it (names
    unlike the templates' placeholders, Northwind and Fabrikam)."""
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailwind Partners")
    northwind = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind Traders")
    woodgrove = org_admin(session, kind=OrgKind.PROVIDER, org_name="Woodgrove Bank")
    stranger = org_admin(session, kind=OrgKind.PROVIDER, org_name="Litware")
    partners(session, northwind, firm)
    partners(session, woodgrove, firm)
    return firm, northwind, woodgrove, stranger


def _run(session, actor, data=LEADS, *, kind="leads", mapping=MAPPING, submit=True, send_to):
    return imports.run(
        session,
        actor=actor,
        kind=kind,
        file=io.BytesIO(data.encode()),
        file_name="export.csv",
        mapping=mapping,
        submit=submit,
        send_to=send_to,
    )


def test_every_row_goes_to_each_organization_chosen(session, world):
    firm, northwind, woodgrove, _ = world
    checked = imports.dry_run(
        session,
        actor=firm,
        kind="leads",
        file=io.BytesIO(LEADS.encode()),
        mapping=MAPPING,
        submit=True,
        send_to=[str(northwind.org_id), woodgrove.org_id],
    )
    assert checked.rows_valid == 2 and checked.problems == []
    assert checked.preview[0]["provider"] == "Northwind Traders, Woodgrove Bank"
    batch = _run(session, firm, send_to=[northwind.org_id, woodgrove.org_id])
    leads = session.exec(select(Lead).where(Lead.import_batch_id == batch.id)).all()
    assert len(leads) == 2
    recipients = session.exec(
        select(LeadRecipient.org_id).where(LeadRecipient.lead_id.in_([lead.id for lead in leads]))
    ).all()
    assert sorted(recipients) == sorted([northwind.org_id, woodgrove.org_id] * 2)
    for provider in (northwind, woodgrove):
        told = session.exec(select(Notification).where(Notification.user_id == provider.user_id))
        assert any("2" in n.text for n in told.all())


def test_a_deal_goes_to_the_one_provider_chosen(session, world):
    firm, northwind, woodgrove, _ = world
    data = "Deal,Company\nRollout,Contoso\n"
    mapping = {"name": "Deal", "company": "Company"}
    batch = _run(session, firm, data, kind="deals", mapping=mapping, send_to=[northwind.org_id])
    deal = session.exec(select(Deal).where(Deal.import_batch_id == batch.id)).one()
    assert deal.provider_org_id == northwind.org_id
    with pytest.raises(Invalid, match="A deal goes to one provider: choose one"):
        _run(
            session,
            firm,
            data,
            kind="deals",
            mapping=mapping,
            send_to=[northwind.org_id, woodgrove.org_id],
        )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"submit": False}, Invalid, "Drafts go to no provider yet"),
        (
            {
                "data": LEADS.replace("Company\n", "Company,Provider\n"),
                "mapping": {**MAPPING, "provider": "Provider"},
            },
            Invalid,
            "Provider column or where to send",
        ),
        ({"send_to": "1"}, Invalid, "Choose the organizations"),
        ({"send_to": [{"id": 1}]}, NotFound, "does not exist"),
        ({"send_to": list(range(1, 60))}, Invalid, "Choose the organizations"),
    ],
    ids=["drafts", "column-too", "not-a-list", "not-an-id", "too-many"],
)
def test_a_wrong_choice_is_refused(session, world, change, error, message):
    firm, northwind, _, _ = world
    arguments = {"send_to": [northwind.org_id], **change}
    with pytest.raises(error, match=message):
        _run(session, firm, **arguments)


def test_only_an_organization_that_can_receive_is_chosen(session, world):
    firm, _, _, stranger = world
    with pytest.raises(NotFound):
        _run(session, firm, send_to=[stranger.org_id])
    provider_admin = world[1]
    with pytest.raises(NotFound):  # another provider's partner is not the provider's to send to
        _run(session, provider_admin, kind="referrals", send_to=[stranger.org_id])


def test_the_counterpart_is_required_only_when_sent_by_a_column():
    def needed(**flags):
        return import_columns.required(ImportKind.LEADS, OrgKind.CONSULTANT, **flags)

    assert "provider" in needed(submit=True)
    assert "provider" not in needed(submit=False)
    assert "provider" not in needed(submit=True, sent_to_all=True)


def test_the_mapping_screen_gets_sample_values_and_how_the_csv_was_read(session, world):
    firm = world[0]
    data = "Email;Company;Notes\r\na@contoso.com;Björn AB;\r\nb@contoso.com;Björn AB;x\r\n"
    prepared = imports.prepare(
        session, actor=firm, kind="leads", file=io.BytesIO(data.encode("cp1252"))
    )
    assert (prepared.encoding, prepared.delimiter) == ("cp1252", ";")
    assert prepared.samples == {
        "Email": ["a@contoso.com", "b@contoso.com"],
        "Company": ["Björn AB"],
        "Notes": ["x"],
    }


def test_amounts_and_dates_written_in_a_locale_are_offered_only_when_the_fields_have_them(
    session, world
):
    firm, _, _, _ = world
    prepared = imports.prepare(session, actor=firm, kind="leads", file=io.BytesIO(LEADS.encode()))
    assert not prepared.formats  # leads without custom amounts or dates: no choice offered
    deals = imports.prepare(session, actor=firm, kind="deals", file=_deal_file("A;B;1;"))
    assert deals.formats


def test_the_encoding_and_delimiter_chosen_replace_the_detected_ones(session, world):
    firm = world[0]
    data = io.BytesIO("Email,Company\na@contoso.com,Björn AB\n".encode("cp1252"))
    latin = imports.prepare(
        session, actor=firm, kind="leads", file=data, reading=Reading(encoding="latin-1")
    )
    assert latin.encoding == "latin-1" and latin.samples["Company"] == ["Björn AB"]
    one_column = imports.prepare(
        session, actor=firm, kind="leads", file=data, reading=Reading(delimiter=";")
    )
    assert one_column.headers == ["Email,Company"]
    for reading, field in (
        (Reading(encoding="utf-8"), "encoding"),
        (Reading(encoding="ebcdic"), "encoding"),
        (Reading(delimiter="|"), "delimiter"),
    ):
        with pytest.raises(Invalid) as refused:
            imports.prepare(session, actor=firm, kind="leads", file=data, reading=reading)
        assert refused.value.field == field


def test_problems_are_grouped_by_cause_most_rows_first(session, world):
    firm = world[0]
    stranger = "sales@provider.example"
    rows = [f"P{n},Doe,p{n}@contoso.com,Contoso {n},{stranger}" for n in range(150)]
    rows += ["Al,Roe,not-an-email,Tailspin,", "Bo,Poe,also-not,Litware,"]
    data = "First name,Last name,Email,Company,Owner\n" + "\n".join(rows) + "\n"
    checked = imports.dry_run(
        session,
        actor=firm,
        kind="leads",
        file=io.BytesIO(data.encode()),
        mapping={**MAPPING, "owner": "Owner"},
    )
    assert checked.cause_count == 3 and len(checked.problems) == 3  # one warning per owner
    owner, *emails = checked.causes
    assert (owner.column, owner.blocking, owner.count) == ("Owner", False, 1)
    assert "its 150 rows go to" in owner.message
    assert [(c.rows_text, c.column) for c in emails] == [("152", "Email"), ("153", "Email")]


def test_a_cause_names_its_count_and_first_rows():
    from prm_app.services.imports.causes import grouped
    from prm_app.services.imports.rules import Problem

    problems = [Problem(row, "Owner", "not a member") for row in range(2, 152)]
    problems.append(Problem(7, "Email", "not an email"))
    causes, count = grouped(problems)
    assert count == 2
    assert [(c.column, c.count, c.rows_text) for c in causes] == [
        ("Owner", 150, "150 rows: 2, 3, 4, 5, 6, …"),
        ("Email", 1, "7"),
    ]


def _deal_file(*rows: str) -> io.BytesIO:
    return io.BytesIO(("Deal;Company;Amount;Close date\n" + "\n".join(rows) + "\n").encode())


DEAL_MAPPING = {
    "name": "Deal",
    "company": "Company",
    "amount": "Amount",
    "close_date": "Close date",
}


def _deal_run(session, actor, file, org_id, reading=None):
    batch = imports.run(
        session,
        actor=actor,
        kind="deals",
        file=file,
        file_name="deals.csv",
        mapping=DEAL_MAPPING,
        send_to=[org_id],
        reading=reading,
    )
    found = session.exec(select(Deal).where(Deal.import_batch_id == batch.id).order_by(Deal.name))
    return [(str(d.amount), d.close_date.isoformat()) for d in found]


def test_amounts_and_dates_written_the_files_way_are_detected(session, world):
    firm, northwind, _, _ = world
    file = _deal_file("A;Contoso;12.000,50;30/06/2030", "B;Tailspin;1.200;01/07/2030")
    assert _deal_run(session, firm, file, northwind.org_id) == [
        ("12000.50", "2030-06-30"),
        ("1200.00", "2030-07-01"),
    ]
    file = _deal_file('C;Litware;"12,000.50";06/30/2030', "D;Fourth;7,5;2030-07-02")
    with pytest.raises(Invalid, match=r"both as 1,200\.50 and as 1\.200,50") as refused:
        _deal_run(session, firm, file, northwind.org_id)
    assert refused.value.field == "numbers"


def test_ambiguous_dates_are_read_as_the_person_chose(session, world):
    firm, northwind, _, _ = world
    rows = ("A;Contoso;100;01/07/2030", "B;Tailspin;100;02/07/2030")
    with pytest.raises(Invalid, match="day/month/year or month/day/year") as refused:
        _deal_run(session, firm, _deal_file(*rows), northwind.org_id)
    assert refused.value.field == "dates"
    chosen = Reading(dates="mdy", numbers="point")
    assert _deal_run(session, firm, _deal_file(*rows), northwind.org_id, chosen) == [
        ("100.00", "2030-01-07"),
        ("100.00", "2030-02-07"),
    ]
    with pytest.raises(Invalid, match="Choose one of the ways"):
        _deal_run(session, firm, _deal_file(*rows), northwind.org_id, Reading(dates="ydm"))


def test_the_remembered_mapping_keeps_the_fields_set_to_not_imported(session, world):
    firm, northwind, _, _ = world
    data = "First name,Last name,Email,Company,Notes\nJane,Doe,jane@contoso.com,Contoso,hi\n"
    first = imports.prepare(session, actor=firm, kind="leads", file=io.BytesIO(data.encode()))
    assert first.mapping["notes"] == "Notes"  # suggested
    _run(session, firm, data, mapping={**MAPPING, "notes": ""}, send_to=[northwind.org_id])
    again = imports.prepare(session, actor=firm, kind="leads", file=io.BytesIO(data.encode()))
    assert again.mapping == {**MAPPING, "notes": ""}


def test_the_error_file_comes_back_as_the_upload_wrote_it(session, world):
    firm, northwind, _, _ = world
    data = (
        "First name;Last name;Email;Company;Phone;Notes\r\n"
        "Björn;Berg;bjorn@contoso.com;Contoso;+46 8 123 45;ok\r\n"
        "Björn;Berg;BJORN@contoso.com;Contoso;+46 8 123 45;=1+1\r\n"
        "Eva;;eva@tailspin.com;Tailspin;+1 (555) 0100;\r\n"
    )
    mapping = {**MAPPING, "phone": "Phone", "notes": "Notes"}
    batch = _run(
        session, firm, data.replace("\r\n", "\n"), mapping=mapping, send_to=[northwind.org_id]
    )
    found = imports.error_report(session, actor=firm, batch_id=batch.id)
    assert found.charset == "utf-8"
    assert found.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: a spreadsheet shows "Björn"
    assert found.data.decode("utf-8")[1:].splitlines() == [
        "First name;Last name;Email;Company;Phone;Notes;error",
        "Björn;Berg;BJORN@contoso.com;Contoso;+46 8 123 45;'=1+1;Email: An earlier row of the "
        "file has the same email and company (bjorn@contoso.com, Contoso): only that one is "
        "imported.",
        "Eva;;eva@tailspin.com;Tailspin;+1 (555) 0100;;Last name: Last name is required.",
    ]


ANSI_FILE = (
    "First name;Last name;Email;Company;Phone\r\n"
    "Björn;Berg;bjorn@contoso.com;Contoso;+4930123\r\n"
    "Jürgen;;jurgen@contoso.com;Contoso;030 123\r\n"
)


def _error_file(session, actor, northwind, data: bytes, mapping=None, reading=None):
    batch = imports.run(
        session,
        actor=actor,
        kind="leads",
        file=io.BytesIO(data),
        file_name="export.csv",
        mapping=mapping or {**MAPPING, "phone": "Phone"},
        send_to=[northwind.org_id],
        submit=True,
        reading=reading,
    )
    return imports.error_report(session, actor=actor, batch_id=batch.id)


def test_an_ansi_upload_gets_its_error_file_in_ansi_with_its_separator(session, world):
    firm, northwind, _, _ = world
    found = _error_file(session, firm, northwind, ANSI_FILE.encode("cp1252"))
    assert found.charset == "windows-1252"
    assert not found.data.startswith(b"\xef\xbb\xbf")
    assert found.data.decode("cp1252").splitlines() == [
        "First name;Last name;Email;Company;Phone;error",
        "Jürgen;;jurgen@contoso.com;Contoso;030 123;Last name: Last name is required.",
    ]
    again = csv_files.read_csv(io.BytesIO(found.data))  # fixed and imported again
    assert (again.encoding, again.delimiter) == ("cp1252", ";")
    assert again.rows["First name"].tolist() == ["Jürgen"]
    assert again.rows["Phone"].tolist() == ["030 123"]  # a phone keeps no formula guard


def test_a_message_the_upload_encoding_lacks_makes_the_error_file_utf8(session, world):
    from prm_app.services import custom_fields as cf

    firm, northwind, _, _ = world
    cf.add_field(session, actor=firm, entity="lead", label="Score ★", type="number")
    data = (
        "First name;Last name;Email;Company;Score\r\n"
        "Björn;Berg;bjorn@contoso.com;Contoso;lots\r\n"
        "Eva;Ek;eva@contoso.com;Contoso;7\r\n"
    )
    field = next(
        f
        for f in imports.prepare(
            session, actor=firm, kind="leads", file=io.BytesIO(data.encode("cp1252"))
        ).fields
        if f.label == "Score ★"
    )
    found = _error_file(
        session, firm, northwind, data.encode("cp1252"), {**MAPPING, field.name: "Score"}
    )
    assert found.charset == "utf-8" and found.data.startswith(b"\xef\xbb\xbf")
    text = found.data.decode("utf-8-sig")
    assert text.startswith("First name;Last name;Email;Company;Score;error\r\nBjörn;Berg;")
    assert "Score ★" in text


def test_a_latin1_upload_gets_latin1_and_a_spreadsheet_gets_utf8_with_commas(session, world):
    import openpyxl

    firm, northwind, _, _ = world
    latin = _error_file(
        session,
        firm,
        northwind,
        ANSI_FILE.replace(";", "\t").encode("latin-1"),
        reading=Reading(encoding="latin-1"),
    )
    assert latin.charset == "iso-8859-1"
    assert latin.data.decode("latin-1").splitlines()[1].startswith("Jürgen\t\t")
    book = openpyxl.Workbook()
    for row in ANSI_FILE.replace("contoso", "fabrikam").splitlines():
        book.active.append(row.split(";"))
    sheet = io.BytesIO()
    book.save(sheet)
    found = _error_file(session, firm, northwind, sheet.getvalue())
    assert found.charset == "utf-8" and found.data.startswith(b"\xef\xbb\xbf")
    assert found.data.decode("utf-8-sig").splitlines() == [
        "First name,Last name,Email,Company,Phone,error",
        "Jürgen,,jurgen@fabrikam.com,Contoso,030 123,Last name: Last name is required.",
    ]


def test_a_unicode_text_upload_gets_its_error_file_in_utf16_with_tabs(session, world):
    firm, northwind, _, _ = world
    data = ANSI_FILE.replace(";", "\t").replace("Jürgen", "Łukasz").encode("utf-16")
    found = _error_file(session, firm, northwind, data)
    assert found.charset == "utf-16" and found.data.startswith(b"\xff\xfe")
    again = csv_files.read_csv(io.BytesIO(found.data))
    assert (again.encoding, again.delimiter) == ("utf-16", "\t")
    assert again.rows["First name"].tolist() == ["Łukasz"]
    assert again.rows["error"].tolist() == ["Last name: Last name is required."]


def test_an_error_file_from_before_stays_utf8_with_a_bom():
    assert csv_files.encoded("\ufeffName\r\nBjörn\r\n", "") == (
        "\ufeffName\r\nBjörn\r\n".encode(),
        "utf-8",
    )
    assert csv_files.encoded("Name\r\n\u0141ukasz\r\n", "cp1252")[1] == "utf-8"
    data, charset = csv_files.encoded("Name\r\nBjörn\r\n", "utf-16")
    assert charset == "utf-16" and data.decode("utf-16") == "Name\r\nBjörn\r\n"


@pytest.mark.parametrize(
    ("side", "kind", "submit"),
    [
        ("firm", "leads", True),
        ("firm", "deals", False),
        ("northwind", "referrals", True),
        ("northwind", "deals", False),
    ],
)
def test_each_templates_example_row_imports_as_it_is(session, world, side, kind, submit):
    from prm_app.services import custom_fields as cf
    from prm_app.services.imports import custom_import

    firm, northwind, woodgrove, _ = world
    actor = firm if side == "firm" else northwind
    for provider in (northwind, woodgrove):  # each provider's required field, for its rows
        cf.add_field(
            session,
            actor=provider,
            entity="deal" if kind == "deals" else "lead",
            label=f"Tier at {provider.org_id}",
            type="select",
            options=["Gold", "Silver"],
            partner_access="required",
        )
    template = custom_import.template(session, actor=actor, kind=kind)
    prepared = imports.prepare(session, actor=actor, kind=kind, file=io.BytesIO(template.encode()))
    checked = imports.dry_run(
        session,
        actor=actor,
        kind=kind,
        file=io.BytesIO(template.encode()),
        mapping=prepared.mapping,
        submit=submit,
    )
    assert checked.problems == [] and checked.rows_valid == 1
