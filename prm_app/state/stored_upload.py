"""One uploaded file streamed into the private store (services.core.upload_store), refused once
it grows past its limit: the browser's limit is only a courtesy. Shared by the pages that take
one file (agreements, the content library)."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from ..services.core import upload_store


@dataclass(frozen=True, slots=True)
class Stored:
    key: str  # the private file's key ("" when refused: nothing kept)
    name: str  # the file's name as the browser gave it (shortened)
    refusal: str  # why it was refused ("" when stored)


async def store_one(
    chunks: rx.UploadChunkIterator, *, limit: int, too_big: str, none: str, default_name: str
) -> Stored:
    """Stream the upload's one file into a new private file; refuse a second file, a file over
    `limit` bytes (`too_big`) or no file at all (`none`). A browser gone mid-upload keeps
    nothing."""
    key, handle = await asyncio.to_thread(upload_store.create)
    received, names, refusal = 0, set(), ""
    try:
        async for chunk in chunks:
            names.add(chunk.filename)
            received += len(chunk.data)
            if len(names) > 1:
                refusal = "Choose one file."
            elif received > limit:
                refusal = too_big
            if refusal:
                break
            await asyncio.to_thread(handle.write, chunk.data)
    except BaseException:
        upload_store.discard(key)
        raise
    finally:
        handle.close()
    if refusal or not names:
        upload_store.discard(key)
        return Stored("", "", refusal or none)
    return Stored(key, str(next(iter(names)) or default_name)[:200], "")
