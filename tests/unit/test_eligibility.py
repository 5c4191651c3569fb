"""Registration rules: each rule passes, fails, blocks (hard) or warns (soft); the check is the
same from the form, the REST API, a conversion and an import; the settings and customer list
are the provider's admins' to change."""

import io
import zipfile

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Deal, OrgKind, Partnership, Role, TaxonomyTerm, TermKind
from prm_app.services import imports, leads
from prm_app.services.catalog import taxonomy
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.customers import existing
from prm_app.services.deals import eligibility
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import registration_rules as rules
from prm_app.services.identity import auth
from prm_app.services.imports import columns as import_columns
from prm_app.services.leads import LeadInput
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import colleague, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Northwind (provider) with two partners, Fabrikam and Contoso Partners."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    other = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Contoso Partners")
    partners(session, provider, firm)
    partners(session, provider, other)
    return provider, firm, other


def _form(**values) -> dict:
    return {"name": "Rollout", "company": "Acme", "contact_email": "cto@acme.example", **values}


def _verdicts(session, firm, provider, **values) -> dict[str, eligibility.Verdict]:
    found = eligibility.check(
        session, actor=firm, other_org_id=provider.org_id, form=_form(**values)
    )
    return {v.rule: v for v in found}


def _product(session, provider, name: str) -> int:
    taxonomy.add_term(session, actor=provider, kind=TermKind.PRODUCT, name=name)
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == provider.org_id, TaxonomyTerm.name == name
        )
    ).one()


# each rule: pass, fail, hard blocks, soft warns --------------------------------------------------

RULES = [
    # (rule, settings, a failing form, a passing form)
    (
        rules.TERRITORY,
        {"countries": ["US"], "regions": ["DE-BY"]},
        {"country": "FR"},
        {"country": "US"},
    ),
    (
        rules.TERRITORY,
        {"regions": ["DE-BY"]},
        {"country": "DE", "region": "DE-BE"},
        {"country": "DE", "region": "BY"},
    ),
    (rules.MIN_AMOUNT, {"amount": "5000"}, {"amount": "4999.99"}, {"amount": "5000"}),
    (rules.MAX_AMOUNT, {"amount": "100000"}, {"amount": "100000.01"}, {"amount": "99"}),
    (
        rules.REQUIRED,
        {"fields": ["close_date", "country"]},
        {"country": "US"},
        {"country": "US", "close_date": "2031-01-31"},
    ),
]


@pytest.mark.parametrize(("rule", "settings", "failing", "passing"), RULES)
def test_each_rule_passes_fails_and_blocks_when_hard(
    session, world, rule, settings, failing, passing
):
    provider, firm, _ = world
    saved = rules.save_rule(session, actor=provider, rule=rule, enabled=True, hard=True, **settings)
    assert saved.enabled and saved.hard and saved.message == ""
    failed = _verdicts(session, firm, provider, **failing)[rule]
    assert (failed.passed, failed.hard, failed.message, failed.label) == (
        False,
        True,
        saved.default_message,
        rules.BY_RULE[rule].label,
    )
    assert _verdicts(session, firm, provider, **passing)[rule].passed
    with pytest.raises(Invalid) as refused:
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(**failing)
        )
    assert str(refused.value) == saved.default_message
    assert refused.value.field == (
        rules.BY_RULE[rule].field if rule != rules.REQUIRED else "close_date"
    )
    deal_changes.register(session, actor=firm, other_org_id=provider.org_id, form=_form(**passing))
    # Soft: it warns (the same verdict, not hard) and the registration goes through.
    rules.save_rule(
        session,
        actor=provider,
        rule=rule,
        enabled=True,
        hard=False,
        message="Ask us first.",
        **settings,
    )
    warned = _verdicts(session, firm, provider, **failing)[rule]
    assert (warned.passed, warned.hard, warned.message) == (False, False, "Ask us first.")
    deal_changes.register(
        session, actor=firm, other_org_id=provider.org_id, form=_form(company="Beta", **failing)
    )
    # Off: not listed, not checked.
    rules.save_rule(session, actor=provider, rule=rule, enabled=False, hard=True)
    assert rule not in _verdicts(session, firm, provider, **failing)


