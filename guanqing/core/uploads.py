"""Checks shared by the services that take amounts in 元 and photo attachments (visits, wish
fulfilments): each adds its error under the field it concerns and returns what it read, so a
service can collect every error before refusing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

MONEY_MAX = Decimal("999999999999.99")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 9


def money(errors: dict, field: str, value) -> Decimal:
    """An amount in 元 (blank is 0): not negative, at most two decimals."""
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        errors[field] = ["应为金额（元）/ must be an amount in yuan"]
        return Decimal(0)
    if not amount.is_finite() or amount < 0:
        errors[field] = ["金额不能为负数 / amount cannot be negative"]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = ["金额最多保留两位小数 / at most two decimal places"]
    elif amount > MONEY_MAX:
        errors[field] = ["金额过大 / amount too large"]
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


def check_photos(errors: dict, photos) -> list[tuple[Any, str, str]]:
    """[(file, content type, extension)] for the acceptable photos; the others get an error under
    `photos[i]`, too many of them one under `photos`."""
    checked = []
    if len(photos) > PHOTO_MAX_COUNT:
        errors["photos"] = [f"最多 {PHOTO_MAX_COUNT} 张照片 / at most {PHOTO_MAX_COUNT} photos"]
        return checked
    for index, photo in enumerate(photos):
        field = f"photos[{index}]"
        name = getattr(photo, "name", "") or ""
        if photo.size > PHOTO_MAX_BYTES:
            errors[field] = [
                f"照片“{name}”超过 5 MB（{photo.size} 字节）/ photo is larger than 5 MB"
            ]
            continue
        photo.seek(0)
        kind = sniff_image(photo.read(16))
        photo.seek(0)
        if kind is None:
            errors[field] = [
                f"“{name}”不是 JPEG、PNG 或 WebP 图片 / only JPEG, PNG or WebP photos are accepted"
            ]
            continue
        checked.append((photo, *kind))
    return checked
