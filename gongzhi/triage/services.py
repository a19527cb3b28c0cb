"""Writing in triage: import profiles, import batches (upload, check, commit), suggestions'
verdicts. Each function is one transaction and audited; pages, commands and tasks call them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.cases.models import Case, Category
from gongzhi.core import permissions as perms
from gongzhi.core import tasks
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import access_for
from gongzhi.places.selectors import default_subdistrict_id

from . import importer, readers
from .models import ImportBatch, ImportProfile, Suggestion

MAX_UPLOAD = 200 * 1024 * 1024


def batch_upload(*, actor: Any, profile: ImportProfile, upload: Any) -> ImportBatch:
    """Keep an uploaded file and queue its check (the dry run) as a background task."""
    perms.check(actor, "create", ImportBatch(profile=profile))
    name = Path(getattr(upload, "name", "") or "upload").name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in readers.FORMATS:
        raise ServiceError(
            _("Unknown file type %(suffix)s: send .xlsx, .xls or .csv.") % {"suffix": suffix or "?"}
        )
    if getattr(upload, "size", 0) > MAX_UPLOAD:
        raise ServiceError(_("The file is larger than 200 MB."))
    with transaction.atomic():
        batch = ImportBatch(
            profile=profile,
            filename=name,
            created_by=_user(actor),
            subdistrict_id=_subdistrict_of(actor),
        )
        batch.file.save(f"{uuid.uuid4().hex}{suffix}", File(upload), save=False)
        batch.save()
        audit.record_created(actor=actor, obj=batch)
        batch.task = tasks.enqueue("triage.check_batch", batch_id=batch.pk, requested_by=actor)
        if batch.task is not None:
            batch.save(update_fields=["task"])
    return batch


def batch_commit(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Queue the import of a checked file that has no problems."""
    perms.check(actor, "commit", batch, _("You may not import this file."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportBatch.State.CHECKED:
            raise ServiceError(_("This file is not waiting to be imported."))
        if locked.problem_count:
            raise ServiceError(_("Fix the problems in the file and upload it again."))
        ImportBatch.objects.filter(pk=locked.pk).update(state=ImportBatch.State.IMPORTING)
        audit.record_change(
            actor=actor, obj=locked, field="state", before=locked.state, after="importing"
        )
        task = tasks.enqueue("triage.commit_batch", batch_id=locked.pk, requested_by=actor)
        if task is not None:
            ImportBatch.objects.filter(pk=locked.pk).update(task=task)
    locked.refresh_from_db()
    return locked


def _subdistrict_of(actor: Any) -> int | None:
    """An import's subdistrict: the uploader's, when they serve one; else the installation's."""
    mine = access_for(actor).subdistrict_ids if _user(actor) is not None else None
    if mine is not None and len(mine) == 1:
        return next(iter(mine))
    return default_subdistrict_id()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _actor_of(batch: ImportBatch) -> Any:
    return batch.created_by


def run_check(*, batch_id: int, progress: importer.Progress | None = None) -> ImportBatch:
    """The dry run of an uploaded file (the task's body): its problems stored on the batch."""
    batch = ImportBatch.objects.select_related("profile", "created_by").get(pk=batch_id)
    try:
        result = importer.check_file(
            profile=batch.profile,
            path=batch.file.path,
            name=batch.filename,
            actor=_actor_of(batch),
            progress=progress,
            spool=_spool(batch),
        )
    except ServiceError as exc:
        _finish(batch, ImportBatch.State.FAILED, error=str(exc.message))
        return batch
    except Exception:
        # A file a reader chokes on half-way: the page must not wait for ever; the task's log
        # keeps the traceback.
        _finish(batch, ImportBatch.State.FAILED, error=_("The file could not be read to the end."))
        raise
    _finish(batch, ImportBatch.State.CHECKED, result=result)
    return batch


def run_commit(*, batch_id: int, progress: importer.Progress | None = None) -> ImportBatch:
    """The import of a checked file (the task's body): all rows or none. The dry run's spool
    goes with the attempt, whatever its outcome: a failed batch is not committed again (its
    file is fixed and uploaded anew), so its rows would only take disk."""
    batch = ImportBatch.objects.select_related("profile", "created_by").get(pk=batch_id)
    try:
        return _commit(batch, progress)
    finally:
        Path(_spool(batch)).unlink(missing_ok=True)


def _commit(batch: ImportBatch, progress: importer.Progress | None) -> ImportBatch:
    try:
        result = importer.commit_file(
            profile=batch.profile,
            path=batch.file.path,
            name=batch.filename,
            actor=_actor_of(batch),
            progress=progress,
            total=batch.rows,
            subdistrict_id=batch.subdistrict_id,
            spool=_spool(batch),
        )
    except importer.ImportRejected as exc:
        _finish(batch, ImportBatch.State.FAILED, result=exc.result, error=str(exc.message))
        return batch
    except ServiceError as exc:
        _finish(batch, ImportBatch.State.FAILED, error=str(exc.message))
        return batch
    except Exception:
        _finish(
            batch, ImportBatch.State.FAILED, error=_("The import stopped; nothing was imported.")
        )
        raise
    _finish(batch, ImportBatch.State.DONE, result=result)
    return batch


def _spool(batch: ImportBatch) -> str:
    """Where the dry run leaves the file's checked rows for the commit (beside the upload)."""
    return f"{batch.file.path}.rows"


@transaction.atomic
def _finish(
    batch: ImportBatch, state: str, *, result: importer.CheckResult | None = None, error: str = ""
) -> None:
    fields: dict[str, Any] = {"state": state, "error": error}
    if result is not None:
        fields.update(
            rows=result.rows,
            bad_rows=result.bad_rows,
            problem_count=result.problem_count,
            problems=[p.as_list() for p in result.problems],
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
        )
    before = {k: getattr(batch, k) for k in ("state", "rows", "bad_rows")}
    ImportBatch.objects.filter(pk=batch.pk).update(**fields, updated_at=timezone.now())
    for k, v in fields.items():
        setattr(batch, k, v)
    audit.record(
        actor=batch.created_by,
        action="update",
        obj=batch,
        changes={
            k: {"before": before[k], "after": getattr(batch, k)}
            for k in before
            if before[k] != getattr(batch, k)
        },
        note=error[:200],
    )


# --- profiles ------------------------------------------------------------------------------


def profile_save(
    *, actor: Any, profile: ImportProfile | None = None, **fields: Any
) -> ImportProfile:
    """Create or change a profile (administrators)."""
    perms.check(
        actor, "change", profile or ImportProfile(), _("Only administrators edit profiles.")
    )
    if profile is None:
        return audit.create(actor=actor, model=ImportProfile, **fields)
    return audit.update(actor=actor, obj=profile, **fields)


# --- suggestions -----------------------------------------------------------------------------


def _keep_shown(case_id: int, shown: Any) -> None:
    """Keep the suggestion the intake form showed for the case's text as the case's own (the
    category and model it names still there; else nothing is kept)."""
    from .models import ClassifierVersion

    if not Category.objects.filter(pk=shown.category_id).exists():
        return
    model_id = shown.model_id
    if model_id is not None and not ClassifierVersion.objects.filter(pk=model_id).exists():
        model_id = None
    Suggestion.objects.create(
        case_id=case_id,
        category_id=shown.category_id,
        confidence=round(min(max(float(shown.confidence), 0.0), 1.0), 4),
        uncertain=bool(shown.uncertain),
        model_id=model_id,
    )


@transaction.atomic
def suggestion_decide(
    *, actor: Any, suggestion: Suggestion, category: Category | None = None
) -> Suggestion:
    """The operator's verdict: accepted (no category, or the suggested one) or corrected (the
    category they chose). A correction is kept as training data; the case's category changes
    while it has not been filed yet."""
    perms.check(actor, "decide", suggestion, _("Only the grid centre decides suggestions."))
    locked = Suggestion.objects.select_for_update().select_related("case").get(pk=suggestion.pk)
    chosen = category or locked.category
    outcome = (
        Suggestion.Outcome.ACCEPTED
        if chosen.pk == locked.category_id
        else Suggestion.Outcome.CORRECTED
    )
    before = audit.snapshot(locked, ["outcome", "chosen"])
    locked.outcome, locked.chosen = outcome, chosen
    locked.decided_by, locked.decided_at = _user(actor), timezone.now()
    locked.save(update_fields=["outcome", "chosen", "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action="update",
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, ["outcome", "chosen"])),
    )
    case = locked.case
    if case.state == Case.State.RECEIVED and case.category_id != chosen.pk:
        won = Case.objects.filter(pk=case.pk, version=case.version).update(
            category=chosen, version=case.version + 1
        )
        if won == 1:
            audit.record_change(
                actor=actor,
                obj=case,
                field="category",
                before=case.category_id,
                after=chosen.pk,
                note=_("category suggestion corrected"),
            )
    return locked


@transaction.atomic
def suggestion_record_verdict(
    *, actor: Any, case_id: int, shown_category_id: int, shown: Any = None
) -> None:
    """A case filed from the intake form, which showed the suggestion for `shown_category_id`
    while the operator wrote: the category they filed it under is their verdict (accepted when
    it is the suggested one, else corrected: training data). Registered with
    cases.suggestions and called in the filing's transaction, before the worker makes the
    case's suggestion (listeners.py): the suggestion is kept here — the one the form showed
    (`shown`, a cases.suggestions.CategorySuggestion) when it was made for the text filed, else
    the served model's for the case's text now. A suggestion the form did not show (the text
    changed after it) stays waiting for the suggestions page."""
    if not perms.can(actor, "decide", Suggestion()):
        return
    if not Suggestion.objects.filter(case_id=case_id).exists():
        if shown is not None:
            _keep_shown(case_id, shown)
        else:
            from .classifier import record_suggestion

            record_suggestion(case_id=case_id)
    locked = (
        Suggestion.objects.select_for_update()
        .select_related("case")
        .filter(case_id=case_id, outcome=Suggestion.Outcome.PENDING)
        .first()
    )
    if locked is None or locked.category_id != shown_category_id:
        return
    chosen = locked.case.category
    before = audit.snapshot(locked, ["outcome", "chosen"])
    locked.outcome = (
        Suggestion.Outcome.ACCEPTED
        if chosen.pk == locked.category_id
        else Suggestion.Outcome.CORRECTED
    )
    locked.chosen = chosen
    locked.decided_by, locked.decided_at = _user(actor), timezone.now()
    locked.save(update_fields=["outcome", "chosen", "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action="update",
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, ["outcome", "chosen"])),
        note="intake form",
    )