def test_the_default_messages_name_the_rules_settings(session, world):
    provider, _, _ = world
    territory = rules.save_rule(
        session,
        actor=provider,
        rule=rules.TERRITORY,
        enabled=True,
        hard=True,
        countries=["US", "Germany"],
        regions=["GB-LND"],
    )
    assert territory.countries == ["DE", "US"] and territory.regions == ["GB-LND"]
    assert territory.default_message == (
        "The customer must be in the provider's territory: Germany; United States; "
        "London, City of, United Kingdom."
    )
    minimum = rules.save_rule(
        session, actor=provider, rule=rules.MIN_AMOUNT, enabled=True, hard=True, amount="5000"
    )
    assert minimum.default_message == "The deal's amount must be at least USD 5,000.00."


def test_products_rule_needs_one_of_the_chosen_products(session, world):
    provider, firm, _ = world
    erp, crm, hr = (_product(session, provider, n) for n in ("ERP Suite", "CRM Cloud", "HR Pack"))
    saved = rules.save_rule(
        session,
        actor=provider,
        rule=rules.PRODUCTS,
        enabled=True,
        hard=True,
        product_ids=[erp, crm],
    )
    assert saved.default_message == "Name at least one of these products: ERP Suite, CRM Cloud."
    assert not _verdicts(session, firm, provider, product_ids=[str(hr)])[rules.PRODUCTS].passed
    assert not _verdicts(session, firm, provider)[rules.PRODUCTS].passed
    assert _verdicts(session, firm, provider, product_ids=[str(hr), str(crm)])[
        rules.PRODUCTS
    ].passed
    with pytest.raises(Invalid, match=r"^Name at least one") as refused:
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(product_ids=[hr])
        )
    assert refused.value.field == "product_ids"
    deal_changes.register(
        session, actor=firm, other_org_id=provider.org_id, form=_form(product_ids=[erp])
    )


def test_not_an_existing_customer_by_name_or_domain(session, world):
    provider, firm, _ = world
    rules.save_rule(session, actor=provider, rule=rules.NOT_CUSTOMER, enabled=True, hard=True)
    existing.add(session, actor=provider, name="Acme Inc.", domain="")
    existing.add(session, actor=provider, name="", domain="https://www.globex.example/about")
    assert not _verdicts(session, firm, provider, company="ACME")[rules.NOT_CUSTOMER].passed
    assert not _verdicts(
        session, firm, provider, company="Globex Holdings", contact_email="a@globex.example"
    )[rules.NOT_CUSTOMER].passed
    assert _verdicts(session, firm, provider, company="Initech", contact_email="a@initech.example")[
        rules.NOT_CUSTOMER
    ].passed
    with pytest.raises(
        Invalid, match=r"^This company is already the provider.s customer"
    ) as refused:
        deal_changes.register(session, actor=firm, other_org_id=provider.org_id, form=_form())
    assert refused.value.field == "company"


def test_a_cap_of_open_registrations_per_partner_per_tier(session, world):
    provider, firm, other = world
    gold = rules.tier_choices(session, actor=provider)[0][0]
    partnership = session.exec(
        select(Partnership).where(Partnership.consultant_org_id == firm.org_id)
    ).one()
    partnership.partner_tier_id = gold
    session.add(partnership)
    rules.save_rule(
        session,
        actor=provider,
        rule=rules.OPEN_CAP,
        enabled=True,
        hard=True,
        limits={str(gold): "2", "": 1},
    )
    for company in ("A", "B"):
        assert _verdicts(session, firm, provider, company=company)[rules.OPEN_CAP].passed
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(company=company)
        )
    assert not _verdicts(session, firm, provider, company="C")[rules.OPEN_CAP].passed
    with pytest.raises(Invalid, match="limit of open registrations") as refused:
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(company="C")
        )
    assert refused.value.field == "other_org_id"
    # A closed registration frees its place; the other partner (no tier) has the default cap of 1.
    deal = session.exec(select(Deal).where(Deal.company == "A")).one()
    deal_changes.reject(session, actor=provider, deal_id=deal.id, version=deal.version, reason="No")
    assert _verdicts(session, firm, provider, company="C")[rules.OPEN_CAP].passed
    deal_changes.register(
        session, actor=other, other_org_id=provider.org_id, form=_form(company="X")
    )
    assert not _verdicts(session, other, provider, company="Y")[rules.OPEN_CAP].passed


