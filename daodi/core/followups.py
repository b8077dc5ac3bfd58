"""A regulator's follow-up of findings: acknowledge, notify the organisation, close with a note.

A finding is named by its kind (``FollowUpKind``) and a key the kind's owner understands: a
refused attempt's id, a dispatch's id, a certificate's id, ``GI|lot`` for a GI violation,
``node|herb`` for an imbalance. The app that owns the records registers, for its kinds, a
resolver from key to ``Finding`` (what it is about, the organisation concerned, its page),
so the regulator's click cannot name an organisation the record does not. A finding without a
``FollowUp`` row is open; the first step writes the row.

open → acknowledged → notified (the organisation reads the notice in the app) → closed.
A step may be skipped forward (notify an open finding; close without notifying), never back.
Every step is audited; only regulators and platform administrators take them, and only the
members of the notified organisation mark the notice read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from daodi.orgs import policy

from . import records
from .actor import Actor
from .choices import FollowUpKind, FollowUpStatus
from .errors import Conflict, DomainError, NotFound, PermissionDenied
from .models import FollowUp

ORDER = [
    FollowUpStatus.OPEN,
    FollowUpStatus.ACKNOWLEDGED,
    FollowUpStatus.NOTIFIED,
    FollowUpStatus.CLOSED,
]


@dataclass(frozen=True)
class Finding:
    """What a follow-up is about, as its owning app resolves the key."""

    subject: str
    organisation: object  # an orgs.Organisation, or None when nobody is concerned
    url: str = ""


_RESOLVERS: dict[str, Callable[[str], Finding | None]] = {}


def register(kind: str, resolver: Callable[[str], Finding | None]) -> None:
    """Called from an app's ``ready()``: how keys of ``kind`` name their records."""
    _RESOLVERS[kind] = resolver


def resolve(kind: str, key: str) -> Finding | None:
    resolver = _RESOLVERS.get(kind)
    return resolver(key) if resolver is not None and key else None


def may_follow_up(user) -> bool:
    return policy.reads_everything(user)


def follow_up_url(user, kind: str, record, applies: bool = True) -> str:
    """The follow-up page of a record that is a finding, for those who follow up; else ""."""
    if not applies or not may_follow_up(user):
        return ""
    return f"{reverse('followup_detail')}?{urlencode({'kind': kind, 'key': record.pk})}"


def closed_keys(kind: str) -> set[str]:
    """Keys of ``kind`` whose follow-up is closed (one query): the rest are still to do."""
    return set(
        FollowUp.objects.filter(kind=kind, status=FollowUpStatus.CLOSED).values_list(
            "key", flat=True
        )
    )


def received(user):
    """Notices sent to the organisations the user belongs to (or manages), newest first."""
    return policy.scope(
        FollowUp.objects.filter(notified_at__isnull=False).select_related("organisation"), user
    ).order_by("-notified_at", "-id")


def _row(actor: Actor, kind: str, key: str) -> FollowUp:
    """The finding's follow-up, locked, created open when it has none yet."""
    if not (actor.is_system or may_follow_up(actor.user)):
        raise PermissionDenied()
    if kind not in FollowUpKind.values:
        raise DomainError(_("Unknown kind of finding."), code="unknown_kind")
    existing = FollowUp.objects.select_for_update().filter(kind=kind, key=key).first()
    if existing is not None:
        return existing
    finding = resolve(kind, key)
    if finding is None:
        raise NotFound()
    return records.create(
        actor,
        FollowUp,
        kind=kind,
        key=key,
        subject=str(finding.subject)[:300],
        organisation=finding.organisation,
    )


def _advance(actor: Actor, follow_up: FollowUp, status: str, **fields) -> FollowUp:
    if ORDER.index(follow_up.status) >= ORDER.index(status):
        raise Conflict(
            _("This finding is already %(status)s.") % {"status": follow_up.get_status_display()},
            code="follow_up_done",
        )
    return records.update(actor, follow_up, status=status, **fields)


@transaction.atomic
def acknowledge(*, actor: Actor, kind: str, key: str) -> FollowUp:
    """The regulator has seen the finding and takes it up."""
    follow_up = _row(actor, kind, key)
    return _advance(
        actor,
        follow_up,
        FollowUpStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=actor.user,
    )


@transaction.atomic
def notify(*, actor: Actor, kind: str, key: str, message: str) -> FollowUp:
    """Send the organisation concerned a notice about the finding (shown on its home)."""
    follow_up = _row(actor, kind, key)
    message = (message or "").strip()
    if not message:
        raise DomainError(
            _("Write what the organisation should do."),
            code="required",
            fields={"message": [_("This field is required.")]},
        )
    if follow_up.organisation_id is None:
        raise Conflict(_("No organisation is concerned by this finding."), code="nobody")
    now = timezone.now()
    return _advance(
        actor,
        follow_up,
        FollowUpStatus.NOTIFIED,
        message=message,
        notified_at=now,
        notified_by=actor.user,
        acknowledged_at=follow_up.acknowledged_at or now,
        acknowledged_by=follow_up.acknowledged_by or actor.user,
    )


@transaction.atomic
def close(*, actor: Actor, kind: str, key: str, note: str) -> FollowUp:
    """Close the finding, saying how it was settled."""
    follow_up = _row(actor, kind, key)
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Say how the finding was settled."),
            code="required",
            fields={"note": [_("This field is required.")]},
        )
    return _advance(
        actor,
        follow_up,
        FollowUpStatus.CLOSED,
        note=note,
        closed_at=timezone.now(),
        closed_by=actor.user,
    )


@transaction.atomic
def mark_read(*, actor: Actor, follow_up: FollowUp) -> FollowUp:
    """A member of the notified organisation has read the notice."""
    if not actor.is_system and not received(actor.user).filter(pk=follow_up.pk).exists():
        raise NotFound()
    if follow_up.organisation_id is not None:
        policy.require_write(actor, follow_up.organisation)
    if follow_up.read_at is not None:
        return follow_up
    return records.update(actor, follow_up, read_at=timezone.now())
