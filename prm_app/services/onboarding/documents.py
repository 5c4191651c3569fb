"""What an agreement's text is: written on the page, or an uploaded file read from the private
upload store, whose type (PDF or UTF-8 text) is read from its content, never from its name."""

from ..core import inputs, upload_store
from ..core.errors import Invalid

MAX_TEXT = 100_000
MAX_FILE = 5 * 1024 * 1024
TEXT, PDF = "text/plain", "application/pdf"
NOT_A_DOCUMENT = "Upload a PDF or a plain text file (UTF-8)."
TOO_BIG = f"The file must be at most {MAX_FILE // (1024 * 1024)} MB."


def content(text: object, upload_key: object, file_name: object) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of a written text or of an uploaded file, whose type is
    read from its content, never from its name."""
    if upload_key in (None, ""):
        body = inputs.text(text, field="text", label="The agreement's text", max_len=MAX_TEXT)
        return body.encode(), TEXT, ""
    name = file_name if isinstance(file_name, str) else ""
    with upload_store.open_upload(str(upload_key)) as stored:
        content = stored.read(MAX_FILE + 1)
    upload_store.discard(str(upload_key))
    if len(content) > MAX_FILE:
        raise Invalid(TOO_BIG, field="file")
    return content, media_type(content), name.strip()[:200]


def media_type(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return PDF
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(NOT_A_DOCUMENT, field="file") from None
    if not decoded.strip() or not inputs.storable(decoded):
        raise Invalid(NOT_A_DOCUMENT, field="file")
    return TEXT
