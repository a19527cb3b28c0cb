"""Reading for the Open311 interface: the services, the published requests and their updates,
in the GeoReport v2 field names.

What is published (GET requests, requests/{id}, servicerequestupdates) — reading needs no key,
so this is public data:
- cases of the catalogue's public categories (the Open311 services) only;
- from the channels in settings.GONGZHI["OPEN311_PUBLISHED_CHANNELS"] (by default residents'
  reports, inspectors' patrol finds and joint patrols: problems in public space), plus every
  case an Open311 client created (a client can always read back what it sent). Hotline work
  orders, emergencies and deputies' opinions from other channels stay internal;
- a case of a "batch" service only once the centre has filed it (or refused it): until then a
  client holds a token;
- text as written, except that mainland mobile, landline and ID-card numbers are masked; the
  reporter's name, phone and email are never published; photos only as their public copies
  (re-encoded without location data), never the originals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import sla
from gongzhi.cases.models import Case, CaseEvent, CasePhoto, Category
from gongzhi.cases.workflow import OPEN_STATES, action_label
from gongzhi.core.conf import product_setting
from gongzhi.core.pii import mask_id_number, mask_phone
from gongzhi.places.models import Subdistrict
from gongzhi.worktime.models import Unit

from .models import Open311Request, ServiceAttribute, ServiceOptions

S = Case.State
CLOSED_STATES = frozenset({S.CLOSED, S.EVALUATED, S.NOT_ACCEPTED, S.MERGED})
DEFAULT_PUBLISHED_CHANNELS = (
    Case.Channel.RESIDENT,
    Case.Channel.INSPECTOR,
    Case.Channel.JOINT_PATROL,
)
DEFAULT_JURISDICTION = "caoyang.putuo.shanghai"
MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)

# mySociety's extended statuses for servicerequestupdates (FixMyStreet lower-cases them and
# knows each one; a client that only knows OPEN/CLOSED can read the request's own status).
UPDATE_STATUS: dict[str, str] = {
    S.RECEIVED: "OPEN",
    S.FILED: "OPEN",
    S.DISPATCHED: "IN_PROGRESS",
    S.ACCEPTED: "IN_PROGRESS",
    S.RETURNED: "IN_PROGRESS",
    S.HANDLED: "IN_PROGRESS",
    S.ESCALATED: "INTERNAL_REFERRAL",
    S.SUSPENDED: "ACTION_SCHEDULED",
    S.CLOSED: "FIXED",
    S.EVALUATED: "FIXED",
    S.NOT_ACCEPTED: "NOT_COUNCILS_RESPONSIBILITY",
    S.MERGED: "DUPLICATE",
}

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def jurisdiction() -> str:
    """The installation's own jurisdiction id (empty: any jurisdiction_id is accepted)."""
    return str(product_setting("OPEN311_JURISDICTION", DEFAULT_JURISDICTION) or "")


class UnknownJurisdiction(LookupError):
    pass


def jurisdiction_subdistrict(given: str) -> int | None:
    """The subdistrict a jurisdiction_id names, or None for the whole installation (no id, or
    the installation's own). Each subdistrict the installation serves is a jurisdiction of its
    own, named by its official code (e.g. 310107013). UnknownJurisdiction for any other id."""
    given = (given or "").strip()
    if not given:
        return None
    found = Subdistrict.objects.active().filter(code=given).values_list("pk", flat=True).first()
    if found is not None:
        return int(found)
    ours = jurisdiction()
    if not ours or given == ours:
        return None
    raise UnknownJurisdiction(given)


def scrub(text: str) -> str:
    """Published text with ID-card, mobile and landline numbers masked (PIPL)."""
    if not text:
        return ""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)[-11:]), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0).replace("-", "")), text)


def is_closed(state: str) -> bool:
    return state in CLOSED_STATES


# --- Services ------------------------------------------------------------------------------------


def services() -> QuerySet[Category]:
    """One service per active catalogue leaf that residents may report."""
    return (
        case_selectors.leaf_categories(public_only=True)
        .select_related("parent", "open311_options")
        .annotate(
            n_attributes=Count(
                "open311_attributes", filter=Q(open311_attributes__archived_at__isnull=True)
            )
        )
    )


def service(code: str) -> Category | None:
    if not code:
        return None
    return services().filter(code=code).first()


def options_of(category: Category) -> ServiceOptions | None:
    try:
        return category.open311_options  # type: ignore[attr-defined,no-any-return]
    except ServiceOptions.DoesNotExist:
        return None


def service_type(category: Category) -> str:
    options = options_of(category)
    return options.type if options is not None else ServiceOptions.Type.REALTIME


def attributes(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.active().filter(category=category).order_by("order", "id"))


