"""Answering the confirmation dialog (components/confirm.py) of a destructive button."""

from playwright.sync_api import Locator, Page, expect


def confirmation(page: Page) -> Locator:
    """The open confirmation dialog."""
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    return dialog


def confirm(page: Page, label: str) -> None:
    """Press the dialog's red button, `label` ("End partnership", "Revoke key", ...)."""
    dialog = confirmation(page)
    dialog.get_by_role("button", name=label, exact=True).click()
    expect(dialog).to_have_count(0)
