"""Vocabularies of the quality app, named once."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import judgement


class Authority(models.TextChoices):
    """Who issues a specification."""

    CHP = "chp", _("Chinese Pharmacopoeia")
    FOOD = "food", _("Food standard (medicine-food homology)")
    GROUP = "group", _("Group standard")
    BUYER = "buyer", _("Buyer's own standard")
    INTERNAL = "internal", _("Internal standard")


class SpecStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", pgettext_lazy("specification set", "Approved")
    RETIRED = "retired", _("Retired")


class ProductForm(models.TextChoices):
    """What the specification is for: the crude drug, decoction pieces or food use."""

    CRUDE = "crude", _("Crude drug (药材)")
    PIECES = "pieces", _("Decoction pieces (饮片)")
    FOOD = "food", _("Food use (药食同源)")


# How the forms are written in specification files (data, so always Chinese).
PRODUCT_FORM_WORDS = {
    ProductForm.CRUDE: "药材",
    ProductForm.PIECES: "饮片",
    ProductForm.FOOD: "食用",
}


class Operator(models.TextChoices):
    LE = judgement.LE, _("not more than (≤)")
    GE = judgement.GE, _("not less than (≥)")
    RANGE = judgement.RANGE, _("within a range")
    ND = judgement.ND, _("not detected")
    CONFORMS = judgement.CONFORMS, _("conforms (qualitative)")


class Basis(models.TextChoices):
    AS_IS = judgement.AS_IS, _("as is")
    DRY = judgement.DRY, _("dry basis")


class Confidence(models.TextChoices):
    """How sure the value of a specification item is (see shared/reference/README.md)."""

    VERIFIED = "V", _("Verified in a cited source")
    SECONDARY = "S", _("Secondary source")
    UNVERIFIED = "M", _("Unverified")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Waiting for results")
    TESTING = "testing", _("Results being entered")
    APPROVED = "approved", pgettext_lazy("test order", "Approved")


class ResultStatus(models.TextChoices):
    ENTERED = "entered", _("Waiting for review")
    APPROVED = "approved", pgettext_lazy("test result", "Approved")
    SUPERSEDED = "superseded", _("Superseded by a retest")


class Conclusion(models.TextChoices):
    CONFORM = judgement.CONFORM, _("Conforms")
    NOT_CONFORM = judgement.NOT_CONFORM, _("Does not conform")
    INCOMPLETE = judgement.INCOMPLETE, _("Incomplete")


class Verdict(models.TextChoices):
    PASS = judgement.PASS, pgettext_lazy("verdict", "Pass")
    FAIL = judgement.FAIL, pgettext_lazy("verdict", "Fail")
    NOT_JUDGED = judgement.NOT_JUDGED, _("Not judged")


class NotificationKind(models.TextChoices):
    OUT_OF_SPEC = "out_of_spec", _("Out-of-specification result")
    INCOMPLETE = "incomplete", _("Testing incomplete")
    RELEASED = "released", _("Lot released")


class Audience(models.TextChoices):
    HOLDER = "holder", _("Holder of the lot")
    REGULATOR = "regulator", _("Regulators")


class SampleUnit(models.TextChoices):
    GRAM = "g", _("g")
    KILOGRAM = "kg", _("kg")


class Delimiter(models.TextChoices):
    COMMA = ",", _("comma (,)")
    SEMICOLON = ";", _("semicolon (;)")
    TAB = "\t", _("tab")
