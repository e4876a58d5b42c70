from django.db import models


class ProbeAttempt(models.Model):
    """One start of the probe task (committed before the task does its work)."""

    key = models.CharField(max_length=100, db_index=True)
    pid = models.IntegerField()
    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.key} ({self.pid})"


class ProbeEffect(models.Model):
    """The probe task's effect: exactly one row per key, however often the task runs."""

    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
