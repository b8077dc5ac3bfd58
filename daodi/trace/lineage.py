"""Lineage: the graph of lots and items reached from one identifier, by recursive SQL.

An edge runs from what goes in to what comes out of one event: transformation inputs to
outputs, aggregation children to their parent. Walking forward follows edges, backward
walks them in reverse. One statement answers either direction or both, on SQLite and
PostgreSQL alike: each direction is a recursive CTE whose rows are the edges themselves,
so the join over the identifier index runs once per edge and UNION ends cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .choices import IdentifierRole as R

SOURCES = (R.INPUT, R.INPUT_CLASS, R.CHILD, R.CHILD_CLASS)
TARGETS = (R.OUTPUT, R.OUTPUT_CLASS, R.PARENT)
DIRECTIONS = {"backward": (False,), "forward": (True,), "both": (False, True)}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    event_pk: int


def _roles(alias: str, roles) -> str:
    # Roles are constants of ours, inlined so the planner sees them (no user input here).
    return f"{alias}.role IN ({', '.join(repr(str(r)) for r in roles)})"


def _walk(name: str, table: str, forward: bool, seeds: int = 1) -> str:
    """A recursive CTE ``name(src, dst, ev)`` of the edges reached one way from ``seeds``
    identifiers (as many %s).

    ``near`` is the end of an edge already reached, ``far`` the end the walk moves to; an
    edge is (source, target, event) whatever the direction.
    """
    near_roles, far_roles = (SOURCES, TARGETS) if forward else (TARGETS, SOURCES)
    far_col = "dst" if forward else "src"  # where the previous edge ended
    cols = "near.identifier, far.identifier" if forward else "far.identifier, near.identifier"
    step = f"""
        SELECT {cols}, near.event_id
        FROM {{frm}}
        JOIN {table} far ON far.event_id = near.event_id AND {_roles("far", far_roles)}
    """
    marks = "= %s" if seeds == 1 else f"IN ({', '.join(['%s'] * seeds)})"
    seed = step.format(frm=f"{table} near") + (
        f" WHERE near.identifier {marks} AND {_roles('near', near_roles)}"
    )
    recurse = step.format(
        frm=f"{name} JOIN {table} near ON near.identifier = {name}.{far_col}"
        f" AND {_roles('near', near_roles)}"
    )
    return f"{name}(src, dst, ev) AS ({seed} UNION {recurse})"


def _sql(table: str, direction: str, seeds: int = 1) -> str:
    names = {False: "back", True: "fwd"}
    ctes = [_walk(names[f], table, f, seeds) for f in DIRECTIONS[direction]]
    select = " UNION ".join(f"SELECT src, dst, ev FROM {names[f]}" for f in DIRECTIONS[direction])
    return f"WITH RECURSIVE {', '.join(ctes)} {select}"


def edges(identifier: str, *, direction: str = "both") -> list[Edge]:
    """Every edge reachable from ``identifier`` backward, forward or both ways (one query)."""
    from .models import EventIdentifier

    table = connection.ops.quote_name(EventIdentifier._meta.db_table)
    params = [identifier] * len(DIRECTIONS[direction])
    with connection.cursor() as cursor:
        cursor.execute(_sql(table, direction), params)
        found = {Edge(s, t, e) for s, t, e in cursor.fetchall()}
    return sorted(found, key=lambda e: (e.event_pk, e.source, e.target))


SEEDS_PER_QUERY = 400  # under SQLite's 999 bound parameters, both directions counted


def edges_from(identifiers: list[str] | set[str], *, direction: str = "forward") -> list[Edge]:
    """Every edge reachable from any of ``identifiers`` (one query per few hundred)."""
    from .models import EventIdentifier

    table = connection.ops.quote_name(EventIdentifier._meta.db_table)
    seeds = sorted(set(identifiers))
    found: set[Edge] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(seeds), SEEDS_PER_QUERY):
            chunk = seeds[start : start + SEEDS_PER_QUERY]
            cursor.execute(_sql(table, direction, len(chunk)), chunk * len(DIRECTIONS[direction]))
            found.update(Edge(s, t, e) for s, t, e in cursor.fetchall())
    return sorted(found, key=lambda e: (e.event_pk, e.source, e.target))
