from django.conf import settings


def navigation(request):
    """What the page chrome needs: the menu the apps registered, as this user may see it (built
    only when a page shows the menu)."""
    from functools import cache

    from guanqing.core.ui.nav import menu_for

    user = getattr(request, "user", None)

    @cache
    def menu() -> list[dict]:
        return menu_for(request)

    return {
        "demo_mode": settings.DEMO_MODE,
        "nav_user": user if user is not None and user.is_authenticated else None,
        "menu": menu,
    }


def notifications(request):
    """The bell's unread count: one query, run only when a page actually shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    from functools import cache

    from guanqing.core.models import Notification

    @cache
    def unread_notifications() -> int:
        return Notification.objects.visible_to(user).unread().count()

    return {"unread_notifications": unread_notifications}
