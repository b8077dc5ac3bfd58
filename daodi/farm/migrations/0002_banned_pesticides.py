import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "banned_pesticides.csv"


def load(apps, schema_editor):
    """The starting banned list (ChP 2020 通则 0212); afterwards it is edited as data."""
    BannedPesticide = apps.get_model("farm", "BannedPesticide")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            BannedPesticide.objects.get_or_create(
                name=row["name"],
                defaults={
                    "name_en": row["name_en"],
                    "loq_mg_per_kg": Decimal(row["loq_mg_per_kg"]) if row["loq_mg_per_kg"] else None,
                    "source": row["source"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("farm", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
