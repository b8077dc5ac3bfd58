"""Every write of the trace app: capturing documents and single events, keeping named
queries, and recalls. Keyword-only, with an actor, one transaction, audited.

The REST views (``/epcis/``) and the ``daodi capture`` command call these; nothing else
writes captures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core import audit
from daodi.core.actor import Actor
from daodi.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from daodi.orgs import policy
from daodi.orgs.choices import WRITE_ROLES

from . import queries
from . import recall as recall_helpers
from .capture import (
    Outcome,
    OwnEvent,
    capture_document,
    capture_events,
    lock_writers,
    prepare_own,
    store_own,
)
from .epcis import identifiers
from .epcis.hashing import context_prefixes
from .epcis.profile import NAMESPACE
from .models import Capture, Lot, NamedQuery, Recall

ROLLBACK, PROCEED = "rollback", "proceed"


def capturing_organisation(actor: Actor, organisation=None):
    """The organisation events are captured for: the one given (which the actor must be
    allowed to change), else the actor's first organisation with a write role. The system
    and platform administrators may capture for no organisation."""
    if organisation is not None:
        policy.require_write(actor, organisation)
        return organisation
    if actor.is_system:
        return None
    memberships = actor.user.memberships.select_related("organisation").order_by("id")
    for membership in memberships:
        if membership.role in WRITE_ROLES:
            return membership.organisation
    if policy.is_platform_admin(actor.user):
        return None
    raise PermissionDenied(
        _("Capturing events needs an operator or administrator role in an organisation."),
        code="no_capturing_organisation",
    )


def _audit(actor: Actor, outcome: Outcome) -> None:
    row = outcome.capture
    audit.record(
        actor,
        "trace.capture",
        row,
        {
            "status": [None, row.status],
            "events_received": [None, row.events_received],
            "events_stored": [None, row.events_stored],
            "duplicates": [None, outcome.duplicates],
            "errors": [None, len(outcome.errors)],
        },
    )


@transaction.atomic
def capture(
    *,
    actor: Actor,
    fp: IO[bytes],
    proceed: bool = False,
    event_limit: int | None = None,
    organisation=None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Capture an EPCIS document read as a stream from ``fp`` (see ``trace.capture``).

    Records the Capture row with the user and the capturing organisation; invalid events
    do not raise but come back in ``Outcome.errors`` (and, under rollback, store nothing).
    """
    org = capturing_organisation(actor, organisation)
    row = Capture.objects.create(
        organisation=org, user=actor.user, error_behaviour=PROCEED if proceed else ROLLBACK
    )
    outcome = capture_document(
        fp,
        capture=row,
        organisation=org,
        proceed=proceed,
        event_limit=event_limit,
        progress=progress,
    )
    _audit(actor, outcome)
    return outcome


# No savepoint of its own: a refused event comes back in the outcome, having written
# nothing, and anything raised ends the caller's transaction as a whole anyway.
@transaction.atomic(savepoint=False)
def capture_event(*, actor: Actor, event: Any, organisation=None) -> Outcome:
    """Capture one event (``POST /epcis/events``); its own ``@context`` declares its prefixes."""
    org = capturing_organisation(actor, organisation)
    row = Capture.objects.create(organisation=org, user=actor.user, error_behaviour=ROLLBACK)
    prefixes = context_prefixes(event.get("@context")) if isinstance(event, dict) else {}
    outcome = capture_events([(0, event)], capture=row, prefixes=prefixes, organisation=org)
    _audit(actor, outcome)
    return outcome


def prepare_own_event(event: dict, known: dict | None = None, new_lots=frozenset()) -> OwnEvent:
    """One event an action writes, validated, hashed and its places looked up (those not
    ``known``), before the action's transaction: nothing is written. ``new_lots``: the lots
    the action has just numbered. Refused only by a bug: raises then."""
    return prepare_own(event, context_prefixes(event.get("@context")), known, new_lots)


