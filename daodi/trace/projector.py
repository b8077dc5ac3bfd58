"""Applies the changes events make (``projection.changes``) to the ``Lot`` table, in bulk.

Called inside the capture transaction, one batch of events at a time: one query loads the
lots the batch names, the changes are applied in event order in memory, and new and changed
lots are written back with one bulk insert and one bulk update.

Lots are handled as plain rows (:class:`LotRow`), not model instances, and written with
prepared statements (``COPY`` on PostgreSQL): a batch names about seven lots or items per
event, and building and saving a model instance for each made the ORM the largest cost of
capture (docs/benchmarks.md). Trade items, parties and places are looked up once per
capture.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection

from daodi.catalog.models import TradeItem
from daodi.core.compiled import CompiledQuery
from daodi.orgs.models import Organisation, Site

from . import projection
from .epcis import identifiers
from .models import Lot

_STATUS_RANK = {  # a status only moves to a graver one, except a release of a hold
    projection.ACTIVE: 0,
    projection.CONSUMED: 1,
    projection.ON_HOLD: 2,
    projection.DESTROYED: 3,
    projection.RECALLED: 4,
}
_LOADED = (
    "id", "identifier", "herb_id", "grade_id", "quantity", "unit", "holder_id", "site_id",
    "location", "status", "disposition", "last_event_id",
)  # fmt: skip
_INSERTED = (
    "identifier", "gtin", "batch", "serial", "herb_id", "grade_id", "quantity", "unit",
    "holder_id", "site_id", "location", "status", "disposition", "status_reason",
    "first_event_id", "last_event_id", "updated_at",
)  # fmt: skip
_UPDATED = (
    "quantity", "unit", "holder_id", "site_id", "location", "status", "disposition",
    "last_event_id", "herb_id", "grade_id", "updated_at",
)  # fmt: skip
_PG_TYPES = {  # the array type of each updated column (text otherwise)
    "quantity": "numeric",
    "holder_id": "bigint",
    "site_id": "bigint",
    "last_event_id": "bigint",
    "herb_id": "bigint",
    "grade_id": "bigint",
    "updated_at": "timestamptz",
    "id": "bigint",
}
_FEW_LOOKUPS = 16  # beyond this many places and parties, one capture reads whole tables
_COPY_MIN_ROWS = 64  # below this, COPY's set-up costs more than executemany
_QUANTITY = Lot._meta.get_field("quantity")
_QUANTUM = Decimal(1).scaleb(-_QUANTITY.decimal_places)
_FROM_FLOAT = decimal.Context(prec=15).create_decimal_from_float


def raw_mark() -> str:
    """The parameter placeholder of the DB-API driver itself (see :func:`raw_cursor`)."""
    return "?" if connection.vendor == "sqlite" else "%s"


@contextmanager
def raw_cursor():
    """The driver's own cursor, its errors still raised as Django's.

    Bulk statements bypass Django's cursor wrapper: with DEBUG on it logs each query with
    its parameters interpolated — megabytes per batch for the ``IN`` lists here, kept in
    ``connection.queries`` — and its per-call work adds up over millions of rows. Its
    placeholder is :func:`raw_mark`.
    """
    with connection.cursor() as cursor, connection.wrap_database_errors:
        yield cursor.cursor


def copy_rows(cursor, table: str, columns: Sequence[str], rows: list) -> None:
    """Insert ``rows`` into ``table`` with a driver cursor (:func:`raw_cursor`): COPY on
    PostgreSQL for many rows, else executemany."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql" and len(rows) >= _COPY_MIN_ROWS:
        with cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join([raw_mark()] * len(columns))
    cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows)


