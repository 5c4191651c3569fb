"""Builds the app and registers its pages. Nothing else."""

import reflex as rx

from . import database, routes  # noqa: F401 - importing database configures the services' engine
from .heap import tune_garbage_collector
from .http_api import api
from .jobs import run_jobs
from .models.schema_compare import filter_reflex_autogenerate
from .pages import (
    account,
    applications,
    audit,
    commissions,
    dashboard,
    deal_detail,
    deals,
    funds,
    imports,
    join,
    lead_detail,
    library,
    notifications,
    onboarding,
    partner_detail,
    partners,
    password_reset,
    privacy,
    providers,
    received_leads,
    scorecard,
    security,
    sent_leads,
    settings,
    sign_in,
    sign_up,
    team,
    verify_email,
)
from .settings import check as check_settings
from .state import upload_guard
from .state.account import AccountState
from .state.account_email import AccountEmailState
from .state.account_password import AccountPasswordState
from .state.account_sessions import AccountSessionsState
from .state.account_two_factor import AccountTwoFactorState
from .state.applications import ApplicationsState
from .state.audit import AuditState
from .state.auth import AuthState
from .state.base import AppState, SessionGuard
from .state.commissions import CommissionsState
from .state.dashboards import DashboardState
from .state.deals import DealDetailState, DealsState
from .state.funds import FundsState
from .state.imports import ImportState
from .state.leads import LeadDetailState, ReceivedLeadsState, SentLeadsState
from .state.library import LibraryState
from .state.live import publishing
from .state.locator_listing import LocatorListingState
from .state.notifications import NotificationsState
from .state.onboarding_settings import OnboardingSettingsState
from .state.partner_detail import PartnerDetailState
from .state.partner_onboarding import PartnerOnboardingState
from .state.partner_tiers import PartnerTiersState
from .state.partners import PartnersState
from .state.password_reset import PasswordResetState
from .state.privacy import PrivacyState
from .state.providers import ProvidersState
from .state.record_funds import RecordFundsState
from .state.scorecard import ScorecardState
from .state.security import SecurityState
from .state.security_events import SecurityEventsState
from .state.security_policy import SecurityPolicyState
from .state.security_sessions import SecuritySessionsState
from .state.settings import SettingsState
from .state.team import TeamState
from .state.verification import VerifyEmailState
from .worker_presence import keep_worker_present

check_settings()  # a bad PRM_* value stops the app here, naming the variable
filter_reflex_autogenerate()  # before `reflex run`/`reflex db` compare models and database

app = rx.App(
    api_transformer=[api, upload_guard.UploadGuard], stylesheets=["/app.css", "/kanban.css"]
)
app.add_middleware(SessionGuard(), index=0)
app.register_lifespan_task(tune_garbage_collector)  # first: the app is built
app.register_lifespan_task(publishing)  # before the jobs: their changes are published too
app.register_lifespan_task(run_jobs)
app.register_lifespan_task(keep_worker_present)


def _index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh", aria_label="Loading")


def _title(name: str) -> str:
    return f"{name} · PRM"


app.add_page(_index, route=routes.INDEX, title="PRM", on_load=AppState.route_home)
app.add_page(
    sign_in.page,
    route=routes.LOGIN,
    title=_title("Sign in"),
    on_load=[AuthState.load_login, AuthState.bind_browser],
)
app.add_page(
    sign_up.page,
    route=routes.SIGNUP,
    title=_title("Create your organization"),
    on_load=[AuthState.load_login, AuthState.bind_browser],
)
app.add_page(
    join.page,
    route=routes.JOIN,
    title=_title("Join your team"),
    on_load=[AuthState.load_invite, AuthState.bind_browser],
)
app.add_page(
    verify_email.page,
    route=routes.VERIFY_EMAIL,
    title=_title("Confirm your email address"),
    on_load=VerifyEmailState.load,
)
app.add_page(
    password_reset.forgot_page,
    route=routes.FORGOT_PASSWORD,
    title=_title("Forgot password"),
    on_load=PasswordResetState.load_forgot,
)
app.add_page(
    password_reset.reset_page,
    route=routes.RESET_PASSWORD,
    title=_title("Choose a new password"),
    on_load=PasswordResetState.load_reset,
)
app.add_page(team.page, route=routes.TEAM, title=_title(team.TITLE), on_load=TeamState.load)
# Each section of these two pages adds its own on_load to the list.
app.add_page(
    account.page,
    route=routes.ACCOUNT,
    title=_title(account.TITLE),
    on_load=[
        AccountState.load,
        AccountEmailState.load,
        AccountPasswordState.load,
        AccountTwoFactorState.load,
        AccountSessionsState.load,
    ],
)
app.add_page(
    security.page,
    route=routes.SECURITY,
    title=_title(security.TITLE),
    on_load=[
        SecurityState.load,
        SecurityPolicyState.load,
        SecuritySessionsState.load,
        SecurityEventsState.load,
    ],
)
app.add_page(
    notifications.page,
    route=routes.NOTIFICATIONS,
    title=_title(notifications.TITLE),
    on_load=NotificationsState.load,
)

