"""The 轮训 group of the menu (registered from `TrainingConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("training", _("轮训"), order=61)
    nav.register(
        NavEntry(
            group="training",
            label=_("我的轮训"),
            url_name="training:mine",
            rule="training.mine",
            order=5,
            active=("training:mine",),
        ),
        NavEntry(
            group="training",
            label=_("轮训签到"),
            url_name="training:checkin",
            rule="training.checkin",
            order=7,
            active=("training:checkin",),
        ),
        NavEntry(
            group="training",
            label=_("本单位参训"),
            url_name="training:unit",
            rule="training.unit",
            order=10,
            active=("training:unit",),
        ),
        NavEntry(
            group="training",
            label=_("轮训计划"),
            url_name="training:plans",
            rule="training.plan",
            order=20,
            active=(
                "training:plans",
                "training:plan_new",
                "training:plan",
                "training:plan_edit",
                "training:board",
                "training:calendar",
                "training:attendance",
                "training:attendance_day",
            ),
        ),
        NavEntry(
            group="training",
            label=_("轮训完成情况"),
            url_name="training:completion",
            rule="training.completion",
            order=30,
            active=("training:completion",),
        ),
    )
