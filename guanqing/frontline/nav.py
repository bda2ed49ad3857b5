"""The 走亲连心 group of the menu (registered from `FrontlineConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("frontline", _("走亲连心"), order=48)
    nav.register(
        NavEntry(
            group="frontline",
            label=pgettext_lazy("outreach", "走访"),
            url_name="frontline:outreach",
            rule="frontline.outreach",
            order=10,
            active=("frontline:outreach", "frontline:outreach_new", "frontline:outreach_detail"),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("走访对象"),
            url_name="frontline:places",
            rule="frontline.places",
            order=20,
            active=("frontline:places",),
        ),
    )
    # the system administrator's Open311 application keys, beside the accounts
    nav.register(
        NavEntry(
            group="admin",
            label=_("Open311 接入密钥"),
            url_name="frontline:open311_keys",
            rule="frontline.open311_keys",
            order=30,
            active=("frontline:open311_keys",),
        ),
    )
    # 难题: the queue (the committee: all), the dispatch desk, the catalogue
    nav.register(
        NavEntry(
            group="frontline",
            label=_("难题"),
            url_name="frontline:problems",
            rule="frontline.problems",
            order=30,
            active=(
                "frontline:problems",
                "frontline:problem_new",
                "frontline:problem_detail",
                "frontline:problem_step",
            ),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("派单台"),
            url_name="frontline:dispatch_desk",
            rule="frontline.dispatch",
            order=32,
            active=("frontline:dispatch_desk",),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("难题类别"),
            url_name="frontline:categories",
            rule="frontline.catalogue_edit",
            order=34,
            active=("frontline:categories", "frontline:problem_settings"),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("金点子与口袋书"),
            url_name="frontline:practices",
            rule="frontline.practices",
            order=60,
            active=(
                "frontline:practices",
                "frontline:practice_new",
                "frontline:practice_detail",
                "frontline:practice_edit",
                "frontline:brands",
                "frontline:brand_new",
                "frontline:brand_edit",
                "frontline:books",
                "frontline:book_new",
                "frontline:book_detail",
                "frontline:book_edit",
            ),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("走访统计"),
            url_name="frontline:figures",
            rule="frontline.figures",
            order=80,
            active=("frontline:figures",),
        ),
    )