# Dynamic routes first (see Reflex's dynamic routing notes).
for page, route, on_load in [
    (
        lead_detail.consultant_lead,
        routes.Consultant.LEAD,
        [LeadDetailState.load_consultant, RecordFundsState.load_lead],
    ),
    (lead_detail.consultant_referral, routes.Consultant.REFERRAL, LeadDetailState.load_consultant),
    (lead_detail.provider_lead, routes.Provider.LEAD, LeadDetailState.load_provider),
    (lead_detail.provider_referral, routes.Provider.REFERRAL, LeadDetailState.load_provider),
]:
    app.add_page(page, route=route, title=_title("Lead details"), on_load=on_load)
app.add_page(
    partner_detail.provider_page,
    route=routes.Provider.PARTNER,
    title=_title("Partnership"),
    on_load=[
        PartnerDetailState.load_provider,
        PartnerOnboardingState.load_provider,
        PartnerTiersState.load_provider,
    ],
)
app.add_page(
    partner_detail.consultant_page,
    route=routes.Consultant.PROVIDER,
    title=_title("Partnership"),
    on_load=[
        PartnerDetailState.load_consultant,
        LocatorListingState.load,
        PartnerOnboardingState.load_consultant,
        PartnerTiersState.load_consultant,
    ],
)
app.add_page(
    deal_detail.provider_page,
    route=routes.Provider.DEAL,
    title=_title("Deal"),
    on_load=DealDetailState.load_provider,
)
app.add_page(
    deal_detail.consultant_page,
    route=routes.Consultant.DEAL,
    title=_title("Deal"),
    on_load=[DealDetailState.load_consultant, RecordFundsState.load_deal],
)

for page, route, title, on_load in [
    (partners.page, routes.Provider.PARTNERS, partners.TITLE, PartnersState.load),
    (
        applications.page,
        routes.Provider.APPLICATIONS,
        applications.TITLE,
        ApplicationsState.load,
    ),
    (settings.provider_page, routes.Provider.SETTINGS, settings.TITLE, SettingsState.load),
    (privacy.provider_page, routes.Provider.PRIVACY, privacy.TITLE, PrivacyState.load_provider),
    (
        privacy.consultant_page,
        routes.Consultant.PRIVACY,
        privacy.TITLE,
        PrivacyState.load_consultant,
    ),
    (onboarding.page, routes.Provider.ONBOARDING, onboarding.TITLE, OnboardingSettingsState.load),
    (library.provider_page, routes.Provider.LIBRARY, library.TITLE, LibraryState.load_provider),
    (
        library.consultant_page,
        routes.Consultant.LIBRARY,
        library.TITLE,
        LibraryState.load_consultant,
    ),
    (received_leads.provider_page, routes.Provider.LEADS, "Leads", ReceivedLeadsState.load_leads),
    (
        sent_leads.provider_page,
        routes.Provider.REFERRALS,
        "Referrals",
        SentLeadsState.load_referrals,
    ),
    (sent_leads.consultant_page, routes.Consultant.LEADS, "Leads", SentLeadsState.load_leads),
    (
        received_leads.consultant_page,
        routes.Consultant.REFERRALS,
        "Referrals",
        ReceivedLeadsState.load_referrals,
    ),
    (providers.page, routes.Consultant.PROVIDERS, providers.TITLE, ProvidersState.load),
    (settings.consultant_page, routes.Consultant.SETTINGS, settings.TITLE, SettingsState.load),
    (dashboard.provider_page, routes.Provider.DASHBOARD, "Dashboard", DashboardState.load_provider),
    (
        dashboard.consultant_page,
        routes.Consultant.DASHBOARD,
        "Dashboard",
        DashboardState.load_consultant,
    ),
    (
        commissions.provider_page,
        routes.Provider.COMMISSIONS,
        "Commissions",
        CommissionsState.load_provider,
    ),
    (
        commissions.consultant_page,
        routes.Consultant.COMMISSIONS,
        "Commissions",
        CommissionsState.load_consultant,
    ),
    (funds.provider_page, routes.Provider.FUNDS, funds.TITLE, FundsState.load_provider),
    (funds.consultant_page, routes.Consultant.FUNDS, funds.TITLE, FundsState.load_consultant),
    (
        scorecard.provider_page,
        routes.Provider.SCORECARD,
        scorecard.TITLE,
        ScorecardState.load_provider,
    ),
    (
        scorecard.consultant_page,
        routes.Consultant.SCORECARD,
        scorecard.TITLE,
        ScorecardState.load_consultant,
    ),
    (audit.page, routes.Provider.AUDIT, audit.TITLE, AuditState.load),
    (audit.page, routes.Consultant.AUDIT, audit.TITLE, AuditState.load),
    (deals.provider_page, routes.Provider.DEALS, "Deals", DealsState.load_provider),
    (deals.consultant_page, routes.Consultant.DEALS, "Deals", DealsState.load_consultant),
    (imports.leads_page, routes.Consultant.LEADS_IMPORT, "Import leads", ImportState.load_leads),
    (
        imports.referrals_page,
        routes.Provider.REFERRALS_IMPORT,
        "Import referrals",
        ImportState.load_referrals,
    ),
    (
        imports.provider_deals_page,
        routes.Provider.DEALS_IMPORT,
        "Import deals",
        ImportState.load_provider_deals,
    ),
    (
        imports.consultant_deals_page,
        routes.Consultant.DEALS_IMPORT,
        "Import deals",
        ImportState.load_consultant_deals,
    ),
]:
    app.add_page(page, route=route, title=_title(title), on_load=on_load)
