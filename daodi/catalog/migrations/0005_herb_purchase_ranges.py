import django.core.validators
from django.db import migrations, models


def load(apps, schema_editor):
    """The ranges of the herbs the file names, where none are set yet (matched by code or
    Chinese name); afterwards they are edited as catalogue data."""
    from daodi.catalog.ranges import purchase_ranges

    ranges = purchase_ranges()
    Herb = apps.get_model("catalog", "Herb")
    for herb in Herb.objects.all():
        values = ranges.get(herb.code) or ranges.get(herb.name)
        if not values:
            continue
        changed = [f for f, v in values.items() if getattr(herb, f) is None]
        for name in changed:
            setattr(herb, name, values[name])
        if changed:
            herb.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_herb_tolerances")]

    operations = [
        migrations.AddField(
            model_name="herb",
            name="price_min_per_kg",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name="lowest plausible price (元/kg)"),
        ),
        migrations.AddField(
            model_name="herb",
            name="price_max_per_kg",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name="highest plausible price (元/kg)"),
        ),
        migrations.AddField(
            model_name="herb",
            name="max_purchase_kg",
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name="largest plausible purchase (kg)"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
