"""Reviewing flagged records (复核): a harvest with an implausible yield, a drying run with
an implausible ratio, an arrival short beyond its tolerance.

A flag is raised by the action that records the business fact, which is never refused
for it; someone of the organisation above then looks at it and says what they found: the
point for its growers, the station for its points, the hub for its stations (an
organisation nobody manages, the hub or an independent processor, reviews its own). Never
the person who recorded the flagged record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.orgs import policy

from . import records
from .actor import Actor
from .errors import Conflict, DomainError, PermissionDenied
from .models import AuditEntry


def reviewer_of(organisation):
    """The organisation whose people review ``organisation``'s flags: the one that manages
    it, or itself at the top of the network."""
    return organisation.managed_by if organisation.managed_by_id else organisation


def recorded_by(record):
    """The user who recorded ``record`` (its audit entry), None for the system."""
    entry = (
        AuditEntry.objects.filter(
            action=f"{record._meta.model_name}.create", target_id=str(record.pk)
        )
        .order_by("id")
        .first()
    )
    return entry.actor_id if entry is not None else None


def can_review(user, record, organisation) -> bool:
    return (
        bool(getattr(record, "flagged", False))
        and record.reviewed_at is None
        and policy.can_write_org(user, reviewer_of(organisation))
        and recorded_by(record) != user.pk
    )


@transaction.atomic
def review(actor: Actor, record, organisation, note: str):
    """Mark ``record`` (flagged, of ``organisation``) reviewed, with what was found."""
    policy.require_write(actor, reviewer_of(organisation))
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if not record.flagged:
        raise Conflict(_("%(record)s carries no flag to review.") % {"record": record},
                       code="not_flagged")  # fmt: skip
    if record.reviewed_at is not None:
        raise Conflict(
            _("%(record)s was reviewed already, on %(day)s.")
            % {"record": record, "day": timezone.localtime(record.reviewed_at).date()},
            code="reviewed_already",
        )
    if actor.user is not None and recorded_by(record) == actor.user.pk:
        raise PermissionDenied(
            _("A flag is reviewed by someone other than who recorded the record."),
            code="own_record",
        )
    note = (note or "").strip()
    if not note:
        message = _("Say what the review found.")
        raise DomainError(message, code="validation_failed", fields={"note": [message]})
    return records.update(
        actor,
        record,
        reviewed_at=timezone.now(),
        reviewed_by=actor.user,
        review_note=note[:300],
    )
