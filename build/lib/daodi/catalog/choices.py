"""Vocabularies of the herb catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GIKind(models.TextChoices):
    CERTIFICATION_MARK = "certification_mark", _("Certification trademark (证明商标)")
    PROTECTED_PRODUCT = "protected_product", _("Protected GI product (地理标志保护产品)")
    AGRI_PRODUCT = "agri_product", _("Agricultural GI product (农产品地理标志)")


class Dimension(models.TextChoices):
    MASS = "mass", _("Mass")
    AREA = "area", _("Area")
    COUNT = "count", _("Count")


class PartUsed(models.TextChoices):
    ROOT = "root", _("Root")
    RHIZOME = "rhizome", _("Rhizome")
    ROOT_AND_RHIZOME = "root_rhizome", _("Root and rhizome")
    FRUIT = "fruit", _("Fruit")
    PERICARP = "pericarp", _("Pericarp")
    SEED = "seed", _("Seed")
    FLOWER = "flower", _("Flower")
    LEAF = "leaf", _("Leaf")
    HERB = "herb", _("Aerial part / whole herb")
    BARK = "bark", _("Bark")
    OTHER = "other", _("Other")
