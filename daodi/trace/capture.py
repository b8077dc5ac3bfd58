"""Capturing EPCIS documents into the event store.

Each event is validated, normalised, hashed (CBV 2.0 event hash), de-duplicated, written
with its identifier index rows and projected onto the lots it names — in batches, with bulk
inserts, inside one transaction per document. ``rollback`` (the default capture error
behaviour) stores nothing when any event is invalid; ``proceed`` stores the valid events and
reports the others.

Writers are serialised (an advisory lock on PostgreSQL; SQLite has one writer anyway), so
event ids grow in commit order and keyset paging over them is a stable snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from . import projection, projector
from .choices import CaptureStatus
from .epcis import hashing, identifiers, validation
from .epcis.document import DocumentError, DocumentReader
from .models import Capture, Event, EventIdentifier

BATCH = 1000
_LOCK_KEY = 0x0DA0D1  # the PostgreSQL advisory lock that serialises event writers


@dataclass
class Prepared:
    """One valid event, ready to insert."""

    index: int
    row: Event
    identifiers: list[tuple[str, str]]
    document: dict


@dataclass
class Outcome:
    """What a capture did: events stored, duplicates skipped, errors per event."""

    capture: Capture
    stored: list[Event] = field(default_factory=list)
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)


class _Rollback(Exception):
    """Raised inside the capture transaction to store nothing."""


def _lock_writers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def prepare(
    event: Any, index: int, prefixes: dict, ignore: Iterable[str] = ()
) -> Prepared | list[validation.EventError]:
    """Validate one event and build its row; the errors instead when it is invalid."""
    errors = validation.validate_event(event, prefixes, index)
    if errors:
        return errors
    event_hash = hashing.event_hash(event, prefixes, ignore)
    normalised = validation.normalise_event(event, prefixes)
    doc = normalised.event
    # The event is kept as it was sent (outside systems get back what they gave us), with
    # the context its prefixes need; typed columns and the index hold the canonical forms.
    stored = {"@context": doc["@context"], **{k: v for k, v in event.items() if k != "@context"}}
    stored.setdefault("eventID", event_hash)
    row = Event(
        event_id=stored["eventID"],
        event_hash=event_hash,
        is_declaration="errorDeclaration" in doc,
        event_type=doc["type"],
        event_time=_parse_time(doc["eventTime"]),
        action=doc.get("action", ""),
        biz_step=doc.get("bizStep", ""),
        disposition=doc.get("disposition", ""),
        read_point=(doc.get("readPoint") or {}).get("id", ""),
        biz_location=(doc.get("bizLocation") or {}).get("id", ""),
        document=stored,
    )
    return Prepared(index, row, normalised.identifiers, doc)


def _store(batch: list[Prepared], outcome: Outcome, organisation, record_time) -> None:
    """Insert one batch: skip duplicates, write events and index rows, project the lots."""
    keys = {(p.row.event_hash, p.row.is_declaration) for p in batch}
    existing = set(
        Event.objects.filter(event_hash__in={k[0] for k in keys}).values_list(
            "event_hash", "is_declaration"
        )
    )
    fresh, seen = [], set()
    for p in batch:
        key = (p.row.event_hash, p.row.is_declaration)
        if key in existing or key in seen:
            outcome.duplicates += 1
            continue
        seen.add(key)
        p.row.record_time = record_time
        p.row.organisation = organisation
        p.row.capture = outcome.capture
        p.row.document["recordTime"] = record_time.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        )
        fresh.append(p)
    if not fresh:
        return
    rows = Event.objects.bulk_create([p.row for p in fresh], batch_size=BATCH)
    _insert_identifiers(
        [
            (row.pk, ident, role)
            for p, row in zip(fresh, rows, strict=True)
            for role, ident in p.identifiers
        ]
    )
    projector.apply(
        [
            (row, projection.changes(p.document, identifiers.normalise))
            for p, row in zip(fresh, rows, strict=True)
        ],
        organisation,
    )
    outcome.stored.extend(rows)


def _insert_identifiers(rows: list[tuple[int, str, str]]) -> None:
    """Insert identifier index rows with one prepared statement.

    An event names fifteen identifiers on average (a case of bags), so building a model
    instance per row made the ORM's bulk_create the largest cost of capture; these rows
    need no defaults or signals (docs/benchmarks.md).
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(EventIdentifier._meta.db_table)} "
        f"({qn('event_id')}, {qn('identifier')}, {qn('role')}) VALUES (%s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def capture_events(
    events: Iterable[tuple[int, Any]],
    *,
    capture: Capture,
    prefixes: dict | None = None,
    ignore: Iterable[str] = (),
    organisation=None,
    proceed: bool = False,
    event_limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Capture (index, event) pairs into the store in one transaction (see module docstring).

    Raises nothing for invalid events: they are reported in ``Outcome.errors``; under
    ``rollback`` (``proceed=False``) any error leaves the store untouched.
    """
    outcome = Outcome(capture=capture)
    prefixes = prefixes or {}
    ignore = list(ignore)
    received = 0
    try:
        with transaction.atomic():
            _lock_writers()
            record_time = timezone.now()
            batch: list[Prepared] = []
            for index, event in events:
                received += 1
                if event_limit is not None and received > event_limit:
                    outcome.errors.append(
                        {
                            "event": index,
                            "path": "",
                            "code": "capture_limit",
                            "message": f"more than {event_limit} events",
                        }
                    )
                    raise _Rollback
                prepared = prepare(event, index, prefixes, ignore)
                if isinstance(prepared, list):
                    outcome.errors.extend(e.as_dict() for e in prepared)
                    continue
                if outcome.errors and not proceed:
                    continue  # keep validating to report every error; nothing will be stored
                batch.append(prepared)
                if len(batch) >= BATCH:
                    _store(batch, outcome, organisation, record_time)
                    batch = []
                    if progress:
                        progress(received)
            if outcome.errors and not proceed:
                raise _Rollback
            _store(batch, outcome, organisation, record_time)
            if progress:
                progress(received)
    except _Rollback:
        outcome.stored = []
        outcome.duplicates = 0
    capture.events_received = received
    capture.events_stored = len(outcome.stored)
    capture.errors = outcome.errors
    capture.status = (
        CaptureStatus.FAILED if outcome.errors and not proceed else CaptureStatus.SUCCESS
    )
    capture.finished_at = timezone.now()
    capture.save()
    return outcome


def capture_document(
    fp: IO[bytes],
    *,
    capture: Capture,
    organisation=None,
    proceed=False,
    event_limit=None,
    progress=None,
) -> Outcome:
    """Capture an EPCIS document read as a stream from a binary file object."""
    reader = DocumentReader(fp)
    try:
        header_errors = validation.validate_header(reader.header)
    except DocumentError as exc:
        return _fail(
            capture, [{"event": None, "path": "", "code": "malformed", "message": str(exc)}]
        )
    if header_errors:
        return _fail(capture, [e.as_dict() for e in header_errors])
    try:
        return capture_events(
            reader.events(),
            capture=capture,
            prefixes=reader.prefixes,
            ignore=hashing.ignore_fields_from_header(reader.header),
            organisation=organisation,
            proceed=proceed,
            event_limit=event_limit,
            progress=progress,
        )
    except DocumentError as exc:
        return _fail(
            capture,
            [{"event": reader.event_count, "path": "", "code": "malformed", "message": str(exc)}],
        )


def _fail(capture: Capture, errors: list[dict]) -> Outcome:
    capture.status = CaptureStatus.FAILED
    capture.errors = errors
    capture.finished_at = timezone.now()
    capture.save()
    return Outcome(capture=capture, errors=errors)
