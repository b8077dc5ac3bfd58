import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "banned_pesticides.csv"


def add_aliases(apps, schema_editor):
    """Common and trade names of the starting list (呋喃丹 for 克百威, 1605 for 对硫磷…),
    "|"-separated in the file; entries whose aliases were edited already are left alone."""
    BannedPesticide = apps.get_model("farm", "BannedPesticide")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["aliases"]:
                BannedPesticide.objects.filter(name=row["name"], aliases="").update(
                    aliases="\n".join(row["aliases"].split("|"))
                )


class Migration(migrations.Migration):
    dependencies = [("farm", "0002_banned_pesticides")]
    operations = [migrations.RunPython(add_aliases, migrations.RunPython.noop)]
