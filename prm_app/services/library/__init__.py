"""The content library (issue 27): a provider's files and links, in folders, each shown to an
audience of its partners (services.library.audience is the one rule), downloads logged."""

from .audience import Reach, admits, reaches, sizes
from .browse import (
    Download,
    FolderView,
    ItemView,
    download,
    folders,
    partner_items,
    partner_names,
    provider_items,
)
from .content import MAX_FILE, TOO_BIG
from .items import AUDIENCES, add_file, add_folder, add_link, archive, own, require_editor, update

__all__ = [
    "AUDIENCES",
    "MAX_FILE",
    "TOO_BIG",
    "Download",
    "FolderView",
    "ItemView",
    "Reach",
    "add_file",
    "add_folder",
    "add_link",
    "admits",
    "archive",
    "download",
    "folders",
    "own",
    "partner_items",
    "partner_names",
    "provider_items",
    "reaches",
    "require_editor",
    "sizes",
    "update",
]
