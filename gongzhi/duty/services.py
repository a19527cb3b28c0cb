"""Writing the duty roster, swaps, the shift log and handovers. Each function is one transaction,
checks permissions through gongzhi.core.permissions (see permissions.py for the table), and
is audited; bad input raises ServiceError with a translated message and changes nothing.

Rules:
- The roster of a shift that has ended is history: it is not changed (the generator can fill
  past shifts only when asked to, for imports and the demo).
- At most one duty chief per shift and a person at most once per shift (the database refuses
  both); nobody on two overlapping shifts (checked here, with the person's row locked, so two
  concurrent assignments of one person are serialised).
- The duty chief of a shift must hold the duty chief's position; operators hold the operator's
  or the duty chief's position.
- A swap moves an assignment that has not started to another member of staff (and, for an
  exchange, one of theirs back) when that person — or a duty chief — accepts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.core import permissions as perms
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError, validation_errors
from gongzhi.core.roles import Role, access_for
from gongzhi.org.models import Person
from gongzhi.places.selectors import default_subdistrict_id

from . import selectors
from .models import (
    DutyAssignment,
    DutyRole,
    Handover,
    Shift,
    ShiftLogEntry,
    ShiftPattern,
    SwapRequest,
)
from .permissions import leads_shift

MAX_LOG_TEXT = 2000
MAX_HANDOVER = 4000
MAX_DAYS = 366


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@contextmanager
def _lost_race() -> Iterator[None]:
    """A transaction in which a constraint the database refuses (a lost race on a unique
    constraint) becomes a clear refusal, a ConflictError."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ConflictError(
            _("Someone else changed the roster at the same time; reload and try again.")
        ) from exc


def _save_new(*, actor: Any, model: type[Any], note: str = "", **fields: Any) -> Any:
    """core.create, with a lost race on a unique constraint turned into a clear refusal."""
    with _lost_race(), validation_errors(model):
        return audit.create(actor=actor, model=model, note=note, **fields)


def _insert(*, actor: Any, obj: Any) -> Any:
    """Save a new row whose rules were checked already (the database holds the constraints) and
    audit it; a constraint the database refuses (a lost race) becomes a ConflictError."""
    with _lost_race():
        obj.save()
    audit.record_created(actor=actor, obj=obj)
    return obj


def _update(*, actor: Any, obj: Any, note: str = "", **fields: Any) -> Any:
    with _lost_race(), validation_errors(type(obj)):
        return audit.update(actor=actor, obj=obj, note=note, **fields)


def _check_editor(actor: Any) -> None:
    """`actor=None` is the system (management commands, the demo seed)."""
    if actor is None:
        return
    perms.check(
        actor,
        "edit_roster",
        Shift,
        _("Only duty chiefs and administrators may change the duty roster."),
    )


# --- shifts ---------------------------------------------------------------------------------


