"""Plots, GACP farm records, harvests and primary processing.

Each record that changes or describes a lot points at the EPCIS event its action wrote
in the same transaction (DESIGN §1); the lot's current state is the trace projection.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from daodi.catalog.models import GeographicIndication, Grade, Herb
from daodi.core.models import Reviewed
from daodi.core.texts import FlagText
from daodi.orgs.choices import DivisionLevel, OrgKind
from daodi.orgs.models import Division, Organisation, Site
from daodi.trace.models import Event

from . import geo
from .choices import DryingMethod, HarvestMethod, ProcessKind, RecordKind

GROWER_KINDS = (OrgKind.HOUSEHOLD, OrgKind.COOPERATIVE)
KG = {"max_digits": 14, "decimal_places": 3, "validators": [MinValueValidator(Decimal("0.01"))]}


class Plot(models.Model):
    """A plot (地块) of a household or co-operative, growing one herb.

    Its place in events is its site's GLN (an SGLN): harvests name it in their ILMD, so the
    trace page and GI checks find the plot from any lot made from it. Whether it lies in a
    geographic indication's area is derived from its village, never typed in.
    """

    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="plots"
    )
    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="plot"
    )
    name = models.CharField(_("name"), max_length=60)
    village = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="plots"
    )
    geometry = models.JSONField(
        _("location (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_(
            'A GeoJSON Point or Polygon, e.g. {"type": "Point", "coordinates": [113.4, 36.2]}.'
        ),
    )
    area_mu = models.DecimalField(
        _("area (亩)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="plots"
    )
    variety = models.CharField(_("variety"), max_length=60, blank=True)
    year_planted = models.PositiveSmallIntegerField(
        _("year planted"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    gap_base = models.BooleanField(_("GAP base (GAP 基地)"), default=False)
    gap_certificate = models.CharField(_("GAP certificate"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "holder__"

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["holder_id", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.holder_id and self.holder.kind not in GROWER_KINDS:
            errors["holder"] = _("A plot belongs to a grower household or a co-operative.")
        if self.village_id and self.village.level != DivisionLevel.VILLAGE:
            errors["village"] = _("Choose a village.")
        if self.geometry not in (None, "", {}):
            problem = geo.problem(self.geometry)
            if problem:
                errors["geometry"] = problem
        if self.gap_base and not self.gap_certificate.strip():
            errors["gap_certificate"] = _("A GAP base needs its certificate number.")
        if errors:
            raise ValidationError(errors)

    @property
    def gln(self) -> str:
        return self.site.gln or ""

    def indications(self) -> list[GeographicIndication]:
        """The geographic indications of this plot's herb whose area holds its village."""
        found = GeographicIndication.objects.filter(herb_id=self.herb_id).prefetch_related(
            "divisions"
        )
        return [gi for gi in found if gi.covers(self.village)]

    @property
    def gi_text(self) -> str:
        names = [gi.name for gi in self.indications()]
        return "、".join(names) if names else str(_("Outside any GI area"))


