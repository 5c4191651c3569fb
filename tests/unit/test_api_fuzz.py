"""Schema-driven fuzzing of the REST API (schemathesis): every operation of the OpenAPI
document, with valid and invalid data generated from it, sent with a valid key of a provider
and of a consultant over the real services. No server error, and every response conforms to the
document (status code, content type, body schema, headers); invalid data is rejected."""

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from prm_app.models import OrgKind
from prm_app.services.identity import auth
from tests.support import report
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import org_admin, partners

EXAMPLES = 15  # per operation, generation mode and key
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_every_operation_survives_generated_requests(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    keys = [key_for(session, provider), key_for(session, consultant)]
    app = client_over(session).app
    schema = from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # 17 + POST /deals/check + withdraw and resubmit + the four of protection extensions
    assert len(operations) == 28
    ran: dict[str, int] = {}

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for headers in keys:
                ran[operation.label] = ran.get(operation.label, 0) + _fuzz(operation, mode, headers)
    assert set(ran) == {operation.label for operation in operations}
    report(f"schemathesis: {len(ran)} operations, {sum(ran.values())} cases")


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Send EXAMPLES generated requests to one operation and check each response; returns how
    many were sent."""
    checks = [*CHECKS, negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS
    sent = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks)
        sent.append(response.status_code)

    run()
    return len(sent)
