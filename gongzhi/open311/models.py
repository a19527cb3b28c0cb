"""The Open311 GeoReport v2 interface (http://wiki.open311.org/GeoReport_v2).

- `Open311Client`: one third-party application (a city app, 随申办, the 12345 system …) with its
  own API key. Only a hash and a short prefix of the key are stored; the key is shown once.
- `ServiceOptions` and `ServiceAttribute`: what the catalogue's public leaves (the Open311
  "services") add for Open311: keywords, a notice, realtime or batch, and the extra questions
  of the service definition.
- `Open311Request`: what a client sent with a report, beside the `cases.Case` it became.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.cases.models import Case, Category
from gongzhi.core.fields import ProtectedForeignKey, ProtectedOneToOneField
from gongzhi.core.models import ArchivableModel, TimeStampedModel, unique_among_active

code_validator = RegexValidator(
    r"^[A-Za-z0-9_.\-]+$",
    _("Use letters, digits, dots, dashes and underscores only."),
)


class Open311Client(ArchivableModel):
    """A client application. Its reports are filed under `channel`: residents' reports by
    default; the 12345 system's work orders as hotline cases (idempotent by work-order number)."""

    CHANNELS = [
        (Case.Channel.RESIDENT, Case.Channel.RESIDENT.label),
        (Case.Channel.HOTLINE, Case.Channel.HOTLINE.label),
    ]

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.TextField(
        _("contact"), blank=True, help_text=_("Who runs the application and how to reach them.")
    )
    active = models.BooleanField(_("active"), default=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=CHANNELS, default=Case.Channel.RESIDENT
    )
    per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=30, validators=[MinValueValidator(1)]
    )
    per_hour = models.PositiveIntegerField(
        _("requests per hour"), default=600, validators=[MinValueValidator(1)]
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    key_created_at = models.DateTimeField(_("key issued at"), null=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceOptions(TimeStampedModel):
    """Open311 settings of one catalogue leaf that residents may report."""

    class Type(models.TextChoices):
        REALTIME = "realtime", _("realtime: the request id at once")
        BATCH = "batch", _("batch: a token; the request is public once the centre files it")

    category = ProtectedOneToOneField(Category, _("category"), related_name="open311_options")
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.REALTIME)
    keywords = models.CharField(
        _("keywords"), max_length=200, blank=True, help_text=_("Comma-separated synonyms.")
    )
    service_notice = models.TextField(
        _("service notice"),
        blank=True,
        help_text=_("What the reporter can expect. When empty, the handling time limit is stated."),
    )

    class Meta:
        verbose_name = _("Open311 service options")
        verbose_name_plural = _("Open311 service options")

    def __str__(self) -> str:
        return f"{self.category} ({self.type})"


class ServiceAttribute(ArchivableModel):
    """One extra question of a service definition (GeoReport v2 "attribute")."""

    class Datatype(models.TextChoices):
        STRING = "string", _("string (one line)")
        NUMBER = "number", pgettext_lazy("datatype", "number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("text (several lines)")
        SINGLEVALUELIST = "singlevaluelist", _("one value from a list")
        MULTIVALUELIST = "multivaluelist", _("several values from a list")

    LIST_TYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)

    category = ProtectedForeignKey(Category, _("category"), related_name="open311_attributes")
    code = models.CharField(_("code"), max_length=50, validators=[code_validator])
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Unticked: the description is only shown to the reporter."),
    )
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=1, validators=[MinValueValidator(1)])
    description = models.CharField(_("question"), max_length=500)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    values = models.JSONField(
        _("values"),
        default=list,
        blank=True,
        help_text=_('For lists: [{"key": "1", "name": "…"}, …]'),
    )

    class Meta:
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        ordering = ["category", "order", "id"]
        constraints = [
            unique_among_active("category", "code", name="open311_attribute_code_unique"),
            unique_among_active("category", "order", name="open311_attribute_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"

    def clean(self) -> None:
        values = self.values if self.values not in (None, "") else []
        if self.datatype in self.LIST_TYPES:
            if not isinstance(values, list) or not values:
                raise ValidationError(
                    {"values": _('A list needs at least one value: [{"key": …, "name": …}].')}
                )
            keys: set[str] = set()
            cleaned: list[dict[str, str]] = []
            for item in values:
                if not isinstance(item, dict) or not str(item.get("key", "")).strip():
                    raise ValidationError({"values": _("Every value needs a key and a name.")})
                key = str(item["key"]).strip()
                name = str(item.get("name") or key).strip()
                if key in keys:
                    raise ValidationError(
                        {"values": _("The keys must differ: %(key)s.") % {"key": key}}
                    )
                keys.add(key)
                cleaned.append({"key": key, "name": name})
            self.values = cleaned
        elif values:
            raise ValidationError({"values": _("Only lists have values.")})
        else:
            self.values = []
        if not self.variable and self.required:
            raise ValidationError(
                {"required": _("An attribute that asks for no input cannot be required.")}
            )

    @property
    def value_keys(self) -> list[str]:
        return [str(v["key"]) for v in self.values or []]


class Open311Request(TimeStampedModel):
    """What an Open311 client sent with one report, as given (the case holds the cleaned copy)."""

    case = ProtectedOneToOneField(Case, _("case"), related_name="open311")
    client = ProtectedForeignKey(Open311Client, _("client"), related_name="requests")
    token = models.CharField(_("token"), max_length=32, unique=True)
    external_ref = models.CharField(
        _("client's reference"),
        max_length=40,
        blank=True,
        help_text=_("Sent again, it returns the same request (e.g. the 12345 work-order number)."),
    )
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    last_name = models.CharField(_("last name"), max_length=50, blank=True)
    address_id = models.CharField(_("address id"), max_length=40, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    media_url = models.CharField(_("media URL"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_ref"],
                condition=~Q(external_ref=""),
                name="open311_request_client_ref_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.case_id}"

    def attribute_lines(self, definitions: dict[str, Any]) -> list[str]:
        """ "Question: answer" lines for the staff timeline, in the definition's order."""
        lines = []
        for code, value in self.attributes.items():
            attr = definitions.get(code)
            label = attr.description if attr is not None else code
            shown = value
            if attr is not None and attr.datatype in ServiceAttribute.LIST_TYPES:
                names = {str(v["key"]): v["name"] for v in attr.values}
                items = value if isinstance(value, list) else [value]
                shown = "、".join(names.get(str(v), str(v)) for v in items)
            elif isinstance(value, list):
                shown = "、".join(str(v) for v in value)
            lines.append(f"{label}: {shown}")
        return lines


class Open311Service(Category):
    """A catalogue leaf seen as an Open311 service: for the back office, where its options and
    attributes are edited inline (the catalogue itself belongs to the cases app)."""

    class Meta:
        proxy = True
        verbose_name = _("Open311 service")
        verbose_name_plural = _("Open311 services")
