"""No filter select anywhere starts with Django's row of dashes: every list's filter bar offers
“全部” (all) as the empty choice, the same on every page."""

from __future__ import annotations

import importlib

import django_filters
import pytest
from django.apps import apps

from guanqing.conftest import client_for

DASHES = "---------"


def _filtersets() -> list[type[django_filters.FilterSet]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("guanqing."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module.__name__
                and value._meta.model is not None
            ):
                found.append(value)
    return found


@pytest.mark.django_db
def test_no_filterset_offers_dashes_as_its_empty_choice():
    filtersets = _filtersets()
    assert len(filtersets) > 10
    for filterset_class in filtersets:
        model = filterset_class._meta.model
        form = filterset_class(None, queryset=model.objects.none()).form
        html = str(form)
        assert DASHES not in html, filterset_class.__name__


def test_the_activities_filter_bar_says_all_not_dashes(world):
    page = client_for(world.users.community_worker).get("/community/activities/")
    assert page.status_code == 200
    html = page.content.decode()
    assert DASHES not in html
    assert '<option value="" selected>全部</option>' in html
