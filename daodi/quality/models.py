"""Quality testing: specification sets as versioned data, samples, test orders, results,
certificates of analysis and the notifications an out-of-specification result sends."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daodi.catalog.models import Herb
from daodi.core.models import user_field
from daodi.orgs.models import Organisation
from daodi.trace.models import Event, Lot

from . import judgement, units
from .choices import (
    Audience,
    Authority,
    Basis,
    Conclusion,
    Confidence,
    Delimiter,
    NotificationKind,
    Operator,
    OrderStatus,
    ProductForm,
    ResultStatus,
    SampleUnit,
    SpecStatus,
)

ALL_HERBS = "*"
NOTIFICATION_MESSAGES = {
    NotificationKind.OUT_OF_SPEC: _(
        "Lot %(lot)s (%(herb)s, held by %(holder)s) does not conform: %(items)s. Certificate "
        "%(certificate)s from %(lab)s; the lot is on hold."
    ),
    NotificationKind.INCOMPLETE: _(
        "Testing of lot %(lot)s (%(herb)s, held by %(holder)s) is incomplete: %(items)s. The "
        "lot is on hold until certificate %(certificate)s is followed by a complete one."
    ),
    NotificationKind.RELEASED: _(
        "Lot %(lot)s (%(herb)s) conforms (certificate %(certificate)s from %(lab)s) and is "
        "released."
    ),
}  # a specification item for every plant drug (e.g. the banned pesticides)


class SpecSet(models.Model):
    """A specification set (质量标准): one authority's edition, versioned, approved before use.

    Sets without an organisation are the platform's own (the pharmacopoeia starter set);
    others belong to the organisation that wrote them (a group or a buyer's standard). An
    approved set is never edited: a new version is drafted from it and approved in turn.
    """

    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    authority = models.CharField(_("authority"), max_length=10, choices=Authority.choices)
    edition = models.CharField(
        _("edition"), max_length=60, help_text=_("e.g. ChP 2020, ChP 2025, T/CAQ 29005-2023")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the platform's own sets."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SpecStatus.choices, default=SpecStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_by = user_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("specification set")
        verbose_name_plural = _("specification sets")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_spec_set_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == SpecStatus.DRAFT


class SpecItem(models.Model):
    """One test item of a set for one herb, variant and product form, with its provenance.

    ``limit`` keeps the number as written ("9.0" has one decimal place, which the rounding
    rule needs). An item whose value is not verified is shown as 待核对 wherever it is used.
    """

    spec_set = models.ForeignKey(
        SpecSet, verbose_name=_("specification set"), on_delete=models.CASCADE, related_name="items"
    )
    herb = models.CharField(
        _("herb"), max_length=40, help_text=_("Chinese name; * for every plant drug.")
    )
    variant = models.CharField(
        _("variant"), max_length=40, blank=True, help_text=_("e.g. 青翘, 老翘; empty for any.")
    )
    product_form = models.CharField(
        _("product form"), max_length=10, choices=ProductForm.choices, blank=True
    )
    test_item = models.CharField(_("test item"), max_length=120)
    panel = models.CharField(
        _("panel"),
        max_length=80,
        blank=True,
        help_text=_("Items of one panel (e.g. the banned pesticides) are judged together."),
    )
    op = models.CharField(
        pgettext_lazy("comparison", "operator"), max_length=10, choices=Operator.choices
    )
    limit = models.CharField(
        _("limit"), max_length=40, blank=True, help_text=_("As written: 9.0, 400, 0.5-1.5.")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    basis = models.CharField(_("basis"), max_length=6, choices=Basis.choices, default=Basis.AS_IS)
    loq = models.CharField(_("LOQ"), max_length=20, blank=True)
    method = models.CharField(pgettext_lazy("test method", "method"), max_length=120, blank=True)
    required = models.BooleanField(pgettext_lazy("test item", "required"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=1, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    verified_by = models.CharField(_("verified by"), max_length=80, blank=True)
    verified_at = models.DateField(_("verified on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    owner_path = "spec_set__organisation__"

    class Meta:
        verbose_name = _("specification item")
        verbose_name_plural = _("specification items")
        ordering = ["spec_set", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spec_set", "herb", "variant", "product_form", "test_item"],
                name="one_item_per_key",
            )
        ]

    def __str__(self) -> str:
        key = " ".join(filter(None, [self.herb, self.variant]))
        return f"{key} {self.test_item}"

    @property
    def is_unverified(self) -> bool:
        """待核对: neither taken from a verified source nor checked by a person."""
        return self.confidence != Confidence.VERIFIED and not self.verified_by

    def as_item(self) -> judgement.Item:
        return judgement.Item(
            test_item=self.test_item,
            op=self.op,
            limit=self.limit,
            unit=self.unit,
            basis=self.basis,
            loq=self.loq,
            panel=self.panel,
            required=self.required,
            method=self.method,
            ref=self.pk,
        )

    def clean(self):
        try:
            judgement.check_item(self.as_item())
        except judgement.SpecError as exc:
            field = "unit" if "unit" in str(exc) else "limit"
            raise ValidationError(
                {field: _("This item cannot be judged: %(error)s") % {"error": exc}}
            ) from exc

    def applies_to(self, herb: str, variant: str, product_form: str) -> bool:
        """Whether the item is part of the specification of this herb, variant and form."""
        return (
            self.herb in (herb, ALL_HERBS)
            and self.variant in ("", variant)
            and self.product_form in ("", product_form)
        )


class Sample(models.Model):
    """A sample taken from a lot (an EPCIS ``sampling`` event), with its own label."""

    code = models.CharField(_("sample code"), max_length=20, unique=True)
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("sampled by (organisation)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    herb = models.ForeignKey(
        Herb,
        verbose_name=_("herb"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    variant = models.CharField(_("variant"), max_length=40, blank=True)
    product_form = models.CharField(
        _("product form"), max_length=10, choices=ProductForm.choices, default=ProductForm.CRUDE
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(
        _("unit"), max_length=3, choices=SampleUnit.choices, default=SampleUnit.GRAM
    )
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = user_field(_("recorded by"))
    sampler = models.CharField(_("sampler"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    event = models.ForeignKey(
        Event, verbose_name=_("sampling event"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        if self.quantity is not None and self.quantity <= 0:
            raise ValidationError({"quantity": _("A sample needs a quantity above zero.")})


class TestOrder(models.Model):
    """A request to a lab to test a sample against one or more specification sets."""

    __test__ = False  # a model, not a pytest test class

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    sample = models.ForeignKey(
        Sample, verbose_name=_("sample"), on_delete=models.PROTECT, related_name="orders"
    )
    lab = models.ForeignKey(
        Organisation, verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    spec_sets = models.ManyToManyField(
        SpecSet, verbose_name=_("specification sets"), related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    return_note = models.TextField(_("returned by the reviewer because"), blank=True)
    requested_by = user_field(_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    approved_by = user_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    owner_path = "sample__organisation__"

    class Meta:
        verbose_name = _("test order")
        verbose_name_plural = _("test orders")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.reference


class Result(models.Model):
    """One test item's result as the lab reported it. Corrections are audited; a retest is
    a new result that supersedes this one, with its reason."""

    order = models.ForeignKey(
        TestOrder, verbose_name=_("test order"), on_delete=models.PROTECT, related_name="results"
    )
    test_item = models.CharField(_("test item"), max_length=120)
    value = models.CharField(
        _("value as reported"),
        max_length=40,
        help_text=_("e.g. 8.95, 0.35 mg/g, <0.02, ND, 未检出"),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    lod = models.CharField(_("LOD"), max_length=20, blank=True)
    loq = models.CharField(_("LOQ"), max_length=20, blank=True)
    method = models.CharField(pgettext_lazy("test method", "method"), max_length=120, blank=True)
    instrument = models.CharField(_("instrument"), max_length=80, blank=True)
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analyst"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResultStatus.choices, default=ResultStatus.ENTERED
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("retest of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    retest_reason = models.TextField(_("reason for the retest"), blank=True)
    correction_reason = models.CharField(
        _("reason for the last correction"), max_length=200, blank=True
    )
    source = models.CharField(_("entered from"), max_length=120, blank=True)
    reviewed_by = user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    owner_path = "order__lab__"

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.test_item} {self.value}"

    @property
    def is_current(self) -> bool:
        return self.status != ResultStatus.SUPERSEDED

    def as_reading(self) -> judgement.Reading:
        return judgement.Reading(
            test_item=self.test_item,
            value=self.value,
            unit=self.unit,
            loq=self.loq,
            lod=self.lod,
            ref=self.pk,
        )

    def clean(self):
        errors = {}
        if not judgement.clean_text(self.test_item):
            errors["test_item"] = _("Name the test item.")
        try:
            judgement.read_value(self.as_reading())
        except judgement.ValueUnreadable:
            errors["value"] = _(
                "Write a number (8.95, 0.35 mg/g), a bound (<0.02), ND or 未检出, or "
                "符合规定 / 不符合规定."
            )
        except units.UnitError:
            errors["unit"] = _("Unknown unit.")
        if self.unit and not units.is_known(self.unit):
            errors["unit"] = _("Unknown unit. Use %, mg/g, mg/kg, µg/kg, ppm or ml/100g.")
        if errors:
            raise ValidationError(errors)


class Certificate(models.Model):
    """A certificate of analysis (检验报告) issued when a reviewer approves an order.

    ``content`` is everything the certificate states; ``content_hash`` (SHA-256 of its
    canonical JSON) is printed in the QR code's verification link, so the public
    verification page can tell a genuine, unchanged certificate from an altered one.
    """

    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    order = models.ForeignKey(
        TestOrder,
        verbose_name=_("test order"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    lab = models.ForeignKey(
        Organisation, verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices)
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(_("PDF hash"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = user_field(_("approved by"))
    event = models.ForeignKey(
        Event, verbose_name=_("inspection event"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    owner_path = "order__sample__organisation__"

    class Meta:
        verbose_name = _("certificate of analysis")
        verbose_name_plural = _("certificates of analysis")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Notification(models.Model):
    """An in-app notice: to the holder of a lot (``organisation``) or to every regulator
    (``organisation`` empty, audience ``regulator``). The message is rendered from ``kind``
    and ``params`` in the reader's language."""

    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = user_field(_("read by"))

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.params.get('certificate', '')}"

    def message(self) -> str:
        """The notice in the reader's language."""
        from daodi.trace.documents import element_string

        params = self.params or {}
        values = {
            "lot": element_string(params.get("lot", "")) or params.get("lot", ""),
            "herb": params.get("herb", ""),
            "certificate": params.get("certificate", ""),
            "lab": params.get("lab", ""),
            "holder": params.get("holder", ""),
            "items": "、".join(params.get("items") or []) or "—",
        }
        return str(NOTIFICATION_MESSAGES.get(self.kind, "%(certificate)s")) % values


