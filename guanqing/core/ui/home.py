"""The home page (工作台): each app contributes sections for the roles it serves.

A section is registered from the app's `AppConfig.ready()`:

    home.register(HomeSection("wishes.mine", order=20, rule="wishes.claim", provider=my_claims))

`provider(request)` returns a dict with `template` (rendered with the rest of the dict as its
context, plus `request`) or None to show nothing. Every figure a section shows links to the list
behind it, filtered the same way, so a number can always be checked. Sections are read through the
user's scope, like every other page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from guanqing.core import access
from guanqing.core.access import signed_in

Provider = Callable[[object], dict | None]


@dataclass(frozen=True)
class HomeSection:
    key: str
    provider: Provider
    order: int = 100
    rule: str | None = None  # "app.rule": who sees it; None: every signed-in user


_sections: dict[str, HomeSection] = {}


def register(*sections: HomeSection) -> None:
    for section in sections:
        _sections[section.key] = section


def sections() -> list[HomeSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def sections_for(request) -> list[dict]:
    shown = []
    for section in sections():
        if section.rule is not None and not access.allows(request.user, section.rule):
            continue
        content = section.provider(request)
        if content:
            shown.append({"key": section.key, **content})
    return shown


@signed_in
def home(request):
    from django.shortcuts import render

    return render(request, "core/home.html", {"sections": sections_for(request)})
