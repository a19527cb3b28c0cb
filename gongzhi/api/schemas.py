"""The shapes the API reads and writes (they make its OpenAPI schema).

Outputs are built from model rows by the `build()` functions here, so every endpoint shows an
object the same way. Personal data is never in an output in full: phone, mobile and ID numbers
are masked (138****1234); the full value comes only from the logged `reveal` operations.
Times are ISO 8601 in Shanghai time with their offset (2026-05-01T09:30:00+08:00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

from gongzhi.cases.models import Case, CaseEvent, CasePhoto, Category, ExtensionRequest
from gongzhi.org.models import Organisation, Person, Position

if TYPE_CHECKING:  # the runtime types are Literal[...] of the models' choices
    ChannelT = str
    CaseTypeT = str
    UrgencyT = str
    StateT = str
    StateFilterT = str
    CategoryKindT = str
    OrgKindT = str
    PositionRoleT = str
else:
    ChannelT = Literal[tuple(Case.Channel.values)]
    CaseTypeT = Literal[tuple(Case.Type.values)]
    UrgencyT = Literal[tuple(Case.Urgency.values)]
    StateT = Literal[tuple(Case.State.values)]
    StateFilterT = Literal[(*Case.State.values, "open", "all")]
    CategoryKindT = Literal[tuple(Category.Kind.values)]
    OrgKindT = Literal[tuple(Organisation.Kind.values)]
    PositionRoleT = Literal[tuple(Position.Role.values)]

MAX_ID = 2**63 - 1


def _moment(value: dt.datetime) -> dt.datetime:
    """A time given to the API: without an offset it is Shanghai time; years 2000–2100 (the
    database refuses what is far outside, and nothing here is)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2100:
        raise ValueError(_("Enter a date and time between the years 2000 and 2100."))
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError(_("Enter a date and time between the years 2000 and 2100.")) from exc


