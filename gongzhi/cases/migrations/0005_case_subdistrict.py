import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Every case belongs to a subdistrict: its residential area's, else the installation's
    (until now an installation served one). One UPDATE per subdistrict."""
    Case = apps.get_model("cases", "Case")
    Subdistrict = apps.get_model("places", "Subdistrict")
    ResidentialArea = apps.get_model("places", "ResidentialArea")
    from django.conf import settings

    if not Case.objects.exists():
        return
    code = settings.GONGZHI.get("SUBDISTRICT_CODE")
    default = (
        Subdistrict.objects.filter(archived_at__isnull=True, code=code).first()
        or Subdistrict.objects.filter(archived_at__isnull=True).order_by("code").first()
        or Subdistrict.objects.order_by("code").first()
    )
    if default is None:
        default = Subdistrict.objects.create(code=code or "000000000", name=code or "subdistrict")
    for sd_id in ResidentialArea.objects.values_list("subdistrict_id", flat=True).distinct():
        Case.objects.filter(
            subdistrict__isnull=True,
            residential_area__in=ResidentialArea.objects.filter(subdistrict_id=sd_id),
        ).update(subdistrict_id=sd_id)
    Case.objects.filter(subdistrict__isnull=True).update(subdistrict_id=default.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_cell_category_index"),
        ("places", "0002_roads_landmarks"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="subdistrict",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="places.subdistrict",
                verbose_name="subdistrict",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="subdistrict",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="places.subdistrict",
                verbose_name="subdistrict",
            ),
        ),
    ]
