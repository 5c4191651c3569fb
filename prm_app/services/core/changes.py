"""What a transaction changed that open views watch: read by the app once it has committed.

Services note here the organizations whose deals changed; the app then tells every open deals
page of those organizations to re-read its own view; and the people who got a notification, whose
bells then re-read their unread count.
"""

from sqlmodel import Session

_DEALS = "prm_deals_changed"


def deals_changed(session: Session, *org_ids: int) -> None:
    session.info.setdefault(_DEALS, set()).update(org_ids)


def deal_orgs_changed(session: Session) -> set[int]:
    return set(session.info.get(_DEALS, ()))


_NOTIFIED = "prm_users_notified"


def users_notified(session: Session, *user_ids: int) -> None:
    """Note people who got a notification in this transaction (their bells move after it)."""
    session.info.setdefault(_NOTIFIED, set()).update(user_ids)


def notified_users(session: Session) -> set[int]:
    return set(session.info.get(_NOTIFIED, ()))
