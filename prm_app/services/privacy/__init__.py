"""Data governance: personal-data requests (find, export, erase a person, and the erasure
requests passed to the other organizations holding a copy), consent and retention settings,
and the retention sweep stripping closed leads' contact details.

Submodules: records (the one match of a person in an organization), export, erase, requests,
settings, retention.
"""

from .erase import ERASED, Erasure, erase
from .export import Record, Report, export, find, to_csv, to_json
from .records import Person, person
from .requests import RequestView, decide, pending_count, requests_of
from .settings import PrivacySettings, privacy_settings, set_privacy

__all__ = [
    "ERASED",
    "Erasure",
    "Person",
    "PrivacySettings",
    "Record",
    "Report",
    "RequestView",
    "decide",
    "erase",
    "export",
    "find",
    "pending_count",
    "person",
    "privacy_settings",
    "requests_of",
    "set_privacy",
    "to_csv",
    "to_json",
]
