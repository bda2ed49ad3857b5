"""Sections that later modules add to a page of an earlier one, without the earlier one importing
them: the household page shows the pairing module's visits, and later the wishes of the household.

A provider is `provider(request, obj) -> dict | None`: a dict with `template` and the context that
template needs (read through `visible_to(request.user)`), or None to show nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Provider = Callable[[object, object], dict | None]
_providers: dict[str, list[Provider]] = defaultdict(list)


def register_section(page: str, provider: Provider) -> None:
    if provider not in _providers[page]:
        _providers[page].append(provider)


def sections_for(page: str, request, obj) -> list[dict]:
    return [s for s in (provider(request, obj) for provider in _providers.get(page, ())) if s]
