"""Abstract models every domain app builds on.

Nothing a user created is ever hard-deleted: models that users create inherit `ArchivableModel`
and are archived (hidden from normal lists, kept in the database and the audit trail).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ActiveQuerySet(models.QuerySet):
    def active(self) -> ActiveQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ActiveQuerySet:
        return self.filter(archived_at__isnull=False)

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise ProtectedDeletionError(self.model)


class ProtectedDeletionError(RuntimeError):
    """Raised when code tries to hard-delete something a user created; archive it instead."""

    def __init__(self, model: type[models.Model]) -> None:
        super().__init__(
            f"{model._meta.label} rows are never hard-deleted; archive them with "
            "gongzhi.audit.services.archive()."
        )


class ArchivableModel(TimeStampedModel):
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, db_index=True)
    archived_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("archived by"), null=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ProtectedDeletionError(type(self))


class TimelineEvent(models.Model):
    """One step on an object's timeline, one row per action of its action table (written with
    it, never changed). A domain's timeline adds the relation to its object and names itself."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("by"), null=True, related_name="+")
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Photo(TimeStampedModel):
    """A photo someone uploaded, checked by its content (gongzhi.cases.photos) and kept
    re-encoded without metadata (no location, no camera data), with a thumbnail. A domain's
    photos add the relation to what they show and their image files, in their own folders."""

    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("uploaded by"), null=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


def unique_among_active(*fields: str, name: str, **options: Any) -> models.UniqueConstraint:
    """A unique constraint over the rows of an `ArchivableModel` that are not archived: archiving
    a row frees its values for a new one."""
    return models.UniqueConstraint(
        fields=list(fields), condition=Q(archived_at__isnull=True), name=name, **options
    )


def adopt_saved(obj: models.Model, saved: models.Model) -> None:
    """Make `obj` the row a service saved (`saved`): every column's value, and stored in its
    database. The back office creates a row through a service and then goes on with its own
    form's instance (the log entry, the redirect), which must be that row."""
    for f in type(saved)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding, obj._state.db = False, saved._state.db


class Task(models.Model):
    """One piece of background work (gongzhi.core.tasks). With the database backend this table is
    the queue; with Celery it is the record of what was sent and how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    name = models.CharField(_("task"), max_length=100, db_index=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    run_after = models.DateTimeField(_("run after"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("max attempts"), default=3)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    locked_by = models.CharField(_("worker"), max_length=100, blank=True)
    # The worker running the task renews its lease (settings.TASKS_LEASE_SECONDS) while it runs;
    # a task whose lease ran out lost its worker and is taken again by another.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    lost_count = models.PositiveSmallIntegerField(_("times its worker was lost"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(_("progress note"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("requested by"), null=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [models.Index(fields=["status", "run_after"], name="task_queue")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.status})"


class Schedule(models.Model):
    """When each periodic task last ran, so several workers enqueue it once per period."""

    name = models.CharField(_("task"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """How many requests one bucket (a client, an address, a user …) made in its current window
    (gongzhi.core.ratelimit). The window starts at the bucket's first request and lasts its
    length; times are milliseconds since the epoch, compared by the database in one statement."""

    bucket = models.CharField(_("bucket"), max_length=255, primary_key=True)
    hits = models.PositiveIntegerField(_("requests"), default=0)
    resets_at = models.BigIntegerField(_("window ends (ms since the epoch)"), db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits}"
