"""Numbers typed or sent by a client: record ids, years, digit strings.

`str.isdigit()` and the regex `\\d` accept any Unicode digit ('²', '١', '１'); int() then fails on
some of them and the database overflows on ids past 2^63−1, both as a 500. Text from outside is
checked here with ASCII-only rules before it reaches int() or a query.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

# The largest value of a 64-bit signed integer: every primary key column (BigAutoField) and every
# SQLite INTEGER; a larger number overflows the database driver.
MAX_ID = 2**63 - 1
ID_ERROR = gettext_lazy("编号应为 1 至 9223372036854775807 之间的整数")

_ASCII_DIGITS = re.compile(r"[0-9]+")
_ID = re.compile(r"[0-9]{1,19}")
_YEAR = re.compile(r"[1-9][0-9]{3}")


def is_digits(text) -> bool:
    """Only the ASCII digits 0–9 (unlike str.isdigit(), which also takes '²' and '１')."""
    return isinstance(text, str) and _ASCII_DIGITS.fullmatch(text) is not None


def parse_id(value) -> int | None:
    """The record id in `value`, or None: signs, decimals, other digits and numbers out of
    1 … 2^63−1 are not ids."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ID.fullmatch(text):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_year(value) -> int | None:
    """A four-digit year (1000–9999) in ASCII digits, or None."""
    text = str(value if value is not None else "").strip()
    return int(text) if _YEAR.fullmatch(text) else None


class IdConverter:
    """`<id:pk>` in a URL: an id the database can hold; anything larger is a 404, not a 500."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver then tries the next pattern, ending in 404
        return number

    def to_url(self, value):
        return str(value)


class YearConverter:
    """`<year:year>` in a URL: 1000–9999 (date(99999, 1, 1) would raise)."""

    regex = "[1-9][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
