"""The partner program's public side: applications to become a partner (from the provider's
public page to its review queue), the partner locator, and their settings."""

from .applications import (
    ApplicationView,
    ApplyPage,
    applicant_fields,
    apply_page,
    approve,
    confirm,
    duplicates,
    queue,
    reject,
    submit,
)
from .locator import (
    ListingForm,
    LocatorPage,
    PublicPartner,
    contact,
    contact_page,
    locator_page,
    my_listing,
    save_listing,
)
from .settings import ProgramSettings, open_program, program_settings, set_program

__all__ = [
    "ApplicationView",
    "ApplyPage",
    "ListingForm",
    "LocatorPage",
    "ProgramSettings",
    "PublicPartner",
    "applicant_fields",
    "apply_page",
    "approve",
    "confirm",
    "contact",
    "contact_page",
    "duplicates",
    "locator_page",
    "my_listing",
    "open_program",
    "program_settings",
    "queue",
    "reject",
    "save_listing",
    "set_program",
    "submit",
]
