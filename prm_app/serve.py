"""Production backend: `python -m prm_app.serve` (after `reflex db migrate`).

What `reflex run --env prod --backend-only` does, plus what production needs from it: several
Granian workers sharing state through Redis, and a worker that dies is replaced (Reflex's own
command stops the whole server when one worker exits). The tabs a dead worker held reconnect to
the others and keep their state, which lives in Redis. Configuration comes from the environment;
the README's "Production" section lists it.
"""

import os
import sys

from . import settings

REQUIRED = {
    "REFLEX_DB_URL": "postgresql+psycopg://user@host/database",
    "REFLEX_REDIS_URL": "redis://host:6379/0 (the state the workers share)",
    "REFLEX_API_URL": "the public origin the frontend was exported with",
    "PRM_ALLOWED_ORIGINS": "the public origin, e.g. https://prm.example.com",
}


def missing_settings(env: dict[str, str]) -> list[str]:
    """One line per required setting that is absent or unsafe."""
    problems = [f"{name}: set it to {hint}" for name, hint in REQUIRED.items() if not env.get(name)]
    if "*" in env.get("PRM_ALLOWED_ORIGINS", "").split(","):
        problems.append("PRM_ALLOWED_ORIGINS: '*' lets any site open a websocket; list origins")
    if env.get("REFLEX_DB_URL", "").startswith("sqlite"):
        problems.append("REFLEX_DB_URL: SQLite cannot be shared by several workers; use PostgreSQL")
    return problems


def main() -> None:
    from granian.constants import Interfaces
    from granian.server import Server
    from reflex_base import constants
    from reflex_base.environment import environment

    configured = settings.check()
    problems = missing_settings(dict(os.environ))
    if problems:
        sys.exit("Cannot start in production mode:\n  " + "\n  ".join(problems))
    if not configured.secure_cookies:
        print("warning: PRM_SECURE_COOKIES is not 1: the session cookie may travel over HTTP")

    # Inherited by the workers: production mode, the frontend is already exported.
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    # PRM_SERVE_FRONTEND=1: the backend also serves the exported build (no reverse proxy).
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(configured.serve_frontend)
    Server(
        target="prm_app.prm_app:app",
        factory=True,  # Reflex's App builds its ASGI app when called
        interface=Interfaces.ASGI,
        address=configured.host,
        port=configured.port,
        workers=configured.workers,
        respawn_failed_workers=True,
        respawn_interval=1.0,
    ).serve()


if __name__ == "__main__":
    main()
