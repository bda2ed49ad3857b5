"""ID numbers (GB 11643) and other sensitive values: validation, look-up hash, encryption, masking."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import numdb
from stdnum.cn import ric

from guanqing.core.calendar.workdays import business_date

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# A landline: area code (0574) and 7–8 digits, or a local 7–8 digit number.
LANDLINE_RE = re.compile(r"^(0[0-9]{2,3}-?)?[1-9][0-9]{6,7}$")
ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]")

# Full-width forms (U+FF01–FF5E) and the ideographic space, as a Chinese input method types them,
# folded to ASCII: "１３８１２３４５６７８" is the mobile number 13812345678. Other Unicode
# digits ('²', '١') are not folded and fail the ASCII patterns above.
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def fold_width(value: str) -> str:
    return (value or "").translate(_FULL_WIDTH)


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", fold_width(value)).upper()


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character ID number or raise ValidationError in Chinese and English.

    stdnum checks the checksum and the birth date. Its birthplace check also demands that the region
    code existed in the year of birth, which refuses every elderly resident of a district created later
    (IDs were issued in the 1980s, not at birth). Here a region code is accepted when it is known at all,
    current or historical (330204 江东区, abolished 2016, passes).
    """
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            gettext("身份证号码应为 18 位（当前 %(n)d 位）"),
            code="length",
            params={"n": len(number)},
        )
    if not ID_NUMBER_RE.fullmatch(number):
        raise ValidationError(
            gettext("身份证号码只能包含数字，末位可为 X"),
            code="format",
        )
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(gettext("身份证号码校验位错误"), code="checksum")
    try:
        birth = _birth_date(number)
    except ValueError:
        raise ValidationError(
            gettext("身份证号码中的出生日期无效"),
            code="birth_date",
        ) from None
    if birth > business_date() or birth < datetime.date(1890, 1, 1):
        raise ValidationError(gettext("身份证号码中的出生日期不合理"), code="birth_date")
    if not _known_region(number[:6]):
        raise ValidationError(
            gettext("身份证号码中的地区码 %(code)s 不存在"),
            code="region",
            params={"code": number[:6]},
        )
    return number


@lru_cache(maxsize=8192)
def _known_region(code: str) -> bool:
    """Whether a 6-digit region code is a county-level code, current or historical (looked up
    once per code: an import checks thousands of numbers from a few districts)."""
    info = numdb.get("cn/loc").info(code)
    return any("county" in props for _part, props in info)


def validate_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", fold_width(value))
    if not MOBILE_RE.match(number):
        raise ValidationError(
            gettext("手机号码应为 11 位，以 13–19 开头"),
            code="mobile",
        )
    return number


def validate_phone(value: str) -> str:
    """A contact phone: a mobile number or a landline such as 0574-87654321."""
    number = re.sub(r"\s", "", fold_width(value))
    if MOBILE_RE.match(number) or LANDLINE_RE.match(number):
        return number
    raise ValidationError(
        gettext("联系电话应为 11 位手机号码（13–19 开头）或固定电话（如 0574-87654321）"),
        code="phone",
    )


def _birth_date(number: str) -> datetime.date:
    """The date in digits 7–14 of an 18-character ID number (ValueError if there is none): what
    stdnum's get_birth_date reads, without tidying a number that is tidy already."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def birth_date_of(number: str) -> datetime.date:
    if ID_NUMBER_RE.fullmatch(number):
        return _birth_date(number)
    return ric.get_birth_date(number)


def gender_of(number: str) -> str:
    return "male" if int(number[16]) % 2 else "female"


@lru_cache(maxsize=4)
def _keys(secret: str, field_key: str | None) -> tuple[bytes, Fernet]:
    material = (field_key or secret).encode()
    lookup = hashlib.sha256(b"guanqing-lookup:" + material).digest()
    enc = base64.urlsafe_b64encode(hashlib.sha256(b"guanqing-encrypt:" + material).digest())
    return lookup, Fernet(enc)


def _current_keys() -> tuple[bytes, Fernet]:
    return _keys(settings.SECRET_KEY, getattr(settings, "FIELD_ENCRYPTION_KEY", None))


def lookup_hash(number: str) -> str:
    """A keyed hash for exact look-up: equal numbers give equal hashes; the number is not recoverable."""
    key, _ = _current_keys()
    return hmac.new(key, normalize_id_number(number).encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    _, fernet = _current_keys()
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    _, fernet = _current_keys()
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def mask(value: str, head: int = 6, tail: int = 4, char: str = "*") -> str:
    if not value:
        return ""
    if head + tail >= len(value):
        return char * len(value)
    return value[:head] + char * (len(value) - head - tail) + (value[-tail:] if tail else "")
