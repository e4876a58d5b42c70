from datetime import UTC, datetime

from advisors import services

from .factories import ApplicationFactory

GRANT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def assigned(**kwargs):
    application = ApplicationFactory(granted_at=GRANT, **kwargs)
    return services.assignment_create_for_application(application_id=application.pk)