def shift_times(*, pattern: ShiftPattern, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of `pattern` on `day` in the local time zone; a night shift ends the next
    day. Asia/Shanghai has no daylight saving time, so shifts are plain wall-clock spans."""
    tz = timezone.get_default_timezone()
    starts = dt.datetime.combine(day, pattern.start_time, tzinfo=tz)
    end_day = day + dt.timedelta(days=1) if pattern.overnight else day
    ends = dt.datetime.combine(end_day, pattern.end_time, tzinfo=tz)
    return starts, ends


@transaction.atomic
def shift_ensure(
    *, actor: Any, pattern: ShiftPattern, day: dt.date, subdistrict_id: int | None = None
) -> tuple[Shift, bool]:
    """The shift of `pattern` on `day` at the centre of `subdistrict_id` (the installation's
    default subdistrict when None), created (and audited) when it does not exist yet."""
    if subdistrict_id is None:
        subdistrict_id = default_subdistrict_id()
    mine = Shift.objects.active().filter(subdistrict_id=subdistrict_id)
    existing = mine.filter(pattern=pattern, date=day).first()
    if existing is not None:
        return existing, False
    if pattern.archived_at is not None:
        raise ServiceError(_("This shift pattern is no longer in use."))
    starts, ends = shift_times(pattern=pattern, day=day)
    try:
        shift = _insert(
            actor=actor,
            obj=Shift(
                pattern=pattern,
                date=day,
                starts_at=starts,
                ends_at=ends,
                subdistrict_id=subdistrict_id,
            ),
        )
    except ConflictError:
        return mine.get(pattern=pattern, date=day), False
    return shift, True


def _check_not_ended(shift: Shift, now: dt.datetime) -> None:
    if shift.archived_at is not None:
        raise ServiceError(_("This shift is no longer on the roster."))
    if shift.ends_at <= now:
        raise ServiceError(
            _("The shift of %(shift)s has ended; the roster of past shifts is not changed.")
            % {"shift": shift}
        )


def _check_qualified(person: Person, role: str, subdistrict_id: int | None = None) -> None:
    if person.archived_at is not None:
        raise ServiceError(_("%(person)s is no longer in the directory.") % {"person": person})
    if role == DutyRole.DUTY_CHIEF:
        if not selectors.is_centre_staff(person, chief=True, subdistrict_id=subdistrict_id):
            raise ServiceError(
                _("%(person)s does not hold the duty chief's position and cannot lead a shift.")
                % {"person": person},
                field_errors={"person": [_("Not a duty chief.")]},
            )
    elif not selectors.is_centre_staff(person, subdistrict_id=subdistrict_id):
        raise ServiceError(
            _("%(person)s is not on the grid centre's staff (operator or duty chief).")
            % {"person": person},
            field_errors={"person": [_("Not on the centre's staff.")]},
        )


def _check_free(*, person: Person, shift: Shift, exclude: list[int] | None = None) -> None:
    clash = selectors.overlapping(
        person_id=person.pk, starts_at=shift.starts_at, ends_at=shift.ends_at, exclude=exclude
    ).first()
    if clash is None:
        return
    if clash.shift_id == shift.pk:
        raise ServiceError(
            _("%(person)s is already on this shift.") % {"person": person},
            field_errors={"person": [_("Already on this shift.")]},
        )
    raise ServiceError(
        _(
            "%(person)s is already on duty then (%(shift)s): a person can't be on two overlapping shifts."
        )
        % {"person": person, "shift": clash.shift},
        field_errors={"person": [_("On an overlapping shift.")]},
    )


def _lock_people(*people: Person) -> None:
    """Serialise writes concerning these people (overlap checks) until the transaction ends."""
    ids = sorted({p.pk for p in people})
    list(Person.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))


def _assign(
    *,
    actor: Any,
    shift: Shift,
    person: Person,
    role: str,
    remarks: str = "",
    qualified: bool = False,
) -> DutyAssignment:
    """Put `person` on `shift` after the checks (no permission check: callers do it;
    `qualified` when the caller has checked the person's position already)."""
    if role not in DutyRole.values:
        raise ServiceError(
            _("Choose the role on the shift: duty chief or operator."),
            field_errors={"role": [_("Unknown role.")]},
        )
    if not qualified:
        _check_qualified(person, role, shift.subdistrict_id)
    _lock_people(person)
    if role == DutyRole.DUTY_CHIEF:
        chief = selectors.chief_of(shift)
        if chief is not None:
            raise ServiceError(
                _("This shift already has a duty chief (%(person)s); remove them first.")
                % {"person": chief.person},
                field_errors={"role": [_("The shift already has a duty chief.")]},
            )
    _check_free(person=person, shift=shift)
    return _insert(  # type: ignore[no-any-return]
        actor=actor,
        obj=DutyAssignment(
            shift=shift, person=person, role=role, remarks=(remarks or "").strip()[:200]
        ),
    )


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    shift: Shift,
    person: Person,
    role: str,
    remarks: str = "",
    now: dt.datetime | None = None,
) -> DutyAssignment:
    """Put a member of staff on a shift as its duty chief or an operator."""
    _check_editor(actor)
    shift = Shift.objects.select_for_update(of=("self",)).select_related("pattern").get(pk=shift.pk)
    _check_centre(actor, shift)
    _check_not_ended(shift, now or timezone.now())
    return _assign(actor=actor, shift=shift, person=person, role=role, remarks=remarks)


def _cancel_pending_swaps(
    *, actor: Any, assignment_ids: list[int], reason: str, keep: int | None = None
) -> int:
    """Pending swaps that no longer make sense (their assignment changed hands or was removed)."""
    from django.db.models import Q

    now = timezone.now()
    stale = SwapRequest.objects.select_for_update().filter(
        Q(assignment_id__in=assignment_ids) | Q(counter_assignment_id__in=assignment_ids),
        status=SwapRequest.Status.PENDING,
    )
    if keep is not None:
        stale = stale.exclude(pk=keep)
    n = 0
    for swap in stale:
        _update(
            actor=actor,
            obj=swap,
            note=reason,
            status=SwapRequest.Status.CANCELLED,
            decided_at=now,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decision_note=reason[:500],
        )
        n += 1
    return n


@transaction.atomic
def assignment_archive(
    *, actor: Any, assignment: DutyAssignment, note: str = "", now: dt.datetime | None = None
) -> DutyAssignment:
    """Take someone off a shift (the assignment is archived, never deleted); pending swaps of
    the assignment are cancelled."""
    _check_editor(actor)
    locked = (
        DutyAssignment.objects.select_for_update(of=("self",))
        .select_related("shift", "person")
        .get(pk=assignment.pk)
    )
    if locked.archived_at is not None:
        raise ServiceError(_("This person was already taken off the shift."))
    _check_not_ended(locked.shift, now or timezone.now())
    _cancel_pending_swaps(
        actor=actor, assignment_ids=[locked.pk], reason=_("The assignment was removed.")
    )
    audit.archive(actor=actor, obj=locked, note=note)
    assignment.archived_at = locked.archived_at
    return locked


# --- generating the roster ------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """Who takes turns: duty chiefs lead the shifts in turn; operators fill each shift with
    `operators_per_shift` of them in turn."""

    chiefs: Sequence[Person]
    operators: Sequence[Person] = ()
    operators_per_shift: int = 2


@dataclass
class RosterResult:
    shifts_created: int = 0
    assignments_created: int = 0
    assignments_kept: int = 0
    past_shifts_skipped: int = 0
    conflicts: list[str] = field(default_factory=list)


def _check_rotation(
    rotation: Rotation, pattern: ShiftPattern, subdistrict_id: int | None = None
) -> None:
    def missing(field: str, message: str) -> ServiceError:
        return ServiceError(
            message % {"pattern": pattern.name},
            field_errors={field: [_("This field is required.")]},
        )

    if not rotation.chiefs:
        raise missing("chiefs", _("Name at least one duty chief for the %(pattern)s shifts."))
    for person in rotation.chiefs:
        _check_qualified(person, DutyRole.DUTY_CHIEF, subdistrict_id)
    if not 0 <= rotation.operators_per_shift <= 20:
        raise ServiceError(
            _("Operators per shift must be between 0 and 20."),
            field_errors={"operators_per_shift": [_("Between 0 and 20.")]},
        )
    if rotation.operators_per_shift and not rotation.operators:
        raise missing(
            "operators", _("Name the operators who take turns on the %(pattern)s shifts.")
        )
    for person in rotation.operators:
        _check_qualified(person, DutyRole.OPERATOR, subdistrict_id)


@transaction.atomic
def roster_generate(
    *,
    actor: Any,
    start: dt.date,
    days: int,
    rotation: Rotation | Mapping[str, Rotation],
    allow_past: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    subdistrict_id: int | None = None,
) -> RosterResult:
    """Fill every shift of every pattern on `days` days from `start` (the centre works 7×24:
    weekends and holidays included) from a rotation: one for all patterns, or one per pattern
    code. Idempotent: existing assignments are kept, and a shift that already has its chief and
    enough operators gets nobody new. With one rotation for all patterns, shifts in time order
    take consecutive turns, so with two or more chiefs nobody leads two shifts back to back.
    The turn of each shift depends on its date, not on `start`, so generating consecutive
    periods continues the same cycle. The shifts are those of the centre of `subdistrict_id`
    (the actor's when None)."""
    _check_editor(actor)
    if subdistrict_id is None:
        subdistrict_id = selectors.centre_of(access_for(actor))
    elif not access_for(actor).in_subdistrict(subdistrict_id):
        raise NotAllowed(_("You may change only your own centre's roster."))
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(
            _("Generate between 1 and %(n)d days.") % {"n": MAX_DAYS},
            field_errors={"days": [_("Between 1 and %(n)d.") % {"n": MAX_DAYS}]},
        )
    patterns = list(ShiftPattern.objects.active().order_by("sort_order", "start_time", "code"))
    if not patterns:
        raise ServiceError(_("There are no shift patterns: an administrator must set them up."))
    if isinstance(rotation, Rotation):
        rotations = {p.code: rotation for p in patterns}
        shared = True
    else:
        rotations = dict(rotation)
        shared = False
        missing = [p.name for p in patterns if p.code not in rotations]
        if missing:
            raise ServiceError(
                _("No rotation for the %(patterns)s shifts: the centre is staffed day and night.")
                % {"patterns": ", ".join(missing)}
            )
    checked: set[int] = set()
    for p in patterns:
        if id(rotations[p.code]) not in checked:
            _check_rotation(rotations[p.code], p, subdistrict_id)
            checked.add(id(rotations[p.code]))
    t = now or timezone.now()
    result = RosterResult()
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for index, pattern in enumerate(patterns):
            rot = rotations[pattern.code]
            turn = day.toordinal() * len(patterns) + index if shared else day.toordinal()
            if shift_times(pattern=pattern, day=day)[1] <= t and not allow_past:
                result.past_shifts_skipped += 1
                continue
            shift, created = shift_ensure(
                actor=actor, pattern=pattern, day=day, subdistrict_id=subdistrict_id
            )
            result.shifts_created += int(created)
            _fill_shift(actor=actor, shift=shift, rotation=rot, turn=turn, result=result)
        if progress is not None:
            progress(offset + 1, days)
    return result


def _fill_shift(
    *, actor: Any, shift: Shift, rotation: Rotation, turn: int, result: RosterResult
) -> None:
    current = selectors.shift_assignments(shift)
    result.assignments_kept += len(current)
    on_shift = {a.person_id for a in current}
    has_chief = any(a.role == DutyRole.DUTY_CHIEF for a in current)
    operators = sum(1 for a in current if a.role == DutyRole.OPERATOR)
    if not has_chief:
        chiefs = list(rotation.chiefs)
        n = len(chiefs)
        for i in range(n):
            person = chiefs[(turn + i) % n]
            if person.pk in on_shift or not _try_assign(shift, person, DutyRole.DUTY_CHIEF, actor):
                continue
            on_shift.add(person.pk)
            result.assignments_created += 1
            break
        else:
            result.conflicts.append(
                _("%(shift)s: no duty chief of the rotation is free.") % {"shift": shift}
            )
    ops = list(rotation.operators)
    n = len(ops)
    needed = rotation.operators_per_shift - operators
    start = turn * rotation.operators_per_shift
    for i in range(n):
        if needed <= 0:
            break
        person = ops[(start + i) % n]
        if person.pk in on_shift or not _try_assign(shift, person, DutyRole.OPERATOR, actor):
            continue
        on_shift.add(person.pk)
        result.assignments_created += 1
        needed -= 1
    if needed > 0:
        result.conflicts.append(
            _("%(shift)s: %(n)d operator(s) short.") % {"shift": shift, "n": needed}
        )


def _try_assign(shift: Shift, person: Person, role: str, actor: Any) -> bool:
    """Assign if the person is free then (the rotation was checked); False when busy."""
    try:
        _assign(actor=actor, shift=shift, person=person, role=role, qualified=True)
    except ConflictError:
        raise
    except ServiceError:
        return False
    return True


# --- swaps ----------------------------------------------------------------------------------


def _check_not_started(assignment: DutyAssignment, now: dt.datetime) -> None:
    if assignment.archived_at is not None:
        raise ServiceError(_("This assignment is no longer on the roster."))
    if assignment.shift.starts_at <= now:
        raise ServiceError(
            _(
                "The shift of %(shift)s has already started; ask the duty chief to change the roster."
            )
            % {"shift": assignment.shift}
        )


@transaction.atomic
def swap_request(
    *,
    actor: Any,
    assignment: DutyAssignment,
    to_person: Person,
    counter_assignment: DutyAssignment | None = None,
    message: str = "",
    now: dt.datetime | None = None,
) -> SwapRequest:
    """Ask `to_person` to take `assignment` (and, for an exchange, give `counter_assignment`,
    one of theirs, in return)."""
    t = now or timezone.now()
    locked = (
        DutyAssignment.objects.select_for_update(of=("self",))
        .select_related("shift", "person")
        .get(pk=assignment.pk)
    )
    perms.check(
        actor,
        "request_swap",
        locked,
        _("You may only ask for swaps of your own shifts."),
    )
    _check_not_started(locked, t)
    if to_person.pk == locked.person_id:
        raise ServiceError(
            _("Choose someone else to take the shift."),
            field_errors={"to_person": [_("Choose someone else.")]},
        )
    _check_qualified(to_person, locked.role)
    counter = None
    if counter_assignment is not None:
        counter = (
            DutyAssignment.objects.select_for_update(of=("self",))
            .select_related("shift", "person")
            .get(pk=counter_assignment.pk)
        )
        if counter.person_id != to_person.pk:
            raise ServiceError(
                _("The shift offered in exchange must be one of %(person)s's.")
                % {"person": to_person},
                field_errors={"counter_assignment": [_("Not this person's shift.")]},
            )
        if counter.shift_id == locked.shift_id:
            raise ServiceError(
                _("In exchange, choose a shift other than this one."),
                field_errors={"counter_assignment": [_("The same shift.")]},
            )
        _check_not_started(counter, t)
        _check_qualified(locked.person, counter.role)
    _check_free(person=to_person, shift=locked.shift, exclude=[counter.pk] if counter else None)
    if counter is not None:
        _check_free(person=locked.person, shift=counter.shift, exclude=[locked.pk])
    pending = SwapRequest.objects.filter(
        assignment=locked, status=SwapRequest.Status.PENDING
    ).first()
    if pending is not None:
        raise ServiceError(
            _("A swap of this shift is already waiting for %(person)s; cancel it first.")
            % {"person": pending.to_person}
        )
    return _save_new(
        actor=actor,
        model=SwapRequest,
        assignment=locked,
        counter_assignment=counter,
        from_person=locked.person,
        to_person=to_person,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        message=(message or "").strip()[:500],
    )


def _lock_pending(swap: SwapRequest) -> SwapRequest:
    locked = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("decided_by")
        .get(pk=swap.pk)
    )
    if locked.status != SwapRequest.Status.PENDING:
        raise ConflictError(
            _("This swap was already %(status)s by %(who)s (%(when)s).")
            % {
                "status": locked.get_status_display(),
                "who": locked.decided_by or _("the system"),
                "when": _when(locked.decided_at) if locked.decided_at else "",
            }
        )
    return locked


def _decide(*, actor: Any, swap: SwapRequest, status: str, note: str = "") -> SwapRequest:
    updated = _update(
        actor=actor,
        obj=swap,
        note=status,
        status=status,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_at=timezone.now(),
        decision_note=(note or "").strip()[:500],
    )
    return updated  # type: ignore[no-any-return]


@transaction.atomic
def swap_accept(*, actor: Any, swap: SwapRequest, now: dt.datetime | None = None) -> SwapRequest:
    """Accept a swap: the assignment moves to the other person (and the exchanged one back), in
    one transaction; refused, with nothing changed, if either would then be on two overlapping
    shifts or a shift has started meanwhile."""
    t = now or timezone.now()
    locked = _lock_pending(swap)
    perms.check(actor, "accept", locked, _("Only the person asked, or a duty chief, may accept."))
    assignment = (
        DutyAssignment.objects.select_for_update(of=("self",))
        .select_related("shift", "person")
        .get(pk=locked.assignment_id)
    )
    counter = (
        DutyAssignment.objects.select_for_update(of=("self",))
        .select_related("shift", "person")
        .get(pk=locked.counter_assignment_id)
        if locked.counter_assignment_id
        else None
    )
    from_person, to_person = locked.from_person, locked.to_person
    changed = _("The roster changed since the swap was asked for; it can't be accepted.")
    if assignment.archived_at is not None or assignment.person_id != from_person.pk:
        raise ConflictError(changed)
    if counter is not None and (
        counter.archived_at is not None or counter.person_id != to_person.pk
    ):
        raise ConflictError(changed)
    _check_not_started(assignment, t)
    if counter is not None:
        _check_not_started(counter, t)
    _lock_people(from_person, to_person)
    _check_qualified(to_person, assignment.role)
    if counter is not None:
        _check_qualified(from_person, counter.role)
    _check_free(person=to_person, shift=assignment.shift, exclude=[counter.pk] if counter else None)
    if counter is not None:
        _check_free(person=from_person, shift=counter.shift, exclude=[assignment.pk])
    note = f"swap #{locked.pk}"
    _update(actor=actor, obj=assignment, note=note, person=to_person)
    if counter is not None:
        _update(actor=actor, obj=counter, note=note, person=from_person)
    moved = [assignment.pk] + ([counter.pk] if counter else [])
    _cancel_pending_swaps(
        actor=actor,
        assignment_ids=moved,
        reason=_("The assignment changed hands."),
        keep=locked.pk,
    )
    return _decide(actor=actor, swap=locked, status=SwapRequest.Status.ACCEPTED)


@transaction.atomic
def swap_refuse(*, actor: Any, swap: SwapRequest, note: str = "") -> SwapRequest:
    locked = _lock_pending(swap)
    perms.check(actor, "refuse", locked, _("Only the person asked, or a duty chief, may refuse."))
    return _decide(actor=actor, swap=locked, status=SwapRequest.Status.REFUSED, note=note)


@transaction.atomic
def swap_cancel(*, actor: Any, swap: SwapRequest, note: str = "") -> SwapRequest:
    locked = _lock_pending(swap)
    perms.check(
        actor, "cancel", locked, _("Only the person who asked, or a duty chief, may cancel.")
    )
    return _decide(actor=actor, swap=locked, status=SwapRequest.Status.CANCELLED, note=note)


# --- the shift log --------------------------------------------------------------------------


def _clean(value: str, *, field_name: str, max_length: int, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field_errors={field_name: [_("This field is required.")]})
    if len(text) > max_length:
        raise ServiceError(
            _("The text is too long (at most %(n)d characters).") % {"n": max_length},
            field_errors={field_name: [_("At most %(n)d characters.") % {"n": max_length}]},
        )
    return text


def _find_case(actor: Any, case: Any) -> Any:
    from gongzhi.cases.models import Case

    if case in (None, ""):
        return None
    if isinstance(case, Case):
        return case
    ref = str(case).strip().upper()
    found = perms.visible(actor, Case.objects.all()).filter(number=ref).first()
    if found is None:
        raise ServiceError(
            _("There is no case numbered %(number)s.") % {"number": ref},
            field_errors={"case": [_("Unknown case number.")]},
        )
    return found


@transaction.atomic
def log_write(
    *,
    actor: Any,
    text: str,
    kind: str = ShiftLogEntry.Kind.NOTE,
    case: Any = None,
    now: dt.datetime | None = None,
    shift: Shift | None = None,
) -> ShiftLogEntry:
    """Add an entry to the log of the shift on duty now (`case` may be a case or its number)."""
    perms.check(
        actor, "create", ShiftLogEntry, _("Only the grid centre's staff may write the shift log.")
    )
    if kind not in ShiftLogEntry.Kind.values:
        raise ServiceError(_("Unknown kind of entry."), field_errors={"kind": [_("Unknown kind.")]})
    body = _clean(
        text, field_name="text", max_length=MAX_LOG_TEXT, message=_("Write what happened.")
    )
    linked = _find_case(actor, case)
    at = now or timezone.now()
    centre = selectors.centre_of(access_for(actor))
    shift = shift or selectors.current_shift(at, subdistrict_id=centre)
    return _save_new(  # type: ignore[no-any-return]
        actor=actor,
        model=ShiftLogEntry,
        shift=shift,
        subdistrict_id=shift.subdistrict_id if shift is not None else centre,
        at=at,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        text=body,
        case=linked,
    )


# --- handovers ------------------------------------------------------------------------------


def _check_centre(actor: Any, shift: Shift) -> None:
    """A shift is changed by its own centre's people (and the district level)."""
    if not access_for(actor).in_subdistrict(shift.subdistrict_id):
        raise NotAllowed(_("This shift is another subdistrict's."))


def _check_chief_of(actor: Any, shift: Shift | None, message: str) -> None:
    """The shift's duty chief (any duty chief when it has none, or when there is no shift);
    administrators always (permissions.leads_shift)."""
    access = access_for(actor)
    if leads_shift(access, shift):
        return
    chief = selectors.chief_of(shift) if shift is not None else None
    if chief is None or not access.has(Role.DUTY_CHIEF):
        raise NotAllowed(message)
    raise NotAllowed(
        _("%(message)s The duty chief of %(shift)s is %(person)s.")
        % {"message": message, "shift": shift, "person": chief.person}
    )


@transaction.atomic
def handover_write(
    *, actor: Any, shift: Shift, notes: str, now: dt.datetime | None = None
) -> Handover:
    """The outgoing duty chief hands the shift over: notes for the incoming chief, also written
    to the shift log."""
    t = now or timezone.now()
    perms.check(actor, "create", Handover, _("Only duty chiefs hand over a shift."))
    shift = Shift.objects.select_for_update(of=("self",)).select_related("pattern").get(pk=shift.pk)
    if shift.archived_at is not None:
        raise ServiceError(_("This shift is no longer on the roster."))
    if shift.starts_at > t:
        raise ServiceError(_("This shift has not started yet: it can't be handed over."))
    _check_centre(actor, shift)
    _check_chief_of(actor, shift, _("Only the shift's duty chief hands it over."))
    existing = selectors.handover_of(shift)
    if existing is not None:
        raise ConflictError(
            _("This shift was already handed over by %(who)s at %(when)s.")
            % {"who": existing.handed_over_by, "when": _when(existing.handed_over_at)}
        )
    body = _clean(
        notes,
        field_name="notes",
        max_length=MAX_HANDOVER,
        message=_("Write the handover notes: what is open, what the next shift must watch."),
    )
    handover = _save_new(
        actor=actor,
        model=Handover,
        shift=shift,
        next_shift=selectors.next_shift(shift),
        handed_over_by=actor,
        handed_over_at=t,
        notes=body,
    )
    _save_new(
        actor=actor,
        model=ShiftLogEntry,
        shift=shift,
        subdistrict_id=shift.subdistrict_id,
        at=t,
        author=actor,
        kind=ShiftLogEntry.Kind.HANDOVER,
        text=body,
    )
    return handover  # type: ignore[no-any-return]


@transaction.atomic
def handover_acknowledge(
    *, actor: Any, handover: Handover, note: str = "", now: dt.datetime | None = None
) -> Handover:
    """The incoming duty chief confirms they have read the handover and taken over."""
    t = now or timezone.now()
    locked = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("shift", "shift__pattern", "next_shift", "next_shift__pattern")
        .get(pk=handover.pk)
    )
    perms.check(actor, "create", Handover, _("Only duty chiefs take over a shift."))
    if locked.archived_at is not None:
        raise ServiceError(_("This handover was withdrawn."))
    if locked.acknowledged_at is not None:
        raise ConflictError(
            _("This handover was already acknowledged by %(who)s at %(when)s.")
            % {"who": locked.acknowledged_by, "when": _when(locked.acknowledged_at)}
        )
    _check_chief_of(
        actor, locked.next_shift, _("Only the incoming shift's duty chief acknowledges it.")
    )
    text = (note or "").strip()
    if len(text) > 500:
        raise ServiceError(
            _("The text is too long (at most %(n)d characters).") % {"n": 500},
            field_errors={"note": [_("At most %(n)d characters.") % {"n": 500}]},
        )
    updated = _update(
        actor=actor,
        obj=locked,
        note="acknowledge",
        acknowledged_by=actor,
        acknowledged_at=t,
        acknowledgement_note=text,
    )
    entry = _("Took over from %(shift)s.") % {"shift": locked.shift}
    _save_new(
        actor=actor,
        model=ShiftLogEntry,
        shift=locked.next_shift
        or selectors.current_shift(t, subdistrict_id=locked.shift.subdistrict_id),
        subdistrict_id=locked.shift.subdistrict_id,
        at=t,
        author=actor,
        kind=ShiftLogEntry.Kind.HANDOVER,
        text=f"{entry} {text}".strip(),
    )
    return updated  # type: ignore[no-any-return]


# --- emergencies ----------------------------------------------------------------------------


@transaction.atomic
def emergency_acknowledge(*, actor: Any, case: Any) -> Any:
    """Acknowledge an urgent case from the duty page (gongzhi.cases.services.case_acknowledge,
    which stops the escalation) and note it in the shift log, in one transaction."""
    from gongzhi.cases.services import case_acknowledge

    acknowledged = case_acknowledge(actor=actor, case=case)
    waited = (acknowledged.acknowledged_at or timezone.now()) - acknowledged.received_at
    log_write(
        actor=actor,
        kind=ShiftLogEntry.Kind.INCIDENT,
        case=acknowledged,
        now=acknowledged.acknowledged_at,
        text=_("Emergency %(number)s acknowledged after %(minutes)d min: %(title)s")
        % {
            "number": acknowledged.number,
            "minutes": int(waited.total_seconds() // 60),
            "title": acknowledged.title,
        },
    )
    return acknowledged
