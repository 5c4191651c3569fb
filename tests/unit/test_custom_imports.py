"""Custom fields in CSV imports and exports, per audience: the mapping offers what the importing
side may fill in, each value is checked with the form's rules and messages (a provider's required
field only on rows sent to it, nothing on drafts), and an export holds only what the exporting
organization may see."""

import io

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Deal, Lead, OrgKind
from prm_app.services import custom_fields as cf
from prm_app.services import imports
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.imports import custom_import, exports
from prm_app.services.imports import files as csv_files
from prm_app.services.imports.sheets import Reading
from prm_app.services.integrations import custom_api
from tests.unit.factories import org_admin, partners

HEADER = "First name,Last name,Email,Company,Provider,Channel,Budget,Tier,Seats,Remark"
ROW = "A,A,a@x.com,X1,Northwind,Web,1,Gold,,"
BASE = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "provider": "Provider",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _field(session, actor, label, kind, **extra):
    return cf.add_field(
        session, actor=actor, entity=extra.pop("entity", "lead"), label=label, type=kind, **extra
    )


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    other = org_admin(session, kind=OrgKind.PROVIDER, org_name="Contoso")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    partners(session, other, firm)
    f = {
        "score": _field(session, provider, "Score", "number"),  # hidden from partners
        "region": _field(session, provider, "Region", "text", partner_access="visible"),
        "budget": _field(session, provider, "Budget", "money", partner_access="editable"),
        "tier": _field(
            session,
            provider,
            "Tier",
            "select",
            options=["Gold", "Silver"],
            partner_access="required",
        ),
        "seats": _field(session, other, "Seats", "number", partner_access="required"),
        "channel": _field(
            session, firm, "Channel", "select", options=["Web", "Event"], internal_access="required"
        ),
        "note": _field(session, firm, "Remark", "long_text"),
        "size": _field(
            session,
            provider,
            "Size",
            "select",
            entity="deal",
            options=["S", "L"],
            partner_access="required",
        ),
        "margin": _field(session, provider, "Margin", "number", entity="deal"),
    }
    return provider, other, firm, f


def _file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def _mapping(f, *names):
    chosen = {"channel": "Channel", "budget": "Budget", "tier": "Tier", "seats": "Seats"}
    chosen["note"] = "Remark"
    return {**BASE, **{_name(f[n]): chosen[n] for n in names}}


def _name(view):
    return f"custom_{view.id}"


def _form_message(session, viewer, view, raw):
    """What the lead form says of `raw` in this field (values.write by form name)."""
    field = next(
        f
        for f in cf.for_viewer(
            session,
            viewer_org_id=viewer.org_id,
            entity="lead",
            counterpart_org_ids=cf.partner_org_ids(session, viewer.org_id),
        )
        if f.id == view.id
    )
    fields = [field]
    with pytest.raises(Invalid) as said:
        cf.write(fields, {}, {field.form_name: raw}, required_of=[field.org_id])
    return said.value.problems[field.form_name]


def test_the_mapping_offers_the_fields_the_importer_may_fill_in(session, world):
    provider, _other, firm, f = world
    prepared = imports.prepare(session, actor=firm, kind="leads", file=_file(ROW))
    offered = {field.name: field.label for field in prepared.fields}
    assert {name: offered.get(name) for name in (_name(f["tier"]), _name(f["seats"]))} == {
        _name(f["tier"]): "Tier (Northwind)",
        _name(f["seats"]): "Seats (Contoso)",
    }
    assert offered[_name(f["channel"])] == "Channel"
    for hidden_or_read_only in ("score", "region"):
        assert _name(f[hidden_or_read_only]) not in offered
    assert prepared.mapping[_name(f["tier"])] == "Tier"  # suggested by label
    assert prepared.mapping[_name(f["note"])] == "Remark"
    referrals = imports.prepare(session, actor=provider, kind="referrals", file=_file(ROW))
    assert not [field for field in referrals.fields if field.name.startswith("custom_")]


