"""Vocabularies of the buying network, named once."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

JIN_KG = Decimal("0.5")  # 市斤


class PriceUnit(models.TextChoices):
    KG = "kg", _("per kg")
    JIN = "jin", _("per 市斤 (½ kg)")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")
    CREDIT = "credit", _("On credit (赊账)")


class DispatchStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class CorrectionKind(models.TextChoices):
    CORRECTED = "corrected", _("Corrected")
    VOIDED = "voided", _("Voided")
    CANCELLED = "cancelled", _("Dispatch cancelled")


class ErrorReason(models.TextChoices):
    """CBV 2.0 error reasons an error declaration names."""

    INCORRECT_DATA = "incorrect_data", _("Incorrect data")
    DID_NOT_OCCUR = "did_not_occur", _("Did not occur")


class LossReason(models.TextChoices):
    DRYING = "drying", _("Drying")
    SORTING = "sorting", _("Sorting")
    TRANSIT = "transit", _("Weight found on arrival")
    WEIGHING = "weighing", _("Weight found at purchase")
    OTHER = "other", _("Other")


class ClaimPurpose(models.TextChoices):
    LABEL = "label", _("Label")
    LISTING = "listing", _("Listing")


# Weight corrections found by weighing (on arrival, at purchase) and sorting losses are
# ObjectEvents of this CBV step: DELETE for a shortfall, ADD for a gain.
STOCK_TAKING = "stock_taking"
