"""Where a deal's customer is: country and region through the form, the conversion, the REST
API, the CSV import and export, with one message each."""

import io

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Deal, OrgKind
from prm_app.services import deals, imports, leads
from prm_app.services.core.errors import Invalid
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import places
from prm_app.services.identity import auth
from prm_app.services.imports import columns as import_columns
from prm_app.services.imports import exports
from prm_app.services.leads import LeadInput
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    return provider, firm


def _form(**values) -> dict:
    return {"name": "Rollout", "company": "Contoso", "amount": "100", **values}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"country": "us", "region": "US-CA"}, ("US", "US-CA")),
        ({"country": "Germany", "region": "by"}, ("DE", "DE-BY")),
        ({"country": "FRA"}, ("FR", "")),
        ({}, ("", "")),
        ({"country": " ", "region": ""}, ("", "")),
    ],
)
def test_a_registration_keeps_the_customers_country_and_region(session, world, given, expected):
    provider, firm = world
    done = deal_changes.register(
        session, actor=firm, other_org_id=provider.org_id, form=_form(**given)
    )
    deal = session.get(Deal, done.deal_id)
    assert (deal.country, deal.region) == expected
    seen = deals.detail(session, actor=provider, deal_id=deal.id)
    assert (seen.country, seen.region) == expected


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"country": "Atlantis"}, "country", places.NO_COUNTRY),
        ({"country": ["US"]}, "country", places.NO_COUNTRY),
        ({"country": "x" * 10_000}, "country", places.NO_COUNTRY),
        ({"country": "US", "region": "DE-BY"}, "region", places.NO_REGION),
        ({"country": "US", "region": "XX"}, "region", places.NO_REGION),
        ({"region": "US-CA"}, "region", places.NO_REGION),  # a region needs its country
        ({"country": "US", "region": {"code": "US-CA"}}, "region", places.NO_REGION),
    ],
)
def test_a_wrong_place_is_refused_with_one_message(session, world, given, field, message):
    provider, firm = world
    with pytest.raises(Invalid) as refused:
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(**given)
        )
    assert (refused.value.field, str(refused.value)) == (field, message)


def test_a_wrong_country_does_not_also_blame_the_region(session, world):
    _provider, _firm = world
    with pytest.raises(Invalid) as refused:
        deal_changes.deal_input(_form(name="", country="Atlantis", region="US-CA"))
    assert refused.value.problems == {
        "name": "Deal name is required.",
        "country": places.NO_COUNTRY,
    }


def test_an_edit_changes_the_place_and_a_form_without_it_keeps_it(session, world):
    provider, firm = world
    done = deal_changes.register(
        session, actor=firm, other_org_id=provider.org_id, form=_form(country="US", region="CA")
    )
    deal = session.get(Deal, done.deal_id)
    deal_changes.edit(session, actor=firm, deal_id=deal.id, version=deal.version, form=_form())
    assert (deal.country, deal.region) == ("US", "US-CA")
    deal_changes.edit(
        session, actor=firm, deal_id=deal.id, version=deal.version, form=_form(country="CA")
    )
    assert (deal.country, deal.region) == ("CA", "")


def test_a_converted_lead_takes_a_checked_country(session, world):
    provider, firm = world
    data = LeadInput(
        first_name="Jane", last_name="Doe", email="jane@contoso.com", company="Contoso"
    )
    _, [recipient_id] = leads.create_and_submit(
        session, actor=firm, data=data, owner_id=firm.user_id, recipient_org_ids=[provider.org_id]
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    with pytest.raises(Invalid, match=r"^Choose the customer.s country") as refused:
        leads.convert(session, actor=firm, recipient_id=recipient_id, amount="5", country="Mars")
    assert refused.value.field == "country"
    deal_id = leads.convert(
        session, actor=firm, recipient_id=recipient_id, amount="5", country="GB", region="GB-LND"
    )
    assert (session.get(Deal, deal_id).country, session.get(Deal, deal_id).region) == (
        "GB",
        "GB-LND",
    )


def test_the_rest_api_takes_and_shows_the_place(session, world):
    provider, firm = world
    client = client_over(session)
    headers = key_for(session, firm)
    body = {"other_org_id": provider.org_id, "name": "Rollout", "company": "Contoso"}
    refused = client.post("/deals", headers=headers, json={**body, "country": "Nowhere"})
    assert refused.status_code == 422
    assert refused.json() == {"detail": places.NO_COUNTRY, "field": "country"}
    made = client.post("/deals", headers=headers, json={**body, "country": "US", "region": "US-NY"})
    assert made.status_code == 201, made.text
    shown = client.get(f"/deals/{made.json()['deal_id']}", headers=headers).json()
    assert (shown["country"], shown["region"]) == ("US", "US-NY")


def test_the_deal_import_checks_and_keeps_the_place_and_the_export_shows_it(session, world):
    _provider, firm = world
    header = "Deal,Company,Provider,Country,State"
    mapping = import_columns.suggest_mapping(header.split(","), "deals")
    assert (mapping["country"], mapping["region"]) == ("Country", "State")
    rows = [
        "A,Acme,Northwind,United States,CA",
        "B,Beta,Northwind,Narnia,",
        "C,Gamma,Northwind,DE,US-CA",
    ]
    result = imports.dry_run(
        session,
        actor=firm,
        kind="deals",
        file=io.BytesIO(("\n".join([header, *rows]) + "\n").encode()),
        mapping=mapping,
    )
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (3, "Country", places.NO_COUNTRY),
        (4, "State", places.NO_REGION),
    ]
    imports.run(
        session,
        actor=firm,
        kind="deals",
        file=io.BytesIO(f"{header}\n{rows[0]}\n".encode()),
        file_name="deals.csv",
        mapping=mapping,
    )
    deal = session.exec(select(Deal).where(Deal.name == "A")).one()
    assert (deal.country, deal.region) == ("US", "US-CA")
    text = "".join(exports.export_csv(session, actor=firm, list_name="deals", filters={}))
    lines = text.splitlines()
    assert lines[0].split(",")[6:8] == ["Country", "Region"]
    assert lines[1].split(",")[6:8] == ["US", "US-CA"]


def test_choices_and_names_for_the_forms():
    assert ("US", "United States") in places.country_choices()
    assert ("US-CA", "California") in places.region_choices("us")
    assert places.region_choices({"x": 1}) == [] and places.region_choices("ZZ") == []
    assert places.place("US", "US-CA") == "California, United States"
    assert places.place("", "") == ""
