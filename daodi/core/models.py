"""The audit log and the log of refused attempts, shared by every app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import FollowUpKind, FollowUpStatus


def user_field(verbose_name) -> models.ForeignKey:
    """Who did something (created, approved, took, started …): a user, left empty if the
    account is deleted (the audit log keeps who it was)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class AuditEntry(models.Model):
    """One audited write: who did what to which record, with old and new values."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = user_field(_("actor"))
    channel = models.CharField(_("channel"), max_length=10)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("record type"), max_length=80)
    target_id = models.CharField(_("record id"), max_length=64)
    target_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class Counter(models.Model):
    """A running number per key (lot batches of one GTIN and day, say): see ``core.numbers``.

    Internal bookkeeping, shown nowhere (hence no translated names).
    """

    key = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class Reviewed(models.Model):
    """The review (复核) of a record flagged for it: who looked at the flag, when, and what
    they found. A flag stays on the record; the review says it was dealt with."""

    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = user_field(_("reviewed by"))
    review_note = models.CharField(_("review"), max_length=300, blank=True)

    class Meta:
        abstract = True


class Refusal(models.Model):
    """An attempt a compliance rule refused (a banned pesticide, a harvest inside a
    pre-harvest interval, a GI claim beyond its lineage or weight): nothing of it was
    recorded, so regulators see here that it was tried, by whom and for what."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = user_field(_("actor"))
    channel = models.CharField(_("channel"), max_length=10)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code = models.CharField(_("rule"), max_length=40, db_index=True)
    subject = models.CharField(_("about"), max_length=200, blank=True)
    message = models.TextField(_("refusal reason"))

    class Meta:
        verbose_name = _("refused attempt")
        verbose_name_plural = _("refused attempts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.subject}"


class FollowUp(models.Model):
    """A regulator's follow-up of one finding (a refused attempt, a GI violation, a
    mass-balance imbalance, a flagged dispatch, an out-of-specification result), keyed on the
    finding's kind and its key: acknowledged, the organisation concerned notified in the
    app, then closed with a note. A finding without a row is open."""

    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    key = models.CharField(_("record"), max_length=255)
    subject = models.CharField(_("about"), max_length=300)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    message = models.TextField(_("notice to the organisation"), blank=True)
    note = models.TextField(_("closing note"), blank=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = user_field(_("acknowledged by"))
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    notified_by = user_field(_("notified by"))
    read_at = models.DateTimeField(_("read by the organisation"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = user_field(_("closed by"))

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="one_follow_up_per_finding")
        ]

    def __str__(self) -> str:
        return self.subject
