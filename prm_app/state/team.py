"""Settings > Team: the organization's people and the admin's invitations."""

from typing import TypedDict

import reflex as rx

from .. import routes
from ..services.core.errors import DomainError
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import roles, team
from .base import AppState, form_value
from .clients import client_of


class MemberRow(TypedDict):
    """A person of the organization."""

    user_id: str
    name: str
    email: str
    role: str
    status: str  # "active" or "deactivated"
    is_self: str  # "yes" for the caller


class InviteRow(TypedDict):
    """A pending invitation to join the organization."""

    id: str
    email: str
    role: str
    expires: str


class TeamState(AppState):
    members: list[MemberRow] = []
    invites: list[InviteRow] = []
    invite_error: str = ""
    invite_link: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self.invite_error = self.invite_link = ""
        return self._refresh()

    def _refresh(self):
        try:
            actor = self._require()
            with unit_of_work() as session:
                self.members = [
                    {
                        "user_id": str(m.user_id),
                        "name": m.name,
                        "email": m.email,
                        "role": m.role,
                        "status": "active" if m.is_active else "deactivated",
                        "is_self": "yes" if m.user_id == actor.user_id else "",
                    }
                    for m in team.members(session, actor=actor)
                ]
                self.invites = (
                    [
                        {
                            "id": str(i.id),
                            "email": i.email,
                            "role": i.role,
                            "expires": i.expires_at.strftime("%Y-%m-%d"),
                        }
                        for i in team.pending_invites(session, actor=actor)
                    ]
                    if actor.is_admin
                    else []
                )
        except DomainError as error:
            return self._refuse(error)
        return None

    @rx.event
    def invite(self, form: dict):
        self.invite_link = ""
        token, refusal = self._perform(
            team.invite_colleague,
            error_var="invite_error",
            email=form_value(form, "email"),
            role=form_value(form, "role"),
        )
        if refusal is not None:
            return refusal
        self.invite_link = routes.join_link(self._frontend_origin(), token)
        return self._refresh()

    @rx.event
    def revoke_invite(self, invite_id: str):
        return self._act(team.revoke_invite, invite_id=invite_id)

    @rx.event
    def deactivate(self, user_id: str):
        return self._act(team.set_active, user_id=user_id, active=False)

    @rx.event
    def reactivate(self, user_id: str):
        return self._act(team.set_active, user_id=user_id, active=True)

    @rx.event
    def change_role(self, user_id: str, role: str):
        _, refusal = self._perform(
            roles.change_role, user_id=user_id, role=role, client=client_of(self)
        )
        self._refresh()  # the stored roles, whatever the client sent
        return refusal or rx.toast.success("Role changed.")

    def _act(self, operation, **arguments):
        _, refusal = self._perform(operation, **arguments)
        return refusal or self._refresh()
