"""The page's form of each action, built from the action table (gongzhi.workflow): a hidden
`expected_state` (the state the user saw, so a lost race is refused with a name), the action's
params as fields, and the note, required when the action requires it. And what every domain's
pages do with a small form: say its errors in a message, run the service and say how it went
(`first_error`, `all_errors`, `attempt`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError

from . import (
    Action,
    Kind,
    Param,
    Workflow,
)

FieldFactory = Any


class ActionFormBase(forms.Form):
    """The base of every generated action form; `style()` is the project's look (set by the
    domain, e.g. Bootstrap classes)."""

    expected_state = forms.CharField(widget=forms.HiddenInput)

    action: Action
    workflow: Workflow[Any]

    def __init__(self, *args: Any, obj: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action.name)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_state", getattr(obj, self.workflow.state_field))
        super().__init__(*args, **kwargs)
        self.obj = obj
        for p in self.action.params:
            if p.kind == Kind.REFERENCE and p.queryset is not None:
                self.fields[p.name].queryset = p.queryset()  # type: ignore[attr-defined]

    def service_params(self) -> dict[str, Any]:
        """The cleaned params, as the workflow's run() takes them."""
        return {p.name: self.cleaned_data.get(p.name) for p in self.action.params}


def param_field(p: Param, *, photos_field: FieldFactory = None) -> forms.Field:
    common: dict[str, Any] = {"label": p.label, "required": p.required}
    if p.help:
        common["help_text"] = p.help
    if p.hidden:
        common["widget"] = forms.HiddenInput
    if p.kind == Kind.TEXT:
        return forms.CharField(max_length=p.max_length, **common)
    if p.kind == Kind.CHOICE:
        if p.required and "widget" not in common:
            common["widget"] = forms.RadioSelect
        choices = p.choices.choices if hasattr(p.choices, "choices") else p.choices
        return forms.ChoiceField(choices=choices, initial=p.default, **common)
    if p.kind == Kind.INTEGER:
        return forms.IntegerField(min_value=p.min_value, max_value=p.max_value, **common)
    if p.kind == Kind.DECIMAL:
        return forms.DecimalField(
            min_value=p.min_value,
            max_value=p.max_value,
            decimal_places=p.decimal_places,
            initial=p.default,
            **common,
        )
    if p.kind == Kind.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            **common,
        )
    if p.kind == Kind.REFERENCE:
        return forms.ModelChoiceField(
            queryset=p.queryset().none() if p.queryset else None,  # set per form
            empty_label=p.empty_label or _("Choose…"),
            **common,
        )
    if p.kind == Kind.PHOTOS:
        if photos_field is None:
            raise ValueError("a Kind.PHOTOS param needs the domain's photos field")
        return photos_field(p)  # type: ignore[no-any-return]
    if p.kind == Kind.BOOLEAN:
        return forms.BooleanField(**common)
    raise ValueError(f"unknown param kind {p.kind!r}")


def _with_attrs(p: Param, f: forms.Field) -> forms.Field:
    if p.widget_attrs:
        f.widget.attrs.update(p.widget_attrs)
    return f


def form_class(
    workflow: Workflow[Any],
    a: Action,
    *,
    base: type[ActionFormBase] = ActionFormBase,
    note_label: Any = None,
    photos_field: FieldFactory = None,
) -> type[ActionFormBase]:
    """The form class of action `a`: its params in table order, then the note."""
    attrs: dict[str, Any] = {"action": a, "workflow": workflow}
    for p in a.params:
        attrs[p.name] = _with_attrs(p, param_field(p, photos_field=photos_field))
    label: Any = a.note_label or note_label or _("Note")
    attrs["note"] = forms.CharField(
        label=label,
        required=a.note_required,
        max_length=a.note_max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attrs["field_order"] = [*(p.name for p in a.params), "note"]
    name = "".join(part.title() for part in a.name.split("_")) + "Form"
    return type(name, (base,), attrs)


def first_error(form: forms.Form) -> str:
    """The form's first error as one sentence, for a message."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""


def all_errors(form: forms.Form) -> str:
    """Every error of the form in one line, for a message."""
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def attempt(request: HttpRequest, write: Callable[[], Any], done: str) -> bool:
    """Run a service for a page: its refusal (gongzhi.core.errors.ServiceError, already in the
    user's language) or `done` as the page's message; whether it went through."""
    try:
        write()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True
