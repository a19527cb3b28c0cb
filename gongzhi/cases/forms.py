"""Forms of the case pages. They only read and shape input: the rules (and most error messages)
are in gongzhi.cases.services and, for reports, the intake contract gongzhi.cases.intake; their
ServiceError.field_errors are put next to the fields here with `add_service_error`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access
from gongzhi.org.models import Organisation, Person
from gongzhi.places.models import Grid
from gongzhi.workflow.forms import ActionFormBase, form_class

from . import intake, selectors, services
from .models import Case, Category
from .picker import use_picker
from .workflow import CASES

S = Case.State


def _style(form: forms.BaseForm) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.HiddenInput):
            continue
        if isinstance(w, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(w, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        w.attrs.setdefault("class", css)


def mark_invalid(form: forms.BaseForm) -> None:
    """Bootstrap's red border on the fields that have errors."""
    for name in form.errors:
        field = form.fields.get(name)
        if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} is-invalid"


class StyledForm(forms.Form):
    def full_clean(self) -> None:
        super().full_clean()
        mark_invalid(self)


def add_service_error(
    form: forms.BaseForm,
    exc: ServiceError,
    aliases: dict[str, str] | None = None,
    *,
    besides: bool = False,
) -> None:
    """Put a service's refusal on the form: each field error next to its field (under an alias
    when the form names the field differently), the message itself on top. `besides`: the form
    has errors of its own; the service's are added on the other fields only."""
    aliases = aliases or {}
    placed = False
    for name, messages in exc.field_errors.items():
        target = aliases.get(name, name)
        if besides and (target in form.errors or target not in form.fields):
            continue
        if target in form.fields:
            for m in messages:
                form.add_error(target, str(m))
            placed = True
    message = str(exc.message)
    if not besides and (not placed or message not in [str(e) for e in form.non_field_errors()]):
        form.add_error(None, message)
    mark_invalid(form)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files; what they are is checked by gongzhi.cases.photos (by content)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("JPEG, PNG or WebP; at most 10 MB each."))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        cleaned = single(data, initial)
        return [cleaned] if cleaned else []


# --- Filters ------------------------------------------------------------------------------------


class QueueFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, tracking code, words")}
        ),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("any")), *Case.Channel.choices]
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("any")
    )
    grid = forms.ModelChoiceField(
        label=_("Grid"), required=False, queryset=Grid.objects.none(), empty_label=_("any")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=selectors.departments().none(),
        empty_label=_("any"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due = forms.ChoiceField(
        label=_("Due"), required=False, choices=[("", _("any time")), ("today", _("due today"))]
    )
    since = forms.DateField(
        label=_("Received since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    filed = forms.BooleanField(
        label=_("Filed cases only"), required=False, widget=forms.HiddenInput()
    )
    until = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, subdistrict_ids: frozenset[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("open cases")),
            ("all", _("all cases")),
            *[(s, Case.State(s).label) for s in selectors.STATE_ORDER],
        ]
        self.fields["category"].queryset = Category.objects.active().order_by(  # type: ignore[attr-defined]
            "kind", "sort_order", "code"
        )
        use_picker(
            self.fields["category"],  # type: ignore[arg-type]
            staff=True,
            whole_groups=True,
            only_leaves=True,
        )
        grids = Grid.objects.active().order_by("code")
        if subdistrict_ids is not None:  # the grids of the user's subdistrict(s)
            grids = grids.filter(residential_area__subdistrict_id__in=subdistrict_ids)
        self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
        self.fields["department"].queryset = selectors.departments(  # type: ignore[attr-defined]
            subdistrict_ids
        )
        _style(self)

    def filters(self) -> selectors.QueueFilters:
        d = self.cleaned_data if self.is_valid() else {}
        return selectors.QueueFilters(
            state=d.get("state") or "",
            channel=d.get("channel") or "",
            category_id=d["category"].pk if d.get("category") else None,
            grid_id=d["grid"].pk if d.get("grid") else None,
            department_id=d["department"].pk if d.get("department") else None,
            overdue=bool(d.get("overdue")),
            q=d.get("q") or "",
            due_today=d.get("due") == "today",
            since=d.get("since"),
            until=d.get("until"),
            filed_only=bool(d.get("filed")),
            hide_overdue=not d.get("overdue") and not d.get("state"),
        )


# --- Reporting a problem -------------------------------------------------------------------------


class ReportForm(StyledForm):
    """What every report has: what, where, photos. Subclasses add who and how."""

    ALIASES = {"location": "lat"}

    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose…")
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=200,
        help_text=_("Optional when you mark the place on the map."),
    )
    lat = forms.FloatField(
        required=False, widget=forms.HiddenInput(attrs={"data-gz-lat": ""}), min_value=-90
    )
    lng = forms.FloatField(
        required=False, widget=forms.HiddenInput(attrs={"data-gz-lng": ""}), min_value=-180
    )
    photos = PhotosField()

    public_only = True
    staff = False  # whether the picker shows the catalogue's codes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.leaf_categories(  # type: ignore[attr-defined]
            public_only=self.public_only
        )
        use_picker(self.fields["category"], staff=self.staff)  # type: ignore[arg-type]
        self.fields["photos"].widget.attrs["multiple"] = True
        _style(self)

    def intake_kwargs(self) -> dict[str, Any]:
        """The report as the intake contract takes it (`cases.intake.check` holds the rules).
        Fields the form could not read are left out, so the contract still checks the rest."""
        d = self.cleaned_data
        return {
            "category": d.get("category"),
            "type": d.get("type") or "",
            "description": d.get("description") or "",
            "address": d.get("address") or "",
            "lat": d.get("lat"),
            "lng": d.get("lng"),
            "photo_uploads": d.get("photos") or [],
        }


