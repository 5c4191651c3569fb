"""Portal sections that do not have their feature yet: each says what will appear there.

A section moves to its own page module when its feature lands.
"""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from .. import routes
from ..components.empty_state import empty_state
from ..components.shell import page_shell


@dataclass(frozen=True, slots=True)
class Section:
    route: str
    title: str
    icon: str
    heading: str
    text: str

    def page(self) -> Callable[[], rx.Component]:
        return lambda: page_shell(self.title, empty_state(self.icon, self.heading, self.text))


CONSULTANT = [
    Section(
        routes.Consultant.LEADS,
        "Leads",
        "inbox",
        "No leads yet",
        "Leads you submit to your providers appear here: drafts you saved, and each provider's "
        "decision on the ones you sent. Submit them one by one or import a CSV.",
    ),
    Section(
        routes.Consultant.REFERRALS,
        "Referrals",
        "handshake",
        "No referrals yet",
        "Referrals your providers send you appear here. You see the company and a summary until "
        "you open or accept one; then its contact details.",
    ),
    Section(
        routes.Consultant.PROVIDERS,
        "My Providers",
        "building-2",
        "No providers yet",
        "Software providers you partner with appear here, with their invitations to accept or "
        "reject. Categorize each provider and assign it to a colleague.",
    ),
    Section(
        routes.Consultant.DEALS,
        "Deals",
        "kanban",
        "No deals yet",
        "Deals you registered with your providers appear here, in a list and on a Kanban board "
        "by stage, with their approval and protection status.",
    ),
    Section(
        routes.Consultant.SETTINGS,
        "Settings",
        "settings",
        "General settings",
        "Your provider types (ERP, HRM, Accounting, ...) and proficiency statuses are managed "
        "here. Your colleagues are under Team, top right.",
    ),
]

PROVIDER = [
    Section(
        routes.Provider.PARTNERS,
        "Partners",
        "users",
        "No partners yet",
        "Consultant firms you recruit appear here: invitations with their status, and active "
        "partners with their type, status, tier, group and partner manager.",
    ),
    Section(
        routes.Provider.LEADS,
        "Leads",
        "inbox",
        "No leads yet",
        "Leads your partners submit appear here to accept or reject, then to work through your "
        "lead stages and convert into deals.",
    ),
    Section(
        routes.Provider.REFERRALS,
        "Referrals",
        "send",
        "No referrals yet",
        "Referrals you send to your partners appear here with each partner's response: opened, "
        "accepted, rejected, converted or lost.",
    ),
    Section(
        routes.Provider.DEALS,
        "Deals",
        "kanban",
        "No deals yet",
        "Deals registered by your partners or recorded by you appear here, in a list and on a "
        "live Kanban board by stage, to approve, assign and move.",
    ),
    Section(
        routes.Provider.SETTINGS,
        "Settings",
        "settings",
        "General settings",
        "Partner statuses, types, tiers and groups, your products, deal and lead stages, and "
        "your program rules are managed here. Your colleagues are under Team, top right.",
    ),
]
