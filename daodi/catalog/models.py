"""The herb catalogue: herbs, grades, geographic indications, units and GS1 trade items."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from daodi.core import gs1, texts
from daodi.orgs.models import Division, Organisation

from .choices import Dimension, GIKind, PartUsed
from .units import unit_name


class Herb(models.Model):
    """A herb (品种) and the medicinal material made from it (e.g. 党参 / Codonopsis Radix).

    The plausible ranges are used later to flag yields and drying ratios for review.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("Chinese name"), max_length=40, unique=True)
    trade_name = models.CharField(
        _("trade name"),
        max_length=40,
        blank=True,
        help_text=_("Customary name in the trade, e.g. 潞党参."),
    )
    pinyin = models.CharField(_("pinyin"), max_length=80)
    latin_name = models.CharField(_("botanical name"), max_length=120, blank=True)
    material_name = models.CharField(_("medicinal material"), max_length=40, blank=True)
    material_latin = models.CharField(_("material Latin name"), max_length=80, blank=True)
    part_used = models.CharField(
        _("part used"), max_length=20, choices=PartUsed.choices, default=PartUsed.ROOT
    )
    yield_min_kg_per_mu = models.DecimalField(
        _("lowest plausible yield (kg/亩)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    yield_max_kg_per_mu = models.DecimalField(
        _("highest plausible yield (kg/亩)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    dry_ratio_min = models.DecimalField(
        _("lowest fresh:dry ratio"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    dry_ratio_max = models.DecimalField(
        _("highest fresh:dry ratio"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    # Tolerances of the buying network: how far a weight found on arrival may differ from
    # the weight dispatched, and how far a node's mass balance may be off, before either is
    # flagged (fresh herbs lose water on the road; dry ones barely).
    arrival_tolerance_pct = models.DecimalField(
        _("arrival weight tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0)],
    )
    balance_tolerance_pct = models.DecimalField(
        _("mass balance tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0)],
    )
    # What a purchase of the herb plausibly weighs and costs: a purchase outside these is
    # asked to be confirmed (a slipped decimal point, kg typed as 斤) rather than saved.
    price_min_per_kg = models.DecimalField(
        _("lowest plausible price (元/kg)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_max_per_kg = models.DecimalField(
        _("highest plausible price (元/kg)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    max_purchase_kg = models.DecimalField(
        _("largest plausible purchase (kg)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("herb")
        verbose_name_plural = _("herbs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def english_name(self) -> str:
        """The material's pharmacopoeia name with the pinyin: Codonopsis Radix (Dangshen)."""
        pinyin = self.pinyin.strip().capitalize()
        if self.material_latin:
            return f"{self.material_latin} ({pinyin})" if pinyin else self.material_latin
        return pinyin

    def clean(self):
        for low, high in (
            ("yield_min_kg_per_mu", "yield_max_kg_per_mu"),
            ("dry_ratio_min", "dry_ratio_max"),
            ("price_min_per_kg", "price_max_per_kg"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValidationError({high: _("Must not be lower than the lowest value.")})


class Grade(models.Model):
    """A specification and grade (规格等级) of a herb, e.g. 连翘 青翘 统货, 党参 一等."""

    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="grades"
    )
    specification = models.CharField(
        _("specification (规格)"),
        max_length=40,
        blank=True,
        help_text=_("e.g. 青翘 / 老翘; empty when the herb has one."),
    )
    grade = models.CharField(_("grade (等级)"), max_length=40, help_text=_("e.g. 统货, 一等, 二等"))
    name_en = models.CharField(
        _("English name"),
        max_length=80,
        blank=True,
        help_text=_("The specification and grade in English, e.g. selected, grade 1."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["herb__code", "sort_order", "specification", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["herb", "specification", "grade"], name="unique_grade_per_herb"
            )
        ]

    def __str__(self) -> str:
        return f"{self.herb.name} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.specification}·{self.grade}" if self.specification else self.grade

    @property
    def label_shown(self) -> str:
        """The grade's label in the reader's language (its English name on English pages)."""
        return texts.in_language(self.label, self.name_en)

    @property
    def english_name(self) -> str:
        """Herb and grade in English (Codonopsis Radix (Dangshen), grade 1); '' without one."""
        return f"{self.herb.english_name}, {self.name_en}" if self.name_en else ""


class GeographicIndication(models.Model):
    """A geographic indication (地理标志) and the divisions its production area covers."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="indications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=GIKind.choices)
    registration_no = models.CharField(_("registration number"), max_length=40, blank=True)
    holder = models.CharField(_("holder"), max_length=120, blank=True)
    holder_org = models.ForeignKey(
        Organisation,
        verbose_name=_("holder organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    divisions = models.ManyToManyField(
        Division, verbose_name=_("divisions covered"), related_name="indications", blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("geographic indication")
        verbose_name_plural = _("geographic indications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def covers(self, division: Division | None) -> bool:
        """True when ``division`` lies inside one of the covered divisions."""
        if division is None:
            return False
        prefixes = [d.descendant_codes_prefix() for d in self.divisions.all()]
        return any(division.code.startswith(p) for p in prefixes)


class Unit(models.Model):
    """A unit of measure with its factor to the base unit of its dimension (kg, m², piece)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=20)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    factor = models.DecimalField(
        _("factor to base unit"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    uncefact = models.CharField(_("UN/CEFACT code"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["dimension", "factor"]

    def __str__(self) -> str:
        return self.name

    @property
    def english_name(self) -> str:
        """The unit's symbol or English name (kg, jin, m²)."""
        return unit_name(self.code)


class TradeItem(models.Model):
    """A GS1 trade item: herb + grade + pack, identified by a GTIN-14."""

    gtin = models.CharField(_("GTIN"), max_length=14, unique=True)
    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="trade_items"
    )
    grade = models.ForeignKey(
        Grade,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trade_items",
    )
    pack = models.CharField(_("pack"), max_length=60, help_text=_("e.g. 散装, 500 g 袋"))
    pack_en = models.CharField(
        _("pack (English)"), max_length=60, blank=True, help_text=_("e.g. bulk, 500 g bag")
    )
    net_quantity = models.DecimalField(
        _("net quantity"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("trade item")
        verbose_name_plural = _("trade items")
        ordering = ["gtin"]

    def __str__(self) -> str:
        grade = f" {self.grade.label}" if self.grade_id else ""
        return f"{self.herb.name}{grade} {self.pack}"

    @property
    def pack_shown(self) -> str:
        """The pack in the reader's language (its English name on English pages)."""
        return texts.in_language(self.pack, self.pack_en)

    @property
    def english_name(self) -> str:
        """Herb, grade and pack in English where the catalogue has them; '' otherwise."""
        if not self.pack_en:
            return ""
        grade = f", {self.grade.name_en}" if self.grade_id and self.grade.name_en else ""
        return f"{self.herb.english_name}{grade}, {self.pack_en}"

    def clean(self):
        if not gs1.is_valid_key(self.gtin, 14):
            raise ValidationError({"gtin": _("Not a valid GTIN-14 (14 digits with check digit).")})
        if self.grade_id and self.herb_id and self.grade.herb_id != self.herb_id:
            raise ValidationError({"grade": _("This grade belongs to another herb.")})

    @classmethod
    def next_gtin(cls) -> str:
        """The next free GTIN-14 under this deployment's company prefix."""
        prefix = settings.GS1_COMPANY_PREFIX
        taken = cls.objects.filter(gtin__startswith="0" + prefix).count()
        ref = taken + 1
        while cls.objects.filter(gtin=gs1.make_gtin14(prefix, ref)).exists():
            ref += 1
        return gs1.make_gtin14(prefix, ref)
