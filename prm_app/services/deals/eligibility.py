"""DEV STUB (not committed): replaced by the rules branch."""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: str
    label: str
    passed: bool
    hard: bool
    message: str


def check(session, *, actor, other_org_id, form):
    form = form if isinstance(form, dict) else {}
    return [
        Verdict("territory", "Territory", form.get("country") in ("US", "CA"), True,
                "We register deals in the United States and Canada only."),
        Verdict("products", "Products", bool(form.get("product_ids")), False, "Name at least one product."),
    ]
