"""Claiming wishes under load against a trivial authenticated request, side by side in one run.

Serves the platform with gunicorn (2 workers × 4 threads, as `guanqing serve` does) on PostgreSQL
and builds, directly in the database: a community with two workers, `--wishes` published wishes
(capacity 1–3, deadline in 60 days) and `--members` members, each with an account and an API
token (made in the database: the token endpoint's lock-out is not what is measured). Then 64
concurrent clients (`--clients`), each signed in as a different member on its own keep-alive
connection, spend `--duration` seconds on each of these, alternately in two rounds:

- the trivial authenticated request: `GET /api/v1/auth/me/`;
- claiming: `POST /api/v1/wishes/{id}/claim/` on a random wish of the wall; a wish found full
  (409) is struck off the clients' shared list and the client tries another; a member claims 3
  wishes (the most it may hold unfulfilled), then the client carries on as its next member.

Prints requests per second of both (claims: answered = 201 + 409, and 201 alone), and checks the
database afterwards: for every wish, `claimed_count` equals its active and fulfilled claims and
never exceeds its capacity; no member holds more unfulfilled claims than allowed; the 201s equal
the claims stored. Prints `over-claims=<n>` (any over-claim or mismatch exits non-zero after
printing), and the last line `ratio=<answered claims per second / trivial requests per second>`.
Target: ratio ≥ 0.5, zero over-claims.

PostgreSQL: `--database-url postgres://…` names an empty, throwaway database (it is migrated and
filled). Without it, when run as root on a machine with PostgreSQL 15 (/usr/lib/postgresql/15/bin),
a throwaway server is started in a temporary folder, as `.ci/run` does (`fsync=off`; `--durable`
keeps PostgreSQL's defaults), and deleted at the end. Temporary folders are deleted at exit
unless `--keep`.

Usage: python bench/claims.py [--quick] [--duration S] [--wishes N] [--members N] [--clients N]
       [--database-url postgres://… | --durable] [--seed N] [--keep]
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PGBIN = Path("/usr/lib/postgresql/15/bin")
CLIENTS = 64
CLAIMS_PER_MEMBER = 3
WORKERS, THREADS = 2, 4
WARM_UP_S = 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a throwaway PostgreSQL -----------------------------------------------------------------------


def start_postgres(keep: bool, durable: bool) -> tuple[str, int]:
    """initdb into a temporary folder as the `postgres` user, start on a free port; stopped (and
    the folder deleted unless --keep) at exit. Returns the database URL and the server's pid."""
    folder = Path(tempfile.mkdtemp(prefix="guanqing-bench-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    data, port = folder / "data", free_port()

    def as_postgres(*command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd="/",
        )

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(data)]
                + ["-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
            )
        if keep:
            print(f"kept the PostgreSQL folder (stopped): {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    as_postgres(
        str(PGBIN / "initdb"),
        *("-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_postgres(
        str(PGBIN / "pg_ctl"),
        *("-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "30"),
        *("-o", options, "start"),
    )
    as_postgres(
        str(PGBIN / "createdb"), *("-h", "127.0.0.1", "-p", str(port), "-U", "postgres"), "bench"
    )
    mode = "PostgreSQL defaults (fsync on)" if durable else "fsync=off, synchronous_commit=off"
    print(f"throwaway PostgreSQL 15 on 127.0.0.1:{port} ({mode})")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    return f"postgres://postgres@127.0.0.1:{port}/bench", postmaster


# --- the data ------------------------------------------------------------------------------------


def build(n_wishes: int, n_members: int, seed: int) -> tuple[list[int], list[str]]:
    """The community, its two workers, the wishes and the members with accounts and tokens, in
    one transaction. Returns the wish ids and the members' tokens."""
    from django.db import transaction
    from django.utils import timezone

    from guanqing.accounts.models import ApiToken, User
    from guanqing.accounts.tokens import digest
    from guanqing.registry.models import Division, Member, Unit
    from guanqing.wishes.choices import WishCategory, WishStatus
    from guanqing.wishes.models import Wish

    rng = random.Random(seed)
    now = timezone.now()
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    with transaction.atomic():
        district = Division.objects.create(
            code="330212000000", name="鄞州区", level="district", kind="district"
        )
        district.district = district
        district.save(update_fields=["district"])
        street = Division.objects.create(
            code="330212001000",
            name="百丈街道",
            level="street",
            kind="street",
            parent=district,
            district=district,
        )
        community = Division.objects.create(
            code="330212001001",
            name="徐家漕社区",
            level="community",
            kind="community",
            parent=street,
            district=district,
        )
        workers = []
        for i in (1, 2):
            worker = User(username=f"bench_worker{i}", role="community_worker", community=community)
            worker.set_unusable_password()
            worker.save()
            workers.append(worker)
        Wish.objects.bulk_create(
            [
                Wish(
                    community=community,
                    title=f"心愿{i}",
                    description="想再去一次东钱湖",
                    category=rng.choice(WishCategory.values),
                    estimated_cost=rng.randrange(50, 500),
                    deadline=deadline,
                    capacity=rng.randint(1, 3),
                    status=WishStatus.PUBLISHED,
                    posted_by=workers[0],
                    approved_by=workers[1],
                    published_at=now,
                )
                for i in range(n_wishes)
            ],
            batch_size=2000,
        )
        unit = Unit.objects.create(name="市纪委（压测）", short_name="市纪委")
        members = Member.objects.bulk_create(
            [
                Member(name=f"党员{i:05d}", gender="male", unit=unit, rank="section")
                for i in range(n_members)
            ],
            batch_size=2000,
        )
        users = []
        for i, member in enumerate(members):
            user = User(username=f"bench_member{i:05d}", role="member", member=member, unit=unit)
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users, batch_size=2000)
        keys = [secrets.token_hex(20) for _user in users]
        later = now + datetime.timedelta(days=1)
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user=user,
                    digest=digest(key),
                    last_used_at=now,
                    idle_until=later,
                    expires_at=later,
                )
                for user, key in zip(users, keys, strict=True)
            ],
            batch_size=2000,
        )
    wish_ids = list(Wish.objects.order_by("pk").values_list("pk", flat=True))
    return wish_ids, keys


