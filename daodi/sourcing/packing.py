"""Packing (分装赋码): a lot packed into serialised retail items, the items into cases.

The writes of one topic in a module of their own (the buying network's ``actions.py`` is
long already); keyword-only, with an actor, one transaction, audited, capturing their
events in it like every action. The events are those the trace module knows from any
packing line: a ``packing`` TransformationEvent takes the packed weight out of the lot and
commissions the items' SGTINs, and an AggregationEvent per case puts its items under a new
SSCC. The lot's projection loses what was packed; the items' lineage leads back through the
lot to its plots, so the consumer's page of any pack shows where it grew.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.catalog.models import TradeItem
from daodi.core import numbers, records
from daodi.core.actor import Actor
from daodi.core.errors import DomainError, NotFound
from daodi.farm import events
from daodi.farm.actions import input_lots
from daodi.orgs import policy
from daodi.trace import usability
from daodi.trace.models import Lot

from .models import Packing

MAX_ITEMS = 5000  # one run's labels are printed at once: 125 A4 sheets of 40
GRAM = Decimal("0.001")  # the lot projection's precision, in kg
SERIAL_WIDTH = 10  # our serials' digits; the demo's packing lines print 11, never equal


def _refuse(message, code: str, field: str) -> None:
    raise DomainError(message, code=code, fields={field: [message]})


def item_kg(item: TradeItem) -> Decimal:
    """The net weight of one retail item of ``item`` in kg; refused for a bulk item."""
    if item.net_quantity is None or item.net_quantity <= 0:
        _refuse(
            _("%(item)s has no net quantity: it is not a retail pack.") % {"item": item},
            "not_a_retail_item",
            "trade_item",
        )
    unit = item.unit
    if unit is not None and unit.dimension != "mass":
        _refuse(
            _("%(item)s is not counted by weight.") % {"item": item},
            "not_a_retail_item",
            "trade_item",
        )
    factor = unit.factor if unit is not None else Decimal(1)  # no unit given: kg
    return item.net_quantity * factor


def _packable(lot: str, kg: Decimal) -> Lot:
    """The lot to pack from, checked: known, active, not in transit, holding ``kg``, and
    neither held, failed nor recalled, itself or through a lot it was made from
    (``trace.usability``, named in the refusal with its reason).

    The one place packing decides whether a lot may be used.
    """
    if not Lot.objects.filter(identifier=lot).exclude(batch="").exists():
        raise NotFound(_("No lot %(lot)s is known.") % {"lot": lot})
    ((found, _kg),) = input_lots([(lot, kg)], field="lot", doing=usability.PACK)
    return found


def _serials(gtin: str, count: int) -> list[str]:
    """``count`` new serial numbers under ``gtin``: a block from the GTIN's counter, a
    block taken again when an item of one of them exists already (made elsewhere)."""
    while True:
        last = numbers.take(f"serial/{gtin}", lambda: 0, count)
        serials = [str(n).zfill(SERIAL_WIDTH) for n in range(last - count + 1, last + 1)]
        uris = [events.item_uri(gtin, s) for s in serials]
        if not Lot.objects.filter(identifier__in=uris).exists():
            return uris


@transaction.atomic
def pack(
    *,
    actor: Actor,
    lot: str,
    trade_item: TradeItem,
    count: int,
    per_case: int = 0,
    packed_at: dt.datetime | None = None,
) -> Packing:
    """Pack ``count`` retail items of ``trade_item`` from ``lot`` and aggregate them
    ``per_case`` to a case (none: 0); the items' labels are printed from the run."""
    count, per_case = int(count), int(per_case or 0)
    if count < 1 or count > MAX_ITEMS:
        _refuse(
            _("Pack between 1 and %(max)s items at once.") % {"max": MAX_ITEMS},
            "validation_failed",
            "count",
        )
    if per_case < 0:
        _refuse(_("Enter a number of items per case."), "validation_failed", "per_case")
    kg = (item_kg(trade_item) * count).quantize(GRAM, rounding=ROUND_HALF_UP)
    found = _packable(lot, kg)
    policy.require_write(actor, found.holder)
    if trade_item.herb_id != found.herb_id:
        _refuse(
            _("%(item)s is a pack of another herb than lot %(lot)s.")
            % {"item": trade_item, "lot": found.batch},
            "wrong_herb",
            "trade_item",
        )
    when = packed_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=10):
        _refuse(_("Packing cannot be dated in the future."), "future_date", "packed_at")
    holder = found.holder
    site = events.node_site(actor, holder)
    events.party(actor, holder)
    items = _serials(trade_item.gtin, count)
    place = {"id": events.sgln(site.gln)}
    event = events.capture(
        actor,
        holder,
        {
            "type": "TransformationEvent",
            "eventTime": events.time_text(when),
            "bizStep": "packing",
            "disposition": "in_progress",
            "inputQuantityList": [{"epcClass": found.identifier, **events.kg(kg)}],
            "outputEPCList": items,
            "readPoint": place,
            "bizLocation": place,
        },
        "packing",
    )
    cases = _cases(actor, holder, place, items, per_case, when)
    return records.create(
        actor,
        Packing,
        holder=holder,
        site=site,
        lot=found.identifier,
        trade_item=trade_item,
        count=count,
        per_case=per_case,
        kg=kg,
        items=items,
        cases=cases,
        packed_at=when,
        event=event,
    )


def _cases(actor: Actor, holder, place: dict, items: list[str], per_case: int, when) -> list:
    """Aggregate ``items`` ``per_case`` to a case with a new SSCC (the last one may hold
    fewer); the SSCCs, in order."""
    if not per_case:
        return []
    codes = []
    for start in range(0, len(items), per_case):
        code = events.new_sscc()
        events.capture(
            actor,
            holder,
            {
                "type": "AggregationEvent",
                "action": "ADD",
                "eventTime": events.time_text(when),
                "bizStep": "packing",
                "disposition": "in_progress",
                "parentID": events.sscc_uri(code),
                "childEPCs": items[start : start + per_case],
                "readPoint": place,
                "bizLocation": place,
            },
            "case",
        )
        codes.append(code)
    return codes
