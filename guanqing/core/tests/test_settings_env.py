"""Start-up reads GUANQING_* variables and stops, naming the variable, when one is malformed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "a-throwaway-secret-key-for-start-up-tests-0123456789"


def start(tmp_path, *, cli_args=None, then="print('started')", **variables):
    """Set Django up in a fresh interpreter with only the given GUANQING_* variables, then run
    `then` (or the console script with `cli_args`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANQING_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["GUANQING_DATA_DIR"] = str(tmp_path / "data")
    env.update(variables)
    if cli_args is None:
        command = [sys.executable, "-c", f"import django; django.setup(); {then}"]
    else:
        command = [sys.executable, "-m", "guanqing.cli", *cli_args]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_good_settings_start(tmp_path):
    result = start(
        tmp_path,
        GUANQING_SECRET_KEY=GOOD_KEY,
        GUANQING_DEBUG="false",
        GUANQING_ALLOWED_HOSTS="guanqing.example.org,127.0.0.1",
        GUANQING_SESSION_IDLE_MINUTES="30",
        GUANQING_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GUANQING_DEBUG", "maybe"),
        ("GUANQING_DATABASE_URL", "mysql://root@localhost/guanqing"),
        ("GUANQING_DATABASE_URL", "not a url"),
        ("GUANQING_DATABASE_URL", "postgres://localhost"),
        ("GUANQING_ALLOWED_HOSTS", "example.org,,localhost"),
        ("GUANQING_SESSION_IDLE_MINUTES", "fifteen"),
        ("GUANQING_SESSION_IDLE_MINUTES", "0"),
        ("GUANQING_SECURE_COOKIES", "sometimes"),
        ("GUANQING_LOCKOUT_ATTEMPTS", "0"),
        ("GUANQING_IMPORT_BACKGROUND_ROWS", "many"),
        ("GUANQING_IMPORT_MAX_ROWS", "2000000"),
        ("GUANQING_IMPORT_MAX_COMPRESSION_RATIO", "5"),
        ("GUANQING_LOG_LEVEL", "LOUD"),
        ("GUANQING_GC_SETTLE_AFTER_REQUESTS", "-1"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(tmp_path, name, value):
    result = start(tmp_path, GUANQING_SECRET_KEY=GOOD_KEY, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr
    assert "started" not in result.stdout


def test_missing_secret_key_outside_demo_is_refused(tmp_path):
    result = start(tmp_path)
    assert result.returncode != 0
    assert "GUANQING_SECRET_KEY is required" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_short_secret_key_is_refused(tmp_path):
    result = start(tmp_path, GUANQING_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "GUANQING_SECRET_KEY" in result.stderr


def test_console_script_reports_a_configuration_error_in_one_line(tmp_path):
    result = start(tmp_path, cli_args=["check"])
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert "GUANQING_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_mode_generates_a_secret_key_into_the_data_folder_once(tmp_path):
    first = start(tmp_path, GUANQING_DEMO="1")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "data" / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = start(tmp_path, GUANQING_DEMO="1")
    assert second.returncode == 0, second.stderr
    assert key_file.read_text() == key


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "-c random_page_cost=1.1"),  # an SSD's, not a spinning disk's 4
        ("?options=-c%20random_page_cost%3D4", "-c random_page_cost=4"),  # the URL's own wins
    ],
)
def test_postgresql_connections_price_random_reads_as_on_ssd_unless_the_url_says(
    tmp_path, query, expected
):
    result = start(
        tmp_path,
        then="from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        GUANQING_SECRET_KEY=GOOD_KEY,
        GUANQING_DATABASE_URL=f"postgres://guanqing@db.example.org/guanqing{query}",
    )
    assert result.returncode == 0, result.stderr
    assert f"'options': '{expected}'" in result.stdout
