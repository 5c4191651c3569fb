"""The versioned REST API (FastAPI), mounted at /api/v1 beside the app's other HTTP routes.

Authenticated by an organization's API key (Authorization: Bearer prm_...); every route calls
the same services as the UI with the key's actor, so it has exactly the UI's permissions.
OpenAPI document: /api/v1/openapi.json; interactive docs at /api/v1/docs (Swagger UI) and
/api/v1/redoc (ReDoc), whose scripts the app serves itself (no CDN: they work offline).

Custom fields: leads, referrals, deals and partnerships carry a `custom` object of the values the
key's organization may see, by each field's API name (GET /custom-fields lists them, with their
types and options); POST bodies take one, and PATCH changes only the fields it names.
"""

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel

from ..services.integrations import idempotency
from . import custom, deals, extensions, leads, partners
from .admission import Admission
from .core import ERRORS, HANDLERS, Caller, known_query

PREFIX = "/api/v1"
DOCS, REDOC, DOCS_ASSETS = "/docs", "/redoc", "/docs-assets"


class Me(BaseModel):
    org_id: int
    org_name: str
    org_kind: str
    role: str
    acting_user: str


def create_app() -> FastAPI:
    app = FastAPIOffline(
        docs_url=DOCS,
        redoc_url=REDOC,
        static_url=DOCS_ASSETS,
        title="PRM portal API",
        version="1.0.0",
        description=__doc__,
        exception_handlers=HANDLERS,
        dependencies=[Depends(known_query)],
    )
    app.add_middleware(Admission, public=lambda path: _public(app, path))
    for router in (leads.router, deals.router, extensions.router, partners.router, custom.router):
        app.include_router(router)
    _document_retries(app)

    @app.get("/me", response_model=Me, responses=ERRORS, tags=["account"])
    def me(actor: Caller) -> Me:
        """Who the key acts as: its organization and role."""
        return Me(
            org_id=actor.org_id,
            org_name=actor.org_name,
            org_kind=actor.org_kind,
            role=actor.role,
            acting_user=actor.name,
        )

    return app


def _document_retries(app: FastAPI) -> None:
    """Every write takes an Idempotency-Key (read by rest_api.admission, before any route):
    said once here, in the OpenAPI document, for clients and their generators."""
    parameter = {
        "name": idempotency.HEADER,
        "in": "header",
        "required": False,
        "description": "Retry safely: the first response to this key is replayed for 24 hours "
        "(another body with the same key: 422). " + idempotency.BAD_KEY,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    }
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            for operations in generate()["paths"].values():
                for method in ("post", "patch"):
                    if method in operations:
                        operations[method].setdefault("parameters", []).append(parameter)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _public(app: FastAPI, path: str) -> bool:
    """The documentation, its assets and the OpenAPI document are readable without a key."""
    pages = {app.openapi_url, DOCS, REDOC, app.swagger_ui_oauth2_redirect_url}
    return path in pages or path.startswith(DOCS_ASSETS + "/")


rest_api = create_app()
