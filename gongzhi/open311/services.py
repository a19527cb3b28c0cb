"""Writing for the Open311 interface: client keys, and a POSTed service request becoming a case.

A key is `<8 hex prefix>.<32 random url-safe characters>`. Only the prefix (to find the client)
and a SHA-256 of the whole key are stored: the key is high-entropy, so a fast hash is enough,
and a stolen database does not yield working keys. The key is shown once, when it is issued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import intake
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, Category
from gongzhi.cases.workflow import record_event
from gongzhi.core.errors import ServiceError, validation_errors
from gongzhi.places.models import Grid

from . import selectors
from .errors import Open311Error
from .formats import parse_w3c
from .models import Open311Client, Open311Request, ServiceAttribute

MAX_DESCRIPTION = intake.MAX_DESCRIPTION  # 4,000 characters, as the spec says
MAX_STRING = 1000
AUDITED_CLIENT_FIELDS = ("name", "contact", "active", "channel", "per_minute", "per_hour")


# --- Keys ----------------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return f"{prefix}.{secrets.token_urlsafe(24)}", prefix


def authenticate(key: str) -> Open311Client | None:
    """The active client this key belongs to, or None."""
    key = (key or "").strip()
    prefix, dot, _secret = key.partition(".")
    if not dot or not prefix:
        return None
    client = Open311Client.objects.active().filter(key_prefix=prefix, active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > dt.timedelta(minutes=1):
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def _client_snapshot(client: Open311Client) -> dict[str, Any]:
    return {name: getattr(client, name) for name in (*AUDITED_CLIENT_FIELDS, "key_prefix")}


@transaction.atomic
def client_create(
    *,
    actor: Any,
    name: str,
    contact: str = "",
    channel: str = Case.Channel.RESIDENT,
    per_minute: int = 30,
    per_hour: int = 600,
) -> tuple[Open311Client, str]:
    """Issue a client and its key. Returns the key: it is not stored and cannot be shown again."""
    key, prefix = _new_key()
    client = Open311Client(
        name=(name or "").strip(),
        contact=contact,
        channel=channel,
        per_minute=per_minute,
        per_hour=per_hour,
        key_prefix=prefix,
        key_hash=_hash(key),
        key_created_at=timezone.now(),
    )
    with validation_errors(Open311Client):
        client.full_clean()
    client.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=client,
        changes={k: {"before": None, "after": v} for k, v in _client_snapshot(client).items()},
        note="open311 key issued",
    )
    return client, key


@transaction.atomic
def client_rotate_key(*, actor: Any, client: Open311Client) -> str:
    """A new key for the client; the old one stops working at once."""
    locked = Open311Client.objects.select_for_update().get(pk=client.pk)
    key, prefix = _new_key()
    before = locked.key_prefix
    locked.key_prefix, locked.key_hash, locked.key_created_at = prefix, _hash(key), timezone.now()
    locked.save(update_fields=["key_prefix", "key_hash", "key_created_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        changes={"key_prefix": {"before": before, "after": prefix}},
        note="open311 key rotated",
    )
    client.key_prefix, client.key_hash = locked.key_prefix, locked.key_hash
    return key


def client_update(*, actor: Any, client: Open311Client, **fields: Any) -> Open311Client:
    unknown = set(fields) - set(AUDITED_CLIENT_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    with validation_errors(Open311Client):
        return audit.update(actor=actor, obj=client, note="open311 client", **fields)


# --- POST requests -------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass
class Submission:
    """The parameters of POST requests, as sent (empty optional parameters are absent)."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    external_ref: str = ""
    # attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2 alike: code → values
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> Submission:
        """From a QueryDict (the form-encoded body merged with the query string)."""
        sub = cls()
        for name in (
            "service_code",
            "lat",
            "long",
            "address_string",
            "address_id",
            "email",
            "device_id",
            "account_id",
            "first_name",
            "last_name",
            "phone",
            "media_url",
            "external_ref",
        ):
            setattr(sub, name, (params.get(name) or "").strip())
        # Absent, a request is described by its service; sent blank, it is refused as blank.
        sub.description = params.get("description") or ""
        for key, values in params.lists():
            match = _ATTRIBUTE.match(key)
            if not match:
                continue
            code = match.group(1).strip()
            sub.attributes.setdefault(code, []).extend(
                v.strip() for v in values if v is not None and v.strip()
            )
        return sub


@dataclass
class Created:
    request: Open311Request
    created: bool
    category: Category


def _name(first: str, last: str) -> str:
    """The reporter's name as Chinese writes it (family name first) when it is in Chinese."""
    if not first or not last:
        return (last or first)[:50]
    if re.search(r"[\u3400-\u9fff]", first + last):
        return f"{last}{first}"[:50]
    return f"{first} {last}"[:50]