def check_database(created: int) -> tuple[int, list[str]]:
    """Over-claims and inconsistencies found in the database after the run, described."""
    from django.db.models import Count, F, Q

    from guanqing.wishes import selectors
    from guanqing.wishes.choices import ClaimStatus
    from guanqing.wishes.models import Wish, WishClaim

    problems: list[str] = []
    holding = Q(claims__status__in=[ClaimStatus.ACTIVE, ClaimStatus.FULFILLED])
    wishes = Wish.objects.annotate(held=Count("claims", filter=holding)).values(
        "pk", "capacity", "claimed_count", "held"
    )
    over = 0
    for wish in wishes:
        if wish["held"] > wish["capacity"] or wish["claimed_count"] > wish["capacity"]:
            over += 1
            problems.append(
                f"wish {wish['pk']}: capacity {wish['capacity']}, claimed_count "
                f"{wish['claimed_count']}, claims held {wish['held']}"
            )
        elif wish["held"] != wish["claimed_count"]:
            problems.append(
                f"wish {wish['pk']}: claimed_count {wish['claimed_count']} but "
                f"{wish['held']} claims held"
            )
    limit = selectors.wish_settings().max_unfulfilled_claims
    greedy = (
        WishClaim.objects.filter(status=ClaimStatus.ACTIVE)
        .values("member_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=limit)
    )
    for row in greedy:
        over += 1
        problems.append(f"member {row['member_id']}: {row['n']} unfulfilled claims (most {limit})")
    stored = WishClaim.objects.count()
    if stored != created:
        problems.append(f"{created} claims answered 201 but {stored} stored")
    if Wish.objects.filter(claimed_count__gt=F("capacity")).exists():
        problems.append("a wish's claimed_count exceeds its capacity")
    return over, problems


# --- the server ----------------------------------------------------------------------------------


def start_gunicorn(port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(THREADS)),
        "--no-control-socket",
    ]
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = open(log_path, "wb")  # noqa: SIM115 (closed at exit)
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )

    def stop() -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()

    atexit.register(stop)
    return server


