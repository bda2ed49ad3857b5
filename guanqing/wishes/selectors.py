"""Reads of the micro-wish module: the settings in force, the wall, a wish's story."""

from __future__ import annotations

from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent, WishFulfilment, WishSettings


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


def wish_for_confirmation(token: str) -> dict | None:
    """What the resident's confirmation page shows for a one-time code, read without an account:
    the wish, how it came true and who did it (names only). None for a wrong or spent code, the
    same answer for both."""
    from guanqing.wishes.services import token_hash  # services import this module

    token = (token or "").strip() if isinstance(token, str) else ""
    if not token or len(token) > 200:
        return None
    wish = (
        Wish.objects.filter(confirm_token_hash=token_hash(token), status=WishStatus.FULFILLED)
        .select_related("community")
        .first()
    )
    if wish is None:
        return None
    fulfilment = (
        WishFulfilment.objects.filter(wish=wish).prefetch_related("photos").order_by().first()
    )
    names = list(
        WishClaim.objects.filter(wish=wish, status=ClaimStatus.FULFILLED)
        .order_by("created_at", "pk")
        .values_list("member__name", flat=True)
    )
    return {"wish": wish, "fulfilment": fulfilment, "members": names}
