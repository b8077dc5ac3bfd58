from django.db import migrations, models


def keep_texts(apps, schema_editor):
    """Flags written before (a text in the recorder's language) are kept as they were."""
    model = apps.get_model("sourcing", "DispatchLine")
    for pk, text in model.objects.exclude(flag_reason="").values_list("pk", "flag_reason"):
        model.objects.filter(pk=pk).update(flag={"text": text})


def back_to_texts(apps, schema_editor):
    """Undone: each flag as text again (in the default language)."""
    from daodi.core.texts import shown

    for name in ("DispatchLine",):
        model = apps.get_model("sourcing", name)
        for pk, flag in model.objects.exclude(flag=None).values_list("pk", "flag"):
            model.objects.filter(pk=pk).update(flag_reason=shown(flag)[:300])


class Migration(migrations.Migration):
    dependencies = [("sourcing", "0002_flag_reviews")]

    operations = [
        migrations.AddField(
            model_name="dispatchline",
            name="flag",
            field=models.JSONField(blank=True, null=True, verbose_name="flag"),
        ),
        migrations.RunPython(keep_texts, back_to_texts),
        migrations.RemoveField(model_name="dispatchline", name="flag_reason"),
    ]