def wait_until_serving(server, port: int, token: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "GET", "/api/v1/auth/me/", headers={"Authorization": f"Token {token}"}
            )
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status == 200:
                return
            sys.exit(f"GET /api/v1/auth/me/ answered {response.status}: {body[:300]!r}")
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within 90 s:\n{log_path.read_text()[-3000:]}")


# --- the clients ---------------------------------------------------------------------------------


class Wall:
    """The wish ids the clients know, and those they found full (shared by all clients)."""

    def __init__(self, wish_ids: list[int]):
        self.ids = wish_ids
        self.full: set[int] = set()

    def pick(self, rng: random.Random, avoid: set[int]) -> int | None:
        for _ in range(200):
            pk = rng.choice(self.ids)
            if pk not in self.full and pk not in avoid:
                return pk
        return None  # (nearly) nothing left on the wall


class Client:
    """One of the 64: a keep-alive connection and the members it signs in as, one after another."""

    def __init__(self, index: int, port: int, tokens: list[str], wall: Wall, seed: int):
        self.port = port
        self.tokens = tokens  # its own members' tokens; the first is used for the trivial request
        self.wall = wall
        self.rng = random.Random(seed * 1000 + index)
        self.connection: http.client.HTTPConnection | None = None
        self.member = 0  # index into tokens of the member claiming now
        self.held = 0  # claims that member holds
        self.claimed: set[int] = set()  # wishes that member claimed
        self.codes: Counter = Counter()
        self.created = 0  # 201s, whenever they arrived
        self.latencies: list[float] = []
        self.samples: list[str] = []  # first unexpected answers, for the report

    def request(self, method: str, path: str, token: str) -> int:
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                # the server closed an idle keep-alive connection: open another, once
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0
                continue
            if response.status not in (200, 201, 409) and len(self.samples) < 3:
                self.samples.append(f"{method} {path} → {response.status} {body[:200]!r}")
            return response.status
        return 0

    def record(self, code, start: float, until: float) -> None:
        """Counted only if answered within the window: the answers still arriving after it
        belong to no phase (the clients then wait for each other before the next one)."""
        if time.monotonic() <= until:
            self.latencies.append(time.perf_counter() - start)
            self.codes[code] += 1

    def trivial(self, until: float) -> None:
        while time.monotonic() < until:
            start = time.perf_counter()
            code = self.request("GET", "/api/v1/auth/me/", self.tokens[0])
            self.record(code, start, until)

    def claims(self, until: float) -> None:
        while time.monotonic() < until:
            if self.held >= CLAIMS_PER_MEMBER:
                self.member, self.held, self.claimed = self.member + 1, 0, set()
            if self.member >= len(self.tokens):
                self.codes["members used up"] += 1
                time.sleep(max(until - time.monotonic(), 0))
                return
            pk = self.wall.pick(self.rng, self.claimed)
            if pk is None:
                self.codes["wall empty"] += 1
                time.sleep(max(until - time.monotonic(), 0))
                return
            start = time.perf_counter()
            code = self.request("POST", f"/api/v1/wishes/{pk}/claim/", self.tokens[self.member])
            self.record(code, start, until)
            if code == 201:
                self.created += 1  # counted whenever it arrives: checked against the database
                self.held += 1
                self.claimed.add(pk)
            elif code == 409:
                self.wall.full.add(pk)
            elif code == 400:
                # e.g. the member already holds this wish or its most claims: next member
                self.held = CLAIMS_PER_MEMBER


