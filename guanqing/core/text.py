"""Text people type: what the platform refuses and what it tidies, in one place.

Control characters (C0 and DEL) arrive from copy-paste, from fuzzers and from spreadsheets; once
stored they break the Excel exports (openpyxl refuses them) and render as nothing. Single-line
fields refuse all of them; multi-line text (TextField) keeps tab, newline and carriage return.
Zero-width and other invisible characters at the edges of a value are dropped, so a name made of
nothing visible is an empty name.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanqing.core.validation import full_clean as model_full_clean

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_MESSAGE = _("不能包含控制字符（不可见的特殊字符）")
SINGLE_LINE_MESSAGE = _("只能填写一行文字，不能包含换行、制表符等控制字符")
NO_VISIBLE_MESSAGE = _("应包含可见的文字，不能只由空白或不可见字符组成")
TOO_LONG_MESSAGE = _("最多 %(limit)d 个字（现有 %(length)d 个字）")

# The bound of free text (a family's situation, a visit's notes, a wish's story): a page of
# writing; a 3 MB value would be copied into the audit log twice.
LONG_TEXT_MAX = 2000

# Letters that draw nothing (Hangul fillers, the braille blank): unicodedata calls them letters.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


@functools.lru_cache(maxsize=4096)  # asked for the first and last character of every value
def is_invisible(char: str) -> bool:
    """Whitespace, a format character (zero-width space, joiners, BOM, soft hyphen…) or a letter
    that draws nothing. Other control characters are not tidied away but refused. Unassigned and
    private-use code points count as visible: rare characters of names (生僻字) live there in
    newer Unicode versions and in many systems."""
    if char.isspace() or char in _BLANK_LETTERS:
        return True
    return unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")


def strip_edges(value: str) -> str:
    """`value` without whitespace and invisible characters at either end."""
    start, end = 0, len(value)
    while start < end and is_invisible(value[start]):
        start += 1
    while end > start and is_invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def has_visible(value: str) -> bool:
    return any(not is_invisible(char) for char in value or "")


def strip_control(value: str, *, multiline: bool = False) -> str:
    """`value` with its control characters removed: for text stored as received (a user name
    that failed to sign in, a photo's file name)."""
    return (CONTROL_MULTILINE if multiline else CONTROL).sub("", value or "")


def one_line(value: str) -> str:
    """Multi-line text as one line (for a summary kept in a single-line field): line breaks and
    tabs become spaces, other control characters go."""
    return strip_control(re.sub(r"[\t\r\n]+", " ", value or ""))


def control_message(value: str, *, multiline: bool = False):
    """The reason `value` is refused, or None when it holds no control character it may not."""
    if not isinstance(value, str):
        return None
    if multiline:
        return CONTROL_MESSAGE if CONTROL_MULTILINE.search(value) else None
    if CONTROL.search(value):
        # a tab or a line break is what people paste into a one-line field; say so
        return SINGLE_LINE_MESSAGE if not CONTROL_MULTILINE.search(value) else CONTROL_MESSAGE
    return None


def validate_single_line(value) -> None:
    message = control_message(value)
    if message is not None:
        raise ValidationError(message, code="control_characters")


def validate_multi_line(value) -> None:
    message = control_message(value, multiline=True)
    if message is not None:
        raise ValidationError(message, code="control_characters")


def text_errors(instance: models.Model) -> dict[str, list]:
    """{field: [message]} for every text field of `instance` holding a control character it may
    not, and every TextField longer than its max_length (Django leaves that to the form): every
    CharField and TextField of every model, whichever service writes it."""
    fields = _text_fields(type(instance))
    if _all_clean(instance, fields):
        return {}
    errors = {}
    for name, attname, multiline, max_length in fields:
        value = getattr(instance, attname)
        message = control_message(value, multiline=multiline)
        if message is not None:
            errors[name] = [message]
        elif multiline and max_length and isinstance(value, str) and len(value) > max_length:
            errors[name] = [TOO_LONG_MESSAGE % {"limit": max_length, "length": len(value)}]
    return errors


def _all_clean(instance: models.Model, fields) -> bool:
    """True when no text field can hold an error: every value a str, no control character in
    the one-line values taken together nor in the multi-line ones, no multi-line value too long.
    Two searches instead of one a field; any doubt goes to the field-by-field check."""
    single, multi = [], []
    for _name, attname, multiline, max_length in fields:
        value = getattr(instance, attname)
        if not isinstance(value, str):
            return False
        if multiline:
            if max_length and len(value) > max_length:
                return False
            multi.append(value)
        else:
            single.append(value)
    return not CONTROL.search("".join(single)) and not CONTROL_MULTILINE.search("".join(multi))


_TEXT_FIELDS: dict[type, list[tuple[str, str, bool, int | None]]] = {}


def _text_fields(model: type[models.Model]) -> list[tuple[str, str, bool, int | None]]:
    """(name, attname, multi-line, max_length) of each CharField and TextField of `model`, found
    once per model (an import checks thousands of instances of one)."""
    found = _TEXT_FIELDS.get(model)
    if found is None:
        found = _TEXT_FIELDS[model] = [
            (f.name, f.attname, isinstance(f, models.TextField), f.max_length)
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
    return found


def full_clean(instance: models.Model, **kwargs) -> None:
    """`instance.full_clean(**kwargs)` (in fewer queries: guanqing/core/validation.py) that also
    refuses control characters and over-long text, all errors at once."""
    errors = text_errors(instance)
    try:
        model_full_clean(instance, **kwargs)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, [])
            errors[name] += [m for m in messages if m not in errors[name]]
    if errors:
        raise ValidationError(errors)
