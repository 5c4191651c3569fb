"""/p/onboarding: the provider's agreements (versions, who signed what, the hold of referrals and
registrations until signed) and its onboarding checklist. Admins change; others read. Live on
PARTNERS (a partner signing moves the counts)."""

import logging
from typing import ClassVar, TypedDict

import reflex as rx

from .. import routes
from ..models import OrgKind, TermKind
from ..services import catalog, onboarding
from ..services.core import upload_store
from ..services.core.changes import Topic
from ..services.core.errors import DomainError
from ..services.onboarding import documents
from . import upload_guard
from .base import AppState, clear_form, form_value
from .live import LiveView
from .rows import Option
from .stored_upload import store_one

logger = logging.getLogger(__name__)
AGREEMENT_FORM, VERSION_FORM, STEP_FORM = "new-agreement", "new-version", "new-step"
UPLOAD_ID = "agreement-file"


class AgreementSetting(TypedDict):
    id: str
    title: str
    asked_of: str
    number: str
    published: str
    kind: str  # "PDF" or "Text"
    signed: str
    file_url: str


class SignatureRow(TypedDict):
    partner: str
    number: str
    name: str
    email: str
    at: str
    current: str  # "yes" for the current version
    url: str


class StepSetting(TypedDict):
    id: str
    kind: str
    title: str
    url: str
    partner_type: str