def test_each_value_is_checked_as_the_form_checks_it_per_row_and_provider(session, world):
    _provider, _other, firm, f = world
    rows = [
        "A,A,a@x.com,X1,Northwind,Web,1200.50,Gold,,fine",
        "B,B,b@x.com,X2,Northwind,Web,,,,",
        "C,C,c@x.com,X3,Northwind,Web,,Bronze,,",
        "D,D,d@x.com,X4,Contoso,Web,,Gold,,",
        "E,E,e@x.com,X5,Northwind,,abc,silver,,",
        "F,F,f@x.com,X6,Contoso,Event,,,12,",
    ]
    mapping = _mapping(f, "channel", "budget", "tier", "seats", "note")
    checked = imports.dry_run(
        session, actor=firm, kind="leads", file=_file(*rows), mapping=mapping, submit=True
    )
    said = [(p.row, p.column, p.message) for p in checked.problems]
    northwind_only = "Tier is Northwind's field: fill it in only on rows sent to Northwind."
    assert said == [
        (3, "Tier", _form_message(session, firm, f["tier"], "")),
        (4, "Tier", _form_message(session, firm, f["tier"], "Bronze")),
        (5, "Tier", northwind_only),
        (5, "Seats", "Seats is required."),
        (6, "Channel", "Channel is required."),
        (6, "Budget", _form_message(session, firm, f["budget"], "abc")),
    ]
    assert (checked.rows_valid, checked.rows_failed) == (2, 4)
    imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_file(*rows),
        file_name="leads.csv",
        mapping=mapping,
        submit=True,
    )
    stored = {
        lead.company: lead.custom
        for lead in session.exec(select(Lead).where(Lead.origin_org_id == firm.org_id))
    }
    tier_gold = next(o["id"] for o in f["tier"].options if o["label"] == "Gold")
    web = next(o["id"] for o in f["channel"].options if o["label"] == "Web")
    event = next(o["id"] for o in f["channel"].options if o["label"] == "Event")
    assert stored == {
        "X1": {
            str(f["channel"].id): web,
            str(f["note"].id): "fine",
            str(f["budget"].id): 1200.5,
            str(f["tier"].id): tier_gold,
        },
        "X6": {str(f["channel"].id): event, str(f["seats"].id): 12},
    }


def test_drafts_require_nothing_and_take_no_providers_field(session, world):
    _, _, firm, f = world
    rows = ["A,A,a@x.com,X1,,,,,,later", "B,B,b@x.com,X2,,,,Gold,,"]
    checked = imports.dry_run(
        session,
        actor=firm,
        kind="leads",
        file=_file(*rows),
        mapping=_mapping(f, "channel", "tier", "note"),
    )
    assert [(p.row, p.message) for p in checked.problems] == [
        (3, "Tier is Northwind's field: fill it in only on rows sent to Northwind.")
    ]


def test_values_taken_whole_columns_are_the_ones_parse_stores(session, world):
    """The fast path (whole numbers, plain text, web and email addresses) stores what
    values.write would, and anything else still goes through it."""
    provider, _, _, _ = world
    kinds = ("number", "money", "text", "url", "email")
    fields = {k: _field(session, provider, f"F {k}", k, entity="referral") for k in kinds}
    header = "First name,Last name,Email,Company,Partner," + ",".join(f"F {k}" for k in kinds)
    values = [
        ("007", "10", "plain", "https://a.example/x?y=1", "Ann@X.example"),
        ("-12.50", "12.5", " x ", "http://b.c.example:8080", "bad@"),
        ("1,000", "abc", "y" * 256, "ftp://x.example", "b@c.example"),
        ("5.0", "3.00", "z", "https://x.example", "c@d.example"),
        ("1e3", "1.005", "w", "https://q", "d@e.example"),
        ("999999999999.5", "9999999999.99", "v", "https://r.example/", "e@f.example"),
    ]
    quoted = [[f'"{x}"' if "," in x else x for x in v] for v in values]
    rows = [f"A{n},B,a{n}@x.com,C{n},Fabrikam," + ",".join(v) for n, v in enumerate(quoted)]
    mapping = {
        "first_name": "First name",
        "last_name": "Last name",
        "email": "Email",
        "company": "Company",
        "partner": "Partner",
        **{_name(fields[k]): f"F {k}" for k in kinds},
    }
    checked = imports.dry_run(
        session, actor=provider, kind="referrals", file=_file(*rows, header=header), mapping=mapping
    )
    access = cf.for_viewer(session, viewer_org_id=provider.org_id, entity="referral")
    by_id = {a.id: a for a in access}
    expected_problems = []
    for n, row in enumerate(values):
        for kind, raw in zip(kinds, row, strict=True):
            field = by_id[fields[kind].id]
            try:
                cf.write([field], {}, {field.name: raw})
            except Invalid as error:
                expected_problems.append((n + 2, f"F {kind}", error.problems[field.form_name]))
    assert [(p.row, p.column, p.message) for p in checked.problems] == expected_problems
    imports.run(
        session,
        actor=provider,
        kind="referrals",
        file=_file(rows[0], rows[3], rows[5], header=header),
        file_name="r.csv",
        mapping=mapping,
    )
    for n in (3, 5, 0):
        lead = session.exec(select(Lead).where(Lead.company == f"C{n}")).one()
        one = {k: values[n][i] for i, k in enumerate(kinds)}
        expected = cf.write(list(access), {}, {by_id[fields[k].id].name: one[k] for k in kinds})
        assert lead.custom == expected.custom
        assert [type(v) for v in lead.custom.values()] == [
            type(expected.custom[k]) for k in lead.custom
        ]
    assert (
        lead.custom
        == expected.custom
        == {
            str(fields["number"].id): 7,
            str(fields["money"].id): 10,
            str(fields["text"].id): "plain",
            str(fields["url"].id): "https://a.example/x?y=1",
            str(fields["email"].id): "ann@x.example",
        }
    )


