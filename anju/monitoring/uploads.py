"""Uploaded files. What one is, by its first bytes (a name or a browser's content type can lie):
step attachments take photos and PDF scans, visit photos only photos."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

JPEG, PNG, PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"
PHOTOS = (JPEG, PNG)
PHOTOS_AND_PDF = (JPEG, PNG, PDF)


def is_one_of(upload, kinds: tuple[bytes, ...]) -> bool:
    head = upload.read(8)
    upload.seek(0)
    return head.startswith(kinds)


@contextmanager
def on_disk(upload) -> Iterator[str]:
    """An uploaded sheet written to a temporary file (the sheet reader's child process opens it
    by name), removed afterwards."""
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower()) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield handle.name
