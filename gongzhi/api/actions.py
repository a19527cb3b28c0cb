"""API endpoints generated from a domain's action table (gongzhi.workflow): one POST per action,
its request schema built from the action's params and note, its summary and description from
the table. A new domain gets its endpoints by calling `action_routes()` in its router module."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import create_model

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ConflictError, ServiceError
from gongzhi.workflow import (
    Action,
    Kind,
    Param,
    Workflow,
)

from . import schemas as s
from .errors import ApiError, service_error_fields


def _choice_type(p: Param) -> Any:
    values = tuple(p.choices.values if hasattr(p.choices, "values") else (c for c, _ in p.choices))
    return Literal[values]


def _field(p: Param) -> tuple[Any, Any]:
    """(annotation, pydantic Field) of one param."""
    doc: dict[str, Any] = {"description": str(p.help)} if p.help else {}
    if p.kind == Kind.TEXT:
        return str, Field(... if p.required else "", max_length=p.max_length, **doc)
    if p.kind == Kind.CHOICE:
        t = _choice_type(p)
        if p.required:
            return t, Field(..., **doc)
        return t, Field(p.default, **doc)
    if p.kind in (Kind.INTEGER, Kind.REFERENCE):
        t = int if p.required else int | None
        return t, Field(... if p.required else None, ge=p.min_value or 1, le=s.MAX_ID, **doc)
    if p.kind == Kind.DECIMAL:
        t = Decimal if p.required else Decimal | None
        bounds: dict[str, Any] = {}
        if p.min_value is not None:
            bounds["gt" if p.min_value > 0 else "ge"] = 0 if p.min_value > 0 else p.min_value
        if p.max_value is not None:
            bounds["le"] = p.max_value
        if p.decimal_places is not None:
            bounds.update(max_digits=p.decimal_places + 4, decimal_places=p.decimal_places)
        return t, Field(... if p.required else None, **bounds, **doc)
    if p.kind == Kind.DATETIME:
        return s.Moment | None, Field(None, **doc)
    if p.kind == Kind.PHOTOS:
        return list[str], s.Photos
    if p.kind == Kind.BOOLEAN:
        return bool, Field(bool(p.default), **doc)
    raise ValueError(f"unknown param kind {p.kind!r}")


def action_schema(a: Action, *, base: type[Schema] = s.Seen) -> type[Schema]:
    """The request body of action `a`: its params, then its note (required where the note has a
    name of its own, e.g. a handling report's `result`)."""
    fields: dict[str, Any] = {p.name: _field(p) for p in a.params}
    if a.note_param != "note":
        fields[a.note_param] = (str, Field(..., max_length=a.note_max_length))
    else:
        doc: dict[str, Any] = {"description": "Required."} if a.note_required else {}
        fields["note"] = (str, Field("", max_length=a.note_max_length, **doc))
    name = "".join(part.title() for part in a.name.split("_")) + "In"
    return create_model(name, __base__=base, **fields)  # type: ignore[call-overload,no-any-return]


def payload_params(a: Action, payload: Any) -> tuple[str, dict[str, Any]]:
    """(note, params) of a parsed request body, as Workflow.run() takes them."""
    note = str(getattr(payload, a.note_param, "") or "")
    return note, {p.name: getattr(payload, p.name) for p in a.params}


def run_action(workflow: Workflow[Any], a: Action, payload: Any, *, actor: Any, obj: Any) -> None:
    """Run action `a` of `workflow` on `obj` with the parsed request body `payload`."""
    note, params = payload_params(a, payload)
    workflow.run(
        actor=actor,
        obj=obj,
        action=a.name,
        note=note,
        params=params,
        expected_state=getattr(payload, "expected_state", None),
    )


@contextmanager
def state_conflicts(a: Action, model: type[Model], pk: int) -> Iterator[None]:
    """A service error raised because the object (read again) is no longer in a state action `a`
    starts from becomes 409 `invalid_state`: someone else changed it first."""
    try:
        yield
    except ConflictError:
        raise
    except ServiceError as exc:
        state = model._default_manager.filter(pk=pk).values_list("state", flat=True).first()
        if state not in a.sources:
            raise ApiError(409, "invalid_state", exc.message, service_error_fields(exc)) from exc
        raise


def action_routes(
    router: Router,
    workflow: Workflow[Any],
    *,
    path: str,
    path_param: tuple[str, Any],
    handle: Callable[[HttpRequest, Action, Any, Any], Any],
    response: dict[Any, Any],
    module: str,
    base: type[Schema] = s.Seen,
) -> None:
    """Register POST `{path}/actions/<action>` for every action of the workflow. `handle(request,
    action, payload, object_id)` does the work (load the object in scope, run, answer). `base`
    is the request bodies' base schema: its `expected_state` names the workflow's states."""
    id_name, id_default = path_param
    for a in workflow.actions.values():
        schema = action_schema(a, base=base)

        def view(request: HttpRequest, payload: Any, _a: Action = a, **kw: Any) -> Any:
            return handle(request, _a, payload, kw[id_name])

        view.__name__ = f"{workflow.domain}_{a.name}"
        view.__qualname__ = view.__name__
        view.__module__ = module
        view.__doc__ = a.description or None
        view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                inspect.Parameter(
                    "payload", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=schema
                ),
                inspect.Parameter(
                    id_name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=id_default,
                    annotation=int,
                ),
            ]
        )
        router.post(
            f"{path}/actions/{a.name}",
            response=response,
            url_name=f"{workflow.domain}_{a.name}",
            summary=a.summary or str(a.label),
        )(view)


def object_action_routes(
    router: Router,
    workflow: Workflow[Any],
    *,
    path: str,
    path_param: tuple[str, Any],
    queryset: Callable[[], QuerySet[Any]],
    answer: Callable[[Any, int], Any],
    response: dict[Any, Any],
    module: str,
) -> None:
    """`action_routes` for an object whose actions its table runs by itself: the object is found
    in the user's scope among `queryset()` (else 404), the action is run, and the answer is
    `answer(user, pk)`, which reads the object again."""

    def handle(request: HttpRequest, a: Action, payload: Any, pk: int) -> Any:
        user = request.auth  # type: ignore[attr-defined]
        obj = perms.get_visible_or_404(user, queryset(), pk=pk)
        run_action(workflow, a, payload, actor=user, obj=obj)
        return answer(user, obj.pk)

    action_routes(
        router,
        workflow,
        path=path,
        path_param=path_param,
        handle=handle,
        response=response,
        module=module,
    )