def cpu_seconds(parents: list[int]) -> dict[int, float]:
    """{pid: user + system CPU seconds} of the children of `parents` (gunicorn's workers,
    PostgreSQL's backends), read from /proc; empty where /proc is not there."""
    found: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for parent in parents:
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for pid in map(int, children):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def run_phase(clients: list[Client], kind: str, seconds: float, watched: list[int]):
    """All clients at once for `seconds`. Returns the answers and latencies counted within the
    window, the window's length, and the CPU seconds spent meanwhile by the clients (this
    process) and by the children of the `watched` processes."""
    for client in clients:
        client.codes, client.latencies = Counter(), []
    barrier = threading.Barrier(len(clients) + 1)
    box: dict[str, float] = {}

    def work(client: Client) -> None:
        barrier.wait()
        if kind == "trivial":
            client.trivial(box["until"])
        else:
            client.claims(box["until"])

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    cpu_before, own_before = cpu_seconds(watched), time.process_time()
    box["until"] = time.monotonic() + seconds
    barrier.wait()
    time.sleep(seconds)
    cpu_after, own_after = cpu_seconds(watched), time.process_time()
    for thread in threads:
        thread.join()
    codes: Counter = Counter()
    latencies: list[float] = []
    for client in clients:
        codes.update(client.codes)
        latencies.extend(client.latencies)
    served = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
    return codes, latencies, seconds, {"clients": own_after - own_before, "server": served}


