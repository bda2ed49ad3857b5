"""The committee's unfiltered lists of the large tables take their length from the counters
(`core.counters.table_length`, read by every paginated page and API list) instead of a
`COUNT(*)` of millions of rows; any narrower list counts its own rows."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from guanqing.accounts.models import User
from guanqing.conftest import api_as
from guanqing.core import counters
from guanqing.core.paging import KeysFirstPaginator

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo(scale=0.05)]

# a counted table → the API list of its every row, for the committee
LISTS = {
    "registry.Household": "/api/v1/households/",
    "registry.Member": "/api/v1/members/",
    "pairing.Pairing": "/api/v1/pairings/",
    "pairing.Visit": "/api/v1/visits/",
    "wishes.Wish": "/api/v1/wishes/",
    "wishes.WishClaim": "/api/v1/wish-claims/",
    "window.Case": "/api/v1/window/cases/",
    "window.Rating": "/api/v1/window/ratings/",
    "community.Registration": "/api/v1/community/registrations/",
    "community.Rating": "/api/v1/community/ratings/",
    "community.ActivitySignup": "/api/v1/community/signups/",
    "community.Attendance": "/api/v1/community/attendances/",
    "community.Activity": "/api/v1/community/activities/",
    "frontline.Outreach": "/api/v1/frontline/outreach/",
    "frontline.Problem": "/api/v1/frontline/problems/",
    "frontline.Place": "/api/v1/frontline/places/",
}


def test_every_counted_table_is_listed_here():
    assert set(counters.counted_tables()) == set(LISTS)


def _table_counted(sql: str, table: str) -> bool:
    return f'COUNT(*) AS "__count" FROM "{table}"' in sql


@pytest.mark.parametrize("label", sorted(LISTS))
def test_the_committees_whole_list_is_as_long_as_the_table_without_counting_it(
    label, pinned_today, shared_demo
):
    model = apps.get_model(label)
    expected = model.objects.count()
    assert expected > 0, "the demo has none to count"
    assert counters.differences(counters.counted_tables()[label]) == []
    committee = api_as(User.objects.get(username="committee"))
    with CaptureQueriesContext(connection) as ctx:
        body = committee.get(LISTS[label], {"page_size": 5}).json()
    assert body["count"] == expected and len(body["results"]) == min(5, expected)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert not _table_counted(sql, model._meta.db_table)
    assert "core_groupcount" in sql or "core_daycount" in sql


def test_a_narrower_reader_counts_its_own_rows(pinned_today, shared_demo):
    worker = User.objects.get(username="community_xujiacao")
    model = apps.get_model("pairing.Pairing")
    with CaptureQueriesContext(connection) as ctx:
        body = api_as(worker).get(LISTS["pairing.Pairing"], {"page_size": 5}).json()
    assert body["count"] == model.objects.visible_to(worker).count() < model.objects.count()
    assert _table_counted(" ".join(q["sql"] for q in ctx.captured_queries), "pairing_pairing")


@pytest.mark.parametrize(
    "narrowed",
    [
        lambda rows: rows.filter(pk__gt=0),
        lambda rows: rows.exclude(unit__name=""),
        lambda rows: rows.none(),
        lambda rows: rows.distinct(),
        lambda rows: rows[:3],
        lambda rows: rows.values("unit").annotate(n=Count("pk")).order_by("unit"),
        lambda rows: rows.values_list("pk", flat=True),
    ],
    ids=["filter", "exclude", "none", "distinct", "sliced", "grouped", "values"],
)
def test_a_narrowed_or_reshaped_list_is_counted(narrowed, pinned_today, shared_demo):
    rows = narrowed(apps.get_model("pairing.Pairing").objects.order_by("-id"))
    assert counters.table_length(rows) is None
    assert KeysFirstPaginator(rows, 10).count == len(list(rows))


def test_the_length_is_the_counters_and_follows_the_rows(pinned_today, shared_demo):
    """The whole list's length is read from the counter (a count set wrong by hand shows, until
    `guanqing counters --fix` rewrites it), and the triggers keep it as rows move and go."""
    from guanqing.wishes.models import Wish

    counter = counters.counted_tables()["wishes.Wish"]
    length = lambda: KeysFirstPaginator(Wish.objects.order_by("id"), 10).count  # noqa: E731
    wish = Wish.objects.order_by("id").first()
    counters.GroupCount.objects.filter(key=counter.key, group=wish.community_id).update(
        n=F("n") + 7
    )
    assert length() == Wish.objects.count() + 7
    counters.rewrite(counter)
    assert length() == Wish.objects.count()
    other = Wish.objects.exclude(community=wish.community).first().community
    Wish.objects.filter(pk=wish.pk).update(community=other)
    assert length() == Wish.objects.count() and counters.differences(counter) == []
