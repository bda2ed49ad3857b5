"""Checksum-valid fake ID numbers for tests and demo data."""

from __future__ import annotations

import datetime
import random

from stdnum.cn import ric


def make_id_number(
    region: str = "330203",
    birth: datetime.date = datetime.date(1960, 5, 17),
    sequence: int = 1,
    gender: str | None = None,
) -> str:
    seq = sequence % 1000
    # the 17th digit is odd for men and even for women
    if gender is not None and (seq % 2 == 1) != (gender == "male"):
        seq = (seq + 1) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def random_id_number(
    rng: random.Random, region: str, gender: str | None = None, min_age: int = 18, max_age: int = 90
) -> str:
    today = datetime.date(2026, 1, 1)
    days = rng.randint(min_age * 365, max_age * 365)
    return make_id_number(
        region, today - datetime.timedelta(days=days), rng.randint(0, 999), gender
    )
