"""The intake contract: every rule a report must meet before it becomes a case, for every
channel. The web forms, the API and Open311 only translate their wire format into a call of
`check()` (through `services.case_intake`), and show the problems it returns in their own way.

`check()` collects every problem at once (a field, a code and a message), so a reporter fixes
all of them in one go. A channel adapter that words its errors differently (Open311 names its
parameters in its messages) maps the codes; the others show the messages as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import Role, access_for
from gongzhi.places.index import grid_index

from . import photos, selectors, sla
from .models import Case, Category

MAX_DESCRIPTION = 4000
MAX_TITLE = 120
MAX_ADDRESS = 200
MAX_NAME = 50
MAX_EMAIL = 254
MAX_REF = 40

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{8})$")
_MOBILE_RE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")

CHANNELS = frozenset(Case.Channel.values)
TYPES = frozenset(Case.Type.values)
URGENCIES = frozenset(Case.Urgency.values)
CENTRE = (Role.OPERATOR, Role.DUTY_CHIEF)
# Channels anyone may file on, and who else may file on each of the others.
OPEN_CHANNELS = {Case.Channel.RESIDENT}
CHANNEL_ROLES: dict[str, tuple[Role, ...]] = {Case.Channel.INSPECTOR: (*CENTRE, Role.INSPECTOR)}
# Text relayed by another system (the city's 12345 platform) is cleaned of its markup; text a
# person typed is refused when it holds markup, so that they see what would be lost.
RELAYED_CHANNELS = {Case.Channel.HOTLINE}
# The channels of people reporting what they see: the report must say where (a pin or an
# address), and a component or event category decides the case type. On the centre's own
# channels the type is the work order's (a 12345 complaint about rubbish stays a complaint).
PLACED_CHANNELS = {Case.Channel.RESIDENT, Case.Channel.INSPECTOR}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a report: the field (as the intake names it), a stable code an
    adapter may word in its own way, the message, and the figures the message names."""

    field: str
    code: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class IntakeError(ServiceError):
    """Every problem of a report at once."""

    def __init__(self, problems: list[Problem]):
        field_errors: dict[str, list[Any]] = {}
        for p in problems:
            field_errors.setdefault(p.field, []).append(p.message)
        first = problems[0]
        summary = _summaries().get((first.field, first.code)) or first.message
        super().__init__(summary, field_errors=field_errors)
        self.problems = problems


@dataclass
class Checked:
    """A report that meets every rule, with its values cleaned and its place resolved."""

    channel: str
    type: str
    category: Category
    urgency: str
    title: str
    description: str
    lat: float | None
    lng: float | None
    address: str
    reporter_name: str
    reporter_phone: str
    reporter_email: str
    anonymous: bool
    external_ref: str
    received_at: dt.datetime | None
    photos: list[tuple[bytes, str, int, int]]
    grid: Any = None  # the grid index's hit for the point (grid, area, station), or None
    # Where the report was filed when the point does not say (Open311's jurisdiction, the
    # filing operator's subdistrict); None: the installation's default.
    subdistrict_id: int | None = None


def _summaries() -> dict[tuple[str, str], str]:
    """The line above the fields, by the first problem (in the language being served)."""
    return {
        ("description", "required"): _("Please describe the problem."),
        ("location", "invalid"): _("The location is not a valid latitude and longitude."),
        ("location", "pair"): _("The location is not a valid latitude and longitude."),
        ("location", "outside"): _(
            "This location is outside the subdistrict. Please check the map pin."
        ),
        ("location", "required"): _("Please mark the place on the map or give an address."),
        ("category", "unknown"): _("Choose a category from the catalogue."),
        ("category", "not_leaf"): _("Choose a category from the catalogue's last level."),
        ("category", "not_public"): _("Residents cannot report this category."),
        ("reporter_phone", "invalid"): _("The phone number is not valid."),
        ("reporter_email", "invalid"): _("The email address is not valid."),
        ("received_at", "future"): _("The time received cannot be in the future."),
    }


