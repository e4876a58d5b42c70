from django.conf import settings


def portal(request):
    """What the base layout needs on every page."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "DEBUG": settings.DEBUG}
