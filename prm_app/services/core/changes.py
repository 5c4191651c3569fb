"""What a transaction changed that open views watch, noted by the services as they change it.

Services note the organizations whose deals changed and the people who got a notification; the
unit of work hands these to its publishers once the transaction has committed
(services.core.unit_of_work), and never when it rolled back.
"""

from dataclasses import dataclass

from sqlmodel import Session

_DEALS = "prm_deals_changed"
_NOTIFIED = "prm_users_notified"


@dataclass(frozen=True, slots=True)
class Changes:
    """What one committed transaction changed, by who watches it."""

    deal_orgs: frozenset[int] = frozenset()  # every open deals view of these organizations
    notified: frozenset[int] = frozenset()  # the bells of these people

    def __bool__(self) -> bool:
        return bool(self.deal_orgs or self.notified)


def deals_changed(session: Session, *org_ids: int) -> None:
    """Note organizations whose deals changed in this transaction."""
    session.info.setdefault(_DEALS, set()).update(org_ids)


def users_notified(session: Session, *user_ids: int) -> None:
    """Note people who got a notification in this transaction (their bells move after it)."""
    session.info.setdefault(_NOTIFIED, set()).update(user_ids)


def noted(session: Session) -> Changes:
    """Everything noted in this session so far."""
    return Changes(
        deal_orgs=frozenset(session.info.get(_DEALS, ())),
        notified=frozenset(session.info.get(_NOTIFIED, ())),
    )


def sessions_ended(session: Session, *user_ids: int) -> None:
    """Note people some of whose sessions were revoked: each of their open tabs re-reads its
    bell, and the tab whose session ended is sent to sign-in at once (state.notifications)."""
    users_notified(session, *user_ids)
