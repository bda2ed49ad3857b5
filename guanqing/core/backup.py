"""Backup and restore (等保 level 3 data backup): one compressed tar archive holding the database,
every uploaded file and a manifest — never the keys.

Members of the archive (a gzip-compressed tar):

    database.sqlite3     SQLite: a copy taken with the online backup API (consistent while the
                         site runs)
    database.pgdump      PostgreSQL: `pg_dump --format=custom`, taken in the same snapshot as the
                         row counts of the manifest
    media/<name>         every file of the default storage (MEDIA_ROOT), read through the storage
                         API under its storage name
    manifest.json        format version, time, Guanqing version, database vendor, the last applied
                         migration of each app, SHA-256 and size of every other member, row counts

The secret key, the field encryption key and the audit key are not in the archive: they are kept
separately (docs/deployment.md, "备份与恢复 Backup and restore"). A restore reads and checks the whole
archive before it writes anything, writes only into an empty database (`target_blockers`), and
compares the row counts with the manifest afterwards.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import sensitive

FORMAT = "guanqing-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Where Debian and Ubuntu install the PostgreSQL client programs of each major version.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
KEYS_NOTE = (
    "Not in this archive: GUANQING_SECRET_KEY, GUANQING_FIELD_KEY and GUANQING_AUDIT_KEY. "
    "Keep them separately; without the same keys the ID numbers cannot be read."
)
_CHUNK = 1024 * 1024
_SPOOL = 8 * 1024 * 1024
_MANIFEST_MAX = 64 * 1024 * 1024
_SQLITE_BUSY_SECONDS = 120


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


class ArchiveDamaged(BackupError):
    """The archive is not a complete, unaltered Guanqing backup. Nothing has been written."""


@dataclass
class RestoreResult:
    manifest: dict
    media_written: int = 0
    media_present: int = 0  # already in the storage with the same content (a restore run again)
    keys_readable: bool | None = None  # None: no encrypted value to try
    pending_migrations: list[str] = field(default_factory=list)


# --- shared pieces -------------------------------------------------------------------------------


def guanqing_version() -> str:
    try:
        return metadata.version("guanqing")
    except metadata.PackageNotFoundError:
        return "unknown"


def _copy_hashing(source, target) -> tuple[str, int]:
    """Copy a binary stream to another; (SHA-256, bytes) of what was copied."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    return digest.hexdigest(), size


def _quote(conn, name: str) -> str:
    return conn.ops.quote_name(name)


def _table_names(conn, cursor) -> list[str]:
    """The tables of the database (SQLite's own tables aside), sorted."""
    if conn.vendor == "sqlite":
        return _sqlite_table_names(cursor)
    return sorted(conn.introspection.table_names(cursor))


