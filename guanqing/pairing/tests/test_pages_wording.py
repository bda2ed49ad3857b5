"""The board and the figures page say the same thing the same way: one name for a period
(2026 年第 1 季度, never 2026Q1 on a page) and one name for the ratio (走访达标率)."""

from __future__ import annotations

import re

from guanqing.conftest import client_for


def _option_labels(html: str) -> list[str]:
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", html)


def test_board_and_figures_name_periods_and_the_ratio_alike(world, pinned_today):
    committee = client_for(world.users.committee)
    board = committee.get("/pairing/board/").content.decode()
    figures = committee.get("/pairing/figures/").content.decode()

    for html in (board, figures):
        labels = _option_labels(html)
        assert "2026 年第 1 季度" in labels
        assert "2026 年元旦春节走访期" in labels
        assert not [label for label in labels if re.fullmatch(r"\d{4}Q\d", label.strip())]
        assert "走访达标率" in html
    assert "完成率" not in board