def describe(latencies: list[float]) -> tuple[str, str]:
    if not latencies:
        return "–", "–"
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered) * 1000:.0f} ms", f"{p95 * 1000:.0f} ms"


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s of each, fewer wishes")
    parser.add_argument("--duration", type=float, default=None, help="seconds of each (20)")
    parser.add_argument("--wishes", type=int, default=None, help="published wishes (4,000)")
    parser.add_argument("--members", type=int, default=None, help="members with accounts (3,200)")
    parser.add_argument("--database-url", default=None, help="an empty, throwaway PostgreSQL")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="throwaway server with PostgreSQL's default fsync and synchronous_commit",
    )
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent clients (64)")
    parser.add_argument("--seed", type=int, default=4819)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    duration = args.duration or (5.0 if args.quick else 20.0)
    n_wishes = args.wishes or (1000 if args.quick else 4000)
    n_members = args.members or (args.clients * (10 if args.quick else 50))
    if n_members < args.clients:
        sys.exit(f"--members: at least {args.clients}, one per client")

    started = time.monotonic()
    # a SIGTERM, too, stops the server and deletes the temporary folders (atexit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data_dir = Path(tempfile.mkdtemp(prefix="guanqing-bench-claims-"))
    (data_dir / "static").mkdir()
    if args.keep:
        atexit.register(lambda: print(f"kept the data folder: {data_dir}"))
    else:
        atexit.register(shutil.rmtree, data_dir, True)

    database_url, postmaster = args.database_url, None
    if not database_url:
        if os.geteuid() == 0 and PGBIN.is_dir():
            database_url, postmaster = start_postgres(args.keep, args.durable)
        else:
            sys.exit(
                "bench/claims.py needs PostgreSQL: --database-url postgres://user@host:port/name "
                "(an empty, throwaway database); or run it as root where PostgreSQL 15 is "
                f"installed ({PGBIN}) and it starts a throwaway server itself"
            )
    elif not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit("--database-url: the bench measures PostgreSQL; give a postgres:// URL")

    os.environ["GUANQING_DATA_DIR"] = str(data_dir)
    os.environ["GUANQING_DATABASE_URL"] = database_url
    os.environ["GUANQING_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["GUANQING_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("GUANQING_DEMO", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from guanqing.wishes.models import Wish

    stamp = time.monotonic()
    call_command("migrate", verbosity=0)
    if Wish.objects.exists():
        sys.exit("the database already holds wishes: give the bench an empty, throwaway database")
    wish_ids, tokens = build(n_wishes, n_members, args.seed)
    places = sum(Wish.objects.values_list("capacity", flat=True))
    print(
        f"database: {connection.vendor} {connection.pg_version // 10000}; {len(wish_ids):,} "
        f"published wishes ({places:,} places), {len(tokens):,} members with tokens "
        f"({time.monotonic() - stamp:.1f} s to migrate and build)"
    )
    connection.close()  # the bench process keeps no connection open during the run

    port = free_port()
    log_path = data_dir / "gunicorn.log"
    server = start_gunicorn(port, log_path)
    wait_until_serving(server, port, tokens[0], log_path)
    print(
        f"gunicorn: {WORKERS} workers × {THREADS} threads on 127.0.0.1:{port}; "
        f"{args.clients} clients, each its own member and keep-alive connection"
    )

    wall = Wall(wish_ids)
    clients = [
        Client(i, port, tokens[i :: args.clients], wall, args.seed) for i in range(args.clients)
    ]
    watched = [server.pid, *([postmaster] if postmaster else [])]
    run_phase(clients, "trivial", WARM_UP_S, watched)  # connections, caches: not counted

    # alternately, half the duration each time, so that the machine's noise falls on both
    totals = {
        kind: {"codes": Counter(), "latencies": [], "seconds": 0.0, "clients": 0.0, "server": 0.0}
        for kind in ("trivial", "claims")
    }
    for kind in ("trivial", "claims", "trivial", "claims"):
        codes, latencies, seconds, cpu = run_phase(clients, kind, duration / 2, watched)
        total = totals[kind]
        total["codes"].update(codes)
        total["latencies"].extend(latencies)
        total["seconds"] += seconds
        total["clients"] += cpu["clients"]
        total["server"] += cpu["server"]

    trivial, claims = totals["trivial"], totals["claims"]
    t_codes, c_codes = trivial["codes"], claims["codes"]
    trivial_rps = t_codes[200] / trivial["seconds"]
    answered = c_codes[201] + c_codes[409]
    claim_rps = answered / claims["seconds"]
    server_what = "gunicorn + PostgreSQL" if postmaster else "gunicorn"

    def cpu_ms(total, n):
        return f"{total['server'] * 1000 / n:5.1f} ms" if n else "    –"

    print(
        f"\n{'answered within ' + format(duration, 'g') + ' s of each':42} {'count':>7} "
        f"{'per s':>7} {'median':>8} {'p95':>8}  CPU per request ({server_what})"
    )
    rows = [
        ("GET /api/v1/auth/me/ (200)", t_codes[200], trivial, t_codes[200]),
        ("POST /api/v1/wishes/{id}/claim/ (201+409)", answered, claims, answered),
    ]
    for label, count, total, n in rows:
        median, p95 = describe(total["latencies"])
        print(
            f"{label:42} {count:7,} {count / total['seconds']:7.1f} {median:>8} {p95:>8}  "
            f"{cpu_ms(total, n)}"
        )
    for label, code in (("  of which 201 claimed", 201), ("  of which 409 full", 409)):
        print(f"{label:42} {c_codes[code]:7,} {c_codes[code] / claims['seconds']:7.1f}")
    busy = {
        kind: (total["server"] + total["clients"]) / total["seconds"]
        for kind, total in totals.items()
    }
    print(
        f"CPU in use (of {os.cpu_count()} cores): trivial {busy['trivial']:.2f}, claims "
        f"{busy['claims']:.2f} ({server_what} and the clients; the clients took "
        f"{trivial['clients'] / trivial['seconds']:.2f} and "
        f"{claims['clients'] / claims['seconds']:.2f})"
    )
    other = {k: v for k, v in (t_codes + c_codes).items() if k not in (200, 201, 409)}
    if other:
        print(f"other answers: {dict(other)}")
        for client in clients:
            for sample in client.samples:
                print(f"  {sample}")

    created = sum(client.created for client in clients)
    over, problems = check_database(created)
    taken = sum(Wish.objects.values_list("claimed_count", flat=True))
    print(
        f"\nafter the run: {created:,} claims answered 201 in all, {taken:,} of {places:,} places "
        f"taken ({Wish.objects.filter(status='full').count():,} wishes full); "
        f"{len(problems)} problem(s) found in the database"
    )
    for problem in problems[:20]:
        print(f"  {problem}")
    connection.close()
    print(f"target: ratio ≥ 0.5, zero over-claims; {time.monotonic() - started:.0f} s all told")
    print(f"over-claims={over}")
    print(f"ratio={claim_rps / trivial_rps:.2f}")
    failed = [k for k in other if k == 0 or (isinstance(k, int) and k >= 500)]
    if problems or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
