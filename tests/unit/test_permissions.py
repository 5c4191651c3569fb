"""The booleans the pages use to grey out controls say exactly what the services allow: a
control is enabled for a role if and only if the service behind it accepts that role."""

import pytest

from prm_app.models import OrgKind, Role
from prm_app.services import catalog, partnerships
from prm_app.services.core import permissions
from prm_app.services.core.errors import NotAllowed
from prm_app.services.identity import api_keys
from tests.unit.factories import colleague, org_admin, unique_email


def _allowed(operation) -> bool:
    try:
        operation()
    except NotAllowed:
        return False
    return True


@pytest.mark.parametrize(
    ("role", "administer", "manage"),
    [(Role.ADMIN, True, True), (Role.MANAGER, False, True), (Role.MEMBER, False, False)],
)
def test_each_role_is_allowed_what_the_services_accept(session, role, administer, manage):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    actor = admin if role == Role.ADMIN else colleague(session, admin, role=role)

    allowed = permissions.of(actor)

    assert (allowed.administer, allowed.manage) == (administer, manage)
    # administer: Settings, API keys
    assert (
        _allowed(
            lambda: catalog.add_term(session, actor=actor, kind="partner_tier", name=f"T {role}")
        )
        == administer
    )
    assert _allowed(lambda: api_keys.list_keys(session, actor=actor)) == administer
    # manage: partnerships (invite a firm)
    assert (
        _allowed(lambda: partnerships.invite(session, actor=actor, email=unique_email("firm")))
        == manage
    )


def test_the_tooltips_name_who_can():
    assert "administrators" in permissions.ADMINS_ONLY
    assert "managers" in permissions.MANAGERS_ONLY