def _check_place(sub: Submission, errors: list[tuple[int, str]]) -> tuple[Any, Any, Grid | None]:
    """What GeoReport v2 itself asks of the location: one of its three forms, and a known
    unit-grid code in address_id. A grid code alone places the request inside that grid. The
    point's own rules (both halves, degrees, inside the subdistrict) are the intake's."""
    grid = None
    if sub.address_id:
        grid = Grid.objects.active().filter(code=sub.address_id).first()
        if grid is None:
            errors.append(
                (
                    400,
                    _("address_id %(id)s is not a known unit-grid code.") % {"id": sub.address_id},
                )
            )
    if not (sub.lat or sub.long or sub.address_string or sub.address_id):
        errors.append(
            (400, _("A location is required: lat and long, address_string or address_id."))
        )
    if not (sub.lat or sub.long) and grid is not None:
        point = shapely.geometry.shape(grid.geometry).representative_point()
        return point.y, point.x, grid
    return sub.lat, sub.long, grid


def _wording(problem: intake.Problem) -> str:
    """An intake problem as this interface words it: by its parameters' names."""
    worded = {
        ("location", "pair"): _("lat and long must be given together."),
        ("location", "invalid"): _("lat and long must be WGS84 decimal degrees."),
        ("location", "outside"): _(
            "lat and long are outside the subdistrict this endpoint serves."
        ),
        ("address", "max_length"): _("address_string may have at most 200 characters."),
        ("description", "html"): _("description must be plain text, without HTML or code."),
        ("reporter_email", "invalid"): _("email is not a valid email address."),
        ("reporter_phone", "invalid"): _(
            "phone is not a valid mainland mobile or landline number."
        ),
        ("external_ref", "max_length"): _("external_ref may have at most 40 characters."),
    }
    if (problem.field, problem.code) == ("description", "max_length"):
        return _("description may have at most 4,000 characters (it has %(n)d).") % {
            "n": problem.params["length"]
        }
    return worded.get((problem.field, problem.code)) or (
        f"{PARAMETERS.get(problem.field, problem.field)}: {problem.message}"
    )


PARAMETERS = {
    "location": "lat/long",
    "category": "service_code",
    "reporter_phone": "phone",
    "reporter_email": "email",
    "address": "address_string",
    "photos": "media_url",
}


def _check_attribute(
    attr: ServiceAttribute, values: list[str], errors: list[tuple[int, str]]
) -> Any:
    """The value to store for one attribute, or None (an error is added when invalid)."""
    label = f"attribute[{attr.code}]"
    if not values:
        if attr.required:
            errors.append(
                (
                    400,
                    _("%(label)s is required: %(question)s")
                    % {"label": label, "question": attr.description},
                )
            )
        return None
    dt_ = ServiceAttribute.Datatype
    if attr.datatype == dt_.MULTIVALUELIST:
        keys = attr.value_keys
        wrong = [v for v in values if v not in keys]
        if wrong:
            errors.append(
                (
                    400,
                    _("%(label)s has values that are not in the list: %(values)s")
                    % {"label": label, "values": ", ".join(wrong)},
                )
            )
            return None
        return list(dict.fromkeys(values))
    if len(values) > 1:
        errors.append((400, _("%(label)s takes a single value.") % {"label": label}))
        return None
    value = values[0]
    if attr.datatype == dt_.SINGLEVALUELIST:
        if value not in attr.value_keys:
            errors.append(
                (
                    400,
                    _("%(label)s must be one of: %(keys)s")
                    % {"label": label, "keys": ", ".join(attr.value_keys)},
                )
            )
            return None
        return value
    if attr.datatype == dt_.NUMBER:
        try:
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append((400, _("%(label)s must be a number.") % {"label": label}))
            return None
        return value
    if attr.datatype == dt_.DATETIME:
        try:
            return parse_w3c(value).isoformat()
        except ValueError:
            errors.append(
                (
                    400,
                    _(
                        "%(label)s must be an ISO 8601 date and time, e.g. 2026-05-01T09:30:00+08:00."
                    )
                    % {"label": label},
                )
            )
            return None
    limit = MAX_DESCRIPTION if attr.datatype == dt_.TEXT else MAX_STRING
    if attr.datatype == dt_.STRING and ("\n" in value or "\r" in value):
        errors.append((400, _("%(label)s must be a single line.") % {"label": label}))
        return None
    if len(value) > limit:
        errors.append(
            (
                400,
                _("%(label)s may have at most %(n)d characters.") % {"label": label, "n": limit},
            )
        )
        return None
    return value


@dataclass
class Valid:
    category: Category
    answers: dict[str, Any]
    report: intake.Checked
    grid: Grid | None