def test_protection_says_until_when_never_who_soft_by_default(session, world):
    provider, firm, other = world
    done = deal_changes.register(session, actor=other, other_org_id=provider.org_id, form=_form())
    held = session.get(Deal, done.deal_id)
    deal_changes.approve(session, actor=provider, deal_id=held.id, version=held.version)
    verdict = _verdicts(session, firm, provider, company="Acme Ltd")[rules.PROTECTION]
    until = held.protected_until.date().isoformat()
    assert verdict == eligibility.Verdict(
        rules.PROTECTION,
        "Customer protection",
        False,
        False,
        f"This customer is already protected for another partner until {until}.",
    )
    assert "Contoso" not in verdict.message
    deal_changes.register(session, actor=firm, other_org_id=provider.org_id, form=_form())  # soft
    assert _verdicts(session, firm, provider, company="Initech", contact_email="")[
        rules.PROTECTION
    ] == (
        eligibility.Verdict(
            rules.PROTECTION, "Customer protection", True, False, rules.NOT_PROTECTED
        )
    )
    rules.save_rule(session, actor=provider, rule=rules.PROTECTION, enabled=True, hard=True)
    with pytest.raises(Invalid, match=f"until {until}"):
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(company="Acme")
        )


def test_the_first_failing_hard_rule_refuses_in_the_rules_order(session, world):
    provider, firm, _ = world
    rules.save_rule(
        session, actor=provider, rule=rules.MIN_AMOUNT, enabled=True, hard=True, amount="10"
    )
    rules.save_rule(
        session, actor=provider, rule=rules.TERRITORY, enabled=True, hard=False, countries=["US"]
    )
    with pytest.raises(Invalid, match=r"at least USD 10\.00"):
        deal_changes.register(
            session, actor=firm, other_org_id=provider.org_id, form=_form(amount="1")
        )


# who may check, and what the check takes ------------------------------------------------------


def test_the_check_is_for_partners_of_the_provider_and_the_provider_itself(session, world):
    provider, firm, _ = world
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Stranger")
    rival = org_admin(session, kind=OrgKind.PROVIDER, org_name="Rival")
    rules.save_rule(
        session, actor=provider, rule=rules.TERRITORY, enabled=True, hard=True, countries=["US"]
    )
    with pytest.raises(NotFound):
        eligibility.check(session, actor=stranger, other_org_id=provider.org_id, form={})
    with pytest.raises(NotFound):
        eligibility.check(session, actor=rival, other_org_id=firm.org_id, form={})
    for hostile in (None, "x", -1, {"id": 1}, 2**70):
        with pytest.raises(NotFound):
            eligibility.check(session, actor=firm, other_org_id=hostile, form={})
    # The provider checks a registration for its partner; any form value, of any type, is taken.
    found = eligibility.check(
        session,
        actor=provider,
        other_org_id=firm.org_id,
        form={"country": ["US"], "amount": {"x": 1}, "product_ids": "1", "company": 5},
    )
    assert [v.rule for v in found if not v.passed] == [rules.TERRITORY]
    assert eligibility.check(session, actor=firm, other_org_id=provider.org_id, form="junk")


