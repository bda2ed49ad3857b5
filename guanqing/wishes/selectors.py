"""Reads of the micro-wish module: the settings in force, the wall, a wish's story."""

from __future__ import annotations

from guanqing.wishes.models import WishEvent, WishSettings


def wish_settings() -> WishSettings:
    """The committee's claim rules; the defaults (3 claims, 30 days) until it changes them."""
    return WishSettings.objects.order_by("pk").first() or WishSettings()


def wish_story(wish) -> list[WishEvent]:
    """Every step of a wish, oldest first (the page that tells its whole story)."""
    return list(
        WishEvent.objects.filter(wish=wish)
        .select_related("actor", "claim__member")
        .order_by("at", "id")
    )


def surname_only(name: str) -> str:
    """张国宝 → 张**: the wall never shows a resident's full name (compound surnames are rare:
    the first character is taken)."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else ""
