"""Every tone a page gives a badge, a figure tile or a table row is styled in the one stylesheet:
an overdue badge that falls back to the plain grey one says nothing to the reader."""

from __future__ import annotations

import re
from pathlib import Path

import guanqing

ROOT = Path(guanqing.__file__).parent
CSS = (ROOT / "core/static/css/app.css").read_text(encoding="utf-8")
# The tones the views hand to the templates ("tone": "danger", TONES = {…: "warn"}, …)
TONES = {"accent", "ok", "warn", "info", "muted", "danger"}


def _styled(block: str) -> set[str]:
    return set(re.findall(rf"\.{block}--([a-z]+)\b", CSS))


def _written_in_templates(block: str) -> set[str]:
    found = set()
    for template in ROOT.rglob("templates/**/*.html"):
        found |= set(re.findall(rf"\b{block}--([a-z]+)\b", template.read_text(encoding="utf-8")))
    return found


def test_every_tone_of_a_badge_is_styled():
    assert _styled("badge") >= TONES
    assert _written_in_templates("badge") <= _styled("badge")


def test_the_tones_of_a_figure_tile_and_of_a_row_are_styled():
    assert {"accent", "warn", "danger"} <= _styled("stat")
    assert {"warn", "danger"} <= _styled("row")


def test_the_tones_the_views_use_are_known():
    used = set()
    for module in ROOT.rglob("*.py"):
        if "/tests/" in str(module) or "/migrations/" in str(module):
            continue
        text = module.read_text(encoding="utf-8")
        used |= set(re.findall(r'"tone": "([a-z]+)"', text))
    assert used and used <= TONES