def normalise_phone(value: Any) -> str:
    """A mainland number as it is dialled inside China: full-width digits made plain, spaces,
    brackets and a +86 / 0086 prefix dropped, the dashes of a mobile number dropped (a
    landline keeps the one after its area code)."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s()]", "", text)
    mobile = _MOBILE_RE.match(text.replace("-", ""))
    return mobile.group(1) if mobile else text


def may_file(actor: Any, channel: str) -> bool:
    """Whether the actor may file on the channel. A system actor (a name rather than a user:
    an Open311 client, an import, a command) files on the channel it was configured for."""
    if channel in OPEN_CHANNELS or not _is_user(actor):
        return True
    return access_for(actor).has(*CHANNEL_ROLES.get(channel, CENTRE))


def is_centre(actor: Any) -> bool:
    return not _is_user(actor) or access_for(actor).has(*CENTRE)


def _is_user(actor: Any) -> bool:
    return hasattr(actor, "is_authenticated")


def _text(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check(
    *,
    actor: Any,
    channel: str,
    category: Category | int | str | None,
    description: Any,
    type: str = "",
    urgency: str = Case.Urgency.NORMAL,
    title: Any = "",
    lat: Any = None,
    lng: Any = None,
    address: Any = "",
    reporter_name: Any = "",
    reporter_phone: Any = "",
    reporter_email: Any = "",
    anonymous: bool = False,
    external_ref: Any = "",
    received_at: dt.datetime | None = None,
    photo_uploads: list[Any] | None = None,
) -> Checked:
    """The report cleaned, or IntakeError with every problem. NotAllowed when the actor may
    not file on this channel at all (nothing else is worth saying then)."""
    if channel not in CHANNELS:
        raise IntakeError([Problem("channel", "unknown", _("Unknown channel."))])
    if not may_file(actor, channel):
        if channel == Case.Channel.INSPECTOR:
            raise NotAllowed(_("Only inspectors and the grid centre file patrol reports."))
        raise NotAllowed(_("Only the grid centre's operators take in reports from this channel."))
    external_ref = _text(external_ref)
    if (external_ref or received_at) and not is_centre(actor):
        name = "external_ref" if external_ref else "received_at"
        raise NotAllowed(_("Only the grid centre may set %(field)s.") % {"field": name})

    problems: list[Problem] = []

    def problem(field: str, code: str, message: str, **params: Any) -> None:
        problems.append(Problem(field, code, message, params))

    cat = _category(category, channel, problem)
    if urgency not in URGENCIES:
        problem("urgency", "unknown", _("Unknown urgency."))
    if type and type not in TYPES:
        problem("type", "unknown", _("Unknown case type."))
    la, lo, hit = _point(lat, lng, problem)
    address = strip_tags(_text(address))
    if len(address) > MAX_ADDRESS:
        problem("address", "max_length", _("At most %(n)d characters.") % {"n": MAX_ADDRESS})
    if la is None and not address and channel in PLACED_CHANNELS and not _has(problems, "location"):
        problem("location", "required", _("This field is required."))
    text = _text(description)
    if channel in RELAYED_CHANNELS:
        text = strip_tags(text).strip()
    elif strip_tags(text) != text:
        problem("description", "html", _("Plain text only, without HTML or code."))
    if not text:
        problem("description", "required", _("This field is required."))
    elif len(text) > MAX_DESCRIPTION:
        problem(
            "description",
            "max_length",
            _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION},
            n=MAX_DESCRIPTION,
            length=len(text),
        )
    title = strip_tags(_text(title))
    if len(title) > MAX_TITLE:
        problem("title", "max_length", _("At most %(n)d characters.") % {"n": MAX_TITLE})
    email = _text(reporter_email)
    if email:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problem("reporter_email", "invalid", _("Enter a valid email address."))
    phone = normalise_phone(reporter_phone)
    if phone and not PHONE_RE.match(phone):
        problem("reporter_phone", "invalid", _("Enter a mainland mobile or landline number."))
    if len(external_ref) > MAX_REF:
        problem("external_ref", "max_length", _("At most %(n)d characters.") % {"n": MAX_REF})
    if received_at is not None and received_at > timezone.now():
        problem("received_at", "future", _("Must not be in the future."))
    checked_photos: list[tuple[bytes, str, int, int]] = []
    try:
        checked_photos = photos.validate_all(photo_uploads or [])
    except ServiceError as exc:
        problem("photos", "invalid", str(exc.message))
    if problems or cat is None:
        raise IntakeError(problems)
    return Checked(
        channel=channel,
        type=type
        if type and channel not in PLACED_CHANNELS
        else selectors.case_type_for(cat, type),
        category=cat,
        urgency=urgency,
        title=title or text[:40],
        description=text,
        lat=la,
        lng=lo,
        address=address,
        reporter_name="" if anonymous else _text(reporter_name)[:MAX_NAME],
        reporter_phone=phone,
        reporter_email=email,
        anonymous=bool(anonymous),
        external_ref=external_ref,
        received_at=received_at,
        photos=checked_photos,
        grid=hit,
    )


def _has(problems: list[Problem], field: str) -> bool:
    return any(p.field == field for p in problems)


def _category(value: Any, channel: str, problem: Any) -> Category | None:
    cat = value if isinstance(value, Category) else None
    if cat is None and value not in (None, ""):
        try:
            cat = sla.catalogue().objects.get(int(value))
        except (TypeError, ValueError):
            cat = None
    if cat is None:
        problem("category", "unknown", _("Unknown category."))
        return None
    if cat.archived_at is not None or not sla.is_leaf(cat.pk):
        problem("category", "not_leaf", _("Choose a more specific category."))
        return None
    if channel == Case.Channel.RESIDENT and not cat.public:
        problem("category", "not_public", _("Not open to residents."))
        return None
    return cat


def _point(lat: Any, lng: Any, problem: Any) -> tuple[float | None, float | None, Any]:
    """The point and the grid it lies in; a point must come whole, valid and inside."""
    missing_lat, missing_lng = lat in (None, ""), lng in (None, "")
    if missing_lat and missing_lng:
        return None, None, None
    if missing_lat or missing_lng:
        problem("location", "pair", _("Give both latitude and longitude."))
        return None, None, None
    try:
        la, lo = float(lat), float(lng)
        if not (-90 <= la <= 90 and -180 <= lo <= 180):  # also false for NaN
            raise ValueError
    except (TypeError, ValueError):
        problem("location", "invalid", _("Invalid location."))
        return None, None, None
    hit = grid_index().lookup(lo, la)
    if hit is None:
        problem("location", "outside", _("Outside the subdistrict."))
        return None, None, None
    return la, lo, hit
