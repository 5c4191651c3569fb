"""imports in update mode need only the match key: an update-only file of a few columns changes
those fields and nothing else (no mandatory column of a new record, no mandatory value), the
mapping's rule per mode is one (columns.required), and custom values are updated, previewed,
refused as the insert path refuses them, recorded on the timeline and put back by undo."""

import io
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import ActivityEvent, CustomValue, Deal, ImportKind, Lead, OrgKind
from prm_app.services import custom_fields as cf
from prm_app.services import imports, leads
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.imports import columns
from prm_app.services.imports.columns import Mode
from tests.unit.factories import org_admin, partners

HEADER = "First name,Last name,Email,Company,Phone,Channel,Remark"
MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "phone": "Phone",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    channel = cf.add_field(
        session,
        actor=firm,
        entity="lead",
        label="Channel",
        type="select",
        options=["Web", "Event"],
        internal_access="required",
    )
    remark = cf.add_field(session, actor=firm, entity="lead", label="Remark", type="long_text")
    return provider, firm, channel, remark


def _file(header: str, *rows: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def _dry(session, actor, file, mapping, *, mode="update", key="email", kind="leads"):
    return imports.dry_run(
        session, actor=actor, kind=kind, file=file, mapping=mapping, mode=mode, match_key=key
    )


def _run(session, actor, file, mapping, *, mode="update", key="email", kind="leads"):
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


def _custom(channel, remark):
    return {f"custom_{channel.id}": "Channel", f"custom_{remark.id}": "Remark"}


def _drafts(session, firm, channel, remark):
    """Three drafts of Fabrikam, by email (Jane's on the Web channel)."""
    _run(
        session,
        firm,
        _file(
            HEADER,
            "Jane,Doe,jane@contoso.com,Contoso,+1 555 0100,Web,",
            "Joe,Li,joe@acme.com,Acme,,Web,",
            "Ann,Lee,ann@lee.com,Lee Group,,,",
        ),
        {**MAPPING, **_custom(channel, remark)},
        mode="create",
    )
    return {lead.email: lead for lead in session.exec(select(Lead)).all()}


def _indexed(session, lead, field):
    """The lead's value of `field` in the index that lists filter on (kept by triggers)."""
    return session.exec(
        select(CustomValue.num).where(
            CustomValue.record_id == lead.id, CustomValue.field_id == field.id
        )
    ).all()


def _as_stored(lead):
    return (lead.first_name, lead.last_name, lead.company, lead.title, lead.notes, lead.custom)


def test_an_update_only_file_of_email_and_phone_updates_the_phones(session, world):
    _, firm, channel, remark = world
    drafts = _drafts(session, firm, channel, remark)
    kept = {email: _as_stored(lead) for email, lead in drafts.items()}
    file = (
        "Email,Phone",
        "jane@contoso.com,+1 555 0199",
        "joe@acme.com,+44 20 7946 0000",
        "ann@lee.com,",  # nothing to change
        "zoe@new.com,+1 555 0142",  # no such lead
    )
    mapping = {"email": "Email", "phone": "Phone"}
    found = _dry(session, firm, _file(*file), mapping)
    assert (found.rows_updated, found.rows_unchanged, found.rows_failed) == (2, 1, 1)
    assert [(p.row, p.message) for p in found.problems] == [
        (5, "No lead of yours has this email: nothing to update.")
    ]
    assert [(c.record, c.field, c.after) for c in found.changes] == [
        ("Jane Doe", "Phone", "+1 555 0199"),
        ("Joe Li", "Phone", "+44 20 7946 0000"),
    ]
    batch = _run(session, firm, _file(*file), mapping)
    assert (batch.rows_updated, batch.rows_failed) == (2, 1)
    for email, phone in (("jane@contoso.com", "+1 555 0199"), ("joe@acme.com", "+44 20 7946 0000")):
        lead = session.get(Lead, drafts[email].id)
        session.refresh(lead)
        assert lead.phone == phone
        assert _as_stored(lead) == kept[email]  # every other field as it was
    assert session.exec(select(Lead).where(Lead.email == "zoe@new.com")).first() is None


def test_mandatory_columns_are_required_to_create_not_to_update(session, world):
    _, firm, _, _ = world
    lead_required = columns.required(ImportKind.LEADS, OrgKind.CONSULTANT, submit=True)
    assert {"provider", "last_name", "email", "company"} <= set(lead_required)

    def needed(mode, key, kind=ImportKind.LEADS, org_kind=OrgKind.CONSULTANT, **flags):
        flags.setdefault("submit", True)
        return columns.required(kind, org_kind, mode=Mode(mode, key), **flags)

    assert needed("update", "email") == ["email"]
    assert needed("update", "external_id") == ["external_id"]
    assert needed("both", "external_id") == [*lead_required, "external_id"]
    assert needed("both", "email") == lead_required
    deals = ImportKind.DEALS
    assert needed("update", "external_id", deals, OrgKind.PROVIDER) == ["external_id"]
    assert needed("update", "name", deals, OrgKind.PROVIDER) == ["name", "partner"]
    assert needed("update", "name", deals, OrgKind.PROVIDER, sent_to_all=True) == ["name"]

    # The same mapping through the service, whatever the client sends: refused to create.
    mapping = {"email": "Email", "phone": "Phone"}
    file = ("Email,Phone", "jane@contoso.com,+1 555 0199")
    for mode in ("create", "both"):
        with pytest.raises(Invalid, match="they are mandatory"):
            _dry(session, firm, _file(*file), mapping, mode=mode)
    assert _dry(session, firm, _file(*file), mapping).rows_failed == 1  # no such lead: refused
    with pytest.raises(Invalid, match="Choose the External ID column, to match rows on it"):
        _dry(session, firm, _file(*file), mapping, key="external_id")
    with pytest.raises(Invalid, match="Choose a column to update besides Email"):
        _dry(session, firm, _file(*file), {"email": "Email"})
    with pytest.raises(Invalid, match="Choose a column to update besides Email"):
        _dry(session, firm, _file(*file), {"email": "Email", "owner": "Phone"})


def test_update_only_deals_by_external_id_change_the_amount_alone(session, world):
    provider, _, _, _ = world
    header = "Partner,Deal name,Company,Amount,Opportunity ID"
    mapping = {
        "partner": "Partner",
        "name": "Deal name",
        "company": "Company",
        "amount": "Amount",
        "external_id": "Opportunity ID",
    }
    rows = ("Fabrikam,Rollout,Contoso,1000,O-1",)
    _run(session, provider, _file(header, *rows), mapping, kind="deals", mode="create")
    deal = session.exec(select(Deal)).one()
    only = {"external_id": "Opportunity ID", "amount": "Amount"}
    update = ("Opportunity ID,Amount", "O-1,1250.50")
    with pytest.raises(Invalid, match="mandatory"):
        _dry(session, provider, _file(*update), only, kind="deals", mode="both", key="external_id")
    found = _dry(session, provider, _file(*update), only, kind="deals", key="external_id")
    assert (found.rows_updated, found.rows_failed, found.problems) == (1, 0, [])
    _run(session, provider, _file(*update), only, kind="deals", key="external_id")
    session.refresh(deal)
    assert (deal.amount, deal.name, deal.company) == (Decimal("1250.50"), "Rollout", "Contoso")
    with pytest.raises(Invalid, match="Choose the column of Partner"):
        _dry(
            session,
            provider,
            _file("Deal name,Amount", "Rollout,9"),
            only | {"name": "Deal name", "external_id": ""},
            kind="deals",
            key="name",
        )


def test_custom_values_are_updated_previewed_refused_recorded_and_undone(session, world):
    _, firm, channel, remark = world
    drafts = _drafts(session, firm, channel, remark)
    jane, joe, ann = (drafts[e] for e in ("jane@contoso.com", "joe@acme.com", "ann@lee.com"))
    before = {lead.id: dict(lead.custom) for lead in (jane, joe, ann)}
    assert before[jane.id] == {str(channel.id): before[jane.id][str(channel.id)]}
    mapping = {"email": "Email", **_custom(channel, remark)}
    file = (
        "Email,Channel,Remark",
        "jane@contoso.com,Event,Met at the fair",  # both changed
        "joe@acme.com,web,",  # as it is (an option's label in any case)
        "ann@lee.com,Radio,",  # no such option
    )
    # The insert path's message for the same value.
    created = _dry(
        session,
        firm,
        _file("First name,Last name,Email,Company,Channel", "Zoe,Ng,zoe@new.com,New Co,Radio"),
        {**{k: v for k, v in MAPPING.items() if k != "phone"}, f"custom_{channel.id}": "Channel"},
        mode="create",
    )
    refusal = created.problems[0].message
    assert created.problems[0].column == "Channel" and refusal.startswith("Channel")

    found = _dry(session, firm, _file(*file), mapping)
    assert (found.rows_updated, found.rows_unchanged, found.rows_failed) == (1, 1, 1)
    assert [(p.row, p.column, p.message) for p in found.problems] == [(4, "Channel", refusal)]
    assert [(c.row, c.record, c.field, c.before, c.after) for c in found.changes] == [
        (2, "Jane Doe", "Channel", "Web", "Event"),
        (2, "Jane Doe", "Remark", "", "Met at the fair"),
    ]

    batch = _run(session, firm, _file(*file), mapping)
    session.refresh(jane)
    session.refresh(joe)
    shown = cf.texts(cf.for_lead(session, jane, firm.org_id), jane.custom)
    assert (shown[str(channel.id)], shown[str(remark.id)]) == ("Event", "Met at the fair")
    assert (jane.first_name, jane.company, jane.phone) == ("Jane", "Contoso", "+1 555 0100")
    assert joe.custom == before[joe.id]
    assert _indexed(session, jane, channel) == [float(jane.custom[str(channel.id)])]
    event = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_id == jane.id, ActivityEvent.action == cf.ACTION
        )
    ).one()
    fields = cf.for_lead(session, jane, firm.org_id)
    assert cf.changes_seen(fields, event.before, event.after) == (
        "Changed Channel from Web to Event; set Remark to Met at the fair"
    )
    assert (
        session.exec(
            select(ActivityEvent).where(
                ActivityEvent.entity_id == jane.id, ActivityEvent.action == "updated"
            )
        ).first()
        is None
    )  # no fixed field changed

    imports.undo(session, actor=firm, batch_id=batch.id)
    session.refresh(jane)
    assert jane.custom == before[jane.id]
    assert _indexed(session, jane, channel) == [float(before[jane.id][str(channel.id)])]
    undone = session.exec(
        select(ActivityEvent)
        .where(ActivityEvent.entity_id == jane.id, ActivityEvent.action == cf.ACTION)
        .order_by(ActivityEvent.id.desc())
    ).first()
    assert cf.changes_seen(fields, undone.before, undone.after) == (
        "Changed Channel from Event to Web; cleared Remark (was Met at the fair)"
    )


