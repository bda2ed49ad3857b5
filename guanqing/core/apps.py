from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guanqing.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self):
        from django.core import validators
        from django.urls import register_converter

        from guanqing.core import collector, lookups, text  # noqa: F401 - lookups: __any_of
        from guanqing.core.ids import IdConverter, YearConverter
        from guanqing.core.scope import checks  # noqa: F401 - registers the scope check

        # Forms and the API refuse a NUL byte with this validator; Django's Chinese for its
        # message reads "empty string not allowed". Say what is wrong, like every other control
        # character (the error names the field).
        validators.ProhibitNullCharactersValidator.message = text.CONTROL_MESSAGE
        _register_menu()
        _register_calendar_reminder()
        _register_audit_seal()
        _register_snapshot_warming()
        collector.connect()
        # Before any URLconf is read (the site's, or the API's alone): paths use <id:pk> and
        # <year:year>.
        register_converter(IdConverter, "id")
        register_converter(YearConverter, "year")


def _register_calendar_reminder() -> None:
    """From 1 November, next year's official calendar is asked for (home page and daily job)."""
    from guanqing.core import daily
    from guanqing.core.calendar import reminders
    from guanqing.core.ui import home

    daily.register(
        "calendar.next_year",
        reminders.calendar_daily,
        describe=reminders.describe_calendar_daily,
    )
    home.register(
        home.HomeSection("calendar.next_year", reminders.home_notice, order=1, rule="calendar.edit")
    )


def _register_audit_seal() -> None:
    """The daily job seals audit records a crash left out of the chain, and prints the chain's end
    (the cron log keeps it as a witness outside the database)."""
    from guanqing.core import daily
    from guanqing.core.audit import chain

    daily.register("audit.chain", chain.daily_seal, describe=chain.describe_daily_seal)


def _register_snapshot_warming() -> None:
    """The daily job counts the figures pages' default snapshots of the new day, after the jobs
    that change the day's data (reminders, escalations)."""
    from guanqing.core import daily, snapshots

    daily.register(
        "figures.snapshots", snapshots.warm, describe=snapshots.describe_warmed, order=100
    )


def _register_menu() -> None:
    """Core's own menu entries: 首页 at the top, the calendar, the audit log; and the groups of the
    calendar and of the administrators (系统管理), which other apps add to."""
    from django.utils.translation import gettext_lazy as _

    from guanqing.core.audit import access as audit_access  # noqa: F401 - registers "audit"
    from guanqing.core.calendar import access as calendar_access  # noqa: F401 - "calendar"
    from guanqing.core.ui import nav
    from guanqing.core.ui.nav import NavEntry

    # 工作日历 stands alone in the menu: its group has no heading.
    nav.register_group("calendar", "", order=50)
    nav.register_group("admin", _("系统管理"), order=90)
    nav.register(
        NavEntry(group="", label=_("首页"), url_name="core:home", order=0),
        NavEntry(
            group="calendar",
            label=_("工作日历"),
            url_name="calendar:index",
            order=10,
            active=("calendar:*",),
        ),
        NavEntry(
            group="admin",
            label=_("审计日志"),
            url_name="audit:event_list",
            rule="audit.read",
            order=30,
            active=("audit:*",),
        ),
    )
