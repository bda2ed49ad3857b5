"""The navigation menu, built from the entries each app registers in its `AppConfig.ready()`.

An entry names its group, its label, the URL name it opens and the access rule ("app.rule", see
`core/access.py`) that decides who sees it; nothing about roles or URLs is written in the menu's
template. Groups and entries are shown in their `order`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from guanqing.core import access


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    order: int


@dataclass(frozen=True)
class NavEntry:
    group: str  # a NavGroup key; "" for the top of the menu
    label: str
    url_name: str  # "namespace:name"
    rule: str | None = None  # "app.rule"; None: every signed-in user
    order: int = 100
    # The pages that light this entry up: URL names ("ns:name"), or "ns:*" for a whole
    # namespace; by default the entry's own page.
    active: tuple[str, ...] = field(default=())

    def visible_to(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return self.rule is None or access.allows(user, self.rule)

    def is_active(self, match) -> bool:
        if match is None:
            return False
        here = f"{match.namespace}:{match.url_name}"
        for name in self.active or (self.url_name,):
            if name == here or (name.endswith(":*") and match.namespace == name[:-2]):
                return True
        return False


_groups: dict[str, NavGroup] = {}
_entries: dict[tuple[str, str], NavEntry] = {}


def register_group(key: str, label: str, *, order: int) -> None:
    _groups[key] = NavGroup(key, label, order)


def register(*entries: NavEntry) -> None:
    """Add (or replace, when an app is loaded again) menu entries."""
    for entry in entries:
        _entries[(entry.group, entry.url_name)] = entry


def entries() -> list[NavEntry]:
    return list(_entries.values())


def menu_for(request) -> list[dict]:
    """The user's menu: [{"label", "entries": [{"label", "url", "active"}]}], groups in order,
    empty groups left out; the top entries (group "") come first without a heading."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    shown: dict[str, list[NavEntry]] = {}
    for entry in _entries.values():
        if entry.visible_to(user):
            shown.setdefault(entry.group, []).append(entry)
    menu = []
    groups = sorted(shown, key=lambda key: (key != "", _group_order(key), key))
    for key in groups:
        items = []
        for entry in sorted(shown[key], key=lambda e: e.order):
            urlconf = get_urlconf() or settings.ROOT_URLCONF
            url = _address(entry.url_name, get_script_prefix(), urlconf)
            if url is None:
                continue
            items.append({"label": entry.label, "url": url, "active": entry.is_active(match)})
        if items:
            label = _groups[key].label if key in _groups else ""
            menu.append({"key": key, "label": label, "entries": items})
    return menu


@lru_cache(maxsize=1024)
def _address(url_name: str, prefix: str, urlconf) -> str | None:
    """The entry's address, reversed once per prefix and URL configuration (every page draws
    the menu: some 50 reverses a page); None for a page that is not installed."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _group_order(key: str) -> int:
    group = _groups.get(key)
    return group.order if group else 1000
