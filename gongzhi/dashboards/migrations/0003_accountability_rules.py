"""The default accountability rules (责任追究): a warning for three overdue cases in a month, for
each grid station, department and responsible person; for three reworked or three unsatisfied
cases in a month at a department; and for five cases closed late in a quarter at a department or
a station. Administrators change them in the back office."""

from django.db import migrations

DEFAULTS = [
    ("station", "overdue", 3, "month"),
    ("department", "overdue", 3, "month"),
    ("person", "overdue", 3, "month"),
    ("department", "reworked", 3, "month"),
    ("department", "unsatisfied", 3, "month"),
    ("station", "late", 5, "quarter"),
    ("department", "late", 5, "quarter"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("dashboards", "AccountabilityRule")
    for subject_kind, measure, threshold, period in DEFAULTS:
        Rule.objects.get_or_create(
            subject_kind=subject_kind,
            measure=measure,
            threshold=threshold,
            period=period,
            archived_at=None,
            defaults={"active": True},
        )


def unseed(apps, schema_editor):
    Rule = apps.get_model("dashboards", "AccountabilityRule")
    for subject_kind, measure, threshold, period in DEFAULTS:
        Rule.objects.filter(
            subject_kind=subject_kind,
            measure=measure,
            threshold=threshold,
            period=period,
            warnings__isnull=True,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_accountability")]

    operations = [migrations.RunPython(seed, unseed)]