def _sqlite_table_names(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _row_counts(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _last_migrations(cursor, tables: list[str]) -> dict[str, str]:
    """The last applied migration of each app, from the migration history."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    last: dict[str, str] = {}
    for app, name in cursor.fetchall():
        last[app] = name
    return dict(sorted(last.items()))


def _independent(conn):
    """A second connection to the same database, outside whatever the first one is doing."""
    from django.db.utils import load_backend

    backend = load_backend(conn.settings_dict["ENGINE"])
    return backend.DatabaseWrapper(dict(conn.settings_dict), conn.alias)


def _sqlite_path(conn) -> Path | None:
    """The file of an SQLite database; None for an in-memory one."""
    name = str(conn.settings_dict["NAME"])
    if conn.is_in_memory_db() or name.startswith("file:"):
        return None
    return Path(name)


# --- PostgreSQL client programs ------------------------------------------------------------------


def _tool_version(path: str) -> tuple[int, str] | None:
    """(major version, the version line) of a PostgreSQL client program, None if it does not run."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"PostgreSQL\)\s+(\d+)", out)
    return (int(match.group(1)), out.strip()) if match else None


def find_pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """(path, version line) of `pg_dump` or `pg_restore`: the newest found on PATH or under
    /usr/lib/postgresql/*/bin. Refused when none is found, or when the newest is older than the
    server (an older pg_dump cannot read a newer server)."""
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += sorted(glob.glob(os.path.join(PG_BIN_GLOB, name)))
    found = []
    for path in candidates:
        if os.access(path, os.X_OK) and (version := _tool_version(path)) is not None:
            found.append((version[0], version[1], path))
    if not found:
        raise BackupError(
            _(
                "找不到 %(tool)s：请安装 PostgreSQL %(major)s 或更新版本的客户端程序"
                "（如 apt-get install postgresql-client-%(major)s），或把它所在的目录加入 PATH"
            )
            % {"tool": name, "major": server_major}
        )
    major, line, path = max(found)
    if major < server_major:
        raise BackupError(
            _(
                "%(tool)s 的版本（%(found)s，%(path)s）低于数据库服务器的主版本 %(server)s："
                "请安装 PostgreSQL %(server)s 或更新版本的客户端程序"
            )
            % {"tool": name, "found": major, "path": path, "server": server_major}
        )
    return path, line


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for the configured database: the password stays out of the command line."""
    env = os.environ.copy()
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    return env


def _server_major(conn) -> int:
    version = conn.pg_version
    return version // 10000 if version >= 100000 else version // 100


def _run_pg_tool(args: list[str], settings_dict: dict, tool: str) -> None:
    result = subprocess.run(args, env=_pg_env(settings_dict), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {"tool": tool, "code": result.returncode, "error": result.stderr.strip()[-2000:]}
        )


# --- backup --------------------------------------------------------------------------------------


def _backup_sqlite(conn, target: Path) -> dict:
    """Copy the database with SQLite's online backup API: one step, consistent while the site
    writes; the copy is turned into a single file (no write-ahead log)."""
    if conn.in_atomic_block:
        # SQLite cannot copy a database from the connection that is writing to it
        raise RuntimeError("an SQLite backup cannot run inside a transaction")
    conn.ensure_connection()
    deadline = time.monotonic() + _SQLITE_BUSY_SECONDS

    def give_up_when_locked_too_long(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(
                _("数据库被占用超过 %(seconds)s 秒，无法备份：请稍后再试")
                % {"seconds": _SQLITE_BUSY_SECONDS}
            )

    copy = sqlite3.connect(target)
    try:
        conn.connection.backup(copy, progress=give_up_when_locked_too_long)
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        tables = _sqlite_table_names(cursor)
        facts = {
            "tables": _row_counts(cursor, tables, lambda name: _quote(conn, name)),
            "migrations": _last_migrations(cursor, tables),
            "server_version": sqlite3.sqlite_version,
            "tool": f"sqlite3 {sqlite3.sqlite_version} backup API",
        }
    finally:
        copy.close()
    return facts


def _backup_postgresql(conn, target: Path) -> dict:
    """pg_dump in a snapshot exported by a read-only transaction that also counts the rows, so that
    the dump and the manifest describe the same moment."""
    server_major = _server_major(conn)
    tool, line = find_pg_tool("pg_dump", server_major)
    snap = _independent(conn)
    try:
        with snap.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run_pg_tool(
                [
                    tool,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--dbname",
                    str(conn.settings_dict["NAME"]),
                ],
                conn.settings_dict,
                "pg_dump",
            )
            tables = sorted(snap.introspection.table_names(cursor))
            facts = {
                "tables": _row_counts(cursor, tables, lambda name: _quote(snap, name)),
                "migrations": _last_migrations(cursor, tables),
                "server_version": snap.pg_version,
                "tool": line,
            }
            cursor.execute("COMMIT")
    finally:
        snap.close()
    return facts


def media_names(storage) -> list[str]:
    """Every file of the storage, by its storage name (`visits/2026/05/ab12….jpg`), sorted."""
    names: list[str] = []

    def walk(folder: str) -> None:
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            names.append(f"{folder}/{name}" if folder else name)
        for name in dirs:
            walk(f"{folder}/{name}" if folder else name)

    walk("")
    return sorted(names)


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def _add_stream(tar: tarfile.TarFile, name: str, source) -> dict:
    """Add a member from a stream (spooled first, so that its size and checksum are those of
    exactly the bytes archived)."""
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:
        sha, size = _copy_hashing(source, spool)
        spool.seek(0)
        tar.addfile(_tar_info(name, size), spool)
    return {"sha256": sha, "size": size}


def default_archive_path() -> Path:
    from django.conf import settings

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"guanqing-{stamp}.tar.gz"


def create_backup(
    output: Path | str,
    *,
    connection=None,
    storage=None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write the archive to `output` (refused if it exists; readable by its owner only) and return
    its manifest. The archive appears under its name only once it is complete."""
    conn = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    storage = storage if storage is not None else default_storage
    say = progress or (lambda _text: None)
    if conn.vendor not in DATABASE_MEMBERS:
        raise BackupError(_("不支持备份 %(vendor)s 数据库") % {"vendor": conn.vendor})
    output = Path(output)
    if output.exists():
        raise BackupError(_("%(path)s 已存在：备份不覆盖已有文件") % {"path": output})
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    member = DATABASE_MEMBERS[conn.vendor]
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="guanqing-backup-") as scratch:
        dump = Path(scratch) / member
        say(_("备份数据库……"))
        if conn.vendor == "sqlite":
            facts = _backup_sqlite(conn, dump)
        else:
            facts = _backup_postgresql(conn, dump)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    with dump.open("rb") as source:
                        files[member] = _add_stream(tar, member, source)
                    say(_("备份上传文件……"))
                    media_bytes = 0
                    for name in media_names(storage):
                        try:
                            source = storage.open(name, "rb")
                        except FileNotFoundError:  # deleted since the listing: gone with its row
                            continue
                        with source:
                            entry = _add_stream(tar, MEDIA_PREFIX + name, source)
                        files[MEDIA_PREFIX + name] = entry
                        media_bytes += entry["size"]
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": timezone.now().isoformat(timespec="seconds"),
                        "guanqing_version": guanqing_version(),
                        "database": {
                            "vendor": conn.vendor,
                            "member": member,
                            "server_version": facts["server_version"],
                            "tool": facts["tool"],
                        },
                        "migrations": facts["migrations"],
                        "tables": facts["tables"],
                        "media": {
                            "source": "storage API (default_storage)",
                            "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                            "files": len(files) - 1,
                            "bytes": media_bytes,
                        },
                        "files": files,
                        "keys": KEYS_NOTE,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    tar.addfile(_tar_info(MANIFEST, len(data)), _BytesReader(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk


# --- reading an archive --------------------------------------------------------------------------


def _staged_path(staging: Path, name: str) -> Path:
    """Where a member is unpacked; refused unless it is one a backup writes, under the staging
    folder (no absolute path, no `..`)."""
    if name in DATABASE_MEMBERS.values():
        return staging / name
    pure = PurePosixPath(name)
    if (
        name.startswith(MEDIA_PREFIX)
        and not pure.is_absolute()
        and len(pure.parts) > 1
        and all(part not in ("", ".", "..") for part in pure.parts)
        and "\\" not in name
        and "\x00" not in name
    ):
        return staging.joinpath(*pure.parts)
    raise ArchiveDamaged(_("备份文件中有不应有的条目“%(name)s”") % {"name": name})


def read_archive(path: Path | str, staging: Path) -> dict:
    """Unpack the archive into `staging` and check it whole: every member named by the manifest
    present with its size and SHA-256, nothing else, the manifest of this format version. Returns
    the manifest; raises ArchiveDamaged naming what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("找不到备份文件 %(path)s") % {"path": path})
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                name = info.name
                if not info.isfile():
                    raise ArchiveDamaged(_("备份文件中有不应有的条目“%(name)s”") % {"name": name})
                if name in seen or (name == MANIFEST and manifest_bytes is not None):
                    raise ArchiveDamaged(_("备份文件中的“%(name)s”出现了不止一次") % {"name": name})
                source = tar.extractfile(info)
                if name == MANIFEST:
                    manifest_bytes = source.read(_MANIFEST_MAX + 1)
                    continue
                target = _staged_path(staging, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    sha, size = _copy_hashing(source, out)
                seen[name] = {"sha256": sha, "size": size}
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ArchiveDamaged(
            _("备份文件 %(path)s 已损坏或不完整（%(error)s）") % {"path": path, "error": exc}
        ) from None
    if manifest_bytes is None:
        raise ArchiveDamaged(_("备份文件中缺少 %(name)s") % {"name": MANIFEST})
    manifest = _parse_manifest(manifest_bytes)
    expected = manifest["files"]
    for name, entry in sorted(expected.items()):
        _staged_path(staging, name)
        got = seen.get(name)
        if got is None:
            raise ArchiveDamaged(_("备份文件中缺少 %(name)s") % {"name": name})
        if got["size"] != entry["size"]:
            raise ArchiveDamaged(
                _(
                    "备份文件中的 %(name)s 大小不符：清单记录 %(expected)s 字节，实际 %(actual)s 字节"
                )
                % {"name": name, "expected": entry["size"], "actual": got["size"]}
            )
        if got["sha256"] != entry["sha256"]:
            raise ArchiveDamaged(
                _("备份文件中的 %(name)s 校验和（SHA-256）与清单不符：内容已被改动或损坏")
                % {"name": name}
            )
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise ArchiveDamaged(_("备份文件中的 %(name)s 不在清单中") % {"name": extra[0]})
    return manifest


def _parse_manifest(data: bytes) -> dict:
    unreadable = ArchiveDamaged(_("备份文件中的 %(name)s 无法读取") % {"name": MANIFEST})
    if len(data) > _MANIFEST_MAX:
        raise unreadable
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise unreadable from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise unreadable
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveDamaged(
            _("备份文件的格式版本是 %(found)s，本版本的关情只能恢复格式版本 %(expected)s")
            % {"found": version, "expected": FORMAT_VERSION}
        )
    try:
        vendor = manifest["database"]["vendor"]
        files = manifest["files"]
        valid = (
            vendor in DATABASE_MEMBERS
            and manifest["database"]["member"] == DATABASE_MEMBERS[vendor]
            and DATABASE_MEMBERS[vendor] in files
            and all(
                isinstance(entry["sha256"], str) and isinstance(entry["size"], int)
                for entry in files.values()
            )
            and all(isinstance(count, int) for count in manifest["tables"].values())
            and all(isinstance(name, str) for name in manifest["migrations"].values())
        )
    except (KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise unreadable
    return manifest


# --- restore -------------------------------------------------------------------------------------


def target_blockers(conn) -> list[tuple[str, int]]:
    """Why the database is not empty enough to restore into: [(table, rows)], [] when it is.

    Empty means: no tables at all (a new database, an SQLite file not yet created), or tables that
    `guanqing migrate` made and filled with its own reference rows (the migration history, the
    official calendar, default catalogues) but no account and no audit event — a database nobody
    has used, since every use of the platform writes both. Any other database is refused, so
    that a restore never mixes with or replaces real records.
    """
    if conn.vendor == "sqlite":
        path = _sqlite_path(conn)
        if path is not None and not path.exists():
            return []
    with conn.cursor() as cursor:
        tables = set(_table_names(conn, cursor))
        if not tables:
            return []
        from guanqing.core.models import AuditEvent

        watched = [get_user_model()._meta.db_table, AuditEvent._meta.db_table]
        if any(table not in tables for table in watched):
            # tables, but not a migrated Guanqing database: count them all
            watched = sorted(tables)
        counts = _row_counts(cursor, watched, lambda name: _quote(conn, name))
    return [(table, rows) for table, rows in counts.items() if rows]


def _check_migrations_known(manifest: dict) -> None:
    """Refuse a backup of a newer Guanqing: this code would not know its tables."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(manifest["migrations"].items())
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            _(
                "这份备份来自较新的关情（%(version)s），本版本不认识它的迁移 %(migrations)s："
                "请先安装相同或更新的版本再恢复"
            )
            % {"version": manifest.get("guanqing_version", "?"), "migrations": ", ".join(unknown)}
        )


def _check_media_free(storage, manifest: dict) -> tuple[list[str], int]:
    """The media names to write; refused if one is taken by a different file. A file already
    there with the same content (a restore run again after it stopped) is left as it is."""
    to_write, present = [], 0
    for member, entry in sorted(manifest["files"].items()):
        if not member.startswith(MEDIA_PREFIX):
            continue
        name = member[len(MEDIA_PREFIX) :]
        if storage.exists(name):
            with storage.open(name, "rb") as existing:
                sha, _size = _copy_hashing(existing, _Discard())
            if sha != entry["sha256"]:
                raise BackupError(
                    _("上传文件目录中已有另一个 %(name)s：恢复不覆盖已有文件") % {"name": name}
                )
            present += 1
            continue
        to_write.append(name)
    return to_write, present


class _Discard:
    def write(self, data: bytes) -> int:
        return len(data)


def _restore_sqlite(conn, staged: Path) -> None:
    path = _sqlite_path(conn)
    conn.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    incoming = path.with_name(path.name + ".restoring")
    shutil.copyfile(staged, incoming)
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, path)


