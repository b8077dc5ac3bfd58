from django.db import migrations


def add_units(apps, schema_editor):
    from daodi.catalog.units import STANDARD_UNITS

    Unit = apps.get_model("catalog", "Unit")
    for code, name, dimension, factor, uncefact in STANDARD_UNITS:
        Unit.objects.update_or_create(
            code=code,
            defaults={"name": name, "dimension": dimension, "factor": round(factor, 6),
                      "uncefact": uncefact},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [migrations.RunPython(add_units, migrations.RunPython.noop)]
