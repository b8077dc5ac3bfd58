"""What an event does to the current state of the lots and items it names (pure, no ORM).

The store applies these changes in the transaction that captures the event, so the state
of a lot (where it is, who holds it, how much is left, hold/recalled) is always the
projection of its events. Identifiers arrive already in canonical form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

RECALLED = "recalled"
DESTROYED = "destroyed"
ON_HOLD = "on_hold"
ACTIVE = "active"
CONSUMED = "consumed"

# CBV dispositions that change a lot's status; "conformant" releases a hold only.
_STATUS_BY_DISPOSITION = {
    "recalled": RECALLED,
    "destroyed": DESTROYED,
    "disposed": DESTROYED,
    "non_conformant": ON_HOLD,
    "damaged": ON_HOLD,
    "expired": ON_HOLD,
}
_CBV_DISP = "https://ref.gs1.org/cbv/Disp-"
_CBV_SDT = "https://ref.gs1.org/cbv/SDT-"


@dataclass
class Change:
    """The change one event makes to one lot or item."""

    identifier: str
    create: bool = False
    quantity: Decimal | None = None  # set (on create)
    delta: Decimal | None = None  # add (negative: taken out)
    unit: str = ""
    location: str | None = None
    owner: str | None = None
    status: str | None = None
    release: bool = False  # a conformant result lifts a hold (never a recall)
    disposition: str | None = None
    consumed: bool = False


@dataclass
class _Ctx:
    location: str | None
    owner: str | None
    disposition: str | None
    status: str | None
    release: bool
    changes: dict[str, Change] = field(default_factory=dict)

    def touch(self, identifier: str, **values) -> Change:
        change = self.changes.get(identifier)
        if change is None:
            change = self.changes[identifier] = Change(identifier=identifier)
        for name, value in values.items():
            setattr(change, name, value)
        if self.location:
            change.location = self.location
        if self.owner:
            change.owner = self.owner
        if self.disposition:
            change.disposition = self.disposition
        if self.status:
            change.status = self.status
        change.release = change.release or self.release
        return change


def _word(value: str | None, prefix: str) -> str | None:
    if not value:
        return None
    return value[len(prefix) :] if value.startswith(prefix) else value


def _owner(event: dict) -> str | None:
    for entry in event.get("destinationList") or []:
        if _word(entry.get("type"), _CBV_SDT) == "owning_party":
            return entry.get("destination")
    return None


def _quantities(entries) -> list[tuple[str, Decimal | None, str]]:
    return [
        (q["epcClass"], Decimal(str(q["quantity"])) if "quantity" in q else None, q.get("uom", ""))
        for q in entries or []
    ]


def changes(event: dict, canon=lambda value: value) -> list[Change]:
    """The changes ``event`` makes, one per identifier it names; ``canon`` canonicalises.

    An error declaration (the event captured again with ``errorDeclaration``) undoes what
    the declared event added to or took from each lot's quantity. Its other effects (place,
    custody, disposition) cannot be undone without the lot's history: the corrective event
    states them anew (EPCIS 2.0 §7.4.1.4: the corrective event says what really happened).
    """
    if "errorDeclaration" in event:
        declared = {k: v for k, v in event.items() if k != "errorDeclaration"}
        return undone(changes(declared, canon))
    disposition = event.get("disposition")
    word = _word(disposition, _CBV_DISP)
    ctx = _Ctx(
        location=(event.get("bizLocation") or {}).get("id"),
        owner=_owner(event),
        disposition=disposition,
        status=_STATUS_BY_DISPOSITION.get(word or ""),
        release=word == "conformant",
    )
    kind, action = event.get("type"), event.get("action")

    if kind == "TransformationEvent":
        for epc in event.get("inputEPCList") or []:
            ctx.touch(canon(epc), consumed=True)
        for cls, qty, uom in _quantities(event.get("inputQuantityList")):
            ctx.touch(canon(cls), delta=-qty if qty is not None else None, unit=uom)
        for epc in event.get("outputEPCList") or []:
            ctx.touch(canon(epc), create=True, quantity=Decimal(1))
        for cls, qty, uom in _quantities(event.get("outputQuantityList")):
            ctx.touch(canon(cls), create=True, quantity=qty, unit=uom)
        return list(ctx.changes.values())

    epcs = list(event.get("epcList") or []) + list(event.get("childEPCs") or [])
    quantities = _quantities(event.get("quantityList")) + _quantities(
        event.get("childQuantityList")
    )
    if kind == "AggregationEvent" and event.get("parentID"):
        ctx.touch(canon(event["parentID"]), create=action == "ADD", quantity=Decimal(1))
    if kind == "ObjectEvent" and action == "ADD":
        for epc in epcs:
            ctx.touch(canon(epc), create=True, quantity=Decimal(1))
        for cls, qty, uom in quantities:
            ctx.touch(canon(cls), create=True, quantity=qty, unit=uom)
    elif kind == "ObjectEvent" and action == "DELETE":
        for epc in epcs:
            ctx.touch(canon(epc), consumed=True)
        for cls, qty, uom in quantities:
            ctx.touch(canon(cls), delta=-qty if qty is not None else None, unit=uom)
    else:
        for epc in epcs:
            ctx.touch(canon(epc))
        for cls, _qty, uom in quantities:
            ctx.touch(canon(cls), unit=uom)
    return list(ctx.changes.values())


def undone(done: list[Change]) -> list[Change]:
    """The quantity changes that take back ``done`` (what a declared-wrong event did)."""
    out = []
    for change in done:
        if change.create and change.quantity is not None:
            delta = -change.quantity
        elif change.delta is not None:
            delta = -change.delta
        else:
            continue
        out.append(Change(identifier=change.identifier, delta=delta, unit=change.unit))
    return out
