"""Every page and every API list, timed per role: p50 and p95 of whole requests.

Builds the demo data set (`--scale N` times the article's size) in a throwaway SQLite database, or
in the PostgreSQL database named by `--database-url`, then finds what to measure in the URL
configuration itself, so that a new list is measured without editing this file:

- pages: every named URL pattern without arguments (the API, the schema, Open311 and the language
  switch aside) whose GET answers 200 with HTML to the committee. The lists are among them, and so
  are the boards, figures and dashboards that read as many rows; each is marked `list` when its
  answer holds a page of a paginated list (a `django.core.paginator.Page` in its context);
- API lists: every route of the API's router whose view set has a `list` action.

Each is requested in-process through Django's test client (no network) as the committee, a unit
administrator and a community worker — the two scoped roles wherever the page answers them 200 —
warm-up first, then `--repeat` times (the heap settled before the timing, and the full
collections due run between the requests, as a serving process runs both after its response is
sent; their count and time are printed apart). It prints p50/p95 in ms and the queries of one request, per
endpoint and role, sorted by p95 (worst first); the last line is `worst_p95_ms=<n>`.
Target: p95 ≤ 100 ms at a province's scale on PostgreSQL.
Usage: python bench/pages.py [--quick] [--scale N | --province F] [--repeat N]
       [--database-url postgres://…] [--keep DIR] [--only TEXT | --exact URL]

`--province F` builds the demo at scale 1 and grows it to F of a province (`bench/province.py`)
before timing; with `--keep` or an existing database, a second run reuses it.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import start_django  # noqa: E402

# Namespaces and names that are not pages of the platform to time.
SKIP_NAMESPACES = {"api", "open311", "set_language"}
SKIP_NAMES = {"api-schema", "api-docs", "set_language", "logout"}
ROLES = [("committee", "committee"), ("unit admin", "unit_jiwei"), ("worker", "community_xujiacao")]


def argument_free_pages() -> list[str]:
    """`namespace:name` of each named URL pattern that needs no argument, in URLconf order."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[str] = []

    def walk(patterns, namespace: str, has_args: bool) -> None:
        for entry in patterns:
            args = has_args or bool(_converters(entry.pattern))
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                if ns in SKIP_NAMESPACES:
                    continue
                walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace, args)
            elif isinstance(entry, URLPattern) and entry.name and not args:
                found.append(namespace + entry.name)

    walk(get_resolver().url_patterns, "", False)
    return [name for name in dict.fromkeys(found) if name not in SKIP_NAMES]


def _converters(pattern) -> bool:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return bool(converters)
    return bool(pattern.regex.groups)  # a regular expression's groups are arguments


def api_lists() -> list[str]:
    """The URL of each router route with a `list` action."""
    from django.urls import reverse

    from config.api_urls import router

    return [
        reverse(f"api:{basename}-list")
        for _prefix, viewset, basename in router.registry
        if hasattr(viewset, "list")
    ]


def holds_a_page(response) -> bool:
    from django.core.paginator import Page

    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            if isinstance(layer, dict) and any(isinstance(v, Page) for v in layer.values()):
                return True
    return False


class Counter:
    """A database execute wrapper that counts the statements."""

    def __init__(self):
        self.n = 0

    def count(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale 1, fewer repetitions")
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", default=None, help="a data folder to keep and reuse")
    parser.add_argument("--only", default=None, help="only the endpoints containing this text")
    parser.add_argument(
        "--exact", default=None, help="only this endpoint (a URL such as /, exactly)"
    )
    parser.add_argument(
        "--province",
        type=float,
        default=None,
        metavar="F",
        help="grow the demo to F of a province first (bench/province.py)",
    )
    args = parser.parse_args()
    scale = 1 if args.quick else args.scale
    repeat = 5 if args.quick else args.repeat

    start_django(keep=args.keep, database_url=args.database_url)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s of looking around
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import NoReverseMatch, reverse

    from guanqing.accounts.models import User
    from guanqing.core.demo import demo_loaded, load_demo

    if args.province:
        from province import build

        build(args.province)
    else:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # the cache's table, where it is one
        if demo_loaded():
            print("using the data already in the database")
        else:
            start = time.perf_counter()
            load_demo(scale=scale)
            print(f"demo data at scale {scale:g}: {time.perf_counter() - start:.1f} s")
    print(f"database: {connection.vendor}")

    clients = {}
    for role, username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[role] = client

    # Which endpoints, for which roles: with the test environment set up only while looking,
    # so that the timed requests do not pay for the context the test client keeps.
    setup_test_environment()
    endpoints: list[tuple[str, str, str]] = []  # (kind, url, role)
    try:
        for name in argument_free_pages():
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            response = clients["committee"].get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            kind = "list" if holds_a_page(response) else "page"
            for role, _username in ROLES:
                if role == "committee" or clients[role].get(url).status_code == 200:
                    endpoints.append((kind, url, role))
        for url in api_lists():
            for role, _username in ROLES:
                if clients[role].get(url).status_code == 200:
                    endpoints.append(("api", url, role))
    finally:
        teardown_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    # A serving process settles its heap and runs its full collections once a response is sent
    # (core/collector.py); the test client sends `request_finished` before it returns, which
    # would charge them to the timed requests. Every endpoint has been requested above, as a warm
    # process's first requests would: settle now, untimed, as that process would have by now; then
    # do the rest of the after-response work between the timed requests, timed apart.
    from django.core.signals import request_finished

    from guanqing.core import collector

    request_finished.disconnect(dispatch_uid=collector.DISPATCH_UID)
    collector.settle()
    collector.hold_full_collections()
    if args.only:
        endpoints = [e for e in endpoints if args.only in e[1]]
    if args.exact:
        endpoints = [e for e in endpoints if e[1] == args.exact]
    print(
        f"{len({e[1] for e in endpoints if e[0] != 'api'})} pages, "
        f"{len({e[1] for e in endpoints if e[0] == 'api'})} API lists, "
        f"{len(endpoints)} endpoint × role; {repeat} requests each after a warm-up"
    )

    rows = []
    after_response: list[float] = []  # ms of each full collection run between requests
    for kind, url, role in endpoints:
        client = clients[role]
        queries = Counter()  # the warm-up's statements (the client resets `connection.queries`)
        with connection.execute_wrapper(queries.count):
            response = client.get(url)
        assert response.status_code == 200, (url, role, response.status_code)
        collector.collect_if_due()  # the warm-up's, untimed like the rest
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, role, response.status_code)
            start = time.perf_counter()
            if collector.collect_if_due():
                after_response.append((time.perf_counter() - start) * 1000)
        rows.append(
            (percentile(samples, 0.95), percentile(samples, 0.5), kind, url, role, queries.n)
        )

    rows.sort(reverse=True)
    print(f"\n{'kind':5} {'endpoint':46} {'role':11} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for p95, p50, kind, url, role, count in rows:
        print(f"{kind:5} {url:46} {role:11} {count:7d} {p50:8.1f} {p95:8.1f}")
    print(
        f"full collections after the responses (untimed, as a server runs them): "
        f"{len(after_response)}, {sum(after_response):.0f} ms in all, "
        f"longest {max(after_response, default=0):.0f} ms"
    )
    print(f"worst_p95_ms={rows[0][0]:.0f}" if rows else "worst_p95_ms=0")


if __name__ == "__main__":
    main()
