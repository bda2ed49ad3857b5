"""Several app servers behind one database (docs/deployment.md, "多台应用服务器").

Two gunicorn servers run with the production settings against the test database, each with a data
folder of its own (so nothing can be shared through the file cache) and one uploads folder. What one
server writes — a claim, the security policy, a throttle count — the other must see at once.

The servers need a database both can reach, so the two-server test runs on PostgreSQL only; the
settings that choose the shared cache and the uploads storage are checked on any database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from guanqing.accounts.tokens import token_create
from guanqing.testing import factories as f
from guanqing.wishes.models import Wish, WishClaim, WishPhoto
from guanqing.wishes.tests.factories import WishFactory

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "a-throwaway-secret-key-for-two-server-tests-0123456789"
START_SECONDS = 40
CACHE_TABLE = "guanqing_cache"


def _environment(**variables) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANQING_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(variables)
    return env


def _settings_of(tmp_path, **variables) -> dict:
    """CACHES, STORAGES, MEDIA_ROOT and the database aliases the production settings make of the
    given variables, read in a fresh interpreter."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], "
        "'storage': s.STORAGES['default']['BACKEND'], 'media': str(s.MEDIA_ROOT), "
        "'databases': sorted(s.DATABASES)}))"
    )
    env = _environment(
        GUANQING_SECRET_KEY=GOOD_KEY, GUANQING_DATA_DIR=str(tmp_path / "data"), **variables
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return {"returncode": result.returncode, "stderr": result.stderr, "stdout": result.stdout}


def test_the_cache_is_shared_on_postgresql_and_a_file_cache_on_sqlite(tmp_path):
    sqlite = _settings_of(tmp_path, GUANQING_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    postgres = _settings_of(tmp_path, GUANQING_DATABASE_URL="postgres://u@127.0.0.1:5432/guanqing")
    chosen = _settings_of(
        tmp_path,
        GUANQING_DATABASE_URL="postgres://u@127.0.0.1:5432/guanqing",
        GUANQING_CACHE="file",
    )
    assert sqlite["returncode"] == 0, sqlite["stderr"]
    assert json.loads(sqlite["stdout"])["cache"].endswith("FileBasedCache")
    assert json.loads(sqlite["stdout"])["databases"] == ["default"]
    assert postgres["returncode"] == 0, postgres["stderr"]
    assert json.loads(postgres["stdout"])["cache"].endswith("DatabaseCache")
    # the cache table is written outside the request's transaction
    assert json.loads(postgres["stdout"])["databases"] == ["cache", "default"]
    assert json.loads(chosen["stdout"])["cache"].endswith("FileBasedCache")


def test_uploads_go_to_the_media_folder_named(tmp_path):
    shared = tmp_path / "shared-media"
    result = _settings_of(tmp_path, GUANQING_MEDIA_DIR=str(shared))
    assert result["returncode"] == 0, result["stderr"]
    chosen = json.loads(result["stdout"])
    assert chosen["media"] == str(shared)
    assert chosen["storage"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"GUANQING_CACHE": "redis"}, "GUANQING_CACHE"),
        ({"GUANQING_STORAGE": "ftp"}, "GUANQING_STORAGE"),
        ({"GUANQING_CACHE": "database"}, "GUANQING_CACHE=database needs PostgreSQL"),
    ],
)
def test_a_malformed_choice_stops_start_up_naming_it(tmp_path, variables, message):
    result = _settings_of(tmp_path, **variables)
    assert result["returncode"] != 0
    assert "ImproperlyConfigured" in result["stderr"] and message in result["stderr"]


def test_s3_storage_without_its_library_or_bucket_is_refused(tmp_path):
    import importlib.util

    result = _settings_of(tmp_path, GUANQING_STORAGE="s3")
    assert result["returncode"] != 0
    if importlib.util.find_spec("storages") is None:
        assert "django-storages" in result["stderr"]
    else:
        assert "GUANQING_S3_BUCKET" in result["stderr"]