def select_in(cursor, sql: str, values: list, params: Sequence = ()) -> list[tuple]:
    """Rows of ``sql`` (with ``IN {}``; placeholders :func:`raw_mark`) for every value, in
    chunks the backend allows; ``cursor`` is a driver cursor (:func:`raw_cursor`)."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(sql.replace("IN {}", "= ANY(%s)"), [*params, list(values)])
        return cursor.fetchall()
    rows: list[tuple] = []
    step = 900  # under SQLite's historical limit of 999 bound parameters
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        cursor.execute(sql.format("(" + ", ".join(["?"] * len(chunk)) + ")"), [*params, *chunk])
        rows.extend(cursor.fetchall())
    return rows


def _parse(identifier: str):
    try:
        return identifiers.parse(identifier, verify=False)
    except identifiers.IdentifierError:
        return None


class LotRow:
    """The columns of one ``Lot`` that the projection reads and writes."""

    __slots__ = (
        "id", "identifier", "gtin", "batch", "serial", "herb_id", "grade_id", "quantity", "unit",
        "holder_id", "site_id", "location", "status", "disposition", "first_event_id",
        "last_event_id",
    )  # fmt: skip

    def __init__(self, identifier: str):
        self.id = None
        self.identifier = identifier
        self.gtin = self.batch = self.serial = self.unit = self.location = self.disposition = ""
        self.herb_id = self.grade_id = self.holder_id = self.site_id = None
        self.quantity = None
        self.status = projection.ACTIVE
        self.first_event_id = self.last_event_id = None


# The resolver's one-row look-ups (a single event makes two or three of them).
_PARTY = CompiledQuery(
    lambda gln: (
        Organisation.objects.filter(gln=gln)
        .order_by(*(Organisation._meta.ordering or ["pk"]))
        .values_list("pk")[:1]
    ),
    str,
)
_SITE = CompiledQuery(
    lambda gln: Site.objects.filter(gln=gln).values_list("pk", "organisation_id")[:1], str
)
_TRADE_ITEM = CompiledQuery(
    lambda gtin: TradeItem.objects.filter(gtin=gtin).values_list("herb_id", "grade_id")[:1], str
)


class Resolver:
    """Knows trade items, parties and places: each table is read once per capture.

    A batch of a large capture names most places, so one query per table beats one per
    new GLN. A capture of a single event (a purchase, a receipt) names one or two: its
    first few look-ups are single-row queries (``_few``), so it does not read the tens of
    thousands of plots and growers of a county, nor the whole catalogue.
    """

    def __init__(self):
        self._items: dict[str, tuple] | None = None  # GTIN: (herb id, grade id)
        self._orgs: dict[str, int] | None = None  # GLN: organisation id
        self._sites: dict[str, tuple] | None = None  # GLN: (site id, organisation id)
        self._places: dict[str, tuple | None] = {}  # by URI: (site id, its organisation id)
        self._parties: dict[str, int | None] = {}  # by URI: organisation id
        self._few_items: dict[str, tuple | None] = {}  # GTIN: (herb id, grade id), one by one
        self._lookups = 0  # single-row look-ups so far (see _few)

    def know(self, *, places=None, parties=None, items=None) -> None:
        """Take what the caller knows already (its own event's place, parties and trade
        item, by URI and GTIN), so those are not looked up."""
        self._places.update(places or {})
        self._parties.update(parties or {})
        self._few_items.update(items or {})

    def _few(self) -> bool:
        """True while a capture has named only a few places and parties: a single event (a
        purchase at a point) looks up one or two rows instead of reading whole tables of a
        county's tens of thousands of plots and growers."""
        self._lookups += 1
        return self._lookups <= _FEW_LOOKUPS

    def trade_item(self, gtin: str) -> tuple | None:
        """(herb id, grade id) of the trade item with this GTIN."""
        if self._items is None and gtin not in self._few_items and self._few():
            self._few_items[gtin] = _TRADE_ITEM.first(gtin)
        if gtin in self._few_items:
            return self._few_items[gtin]
        if self._items is None:
            self._items = {
                g: (herb, grade)
                for g, herb, grade in TradeItem.objects.values_list("gtin", "herb_id", "grade_id")
            }
        return self._items.get(gtin)

    def party(self, uri: str) -> int | None:
        """The id of the organisation a party (PGLN) or place (GLN) URI names."""
        if uri not in self._parties:
            parsed = _parse(uri)
            found = None
            if parsed is not None and parsed.ai in ("417", "414"):
                if self._orgs is None and self._few():
                    row = _PARTY.first(parsed.key)
                    self._parties[uri] = row[0] if row else None
                    return self._parties[uri]
                if self._orgs is None:
                    # A GLN is not unique among organisations: the first one wins, as
                    # with QuerySet.first().
                    self._orgs = {}
                    rows = Organisation.objects.exclude(gln="").order_by(
                        *(Organisation._meta.ordering or ["pk"])
                    )
                    for gln, pk in rows.values_list("gln", "pk"):
                        self._orgs.setdefault(gln, pk)
                found = self._orgs.get(parsed.key)
            self._parties[uri] = found
        return self._parties[uri]

    def site(self, uri: str) -> tuple | None:
        """(site id, organisation id) of the place a GLN URI names."""
        if uri not in self._places:
            parsed = _parse(uri)
            found = None
            if parsed is not None and parsed.ai == "414":
                if self._sites is None and self._few():
                    self._places[uri] = _SITE.first(parsed.key)
                    return self._places[uri]
                if self._sites is None:
                    self._sites = {
                        gln: (pk, org)
                        for gln, pk, org in Site.objects.values_list("gln", "pk", "organisation_id")
                    }
                found = self._sites.get(parsed.key)
            self._places[uri] = found
        return self._places[uri]