def file_report(form: ReportForm, *, actor: Any, **extra: Any) -> services.IntakeResult | None:
    """The web's adapter to the one intake: file the report when the form could read it;
    otherwise put the intake's verdict on the fields the form could read, beside the form's own
    errors, so that every problem shows at once. None when anything is wrong."""
    readable = form.is_valid()
    report = form.intake_kwargs()
    try:
        if readable:
            return services.case_intake(actor=actor, **report, **extra)
        intake.check(actor=actor, **report)
    except ServiceError as exc:
        add_service_error(form, exc, form.ALIASES, besides=not readable)
    return None


HOTLINE_TYPES = [
    (t, label) for t, label in Case.Type.choices if t not in (Case.Type.COMPONENT, Case.Type.EVENT)
]


class PublicReportForm(ReportForm):
    """A resident without an account: a pin on the map, photos, and how to be called back."""

    type = forms.ChoiceField(
        label=_("Kind of request"),
        choices=HOTLINE_TYPES,
        initial=Case.Type.HELP,
        required=False,
        help_text=_("For hotline matters; problems with public facilities need no choice."),
    )
    reporter_name = forms.CharField(label=_("Your name"), required=False, max_length=50)
    reporter_phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=20,
        help_text=_("Only staff who call you back can see it in full."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)

    def hotline_category_ids(self) -> list[int]:
        """The categories for which the kind of request matters (the page shows the choice
        only for them)."""
        qs = self.fields["category"].queryset  # type: ignore[attr-defined]
        return list(qs.filter(kind=Category.Kind.HOTLINE).values_list("pk", flat=True))

    def intake_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            **super().intake_kwargs(),
            "channel": Case.Channel.RESIDENT,
            "reporter_name": d.get("reporter_name") or "",
            "reporter_phone": d.get("reporter_phone") or "",
            "anonymous": bool(d.get("anonymous")),
        }


class InspectorReportForm(ReportForm):
    """An inspector on patrol: photo and the phone's position."""

    public_only = False
    staff = True
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Case.Urgency.choices, initial=Case.Urgency.NORMAL
    )

    def intake_kwargs(self) -> dict[str, Any]:
        return {
            **super().intake_kwargs(),
            "channel": Case.Channel.INSPECTOR,
            "urgency": self.cleaned_data.get("urgency") or Case.Urgency.NORMAL,
        }


class StaffIntakeForm(ReportForm):
    """The centre takes in a report from any channel (one intake)."""

    public_only = False
    staff = True
    channel = forms.ChoiceField(label=_("Channel"), choices=Case.Channel.choices)
    type = forms.ChoiceField(label=_("Type"), choices=Case.Type.choices, initial=Case.Type.HELP)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Case.Urgency.choices, initial=Case.Urgency.NORMAL
    )
    title = forms.CharField(label=_("Summary"), required=False, max_length=120)
    external_ref = forms.CharField(
        label=_("External reference"),
        required=False,
        max_length=40,
        help_text=_("e.g. the 12345 work-order number"),
    )
    reporter_name = forms.CharField(label=_("Reporter"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), required=False, max_length=20)
    reporter_email = forms.CharField(
        label=_("Reporter's email"), required=False, widget=forms.EmailInput()
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)

    field_order = ["channel", "type", "category", "urgency", "title", "description"]

    def intake_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            **super().intake_kwargs(),
            "channel": d.get("channel") or "",
            "urgency": d.get("urgency") or Case.Urgency.NORMAL,
            "title": d.get("title") or "",
            "external_ref": d.get("external_ref") or "",
            "reporter_name": d.get("reporter_name") or "",
            "reporter_phone": d.get("reporter_phone") or "",
            "reporter_email": d.get("reporter_email") or "",
            "anonymous": bool(d.get("anonymous")),
        }


