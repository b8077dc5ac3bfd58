"""Hot look-ups compiled to SQL once per database connection, then run with new values.

Building a query set and compiling it costs the ORM about half a millisecond; running a
one-row look-up by key costs a tenth of that. The handful of look-ups every purchase,
arrival or API request makes (its token, point, seller, herb, site, trade item ...) are
compiled once per connection and run with each call's values. Rows pass through the
ORM's own converters, so values are what ``values_list`` gives (or model instances built
as the ORM builds them). Only exact matches on ``int`` or ``str`` values can be slots.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

_CACHE_ATTR = "_daodi_compiled"


def _sentinel(kind: type, index: int) -> Any:
    if kind is int:
        return -1_987_654_321 - index
    if kind is str:
        return f"\x00slot{index}\x00"
    raise TypeError(f"a slot is int or str, not {kind.__name__}")


class CompiledQuery:
    """``build(*values)`` → a query set; rows for new ``values`` without compiling again.

    ``kinds`` are the types of ``build``'s arguments; with ``model`` the query set's rows
    become instances of its model (all concrete fields loaded, no related objects).
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: type, model: bool = False):
        self.build = build
        self.kinds = kinds
        self.model = model

    def _compile(self, connection):
        samples = [_sentinel(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = self.build(*samples)
        names = None
        if self.model:
            names = [f.attname for f in queryset.model._meta.concrete_fields]
            queryset = queryset.values_list(*names)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for index, sample in enumerate(samples):
            found = [n for n, param in enumerate(params) if param == sample]
            if len(found) != 1:
                raise RuntimeError(f"argument {index} is not one exact parameter of {sql}")
            slots.append((found[0], index))
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return sql, params, slots, compiler, converters, queryset.model, names

    def _compiled(self):
        connection = connections[DEFAULT_DB_ALIAS]
        cache = connection.__dict__.setdefault(_CACHE_ATTR, {})
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = self._compile(connection)
        return connection, compiled

    def rows(self, *values) -> list[tuple]:
        connection, (sql, params, slots, compiler, converters, *_) = self._compiled()
        params = params.copy()
        for position, index in slots:
            params[position] = values[index]
        with _cursor(connection) as cursor, _prepared(connection):
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]

    def first(self, *values) -> tuple | Model | None:
        """The first row (an instance with ``model``), None when there is none."""
        rows = self.rows(*values)
        if not rows:
            return None
        if not self.model:
            return rows[0]
        *_, model, names = self._compiled()[1]
        return model.from_db(DEFAULT_DB_ALIAS, names, rows[0])


@contextmanager
def _prepared(connection):
    """On PostgreSQL, let the driver prepare the statement run inside (these exact matches
    on keys keep one plan well), and only it.

    Preparation stays off on the connection otherwise (Django's default): while it is on,
    the driver counts every statement it runs, keyed by its text, to prepare the frequent
    ones, and a client-side bound statement's text holds its values: a capture's bulk
    statements kept ~45 MB of such keys alive (docs/benchmarks.md).
    """
    if connection.vendor != "postgresql":
        yield
        return
    raw = connection.connection
    raw.prepare_threshold = 0  # prepared at its first run, then run as prepared
    try:
        yield
    finally:
        raw.prepare_threshold = None


def _cursor(connection):
    """Django's cursor; on PostgreSQL one binding parameters on the server (which a
    prepared statement needs)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def by_pk(model: type[Model]) -> CompiledQuery:
    """The compiled look-up of one ``model`` instance by primary key (one per model)."""
    found = _BY_PK.get(model)
    if found is None:
        found = _BY_PK[model] = CompiledQuery(
            lambda pk: model._default_manager.filter(pk=pk)[:1], int, model=True
        )
    return found


_BY_PK: dict[type[Model], CompiledQuery] = {}
