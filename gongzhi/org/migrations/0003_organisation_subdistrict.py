import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Every organisation belongs to a subdistrict: its area's, its station's, its parent's, else
    the installation's (until now an installation served one)."""
    Organisation = apps.get_model("org", "Organisation")
    Subdistrict = apps.get_model("places", "Subdistrict")
    from django.conf import settings

    code = settings.GONGZHI.get("SUBDISTRICT_CODE")
    default = (
        Subdistrict.objects.filter(archived_at__isnull=True, code=code).first()
        or Subdistrict.objects.filter(archived_at__isnull=True).order_by("code").first()
        or Subdistrict.objects.order_by("code").first()
    )
    for org in Organisation.objects.select_related("residential_area", "grid_station"):
        sd = None
        if org.residential_area_id:
            sd = org.residential_area.subdistrict_id
        elif org.grid_station_id:
            sd = org.grid_station.subdistrict_id
        elif default is not None:
            sd = default.pk
        if sd is not None:
            Organisation.objects.filter(pk=org.pk).update(subdistrict_id=sd)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_initial"),
        ("places", "0002_roads_landmarks"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="subdistrict",
            field=models.ForeignKey(
                help_text=(
                    "The subdistrict the organisation belongs to; empty for the district's own "
                    "offices, whose positions reach every subdistrict."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organisations",
                to="places.subdistrict",
                verbose_name="subdistrict",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
