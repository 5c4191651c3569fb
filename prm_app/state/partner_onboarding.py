"""The onboarding part of a partnership's page, on both sides: the agreements asked of the partner
(signed by its admin here, typing their name; downloaded by either side) and the checklist (its
manual steps ticked and its training links opened by the partner), live on PARTNERS."""

from typing import ClassVar, TypedDict

import reflex as rx

from .. import routes
from ..models import OrgKind, StepKind
from ..services import onboarding
from ..services.core.changes import Topic
from ..services.core.permissions import ADMINS_ONLY, MANAGERS_ONLY
from .base import AppState, FieldErrors, form_value
from .live import LiveView


class AgreementCard(TypedDict):
    """An agreement asked of the partnership, with its current version's signature."""

    version_id: str
    title: str
    number: str
    text: str  # "" for a PDF (downloaded instead)
    file_url: str
    signed: str  # "yes" once the current version is signed
    signed_by: str
    signed_at: str
    signed_url: str
    asks_again: str  # "yes": an earlier version was signed, this one is new


class StepRow(TypedDict):
    id: str
    kind: str  # StepKind
    title: str
    done: str  # "yes" when done


class PartnerOnboardingState(FieldErrors, LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    agreements: list[AgreementCard] = []
    steps: list[StepRow] = []
    progress: str = ""  # "3 of 5"
    partner_side: bool = False  # the viewer is the partner (it signs and ticks)
    sign_error: str = ""
    sign_refusal: str = ADMINS_ONLY  # only the partner's admins sign
    tick_refusal: str = MANAGERS_ONLY
    _partnership_id: str = ""

    @rx.event
    def load_provider(self):
        return self._open(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._open(OrgKind.CONSULTANT)

    def _open(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.agreements, self.steps, self.progress = [], [], ""
        self.partner_side = kind == OrgKind.CONSULTANT
        self.sign_error, self.field_errors = "", {}
        raw = self.router.page.params.get("partnership_id", "")
        self._partnership_id = raw if isinstance(raw, str) else ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        self._perform(self._read)  # a partnership not visible: the page says so already
        # Why the viewer cannot sign or tick ("" when it can), as of the caller just checked:
        # fields, not computed vars on AppState's role, which would make Reflex load this
        # state at every event of every tab (tests/unit/test_state_loading.py).
        self.sign_refusal = "" if self.partner_side and self.can_administer else ADMINS_ONLY
        self.tick_refusal = "" if self.partner_side and self.can_manage else MANAGERS_ONLY
        return None

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        asked = onboarding.asked_of(session, actor=actor, partnership_id=self._partnership_id)
        self.agreements = [_card(a) for a in asked]
        steps = onboarding.checklist(session, actor=actor, partnership_id=self._partnership_id)
        self.steps = [
            {"id": str(s.id), "kind": s.kind, "title": s.title, "done": "yes" if s.done else ""}
            for s in steps
        ]
        done = sum(s.done for s in steps)
        self.progress = f"{done} of {len(steps)}" if steps else ""

    @rx.event
    def sign(self, form: dict):
        """Sign the agreement's current version (the form: its version id and the typed name)."""
        _, refusal = self._perform(
            lambda session, *, actor: onboarding.accept(
                session,
                actor=actor,
                partnership_id=self._partnership_id,
                version_id=form_value(form, "version_id"),
                typed_name=form_value(form, "typed_name"),
            ),
            error_var="sign_error",
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.toast.success("Signed. Thank you.")

    @rx.event
    def tick(self, step_id: str, done: bool):
        _, refusal = self._perform(
            lambda session, *, actor: onboarding.tick(
                session,
                actor=actor,
                partnership_id=self._partnership_id,
                step_id=step_id,
                done=done,
            )
        )
        return refusal or self._refresh()

    @rx.event
    def open_link(self, step_id: str):
        """Record the visit of a training link, then go there."""
        url, refusal = self._perform(
            lambda session, *, actor: onboarding.open_link(
                session, actor=actor, partnership_id=self._partnership_id, step_id=step_id
            )
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.redirect(str(url), is_external=True)


def _card(asked: onboarding.Asked) -> AgreementCard:
    signature = asked.signature
    return {
        "version_id": str(asked.version_id),
        "title": asked.title,
        "number": str(asked.number),
        "text": asked.text,
        "file_url": routes.file_url(routes.agreement_file(asked.version_id)),
        "signed": "yes" if signature else "",
        "signed_by": signature.typed_name if signature else "",
        "signed_at": signature.accepted_at.strftime("%Y-%m-%d %H:%M") if signature else "",
        "signed_url": (
            routes.file_url(routes.signed_agreement_file(signature.acceptance_id))
            if signature
            else ""
        ),
        "asks_again": "yes" if asked.signed_before and not signature else "",
    }


LINK, MANUAL = StepKind.LINK.value, StepKind.MANUAL.value
