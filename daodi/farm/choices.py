"""Vocabularies of the farm app, named once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """Kinds of GACP farm record (中药材GAP 2022)."""

    SEED_SOURCE = "seed_source", _("Seed or seedling source")
    SOWING = "sowing", _("Sowing")
    TRANSPLANTING = "transplanting", _("Transplanting")
    FERTILISER = "fertiliser", _("Fertiliser use")
    PESTICIDE = "pesticide", _("Pesticide use")
    IRRIGATION = "irrigation", _("Irrigation")
    INSPECTION = "inspection", _("Field inspection")
    PHOTO = "photo", _("Photo")


class HarvestMethod(models.TextChoices):
    HAND = "hand", _("By hand")
    MACHINE = "machine", _("By machine")


class ProcessKind(models.TextChoices):
    """Primary processing at origin (产地初加工)."""

    DRYING = "drying", _("Drying")
    FIXING = "fixing", _("Fixing (杀青)")
    FRESH_CUTTING = "fresh_cutting", _("Cutting while fresh (趁鲜切制)")


class DryingMethod(models.TextChoices):
    SUN = "sun", _("Sun drying")
    SHADE = "shade", _("Shade drying")
    OVEN = "oven", _("Oven or kiln")
    STEAM = "steam", _("Steaming")
    NONE = "", _("Not applicable")
