"""Update mode through the import page (issue 28): a file of two rows, one naming an existing
draft by its email (its phone changed), one new; "Both" creates one and updates the other, the
check shows the counts and the change before/after, and undo puts the old phone back."""

import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import ImportBatch, Lead, LeadDirection, Membership, User
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in

CONSULTANT_ADMIN = "admin@fabrikam.example"


def test_both_modes_update_a_draft_create_another_and_undo_restores(page: Page, tmp_path, db):
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        me = session.exec(select(User).where(User.email == CONSULTANT_ADMIN)).one()
        org_id = session.exec(select(Membership.org_id).where(Membership.user_id == me.id)).one()
        draft = Lead(
            direction=LeadDirection.PARTNER_TO_PROVIDER,
            origin_org_id=org_id,
            owner_id=me.id,
            created_by_id=me.id,
            first_name="Jane",
            last_name="Doe",
            email=f"jane.{tag}@contoso.example",
            company=f"Contoso {tag}",
            phone="+1 555 0100",
        )
        session.add(draft)
        session.commit()
        draft_id = draft.id
    path = tmp_path / f"update-{tag}.csv"
    path.write_text(
        "First name,Last name,Email,Company,Phone\n"
        f"Jane,Doe,jane.{tag}@contoso.example,Contoso {tag},+1 555 0199\n"
        f"Ben,Wu,ben.{tag}@wu.example,Wu {tag},\n",
        encoding="utf-8",
    )
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads/import")
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    page.locator("#csv input[type=file]").set_input_files(path)
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    page.get_by_label("Rows", exact=True).select_option("both")
    expect(page.get_by_label("Match existing records on")).to_have_value("email")

    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("1 new, 1 updated, 0 unchanged; 0 have problems")).to_be_visible()
    changes = page.get_by_role("region", name="Changes to existing records")
    expect(changes.get_by_role("row").filter(has_text="Phone")).to_contain_text("+1 555 0199")
    expect(changes.get_by_role("row").filter(has_text="Phone")).to_contain_text("+1 555 0100")

    page.get_by_role("button", name="Import: 1 new, 1 updated").click()
    expect(page.get_by_text("Updated 1 existing lead.")).to_be_visible()
    with Session(db) as session:
        assert session.get(Lead, draft_id).phone == "+1 555 0199"
        batch = session.exec(
            select(ImportBatch).where(ImportBatch.file_name == f"update-{tag}.csv")
        ).one()
        assert (batch.mode, batch.rows_imported, batch.rows_updated) == ("both", 1, 1)

    page.get_by_role("button", name=f"Undo the import of update-{tag}.csv").click()
    confirm(page, "Undo import")
    expect(page.get_by_text("Import undone: 1 leads removed, 1 restored.")).to_be_visible()
    with Session(db) as session:
        assert session.get(Lead, draft_id).phone == "+1 555 0100"
        assert (
            session.exec(select(Lead).where(Lead.email == f"ben.{tag}@wu.example")).first() is None
        )
