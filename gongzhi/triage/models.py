"""Work-order triage: import profiles and batches, category suggestions and the classifier's
versions.

`ImportProfile` is data an administrator edits: how the columns of a spreadsheet become the
fields of a report (the intake contract's names), how its categories map to the catalogue, and
the channel and type its rows are filed on. An `ImportBatch` is one uploaded file: checked
first (a dry run that stores its row-by-row problems), then committed in one transaction by a
background task whose progress the page polls. `Suggestion` is the classifier's guess for one
case and what the operator made of it (accepted, corrected: corrections become training
data); `ClassifierVersion` is one trained model, stored as a file with its metrics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, TimeStampedModel, unique_among_active

# The report fields a profile may map a column to (the intake contract's names), plus the
# coordinates and the time received.
FIELDS = (
    "external_ref",
    "received_at",
    "category",
    "title",
    "description",
    "address",
    "lat",
    "lng",
    "reporter_name",
    "reporter_phone",
    "urgency",
    "type",
    "votes",
)
REQUIRED = ("external_ref", "description")


class ImportProfile(ArchivableModel):
    """How one kind of spreadsheet becomes reports. `columns` maps each report field to the
    header names that may hold it (the first present wins; several for "title + detail"
    joined with a blank line when the field is `description` and several are listed under
    `join`); `category_map` maps the file's category labels to catalogue codes (a value that is
    already a code or a leaf's exact name needs no entry)."""

    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, default="hotline")
    case_type = models.CharField(_("case type"), max_length=20, default="complaint")
    columns = models.JSONField(_("columns"), default=dict)
    join = models.JSONField(_("columns joined into the description"), default=list, blank=True)
    category_map = models.JSONField(_("category map"), default=dict, blank=True)
    default_category = models.CharField(
        _("category when the file has none"),
        max_length=32,
        blank=True,
        help_text=_("A catalogue code; empty: a row without a category is refused."),
    )
    use_suggestions = models.BooleanField(
        _("fill a missing category from a confident suggestion"), default=True
    )
    header_rows = models.PositiveSmallIntegerField(
        _("header rows"),
        default=1,
        help_text=_("Rows of headings above the data (merged cells spread over several rows)."),
    )
    date_formats = models.JSONField(_("extra date formats"), default=list, blank=True)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["name"]
        constraints = [unique_among_active("key", name="triage_profile_key_unique")]

    def __str__(self) -> str:
        return self.name


class ImportBatch(TimeStampedModel):
    class State(models.TextChoices):
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("being imported")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    profile = ProtectedForeignKey(ImportProfile, _("profile"), related_name="batches")
    file = models.FileField(_("file"), upload_to="triage/imports/")
    filename = models.CharField(_("file name"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CHECKING, db_index=True
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    bad_rows = models.PositiveIntegerField(_("rows with problems"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    # The first problems (row, column, message), enough for the page and the report.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error = models.TextField(_("error"), blank=True)
    task = ProtectedForeignKey("core.Task", _("background task"), null=True)
    created_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("uploaded by"), null=True)
    # The uploader's subdistrict: its rows are filed there where their grid does not decide.
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"), null=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)


class ClassifierVersion(TimeStampedModel):
    """One trained model: its file (under MEDIA_ROOT/triage/models/), when and on what it was
    trained, its held-out metrics, and whether it is the one served."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    path = models.CharField(_("file"), max_length=300)
    trained_at = models.DateTimeField(_("trained at"))
    train_size = models.PositiveIntegerField(_("training cases"), default=0)
    test_size = models.PositiveIntegerField(_("held-out cases"), default=0)
    macro_f1 = models.FloatField(_("macro-F1"), default=0)
    accuracy = models.FloatField(_("accuracy"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict)
    active = models.BooleanField(_("served"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="triage_one_served_model"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Suggestion(TimeStampedModel):
    """The classifier's category for one case, and the operator's verdict. A corrected
    suggestion is training data: the case's text with the category the operator chose."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("waiting")
        ACCEPTED = "accepted", _("accepted")
        CORRECTED = "corrected", _("corrected")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="suggestion", verbose_name=_("case")
    )
    category = ProtectedForeignKey("cases.Category", _("suggested category"))
    confidence = models.FloatField(_("confidence"))
    uncertain = models.BooleanField(_("uncertain"), default=False)
    model = ProtectedForeignKey(ClassifierVersion, _("model"), null=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    chosen = ProtectedForeignKey(
        "cases.Category", _("chosen category"), null=True, related_name="+"
    )
    decided_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("decided by"), null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["outcome", "created_at"], name="triage_sugg_outcome")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category_id} ({self.confidence:.2f})"
