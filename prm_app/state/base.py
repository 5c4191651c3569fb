"""The base of every feature state: who is calling, re-verified on every event."""

import json
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from reflex.config import get_config
from reflex.event import EventSpec
from reflex.middleware import Middleware
from sqlmodel import Session

from .. import routes
from ..models import OrgKind
from ..services.core import inputs, permissions
from ..services.core.actor import Actor
from ..services.core.errors import DomainError, Invalid, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import auth
from .live import forget_tab

# Who can, as the tooltip of a control the viewer may not use (pages import them from here).
ADMINS_ONLY = permissions.ADMINS_ONLY
MANAGERS_ONLY = permissions.MANAGERS_ONLY


def session_token(cookie_header: str) -> str | None:
    """The session token from a Cookie header (the websocket handshake's, never the client's)."""
    if not cookie_header:
        return None
    try:
        morsel = SimpleCookie(cookie_header).get(auth.SESSION_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel else None


def form_value(form: object, name: str) -> object:
    """One field of a submitted form; a client may send anything, so nothing is assumed."""
    return form.get(name) if isinstance(form, dict) else None


def post_from_page(action: str, **fields: str) -> rx.event.EventSpec:
    """Leave the page by a form POST to `action`: the browser sends the page's Origin, which
    the route checks (another site cannot send that request with it)."""
    return rx.call_script(
        "((action, fields) => { const form = document.createElement('form');"
        " form.method = 'post'; form.action = action;"
        " for (const [name, value] of Object.entries(fields)) {"
        " const input = document.createElement('input'); input.type = 'hidden';"
        " input.name = name; input.value = value; form.appendChild(input); }"
        " document.body.appendChild(form); form.submit(); })"
        f"({json.dumps(action)}, {json.dumps(fields)})"
    )


def clear_form(form_id: str) -> EventSpec:
    """Empty the form `form_id` once what it submitted was saved: a refused form keeps what was
    typed, so the person corrects it instead of typing it again."""
    return rx.call_script(f"document.getElementById({json.dumps(form_id)})?.reset()")


class FieldErrors(rx.State, mixin=True):
    """A form's messages next to its fields, from the server (`_perform(..., inline=...)` fills
    them); each goes away once its field is corrected."""

    field_errors: dict[str, str] = {}

    def _field_problem(self, name: str, value: str) -> str:
        """What is still wrong with a corrected field: an address is checked again by the
        services' own rule; for any other field, by default a change is enough."""
        if name == "email":
            try:
                inputs.email(value)
            except Invalid as error:
                return str(error)
        return ""

    @rx.event
    def recheck(self, name: str, value: str):
        """A field with a message was changed: check it again, and drop the message if fixed."""
        if not isinstance(name, str) or name not in self.field_errors:
            return
        problem = self._field_problem(name, value if isinstance(value, str) else "")
        if problem:
            self.field_errors = {**self.field_errors, name: problem}
        else:
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != name}


