"""Reflex configuration. Every field can be overridden by a REFLEX_<FIELD> environment variable."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from prm_app import settings

config = rx.Config(
    app_name="prm_app",
    # SQLite embedded by default; production sets REFLEX_DB_URL=postgresql+psycopg://...
    db_url=os.environ.get("REFLEX_DB_URL", "sqlite:///prm.db"),
    telemetry_enabled=False,
    # Also the websocket's Origin check: only these origins' pages may connect (see settings).
    cors_allowed_origins=settings.origins(settings.check()),
    # X-Forwarded-For entries from the right that come from trusted proxies (prm_app/client_address.py).
    trusted_proxy_hops=settings.current().trusted_proxy_hops,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
)
