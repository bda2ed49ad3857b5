"""Amounts in 元 and photo attachments (visits, wish fulfilments): the checks (each adds its error
under the field it concerns and returns what it read, so a service can collect every error before
refusing), storing the photos, and sending one back to a user who may see it."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from guanqing.core import text

MONEY_MAX = Decimal("999999999999.99")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 9


def money(errors: dict, field: str, value) -> Decimal:
    """An amount in 元 (blank is 0): not negative, at most two decimals."""
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        errors[field] = [_("应为金额（元）")]
        return Decimal(0)
    if not amount.is_finite() or amount < 0:
        errors[field] = [_("金额不能为负数")]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = [_("金额最多保留两位小数")]
    elif amount > MONEY_MAX:
        errors[field] = [_("金额过大")]
    return amount


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes; the client's word is not trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def sniff_pdf(head: bytes) -> tuple[str, str] | None:
    """("application/pdf", "pdf") when the file's first bytes are a PDF header, else None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    return None


def check_photos(errors: dict, photos) -> list[tuple[Any, str, str]]:
    """[(file, content type, extension)] for the acceptable photos; the others get an error under
    `photos[i]`, too many of them one under `photos`."""
    checked = []
    if len(photos) > PHOTO_MAX_COUNT:
        errors["photos"] = [
            _("最多 %(photo_max_count)s 张照片") % {"photo_max_count": PHOTO_MAX_COUNT}
        ]
        return checked
    for index, photo in enumerate(photos):
        field = f"photos[{index}]"
        name = getattr(photo, "name", "") or ""
        if photo.size > PHOTO_MAX_BYTES:
            errors[field] = [
                _("照片“%(name)s”超过 5 MB（%(size)s 字节）") % {"name": name, "size": photo.size}
            ]
            continue
        photo.seek(0)
        kind = sniff_image(photo.read(16))
        photo.seek(0)
        if kind is None:
            errors[field] = [_("“%(name)s”不是 JPEG、PNG 或 WebP 图片") % {"name": name}]
            continue
        checked.append((photo, *kind))
    return checked


def stored_file_response(row, *, cache_seconds: int = 3600):
    """Send a stored upload (a photo row with `file` and `content_type`) to a user who may see it:
    the caller has already found `row` through the scope. A file missing from the disk is a 404,
    never a 500; the browser is told not to guess the type."""
    from django.http import FileResponse, Http404

    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = f"private, max-age={cache_seconds}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@contextmanager
def stored_files():
    """The names of the files a service call stores, deleted again if the call fails: its rows
    roll back with the transaction, so its files must go too (nothing half-written).

        with stored_files() as saved:
            return _record(..., saved=saved)
    """
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def uploaded_name(photo) -> str:
    """The file name as the user uploaded it, fit to store and to show."""
    return text.strip_control(getattr(photo, "name", "") or "")[:200]


def store_photos(model, checked, saved: list[str], **parent) -> list:
    """Save each photo `check_photos` accepted as a `model` row (a photo model with `file`,
    `content_type`, `size` and `original_name`) belonging to `parent` (e.g. visit=visit), under a
    random file name; the stored names are added to `saved` (see `stored_files`)."""
    rows = []
    for photo, content_type, ext in checked:
        row = model(
            content_type=content_type, size=photo.size, original_name=uploaded_name(photo), **parent
        )
        row.file.save(f"{uuid.uuid4().hex}.{ext}", photo, save=False)
        saved.append(row.file.name)
        row.full_clean()
        row.save()
        rows.append(row)
    return rows