class OnboardingSettingsState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    agreements: list[AgreementSetting] = []
    signatures: list[SignatureRow] = []
    signatures_of: str = ""  # the agreement whose signatures are listed
    steps: list[StepSetting] = []
    hold: bool = False
    partner_types: list[Option] = []
    tiers: list[Option] = []
    step_kinds: list[Option] = [{"id": k, "name": v} for k, v in onboarding.KINDS.items()]
    agreement_error: str = ""
    step_error: str = ""
    # A PDF or text file chosen instead of a written text: kept privately until published
    # (services.core.upload_store); uploads must carry this tab's ticket (see upload_guard).
    upload_ticket: str = ""
    upload_name: str = ""
    _upload: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.PROVIDER)) is not None:
            return redirect
        self.signatures, self.signatures_of = [], ""
        self.agreement_error, self.step_error = "", ""
        self.upload_ticket = self.upload_ticket or upload_guard.new_ticket()
        self._forget_file()
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.agreements = [
            {
                "id": str(a.id),
                "title": a.title,
                "asked_of": a.asked_of,
                "number": str(a.number),
                "published": a.published_at.strftime("%Y-%m-%d"),
                "kind": "PDF" if a.media_type == "application/pdf" else "Text",
                "signed": str(a.signed),
                "file_url": routes.file_url(routes.agreement_file(a.version_id)),
            }
            for a in onboarding.provider_agreements(session, actor=actor)
        ]
        self.steps = [
            {
                "id": str(s.id),
                "kind": onboarding.KINDS[s.kind],
                "title": s.title,
                "url": s.url,
                "partner_type": s.partner_type or "All partners",
            }
            for s in onboarding.provider_steps(session, actor=actor)
        ]
        self.hold = onboarding.holding(session, actor=actor)
        self.partner_types = _options(session, actor, TermKind.PARTNER_TYPE)
        self.tiers = _options(session, actor, TermKind.PARTNER_TIER)
        if self.signatures_of:
            self._read_signatures(session, actor=actor)

    def _read_signatures(self, session, *, actor) -> None:
        self.signatures = [
            {
                "partner": s.partner_name,
                "number": str(s.number),
                "name": s.typed_name,
                "email": s.signer_email,
                "at": s.accepted_at.strftime("%Y-%m-%d %H:%M"),
                "current": "yes" if s.current else "",
                "url": routes.file_url(routes.signed_agreement_file(s.acceptance_id)),
            }
            for s in onboarding.signatures(session, actor=actor, agreement_id=self.signatures_of)
        ]

    @rx.event
    def forget_file(self):
        """Write the text instead of publishing the chosen file."""
        self._forget_file()

    def _forget_file(self) -> None:
        upload_store.discard(self._upload)
        self._upload, self.upload_name = "", ""

    @rx.event(background=True)
    async def receive_file(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen file into a private temp file, refusing it once larger than
        allowed (the browser's limit is only a courtesy); its type is checked on publishing."""
        if not isinstance(chunks, rx.UploadChunkIterator):  # an event sent by hand
            return
        async with self:
            if not upload_guard.came_with(self.router.session.client_token, self.upload_ticket):
                logger.warning("an upload without its tab's ticket was refused")
                return
            try:
                self._require(OrgKind.PROVIDER, admin=True)
            except DomainError as error:
                self.agreement_error = str(error)
                return
            self._forget_file()
            self.agreement_error = ""
        stored = await store_one(
            chunks,
            limit=documents.MAX_FILE,
            too_big=documents.TOO_BIG,
            none="Choose a PDF or a text file.",
            default_name="agreement",
        )
        async with self:
            if stored.refusal:
                self.agreement_error = stored.refusal
                return
            self._upload, self.upload_name = stored.key, stored.name

    def _change(self, operation, error_var: str, form_id: str | None = None):
        _, refusal = self._perform(operation, error_var=error_var)
        if form_id in (AGREEMENT_FORM, VERSION_FORM):  # a chosen file is read once: choose again
            self._forget_file()
        if refusal is not None:
            return refusal
        self._refresh()
        return [clear_form(form_id), rx.toast.success("Saved.")] if form_id else None

    @rx.event
    def create_agreement(self, form: dict):
        return self._change(
            lambda session, *, actor: onboarding.create(
                session,
                actor=actor,
                title=form_value(form, "title"),
                partner_type_id=form_value(form, "partner_type_id"),
                partner_tier_id=form_value(form, "partner_tier_id"),
                text=form_value(form, "text"),
                upload_key=self._upload or None,
                file_name=self.upload_name,
            ),
            "agreement_error",
            AGREEMENT_FORM,
        )

    @rx.event
    def publish_version(self, form: dict):
        """A new version of an agreement: every partner is asked to sign again."""
        return self._change(
            lambda session, *, actor: onboarding.publish(
                session,
                actor=actor,
                agreement_id=form_value(form, "agreement_id"),
                text=form_value(form, "text"),
                upload_key=self._upload or None,
                file_name=self.upload_name,
            ),
            "agreement_error",
            VERSION_FORM,
        )

    @rx.event
    def archive_agreement(self, agreement_id: str):
        if self.signatures_of == agreement_id:
            self.signatures, self.signatures_of = [], ""
        return self._change(
            lambda session, *, actor: onboarding.archive(
                session, actor=actor, agreement_id=agreement_id
            ),
            "agreement_error",
        )

    @rx.event
    def show_signatures(self, agreement_id: str):
        """List who signed which version of one agreement."""
        self.signatures_of = agreement_id if isinstance(agreement_id, str) else ""
        _, refusal = self._perform(self._read_signatures)
        if refusal is not None:
            self.signatures, self.signatures_of = [], ""
        return refusal

    @rx.event
    def set_hold(self, hold: bool):
        return self._change(
            lambda session, *, actor: onboarding.set_holding(session, actor=actor, hold=hold),
            "agreement_error",
        )

    @rx.event
    def add_step(self, form: dict):
        return self._change(
            lambda session, *, actor: onboarding.add_step(
                session,
                actor=actor,
                kind=form_value(form, "kind"),
                title=form_value(form, "title"),
                url=form_value(form, "url"),
                partner_type_id=form_value(form, "partner_type_id"),
            ),
            "step_error",
            STEP_FORM,
        )

    @rx.event
    def remove_step(self, step_id: str):
        return self._change(
            lambda session, *, actor: onboarding.remove_step(session, actor=actor, step_id=step_id),
            "step_error",
        )


def _options(session, actor, kind: TermKind) -> list[Option]:
    return [
        {"id": str(t.id), "name": t.name}
        for t in catalog.terms(session, actor=actor, kind=kind)
        if not t.archived
    ]