def _restore_postgresql(conn, staged: Path) -> None:
    tool, _line = find_pg_tool("pg_restore", _server_major(conn))
    _clear_migrated_schema(conn)
    _run_pg_tool(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            "--dbname",
            str(conn.settings_dict["NAME"]),
            str(staged),
        ],
        conn.settings_dict,
        "pg_restore",
    )


# What `guanqing migrate` creates in the schema besides tables: their sequences, and functions for
# triggers (the fund ledger's guards). Objects of extensions are left alone.
_MIGRATED_OBJECTS = """
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                      WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text
  FROM pg_class c
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text
  FROM pg_proc p
 WHERE p.pronamespace = current_schema()::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                   AND d.objid = p.oid AND d.deptype = 'e')
"""
_DROP_ORDER = ["MATERIALIZED VIEW", "VIEW", "TABLE", "SEQUENCE", "FUNCTION"]


def _clear_migrated_schema(conn) -> None:
    """Make way for the backup in a migrated but unused database (`target_blockers`): drop what
    `guanqing migrate` created in its schema — only reference rows are lost."""
    with conn.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute(_MIGRATED_OBJECTS)
            objects = cursor.fetchall()
            for kind in _DROP_ORDER:
                for object_kind, name in objects:
                    if object_kind == kind:
                        cursor.execute(f"DROP {kind} IF EXISTS {name} CASCADE")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def keys_read_stored_values(conn) -> bool | None:
    """Whether this installation's keys decrypt the stored values: one encrypted value (an ID
    number) is tried. None when the database holds none."""
    encrypted = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if model_field.name.endswith("_encrypted"):
                encrypted.append((model._meta.db_table, model_field.column))
    with conn.cursor() as cursor:
        tables = set(_table_names(conn, cursor))
        for table, column in sorted(encrypted):
            if table not in tables:
                continue
            cursor.execute(
                f"SELECT {_quote(conn, column)} FROM {_quote(conn, table)} "
                f"WHERE {_quote(conn, column)} <> '' ORDER BY 1 LIMIT 1"
            )
            row = cursor.fetchone()
            if row:
                return bool(sensitive.decrypt(row[0]))
    return None


