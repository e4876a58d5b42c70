"""A submitted application for "yttrande till CSN" becomes an yttrande case (by a task on commit;
the sweep catches up if the task is lost). The applications app knows nothing of this app."""


def application_saved(sender, instance, created, **kwargs):
    if created and instance.service == "yttrande":
        from .tasks import yttrande_case_from_application

        application_id = instance.pk
        yttrande_case_from_application.delay_on_commit(application_id)


def assignment_saved(sender, instance, created, **kwargs):
    """When the advisors app assigns a granted application, its yttrande case follows."""
    if created and instance.service == "yttrande":
        from .models import YttrandeCase
        from .tasks import assign_yttrande_advisor

        for case_id in YttrandeCase.objects.filter(
            application_id=instance.application_id, advisor__isnull=True
        ).values_list("pk", flat=True):
            assign_yttrande_advisor.delay_on_commit(case_id)
