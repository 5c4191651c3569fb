"""custom_fields.batch: the fields of many records at once are each record's own fields."""

from prm_app.models import Lead, OrgKind
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.custom_fields.batch import fields_per_record, lead_records
from tests.unit.factories import org_admin, partners


def test_fields_per_record_are_what_access_gives_each_record(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    firm = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, firm)
    partners(session, other, firm)
    for actor, access in ((provider, "visible"), (other, "editable")):
        cf.add_field(
            session, actor=actor, entity="lead", label="Size", type="number", partner_access=access
        )
        cf.add_field(session, actor=actor, entity="lead", label="Secret", type="text")
    cf.add_field(session, actor=firm, entity="lead", label="Mine", type="text")
    data = leads.lead_input(
        {"first_name": "A", "last_name": "B", "email": "a@b.example", "company": "C"}
    )
    made = [
        leads.create_and_submit(
            session, actor=firm, data=data, owner_id=firm.user_id, recipient_org_ids=to
        )[0]
        for to in ([provider.org_id], [other.org_id], [provider.org_id, other.org_id])
    ]
    draft = leads.save_draft(session, actor=firm, data=data, owner_id=firm.user_id)
    found = [session.get(Lead, i) for i in [*made, draft]]
    for viewer in (firm, provider, other):
        seen = [
            lead for lead in found if viewer == firm or cf.for_lead(session, lead, viewer.org_id)
        ]
        per = fields_per_record(
            session, viewer_org_id=viewer.org_id, records=lead_records(session, viewer.org_id, seen)
        )
        assert per == [cf.for_lead(session, lead, viewer.org_id) for lead in seen]
    firm_view = fields_per_record(
        session, viewer_org_id=firm.org_id, records=lead_records(session, firm.org_id, found)
    )
    assert [[f.label for f in fields] for fields in firm_view] == [
        ["Mine", "Size"],
        ["Mine", "Size"],
        ["Mine", "Size", "Size"],
        ["Mine"],
    ]
