"""Pages read keys first: the same rows in the same order as slicing, the sort on narrow rows."""

import pytest
from django.db import connection
from django.db.models import Count, F, Prefetch, Value
from django.db.models.functions import Concat, Length
from django.test.utils import CaptureQueriesContext

from guanqing.core import paging
from guanqing.core.paging import KeysFirstPaginator, page_rows
from guanqing.registry.models import Household, Person
from guanqing.testing.factories import CommunityFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def households():
    communities = [CommunityFactory(), CommunityFactory()]
    rows = []
    for i in range(23):
        household = HouseholdFactory(community=communities[i % 2], head_name=f"户主{i % 5}")
        for _ in range(i % 3):
            PersonFactory(household=household)
        rows.append(household)
    return rows


def _listing():
    return (
        Household.objects.select_related("community__parent")
        .prefetch_related(Prefetch("people", queryset=Person.objects.order_by("id")))
        .annotate(people_count=Count("people"))
        .order_by("head_name", "-id")  # ties on the name: the key decides
    )


def test_every_page_holds_the_rows_slicing_gives_in_the_same_order(households):
    expected = list(_listing())
    paginator = KeysFirstPaginator(_listing(), 10)
    pages = [list(paginator.page(n).object_list) for n in paginator.page_range]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [h.pk for page in pages for h in page] == [h.pk for h in expected]
    first = pages[0][0]
    # what the list asked for comes with each row: the joins, the prefetch, the annotation
    assert first.people_count == len(first.people.all())
    assert first.community.parent_id is not None


def test_the_sort_reads_keys_only_and_the_rows_come_by_key(households):
    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(_listing(), 10, 20)
        assert len(rows) == 10
    sorting, fetching = queries.captured_queries[0]["sql"], queries.captured_queries[1]["sql"]
    select_list = sorting.split(" FROM ")[0]
    assert "head_name" not in select_list and "registry_division" not in select_list
    assert "ORDER BY" in sorting and "LIMIT 10" in sorting
    assert "ORDER BY" not in fetching and " IN (" in fetching


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Household.objects.order_by("id").distinct(),
        lambda: Household.objects.order_by("id").values("id", "head_name"),
        lambda: Household.objects.order_by("id").values_list("id", flat=True),
    ],
    ids=["distinct", "values", "values_list"],
)
def test_querysets_it_does_not_fit_are_sliced_as_before(households, queryset):
    assert list(page_rows(queryset(), 5, 15)) == list(queryset()[5:15])


def test_an_empty_page_is_empty(households):
    assert page_rows(_listing(), 100, 110) == []


# --- a short list sorts its own rows (PostgreSQL) ----------------------------------------------

SHORT_LISTS = {
    "joined column, then key": lambda: Household.objects.select_related("community").order_by(
        "community__name", "-id"
    ),
    "nulls last": lambda: Household.objects.order_by(F("phone").desc(nulls_last=True), "id"),
    "annotation sorted by": lambda: Household.objects.annotate(
        label=Concat("head_name", Value("·"), "address")
    ).order_by("-label", "id"),
    "expression": lambda: Household.objects.order_by(Length("address").desc(), "pk"),
    "model's ordering": lambda: Household.objects.filter(pk__gt=0),
}


@pytest.mark.parametrize("listing", SHORT_LISTS.values(), ids=SHORT_LISTS.keys())
def test_a_short_list_sorted_alone_gives_the_rows_slicing_gives(households, listing):
    for i, household in enumerate(households):  # some phones empty, some addresses alike
        household.phone = "" if i % 4 else f"1380000{i:04d}"
        household.address = f"路{i % 3}号"
        household.save()
    expected = [h.pk for h in listing()]
    paginator = KeysFirstPaginator(listing(), 10)
    with CaptureQueriesContext(connection) as queries:
        pages = [[h.pk for h in paginator.page(n).object_list] for n in paginator.page_range]
    assert [pk for page in pages for pk in page] == expected
    sorted_alone = [q["sql"] for q in queries.captured_queries if "OFFSET 0)" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(sorted_alone) == len(pages)  # every page's keys came from the fenced sort
    else:
        assert sorted_alone == []


def test_a_list_longer_than_the_limit_walks_its_order(households, monkeypatch):
    monkeypatch.setattr(paging, "SORT_ALONE_ROWS", 5)
    with CaptureQueriesContext(connection) as queries:
        listing = SHORT_LISTS["joined column, then key"]
        rows = list(KeysFirstPaginator(listing(), 10).page(2).object_list)
    assert len(rows) == 10
    assert not any("OFFSET 0)" in q["sql"] for q in queries.captured_queries)


def test_a_grouped_list_keeps_the_plain_sort(households):
    with CaptureQueriesContext(connection) as queries:
        rows = list(KeysFirstPaginator(_listing(), 10).page(1).object_list)
    assert [h.pk for h in rows] == [h.pk for h in _listing()[:10]]
    assert not any("OFFSET 0)" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    "listing",
    [lambda: Household.objects.none().order_by("id"), lambda: Household.objects.filter(pk__in=[])],
    ids=["none", "no keys"],
)
def test_a_list_that_can_hold_nothing_has_an_empty_page(households, listing):
    assert paging._keys_sorted_alone(listing(), 0, 10) == []
    assert list(KeysFirstPaginator(listing(), 10).page(1).object_list) == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the fenced sort is PostgreSQL's (SQLite has none)"
)
def test_the_sort_alone_joins_only_what_it_sorts_or_filters_by(households):
    """The page's `select_related` tables are joined for its rows, not for its keys: carrying
    them into the fenced sort made PostgreSQL join every wish to its community and poster
    before picking out a unit administrator's 200 (57 ms against 2 at three tenths of a
    province)."""
    listing = (
        Household.objects.select_related("community__parent")
        .filter(head_name__startswith="户主")
        .order_by("head_name", "-id")
    )
    with CaptureQueriesContext(connection) as queries:
        keys = paging._keys_sorted_alone(listing, 0, 10)
    assert keys == [h.pk for h in listing[:10]]
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "JOIN" not in sql
    # sorting by a joined column joins that table alone
    by_community = Household.objects.select_related("community__parent").order_by(
        "community__name", "id"
    )
    with CaptureQueriesContext(connection) as queries:
        paging._keys_sorted_alone(by_community, 0, 10)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert sql.count("JOIN") == 1
