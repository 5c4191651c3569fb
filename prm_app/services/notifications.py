"""In-app notifications, written in the transaction of the change they report."""

from sqlmodel import Session, col, select

from ..models import Membership, Notification, User


def notify_organizations(session: Session, *, links: dict[int, str], kind: str, text: str) -> int:
    """Notify every active member of these organizations (ids to the record's link in each
    organization's portal); returns how many people were notified."""
    members = session.exec(
        select(Membership.user_id, Membership.org_id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            col(Membership.org_id).in_(links),
            col(Membership.is_active).is_(True),
            col(User.is_active).is_(True),
        )
    ).all()
    for user_id, org_id in members:
        session.add(
            Notification(
                user_id=user_id, org_id=org_id, kind=kind, text=text[:500], link=links[org_id]
            )
        )
    return len(members)
