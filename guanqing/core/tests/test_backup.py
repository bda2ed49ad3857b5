"""`guanqing backup` and `guanqing restore`: the demo backed up and restored into a fresh database
(every table's rows and uploaded file the same), and every refusal: a damaged archive, a database
that is not empty, no usable pg_dump."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend

from guanqing.core import backup
from guanqing.core.demo import load_demo
from guanqing.core.uploads import check_photos, store_photos
from guanqing.pairing.models import Visit, VisitPhoto
from guanqing.testing import factories as f

SCALE = 0.05
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(255, -1, -1)) * 12


def _wrapper(name: str):
    """A connection of its own to database `name` (same server, same credentials)."""
    backend = load_backend(connection.settings_dict["ENGINE"])
    return backend.DatabaseWrapper({**connection.settings_dict, "NAME": name}, DEFAULT_DB_ALIAS)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fresh_target(tmp_path):
    """(connection, media folder) of an empty database: on SQLite a data folder with no database
    file yet, on PostgreSQL a second database created on the test server (dropped afterwards)."""
    media = tmp_path / "restored" / "media"
    if connection.vendor == "sqlite":
        target = _wrapper(str(tmp_path / "restored" / "guanqing.sqlite3"))
        yield target, media
        target.close()
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _wrapper(connection.settings_dict["NAME"])
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    target = _wrapper(name)
    try:
        yield target, media
    finally:
        target.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def as_default(target):
    """Run with `target` as the default database (what the commands use)."""
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = target
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = original


def fingerprints(conn) -> dict[str, tuple[int, str]]:
    """Every table's (row count, hash of its rows in a stable order)."""
    with conn.cursor() as cursor:
        tables = backup._table_names(conn, cursor)
        result = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            rows = sorted(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                for row in cursor.fetchall()
            )
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with each member passed through change(name, data): the new data, or
    None to leave the member out."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for info in source:
            data = change(info.name, source.extractfile(info).read())
            if data is None:
                continue
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def database_member() -> str:
    return backup.DATABASE_MEMBERS[connection.vendor]