def validate(sub: Submission, client: Open311Client, subdistrict_id: int | None = None) -> Valid:
    """Check everything the spec and the case intake require, collecting every error: the
    spec's own (service_code, the forms of location, media_url, attributes) here, every rule a
    report must meet by `cases.intake.check`, worded by this interface's parameter names.
    `subdistrict_id`: the jurisdiction's; the request is filed there, and a location in
    another subdistrict is refused."""
    errors: list[tuple[int, str]] = []
    category: Category | None = None
    if not sub.service_code:
        errors.append((400, _("service_code was not provided.")))
    else:
        category = selectors.service(sub.service_code)
        if category is None:
            errors.append(
                (404, _("service_code %(code)s was not found.") % {"code": sub.service_code})
            )
    lat, lng, grid = _check_place(sub, errors)
    report: intake.Checked | None = None
    try:
        report = intake.check(
            actor=actor_label(client),
            channel=client.channel,
            category=category,
            # Optional in GeoReport v2: without one, the request is described by its service.
            description=sub.description or (category.name if category else ""),
            lat=lat,
            lng=lng,
            address=sub.address_string or (grid.name if grid is not None and not sub.lat else ""),
            reporter_name=_name(sub.first_name, sub.last_name),
            reporter_phone=sub.phone,
            reporter_email=sub.email,
            external_ref=sub.external_ref if client.channel == Case.Channel.HOTLINE else "",
        )
    except intake.IntakeError as exc:
        errors.extend(
            (400, _wording(p))
            for p in exc.problems
            if not (p.field == "category" and category is None)
            and not (p.field == "location" and p.code == "required")
        )
    if report is not None and subdistrict_id is not None:
        report.subdistrict_id = subdistrict_id
        elsewhere = report.grid is not None and report.grid.subdistrict_id not in (
            None,
            subdistrict_id,
        )
        if elsewhere:
            errors.append((400, _("The location is outside the jurisdiction_id's subdistrict.")))
    if sub.media_url:
        try:
            if len(sub.media_url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(sub.media_url)
        except ValidationError:
            errors.append((400, _("media_url must be an http or https URL.")))
    for name, limit in (
        ("first_name", 50),
        ("last_name", 50),
        ("device_id", 100),
        ("account_id", 100),
        ("external_ref", 40),
    ):
        if len(getattr(sub, name)) > limit:
            errors.append(
                (400, _("%(name)s may have at most %(n)d characters.") % {"name": name, "n": limit})
            )
    answers: dict[str, Any] = {}
    if category is not None:
        for attr in selectors.attributes(category):
            if not attr.variable:
                continue
            value = _check_attribute(attr, sub.attributes.get(attr.code, []), errors)
            if value is not None:
                answers[attr.code] = value
    if errors or category is None or report is None:
        raise Open311Error(list(dict.fromkeys(errors)))
    return Valid(category, answers, report, grid)


def _from_service_error(exc: ServiceError) -> Open311Error:
    if isinstance(exc, intake.IntakeError):
        return Open311Error([(400, _wording(p)) for p in exc.problems])
    errors = [
        (400, f"{PARAMETERS.get(key, key)}: {message}")
        for key, messages in exc.field_errors.items()
        for message in messages
    ]
    return Open311Error(errors or [(400, str(exc.message))])


def actor_label(client: Open311Client) -> str:
    return f"Open311 · {client.name}"[:150]


def request_create(
    *, client: Open311Client, sub: Submission, subdistrict_id: int | None = None
) -> Created:
    """File a POSTed service request as a case, or return the one already filed for the same
    client reference (a client retrying after a timeout gets the same request back).
    `subdistrict_id`: the one the jurisdiction_id names (None: where the location is, else
    the installation's default)."""
    valid = validate(sub, client, subdistrict_id)
    if sub.external_ref:
        existing = (
            Open311Request.objects.select_related("case")
            .filter(client=client, external_ref=sub.external_ref)
            .first()
        )
        if existing is not None:
            return Created(existing, False, existing.case.category)
    try:
        with transaction.atomic():
            return _file(client, sub, valid)
    except IntegrityError:
        existing = (
            Open311Request.objects.filter(client=client, external_ref=sub.external_ref).first()
            if sub.external_ref
            else None
        )
        if existing is None:
            raise
        return Created(existing, False, existing.case.category)


# What a request keeps of its parameters as sent (the case keeps the rest, cleaned).
KEPT_PARAMETERS = (
    "external_ref",
    "device_id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "address_id",
    "media_url",
)


def _file(client: Open311Client, sub: Submission, valid: Valid) -> Created:
    actor = actor_label(client)
    r, category, answers = valid.report, valid.category, valid.answers
    try:
        result = case_services.case_intake(actor=actor, checked=r, find_duplicates=False)
    except ServiceError as exc:
        raise _from_service_error(exc) from exc
    case = result.case
    if not result.created:
        known = Open311Request.objects.filter(case=case).first()
        if known is not None:
            return Created(known, False, case.category)
    request = Open311Request.objects.create(
        case=case,
        client=client,
        token=secrets.token_urlsafe(16),
        attributes=answers,
        **{name: getattr(sub, name) for name in KEPT_PARAMETERS},
    )
    audit.record_created(actor=actor, obj=request)
    definitions = {a.code: a for a in selectors.attributes(category)}
    lines = request.attribute_lines(definitions)
    if sub.media_url:
        lines.append(_("Media: %(url)s") % {"url": sub.media_url})
    if lines and result.created:
        record_event(
            case=case,
            actor=actor,
            action="comment",
            note="\n".join(lines),
            data={"open311": {"attributes": answers, "media_url": sub.media_url}},
        )
    return Created(request, result.created, case.category)
