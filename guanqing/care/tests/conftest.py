"""The default catalogue for every care test that uses the database.

The catalogue is seeded by a data migration; a transactional test elsewhere (a race test) flushes
every table when it ends, so a test that runs after it in the same process would find no rules.
Like the `official_calendar` fixture, this puts the default back when it is missing.
"""

from __future__ import annotations

import importlib

import pytest

SEED = importlib.import_module("guanqing.care.migrations.0002_default_catalogue")


def ensure_catalogue() -> None:
    from django.apps import apps

    from guanqing.care.models import CareRule

    if not CareRule.objects.exists():
        SEED.seed(apps, None)


@pytest.fixture(autouse=True)
def _default_catalogue(request):
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        return  # a transactional test puts back what it needs itself
    if marker is not None or {"world", "db"} & set(request.fixturenames):
        request.getfixturevalue("db")
        ensure_catalogue()