def service_notice(category: Category, limits: Limits | None = None) -> str:
    """The service's own notice, else its normal handling time limit in words."""
    options = options_of(category)
    if options is not None and options.service_notice.strip():
        return options.service_notice.strip()
    amount, unit = (limits or Limits()).handle(
        category.pk, Case.Urgency.NORMAL, case_selectors.case_type_for(category)
    )
    return _("Reports of this kind are normally handled within %(amount)s %(unit)s.") % {
        "amount": f"{amount.normalize():f}",
        "unit": Unit(unit).label,
    }


class Limits:
    """Handling time limits looked up once per (category, urgency, type) while one response is
    built (a list of 1,000 requests asks for few distinct ones)."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, str, str], sla.Limit] = {}

    def handle(self, category_id: int, urgency: str, case_type: str) -> sla.Limit:
        key = (category_id, urgency, case_type)
        if key not in self._found:
            self._found[key] = sla.time_limit(
                category_id=category_id, urgency=urgency, stage="handle", case_type=case_type
            )
        return self._found[key]


def changeset() -> dt.datetime | None:
    """When the services or their definitions last changed (discovery's `changeset`)."""
    stamps = [
        Category.objects.aggregate(m=Max("updated_at"))["m"],
        ServiceAttribute.objects.aggregate(m=Max("updated_at"))["m"],
        ServiceOptions.objects.aggregate(m=Max("updated_at"))["m"],
    ]
    found = [s for s in stamps if s is not None]
    return max(found) if found else None


# --- Requests ------------------------------------------------------------------------------------


def published_cases() -> QuerySet[Case]:
    channels = list(product_setting("OPEN311_PUBLISHED_CHANNELS", DEFAULT_PUBLISHED_CHANNELS) or ())
    return (
        Case.objects.filter(category__public=True)
        .filter(Q(channel__in=channels) | Q(open311__isnull=False))
        .exclude(state=S.RECEIVED, category__open311_options__type=ServiceOptions.Type.BATCH)
    )


@dataclass
class Query:
    """The filters of GET requests, already validated."""

    ids: list[str] | None = None  # service_request_id: overrides everything else
    codes: list[str] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] | None = None
    subdistrict_id: int | None = None  # the jurisdiction's; None: every subdistrict


def find_requests(q: Query) -> list[Case]:
    qs = published_cases()
    if q.subdistrict_id is not None:
        qs = qs.filter(subdistrict_id=q.subdistrict_id)
    if q.ids is not None:
        qs = qs.filter(number__in=q.ids[:MAX_RESULTS])
    else:
        if q.codes:
            qs = qs.filter(category__code__in=q.codes)
        if q.start is not None:
            qs = qs.filter(received_at__gte=q.start)
        if q.end is not None:
            qs = qs.filter(received_at__lte=q.end)
        if q.statuses and len(set(q.statuses)) == 1:
            closed = Q(state__in=CLOSED_STATES)
            qs = qs.filter(closed if q.statuses[0] == "closed" else ~closed)
    return _with_details(qs.order_by("-received_at", "-id")[:MAX_RESULTS])


def find_request(number: str, subdistrict_id: int | None = None) -> Case | None:
    qs = published_cases().filter(number=number)
    if subdistrict_id is not None:
        qs = qs.filter(subdistrict_id=subdistrict_id)
    found = _with_details(qs[:1])
    return found[0] if found else None


def _with_details(qs: QuerySet[Case]) -> list[Case]:
    """The cases with what their fields need, in a fixed number of queries."""
    last_event = CaseEvent.objects.filter(case=OuterRef("pk"), public=True).order_by("-at", "-id")
    first_photo = CasePhoto.objects.filter(case=OuterRef("pk"), event__public=True).order_by(
        "created_at", "id"
    )
    cases: list[Case] = list(
        qs.select_related(
            "category", "category__open311_options", "department", "grid", "merged_into"
        )
        .annotate(
            last_event_id=Subquery(last_event.values("id")[:1]),
            photo_id=Subquery(first_photo.values("id")[:1]),
        )
        .defer("reporter_phone", "reporter_name", "reporter_email")
    )
    events = CaseEvent.objects.in_bulk([c.last_event_id for c in cases if c.last_event_id])  # type: ignore[attr-defined]
    photos = CasePhoto.objects.only("id", "public_image").in_bulk(
        [c.photo_id for c in cases if c.photo_id]  # type: ignore[attr-defined]
    )
    o311 = {
        r.case_id: r
        for r in Open311Request.objects.filter(case__in=[c.pk for c in cases]).only(
            "case_id", "token", "media_url", "address_id", "account_id"
        )
    }
    for case in cases:
        case.o311_last_event = events.get(case.last_event_id)  # type: ignore[attr-defined]
        case.o311_photo = photos.get(case.photo_id)  # type: ignore[attr-defined]
        case.o311_request = o311.get(case.pk)  # type: ignore[attr-defined]
    return cases


def status_notes(case: Case, event: CaseEvent | None) -> str:
    if event is None:
        return ""
    note = scrub(event.note.strip())
    if case.state == S.MERGED and case.merged_into_id and event.action == "merge":
        master = case.merged_into.number if case.merged_into else ""
        label = _("Merged into %(number)s") % {"number": master}
        return f"{label}: {note}" if note else label
    return note or action_label(event.action)


