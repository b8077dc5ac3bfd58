"""Mass balance as arithmetic over flows (pure, no ORM).

For every node (an organisation) and every lot it held:

    received = dispatched + in stock + recorded losses (+ what processing took)

``received`` is what came in: made there (a harvest, a purchase, the output of a
transformation, a weight found above the lot's) or received from another node;
``dispatched`` is what left: shipped, handed over at a purchase, or consumed as the input
of a transformation; losses are weights found short or sorted out. Stock is the lot's
quantity in the projection. A node's balance per herb is the sum of its lots; a difference
beyond the herb's tolerance (a percentage of what was received) is an imbalance.

Lots shipped but not yet received have left the sender (``dispatched``) and not reached
the receiver; they are listed as in transit at the sender and are no one's stock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
MIN_TOLERANCE_KG = Decimal("0.5")  # scale resolution: never flag less than this


@dataclass(frozen=True)
class Flow:
    """Weight moving in or out of one lot at one node (direction "in", "out" or "loss")."""

    node: int
    lot: str
    direction: str
    kg: Decimal


@dataclass
class Row:
    """One node's balance over one lot, or (``lot`` = "") over one herb."""

    node: int
    herb: int | None
    lot: str = ""
    received: Decimal = ZERO
    dispatched: Decimal = ZERO
    losses: Decimal = ZERO
    stock: Decimal = ZERO
    in_transit: Decimal = ZERO
    lots: int = 0
    tolerance_pct: Decimal = Decimal(2)
    members: list = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        # In-transit weight is part of ``dispatched`` already; it is shown, not subtracted.
        return self.received - self.dispatched - self.losses - self.stock

    @property
    def allowed(self) -> Decimal:
        return max(self.received * self.tolerance_pct / 100, MIN_TOLERANCE_KG)

    @property
    def imbalanced(self) -> bool:
        return abs(self.difference) > self.allowed


def balance(
    flows: list[Flow],
    stock: dict[tuple[int, str], Decimal],
    in_transit: dict[tuple[int, str], Decimal],
    herb_of: dict[str, int | None],
    tolerance: dict[int | None, Decimal],
) -> tuple[list[Row], list[Row]]:
    """Per-lot rows and per-(node, herb) rows for ``flows`` against the projection's stock.

    ``stock`` and ``in_transit`` are keyed (node, lot); ``tolerance`` is per herb id (None:
    the default).
    """
    lots: dict[tuple[int, str], Row] = {}

    def row(node: int, lot: str) -> Row:
        key = (node, lot)
        if key not in lots:
            herb = herb_of.get(lot)
            lots[key] = Row(
                node, herb, lot, tolerance_pct=tolerance.get(herb, tolerance.get(None, Decimal(2)))
            )
        return lots[key]

    for f in flows:
        r = row(f.node, f.lot)
        if f.direction == "in":
            r.received += f.kg
        elif f.direction == "out":
            r.dispatched += f.kg
        else:
            r.losses += f.kg
    for (node, lot), kg in stock.items():
        row(node, lot).stock += kg
    for (node, lot), kg in in_transit.items():
        row(node, lot).in_transit += kg
    totals: dict[tuple[int, int | None], Row] = {}
    for r in lots.values():
        key = (r.node, r.herb)
        total = totals.get(key)
        if total is None:
            total = totals[key] = Row(r.node, r.herb, tolerance_pct=r.tolerance_pct)
        total.received += r.received
        total.dispatched += r.dispatched
        total.losses += r.losses
        total.stock += r.stock
        total.in_transit += r.in_transit
        total.lots += 1
        total.members.append(r)
    order = lambda r: (r.node, r.herb or 0, r.lot)  # noqa: E731
    return sorted(lots.values(), key=order), sorted(totals.values(), key=order)
