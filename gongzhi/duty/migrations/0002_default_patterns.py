"""The centre's two default shift patterns (administrators may change them): day 08:30–17:30 and
night 17:30–08:30 the next day, so the 24 hours are covered without a gap."""

import datetime as dt

from django.db import migrations

DEFAULTS = [
    ("day", "白班", dt.time(8, 30), dt.time(17, 30), 2, 10),
    ("night", "夜班", dt.time(17, 30), dt.time(8, 30), 1, 20),
]


def create_patterns(apps, schema_editor):
    ShiftPattern = apps.get_model("duty", "ShiftPattern")
    for code, name, start, end, operators, order in DEFAULTS:
        ShiftPattern.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "start_time": start,
                "end_time": end,
                "operators_needed": operators,
                "sort_order": order,
            },
        )


def remove_patterns(apps, schema_editor):
    ShiftPattern = apps.get_model("duty", "ShiftPattern")
    Shift = apps.get_model("duty", "Shift")
    for code, *_ in DEFAULTS:
        pattern = ShiftPattern.objects.filter(code=code).first()
        if pattern is not None and not Shift.objects.filter(pattern=pattern).exists():
            pattern.delete()


class Migration(migrations.Migration):
    dependencies = [("duty", "0001_initial")]

    operations = [migrations.RunPython(create_patterns, remove_patterns)]
