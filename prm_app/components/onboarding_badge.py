"""A partnership's onboarding progress on the lists of either side ("Onboarding 3 of 5")."""

from typing import Any

import reflex as rx


def onboarding_badge(row: Any) -> rx.Component:
    """`row` is a partnership row var with an "onboarding" key ("" without a checklist)."""
    progress = row["onboarding"]
    return rx.cond(progress != "", rx.badge(f"Onboarding {progress}", variant="outline"))
