"""The EPCIS event store, its identifier index, capture jobs and the projection of lots.

Events are append-only: never updated, never deleted. A mistake is corrected by capturing
the event again with an ``errorDeclaration`` plus a corrective event (EPCIS 2.0 §7.4.1.4).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daodi.catalog.models import Grade, Herb
from daodi.catalog.units import unit_name
from daodi.core.models import user_field
from daodi.orgs.models import Organisation, Site

from . import places, vocabulary
from .choices import CaptureStatus, IdentifierRole, LotStatus


class Capture(models.Model):
    """One capture request (a document or a single event) and its outcome."""

    capture_id = models.UUIDField(_("capture ID"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("capturing organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = user_field(_("user"))
    status = models.CharField(
        _("status"), max_length=10, choices=CaptureStatus.choices, default=CaptureStatus.RUNNING
    )
    error_behaviour = models.CharField(_("error behaviour"), max_length=10, default="rollback")
    events_received = models.PositiveIntegerField(_("events received"), default=0)
    events_stored = models.PositiveIntegerField(_("events stored"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.capture_id)


class Event(models.Model):
    """One EPCIS event: the full JSON-LD document plus the typed columns queries filter on.

    ``event_hash`` is the CBV 2.0 event hash; with ``is_declaration`` it identifies a stored
    event, so capturing the same event twice stores nothing new while an error declaration
    (the same event re-captured with ``errorDeclaration``) is kept beside the original.
    """

    event_id = models.CharField(_("event ID"), max_length=255)
    event_hash = models.CharField(_("event hash"), max_length=100)
    is_declaration = models.BooleanField(_("error declaration"), default=False)
    event_type = models.CharField(_("event type"), max_length=24)
    event_time = models.DateTimeField(_("event time"))
    record_time = models.DateTimeField(_("record time"))
    action = models.CharField(pgettext_lazy("EPCIS", "action"), max_length=8, blank=True)
    biz_step = models.CharField(_("business step"), max_length=200, blank=True)
    disposition = models.CharField(_("disposition"), max_length=200, blank=True)
    read_point = models.CharField(_("read point"), max_length=200, blank=True)
    biz_location = models.CharField(_("business location"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("capturing organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (organisation, event_time) index serves it
    )
    # Unindexed: no query starts from a capture job, and every index costs each capture.
    capture = models.ForeignKey(
        Capture,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    document = models.JSONField(_("event"))

    class Meta:
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")
        constraints = [
            models.UniqueConstraint(
                fields=["event_hash", "is_declaration"], name="one_event_per_hash"
            )
        ]
        # Each index is written for every captured event: only those queries need. Plain
        # Index rather than db_index, which adds a LIKE index on PostgreSQL nobody uses.
        indexes = [
            models.Index(fields=["event_id"]),
            models.Index(fields=["event_time", "id"]),
            models.Index(fields=["record_time", "id"]),
            models.Index(fields=["biz_step", "event_time"]),
            models.Index(fields=["biz_location", "event_time"]),
            models.Index(fields=["read_point", "event_time"]),
            models.Index(fields=["organisation", "event_time"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_time:%Y-%m-%d %H:%M} {self.biz_step}"


class EventIdentifier(models.Model):
    """The identifier index: which identifiers an event names, and in which role.

    Identifiers are stored in one canonical form (EPC URN and Digital Link match as one);
    lineage is a recursive query over this table.
    """

    # (event, role) serves lookups by event: no index of its own. No database constraint
    # either: capture writes these rows with the ids of the events it has just inserted, and
    # a per-row check at commit doubled its cost on PostgreSQL (see Lot).
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="identifiers",
        db_index=False,
        db_constraint=False,
    )
    identifier = models.CharField(max_length=255)
    role = models.CharField(max_length=12, choices=IdentifierRole.choices)

    class Meta:
        indexes = [
            models.Index(fields=["identifier", "role"]),
            models.Index(fields=["event", "role"]),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.role})"


class Lot(models.Model):
    """The current state of a lot or serialised item: a projection of its events, updated in
    the transaction that captures each event.

    No foreign key here is a database constraint: only the projector writes these rows,
    with ids it has just read or written in the same transaction, and PostgreSQL's check of
    each key of each row at commit took as long as writing the rows. Deletes still honour
    ``on_delete``, which Django enforces itself.
    """

    identifier = models.CharField(_("identifier"), max_length=255)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    batch = models.CharField(_("batch/lot"), max_length=20, blank=True)
    serial = models.CharField(_("serial"), max_length=20, blank=True)
    herb = models.ForeignKey(
        Herb,
        verbose_name=_("herb"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    grade = models.ForeignKey(
        Grade,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=8, blank=True)
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
        db_constraint=False,
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
        db_constraint=False,
    )
    location = models.CharField(_("business location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LotStatus.choices,
        default=LotStatus.ACTIVE,
    )
    disposition = models.CharField(_("disposition"), max_length=200, blank=True)
    status_reason = models.CharField(_("hold or recall reason"), max_length=300, blank=True)
    # Capture writes a lot row per serialised item and rewrites it at each event: the event
    # links and the grade are not searched by, so they carry no index (and an update that
    # changes no indexed column stays a cheap in-place one on PostgreSQL).
    first_event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    last_event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    owner_path = "holder__"

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-id"]  # newest first in lists
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="one_lot_per_identifier")
        ]
        indexes = [models.Index(fields=["gtin"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.identifier

    @property
    def number(self) -> str:
        """What a person calls the lot: its batch number (and serial), else its identifier."""
        if not self.batch:
            return self.serial or self.identifier
        return f"{self.batch} · {self.serial}" if self.serial else self.batch

    @cached_property
    def blocks(self) -> list:
        """What stops this lot from being used, itself or through its inputs
        (``trace.usability``); a list page fills it in for its rows at once."""
        from .usability import blocking_inputs

        return blocking_inputs(self)

    @property
    def effective_status(self) -> str:
        """The status with what it inherits from the lots it was made from."""
        from .usability import effective_status

        return effective_status(self, self.blocks)

    def get_effective_status_display(self) -> str:
        from .usability import KIND_LABELS

        status = self.effective_status
        if status in KIND_LABELS:
            return str(KIND_LABELS[status])
        return str(LotStatus(status).label) if status in LotStatus.values else status

    # Codes of the events, named as people read them (the generic pages call these).
    def get_unit_display(self) -> str:
        return unit_name(self.unit)

    def get_disposition_display(self) -> str:
        return vocabulary.name(self.disposition)

    def get_location_display(self) -> str:
        return places.name(self.location)


class NamedQuery(models.Model):
    """A saved EPCIS query (``POST /epcis/queries``) run later by name."""

    name = models.SlugField(_("name"), max_length=80, unique=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("named query")
        verbose_name_plural = _("named queries")

    def __str__(self) -> str:
        return self.name


class Recall(models.Model):
    """A recall of one lot or item and everything made from it (状态: recalled everywhere)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    identifier = models.CharField(_("recalled identifier"), max_length=255)
    reason = models.TextField(_("recall reason"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_by = user_field(_("started by"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows = models.JSONField(_("recalled lots and items"), default=list)
    report_pdf = models.FileField(_("report (PDF)"), upload_to="recalls/", blank=True)
    report_xlsx = models.FileField(_("report (XLSX)"), upload_to="recalls/", blank=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.reference
