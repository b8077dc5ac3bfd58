"""Composed reads of the trace app: lineage graphs, histories and lot look-ups."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from daodi.orgs import policy

from . import lineage
from .choices import IdentifierRole
from .epcis import identifiers
from .models import Event, EventIdentifier, Lot

DIRECTIONS = ("backward", "forward", "both")
CONSUMED = (IdentifierRole.INPUT, IdentifierRole.INPUT_CLASS)


class UnknownIdentifier(ValueError):
    """Not a GS1 identifier we can read."""


def canonical(value: str) -> str:
    """The canonical form of an EPC URN or Digital Link; UnknownIdentifier if neither."""
    try:
        return identifiers.canonical(value)
    except identifiers.IdentifierError as exc:
        raise UnknownIdentifier(str(exc)) from exc


def lots(identifiers_: set[str] | list[str]) -> dict[str, Lot]:
    rows = Lot.objects.filter(identifier__in=list(identifiers_)).select_related(
        "herb", "grade", "holder", "site"
    )
    return {lot.identifier: lot for lot in rows}


def readable_holder_ids(user) -> set[int] | None:
    """Organisations whose lot details ``user`` may see; None means all."""
    if user is None:
        return set()
    if policy.reads_everything(user):
        return None
    from daodi.orgs.models import Organisation

    return set(Organisation.objects.filter(policy.org_q(user)).values_list("pk", flat=True))


_NODE_COLUMNS = (
    "identifier",
    "herb__name",
    "grade__specification",
    "grade__grade",
    "status",
    "quantity",
    "unit",
    "holder_id",
    "holder__name",
    "site__name",
    "location",
)


def _node(identifier: str, row: dict | None, visible: set[int] | None) -> dict:
    node = {
        "identifier": identifier,
        "herb": None,
        "grade": None,
        "quantity": None,
        "unit": None,
        "holder": None,
        "place": None,
        "status": None,
    }
    if row is None:
        return node
    grade = row["grade__grade"]
    if grade is not None and row["grade__specification"]:
        grade = f"{row['grade__specification']}·{grade}"  # as Grade.label
    node.update(herb=row["herb__name"], grade=grade, status=row["status"])
    # Quantities, holders and places of other organisations' lots stay private.
    if visible is None or row["holder_id"] in visible:
        node.update(
            quantity=str(row["quantity"]) if row["quantity"] is not None else None,
            unit=row["unit"] or None,
            holder=row["holder__name"],
            place=row["site__name"] if row["site__name"] is not None else (row["location"] or None),
        )
    return node


def graph(identifier: str, *, direction: str = "both", user=None) -> dict:
    """The lineage of ``identifier`` as nodes and edges (see ``GET /api/trace/{identifier}``)."""
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    root = canonical(identifier)
    found = lineage.edges(root, direction=direction)
    # Plain rows, not model instances: building them was most of a trace's time.
    events = {
        pk: (event_id, biz_step, when.isoformat())
        for pk, event_id, biz_step, when in Event.objects.filter(
            pk__in={edge.event_pk for edge in found}
        ).values_list("pk", "event_id", "biz_step", "event_time")
    }
    names = {root} | {e.source for e in found} | {e.target for e in found}
    known = {
        row["identifier"]: row
        for row in Lot.objects.filter(identifier__in=names).order_by().values(*_NODE_COLUMNS)
    }
    visible = readable_holder_ids(user)
    return {
        "root": root,
        "direction": direction,
        "nodes": [_node(name, known.get(name), visible) for name in sorted(names)],
        "edges": [
            {
                "from": edge.source,
                "to": edge.target,
                "eventID": events[edge.event_pk][0],
                "bizStep": events[edge.event_pk][1],
                "time": events[edge.event_pk][2],
            }
            for edge in found
        ],
    }


def history(
    names: set[str] | list[str], *, lineage_events=None, root: str | None = None
) -> QuerySet[Event]:
    """Every event naming one of ``names`` (canonical identifiers), oldest first.

    With ``lineage_events`` (the pks of the lineage's edge events), an event that names a
    node other than ``root`` only as a transformation input is kept only when it is one of
    them: the rest of a lot made into other products is not this lineage's history (a
    processor's run of cases would otherwise bring every case's packing with it).
    """
    # A semi-join on the identifier index, not a join + DISTINCT over whole event rows
    # (their JSON documents included).
    named = Q(identifier__in=list(names))
    if lineage_events is None:
        return Event.objects.filter(
            pk__in=EventIdentifier.objects.filter(named).values("event_id")
        ).order_by("event_time", "id")
    named &= ~Q(role__in=CONSUMED)
    if root is not None:
        named |= Q(identifier=root)
    # One semi-join (an OR of two IN lists would defeat it on PostgreSQL).
    named |= Q(event_id__in=list(lineage_events))
    return Event.objects.filter(
        pk__in=EventIdentifier.objects.filter(named).values("event_id")
    ).order_by("event_time", "id")


def downstream(identifier: str) -> list[Lot]:
    """Every lot and item that came from ``identifier`` (itself included), for a recall."""
    root = canonical(identifier)
    names = {root} | {e.target for e in lineage.edges(root, direction="forward")}
    return sorted(lots(names).values(), key=lambda lot: lot.identifier)
