"""Imports of another firm's CRM export (issue 23): owners who are not users of the importing
organization go to a default owner, with one warning per such owner, not an error per row."""

import io

import pytest
from sqlmodel import select

from prm_app.models import Lead, OrgKind, Role
from prm_app.services import imports
from prm_app.services.core.errors import NotAllowed
from tests.unit.factories import colleague, org_admin
from tests.unit.hubspot import BAD_ROWS, SALES_PEOPLE, contacts_export
from tests.unit.test_imports import _cheap_password_hashing  # noqa: F401


def _file(**options) -> io.BytesIO:
    return io.BytesIO(contacts_export(**options).encode())


def _mapping(session, actor):
    prepared = imports.prepare(session, actor=actor, kind="leads", file=_file())
    return prepared.mapping


def test_a_hubspot_export_maps_its_contact_owner_and_imports_148_of_150(session):
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    mapping = _mapping(session, firm)
    assert mapping["owner"] == "Contact owner"  # suggested, as the issue found
    checked = imports.dry_run(
        session, actor=firm, kind="leads", file=_file(), mapping=mapping, submit=False
    )
    assert (checked.rows_total, checked.rows_valid, checked.rows_failed) == (150, 148, 2)
    errors = [p for p in checked.problems if p.blocking]
    assert sorted({p.row for p in errors}) == sorted(BAD_ROWS)
    warnings = [(p.row, p.message) for p in checked.problems if not p.blocking]
    assert warnings == [  # one per distinct owner, on the first row naming them
        (
            2 + n,
            f"'{owner}' is not an active member of your organization: its 50 rows go to "
            f"{firm.name}, the default owner.",
        )
        for n, owner in enumerate(SALES_PEOPLE)
    ]

    batch = imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_file(),
        file_name="hubspot-contacts.csv",
        mapping=mapping,
        submit=False,
    )
    assert (batch.rows_imported, batch.rows_failed) == (148, 2)
    owners = session.exec(select(Lead.owner_id).where(Lead.import_batch_id == batch.id)).all()
    assert set(owners) == {firm.user_id}


def test_the_default_owner_is_chosen_and_a_member_of_the_firm_keeps_their_rows(session):
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    sam = colleague(session, firm, role=Role.MANAGER, name="Sam Sales", email="sam@fab.example")
    text = contacts_export(6).replace("ron@vendor.example", "SAM@fab.example", 1)
    mapping = _mapping(session, firm)
    batch = imports.run(
        session,
        actor=firm,
        kind="leads",
        file=io.BytesIO(text.encode()),
        file_name="hubspot.csv",
        mapping=mapping,
        submit=False,
        default_owner=str(sam.user_id),
    )
    assert batch.rows_imported == 6
    owners = session.exec(
        select(Lead.owner_id).where(Lead.import_batch_id == batch.id).order_by(Lead.id)
    ).all()
    assert owners == [sam.user_id] * 6  # the unknown ones by default, row 3 by its own column


def test_a_member_may_not_give_other_peoples_rows_a_default_owner(session):
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    member = colleague(session, firm, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        imports.dry_run(
            session,
            actor=member,
            kind="leads",
            file=_file(),
            mapping=_mapping(session, member),
            submit=False,
            default_owner=firm.user_id,
        )
    own = imports.dry_run(
        session,
        actor=member,
        kind="leads",
        file=_file(),
        mapping=_mapping(session, member),
        submit=False,
        default_owner=member.user_id,
    )
    assert own.rows_valid == 148


@pytest.mark.parametrize("hostile", [-1, "abc", {"id": 1}, 2**70, [1]])
def test_a_default_owner_from_a_client_is_checked(session, hostile):
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Elsewhere")
    for value in (hostile, stranger.user_id):
        with pytest.raises(Exception) as caught:
            imports.dry_run(
                session,
                actor=firm,
                kind="leads",
                file=_file(),
                mapping=_mapping(session, firm),
                submit=False,
                default_owner=value,
            )
        assert type(caught.value).__name__ in ("NotFound", "Invalid")
