"""What an uploaded file is, by its first bytes (a name or a browser's content type can lie):
step attachments take photos and PDF scans, visit photos only photos."""

from __future__ import annotations

JPEG, PNG, PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"
PHOTOS = (JPEG, PNG)
PHOTOS_AND_PDF = (JPEG, PNG, PDF)


def is_one_of(upload, kinds: tuple[bytes, ...]) -> bool:
    head = upload.read(8)
    upload.seek(0)
    return head.startswith(kinds)