Moment = Annotated[dt.datetime, AfterValidator(_moment)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class InputSchema(Schema):
    """What the API reads: no NUL characters in any text (the database cannot store them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, value: Any) -> Any:
        return _no_nul(value)


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


# --- small references ----------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class CodeRef(Schema):
    id: int
    code: str
    name: str


def ref(obj: Any) -> Ref | None:
    return Ref(id=obj.pk, name=str(getattr(obj, "name", obj))) if obj is not None else None


def code_ref(obj: Any) -> CodeRef | None:
    return CodeRef(id=obj.pk, code=obj.code, name=obj.name) if obj is not None else None


# --- pages of lists ---------------------------------------------------------------------------------


class PageMeta(Schema):
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )


# --- the current user ---------------------------------------------------------------------------


class TokenInfo(Schema):
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    person_id: int | None
    roles: list[str]
    primary_role: str
    language: str
    area_ids: list[int]
    department_ids: list[int]
    station_ids: list[int]
    token: TokenInfo | None = Field(None, description="The token this request used, if any.")


# --- catalogue ------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    group_id: int | None
    level: int
    department: Ref | None
    public: bool = Field(..., description="Residents may report it.")
    leaf: bool = Field(..., description="Cases can be filed under it (last level, active).")
    description: str
    archived: bool


class CategoryPage(PageMeta):
    items: list[CategoryOut]


def build_category(c: Category, *, leaf: bool) -> CategoryOut:
    return CategoryOut(
        id=c.pk,
        code=c.code,
        name=c.name,
        kind=c.kind,
        kind_label=str(c.get_kind_display()),
        parent_id=c.parent_id,
        group_id=c.group_id,
        level=c.level,
        department=ref(c.department) if c.department_id else None,
        public=c.public,
        leaf=leaf,
        description=c.description,
        archived=c.archived_at is not None,
    )


# --- places -------------------------------------------------------------------------------------


class StationOut(Schema):
    id: int
    number: int
    name: str
    address: str
    lat: float | None
    lng: float | None


class StationPage(PageMeta):
    items: list[StationOut]


class GridOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    station: Ref
    residential_area: CodeRef
    estate: Ref | None
    area_m2: float
    archived: bool
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON (WGS84), when asked for.")


class GridPage(PageMeta):
    items: list[GridOut]


class AreaOut(Schema):
    id: int
    code: str
    name: str
    grid_station: Ref | None
    committee_address: str
    office_phone: str
    households: int | None
    population: int | None
    archived: bool
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON (WGS84), when asked for.")


class AreaPage(PageMeta):
    items: list[AreaOut]


class LocateOut(Schema):
    lat: float
    lng: float
    grid: GridOut
    residential_area: CodeRef
    station: Ref


# --- organisation and people -------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    sector: str
    parent_id: int | None
    residential_area: CodeRef | None
    grid_station_id: int | None
    is_party_organisation: bool
    address: str
    phone: str = Field(..., description="The office phone (not personal data).")
    lat: float | None
    lng: float | None
    alliance_joined_on: dt.date | None
    archived: bool


class OrganisationPage(PageMeta):
    items: list[OrganisationOut]


class PositionOut(Schema):
    id: int
    organisation: Ref
    person: Ref
    role: str
    role_label: str
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None


class OrganisationDetailOut(OrganisationOut):
    positions: list[PositionOut] = Field(..., description="Current positions.")


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    mobile: str = Field(..., description="Masked (138****1234); reveal for the full number.")
    id_number: str = Field(..., description="Masked; reveal for the full number.")
    home_area: CodeRef | None
    positions: list[PositionOut] = Field(..., description="Current positions.")
    may_reveal: bool = Field(..., description="Whether this user may reveal mobile / ID number.")
    archived: bool


class PersonPage(PageMeta):
    items: list[PersonOut]


class RevealPersonIn(InputSchema):
    field: Literal["mobile", "id_number"]


class RevealOut(Schema):
    field: str
    value: str


def build_position(p: Position) -> PositionOut:
    return PositionOut(
        id=p.pk,
        organisation=Ref(id=p.organisation_id, name=p.organisation.name),
        person=Ref(id=p.person_id, name=p.person.name),
        role=p.role,
        role_label=str(p.get_role_display()),
        title=p.title,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
    )


def build_organisation(o: Organisation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "name": o.name,
        "short_name": o.short_name,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "sector": o.sector,
        "parent_id": o.parent_id,
        "residential_area": code_ref(o.residential_area) if o.residential_area_id else None,
        "grid_station_id": o.grid_station_id,
        "is_party_organisation": o.is_party_organisation,
        "address": o.address,
        "phone": o.phone,
        "lat": o.lat,
        "lng": o.lng,
        "alliance_joined_on": o.alliance_joined_on,
        "archived": o.archived_at is not None,
    }


def build_person(p: Person, *, positions: list[Position], may_reveal: bool) -> PersonOut:
    return PersonOut(
        id=p.pk,
        name=p.name,
        gender=p.gender,
        mobile=p.mobile_masked,
        id_number=p.id_number_masked,
        home_area=code_ref(p.home_area) if p.home_area_id else None,
        positions=[build_position(pos) for pos in positions],
        may_reveal=may_reveal,
        archived=p.archived_at is not None,
    )


# --- cases ---------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str = Field(..., description="CY2026-000123")
    tracking_code: str = Field(..., description="What the reporter follows the case with.")
    channel: str
    type: str
    category: CodeRef
    urgency: str
    title: str
    description: str
    state: str
    state_label: str
    lat: float | None
    lng: float | None
    address: str
    grid: CodeRef | None
    residential_area: CodeRef | None
    station: Ref | None
    department: Ref | None = Field(..., description="Null for people outside the staff.")
    assignee: Ref | None = Field(..., description="Null for people outside the staff.")
    reporter_name: str = Field(..., description="Masked (张*明).")
    reporter_phone: str = Field(..., description="Masked (138****1234); reveal for the number.")
    anonymous: bool
    external_ref: str
    received_at: dt.datetime
    due_at: dt.datetime | None = Field(..., description="The current stage's deadline.")
    overdue: bool
    handle_due_at: dt.datetime | None
    close_due_at: dt.datetime | None
    filed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    evaluated_at: dt.datetime | None
    satisfaction: str
    result: str
    supervision_level: int
    merged_into: Ref | None = Field(..., description="The case this one was merged into.")
    version: int
    updated_at: dt.datetime


class CasePage(PageMeta):
    items: list[CaseOut]


class ActionOut(Schema):
    action: str
    label: str
    note_required: bool
    path: str


class ExtensionOut(Schema):
    id: int
    status: str
    amount: Decimal
    unit: str
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    new_due_at: dt.datetime | None


class CaseDetailOut(CaseOut):
    actions: list[ActionOut] = Field(
        ..., description="What this user may do to the case now, each with its operation."
    )
    extension_requests: list[ExtensionOut]
    merged_cases: list[Ref]
    may_reveal_phone: bool


class DuplicateOut(Schema):
    case: Ref
    number: str
    state: str
    distance_m: float
    score: float


class IntakeOut(Schema):
    created: bool = Field(
        ..., description="False when the external reference was already taken in."
    )
    case: CaseDetailOut
    duplicates: list[DuplicateOut] = Field(
        ..., description="Open cases nearby that look similar (for the centre)."
    )


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    label: str
    actor: str
    from_state: str
    to_state: str
    note: str
    public: bool
    data: dict[str, Any]


class EventPage(PageMeta):
    items: list[EventOut]


class PhotoOut(Schema):
    id: int
    stage: str
    event_id: int | None
    width: int
    height: int
    created_at: dt.datetime
    urls: dict[str, str] = Field(
        ..., description="thumb, public (no location data) and, for staff, original."
    )


class PhotoPage(PageMeta):
    items: list[PhotoOut]


# --- inputs ----------------------------------------------------------------------------------------

Photos: Any = Field(
    default_factory=list,
    max_length=9,
    description="Base64-encoded JPEG, PNG or WebP images (at most 9; the whole request is "
    "limited by DATA_UPLOAD_MAX_MEMORY_SIZE).",
)


class CaseFields(InputSchema):
    """A report's fields: CaseIn without the photos (the multipart form sends them as files)."""

    channel: ChannelT = Field(
        ...,
        description="resident: anyone (reported as this user); inspector: inspectors and the "
        "centre; any other channel: the grid centre's operators.",
    )
    type: CaseTypeT | None = Field(
        None, description="Omitted: component / event from the category, else help."
    )
    category: int = Field(..., ge=1, le=MAX_ID, description="A last-level category id.")
    description: str = Field(..., max_length=4000)
    urgency: UrgencyT = "normal"
    title: str = Field("", max_length=120)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    reporter_email: str = Field("", max_length=254)
    anonymous: bool = False
    external_ref: str = Field(
        "",
        max_length=40,
        description="The 12345 work-order number (centre only): the same number again returns "
        "the case already taken in.",
    )
    received_at: Moment | None = Field(None, description="When received (centre only).")


class CaseIn(CaseFields):
    photos: list[str] = Photos


class Seen(InputSchema):
    expected_state: StateT | None = Field(
        None,
        description="The state you saw: if someone changed the case since, 409 names who.",
    )


def build_event(e: CaseEvent, *, label: str, actor: str, staff: bool) -> EventOut:
    return EventOut(
        id=e.pk,
        at=local(e.at),  # type: ignore[arg-type]
        action=e.action,
        label=label,
        actor=actor if staff else "",
        from_state=e.from_state,
        to_state=e.to_state,
        note=e.note,
        public=e.public,
        data=(e.data or {}) if staff else {},
    )


def build_extension(r: ExtensionRequest) -> ExtensionOut:
    return ExtensionOut(
        id=r.pk,
        status=r.status,
        amount=r.amount,
        unit=r.unit,
        reason=r.reason,
        requested_at=local(r.created_at),  # type: ignore[arg-type]
        decided_at=local(r.decided_at),
        decision_note=r.decision_note,
        new_due_at=local(r.new_due_at),
    )


def build_photo(p: CasePhoto, *, urls: dict[str, str]) -> PhotoOut:
    return PhotoOut(
        id=p.pk,
        stage=p.stage,
        event_id=p.event_id,
        width=p.width,
        height=p.height,
        created_at=local(p.created_at),  # type: ignore[arg-type]
        urls=urls,
    )