class BulkDispatchForm(StyledForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=selectors.departments().none(),
        empty_label=_("each case's suggested department"),
    )
    override_reason = forms.CharField(
        label=_("Reason for another department"), required=False, max_length=500
    )

    def __init__(
        self, *args: Any, subdistrict_ids: frozenset[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.departments(  # type: ignore[attr-defined]
            subdistrict_ids
        )
        _style(self)

    def selected(self) -> list[tuple[int, str]]:
        """(case id, state the user saw) for each ticked row ("<id>:<state>")."""
        out = []
        for raw in self.data.getlist("case") if hasattr(self.data, "getlist") else []:
            pk, _sep, state = str(raw).partition(":")
            if pk.isdigit() and state in S.values:
                out.append((int(pk), state))
        return out


# --- Actions on a case ---------------------------------------------------------------------------


class StyledActionForm(ActionFormBase):
    """An action form (gongzhi.workflow.forms) that marks its invalid fields."""

    def full_clean(self) -> None:
        super().full_clean()
        mark_invalid(self)


def photos_param_field(p: Any) -> forms.Field:
    """The field of an action's photos param: several files at once."""
    field = PhotosField()
    field.widget.attrs["multiple"] = True
    return field


class ActionForm(StyledActionForm):
    """One workflow action, built from the action table (gongzhi.cases.workflow). The hidden
    `expected_state` is the state the user saw: when someone else has changed the case since,
    the action is refused with a message naming them."""

    # The service's names of the note (the handling report's "result") on this form.
    ALIASES: dict[str, str] = {"result": "note", "reason": "note"}

    def __init__(self, *args: Any, case: Case, suggested_department: Any = None, **kwargs: Any):
        if suggested_department is not None and "department" in self.base_fields:
            kwargs.setdefault("initial", {}).setdefault("department", suggested_department.pk)
        super().__init__(*args, obj=case, **kwargs)
        self.case = case
        if "department" in self.fields:
            # The case's subdistrict's departments and the district's: the others would be
            # refused (workflow._department).
            field = self.fields["department"]
            field.queryset = field.queryset.filter(  # type: ignore[attr-defined]
                Q(subdistrict_id=case.subdistrict_id) | Q(subdistrict__isnull=True)
            )
        if "assignee" in self.fields and "department" in self.fields:
            self._people_of_department()
        _style(self)

    def _people_of_department(self) -> None:
        """The responsible person is chosen among the chosen department's people (with their
        posts, the grid's first); the list follows the department as it is changed."""
        department = (
            self.data.get(self.add_prefix("department"))
            if self.is_bound
            else self.initial.get("department")
        )
        try:
            department_id = int(department) if department not in (None, "") else None
        except (TypeError, ValueError):
            department_id = None
        people = selectors.dispatch_people(department_id, grid_id=self.case.grid_id)
        field = self.fields["assignee"]
        field.queryset = Person.objects.filter(pk__in=[p.person_id for p in people])  # type: ignore[attr-defined]
        field.choices = [("", field.empty_label or "")] + [  # type: ignore[attr-defined]
            (p.person_id, p.label) for p in people
        ]
        self.fields["department"].widget.attrs.update(
            {
                "hx-get": reverse("cases:dispatch_people", args=[self.case.pk]),
                "hx-target": f"#{self['assignee'].id_for_label}",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
                "data-testid": "dispatch-department",
            }
        )
        field.widget.attrs["data-testid"] = "dispatch-assignee"

    @property
    def action_name(self) -> str:
        return self.action.name


ACTION_FORMS: dict[str, type[ActionForm]] = {
    a.name: form_class(CASES, a, base=ActionForm, photos_field=photos_param_field)  # type: ignore[misc]
    for a in CASES.actions.values()
}


def action_form(
    action: str, case: Case, data: Any = None, files: Any = None, **kwargs: Any
) -> ActionForm:
    return ACTION_FORMS[action](data, files, case=case, **kwargs)


# --- The public pages ----------------------------------------------------------------------------


class TrackLookupForm(StyledForm):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()


class RateForm(StyledForm):
    expected_state = forms.ChoiceField(choices=S.choices, widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


# --- Filters of the case figures (the statistics page, the cockpit) ------------------------------


def category_group_field() -> forms.ModelChoiceField:  # type: ignore[type-arg]
    """An optional top-level category (a group); its choices are `category_groups()`."""
    return forms.ModelChoiceField(
        label=_("Category group"), queryset=Category.objects.none(), required=False
    )


def channel_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("any"))] + list(Case.Channel.choices),
    )


def category_groups() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True, archived_at__isnull=True).order_by(
        "kind", "sort_order", "code"
    )


def handling_bodies(access: Access) -> QuerySet[Organisation]:
    """The departments and property companies a viewer may filter by: those of their
    subdistrict(s) and those of none."""
    departments = Organisation.objects.filter(
        kind__in=(Organisation.Kind.DEPARTMENT, Organisation.Kind.PROPERTY_COMPANY),
        archived_at__isnull=True,
    ).order_by("name")
    if access.subdistrict_ids is not None:
        departments = departments.filter(
            Q(subdistrict_id__in=access.subdistrict_ids) | Q(subdistrict__isnull=True)
        )
    return departments