def test_the_rest_api_check_gives_the_services_verdicts(session, world):
    provider, firm, other = world
    done = deal_changes.register(session, actor=other, other_org_id=provider.org_id, form=_form())
    held = session.get(Deal, done.deal_id)
    deal_changes.approve(session, actor=provider, deal_id=held.id, version=held.version)
    rules.save_rule(
        session, actor=provider, rule=rules.TERRITORY, enabled=True, hard=True, countries=["US"]
    )
    rules.save_rule(
        session, actor=provider, rule=rules.MIN_AMOUNT, enabled=True, hard=False, amount="500"
    )
    client, headers = client_over(session), key_for(session, firm)
    body = {"other_org_id": provider.org_id, "company": "Acme", "country": "FR", "amount": "20"}
    answer = client.post("/deals/check", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    expected = eligibility.check(
        session,
        actor=firm,
        other_org_id=provider.org_id,
        form={"company": "Acme", "country": "FR", "amount": "20"},
    )
    assert answer.json() == {
        "ok": False,
        "verdicts": [
            {
                "rule": v.rule,
                "label": v.label,
                "passed": v.passed,
                "hard": v.hard,
                "message": v.message,
            }
            for v in expected
        ],
    }
    assert [v["rule"] for v in answer.json()["verdicts"]] == [
        "territory",
        "min_amount",
        "protection",
    ]
    fixed = client.post("/deals/check", json={**body, "country": "US"}, headers=headers).json()
    assert fixed["ok"] is True
    refused = client.post("/deals", json={**body, "name": "R"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["field"] == "country"
    assert (
        client.post("/deals/check", json={**body, "other_org_id": 999}, headers=headers).status_code
        == 404
    )
    assert "/deals/check" in client.get("/openapi.json").json()["paths"]


def test_a_conversion_is_refused_by_a_hard_rule_but_a_referral_is_not(session, world):
    provider, firm, _ = world
    rules.save_rule(
        session, actor=provider, rule=rules.TERRITORY, enabled=True, hard=True, countries=["US"]
    )
    data = LeadInput(first_name="Jane", last_name="Doe", email="jane@acme.example", company="Acme")
    _, [recipient_id] = leads.create_and_submit(
        session, actor=firm, data=data, owner_id=firm.user_id, recipient_org_ids=[provider.org_id]
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    with pytest.raises(Invalid, match=r"^The customer must be in") as refused:
        leads.convert(session, actor=firm, recipient_id=recipient_id, amount="5", country="FR")
    assert refused.value.field == "country"
    crm = _product(session, provider, "CRM Cloud")
    deal_id = leads.convert(
        session, actor=firm, recipient_id=recipient_id, amount="5", country="US", product_ids=[crm]
    )
    assert session.get(Deal, deal_id).country == "US"
    referral = LeadInput(first_name="Al", last_name="Bo", email="al@zeta.example", company="Zeta")
    _, [sent] = leads.create_and_submit(
        session,
        actor=provider,
        data=referral,
        owner_id=provider.user_id,
        recipient_org_ids=[firm.org_id],
    )
    leads.open_referral(session, actor=firm, recipient_id=sent)
    leads.accept(session, actor=firm, recipient_id=sent)
    assert leads.convert(session, actor=provider, recipient_id=sent, amount="5")


def test_the_deal_import_refuses_rows_on_hard_rules_and_warns_on_soft_ones(session, world):
    provider, firm, _ = world
    rules.save_rule(
        session, actor=provider, rule=rules.TERRITORY, enabled=True, hard=True, countries=["US"]
    )
    rules.save_rule(
        session, actor=provider, rule=rules.MIN_AMOUNT, enabled=True, hard=False, amount="100"
    )
    header = "Deal,Company,Provider,Country,Amount"
    mapping = import_columns.suggest_mapping(header.split(","), "deals")
    rows = ["A,Acme,Northwind,US,500", "B,Beta,Northwind,FR,500", "C,Gamma,Northwind,US,5"]
    result = imports.dry_run(
        session,
        actor=firm,
        kind="deals",
        file=io.BytesIO(("\n".join([header, *rows]) + "\n").encode()),
        mapping=mapping,
    )
    territory = rules.rules_of(session, provider.org_id)[0].default_message
    minimum = rules.rules_of(session, provider.org_id)[1].default_message
    assert [(p.row, p.column, p.message, p.blocking) for p in result.problems] == [
        (3, "Country", territory, True),
        (4, "Amount", minimum, False),
    ]


# settings: who may change them, what they take -------------------------------------------------


def test_only_the_providers_admins_change_rules_and_members_read_them(session, world):
    provider, firm, _ = world
    member = colleague(session, provider, role=Role.MEMBER, email="m@northwind.example")
    assert [r.rule for r in rules.rules(session, actor=member)] == [k.rule for k in rules.KINDS]
    with pytest.raises(NotAllowed):
        rules.save_rule(session, actor=member, rule=rules.TERRITORY, enabled=False, hard=True)
    with pytest.raises(NotAllowed):
        rules.save_rule(session, actor=firm, rule=rules.TERRITORY, enabled=False, hard=True)
    with pytest.raises(NotAllowed):
        rules.rules(session, actor=firm)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rule": "nope"}, "rule"),
        ({"rule": {"x": 1}}, "rule"),
        ({"rule": rules.TERRITORY}, "countries"),
        ({"rule": rules.TERRITORY, "countries": ["Narnia"]}, "country"),
        ({"rule": rules.TERRITORY, "regions": ["US"]}, "region"),
        ({"rule": rules.TERRITORY, "countries": "US", "message": "x" * 501}, "message"),
        ({"rule": rules.MIN_AMOUNT}, "amount"),
        ({"rule": rules.MIN_AMOUNT, "amount": "-1"}, "amount"),
        ({"rule": rules.PRODUCTS, "product_ids": [999]}, "product_ids"),
        ({"rule": rules.PRODUCTS}, "product_ids"),
        ({"rule": rules.OPEN_CAP, "limits": {"": "many"}}, "limits"),
        ({"rule": rules.OPEN_CAP, "limits": {"999": 1}}, "limits"),
        ({"rule": rules.OPEN_CAP, "limits": ["1"]}, "limits"),
        ({"rule": rules.REQUIRED, "fields": ["password"]}, "fields"),
        ({"rule": rules.REQUIRED, "fields": []}, "fields"),
    ],
)
def test_rule_settings_are_checked(session, world, values, field):
    provider, _, _ = world
    with pytest.raises(Invalid) as refused:
        rules.save_rule(session, actor=provider, enabled=True, hard="on", **values)
    assert refused.value.field == field


def test_protections_message_is_never_edited(session, world):
    provider, _, _ = world
    saved = rules.save_rule(
        session, actor=provider, rule=rules.PROTECTION, enabled="on", hard="", message="Held by X"
    )
    assert (saved.enabled, saved.hard, saved.message) == (True, False, "")


def test_the_customer_list_one_by_one_and_from_a_csv(session, world):
    provider, firm, _ = world
    member = colleague(session, provider, role=Role.MEMBER, email="m@northwind.example")
    existing.add(session, actor=provider, name="Acme Inc", domain="acme.example")
    with pytest.raises(Invalid, match="already on your list"):
        existing.add(session, actor=provider, name="ACME", domain="@acme.example")
    with pytest.raises(Invalid, match="shared by unrelated people"):
        existing.add(session, actor=provider, name="X", domain="gmail.com")
    with pytest.raises(Invalid) as refused:
        existing.add(session, actor=provider, name="", domain="")
    assert str(refused.value) == existing.NO_CUSTOMER
    with pytest.raises(NotAllowed):
        existing.add(session, actor=member, name="Y")
    with pytest.raises(NotAllowed):
        existing.customers(session, actor=firm)
    file = io.BytesIO(
        b"Company,Website\nAcme Inc,acme.example\nGlobex,https://globex.example/\n"
        b"Initech,\n,not a domain\nInitech,\n"
    )
    done = existing.import_csv(session, actor=provider, file=file)
    assert (done.added, done.already, done.refused) == (2, 1, ["Row 5: " + existing.NOT_A_DOMAIN])
    listed = existing.customers(session, actor=member)
    assert [(c.name, c.domain) for c in listed.rows] == [
        ("Acme Inc", "acme.example"),
        ("Globex", "globex.example"),
        ("Initech", ""),
    ]
    with pytest.raises(Invalid, match="Company column"):
        existing.import_csv(session, actor=provider, file=io.BytesIO(b"Foo,Bar\n1,2\n"))
    with pytest.raises(NotFound):
        existing.remove(session, actor=provider, customer_id=10**6)
    existing.remove(session, actor=provider, customer_id=listed.rows[0].id)
    assert existing.customers(session, actor=provider).total == 2


def _workbook(*sheets: tuple[str, list[list[object]]]) -> io.BytesIO:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_the_customer_list_imports_a_spreadsheet_as_the_lead_import_reads_it(session, world):
    from prm_app.services.imports import files as csv_files

    provider, _, _ = world
    file = _workbook(
        (
            "Customers",
            [
                ["Customers, June"],
                ["Company", "Domain"],
                ["Acme Inc", "acme.example"],
                ["Globex", "https://globex.example/"],
                [4711, None],
                [None, "bad"],
            ],
        ),
        ("Other", [["Company"], ["Initech"]]),
    )
    done = existing.import_csv(session, actor=provider, file=file)
    assert (done.added, done.already, done.refused) == (3, 0, ["Row 6: " + existing.NOT_A_DOMAIN])
    listed = existing.customers(session, actor=provider)
    assert [(c.name, c.domain) for c in listed.rows] == [
        ("4711", ""),
        ("Acme Inc", "acme.example"),
        ("Globex", "globex.example"),
    ]
    done = existing.import_csv(session, actor=provider, file=file, sheet="Other")
    assert (done.added, done.already) == (1, 0)
    with pytest.raises(Invalid, match="Choose one of the workbook's sheets"):
        existing.import_csv(session, actor=provider, file=file, sheet="Missing")
    empty = _workbook(("Customers", [["Company", "Domain"]]))
    with pytest.raises(Invalid) as refused:
        existing.import_csv(session, actor=provider, file=empty)
    assert str(refused.value) == str(csv_files.no_rows("The sheet 'Customers'"))
    with pytest.raises(Invalid, match="zip archive, not a spreadsheet"):
        not_a_sheet = io.BytesIO()
        with zipfile.ZipFile(not_a_sheet, "w") as archive:
            archive.writestr("notes.txt", "hello")
        existing.import_csv(session, actor=provider, file=not_a_sheet)


def test_products_customers_and_cap_only_warn_when_soft(session, world):
    provider, firm, _ = world
    crm = _product(session, provider, "CRM Cloud")
    existing.add(session, actor=provider, name="Acme")
    settings = {
        rules.PRODUCTS: {"product_ids": [crm]},
        rules.NOT_CUSTOMER: {},
        rules.OPEN_CAP: {"limits": {"": 0}},
    }
    for rule, values in settings.items():
        rules.save_rule(session, actor=provider, rule=rule, enabled=True, hard=False, **values)
    found = _verdicts(session, firm, provider)
    assert [(found[r].passed, found[r].hard) for r in settings] == [(False, False)] * 3
    done = deal_changes.register(session, actor=firm, other_org_id=provider.org_id, form=_form())
    assert session.get(Deal, done.deal_id).company == "Acme"
    rules.save_rule(
        session,
        actor=provider,
        rule=rules.OPEN_CAP,
        enabled=True,
        hard=True,
        **settings[rules.OPEN_CAP],
    )
    with pytest.raises(Invalid, match="limit of open registrations"):
        deal_changes.register(session, actor=firm, other_org_id=provider.org_id, form=_form())