def _pending_migrations(conn) -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(conn)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def restore_backup(
    archive: Path | str,
    *,
    connection=None,
    storage=None,
    confirm: Callable[[dict], bool] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and the storage. Everything is checked first
    (the archive whole, its database vendor and migrations, the target empty, no media name taken),
    then `confirm(manifest)` is asked; only then are the files and the database written, and the
    row counts compared with the manifest."""
    conn = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    storage = storage if storage is not None else default_storage
    say = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="guanqing-restore-") as scratch:
        staging = Path(scratch)
        say(_("检查备份文件……"))
        manifest = read_archive(archive, staging)
        vendor = manifest["database"]["vendor"]
        if vendor != conn.vendor:
            raise BackupError(
                _("这份备份来自 %(archive)s 数据库，不能恢复到 %(target)s 数据库")
                % {"archive": vendor, "target": conn.vendor}
            )
        _check_migrations_known(manifest)
        blockers = target_blockers(conn)
        if blockers:
            listed = ", ".join(f"{table} ({rows})" for table, rows in blockers[:5])
            raise BackupError(
                _(
                    "目标数据库不是空的（表和行数：%(tables)s）：恢复只写入空数据库——"
                    "新建的，或只执行过 guanqing migrate、还没有账号和审计记录的"
                )
                % {"tables": listed}
            )
        if vendor == "sqlite" and _sqlite_path(conn) is None:
            raise BackupError(_("不能恢复到内存中的 SQLite 数据库"))
        to_write, present = _check_media_free(storage, manifest)
        if confirm is not None and not confirm(manifest):
            raise BackupError(_("已取消，未写入任何内容"))

        result = RestoreResult(manifest=manifest, media_present=present)
        say(_("恢复上传文件……"))
        for name in to_write:
            with (staging / MEDIA_PREFIX).joinpath(*PurePosixPath(name).parts).open("rb") as f:
                stored = storage.save(name, File(f, name=name))
            if stored != name:
                raise BackupError(
                    _("上传文件 %(name)s 被存成了 %(stored)s") % {"name": name, "stored": stored}
                )
            result.media_written += 1
        say(_("恢复数据库……"))
        staged_db = staging / manifest["database"]["member"]
        if vendor == "sqlite":
            _restore_sqlite(conn, staged_db)
        else:
            _restore_postgresql(conn, staged_db)

        with conn.cursor() as cursor:
            counts = _row_counts(
                cursor, _table_names(conn, cursor), lambda name: _quote(conn, name)
            )
        expected = manifest["tables"]
        differ = sorted(
            table
            for table in set(counts) | set(expected)
            if counts.get(table) != expected.get(table)
        )
        if differ:
            raise BackupError(
                _("恢复后的行数与清单不符：%(tables)s")
                % {
                    "tables": ", ".join(
                        f"{t} ({expected.get(t, '-')} → {counts.get(t, '-')})" for t in differ[:10]
                    )
                }
            )
        result.keys_readable = keys_read_stored_values(conn)
        result.pending_migrations = _pending_migrations(conn)
    return result
