"""What a transaction changed that open views watch, noted by the services as they change it.

A change is noted as a topic and the id of who watches it: the deals, leads (and referrals),
partners (partnerships and invitations), ledger (commissions and payout or credit requests) or
imports of an organization, or the notifications of a person. A service notes each organization a
change concerns (both sides of a partnership, every organization a lead went to); the unit of
work hands them to its publishers once the transaction has committed
(services.core.unit_of_work), and never when it rolled back. Only the topic and id travel: each
open view re-reads with its viewer's own permissions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

_TOUCHED = "prm_topics_touched"


class Topic(StrEnum):
    """What open views watch; each is followed by the id of an organization, or of a person."""

    DEALS = "deals"  # an organization's deals: lists, board, deal pages, commission part
    LEADS = "leads"  # an organization's leads and referrals, sent or received: lists and pages
    PARTNERS = "partners"  # an organization's partnerships and invitations, either side
    LEDGER = "ledger"  # an organization's commissions and payout or credit requests
    IMPORTS = "imports"  # an organization's imports
    NOTES = "notes"  # a person's notifications (the bell, the notifications page)
    LIBRARY = "library"  # a provider's content library, as its partners see it too
    AUDIT = "audit"  # an organization's full exports (their progress), on its audit page
    PRIVACY = "privacy"  # an organization's personal-data requests (services.privacy)


@dataclass(frozen=True, slots=True, init=False)
class Changes:
    """What one committed transaction changed: (topic, organization or person id) pairs."""

    touched: frozenset[tuple[Topic, int]]

    def __init__(
        self,
        touched: Iterable[tuple[Topic, int]] = (),
        *,
        deal_orgs: Iterable[int] = (),
        notified: Iterable[int] = (),
    ) -> None:
        pairs = {(Topic(topic), int(id_)) for topic, id_ in touched}
        pairs |= {(Topic.DEALS, org_id) for org_id in deal_orgs}
        pairs |= {(Topic.NOTES, user_id) for user_id in notified}
        object.__setattr__(self, "touched", frozenset(pairs))

    def of(self, topic: Topic) -> frozenset[int]:
        """The ids noted for one topic."""
        return frozenset(id_ for kind, id_ in self.touched if kind == topic)

    @property
    def deal_orgs(self) -> frozenset[int]:  # every open deals view of these organizations
        return self.of(Topic.DEALS)

    @property
    def notified(self) -> frozenset[int]:  # the bells of these people
        return self.of(Topic.NOTES)

    def __bool__(self) -> bool:
        return bool(self.touched)


def touched(session: Session, topic: Topic, *ids: int | None) -> None:
    """Note that `topic` changed for these organizations (or people) in this transaction.

    Ids that are None (an invitation not yet claimed by an organization) are skipped.
    """
    session.info.setdefault(_TOUCHED, set()).update(
        (topic, int(id_)) for id_ in ids if id_ is not None
    )


def deals_changed(session: Session, *org_ids: int) -> None:
    """Note organizations whose deals changed in this transaction."""
    touched(session, Topic.DEALS, *org_ids)


def users_notified(session: Session, *user_ids: int) -> None:
    """Note people who got a notification in this transaction (their bells move after it)."""
    touched(session, Topic.NOTES, *user_ids)


def noted(session: Session) -> Changes:
    """Everything noted in this session so far."""
    return Changes(session.info.get(_TOUCHED, ()))


def sessions_ended(session: Session, *user_ids: int) -> None:
    """Note people some of whose sessions were revoked: each of their open tabs re-reads its
    bell, and the tab whose session ended is sent to sign-in at once (state.notifications)."""
    users_notified(session, *user_ids)