def test_custom_amounts_numbers_and_dates_are_read_the_files_way(session, world):
    _, _, firm, _ = world
    fields = {
        "Budget": _field(session, firm, "Budget", "money"),
        "Won on": _field(session, firm, "Won on", "date"),
        "Ratio": _field(session, firm, "Ratio", "number"),
    }
    budget, won, ratio = (str(view.id) for view in fields.values())
    header = "First name;Last name;Email;Company;Budget;Won on;Ratio"
    mapping = {k: v for k, v in BASE.items() if k != "provider"}
    mapping |= {_name(view): label for label, view in fields.items()}

    def file(*rows: str) -> io.BytesIO:
        return io.BytesIO("\n".join([header, *rows, ""]).encode())

    rows = ("A;A;a@x.com;X1;12.000,50;30/06/2030;3,14159", "B;B;b@x.com;X2;700;01/07/2030;2")
    prepared = imports.prepare(session, actor=firm, kind="leads", file=file(*rows))
    assert prepared.formats  # the page offers the choice of how amounts and dates are written

    def imported(data, reading=None):
        imports.run(
            session,
            actor=firm,
            kind="leads",
            file=data,
            file_name="leads.csv",
            mapping=mapping,
            reading=reading,
        )
        found = session.exec(select(Lead).where(Lead.origin_org_id == firm.org_id))
        return {lead.company: lead.custom for lead in found.all()}

    stored = imported(file(*rows))
    assert stored["X1"] == {budget: 12000.5, won: "2030-06-30", ratio: 3.14159}
    assert stored["X2"] == {budget: 700, won: "2030-07-01", ratio: 2}
    ambiguous = ("C;C;c@x.com;X3;1.200;01/07/2030;", "D;D;d@x.com;X4;12.000;02/07/2030;")
    with pytest.raises(Invalid, match="day/month/year or month/day/year") as refused:
        imported(file(*ambiguous))
    assert refused.value.field == "dates"
    chosen = Reading(numbers="point", dates="dmy")
    stored = imported(file(*ambiguous), chosen)
    assert stored["X3"] == {budget: 1.2, won: "2030-07-01"}
    assert stored["X4"] == {budget: 12, won: "2030-07-02"}
    with pytest.raises(Invalid, match=r"both as 1,200\.50 and as 1\.200,50") as refused:
        imported(file("E;E;e@x.com;X5;12.000,50;;1,234.5"))
    assert refused.value.field == "numbers"
    provider = world[0]  # its referrals have no custom field: nothing written a file's way
    assert not imports.prepare(session, actor=provider, kind="referrals", file=_file(ROW)).formats


def test_a_deals_amount_and_its_custom_numbers_are_read_one_way(session, world):
    provider, _, firm, f = world
    header = "Deal;Company;Provider;Amount;Close date;Margin;Size"
    mapping = {
        "name": "Deal",
        "company": "Company",
        "provider": "Provider",
        "amount": "Amount",
        "close_date": "Close date",
        _name(f["size"]): "Size",
    }
    file = io.BytesIO(f"{header}\nRollout;Contoso;Northwind;1.200;30/06/2030;7,5;S\n".encode())
    checked = imports.dry_run(
        session,
        actor=provider,
        kind="deals",
        file=io.BytesIO(f"{header}\nRollout;Contoso;Fabrikam;1.200;30/06/2030;7,5;S\n".encode()),
        mapping={
            **{k: v for k, v in mapping.items() if k != "provider"},
            "partner": "Provider",
            _name(f["margin"]): "Margin",
        },
    )
    assert checked.problems == [] and checked.preview[0]["amount"] == "1200"
    imports.run(session, actor=firm, kind="deals", file=file, file_name="d.csv", mapping=mapping)
    deal = session.exec(select(Deal).where(Deal.company == "Contoso")).one()
    assert (str(deal.amount), deal.close_date.isoformat()) == ("1200.00", "2030-06-30")


def _export(session, actor, list_name):
    text = "".join(exports.export_csv(session, actor=actor, list_name=list_name))
    table = csv_files.read_csv(io.BytesIO(text.encode()))
    return [dict(zip(table.headers, row, strict=True)) for row in table.rows.values.tolist()]


