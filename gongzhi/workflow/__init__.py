"""The workflow kernel: one action table per domain, one way to change an object's state.

A domain (cases now; alliance projects, service orders, volunteer sign-ups and meeting action
items next) describes its life cycle as a table of `Action`s — the states each may start from,
the state it leads to, the roles allowed to take it and over which objects (their scope), the
inputs it takes (`Param`s), what it changes (`effect`), and the event it publishes — and builds
one `Workflow` from it. `Workflow.run()` is then the only way the object changes state:

1. it reads the row and refuses, with a message in the user's language and nothing written,
   an unknown action, a user whose role or scope does not allow it, a page that showed another
   state than the row has now (`expected_state`: a lost race names who got there first), a
   state the action does not start from, and a missing note where one is required;
2. `prepare(step)` checks and resolves the inputs against the database (may refuse);
3. `effect(step)` changes the object's fields in memory and returns data for the event row —
   a pure function of the object, the inputs and `step.at`, which the demo's history also runs
   on objects that are not in the database yet, so the two can never drift apart;
4. one conditional UPDATE writes the changed fields where the row still has the state and the
   version it was read with: of two users acting at once exactly one wins, on SQLite and on
   PostgreSQL, without holding a lock while the effect runs (healthchecks' `sendalerts`);
5. the domain's event row (the object's timeline) and the audit row (every field before and
   after) are written, `after(step)` adds rows that need the event (photos, linked records),
   and the domain event `<domain>.<action>` (or the action's `event`) is published: listeners
   in higher apps (notices, webhooks, the cockpit) hear of it in the transaction or after it
   commits (gongzhi.core.events).

Everything runs in one transaction: a refusal at any step leaves nothing behind.

The same table drives the pages (`gongzhi.workflow.forms.form_class()` builds each action's
form from its params), the API (gongzhi.api.actions generates one endpoint per action with a
schema built from the same params) and the service functions of the domain, which are thin,
typed wrappers around `run()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import events
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.core.permissions import Policy
from gongzhi.core.roles import Access, Role, access_for

M = TypeVar("M", bound=models.Model)

ANY = "any"  # the scope of roles that act on every object (the whole subdistrict)


class Kind(StrEnum):
    """Kinds of input (`Param.kind`): how a page asks for it and what the API's schema says."""

    TEXT = "text"
    CHOICE = "choice"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    REFERENCE = "reference"  # another object, by id (a select on the page)
    PHOTOS = "photos"  # files on the page, base64 strings in JSON
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Param:
    """One input of an action: a field of its form, a field of its API schema, an argument of
    its service."""

    name: str
    kind: str = Kind.TEXT
    label: Any = ""
    required: bool = False
    max_length: int | None = None
    choices: Any = None  # a TextChoices class (Kind.CHOICE)
    min_value: Any = None
    max_value: Any = None
    decimal_places: int | None = None
    help: Any = ""  # shown under the field and in the API's schema
    hidden: bool = False  # a hidden field on the page (e.g. the id of the request decided)
    queryset: Callable[[], models.QuerySet[Any]] | None = None  # REFERENCE: the page's choices
    empty_label: Any = None  # REFERENCE: the label of "none"
    default: Any = None
    widget_attrs: Mapping[str, str] | None = None  # e.g. {"capture": "environment"}


@dataclass
class Step:
    """What an action's prepare, effect and after functions see and fill in."""

    obj: Any  # the row being changed (or, in the demo's history, an object not saved yet)
    actor: Any
    at: dt.datetime
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    from_state: str = ""
    # Event data gathered on the way (prepare and effect add to it; effect's return too).
    data: dict[str, Any] = field(default_factory=dict)
    # What prepare resolved for effect and after (objects, the request decided …).
    found: dict[str, Any] = field(default_factory=dict)
    # Domain helpers an effect may use (cases: "deadline"); the demo passes cached ones.
    helpers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    event: Any = None  # the event row, once written (for after)
    access: Access | None = None
    # What the step changed besides the object's own fields (a request it filed, a decision on
    # one), as {name: (before, after)} for the object's audit row.
    audit_extra: dict[str, tuple[Any, Any]] = field(default_factory=dict)


StepFn = Callable[[Step], Any]


@dataclass(frozen=True)
class Notice:
    """Who hears of an action: an audience the domain knows how to reach ("reporters",
    "department" …), the message key, by SMS too or not, and an optional condition."""

    audience: str
    message: str
    sms: bool = False
    when: Callable[[Any, Any], bool] | None = None  # (object, event row) → send?
    context: Callable[[Any, Any], dict[str, Any]] | None = None  # extra message variables
    note: bool = True  # the message may quote the note written with the action


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise | str
    sources: frozenset[str]
    target: str | Callable[[Any], str] | None  # None: the state stays
    roles: Mapping[Role, str]  # role → scope (ANY or a scope the workflow defines)
    note_required: bool = False
    note_label: Promise | str | None = None
    note_max_length: int = 2000
    note_param: str = "note"  # the API's name for the note ("result" for a handling report)
    public: bool = False  # shown to the public (e.g. on the reporter's tracking page)
    event: str = ""  # the domain event's name; default "<domain>.<action>"
    params: tuple[Param, ...] = ()
    prepare: StepFn | None = None
    effect: StepFn | None = None
    after: StepFn | None = None
    notices: tuple[Notice, ...] = ()
    summary: str = ""  # one line for the API's documentation
    description: str = ""  # who may take it and when, for the API's documentation
    success: Callable[[Step], str] | None = None  # the page's message after it


