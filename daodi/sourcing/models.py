"""The buying network's records: sellers, purchases, dispatches and receipts, commingling,
pallets, losses and geographic-indication claims.

Each record that moves or changes a lot points at the EPCIS event its action wrote in the
same transaction; stock at every node is the trace projection (``trace.Lot``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.models import Reviewed, user_field
from daodi.core.texts import FlagText
from daodi.orgs.models import Organisation, Site
from daodi.trace.epcis import identifiers
from daodi.trace.models import Event

from .choices import (
    ClaimPurpose,
    CorrectionKind,
    DispatchStatus,
    ErrorReason,
    LossReason,
    PaymentMethod,
    PriceUnit,
)

KG = {"max_digits": 14, "decimal_places": 3}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class SellerIdentity(models.Model):
    """A seller's ID-card number, kept only masked (and as a keyed hash, to find it again)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity"
    )
    id_card_masked = models.CharField(_("ID card (masked)"), max_length=18)
    id_card_hash = models.CharField(max_length=64, db_index=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("seller identity")
        verbose_name_plural = _("seller identities")

    def __str__(self) -> str:
        return self.id_card_masked


class Purchase(models.Model):
    """A purchase (收购) at a village point: weights, moisture, price, payment and the lot.

    ``client_key`` is made by the submitting phone; a form sent twice carries the same key
    and finds the purchase already recorded.
    """

    point = models.ForeignKey(
        Organisation,
        verbose_name=_("buying point"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        Organisation, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="sales"
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
    gross_kg = models.DecimalField(_("gross (kg)"), validators=POSITIVE, **KG)
    tare_kg = models.DecimalField(
        _("tare (kg)"), default=Decimal(0), validators=[MinValueValidator(0)], **KG
    )
    net_kg = models.DecimalField(_("net (kg)"), validators=POSITIVE, **KG)
    moisture_pct = models.DecimalField(
        _("moisture (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=POSITIVE)
    price_unit = models.CharField(
        _("price unit"), max_length=4, choices=PriceUnit.choices, default=PriceUnit.KG
    )
    price_per_kg = models.DecimalField(_("price per kg"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    payment_method = models.CharField(
        _("payment method"), max_length=8, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    lot = models.CharField(_("lot"), max_length=255, db_index=True)
    received_lot = models.BooleanField(_("seller's own lot"), default=False)
    client_key = models.CharField(_("submission key"), max_length=64)
    receipt_no = models.CharField(_("receipt number"), max_length=24, unique=True)
    bought_at = models.DateTimeField(_("time"), db_index=True)
    # The purchase's current event: the corrective one once corrected (see Correction).
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    voided = models.BooleanField(_("voided"), default=False)

    owner_path = "point__"

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-bought_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["point", "client_key"], name="one_purchase_per_key")
        ]
        indexes = [models.Index(fields=["point", "bought_at"])]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def owed(self) -> Decimal:
        return self.amount - self.amount_paid


class Dispatch(Reviewed):
    """Lots sent up the network (point → station → hub) and, later, their receipt."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    source = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="dispatches"
    )
    destination = models.ForeignKey(
        Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="arrivals"
    )
    source_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    destination_site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DispatchStatus.choices,
        default=DispatchStatus.IN_TRANSIT,
        db_index=True,
    )
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=40, blank=True)
    flagged = models.BooleanField(_("weight difference flagged"), default=False)
    ship_event = models.ForeignKey(
        Event, verbose_name=_("shipping event"), on_delete=models.PROTECT, related_name="+"
    )
    receive_event = models.ForeignKey(
        Event,
        verbose_name=_("receiving event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    owner_path = "source__"  # the destination manages the source, so it reads it too

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def sent_kg(self) -> Decimal:
        return sum((line.sent_kg for line in self.lines.all()), Decimal(0))


class DispatchLine(FlagText, models.Model):
    """One lot of a dispatch: the weight sent and the weight found on arrival."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="lines")
    lot = models.CharField(_("lot"), max_length=255, db_index=True)
    herb = models.ForeignKey(Herb, on_delete=models.PROTECT, related_name="+", null=True)
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+", null=True)
    sent_kg = models.DecimalField(_("sent (kg)"), **KG)
    received_kg = models.DecimalField(_("received (kg)"), null=True, blank=True, **KG)
    difference_kg = models.DecimalField(_("difference (kg)"), null=True, blank=True, **KG)
    flagged = models.BooleanField(_("flagged"), default=False)
    flag = models.JSONField(_("flag"), null=True, blank=True)  # core.texts: msgid and values

    class Meta:
        ordering = ["dispatch_id", "id"]

    def __str__(self) -> str:
        return self.lot


class Commingling(models.Model):
    """Lots of one herb and grade merged into a new lot (a transformation with its inputs)."""

    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
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
    lot = models.CharField(_("new lot"), max_length=255, unique=True)
    kg = models.DecimalField(_("weight (kg)"), **KG)
    made_at = models.DateTimeField(_("time"))
    inputs = models.JSONField(_("input lots"), default=list)  # [{"lot": …, "kg": "…"}]
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")

    owner_path = "holder__"

    class Meta:
        verbose_name = _("commingling")
        verbose_name_plural = _("comminglings")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return self.lot.rsplit("/10/", 1)[-1]

    def get_inputs_display(self) -> str:
        """The input lots as people read them: lot number and weight (H261114-0001 120 kg)."""

        def number(lot: str) -> str:
            try:
                return identifiers.parse(lot).qualifier("10") or lot
            except identifiers.IdentifierError:
                return lot

        return pgettext("list separator", ", ").join(
            f"{number(str(i.get('lot', '')))} {i.get('kg', '')} kg" for i in self.inputs
        )


class Pallet(models.Model):
    """Bags of lots consolidated onto a pallet with its SSCC (an aggregation)."""

    sscc = models.CharField(_("SSCC"), max_length=18, unique=True)
    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    lots = models.JSONField(_("lots"), default=list)  # [{"lot": …, "kg": "…"}]
    packed_at = models.DateTimeField(_("time"))
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")

    owner_path = "holder__"

    class Meta:
        verbose_name = _("pallet")
        verbose_name_plural = _("pallets")
        ordering = ["-packed_at", "-id"]

    def __str__(self) -> str:
        return self.sscc


class Loss(models.Model):
    """A recorded loss of weight of a lot at a node (sorting, drying in store, weighing)."""

    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.CharField(_("lot"), max_length=255, db_index=True)
    kg = models.DecimalField(_("weight (kg)"), **KG)
    reason = models.CharField(_("loss reason"), max_length=10, choices=LossReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("time"))
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")

    owner_path = "holder__"

    class Meta:
        verbose_name = _("loss")
        verbose_name_plural = _("losses")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lot.rsplit('/', 1)[-1]} −{self.kg} kg"


class GIClaim(models.Model):
    """Weight of a lot sold under a geographic indication (on a label or a listing).

    Accepted only when the lot's whole backward lineage comes from plots in the GI's area
    and the GI's claimed weight stays within the GI-origin weight that entered the chain.
    """

    indication = models.ForeignKey(
        GeographicIndication,
        verbose_name=_("geographic indication"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lot = models.CharField(_("lot"), max_length=255, db_index=True)
    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    kg = models.DecimalField(_("weight (kg)"), validators=POSITIVE, **KG)
    dry_equivalent_kg = models.DecimalField(_("dry-equivalent weight (kg)"), **KG)
    purpose = models.CharField(_("purpose"), max_length=8, choices=ClaimPurpose.choices)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = "holder__"

    class Meta:
        verbose_name = _("GI claim")
        verbose_name_plural = _("GI claims")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.indication} {self.kg} kg"


class Correction(models.Model):
    """A purchase corrected or voided, or a dispatch cancelled: who, when, why and what.

    The event that was wrong stays as it was; ``declaration`` is the EPCIS error
    declaration the action captured for it and ``corrective`` the event that says what
    really happened (none for a void: the purchase did not occur).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    purchase = models.ForeignKey(
        Purchase, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CorrectionKind.choices)
    reason = models.CharField(_("error reason"), max_length=16, choices=ErrorReason.choices)
    note = models.CharField(_("why"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}
    declaration = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrective = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = user_field(_("by"))
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each change, vocabulary words by their names."""
        words = {"price_unit": PriceUnit, "payment_method": PaymentMethod}
        rows = []
        for name, (old, new) in self.changes.items():
            field = Purchase._meta.get_field(name)
            if name in words:
                labels = dict(words[name].choices)
                old, new = labels.get(old, old), labels.get(new, new)
            rows.append((str(field.verbose_name), str(old), str(new)))
        return rows


class Packing(models.Model):
    """A packing run (分装赋码): ``count`` serialised retail items of a trade item packed
    from a lot, and the items aggregated ``per_case`` to a case with its SSCC.

    Its events are a packing transformation (the lot's weight in, the items' SGTINs out)
    and one aggregation per case; ``items`` and ``cases`` keep what they named.
    """

    holder = models.ForeignKey(
        Organisation, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(_("lot packed"), max_length=255, db_index=True)
    trade_item = models.ForeignKey(
        TradeItem, verbose_name=_("trade item"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(_("items"))
    per_case = models.PositiveIntegerField(_("items per case"), default=0)
    kg = models.DecimalField(_("weight packed (kg)"), **KG)
    items = models.JSONField(_("items"), default=list)  # SGTIN Digital Links, in serial order
    cases = models.JSONField(_("cases"), default=list, blank=True)  # SSCCs, in packing order
    packed_at = models.DateTimeField(_("time"))
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")

    owner_path = "holder__"

    class Meta:
        verbose_name = _("packing run")
        verbose_name_plural = _("packing runs")
        ordering = ["-packed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trade_item.herb.name} × {self.count}"

    @property
    def lot_number(self) -> str:
        return self.lot.rsplit("/10/", 1)[-1]

    @property
    def serials(self) -> str:
        """The first and last serial numbers of the run."""
        if not self.items:
            return ""
        first, last = (i.rsplit("/21/", 1)[-1] for i in (self.items[0], self.items[-1]))
        return first if first == last else f"{first} – {last}"
