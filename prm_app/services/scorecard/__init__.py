"""The two-sided scorecard: the provider's service figures and each partner's figures over the
last 90 days (figures), and the records behind each figure (drill)."""

from .drill import BOOKS, DRILLS, Drill, DrillRow, records
from .figures import (
    WINDOW_DAYS,
    Figure,
    PartnerFigures,
    ServiceFigures,
    currency,
    hours_text,
    money_text,
    partner_figures,
    providers,
    service_figures,
    share_text,
)

__all__ = [
    "BOOKS",
    "DRILLS",
    "WINDOW_DAYS",
    "Drill",
    "DrillRow",
    "Figure",
    "PartnerFigures",
    "ServiceFigures",
    "currency",
    "hours_text",
    "money_text",
    "partner_figures",
    "providers",
    "records",
    "service_figures",
    "share_text",
]