def test_both_modes_rows_that_create_need_the_mandatory_values_rows_that_update_do_not(
    session, world
):
    _, firm, channel, remark = world
    drafts = _drafts(session, firm, channel, remark)
    file = (
        "First name,Last name,Email,Company,Phone",
        "Jane,,jane@contoso.com,,+1 555 0199",  # updates: empty cells keep the values
        "Zoe,Ng,zoe@new.com,,+1 555 0142",  # creates: a company is mandatory
    )
    found = _dry(session, firm, _file(*file), MAPPING, mode="both")
    assert (found.rows_updated, found.rows_new, found.rows_failed) == (1, 0, 1)
    assert [(p.row, p.column, p.message) for p in found.problems] == [
        (3, "Company", "Company is required.")  # as a new record's import says it
    ]
    _run(session, firm, _file(*file), MAPPING, mode="both")
    jane = session.get(Lead, drafts["jane@contoso.com"].id)
    session.refresh(jane)
    assert (jane.last_name, jane.company, jane.phone) == ("Doe", "Contoso", "+1 555 0199")
    with pytest.raises(Invalid, match="Company: it is mandatory"):  # the columns still are
        _dry(session, firm, _file(*file), {**MAPPING, "company": ""}, mode="both")


def test_a_custom_value_changed_since_blocks_the_undo(session, world):
    _, firm, channel, remark = world
    drafts = _drafts(session, firm, channel, remark)
    jane = drafts["jane@contoso.com"]
    mapping = {"email": "Email", **_custom(channel, remark)}
    batch = _run(session, firm, _file("Email,Channel,Remark", "jane@contoso.com,Event,"), mapping)
    session.refresh(jane)  # (written by the driver, past the session's copy)
    leads.set_custom(
        session, actor=firm, lead_id=jane.id, values={str(remark.id): "Later"}, partial=True
    )
    with pytest.raises(Invalid, match=r"^1 of the 1 leads it imported or updated changed"):
        imports.undo(session, actor=firm, batch_id=batch.id)
    session.refresh(jane)
    assert (
        cf.texts(cf.for_lead(session, jane, firm.org_id), jane.custom)[str(channel.id)] == "Event"
    )
