"""Who may do what, by role: the one table behind the services' checks and the pages' controls.

The services refuse with `Actor.require_admin()` and `partnerships.require_manager()`, both
reading the same two properties of the actor as `of()` below. The states expose `of(actor)` as
booleans computed from the server-side session, so a page can grey out what the viewer may not
use and say who can; the services keep refusing whatever the page shows.
"""

from dataclasses import dataclass

from .actor import Actor

# Tooltips of a control the viewer may not use: who can.
ADMINS_ONLY = "Only your organization's administrators can do this."
MANAGERS_ONLY = "Only your organization's administrators and managers can do this."


@dataclass(frozen=True, slots=True)
class Permissions:
    """What the actor's role allows, beyond records they own."""

    # Settings (vocabulary, pipelines, program rules), API keys, webhooks, the team, security.
    administer: bool
    # Partnerships (invite, answer, categorize, end), payout decisions, others' imports.
    manage: bool


def of(actor: Actor) -> Permissions:
    """The actor's permissions: admins administer; admins and managers manage."""
    return Permissions(administer=actor.is_admin, manage=actor.sees_all)
