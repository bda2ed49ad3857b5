from django.conf import settings


def navigation(request):
    """What the page chrome needs: the user's role flags for the menu."""
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "nav_user": user if user is not None and user.is_authenticated else None,
    }