def test_a_calendar_change_on_another_server_is_read_at_the_next_request(official_calendar):
    """Working days are kept in each process; another server's change to the calendar reaches
    this one through the shared cache, at its next request (not a minute later)."""
    import datetime

    from django.core.cache import cache
    from django.test import Client

    from guanqing.core.calendar import workdays
    from guanqing.core.models import CalendarDay

    monday = datetime.date(2026, 3, 2)
    assert workdays.is_workday(monday)
    assert workdays.add_workdays(datetime.date(2026, 2, 28), 1) == monday
    # what the other server's calendar service does: the row, then a new shared version
    CalendarDay.objects.filter(date=monday).update(is_workday=False, holiday="临时调整")
    cache.set(workdays.VERSION_KEY, "changed-on-server-b")
    Client().get("/accounts/login/")  # this server's next request
    assert not workdays.is_workday(monday)
    assert workdays.add_workdays(datetime.date(2026, 2, 28), 1) == datetime.date(2026, 3, 3)


# --- two servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log

    def request(self, method: str, path: str, *, token=None, body=None, files=None):
        """(status, body) of one request: JSON as data, anything else as bytes. `files`
        ({field: (name, bytes)}) sends `body` and the files as multipart/form-data."""
        headers = {"Accept": "application/json"}
        if files is not None:
            data, headers["Content-Type"] = _multipart(body or {}, files)
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        else:
            data = None
        if token:
            headers["Authorization"] = f"Token {token}"
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, kind, raw = (
                    response.status,
                    response.headers.get_content_type(),
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            status, kind, raw = error.code, error.headers.get_content_type(), error.read()
        return status, json.loads(raw) if kind == "application/json" else raw


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _start(tmp_path: Path, name: str, environment: dict[str, str]) -> Server:
    port = _free_port()
    data_dir = tmp_path / name  # a data folder of its own: no file cache in common
    data_dir.mkdir()
    log = tmp_path / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--no-control-socket",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**environment, "GUANQING_DATA_DIR": str(data_dir)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


def _wait_until_answering(servers: list[Server]) -> None:
    deadline = time.monotonic() + START_SECONDS
    waiting = list(servers)
    while waiting:
        server = waiting[0]
        if server.process.poll() is not None:
            pytest.fail(f"{server.url} exited:\n{server.log.read_text(errors='replace')}")
        try:
            server.request("GET", "/api/v1/auth/me/")
            waiting.pop(0)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail(f"{server.url} did not answer:\n{server.log.read_text()}")
            time.sleep(0.2)


def _stop(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two gunicorn servers (production settings) on the test database, with the same keys and
    uploads folder; each has its own data folder."""
    environment = _environment(
        GUANQING_SECRET_KEY=settings.SECRET_KEY,
        GUANQING_DATABASE_URL=_database_url(),
        GUANQING_MEDIA_DIR=str(tmp_path / "media"),
        GUANQING_LOG_LEVEL="WARNING",
    )
    for variable, value in (
        ("GUANQING_FIELD_KEY", settings.FIELD_ENCRYPTION_KEY),
        ("GUANQING_AUDIT_KEY", getattr(settings, "AUDIT_KEY", None)),
    ):
        if value:
            environment[variable] = value
    # as deployed: `guanqing createcachetable` after `migrate` (serve and demo run it themselves)
    created = subprocess.run(
        [sys.executable, "-m", "guanqing.cli", "createcachetable"],
        cwd=ROOT,
        env={**environment, "GUANQING_DATA_DIR": str(tmp_path / "admin")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CACHE_TABLE}")  # noqa: S608  (a constant)
    servers: list[Server] = []
    try:
        servers.append(_start(tmp_path, "a", environment))
        servers.append(_start(tmp_path, "b", environment))
        _wait_until_answering(servers)
        yield servers
    finally:
        _stop(servers)


def _member_token(unit, name: str) -> str:
    member = f.MemberFactory(unit=unit, name=name)
    user = f.UserFactory(role="member", member=member, unit=unit)
    return token_create(user=user)


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two app servers need a database both reach: run on PostgreSQL "
    "(GUANQING_DATABASE_URL=postgres://…)",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)  # the servers see only what is committed
@pytest.mark.timeout(120)
def test_two_servers_share_the_database_the_cache_and_the_policy(two_servers):
    a, b = two_servers

    # 1. Two members claim the same one-person wish at the same moment, one through each server.
    community = f.CommunityFactory()
    worker = f.UserFactory(role="community_worker", community=community)
    wish = WishFactory(community=community, posted_by=worker, capacity=1)
    unit = f.UnitFactory(name="市纪委")
    tokens = [_member_token(unit, "党员甲"), _member_token(unit, "党员乙")]
    barrier = threading.Barrier(2)
    results: list[tuple[int, object, str]] = []

    def claim(server: Server, token: str) -> None:
        try:
            barrier.wait(timeout=30)
            answer = server.request("POST", f"/api/v1/wishes/{wish.pk}/claim/", token=token)
            results.append((*answer, token))
        except Exception as exc:  # recorded, so the assertion shows it
            results.append((0, repr(exc), token))

    threads = [
        threading.Thread(target=claim, args=(server, token))
        for server, token in zip((a, b), tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(code for code, _body, _token in results) == [201, 409], results
    wish.refresh_from_db()
    assert wish.claimed_count == 1 and WishClaim.objects.filter(wish=wish).count() == 1
    assert Wish.objects.get(pk=wish.pk).status == "full"

    # 2. The winner records the wish fulfilled with a photo through server B; server A, with a
    # data folder of its own, sends the same photo back (the uploads storage is shared).
    winner = next(token for code, _body, token in results if code == 201)
    photo = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)
    fulfilled = b.request(
        "POST",
        f"/api/v1/wishes/{wish.pk}/fulfil/",
        token=winner,
        body={"note": "陪张大伯去了东钱湖"},
        files={"photos": ("lake.png", photo)},
    )
    assert fulfilled[0] == 200, fulfilled
    stored = WishPhoto.objects.get(fulfilment__wish=wish)
    path = reverse("api:wish-photo", kwargs={"pk": wish.pk, "photo_pk": stored.pk})
    assert a.request("GET", path, token=winner) == (200, photo)

    # 3. The security administrator tightens the lockout policy through server A; server B,
    # which has read the policy before, locks an account after the new number of failures.
    secadmin = f.UserFactory(role="security_admin", username="secadmin2")
    admin_token = token_create(user=secadmin)
    assert b.request("GET", "/api/v1/security-policy/", token=admin_token)[1]["failure_limit"] == 5
    changed = a.request(
        "PATCH", "/api/v1/security-policy/", token=admin_token, body={"failure_limit": 2}
    )
    assert changed[0] == 200 and changed[1]["failure_limit"] == 2, changed
    assert b.request("GET", "/api/v1/security-policy/", token=admin_token)[1]["failure_limit"] == 2
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        signer = f.UserFactory(username="wangwu", role="committee")
        signer.password = make_password("Right-passw0rd")  # a hash the servers' settings verify
        signer.save(update_fields=["password"])
    sign_in = "/api/v1/auth/token/"
    wrong = {"username": "wangwu", "password": "wrong-passw0rd"}
    assert b.request("POST", sign_in, body=wrong)[0] == 400
    # the second failure reaches the new limit: refused as locked (the old limit was 5)
    assert b.request("POST", sign_in, body=wrong)[0] == 403
    locked = b.request("POST", sign_in, body={"username": "wangwu", "password": "Right-passw0rd"})
    assert locked[0] == 403, locked

    # 4. A throttle count kept by one server is the other's: 30 wrong codes an hour per address,
    # sent alternately through A and B; the 31st is refused whichever server receives it.
    confirm = "/api/v1/wishes/confirm-by-token/"
    answers = [
        (a if i % 2 else b).request("POST", confirm, body={"token": "x" * 32})[0] for i in range(30)
    ]
    assert 429 not in answers, answers
    assert a.request("POST", confirm, body={"token": "x" * 32})[0] == 429
    assert b.request("POST", confirm, body={"token": "x" * 32})[0] == 429