def action(
    name: str,
    label: Promise | str,
    sources: Iterable[str],
    target: str | Callable[[Any], str] | None,
    roles: Mapping[Role, str],
    **options: Any,
) -> Action:
    return Action(name, label, frozenset(sources), target, dict(roles), **options)


class Workflow(Generic[M]):
    """The action table of one domain and the one way to take an action (see the module)."""

    def __init__(
        self,
        *,
        domain: str,
        model: type[M],
        actions: Iterable[Action],
        scopes: Mapping[str, Callable[[Access, Any], bool]],
        record: Callable[..., Any],
        conflict: Callable[[Any], ConflictError] | None = None,
        state_field: str = "state",
        version_field: str = "version",
        quiet_fields: Iterable[str] = (),
    ) -> None:
        self.domain = domain
        self.model = model
        self.actions: dict[str, Action] = {a.name: a for a in actions}
        self.scopes = dict(scopes)
        self.record = record
        self.conflict = conflict or self._default_conflict
        self.state_field = state_field
        self.version_field = version_field
        # Fields left out of the audit row (bookkeeping: the version, time stamps …).
        self.quiet_fields = {version_field, "updated_at", *quiet_fields}
        for a in self.actions.values():
            for scope in a.roles.values():
                if scope != ANY and scope not in self.scopes:
                    raise ValueError(f"{domain}.{a.name}: unknown scope {scope!r}")

    # --- questions -----------------------------------------------------------------------------

    def event_name(self, a: Action) -> str:
        return a.event or f"{self.domain}.{a.name}"

    def may(self, access: Access, a: Action, obj: Any) -> bool:
        """Role and scope only (not the state): may this user ever take `a` on `obj`?"""
        for role, scope in a.roles.items():
            if not access.has(role):
                continue
            if scope == ANY or self.scopes[scope](access, obj):
                return True
        return False

    def available(self, user: Any, obj: Any) -> list[Action]:
        """The actions this user may take on the object now (role, scope and state)."""
        access = access_for(user)
        state = getattr(obj, self.state_field)
        return [a for a in self.actions.values() if state in a.sources and self.may(access, a, obj)]

    def get(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError as exc:
            raise ServiceError(_("Unknown action.")) from exc

    # --- the one way to change state -----------------------------------------------------------

    def run(
        self,
        *,
        actor: Any,
        obj: M | int,
        action: str,
        note: str = "",
        params: Mapping[str, Any] | None = None,
        expected_state: str | None = None,
        check_roles: bool = True,
        at: dt.datetime | None = None,
    ) -> Step:
        a = self.get(action)
        with transaction.atomic():
            pk = obj.pk if isinstance(obj, models.Model) else obj
            current = self.model._default_manager.get(pk=pk)
            access = access_for(actor)
            if check_roles and not self.may(access, a, current):
                raise NotAllowed(
                    _("You are not allowed to “%(action)s” on this %(object)s.")
                    % {"action": a.label, "object": self.model._meta.verbose_name}
                )
            state = getattr(current, self.state_field)
            if expected_state is not None and expected_state != state:
                raise self.conflict(current)
            if state not in a.sources:
                seen = getattr(obj, self.state_field, None)
                if expected_state is None and isinstance(obj, models.Model) and seen != state:
                    raise self.conflict(current)
                raise ServiceError(
                    _("A %(object)s that is “%(state)s” cannot be changed with “%(action)s”.")
                    % {
                        "object": self.model._meta.verbose_name,
                        "state": getattr(current, f"get_{self.state_field}_display")(),
                        "action": a.label,
                    }
                )
            note = (note or "").strip()
            if a.note_required and not note:
                raise ServiceError(
                    _("Please give a reason or note for “%(action)s”.") % {"action": a.label},
                    field_errors={a.note_param: [_("This field is required.")]},
                )
            step = Step(
                obj=current,
                actor=actor,
                at=at or timezone.now(),
                note=note,
                params=dict(params or {}),
                from_state=state,
                access=access,
            )
            if a.prepare is not None:
                a.prepare(step)
            note = step.note
            before = audit.snapshot(current)
            apply(a, step, state_field=self.state_field)
            changes = audit.diff(before, audit.snapshot(current))
            self._save(current, changes, state)
            to_state = getattr(current, self.state_field)
            step.event = self.record(
                obj=current,
                actor=actor,
                action=a.name,
                from_state=state,
                to_state=to_state,
                note=note,
                data=step.data,
                public=a.public,
                at=step.at,
            )
            changes = {k: v for k, v in changes.items() if k not in self.quiet_fields}
            for name, (was, now) in step.audit_extra.items():
                changes[name] = {"before": was, "after": now}
            audit.record(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=AuditEvent.Action.STATE if state != to_state else AuditEvent.Action.UPDATE,
                obj=current,
                changes=changes,
                note=f"{a.name}: {note}"[:2000] if note else a.name,
            )
            if a.after is not None:
                a.after(step)
            events.publish(
                self.event_name(a),
                actor=actor,
                at=step.at,
                **{f"{self.domain}_id": current.pk},
                event_id=getattr(step.event, "pk", None),
                action=a.name,
                from_state=state,
                to_state=to_state,
            )
        if isinstance(obj, models.Model):
            for f in current._meta.concrete_fields:
                setattr(obj, f.attname, getattr(current, f.attname))
        return step

    def _save(self, current: Any, changes: Mapping[str, Any], state: str) -> None:
        """Write the changed fields where the row still has the state and version it was read
        with; otherwise someone else got there first and nothing is written."""
        version = getattr(current, self.version_field)
        setattr(current, self.version_field, version + 1)
        fields = {
            f.attname: getattr(current, f.attname)
            for f in current._meta.concrete_fields
            if f.name in changes and not f.primary_key
        }
        fields[self.version_field] = version + 1
        if any(f.name == "updated_at" for f in current._meta.concrete_fields):
            current.updated_at = fields["updated_at"] = timezone.now()
        won = self.model._default_manager.filter(
            pk=current.pk, **{self.state_field: state, self.version_field: version}
        ).update(**fields)
        if won != 1:
            raise self.conflict(self.model._default_manager.get(pk=current.pk))

    def _default_conflict(self, current: Any) -> ConflictError:
        return ConflictError(
            _("This %(object)s has changed since you opened it; reload to see its current state.")
            % {"object": self.model._meta.verbose_name}
        )


class TablePolicy(Policy):
    """The policy of a model with an action table (`table`): an action of the table is the
    table's to allow (its roles and scopes, on an object the user may see); any other action
    as the policy's own `can_<action>` methods say."""

    table: Workflow[Any]

    def can(self, access: Access, action: str, obj: Any) -> bool:
        a = self.table.actions.get(action)
        if a is not None and isinstance(obj, self.table.model):
            return self.in_scope(access, obj) and self.table.may(access, a, obj)
        return super().can(access, action, obj)


def conflict_naming(
    last: Any, *, label: Callable[[str], str], already: str, changed: str
) -> ConflictError:
    """Someone else changed the object since the user saw it: `already` says who did what, and
    when (`%(who)s`, `%(what)s`, `%(when)s`, from `last`, the latest row of its timeline, and
    `label` of its action); `changed` where it has no such row."""
    if last is None:
        return ConflictError(changed)
    return ConflictError(
        already
        % {
            "who": last.actor_label or _("the system"),
            "what": label(last.action),
            "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
        }
    )


def timeline_row(
    model: type[M],
    *,
    actor: Any,
    at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
    save: bool = True,
    **fields: Any,
) -> M:
    """One row of a domain's timeline (its `record` function builds it with this): the user who
    acted, or none for the system and the public (named in `actor_label` where the model has
    one), when, and the data as JSON; `save=False` leaves it unwritten (bulk inserts)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if any(f.name == "actor_label" for f in model._meta.fields):
        label = str(user) if user else (_("system") if actor is None else str(actor))
        fields.setdefault("actor_label", label[:150])
    row = model(at=at or timezone.now(), actor=user, data=audit._json_value(data or {}), **fields)
    if save:
        row.save(force_insert=True)
    return row


def recorder(
    model: type[M],
    link: str | Callable[[Any], Mapping[str, Any]],
    *,
    keeps: tuple[str, ...] = (),
) -> Callable[..., M]:
    """The `record` function of a domain whose timeline rows point at their object by the
    field `link` (or by the fields `link(obj)` gives: a loose subject and id): the row of one
    step (timeline_row). Of the extra fields a caller may pass (`public` …), the row keeps
    those named in `keeps`, the fields its model has."""

    def record(
        *,
        obj: Any,
        actor: Any,
        action: str,
        from_state: str = "",
        to_state: str = "",
        note: str = "",
        data: dict[str, Any] | None = None,
        at: Any = None,
        save: bool = True,
        **extra: Any,
    ) -> M:
        return timeline_row(
            model,
            actor=actor,
            at=at,
            data=data,
            save=save,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
            **(link(obj) if callable(link) else {link: obj}),
            **{k: v for k, v in extra.items() if k in keeps},
        )

    return record


def apply(a: Action, step: Step, *, state_field: str = "state") -> None:
    """An action's changes to the object, in memory: its effect, then its target state. The
    demo's history calls this too, on objects it writes later in bulk."""
    obj = step.obj
    target = a.target(obj) if callable(a.target) else a.target  # before the effect changes it
    if a.effect is not None:
        extra = a.effect(step)
        if extra:
            step.data.update(extra)
    if target is not None:
        setattr(obj, state_field, target)
