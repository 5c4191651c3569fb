"""What the deal forms post (Submit Deal, a deal's edit), as services.deals.lifecycle takes it."""

from ..services.deals import lifecycle as deal_changes
from .base import form_value


def deal_form(form: dict) -> dict:
    """The deal form's fields for deal_changes: products come as one checkbox each."""
    fields = {
        name: form_value(form, name)
        for name in ("name", "company", "contact_name", "contact_email", "amount", "close_date")
    }
    for name in ("country", "region"):  # sent by the forms that show them (else kept)
        if isinstance(form, dict) and name in form:
            fields[name] = form[name]
    fields["product_ids"] = [
        key.removeprefix("product-")
        for key, value in form.items()
        if isinstance(key, str) and key.startswith("product-") and value
    ][: deal_changes.MAX_PRODUCTS + 1]
    return fields
