"""One-time codes a resident types from paper or reads from a QR code (a case's rating, a
problem's rating): 16 characters without those read alike (0/O, 1/I/L). Only the SHA-256 of the
normalised code is ever stored."""

from __future__ import annotations

import hashlib
import re
import secrets

from guanqing.core import sensitive

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-_.·—–]+")


def normalize_code(code) -> str:
    """Full-width folded, upper-case, spaces and dashes removed ("" for anything but text)."""
    if not isinstance(code, str):
        return ""
    return _SEPARATORS.sub("", sensitive.fold_width(code[:100])).upper()


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii", "replace")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)
