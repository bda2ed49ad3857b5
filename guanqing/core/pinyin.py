"""Chinese names in the order people look them up: by 拼音, not by Unicode code point (which
puts 张 before 王 before 阿). Used by any list of people a user scans by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from pypinyin import Style, lazy_pinyin

T = TypeVar("T")


def pinyin_key(text) -> tuple[tuple[str, ...], str]:
    """Sort key: the syllables (阿明 → a, ming; letters lower-cased), then the text itself, so
    names that read alike still come in a fixed order."""
    value = str(text or "").strip()
    return _syllables(value), value


# The same names come back on every request (a unit's members in its forms): converted once per
# process. pypinyin took about a fifth of a 150-member unit's outreach form.
@lru_cache(maxsize=50_000)
def _syllables(value: str) -> tuple[str, ...]:
    return tuple(s.strip().lower() for s in lazy_pinyin(value))


@lru_cache(maxsize=50_000)
def _search_keys(value: str) -> str:
    full = "".join(lazy_pinyin(value)).replace(" ", "").lower()
    initials = "".join(lazy_pinyin(value, style=Style.FIRST_LETTER)).replace(" ", "").lower()
    return f"{full} {initials}"


def sorted_by_pinyin(items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """`items` sorted by the 拼音 of `name(item)`."""
    return sorted(items, key=lambda item: pinyin_key(name(item)))


def search_keys(text) -> str:
    """What a name answers to in a filter box besides itself: its full 拼音 and initials
    (张三 → "zhangsan zs")."""
    return _search_keys(str(text or "").strip())
