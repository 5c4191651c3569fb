"""Settings > Team: the organization's people and the admin's invitations."""

from typing import Any, TypedDict, cast

import reflex as rx
from reflex_components_sonner.toast import ToastAction

from ..services.core.errors import DomainError
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import roles, team, two_factor
from .base import AppState, FieldErrors, clear_form, form_value
from .clients import client_of


class MemberRow(TypedDict):
    """A person of the organization."""

    user_id: str
    name: str
    email: str
    role: str
    status: str  # "active" or "deactivated"
    is_self: str  # "yes" for the caller
    two_factor: str  # "yes" when they use two-factor sign-in


class InviteRow(TypedDict):
    """A pending invitation to join the organization."""

    id: str
    email: str
    role: str
    expires: str


INVITE_FORM = "invite-colleague"


class TeamState(FieldErrors, AppState):
    members: list[MemberRow] = []
    invites: list[InviteRow] = []
    invite_error: str = ""
    invite_sent: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self.invite_error = self.invite_sent = ""
        return self._refresh()

    def _refresh(self):
        try:
            actor = self._require()
            with unit_of_work() as session:
                with_2fa = two_factor.enrolled_user_ids(session, org_id=actor.org_id)
                self.members = [
                    {
                        "user_id": str(m.user_id),
                        "name": m.name,
                        "email": m.email,
                        "role": m.role,
                        "status": "active" if m.is_active else "deactivated",
                        "is_self": "yes" if m.user_id == actor.user_id else "",
                        "two_factor": "yes" if m.user_id in with_2fa else "",
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
        self.invite_sent = ""
        _, refusal = self._perform(
            team.invite_colleague,
            error_var="invite_error",
            inline=("email", "role"),
            email=form_value(form, "email"),
            role=form_value(form, "role"),
        )
        if refusal is not None:
            return refusal
        # The join link is mailed to the address, never shown: only its owner can use it. The
        # answer is the same whether or not the address has an account.
        self.invite_sent = f"Invitation sent to {form_value(form, 'email')}."
        return self._refresh() or clear_form(INVITE_FORM)

    @rx.event
    def revoke_invite(self, invite_id: str):
        return self._act(team.revoke_invite, invite_id=invite_id)

    @rx.event
    def deactivate(self, user_id: str):
        """Confirmed on the page; access can be given back, so the notice offers Undo (their
        ended sessions stay ended: they sign in again)."""
        _, refusal = self._perform(team.set_active, user_id=user_id, active=False)
        if refusal is not None:
            return refusal
        undo = cast(Any, TeamState.reactivate)(user_id)
        return self._refresh() or rx.toast.info(
            "Deactivated: signed out everywhere, and can no longer sign in.",
            action=ToastAction(label="Undo", on_click=undo),
        )

    @rx.event
    def reactivate(self, user_id: str):
        return self._act(team.set_active, user_id=user_id, active=True)

    @rx.event
    def reset_two_factor(self, user_id: str):
        """An admin removes a colleague's second factor (a lost phone); their sessions end."""
        return self._act(two_factor.reset_for_colleague, user_id=user_id, client=client_of(self))

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
