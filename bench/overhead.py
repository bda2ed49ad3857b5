"""What a request costs the platform beyond what DRF itself costs, side by side in one run.

Two WSGI handlers in one process, on the same settings and database:

- the project's whole stack answering `GET /api/v1/auth/me/` (the cheapest authenticated API
  request) with a token;
- a bare DRF view with token authentication answering the same user's name, behind no middleware
  at all (Django's handler, URL resolution, DRF's request, TokenAuthentication, JSONRenderer).

Requests alternate between the two, in rounds, so the machine's noise falls on both. Prints the
requests per second of each and, with `--profile`, the functions where the project's request
spends its time (cProfile, by cumulative time). The last line is `ratio=<project ÷ bare>`.
Usage: python bench/overhead.py [--quick] [--requests N] [--profile] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import start_django  # noqa: E402


def bare_urls():
    """A URLconf of one bare DRF view: token authentication, signed in, the user's name."""
    from django.urls import path
    from rest_framework import exceptions
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from guanqing.accounts.models import ApiToken
    from guanqing.accounts.tokens import digest

    class BareToken(TokenAuthentication):
        """DRF's token lookup as it comes (one query, user joined), on the platform's table."""

        def authenticate_credentials(self, key):
            token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
            if token is None:
                raise exceptions.AuthenticationFailed()
            return (token.user, token)

    class Bare(APIView):
        authentication_classes = [BareToken]
        permission_classes = [IsAuthenticated]
        renderer_classes = [JSONRenderer]

        def get(self, request):
            return Response({"username": request.user.username})

    def routed_here(get_response):
        """The only middleware of the bare stack: route by this URLconf."""

        def middleware(request):
            request.urlconf = "bench_bare_urls"
            return get_response(request)

        return middleware

    module = type(sys)("bench_bare_urls")
    module.urlpatterns = [path("bare/me/", Bare.as_view())]
    module.routed_here = routed_here
    sys.modules["bench_bare_urls"] = module
    return "bench_bare_urls"


def handlers():
    """(project handler, bare handler): the bare one loads no middleware but the one that routes
    by its own URLconf."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    project = WSGIHandler()
    conf = bare_urls()
    with override_settings(MIDDLEWARE=[f"{conf}.routed_here"]):
        bare = WSGIHandler()
    return project, bare


def environ_for(path: str, token: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app, path: str, token: str) -> int:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    body = app(environ_for(path, token), start_response)
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    code = int(status[0].split()[0])
    if code != 200:
        raise SystemExit(f"{path} answered {status[0]}")
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--requests", type=int, default=300, help="requests per round and side")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile the project's request")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    n = 60 if args.quick else args.requests
    rounds = 3 if args.quick else args.rounds

    start_django(keep=None, database_url=args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from guanqing.accounts.models import User
    from guanqing.accounts.tokens import token_create

    user = User.objects.create_user(username="bench", password="Bench-2026-pass", role="committee")
    token = token_create(user=user)
    project, bare = handlers()
    me, bare_me = "/api/v1/auth/me/", "/bare/me/"
    call(project, me, token), call(bare, bare_me, token)  # warm both

    def rate(app, path) -> float:
        start = time.perf_counter()
        for _ in range(n):
            call(app, path, token)
        return n / (time.perf_counter() - start)

    project_rates, bare_rates = [], []
    for _ in range(rounds):
        project_rates.append(rate(project, me))
        bare_rates.append(rate(bare, bare_me))
    project_rps, bare_rps = statistics.median(project_rates), statistics.median(bare_rates)
    print(f"project {me}: {project_rps:.0f} req/s (median of {rounds} rounds of {n})")
    print(f"bare DRF token view: {bare_rps:.0f} req/s")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            call(project, me, token)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(40)

    print(f"ratio={project_rps / bare_rps:.2f}")


if __name__ == "__main__":
    main()
