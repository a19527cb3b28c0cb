"""The notices' case column goes: 0004 moved every case into the notice's target."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_notification_target_from_case"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="notification",
            name="case",
        ),
    ]
