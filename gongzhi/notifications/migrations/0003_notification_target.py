"""A notice is about any object (target_type + target_id), not only a case: the columns and
their index. 0004 moves the case of every existing notice there; 0005 drops the case column."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_templates_preferences_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="object id"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_repr",
            field=models.CharField(blank=True, max_length=200, verbose_name="object"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="object type",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ),
    ]