# --- the round trip ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pinned_today", "official_calendar")
def test_demo_survives_backup_and_restore_into_a_fresh_database(
    settings, media_root, fresh_target, tmp_path
):
    load_demo(scale=SCALE)
    visit = Visit.objects.order_by("id").first()
    assert visit is not None, "the demo records visits"
    photos = [
        SimpleUploadedFile("门口.png", PNG, content_type="image/png"),
        SimpleUploadedFile("合影.jpg", JPEG, content_type="image/jpeg"),
    ]
    errors: dict = {}
    checked = check_photos(errors, photos)
    assert not errors
    stored = store_photos(VisitPhoto, checked, [], visit=visit)
    source_files = files_under(media_root)
    assert {row.file.name for row in stored} <= set(source_files)
    source = fingerprints(connection)

    archive = tmp_path / "out" / "guanqing.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o077 == 0, "the archive is readable by its owner only"
    inside = members(archive)
    manifest = json.loads(inside["manifest.json"])
    assert set(inside) == {"manifest.json", database_member()} | {
        f"media/{name}" for name in source_files
    }
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"] == {table: rows for table, (rows, _) in source.items()}
    assert manifest["migrations"]["core"].startswith("00")
    for name, data in inside.items():
        if name != "manifest.json":
            assert manifest["files"][name] == {
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        for key in (settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY):
            assert not key or key.encode() not in data, f"a key inside {name}"

    target, target_media = fresh_target
    settings.MEDIA_ROOT = target_media
    out = io.StringIO()
    with as_default(target):
        call_command("restore", str(archive), yes=True, stdout=out, stderr=out)
    assert "GUANQING_FIELD_KEY" not in out.getvalue()  # the keys read the restored ID numbers

    assert fingerprints(target) == source
    assert files_under(target_media) == source_files
    for row in stored:
        assert (target_media / row.file.name).read_bytes() == (
            media_root / row.file.name
        ).read_bytes()
    assert backup.keys_read_stored_values(target) is True
    settings.FIELD_ENCRYPTION_KEY = "another-field-key-than-the-one-of-the-backup"
    assert backup.keys_read_stored_values(target) is False

    # The audit chain verifies on the restored database (the command exits 1 on a broken chain).
    verified = io.StringIO()
    with as_default(target):
        call_command("audit_verify", language="en", stdout=verified)
    audit_rows = source["core_auditevent"][0]
    assert audit_rows > 0
    assert f"{audit_rows:,}" in verified.getvalue() or str(audit_rows) in verified.getvalue()


# --- refusals ------------------------------------------------------------------------------------


@pytest.fixture
def small_archive(transactional_db, media_root, tmp_path):
    """An archive of a small database with two uploaded files (committed: SQLite's backup and
    pg_dump see only committed rows)."""
    f.UserFactory(username="committee", role="committee")
    (media_root / "visits" / "2026" / "05").mkdir(parents=True)
    (media_root / "visits" / "2026" / "05" / "a.png").write_bytes(PNG)
    (media_root / "fund" / "2026").mkdir(parents=True)
    (media_root / "fund" / "2026" / "b.jpg").write_bytes(JPEG)
    archive = tmp_path / "small.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def restore_into(target, archive: Path):
    conn, media = target
    return backup.restore_backup(archive, connection=conn, storage=FileSystemStorage(media))


def assert_nothing_written(target) -> None:
    conn, media = target
    assert not media.exists() or not any(media.rglob("*"))
    if conn.vendor == "sqlite":
        assert not Path(conn.settings_dict["NAME"]).exists()
    else:
        with conn.cursor() as cursor:
            assert conn.introspection.table_names(cursor) == []


def test_a_flipped_byte_in_the_database_is_named(small_archive, fresh_target, tmp_path):
    member = database_member()

    def flip(name, data):
        if name != member:
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    damaged = rewrite(small_archive, tmp_path / "flipped.tar.gz", flip)
    with pytest.raises(backup.ArchiveDamaged) as refused:
        restore_into(fresh_target, damaged)
    assert member in str(refused.value) and "SHA-256" in str(refused.value)
    assert_nothing_written(fresh_target)


def test_an_archive_without_its_manifest_is_refused(small_archive, fresh_target, tmp_path):
    damaged = rewrite(
        small_archive,
        tmp_path / "no-manifest.tar.gz",
        lambda name, data: None if name == "manifest.json" else data,
    )
    with pytest.raises(backup.ArchiveDamaged, match="manifest.json"):
        restore_into(fresh_target, damaged)
    assert_nothing_written(fresh_target)


def test_a_truncated_archive_is_refused(small_archive, fresh_target, tmp_path):
    data = small_archive.read_bytes()
    damaged = tmp_path / "truncated.tar.gz"
    damaged.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(backup.ArchiveDamaged, match="损坏或不完整"):
        restore_into(fresh_target, damaged)
    assert_nothing_written(fresh_target)


def test_a_shortened_file_is_named_with_both_sizes(small_archive, fresh_target, tmp_path):
    damaged = rewrite(
        small_archive,
        tmp_path / "short.tar.gz",
        lambda name, data: data[:100] if name == "media/visits/2026/05/a.png" else data,
    )
    with pytest.raises(backup.ArchiveDamaged) as refused:
        restore_into(fresh_target, damaged)
    message = str(refused.value)
    assert "media/visits/2026/05/a.png" in message
    assert str(len(PNG)) in message and "100" in message
    assert_nothing_written(fresh_target)


def test_a_missing_upload_is_named(small_archive, fresh_target, tmp_path):
    damaged = rewrite(
        small_archive,
        tmp_path / "missing.tar.gz",
        lambda name, data: None if name == "media/fund/2026/b.jpg" else data,
    )
    with pytest.raises(backup.ArchiveDamaged, match="media/fund/2026/b.jpg"):
        restore_into(fresh_target, damaged)
    assert_nothing_written(fresh_target)


def test_a_manifest_of_another_format_version_is_refused(small_archive, fresh_target, tmp_path):
    def bump(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = backup.FORMAT_VERSION + 1
        return json.dumps(manifest).encode()

    damaged = rewrite(small_archive, tmp_path / "v2.tar.gz", bump)
    with pytest.raises(backup.ArchiveDamaged) as refused:
        restore_into(fresh_target, damaged)
    assert f"{backup.FORMAT_VERSION + 1}" in str(refused.value)
    assert_nothing_written(fresh_target)


def test_a_corrupted_compressed_stream_is_refused(small_archive, fresh_target, tmp_path):
    data = bytearray(small_archive.read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 16):
        data[at] ^= 0xFF
    damaged = tmp_path / "corrupt.tar.gz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(backup.ArchiveDamaged):
        restore_into(fresh_target, damaged)
    assert_nothing_written(fresh_target)


def test_a_database_in_use_is_refused_and_nothing_is_written(small_archive, tmp_path):
    # the test database holds the account the archive was made with
    media = tmp_path / "target-media"
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(
            small_archive, connection=connection, storage=FileSystemStorage(media)
        )
    assert "accounts_user (1)" in str(refused.value)
    assert not media.exists()


def test_the_restore_command_refuses_a_database_in_use(small_archive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "target-media"
    with pytest.raises(CommandError, match="accounts_user"):
        call_command("restore", str(small_archive), yes=True, stdout=io.StringIO())
    assert not (tmp_path / "target-media").exists()


@pytest.mark.django_db
def test_a_migrated_database_without_accounts_or_audit_counts_as_empty():
    assert backup.target_blockers(connection) == []
    f.UserFactory(username="someone", role="committee")
    assert backup.target_blockers(connection) == [("accounts_user", 1)]


# --- pg_dump -------------------------------------------------------------------------------------


@pytest.fixture
def no_pg_tools(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(backup, "PG_BIN_GLOB", str(tmp_path / "no-postgresql" / "*" / "bin"))
    return empty


def test_a_missing_pg_dump_is_named(no_pg_tools):
    with pytest.raises(backup.BackupError, match="pg_dump") as refused:
        backup.find_pg_tool("pg_dump", 15)
    assert "postgresql-client-15" in str(refused.value)


def test_a_pg_dump_older_than_the_server_is_refused(no_pg_tools):
    fake = no_pg_tools / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.16'\n")
    fake.chmod(0o755)
    with pytest.raises(backup.BackupError) as refused:
        backup.find_pg_tool("pg_dump", 15)
    assert "13" in str(refused.value) and "15" in str(refused.value)
    assert backup.find_pg_tool("pg_dump", 13)[0] == str(fake)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL only")
def test_backup_without_pg_dump_writes_no_archive(no_pg_tools, media_root, tmp_path):
    archive = tmp_path / "never.tar.gz"
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", output=str(archive), stdout=io.StringIO())
    assert list(tmp_path.glob("never*")) == []
