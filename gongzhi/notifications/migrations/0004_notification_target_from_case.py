"""The case of every existing notice becomes its target (and the target's name, as Case's
__str__ writes it, its target_repr). Backwards, notices about a case get their case column back
and an empty target; notices about other objects keep theirs (they had no case)."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr


def _case_type(apps, *, create: bool):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if create:
        return ContentType.objects.get_or_create(app_label="cases", model="case")[0]
    return ContentType.objects.filter(app_label="cases", model="case").first()


def case_to_target(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Case = apps.get_model("cases", "Case")
    rows = Notification.objects.filter(case__isnull=False, target_type__isnull=True)
    if not rows.exists():
        return
    name = Case.objects.filter(pk=OuterRef("case_id")).annotate(
        name=Concat(
            "number",
            Value(" "),
            models.Case(
                models.When(title="", then=Substr("description", 1, 30)), default=F("title")
            ),
        )
    )
    rows.update(
        target_type=_case_type(apps, create=True),
        target_id=F("case_id"),
        target_repr=Subquery(name.values("name")[:1]),
    )


def target_to_case(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    case_type = _case_type(apps, create=False)
    if case_type is None:
        return
    Notification.objects.filter(target_type=case_type).update(
        case_id=F("target_id"), target_type=None, target_id=None, target_repr=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0003_notification_target"),
    ]

    operations = [migrations.RunPython(case_to_target, target_to_case)]
