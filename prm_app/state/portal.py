"""Entering a portal page: the on_load guards of the shell."""

import reflex as rx

from ..models import OrgKind
from .base import AppState


class PortalState(AppState):
    """on_load handlers that admit only the right kind of organization."""

    @rx.event
    def enter_consultant(self):
        return self._enter(OrgKind.CONSULTANT)

    @rx.event
    def enter_provider(self):
        return self._enter(OrgKind.PROVIDER)

    @rx.event
    def enter_any(self):
        return self._enter()
