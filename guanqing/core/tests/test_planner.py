"""`planner.without` (core/planner.py): the named plans are off for the statements inside a
transaction on PostgreSQL and back after, even when the block fails."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from guanqing.core import planner

pytestmark = pytest.mark.django_db


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_the_plans_are_off_inside_and_restored_after():
    with transaction.atomic():
        with planner.without("enable_seqscan", "enable_sort"):
            assert (show("enable_seqscan"), show("enable_sort")) == ("off", "off")
            assert show("enable_bitmapscan") == "on"
        assert (show("enable_seqscan"), show("enable_sort")) == ("on", "on")
        with pytest.raises(RuntimeError), planner.without("enable_bitmapscan"):
            raise RuntimeError("the block failed")
        assert show("enable_bitmapscan") == "on"


def test_only_the_settings_it_knows_are_accepted():
    with pytest.raises(ValueError, match="enable_hashjoin"), planner.without("enable_hashjoin"):
        pass


@pytest.mark.django_db
def test_connections_price_random_reads_as_on_ssd():
    """config/settings.py: `random_page_cost` 1.1 on every PostgreSQL connection."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
