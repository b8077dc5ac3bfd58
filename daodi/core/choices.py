"""Vocabularies of the core app, named once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpKind(models.TextChoices):
    """What a regulator follows up (each kind's records are resolved by the app that owns
    them, registered in ``core.followups``)."""

    REFUSAL = "refusal", _("Refused attempt")
    GI_VIOLATION = "gi_violation", _("GI violation")
    IMBALANCE = "imbalance", _("Mass-balance imbalance")
    FLAGGED_DISPATCH = "flagged_dispatch", _("Flagged dispatch")
    OUT_OF_SPEC = "out_of_spec", _("Out-of-specification result")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    NOTIFIED = "notified", _("Organisation notified")
    CLOSED = "closed", _("Closed")
