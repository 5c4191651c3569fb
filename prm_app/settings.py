"""Every PRM_* setting, read from the environment and validated in one place (pydantic-settings).

`current()` is what the code reads; the app validates it once at start-up (`check()`), so a bad
value stops it with a message naming the variable instead of failing at the first sign-in. A
change of the environment (a test's monkeypatch) is seen at the next `current()`.
"""

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "PRM_"
Seconds = Annotated[float, Field(ge=0.1, le=86_400)]


class Settings(BaseSettings):
    """The environment's PRM_* variables, typed; an unset or empty one takes the default."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    # Web and security
    # The origins whose pages may call the backend (websocket, uploads, sign-in), comma-separated;
    # empty: the development frontend's own (see `origins`). rxconfig.py and http_api.py read it.
    allowed_origins: str = ""
    secure_cookies: bool = False
    # Reverse proxies in front of the backend that append the client to X-Forwarded-For (the
    # Caddyfile's: 1). The client is the entry that many from the right; 0 ignores the header.
    trusted_proxy_hops: Annotated[int, Field(ge=0, le=5)] = 0
    signin_max_per_email: Annotated[int, Field(ge=1)] = 5
    signin_max_per_ip: Annotated[int, Field(ge=1)] = 50
    # Mail and webhooks
    base_url: str = Field(default="http://localhost:3000", pattern=r"^https?://\S+$")
    mail_from: str = "PRM <no-reply@prm.localhost>"
    mail_dir: Path = Path("var/mail")
    smtp_host: str = ""
    smtp_port: Annotated[int, Field(ge=1, le=65_535)] | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_retry_seconds: Seconds = 60.0
    webhook_retry_seconds: Seconds = 30.0
    webhooks_allow_private: bool = False
    # Background jobs and retention
    sweep_seconds: Annotated[float, Field(ge=0.5, le=86_400)] = 60.0
    mail_seconds: Annotated[float, Field(ge=0.5, le=86_400)] = 5.0
    webhook_seconds: Annotated[float, Field(ge=0.5, le=86_400)] = 5.0
    retention_days: Annotated[int, Field(ge=1)] = 30
    audit_retention_days: Annotated[int, Field(ge=1)] = 400  # the audit log (activity trail)
    # Imports
    upload_dir: Path | None = None
    # None: the limits of services/imports/files.py (512 MB, 1,000,000 rows)
    import_max_bytes: Annotated[int | None, Field(ge=1)] = None
    import_max_rows: Annotated[int | None, Field(ge=1)] = None
    # The production launcher (python -m prm_app.serve)
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65_535)] = 8000
    workers: Annotated[int, Field(ge=1, le=64)] = 2
    serve_frontend: bool = False


class InvalidSettings(ValueError):
    """A PRM_* variable holds a value the app cannot use; the message names it."""


def current() -> Settings:
    """The settings of the environment as it is now."""
    return _parse(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX))))


DEV_FRONTEND_PORT = "3000"


def origins(configured: Settings | None = None) -> list[str]:
    """The allowed origins: PRM_ALLOWED_ORIGINS, or in development the frontend `make run`
    serves (REFLEX_FRONTEND_PORT, default 3000) under both names of this machine."""
    listed = (configured or current()).allowed_origins
    if listed:
        return [origin.strip().rstrip("/") for origin in listed.split(",") if origin.strip()]
    port = os.environ.get("REFLEX_FRONTEND_PORT") or DEV_FRONTEND_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def check() -> Settings:
    """At start-up: the settings, or SystemExit with every bad variable named."""
    try:
        return current()
    except InvalidSettings as error:
        raise SystemExit(f"Cannot start: {error}") from None


@cache
def _parse(environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSettings(_explain(error, dict(environment))) from None


def _explain(error: ValidationError, environment: dict[str, str]) -> str:
    problems = []
    for problem in error.errors():
        name = PREFIX + str(problem["loc"][0]).upper()
        problems.append(f"{name}={environment.get(name, '')!r}: {problem['msg']}")
    return "; ".join(problems)