def resolve_ahead(changes: list[list[projection.Change]], known: dict | None = None) -> Resolver:
    """A resolver that has looked up already the places, parties and trade items these few
    events name (besides those ``known``, see ``Resolver.know``): a capture of one event
    does it before taking the writers' lock, which it then holds for less time."""
    resolver = Resolver()
    resolver.know(**(known or {}))
    for event in changes:
        for change in event:
            parsed = _parse(change.identifier) if change.create else None
            if parsed is not None and parsed.ai == "01" and not parsed.is_pattern:
                resolver.trade_item(parsed.key)  # the new lot's herb and grade
            if change.location:
                resolver.site(change.location)
            if change.owner:
                resolver.party(change.owner)
    return resolver


class Projector:
    """Projects the batches of one capture onto the lots (see module docstring)."""

    def __init__(self, organisation, now: dt.datetime, resolver: Resolver | None = None):
        self.holder_id = organisation.pk if organisation is not None else None
        self.resolver = resolver or Resolver()
        sqlite = connection.vendor == "sqlite"
        self.now = connection.ops.adapt_datetimefield_value(now) if sqlite else now
        qn = connection.ops.quote_name
        table = qn(Lot._meta.db_table)
        self.select_sql = (
            f"SELECT {', '.join(qn(c) for c in _LOADED)} FROM {table} "
            f"WHERE {qn('identifier')} IN {{}}"
        )
        self.update_sql = (
            f"UPDATE {table} SET "
            + ", ".join(f"{qn(c)} = {raw_mark()}" for c in _UPDATED)
            + f" WHERE {qn('id')} = {raw_mark()}"
        )
        self.bulk_update_sql = ""
        if not sqlite:
            types = [_PG_TYPES.get(c, "text") for c in (*_UPDATED, "id")]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            self.bulk_update_sql = (
                f"UPDATE {table} AS lot SET "
                + ", ".join(f"{qn(c)} = v.{qn(c)}" for c in _UPDATED)
                + f" FROM unnest({arrays}) AS v({', '.join(qn(c) for c in (*_UPDATED, 'id'))})"
                + f" WHERE lot.{qn('id')} = v.{qn('id')}"
            )
        self.not_lots: set[str] = set()  # names that are no lot (classes, other URIs)

    def _load(self, cursor, names: list[str]) -> dict[str, LotRow]:
        lots = {}
        for row in select_in(cursor, self.select_sql, names):
            lot = LotRow(row[1])
            (lot.id, _, lot.herb_id, lot.grade_id, quantity, lot.unit, lot.holder_id,
             lot.site_id, lot.location, lot.status, lot.disposition,
             lot.last_event_id) = row  # fmt: skip
            if quantity is not None and not isinstance(quantity, Decimal):
                # SQLite gives a float or an int: convert it as the ORM does.
                quantity = _FROM_FLOAT(quantity).quantize(_QUANTUM, context=_QUANTITY.context)
            lot.quantity = quantity
            lots[lot.identifier] = lot
        return lots

    def _new_lot(self, identifier: str) -> LotRow | None:
        parsed = _parse(identifier)
        if parsed is None or parsed.is_pattern or parsed.scheme == "gtin":
            return None  # a whole product class is not a lot
        lot = LotRow(identifier)
        if parsed.ai == "01":
            lot.gtin = parsed.key
            lot.batch = parsed.qualifier("10") or ""
            lot.serial = parsed.qualifier("21") or ""
            item = self.resolver.trade_item(parsed.key)
            if item is not None:
                lot.herb_id, lot.grade_id = item
        return lot

    def apply(
        self, cursor, batch: list[tuple[int, list[projection.Change]]], new_lots=frozenset()
    ) -> None:
        """Apply each event's changes (event id, changes), in order, to the lots they name.

        ``new_lots`` are known to be new (an action has just numbered them): not looked
        for, and inserted (a lot of that name written meanwhile fails the insert).
        """
        names = list({c.identifier for _, changes in batch for c in changes} - self.not_lots)
        if not names:
            return
        wanted = [name for name in names if name not in new_lots]
        lots = self._load(cursor, wanted) if wanted else {}
        created: dict[str, LotRow] = {}
        dirty: dict[str, LotRow] = {}
        for event_id, changes in batch:
            for change in changes:
                lot = lots.get(change.identifier)
                if lot is None:
                    if change.identifier in self.not_lots:
                        continue
                    lot = self._new_lot(change.identifier)
                    if lot is None:
                        self.not_lots.add(change.identifier)
                        continue
                    lot.first_event_id = event_id
                    lot.holder_id = self.holder_id
                    lots[lot.identifier] = created[lot.identifier] = lot
                self._apply_change(lot, change, event_id)
                if lot.id is not None:
                    dirty[lot.identifier] = lot
        now = self.now
        copy_rows(
            cursor,
            Lot._meta.db_table,
            _INSERTED,
            [
                (
                    lot.identifier,
                    lot.gtin,
                    lot.batch,
                    lot.serial,
                    lot.herb_id,
                    lot.grade_id,
                    lot.quantity,
                    lot.unit,
                    lot.holder_id,
                    lot.site_id,
                    lot.location,
                    lot.status,
                    lot.disposition,
                    "",
                    lot.first_event_id,
                    lot.last_event_id,
                    now,
                )  # fmt: skip
                for lot in created.values()
            ],
        )
        if not dirty:
            return
        rows = [
            (
                lot.quantity,
                lot.unit,
                lot.holder_id,
                lot.site_id,
                lot.location,
                lot.status,
                lot.disposition,
                lot.last_event_id,
                lot.herb_id,
                lot.grade_id,
                now,
                lot.id,
            )  # fmt: skip
            for lot in dirty.values()
        ]
        if self.bulk_update_sql:
            # One statement for the batch: a column array per field, joined on id.
            cursor.execute(
                self.bulk_update_sql, [list(column) for column in zip(*rows, strict=True)]
            )
        else:
            # SQLite: one prepared UPDATE per row (bulk_update's CASE expressions plan
            # slowly, and a prepared statement in a transaction costs microseconds).
            cursor.executemany(self.update_sql, rows)

    def _apply_change(self, lot: LotRow, change: projection.Change, event_id: int) -> None:
        lot.last_event_id = event_id
        if change.create and change.quantity is not None:
            # A new lot starts with its quantity; a later output into the same lot adds to it.
            lot.quantity = (lot.quantity or Decimal(0)) + change.quantity
        if change.delta is not None and lot.quantity is not None:
            lot.quantity = max(lot.quantity + change.delta, Decimal(0))
            if lot.quantity == 0:
                _set_status(lot, projection.CONSUMED)
        if change.unit:
            lot.unit = change.unit
        if change.consumed:
            _set_status(lot, projection.CONSUMED)
        if change.location:
            lot.location = change.location
            site = self.resolver.site(change.location)
            if site is not None:
                lot.site_id, organisation_id = site
                if change.owner is None and organisation_id:
                    lot.holder_id = organisation_id
        if change.owner:
            holder = self.resolver.party(change.owner)
            if holder is not None:
                lot.holder_id = holder
        if change.disposition:
            lot.disposition = change.disposition
        if change.release and lot.status == projection.ON_HOLD:
            # Released: back to stock, or to used up when nothing of it is left.
            used_up = lot.quantity is not None and lot.quantity == 0
            lot.status = projection.CONSUMED if used_up else projection.ACTIVE
        if change.status:
            _set_status(lot, change.status)


def _set_status(lot: LotRow, status: str) -> None:
    if _STATUS_RANK[status] >= _STATUS_RANK.get(lot.status, 0):
        lot.status = status
