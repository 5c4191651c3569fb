"""Builds the app and registers its pages. Nothing else."""

import reflex as rx

from . import routes
from .http_api import api
from .pages import join, sign_in, sign_up, team
from .pages.consultant import deals as c_deals
from .pages.consultant import leads as c_leads
from .pages.consultant import providers as c_providers
from .pages.consultant import referrals as c_referrals
from .pages.consultant import settings as c_settings
from .pages.provider import deals as p_deals
from .pages.provider import leads as p_leads
from .pages.provider import partners as p_partners
from .pages.provider import referrals as p_referrals
from .pages.provider import settings as p_settings
from .state.auth import AuthState
from .state.base import AppState, SessionGuard
from .state.portal import PortalState
from .state.team import TeamState

app = rx.App(api_transformer=api)
app.add_middleware(SessionGuard(), index=0)


def _index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh", aria_label="Loading")


app.add_page(_index, route=routes.INDEX, title="PRM", on_load=AppState.route_home)
app.add_page(sign_in.page, route=routes.LOGIN, title="Sign in · PRM", on_load=AuthState.load_login)
app.add_page(
    sign_up.page,
    route=routes.SIGNUP,
    title="Create your organization · PRM",
    on_load=AuthState.load_login,
)
app.add_page(
    join.page, route=routes.JOIN, title="Join your team · PRM", on_load=AuthState.load_invite
)
app.add_page(team.page, route=routes.TEAM, title="Team · PRM", on_load=TeamState.load)

for module, route in [
    (c_leads, routes.Consultant.LEADS),
    (c_referrals, routes.Consultant.REFERRALS),
    (c_providers, routes.Consultant.PROVIDERS),
    (c_deals, routes.Consultant.DEALS),
    (c_settings, routes.Consultant.SETTINGS),
]:
    app.add_page(
        module.page,
        route=route,
        title=f"{module.TITLE} · PRM",
        on_load=PortalState.enter_consultant,
    )

for module, route in [
    (p_partners, routes.Provider.PARTNERS),
    (p_leads, routes.Provider.LEADS),
    (p_referrals, routes.Provider.REFERRALS),
    (p_deals, routes.Provider.DEALS),
    (p_settings, routes.Provider.SETTINGS),
]:
    app.add_page(
        module.page, route=route, title=f"{module.TITLE} · PRM", on_load=PortalState.enter_provider
    )
