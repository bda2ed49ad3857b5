"""Pages of a list read keys first: the page's primary keys in the list's order, then those rows.

A list page sorts before it limits. Sorting the full rows (every column of the model and of each
`select_related` join) of a role's whole scope costs in proportion to the scope: a window clerk's
17,000 cases took 250 ms where the 50 keys, sorted from an index or as narrow rows, take 25. The
second query fetches the page's rows by key with everything the list asked for (joins,
prefetches, annotations). Used by every paginated API list and every paginated page.

Querysets this does not fit (distinct, unions, values(), already sliced, unordered, `extra`) are
sliced as Django's paginator does.

A short list of a long table (a community worker's 5,000 visits among ten million) sorts its own
rows. PostgreSQL would otherwise often walk the table's index on the list's order from the end,
testing every row against the reader's scope until it has a page: planned for rows spread evenly
through the order, it read 100,000 visits (600 ms) for the 25 of one community. On PostgreSQL,
when the paginator's count is at most `SORT_ALONE_ROWS`, the keys come from the list's rows
planned on their own (a subquery behind `OFFSET 0`, which PostgreSQL does not merge into the
outer query), then sorted: the cost is bounded by the list's length, not the table's.

The committee's unfiltered list of a table a counter counts row by row takes its length from the
counter (`core.counters.table_length`).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import Ref
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

from guanqing.core import counters

# Lists at most this long sort their own rows on PostgreSQL (a few milliseconds at this length).
SORT_ALONE_ROWS = 20_000


def _fits(queryset) -> bool:
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return (
        queryset._iterable_class is ModelIterable
        and queryset.ordered
        and not query.distinct
        and query.combinator is None
        and not query.is_sliced
        and not query.extra
        and not query.select_for_update
    )


def _keys_sorted_alone(queryset, bottom: int, top: int) -> list:
    """The keys of rows `bottom`..`top`: the list's key and sort values selected in a subquery
    that PostgreSQL plans on its own, sorted outside it in the same order."""
    # The keys' query joins what the list filters and sorts by, not the `select_related` tables
    # of its rows: setting up a compiler joins those into the query it is given, and the inner
    # query would carry them (an INNER JOIN of every wish with its community and its poster
    # before a unit administrator's 200 were picked out). So a copy without them is set up, and
    # the inner query is made from it, with the joins its order needs.
    query = queryset.query.clone()
    query.select_related = False
    compiler = query.get_compiler(queryset.db)
    compiler.setup_query()
    queryset = queryset._chain()
    queryset.query = query
    order = [expression for expression, _sql in compiler.get_order_by()]
    sort_values = {
        # an annotation the list sorts by is named, not repeated
        f"_sort{i}": F(value.refs) if isinstance(value, Ref) else value
        for i, value in enumerate(expression.expression for expression in order)
    }
    inner = (
        queryset.order_by().annotate(_key=F("pk"), **sort_values).values_list("_key", *sort_values)
    )
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a list that can hold nothing (`none()`, `pk__in=[]`)
        return []
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    terms = []
    for name, expression in zip(sort_values, order, strict=True):
        term = f"{quote(name)} {'DESC' if expression.descending else 'ASC'}"
        if expression.nulls_first:
            term += " NULLS FIRST"
        elif expression.nulls_last:
            term += " NULLS LAST"
        terms.append(term)
    outer = (
        f"SELECT {quote('_key')} FROM ({sql} OFFSET 0) AS {quote('listed')} "
        f"ORDER BY {', '.join(terms)} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(outer, (*params, top - bottom, bottom))
        return [row[0] for row in cursor.fetchall()]


def _sorts_alone(queryset, count: int | None) -> bool:
    return (
        count is not None
        and 0 < count <= SORT_ALONE_ROWS
        and connections[queryset.db].vendor == "postgresql"
        # a grouped list (an aggregate annotation) keeps the plain path
        and not any(a.contains_aggregate for a in queryset.query.annotations.values())
    )


def page_rows(queryset, bottom: int, top: int, *, count: int | None = None):
    """Rows `bottom`..`top` of `queryset`, in its order; `count`: the list's length, if known."""
    if not _fits(queryset):
        return queryset[bottom:top]
    if _sorts_alone(queryset, count):
        keys = _keys_sorted_alone(queryset, bottom, top)
    else:
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not keys:
        return []
    by_key = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
    return [by_key[key] for key in keys if key in by_key]


class KeysFirstPaginator(Paginator):
    @cached_property
    def count(self):
        """A list that is every row of a counted table (the committee's unfiltered pairings,
        cases, wishes…) takes its length from the counter (`core.counters.table_length`), not a
        `COUNT(*)` of millions of rows; any other list is counted."""
        known = counters.table_length(self.object_list)
        return super().count if known is None else known

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = page_rows(self.object_list, bottom, top, count=self.count)
        return self._get_page(rows, number, self)
