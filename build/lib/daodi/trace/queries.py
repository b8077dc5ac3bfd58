"""Composed reads of the trace app: lineage graphs, histories and lot look-ups."""

from __future__ import annotations

from django.db.models import QuerySet

from daodi.orgs import policy

from . import lineage
from .epcis import identifiers
from .models import Event, Lot

DIRECTIONS = ("backward", "forward", "both")


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


def _node(identifier: str, lot: Lot | None, visible: set[int] | None) -> dict:
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
    if lot is None:
        return node
    node.update(
        herb=lot.herb.name if lot.herb_id else None,
        grade=lot.grade.label if lot.grade_id else None,
        status=lot.status,
    )
    # Quantities, holders and places of other organisations' lots stay private.
    if visible is None or lot.holder_id in visible:
        node.update(
            quantity=str(lot.quantity) if lot.quantity is not None else None,
            unit=lot.unit or None,
            holder=lot.holder.name if lot.holder_id else None,
            place=lot.site.name if lot.site_id else (lot.location or None),
        )
    return node


def graph(identifier: str, *, direction: str = "both", user=None) -> dict:
    """The lineage of ``identifier`` as nodes and edges (see ``GET /api/trace/{identifier}``)."""
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    root = canonical(identifier)
    found = lineage.edges(root, direction=direction)
    events = {
        e.pk: e
        for e in Event.objects.filter(pk__in={edge.event_pk for edge in found}).only(
            "event_id", "biz_step", "event_time"
        )
    }
    names = {root} | {e.source for e in found} | {e.target for e in found}
    known = lots(names)
    visible = readable_holder_ids(user)
    return {
        "root": root,
        "direction": direction,
        "nodes": [_node(name, known.get(name), visible) for name in sorted(names)],
        "edges": [
            {
                "from": edge.source,
                "to": edge.target,
                "eventID": events[edge.event_pk].event_id,
                "bizStep": events[edge.event_pk].biz_step,
                "time": events[edge.event_pk].event_time.isoformat(),
            }
            for edge in found
        ],
    }


def history(names: set[str] | list[str]) -> QuerySet[Event]:
    """Every event naming one of ``names`` (canonical identifiers), oldest first."""
    return (
        Event.objects.filter(identifiers__identifier__in=list(names))
        .distinct()
        .order_by("event_time", "id")
    )


def downstream(identifier: str) -> list[Lot]:
    """Every lot and item that came from ``identifier`` (itself included), for a recall."""
    root = canonical(identifier)
    names = {root} | {e.target for e in lineage.edges(root, direction="forward")}
    return sorted(lots(names).values(), key=lambda lot: lot.identifier)
