"""How a duty's status is shown on the pairing pages: what its badge says and how it looks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from guanqing.pairing.rules import Status

STATUS_BADGES = {
    Status.DONE: (gettext_lazy("已完成"), "ok"),
    Status.DUE: (gettext_lazy("待走访"), "info"),
    Status.DUE_SOON: (gettext_lazy("即将到期"), "warn"),
    Status.OVERDUE: (gettext_lazy("已逾期"), "accent"),
    Status.UPCOMING: (gettext_lazy("未开始"), "muted"),
    Status.NOT_OWED: (gettext_lazy("不计"), "muted"),
}


def badge(status: str) -> dict:
    label, tone = STATUS_BADGES[Status(status)]
    return {"status": status, "label": label, "tone": tone}


def with_badge(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "badge": badge(row["status"])}
