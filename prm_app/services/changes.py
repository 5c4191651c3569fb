"""What a transaction changed that open views watch: read by the app once it has committed.

Services note here the organizations whose deals changed; the app then tells every open deals
page of those organizations to re-read its own view.
"""

from sqlmodel import Session

_DEALS = "prm_deals_changed"


def deals_changed(session: Session, *org_ids: int) -> None:
    session.info.setdefault(_DEALS, set()).update(org_ids)


def deal_orgs_changed(session: Session) -> set[int]:
    return set(session.info.get(_DEALS, ()))
