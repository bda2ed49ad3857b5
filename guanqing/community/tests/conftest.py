"""Fixtures of the 党员进社区 tests."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.db import connection


@pytest.fixture
def sqlite_file_db():
    """Run a threaded test against a file copy of the SQLite test database.

    pytest-django's SQLite test database lives in memory with a shared cache. There, SQLite locks
    whole tables between connections and answers a second writer at once with "database table is
    locked" instead of waiting (the busy timeout does not apply to shared-cache locks), so a test
    with concurrent writers would fail for a reason production never meets: production runs on a
    file (WAL, BEGIN IMMEDIATE, busy timeout), where writers queue. For the duration of the test,
    this fixture copies the in-memory database to a file and points every new connection at it;
    afterwards it points them back. On PostgreSQL, or a file-based SQLite test database, it does
    nothing.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory_name = connection.settings_dict["NAME"]
    memory = connection.connection  # held open: the shared in-memory database lives while it does
    with tempfile.TemporaryDirectory(prefix="guanqing-race-") as folder:
        path = str(Path(folder) / "race.sqlite3")
        copy = sqlite3.connect(path)
        memory.backup(copy)
        copy.close()
        # settings_dict is the one dict every connection of this alias (any thread) is made from
        connection.settings_dict["NAME"] = path
        connection.connection = None
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = memory_name
            connection.connection = memory
