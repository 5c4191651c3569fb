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
        routes.Consultant.DEALS,
        "Deals",
        "kanban",
        "No deals yet",
        "Deals you registered with your providers appear here, in a list and on a Kanban board "
        "by stage, with their approval and protection status.",
    ),
]

PROVIDER = [
    Section(
        routes.Provider.DEALS,
        "Deals",
        "kanban",
        "No deals yet",
        "Deals registered by your partners or recorded by you appear here, in a list and on a "
        "live Kanban board by stage, to approve, assign and move.",
    ),
]