def expected_datetime(case: Case, limits: Limits) -> dt.datetime | None:
    """The handling deadline once dispatched; before that, what the time limit promises from the
    moment the report came in. None once the case was refused or merged."""
    if case.state in (S.NOT_ACCEPTED, S.MERGED):
        return None
    if case.handle_due_at is not None:
        return case.handle_due_at
    if case.state in OPEN_STATES:
        limit = limits.handle(case.category_id, case.urgency, case.type)
        return sla.add(case.received_at, limit)
    return None


def updated_datetime(case: Case, event: CaseEvent | None) -> dt.datetime:
    if case.state in (S.CLOSED, S.EVALUATED) and case.closed_at is not None:
        return case.closed_at
    return event.at if event is not None else case.received_at


def absolute(url: str, base: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{site or base.rstrip('/')}{url if url.startswith('/') else '/' + url}"


def media_url(case: Case, base: str) -> str:
    photo: CasePhoto | None = getattr(case, "o311_photo", None)
    if photo is not None and photo.public_image:
        return absolute(photo.public_image.url, base)
    o311: Open311Request | None = getattr(case, "o311_request", None)
    return o311.media_url if o311 is not None else ""


def request_fields(case: Case, base: str, limits: Limits | None = None) -> dict[str, Any]:
    """One `<request>` of GET requests, in the order and with the names of the spec. Pass one
    `Limits` for all the requests of a response."""
    limits = limits or Limits()
    event: CaseEvent | None = getattr(case, "o311_last_event", None)
    o311: Open311Request | None = getattr(case, "o311_request", None)
    category = case.category
    return {
        "service_request_id": case.number,
        "status": "closed" if is_closed(case.state) else "open",
        "status_notes": status_notes(case, event),
        "service_name": category.name,
        "service_code": category.code,
        "description": scrub(case.description),
        "agency_responsible": case.department.name if case.department else "",
        "service_notice": service_notice(category, limits),
        "requested_datetime": case.received_at,
        "updated_datetime": updated_datetime(case, event),
        "expected_datetime": expected_datetime(case, limits),
        "address": case.address,
        "address_id": (o311.address_id if o311 and o311.address_id else "")
        or (case.grid.code if case.grid else ""),
        "zipcode": "",
        "lat": round(case.lat, 7) if case.lat is not None else None,
        "long": round(case.lng, 7) if case.lng is not None else None,
        "media_url": media_url(case, base),
    }


def find_token(token: str) -> Open311Request | None:
    if not token:
        return None
    return Open311Request.objects.select_related("case").filter(token=token).first()


def token_fields(found: Open311Request) -> dict[str, Any]:
    """service_request_id once the request is published (a batch request: once filed)."""
    published = published_cases().filter(pk=found.case_id).exists()
    fields: dict[str, Any] = {}
    if published:
        fields["service_request_id"] = found.case.number
    fields["token"] = found.token
    return fields


# --- Updates (mySociety's servicerequestupdates) ------------------------------------------------


def find_updates(
    start: dt.datetime, end: dt.datetime, subdistrict_id: int | None = None
) -> list[CaseEvent]:
    """Public timeline events of published cases between `start` and `end`, oldest first (a
    client following updates moves its start_date on), at most MAX_RESULTS; of one
    subdistrict's cases when the jurisdiction names one."""
    published = published_cases()
    if subdistrict_id is not None:
        published = published.filter(subdistrict_id=subdistrict_id)
    events = list(
        CaseEvent.objects.filter(public=True, at__gte=start, at__lte=end, case__in=published)
        .select_related("case", "case__merged_into")
        .order_by("at", "id")[:MAX_RESULTS]
    )
    photos: dict[int, CasePhoto] = {}
    for photo in (
        CasePhoto.objects.filter(event__in=[e.pk for e in events])
        .only("id", "event_id", "public_image")
        .order_by("-created_at", "-id")
    ):
        if photo.event_id is not None:  # the loop ends with each event's first photo
            photos[photo.event_id] = photo
    for event in events:
        event.o311_photo = photos.get(event.pk)  # type: ignore[attr-defined]
    return events


def update_fields(event: CaseEvent, base: str) -> dict[str, Any]:
    case = event.case
    state = event.to_state or case.state
    photo: CasePhoto | None = getattr(event, "o311_photo", None)
    if state == S.MERGED:
        description = status_notes(case, event)
    else:
        description = scrub(event.note.strip()) or action_label(event.action)
    return {
        "update_id": str(event.pk),
        "service_request_id": case.number,
        "status": UPDATE_STATUS.get(state, "CLOSED" if is_closed(state) else "OPEN"),
        "updated_datetime": event.at,
        "description": description,
        "media_url": absolute(photo.public_image.url, base)
        if photo is not None and photo.public_image
        else "",
    }