class AppState(rx.State):
    """Resolves the caller from the server-side session; holds only what the shell shows."""

    user_name: str = ""
    org_name: str = ""
    org_kind: str = ""
    role: str = ""
    # What the viewer's role allows (services.core.permissions), from the server-side session:
    # pages disable what is not allowed; the handlers refuse it regardless.
    can_administer: bool = False
    can_manage: bool = False
    # The hash of the session token this tab's state was built for (see SessionGuard).
    _bound_session: str = ""

    def _token(self) -> str | None:
        return session_token(self.router.headers.cookie)

    def _actor(self, session: Session | None = None) -> Actor | None:
        """The caller, resolved in `session` when given (one connection for the whole event)."""
        token = self._token()
        if not token:
            return None
        if session is not None:
            return auth.resolve(session, token=token)
        with unit_of_work() as own:
            return auth.resolve(own, token=token)

    def _require(
        self, kind: OrgKind | None = None, *, admin: bool = False, session: Session | None = None
    ) -> Actor:
        """The caller, or NotAuthenticated / NotAllowed. Every handler starts here."""
        actor = self._actor(session)
        if actor is None:
            raise NotAuthenticated()
        if kind is not None:
            actor.require_kind(kind)
        if admin:
            actor.require_admin()
        self._show(actor)
        return actor

    def _show(self, actor: Actor) -> None:
        """What the shell shows of the caller; only a changed value is sent to the browser."""
        allowed = permissions.of(actor)
        shown = {
            "user_name": actor.name,
            "org_name": actor.org_name,
            "org_kind": actor.org_kind,
            "role": actor.role,
            "can_administer": allowed.administer,
            "can_manage": allowed.manage,
        }
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _enter(self, kind: OrgKind | None = None, *reads) -> rx.event.EventSpec | None:
        """on_load guard: send the anonymous to sign-in and the other portal's users home; then
        the page's `reads` (each `(session, *, actor)`, as `_perform`'s operations) as the
        caller, in the same transaction as the check: one session check for the whole load."""
        try:
            with unit_of_work() as session:
                actor = self._actor(session)
                if actor is None:
                    raise NotAuthenticated()
                self._show(actor)
                if kind is not None and actor.org_kind != kind:
                    return rx.redirect(routes.home_for(actor.org_kind), replace=True)
                for read in reads:
                    read(session, actor=actor)
        except DomainError as error:
            return self._refuse(error)
        return None

    def _perform(
        self,
        operation,
        /,
        *,
        error_var: str | None = None,
        inline: Any = (),  # tuple[str, ...]: Any, or **arguments would be matched against it
        **arguments,
    ) -> tuple[object, rx.event.EventSpec | None]:
        """Run a service operation as the verified caller, in one transaction.

        Returns (result, None), or (None, what to tell the user) when the service refused. With
        `error_var`, bad input is shown inline in that state var instead of in a toast; with
        `inline` (the fields the form shows), a message about one of them goes next to it, in
        the state's `field_errors`, and the form's own message stays empty.
        """
        if error_var:
            setattr(self, error_var, "")
        if inline:
            self.field_errors = {}  # type: ignore[attr-defined]
        try:
            with unit_of_work() as session:
                actor = self._require(session=session)
                result = operation(session, actor=actor, **arguments)
            return result, None
        except Invalid as error:
            if not error_var:
                return None, self._refuse(error)
            shown = {k: v for k, v in error.problems.items() if k in inline}
            if shown:
                self.field_errors = shown  # type: ignore[attr-defined]
            if not shown or error.field not in shown:
                setattr(self, error_var, str(error))
            return None, rx.noop()
        except DomainError as error:
            return None, self._refuse(error)

    def _refuse(self, error: Exception) -> rx.event.EventSpec:
        """Turn a domain error into what the user sees: sign-in again, or a toast."""
        if isinstance(error, NotAuthenticated):
            forget_tab(self.router.session.client_token)  # its session ended: no more pulses
            return rx.redirect(routes.LOGIN, replace=True)
        return rx.toast.error(str(error))

    def _frontend_origin(self) -> str:
        """The origin of the page that opened this websocket (for links and redirects)."""
        origin = self.router.headers.origin
        return origin if origin.startswith(("http://", "https://")) else get_config().deploy_url

    @rx.event
    def route_home(self):
        """on_load of "/": the portal home, or sign-in."""
        return self._enter() or rx.redirect(routes.home_for(self.org_kind), replace=True)


class SessionGuard(Middleware):
    """Wipe a tab's state when it is presented with another session than it was built for.

    The client token is a bearer key to the tab's server-side state: without this, a client
    replaying a disconnected tab's token would be handed the previous user's on-screen data at
    hydrate, before any handler could check anything.
    """

    async def preprocess(self, app, state, event):
        app_state = await state.get_state(AppState)
        token = session_token(app_state.router.headers.cookie)
        presented = auth.hash_token(token) if token else ""
        if app_state._bound_session != presented:
            if app_state._bound_session:  # the live views it watched were another session's
                forget_tab(app_state.router.session.client_token)
            for substate in _all_subclasses(AppState):
                await app_state.get_state(substate)  # load lazily stored substates too
            app_state.reset()
            app_state._bound_session = presented
        return None


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found