@transaction.atomic(savepoint=False)
def store_own_event(*, organisation, event: OwnEvent) -> int:
    """Store an action's prepared event in the action's transaction; its id. The action
    has required write access to ``organisation`` itself and audits what it did."""
    return store_own(event, organisation=organisation)


def hold_writers_lock() -> None:
    """Take capture's writers' lock for the rest of the current transaction (re-taking it is
    free), for numbering that must not race another writer: the lot batch numbers."""
    lock_writers()


@transaction.atomic
def create_named_query(*, actor: Actor, name: str, parameters: dict) -> NamedQuery:
    """Save a query under a name (``POST /epcis/queries``); its parameters must be valid."""
    from .epcis_rest import query

    if actor.is_system:
        raise PermissionDenied()
    named = NamedQuery(name=name, parameters=parameters, owner=actor.user)
    try:
        named.full_clean(exclude=["owner", "parameters"])  # parameters: checked below
    except ValidationError as exc:
        if NamedQuery.objects.filter(name=name).exists():
            raise Conflict(_("A query named %(name)s exists already.") % {"name": name}) from exc
        raise DomainError(
            _("A query name may hold only letters, digits, '-' and '_' (at most 80)."),
            code="invalid_name",
        ) from exc
    query.parse(query.from_json(parameters))  # QueryParameterError if not a valid query
    named.save()
    audit.record(actor, "trace.create_named_query", named, {"parameters": [None, parameters]})
    return named


@transaction.atomic
def delete_named_query(*, actor: Actor, named_query: NamedQuery) -> None:
    """Remove a named query; only its owner or a platform administrator may."""
    if not (
        actor.is_system
        or policy.is_platform_admin(actor.user)
        or named_query.owner_id == actor.user.pk
    ):
        raise PermissionDenied()
    audit.record(
        actor,
        "trace.delete_named_query",
        named_query,
        {"parameters": [named_query.parameters, None]},
    )
    named_query.delete()


@transaction.atomic
def start_recall(*, actor: Actor, identifier: str, reason: str) -> Recall:
    """Recall ``identifier`` and everything downstream of it; returns the recorded recall.

    Only platform administrators, regulators' platform admins or an organisation holding the
    recalled lot may start one.
    """
    if not reason.strip():
        raise DomainError(
            _("Give the reason for the recall."),
            code="reason_required",
            fields={"reason": [_("This field is required.")]},
        )
    try:
        root = identifiers.canonical(identifier)
    except identifiers.IdentifierError as exc:
        raise DomainError(
            _("Not a valid lot or item identifier."),
            code="bad_identifier",
            fields={"identifier": [str(exc)]},
        ) from exc
    root_lot = Lot.objects.filter(identifier=root).select_related("holder").first()
    if root_lot is None:
        raise NotFound(_("No lot or item with this identifier is known."))
    if not actor.is_system and not policy.is_platform_admin(actor.user):
        policy.require_write(actor, root_lot.holder)
    found = queries.downstream(root)
    reference = recall_helpers.next_reference()
    organisation = (
        root_lot.holder if actor.is_system else recall_helpers.acting_org(actor, root_lot)
    )
    capture = Capture.objects.create(organisation=organisation, user=actor.user)
    events = recall_helpers.recall_events(
        found, reference=reference, reason=reason.strip(), when=timezone.localtime()
    )
    outcome = capture_events(
        enumerate(events),
        capture=capture,
        prefixes={"daodi": NAMESPACE},
        organisation=organisation,
    )
    if outcome.errors:  # our own events: a failure here is a bug, never the user's input
        raise RuntimeError(f"recall events refused: {outcome.errors}")
    fresh = queries.lots([lot.identifier for lot in found])
    recall = Recall.objects.create(
        reference=reference,
        identifier=root,
        reason=reason.strip(),
        organisation=organisation,
        started_by=actor.user,
        capture=capture,
        rows=[recall_helpers.row(fresh[lot.identifier]) for lot in found],
    )
    recall_helpers.write_reports(recall)
    audit.record(
        actor, "recall.start", recall, {"identifier": [None, root], "lots": [None, len(found)]}
    )
    return recall
