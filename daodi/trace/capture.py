"""Capturing EPCIS documents into the event store.

Each event is validated, normalised, hashed (CBV 2.0 event hash), de-duplicated, written
with its identifier index rows and projected onto the lots it names — in batches, with bulk
inserts, inside one transaction per document. ``rollback`` (the default capture error
behaviour) stores nothing when any event is invalid; ``proceed`` stores the valid events and
reports the others.

Writers are serialised (an advisory lock on PostgreSQL; SQLite has one writer anyway), so
event ids grow in commit order and keyset paging over them is a stable snapshot. That is
also why capture can number its events itself: ids are taken once per batch (the next
``max(id)`` on SQLite, a block of the sequence on PostgreSQL) and rows go in with plain
``executemany`` or ``COPY``, with no ``RETURNING`` and no model instance per row. Only
counts and the ids stored are kept, so memory stays bounded however long the document.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import queue
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from daodi.core.errors import Conflict

from . import projection, projector
from .choices import CaptureStatus
from .epcis import hashing, validation
from .epcis.document import DocumentError, DocumentReader
from .models import Capture, Event, EventIdentifier

BATCH = 2000  # events per batch: large enough to amortise each statement, small in memory
_LOCK_KEY = 0x0DA0D1  # the PostgreSQL advisory lock that serialises event writers
_EVENT_COLUMNS = (
    "id", "event_id", "event_hash", "is_declaration", "event_type", "event_time",
    "record_time", "action", "biz_step", "disposition", "read_point", "biz_location",
    "organisation_id", "capture_id", "document",
)  # fmt: skip
_IDENTIFIER_COLUMNS = ("event_id", "identifier", "role")


class Prepared:
    """One valid event, ready to insert: its typed columns, stored JSON, index and changes."""

    __slots__ = (
        "index", "event_id", "event_hash", "is_declaration", "event_type", "event_time",
        "action", "biz_step", "disposition", "read_point", "biz_location", "document_json",
        "identifiers", "changes",
    )  # fmt: skip

    def __init__(self, index: int, **values: Any):
        self.index = index
        for name, value in values.items():
            setattr(self, name, value)


def _record_time_member(record_time: str) -> str:
    return ',"recordTime":' + json.dumps(record_time) + "}"


class StoredEvents(Sequence):
    """The events a capture stored, in order: their ids, each loaded only when asked for.

    A document may hold hundreds of thousands of events; keeping their rows would make
    memory grow with it, so only the ids are kept (8 bytes each).
    """

    def __init__(self) -> None:
        self.ids = array("q")

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = self.ids[index]
            rows = Event.objects.in_bulk(list(ids))
            return [rows[i] for i in ids]
        return Event.objects.get(pk=self.ids[index])

    def __iter__(self) -> Iterator[Event]:
        for start in range(0, len(self.ids), 1000):
            yield from self[start : start + 1000]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredEvents):
            return self.ids == other.ids
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"<StoredEvents: {len(self)}>"


@dataclass
class Outcome:
    """What a capture did: events stored, duplicates skipped, errors per event."""

    capture: Capture | None  # None for an action's own event (see store_own)
    stored: StoredEvents = field(default_factory=StoredEvents)
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)


class _Rollback(Exception):
    """Raised inside the capture transaction to store nothing."""


_gc_lock = threading.Lock()
_gc_users = 0
_gc_threshold = gc.get_threshold()


@contextmanager
def _few_collections():
    """Collect garbage less often while capturing a large document.

    Capture allocates millions of short-lived, acyclic objects; with the default
    thresholds the cyclic collector ran often enough, over every object Django had loaded,
    to take a fifth of the CPU time. Objects alive at the start are frozen (never scanned)
    and the young generation is collected every 50,000 allocations instead of 700. Nested
    and concurrent captures share one setting, restored when the last one ends. The full
    collection before freezing costs tens of milliseconds, so a capture of less than two
    batches (one event posted by an action, say) leaves the collector alone.
    """
    global _gc_users, _gc_threshold
    with _gc_lock:
        if _gc_users == 0:
            _gc_threshold = gc.get_threshold()
            gc.collect()  # freeze live objects only, never garbage (it would stay for good)
            gc.freeze()
            gc.set_threshold(50_000, 10, 100)
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_threshold)
                gc.unfreeze()


def lock_writers() -> None:
    """Serialise this transaction's writes with every other capture's (until it ends)."""
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
    # recordTime is the store's, appended when the batch is written.
    stored = {"@context": doc["@context"]}
    stored.update((k, v) for k, v in event.items() if k not in ("@context", "recordTime"))
    stored.setdefault("eventID", event_hash)
    return Prepared(
        index,
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
        document_json=json.dumps(stored, ensure_ascii=False, separators=(",", ":")),
        identifiers=normalised.identifiers,
        # Identifiers in the normalised event are canonical already.
        changes=projection.changes(doc),
    )


class _Writer:
    """Writes batches of prepared events inside the capture transaction."""

    def __init__(
        self,
        outcome: Outcome,
        organisation,
        record_time: dt.datetime,
        resolver: projector.Resolver | None = None,
    ):
        self.outcome = outcome
        self.sqlite = connection.vendor == "sqlite"
        self.adapt_time = (
            connection.ops.adapt_datetimefield_value if self.sqlite else (lambda value: value)
        )
        self.record_time = self.adapt_time(record_time)
        self.record_member = _record_time_member(
            record_time.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        self.organisation_id = organisation.pk if organisation is not None else None
        self.capture_id = outcome.capture.pk if outcome.capture is not None else None
        self.projector = projector.Projector(organisation, record_time, resolver)
        qn = connection.ops.quote_name
        self.event_table = Event._meta.db_table
        self.hash_sql = (
            f"SELECT {qn('event_hash')}, {qn('is_declaration')} FROM {qn(self.event_table)} "
            f"WHERE {qn('event_hash')} IN {{}}"
        )

    def _ids(self, cursor, count: int) -> list[int]:
        """``count`` new event ids, larger than any taken before (writers are serialised)."""
        qn = connection.ops.quote_name
        if self.sqlite:
            # AUTOINCREMENT never reuses an id: start above both the rows and the counter.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX({qn('id')}) FROM {qn(self.event_table)}), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
                [self.event_table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [self.event_table, count],
        )
        return [row[0] for row in cursor.fetchall()]

    def store(
        self, batch: list[Prepared], *, check_duplicates: bool = True, new_lots=frozenset()
    ) -> None:
        """Insert one batch: skip duplicates, write events and index rows, project the lots."""
        outcome = self.outcome
        with projector.raw_cursor() as cursor:
            hashes = list({p.event_hash for p in batch}) if check_duplicates else []
            existing = set(projector.select_in(cursor, self.hash_sql, hashes)) if hashes else set()
            fresh, seen = [], set()
            for p in batch:
                key = (p.event_hash, p.is_declaration)
                if key in existing or key in seen:
                    outcome.duplicates += 1
                    continue
                seen.add(key)
                fresh.append(p)
            if not fresh:
                return
            ids = self._ids(cursor, len(fresh))
            adapt, record_time, member = self.adapt_time, self.record_time, self.record_member
            org, cap = self.organisation_id, self.capture_id
            projector.copy_rows(
                cursor,
                self.event_table,
                _EVENT_COLUMNS,
                [
                    (
                        pk,
                        p.event_id,
                        p.event_hash,
                        p.is_declaration,
                        p.event_type,
                        adapt(p.event_time),
                        record_time,
                        p.action,
                        p.biz_step,
                        p.disposition,
                        p.read_point,
                        p.biz_location,
                        org,
                        cap,
                        p.document_json[:-1] + member,
                    )  # fmt: skip
                    for pk, p in zip(ids, fresh, strict=True)
                ],
            )
            projector.copy_rows(
                cursor,
                EventIdentifier._meta.db_table,
                _IDENTIFIER_COLUMNS,
                [
                    (pk, ident, role)
                    for pk, p in zip(ids, fresh, strict=True)
                    for role, ident in p.identifiers
                ],
            )
            self.projector.apply(
                cursor, [(pk, p.changes) for pk, p in zip(ids, fresh, strict=True)], new_lots
            )
        outcome.stored.ids.extend(ids)


class _Background:
    """Stores batches on a second thread while the calling thread prepares the next ones.

    Preparing (parsing, validating, hashing) is pure Python; storing a batch is mostly the
    database's own work — SQLite's B-trees in C with the GIL released, or the PostgreSQL
    server — so the two overlap on a machine with two cores or more. The thread works in the
    caller's connection, hence in its transaction; the two threads never use it at once,
    since the caller touches no database until it has waited for the writer.
    At most one batch waits in the queue, so memory stays bounded.
    """

    def __init__(self, store: Callable[[list[Prepared]], None]):
        self.store = store
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, name="capture-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.store(batch)
                except BaseException as exc:  # re-raised in the caller's thread
                    self.error = exc

    def put(self, batch: list[Prepared]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        """Wait for every batch to be stored; raise what the writer raised."""
        self.queue.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        if self.error is not None:
            raise self.error


class _Received:
    """How many events a capture has read (the batches generator counts them)."""

    count = 0


def _batches(
    events: Iterable[tuple[int, Any]],
    outcome: Outcome,
    received: _Received,
    *,
    prefixes: dict,
    ignore: list[str],
    proceed: bool,
    event_limit: int | None,
    progress: Callable[[int], None] | None,
) -> Iterator[list[Prepared]]:
    """Prepare events into batches of ``BATCH``; errors go to ``outcome.errors``.

    Under rollback, after the first error nothing more is yielded, but every event is still
    validated so that all errors are reported. More events than ``event_limit`` raise
    :class:`_Rollback`.
    """
    batch: list[Prepared] = []
    for index, event in events:
        received.count += 1
        if event_limit is not None and received.count > event_limit:
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
            continue  # keep validating to report every error; nothing is stored
        batch.append(prepared)
        if len(batch) >= BATCH:
            if progress:
                progress(received.count)
            yield batch
            batch = []
    if batch and not (outcome.errors and not proceed):
        yield batch
    if progress:
        progress(received.count)


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

    The first batch is prepared before the transaction takes the writers' lock, so that
    documents posted at the same time (most hold less than one batch) are parsed,
    validated and hashed side by side and wait for each other only to be stored.
    """
    outcome = Outcome(capture=capture)
    received = _Received()
    try:
        with ExitStack() as large:
            batches = _batches(
                events,
                outcome,
                received,
                prefixes=prefixes or {},
                ignore=list(ignore),
                proceed=proceed,
                event_limit=event_limit,
                progress=progress,
            )
            pending = next(batches, None)
            # Less than a batch (one event an action captures, say): the events are all
            # prepared, so a refusal is known before anything is written and the store
            # needs no savepoint to roll back to.
            spent = pending is None or len(pending) < BATCH
            if spent and outcome.errors and not proceed:
                raise _Rollback
            resolver = None
            if spent and pending:
                resolver = projector.resolve_ahead([p.changes for p in pending])
            with transaction.atomic(savepoint=not spent):
                lock_writers()
                writer = _Writer(outcome, organisation, timezone.now(), resolver)
                background: _Background | None = None
                try:
                    for batch in batches:
                        # A document of more than one batch stores in the background while
                        # the next batch is prepared, with fewer garbage collections.
                        if background is None:
                            large.enter_context(_few_collections())
                            background = _Background(writer.store)
                        background.put(pending)
                        pending = batch
                finally:
                    if background is not None:
                        # Before anything else uses the connection: commit, rollback or raise.
                        background.finish()
                if outcome.errors and not proceed:
                    raise _Rollback
                if pending:
                    writer.store(pending)
    except _Rollback:
        outcome.stored = StoredEvents()
        outcome.duplicates = 0
    capture.events_received = received.count
    capture.events_stored = len(outcome.stored)
    capture.errors = outcome.errors
    capture.status = (
        CaptureStatus.FAILED if outcome.errors and not proceed else CaptureStatus.SUCCESS
    )
    capture.finished_at = timezone.now()
    capture.save()
    return outcome


