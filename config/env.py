"""Typed readers for GUANQING_* environment variables that fail loudly on a bad value."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None else None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ImproperlyConfigured(f"{name}={value!r} must be {bounds}")
    return number


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = _raw(name)
    if value is None or value == "":
        return default
    if value.upper() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value.upper()


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty entry between commas")
    return items


def env_database_url(name: str, default: str) -> dict:
    import dj_database_url

    value = env_str(name, default)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a database URL: use sqlite:///path/to/db.sqlite3 "
            "or postgres://user:password@host:port/name"
        )
    try:
        config = dj_database_url.parse(value)
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperlyConfigured(f"{name}={value!r} cannot be read: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={value!r} names no database")
    return config


def secret_key(data_dir: Path, *, allow_generated: bool) -> str:
    """GUANQING_SECRET_KEY, or (demo and tests only) a key generated once into the data folder."""
    value = env_str("GUANQING_SECRET_KEY")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured("GUANQING_SECRET_KEY must be at least 32 characters long")
        return value
    if not allow_generated:
        raise ImproperlyConfigured(
            "GUANQING_SECRET_KEY is required: set it to a long random string "
            "(for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
