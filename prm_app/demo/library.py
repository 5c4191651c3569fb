"""Northwind's content library: a folder, a file for every partner, a price list for Gold
partners only (Fabrikam, not Tailspin), a link, a draft no one sees, and one download."""

from ..models import TermKind
from ..services import library
from ..services.core import upload_store
from .context import Demo

OVERVIEW = b"%PDF-1.4\n% Northwind Software product overview\n%%EOF\n"
PRICES = b"Product,List price,Gold partner price\nERP Core,12000,9600\nERP Cloud,900,720\n"


def _upload(content: bytes) -> str:
    key, handle = upload_store.create()
    with handle:
        handle.write(content)
    return key


def create_library(demo: Demo) -> None:
    northwind = demo.actor("northwind")
    session = demo.session
    folder = library.add_folder(session, actor=northwind, name="Sales kit")
    library.add_file(
        session,
        actor=northwind,
        title="Product overview",
        upload_key=_upload(OVERVIEW),
        file_name="northwind-overview.pdf",
        description="What Northwind ERP does, in two pages.",
        tags="sales, overview",
        folder_id=folder,
        audience="everyone",
    )
    gold = demo.term("northwind", TermKind.PARTNER_TIER, "Gold")
    prices = library.add_file(
        session,
        actor=northwind,
        title="Gold partner price list",
        upload_key=_upload(PRICES),
        file_name="gold-prices.csv",
        tags="pricing",
        folder_id=folder,
        audience="tiers",
        audience_ids=[gold],
    )
    library.add_link(
        session,
        actor=northwind,
        title="Product tour video",
        url="https://northwind.example/partners/tour",
        tags="video, demo",
        audience="everyone",
    )
    library.add_link(
        session,
        actor=northwind,
        title="2027 roadmap (draft)",
        url="https://northwind.example/roadmap-2027",
        tags="roadmap",
    )
    library.download(session, actor=demo.actor("fabrikam"), item_id=prices)