class OwnEvent(NamedTuple):
    """An event of one of our actions, prepared before the action's transaction."""

    prepared: Prepared
    resolver: projector.Resolver
    new_lots: frozenset  # lots the action has just numbered (see Projector.apply)


def prepare_own(
    event: dict, prefixes: dict, known: dict | None = None, new_lots: frozenset = frozenset()
) -> OwnEvent:
    """Validate and hash one of our own events and look up its places (besides those
    ``known``, see ``Resolver.know``), writing nothing: done before the action's
    transaction, which then holds the writers' lock for less."""
    prepared = prepare(event, 0, prefixes)
    if isinstance(prepared, list):  # our own events: a refusal is a bug, never user input
        raise RuntimeError(f"event refused: {[e.as_dict() for e in prepared]}")
    return OwnEvent(prepared, projector.resolve_ahead([prepared.changes], known), new_lots)


def store_own(event: OwnEvent, *, organisation) -> int:
    """Store a prepared event of ours in the current transaction; its id.

    Not a capture job of the EPCIS interface (the action's audit entry says who did what),
    and not checked for a duplicate first: each of our events names its own record, and
    the store's unique hash would refuse one all the same.
    """
    outcome = Outcome(capture=None)
    lock_writers()
    writer = _Writer(outcome, organisation, timezone.now(), event.resolver)
    try:
        writer.store([event.prepared], check_duplicates=False, new_lots=event.new_lots)
    except IntegrityError as exc:  # a new lot named meanwhile by an outside document
        raise Conflict() from exc
    return outcome.stored.ids[0]


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
