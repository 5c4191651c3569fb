""" "Send every row to": the organizations every row of a file goes to, chosen on the mapping
screen instead of a Provider (Partner) column (real exports have none).

A consultant's leads go to one or more of its providers and a provider's referrals to one or
more of its partners (each row one lead with a recipient per organization, as the lead form
sends it); a deal is registered with one provider (recorded for one partner). Drafts go nowhere
yet, so they take none. Each organization must be able to receive, as in the forms.
"""

from sqlmodel import Session

from ...models import ImportKind, OrgKind
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..leads.access import require_eligible
from ..onboarding import holds

FIELD = "send_to"
MAX_ORGS = 50


def organizations(
    session: Session, actor: Actor, kind: ImportKind, value: object, *, submit: bool
) -> list[int]:
    """The organizations chosen (ids, in the order given, each once), checked; [] for none."""
    if value is None or value == [] or value == ():
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_ORGS:
        raise Invalid("Choose the organizations to send every row to again.", field=FIELD)
    org_ids = list(dict.fromkeys(inputs.record_id(v, what="organization") for v in value))
    other = "provider" if actor.org_kind == OrgKind.CONSULTANT else "partner"
    if kind == ImportKind.DEALS and len(org_ids) > 1:
        raise Invalid(f"A deal goes to one {other}: choose one.", field=FIELD)
    if kind != ImportKind.DEALS and not submit:
        raise Invalid(
            f"Drafts go to no {other} yet: import them as drafts without choosing one, or "
            "send them.",
            field=FIELD,
        )
    require_eligible(session, actor, org_ids)
    consultant = actor.org_kind == OrgKind.CONSULTANT
    if kind == (ImportKind.DEALS if consultant else ImportKind.REFERRALS):
        for org_id in org_ids:  # a registration or a referral waits for the signature
            pair = (org_id, actor.org_id) if consultant else (actor.org_id, org_id)
            if held := holds.held(session, provider_org_id=pair[0], partner_org_id=pair[1]):
                raise Invalid(held, field=FIELD)
    return org_ids
