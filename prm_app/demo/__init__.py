"""Demo data: two providers, three consultant firms, their partnerships, leads, referrals and deals.

Run `python -m prm_app.demo` after `reflex db migrate`. Loading is idempotent: when the demo data
is already there nothing changes and the sign-ins are printed again.
"""

from .loader import format_sign_ins, load, main, sign_ins
from .specs import MARKER_EMAIL, ORGS, PASSWORD, ROLES

__all__ = [
    "MARKER_EMAIL",
    "ORGS",
    "PASSWORD",
    "ROLES",
    "format_sign_ins",
    "load",
    "main",
    "sign_ins",
]