class ColumnMapping(models.Model):
    """Which column of an instrument's CSV export holds which field of a result, saved per
    lab so the next export of the same instrument imports in one step."""

    lab = models.ForeignKey(
        Organisation, verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. the instrument's name"))
    test_item = models.CharField(_("column of the test item"), max_length=60)
    value = models.CharField(_("column of the value"), max_length=60)
    unit = models.CharField(_("column of the unit"), max_length=60, blank=True)
    loq = models.CharField(_("column of the LOQ"), max_length=60, blank=True)
    lod = models.CharField(_("column of the LOD"), max_length=60, blank=True)
    method = models.CharField(_("column of the method"), max_length=60, blank=True)
    instrument = models.CharField(_("column of the instrument"), max_length=60, blank=True)
    tested_on = models.CharField(_("column of the test date"), max_length=60, blank=True)
    delimiter = models.CharField(
        _("delimiter"), max_length=1, choices=Delimiter.choices, default=Delimiter.COMMA
    )
    skip_rows = models.PositiveSmallIntegerField(
        _("lines before the header"), default=0, help_text=_("Instrument preamble to skip.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    owner_path = "lab__"

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["lab", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "name"], name="one_mapping_name_per_lab")
        ]

    def __str__(self) -> str:
        return self.name

    def columns(self) -> dict[str, str]:
        """Result field → column header, for the fields this mapping names."""
        fields = ("test_item", "value", "unit", "loq", "lod", "method", "instrument", "tested_on")
        return {f: getattr(self, f).strip() for f in fields if getattr(self, f).strip()}
