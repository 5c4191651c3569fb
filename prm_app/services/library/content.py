"""What a library file is: read from its bytes, never from its name or the browser's word.

Accepted: PDF, PNG, JPEG, GIF, WebP, Office documents (Word, Excel, PowerPoint: zip packages
holding their parts), MP4 video and plain UTF-8 text (CSV too). The name's extension must agree
with the type read (a "brochure.pdf" holding an image or a page of HTML is refused), and markup
(HTML, SVG, XML) is refused even when it is text: it is never served back to a browser.
"""

import io
import zipfile

from ..core import inputs, upload_store
from ..core.errors import Invalid

MAX_FILE = 20 * 1024 * 1024
TOO_BIG = f"The file must be at most {MAX_FILE // (1024 * 1024)} MB."
NOT_ALLOWED = (
    "Upload a PDF, an image (PNG, JPEG, GIF, WebP), an Office document, an MP4 video or a "
    "plain text file."
)
MISMATCH = "The file's content is not what its name says: choose the real file."

PDF, PNG, JPEG, GIF, WEBP = "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"
MP4, TEXT = "video/mp4", "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The extensions a name may carry for each type ("" when the name has none).
EXTENSIONS = {
    PDF: {"pdf"},
    PNG: {"png"},
    JPEG: {"jpg", "jpeg"},
    GIF: {"gif"},
    WEBP: {"webp"},
    MP4: {"mp4", "m4v"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    PPTX: {"pptx"},
    TEXT: {"txt", "csv", "md", "text"},
}
_OFFICE = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")


def media_type(content: bytes) -> str:
    """The type read from the bytes; Invalid for anything not accepted."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return WEBP
    if content[4:8] == b"ftyp":
        return MP4
    if head.startswith(b"PK\x03\x04"):
        return _office(content)
    return _text(content)


def _office(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError):
        raise Invalid(NOT_ALLOWED, field="file") from None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    raise Invalid(NOT_ALLOWED, field="file")


def _text(content: bytes) -> str:
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(NOT_ALLOWED, field="file") from None
    start = decoded.lstrip("\ufeff \t\r\n")[:20].lower().encode()
    if not decoded.strip() or not inputs.storable(decoded) or start.startswith(_MARKUP):
        raise Invalid(NOT_ALLOWED, field="file")
    return TEXT


def clean_name(file_name: object) -> str:
    name = file_name if isinstance(file_name, str) else ""
    name = "".join(c for c in name.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
    return name.strip()[:200] or "file"


def checked(content: bytes, file_name: str) -> str:
    """The file's type, read from its bytes and agreeing with its name's extension."""
    if len(content) > MAX_FILE:
        raise Invalid(TOO_BIG, field="file")
    kind = media_type(content)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension and extension not in EXTENSIONS[kind]:
        raise Invalid(MISMATCH, field="file")
    return kind


def from_upload(upload_key: object, file_name: object) -> tuple[bytes, str, str]:
    """(bytes, type, name) of a file kept in the private upload store, which is then dropped."""
    if not isinstance(upload_key, str) or not upload_key:
        raise Invalid("Choose the file to add.", field="file")
    with upload_store.open_upload(upload_key) as stored:
        content = stored.read(MAX_FILE + 1)
    upload_store.discard(upload_key)
    name = clean_name(file_name)
    return content, checked(content, name), name