class BannedPesticide(models.Model):
    """A pesticide that must not be used on medicinal herbs (editable reference data).

    The starting list is ChP 2020 通则 0212's 33 pesticides; platform administrators keep
    it current. ``aliases`` holds other names and trade names, one per line.
    """

    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    aliases = models.TextField(_("other names"), blank=True, help_text=_("One per line."))
    loq_mg_per_kg = models.DecimalField(
        _("LOQ (mg/kg)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("banned pesticide")
        verbose_name_plural = _("banned pesticides")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        """Every spelling it is known by: the name, the English name ("HCH (BHC)" gives
        both) and the aliases."""
        english = re.split(r"[()/,;]", self.name_en)
        aliases = self.aliases.splitlines()
        return [self.name, *(n.strip() for n in english + aliases if n.strip())]


class FarmRecord(models.Model):
    """One GACP record of a plot: seed source, sowing, inputs, irrigation, inspection, photo."""

    plot = models.ForeignKey(
        Plot, verbose_name=_("plot"), on_delete=models.PROTECT, related_name="records"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    date = models.DateField(_("date"))
    operator = models.CharField(_("operator"), max_length=60, blank=True)
    # Seed and seedling source: a lot of ours, or a supplier with their batch.
    seed_lot = models.CharField(_("seed lot (ours)"), max_length=255, blank=True)
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    supplier_batch = models.CharField(_("supplier batch"), max_length=60, blank=True)
    variety = models.CharField(_("variety"), max_length=60, blank=True)
    # Fertiliser and pesticide use.
    product = models.CharField(_("product"), max_length=120, blank=True)
    active_ingredient = models.CharField(_("active ingredient"), max_length=120, blank=True)
    dose = models.CharField(_("dose"), max_length=60, blank=True)
    area_mu = models.DecimalField(
        _("area treated (亩)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    pre_harvest_interval_days = models.PositiveSmallIntegerField(
        _("pre-harvest interval (days)"), null=True, blank=True
    )
    # Irrigation.
    water_m3 = models.DecimalField(
        _("water (m³)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    method = models.CharField(_("method"), max_length=60, blank=True)
    # Inspection and notes.
    findings = models.TextField(_("findings"), blank=True)
    # The stored file's name (media storage); the action checks it is an image.
    photo = models.CharField(_("photo"), max_length=200, blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "plot__holder__"

    class Meta:
        verbose_name = _("farm record")
        verbose_name_plural = _("farm records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["plot", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.plot} {self.get_kind_display()} {self.date}"

    def photo_link(self):
        """The photo as a thumbnail that opens the picture (on the record's page)."""
        if not self.photo:
            return None
        url = default_storage.url(self.photo)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" '
            'class="img-thumbnail" style="max-height: 12rem" data-testid="photo"></a>',
            url,
            url,
            self.get_kind_display(),
        )

    def clean(self):
        errors = {}
        need = {
            RecordKind.SEED_SOURCE: (),
            RecordKind.FERTILISER: ("product",),
            RecordKind.PESTICIDE: ("product", "dose", "pre_harvest_interval_days"),
            RecordKind.INSPECTION: ("findings",),
            RecordKind.PHOTO: ("photo",),
        }.get(self.kind, ())
        for name in need:
            if getattr(self, name) in (None, ""):
                errors[name] = _("Required for this kind of record.")
        if self.kind == RecordKind.SEED_SOURCE and not (self.seed_lot or self.supplier):
            errors["supplier"] = _("Name the supplier, or the seed lot of ours.")
        if self.area_mu is not None and self.plot_id and self.area_mu > self.plot.area_mu:
            errors["area_mu"] = _("Larger than the plot (%(area)s 亩).") % {
                "area": self.plot.area_mu
            }
        if errors:
            raise ValidationError(errors)


class Harvest(FlagText, Reviewed):
    """A harvest (采收) from one or more plots of one holder: it makes a lot (fresh weight)."""

    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    plots = models.ManyToManyField(Plot, verbose_name=_("plots"), related_name="harvests")
    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.ForeignKey(
        Grade,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    harvested_on = models.DateField(_("harvest date"))
    fresh_kg = models.DecimalField(_("fresh weight (kg)"), **KG)
    herb_age_years = models.PositiveSmallIntegerField(
        _("herb age (years)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    method = models.CharField(
        _("method"), max_length=10, choices=HarvestMethod.choices, default=HarvestMethod.HAND
    )
    lot = models.CharField(_("lot"), max_length=255, unique=True)
    yield_kg_per_mu = models.DecimalField(
        _("yield (kg/亩)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    flagged = models.BooleanField(_("flagged for review"), default=False)
    flag = models.JSONField(_("flag"), null=True, blank=True)  # core.texts: msgid and values
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "holder__"

    class Meta:
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")
        ordering = ["-harvested_on", "-id"]

    def __str__(self) -> str:
        return f"{self.herb} {self.harvested_on} {self.batch}"

    @property
    def batch(self) -> str:
        return self.lot.rsplit("/10/", 1)[-1]


class Processing(FlagText, Reviewed):
    """Primary processing at origin: input lots become output lots (a transformation).

    The declaration of no sulphur fumigation, dyeing or weighting (无硫熏、无染色、无增重)
    is recorded with the run; the fresh-to-dry ratio is checked against the herb's range.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ProcessKind.choices)
    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    herb = models.ForeignKey(
        Herb, verbose_name=_("herb"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.ForeignKey(
        Grade,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    method = models.CharField(
        _("drying method"), max_length=10, choices=DryingMethod.choices, blank=True
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    sensor_readings = models.JSONField(
        _("sensor readings"),
        default=list,
        blank=True,
        help_text=_('[{"time": "2026-09-01T08:00:00+08:00", "temperature": 55.0, "humidity": 30}]'),
    )
    input_kg = models.DecimalField(_("input weight (kg)"), **KG)
    output_kg = models.DecimalField(_("output weight (kg)"), **KG)
    ratio = models.DecimalField(_("input:output ratio"), max_digits=6, decimal_places=2)
    no_sulphur = models.BooleanField(_("no sulphur fumigation"), default=False)
    no_dye = models.BooleanField(_("no dyeing"), default=False)
    no_weighting = models.BooleanField(_("no weighting agents"), default=False)
    flagged = models.BooleanField(_("flagged for review"), default=False)
    flag = models.JSONField(_("flag"), null=True, blank=True)  # core.texts: msgid and values
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "holder__"

    class Meta:
        verbose_name = _("processing run")
        verbose_name_plural = _("processing runs")
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.finished_at:%Y-%m-%d} {self.herb}"

    @property
    def declared_clean(self) -> bool:
        return self.no_sulphur and self.no_dye and self.no_weighting


class ProcessingLot(models.Model):
    """One input or output lot of a processing run, with its weight."""

    processing = models.ForeignKey(Processing, on_delete=models.CASCADE, related_name="lots")
    is_output = models.BooleanField(_("output"), default=False)
    lot = models.CharField(_("lot"), max_length=255, db_index=True)
    kg = models.DecimalField(_("weight (kg)"), **KG)

    class Meta:
        verbose_name = _("processing lot")
        verbose_name_plural = _("processing lots")
        ordering = ["processing_id", "is_output", "id"]

    def __str__(self) -> str:
        return self.lot
