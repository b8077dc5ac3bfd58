"""Lineage: the graph of lots and items reached from one identifier, by recursive SQL.

An edge runs from what goes in to what comes out of one event: transformation inputs to
outputs, aggregation children to their parent. Walking forward follows edges, backward
walks them in reverse. One recursive query per direction, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .choices import IdentifierRole as R

SOURCES = (R.INPUT, R.INPUT_CLASS, R.CHILD, R.CHILD_CLASS)
TARGETS = (R.OUTPUT, R.OUTPUT_CLASS, R.PARENT)
MAX_DEPTH = 64


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    event_pk: int


def _walk_sql(table: str, forward: bool) -> str:
    near, far = ("src", "dst") if forward else ("dst", "src")
    roles = lambda alias, rs: f"{alias}.role IN ({', '.join(repr(str(r)) for r in rs)})"  # noqa: E731
    return f"""
        WITH RECURSIVE walk(identifier, depth) AS (
            SELECT CAST(%s AS VARCHAR(255)), 0
            UNION
            SELECT {far}.identifier, walk.depth + 1
            FROM walk
            JOIN {table} {near} ON {near}.identifier = walk.identifier
                 AND {roles(near, SOURCES if forward else TARGETS)}
            JOIN {table} {far} ON {far}.event_id = {near}.event_id
                 AND {roles(far, TARGETS if forward else SOURCES)}
            WHERE walk.depth < {MAX_DEPTH}
        )
        SELECT DISTINCT src.identifier, dst.identifier, src.event_id
        FROM walk
        JOIN {table} {near} ON {near}.identifier = walk.identifier
             AND {roles(near, SOURCES if forward else TARGETS)}
        JOIN {table} {far} ON {far}.event_id = {near}.event_id
             AND {roles(far, TARGETS if forward else SOURCES)}
    """


def edges(identifier: str, *, direction: str = "both") -> list[Edge]:
    """Every edge reachable from ``identifier`` backward, forward or both ways."""
    from .models import EventIdentifier

    table = connection.ops.quote_name(EventIdentifier._meta.db_table)
    found: set[Edge] = set()
    with connection.cursor() as cursor:
        for forward in {"backward": (False,), "forward": (True,), "both": (False, True)}[direction]:
            cursor.execute(_walk_sql(table, forward), [identifier])
            found.update(Edge(s, t, e) for s, t, e in cursor.fetchall())
    return sorted(found, key=lambda e: (e.event_pk, e.source, e.target))
