"""Vocabularies of the trace app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaptureStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Success")
    FAILED = "failed", _("Failed")


class IdentifierRole(models.TextChoices):
    """How an identifier takes part in an event; lineage walks these roles."""

    EPC = "epc", _("object")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")
    CLASS = "class", _("quantity class")
    CHILD_CLASS = "child_class", _("child quantity class")
    INPUT_CLASS = "input_class", _("input quantity class")
    OUTPUT_CLASS = "output_class", _("output quantity class")


class LotStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("lot status", "Active")
    ON_HOLD = "on_hold", _("On hold")
    RECALLED = "recalled", _("Recalled")
    CONSUMED = "consumed", _("Consumed")
    DESTROYED = "destroyed", _("Destroyed")


# The CBV disposition of a lot shipped and not yet received: it is still the sender's (in
# custody), but neither stock at the sender nor theirs to use.
IN_TRANSIT = "in_transit"