def test_exports_hold_only_what_the_exporting_side_may_see(session, world):
    provider, other, firm, f = world
    rows = ["A,A,a@x.com,X1,Northwind,Web,99,Gold,,n1", "F,F,f@x.com,X6,Contoso,Event,,,12,"]
    imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_file(*rows),
        file_name="leads.csv",
        mapping=_mapping(f, "channel", "budget", "tier", "seats", "note"),
        submit=True,
    )
    lead = session.exec(select(Lead).where(Lead.company == "X1")).one()
    custom_api.set_lead_custom(
        session, actor=provider, lead_id=lead.id, values={"score": 5, "region": "EMEA"}
    )
    sent = _export(session, firm, "sent")
    assert list(sent[0])[-6:] == ["Channel", "Remark", "Region", "Budget", "Tier", "Seats"]
    by_company = {row["Company"]: row for row in sent}
    assert [by_company["X1"][c] for c in ("Region", "Budget", "Tier", "Seats", "Remark")] == [
        "EMEA",
        "99.00",
        "Gold",
        "",
        "n1",
    ]
    assert by_company["X6"]["Seats"] == "12" and by_company["X6"]["Tier"] == ""
    assert "Score" not in sent[0]  # hidden from partners
    received = _export(session, provider, "received")
    assert list(received[0])[-4:] == ["Score", "Region", "Budget", "Tier"]  # never the firm's
    assert (received[0]["Score"], received[0]["Tier"]) == ("5", "Gold")
    assert [list(row)[-1] for row in _export(session, other, "received")] == ["Seats"]


def test_deals_import_and_export_per_side(session, world):
    provider, _, firm, f = world
    header = "Deal,Company,Provider,Size,Margin"
    mapping = {
        "name": "Deal",
        "company": "Company",
        "provider": "Provider",
        _name(f["size"]): "Size",
    }
    prepared = imports.prepare(session, actor=firm, kind="deals", file=_file("A", header=header))
    offered = {field.name for field in prepared.fields}
    assert _name(f["size"]) in offered and _name(f["margin"]) not in offered
    checked = imports.dry_run(
        session,
        actor=firm,
        kind="deals",
        file=_file("A,Acme,Northwind,,", "B,Beta,Northwind,L,", header=header),
        mapping=mapping,
    )
    assert [(p.row, p.message) for p in checked.problems] == [(2, "Size is required.")]
    with pytest.raises(Invalid):  # a field the firm may not fill in is no mapping's
        imports.dry_run(
            session,
            actor=firm,
            kind="deals",
            file=_file("B,Beta,Northwind,L,3", header=header),
            mapping={**mapping, _name(f["margin"]): "Margin"},
        )
    imports.run(
        session,
        actor=firm,
        kind="deals",
        file=_file("B,Beta,Northwind,L,", header=header),
        file_name="d.csv",
        mapping=mapping,
    )
    deal = session.exec(select(Deal).where(Deal.company == "Beta")).one()
    custom_api.set_deal_custom(session, actor=provider, deal_id=deal.id, values={"margin": 4})
    assert [(r["Size"], "Margin" in r) for r in _export(session, firm, "deals")] == [("L", False)]
    assert [(r["Size"], r["Margin"]) for r in _export(session, provider, "deals")] == [("L", "4")]


def test_the_template_has_a_column_per_custom_field_that_maps_back(session, world):
    provider, _, firm, f = world
    text = custom_import.template(session, actor=firm, kind="leads")
    table = csv_files.read_csv(io.BytesIO(text.encode()))
    assert table.headers[-5:] == [
        "Channel",
        "Remark",
        "Budget (Northwind)",
        "Tier (Northwind)",
        "Seats (Contoso)",
    ]
    example = dict(zip(table.headers, table.rows.values.tolist()[0], strict=True))
    # The example row goes to the first provider (Contoso): its fields and the firm's own have
    # examples, Northwind's stay empty (they may hold a value only on rows sent to Northwind).
    assert (example["Provider"], example["Seats (Contoso)"], example["Channel"]) == (
        "Contoso",
        "10",
        "Web",
    )
    assert (example["Tier (Northwind)"], example["Budget (Northwind)"]) == ("", "")
    assert "Score (Northwind)" not in table.headers and "Region (Northwind)" not in table.headers
    prepared = imports.prepare(session, actor=firm, kind="leads", file=io.BytesIO(text.encode()))
    assert prepared.mapping[_name(f["tier"])] == "Tier (Northwind)"
    assert prepared.mapping[_name(f["seats"])] == "Seats (Contoso)"
    referral = custom_import.template(session, actor=provider, kind="referrals")
    assert "Tier" not in referral
