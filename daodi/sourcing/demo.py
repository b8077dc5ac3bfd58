"""The demo county's season of farm records and buying, written through the real actions.

At each of the 50 village points two households keep GACP records on a plot, harvest,
and sell the harvest at the point; a grower without records sells too (a new lot). Points
send their lots to their station, stations commingle them per herb and send them to the
hub, and the hub dries some. Dates run back from today, so every record is in the past.

A few problems are left in on purpose, for the regulator's pages:

- a harvest inside a pesticide's pre-harvest interval, refused (the spraying stays);
- an arrival short beyond its tolerance (flagged on the dispatch);
- an outside system's shipment from one station declaring more than the lot held (an
  imbalance in the mass balance);
- a GI claim for a lot with plots outside the GI's area, refused, and the same claim
  captured by an outside system (a violation listed for the regulator).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.catalog.models import GeographicIndication
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.farm import actions as farm_actions
from daodi.farm import events
from daodi.farm.models import FarmRecord, Harvest, Plot, Processing
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Organisation
from daodi.trace import actions as trace_actions
from daodi.trace.epcis import profile

from . import actions
from .models import (
    Commingling,
    Dispatch,
    DispatchLine,
    GIClaim,
    Loss,
    Pallet,
    Purchase,
    SellerIdentity,
)

SYSTEM = Actor.system()
GROWERS_PER_POINT = 2


@dataclass
class Season:
    records: int = 0
    harvests: int = 0
    purchases: int = 0
    dispatches: int = 0
    comminglings: int = 0
    dried: int = 0
    problems: list[str] = field(default_factory=list)


def _at(days_ago: float, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=int(days_ago))
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def load(points_limit: int | None = None) -> Season:
    """Write the season (call inside the demo's transaction)."""
    season = Season()
    points = list(
        Organisation.objects.filter(kind=OrgKind.VILLAGE_POINT, code__startswith="TH-")
        .select_related("managed_by")
        .order_by("code")
    )[:points_limit]
    by_station: dict[int, list[str]] = defaultdict(list)
    refused_interval = False
    for point in points:
        plots = list(
            Plot.objects.filter(holder__managed_by=point, is_active=True)
            .select_related("holder", "herb", "village")
            .order_by("holder__code", "id")
        )
        chosen, seen = [], set()
        for plot in plots:
            if plot.holder_id not in seen:
                seen.add(plot.holder_id)
                chosen.append(plot)
            if len(chosen) == GROWERS_PER_POINT:
                break
        lots = []
        for n, plot in enumerate(chosen):
            farm_actions.record_activity(
                actor=SYSTEM, plot=plot, kind="fertiliser", date=_at(150).date(),
                product="腐熟农家肥", dose="2000 kg/亩", operator=plot.holder.name,
            )  # fmt: skip
            late = not refused_interval and season.harvests >= 2
            farm_actions.record_activity(
                actor=SYSTEM, plot=plot, kind="pesticide",
                date=_at(24 if late else 70).date(), product="0.3%苦参碱水剂",
                dose="600倍液", pre_harvest_interval_days=10, operator=plot.holder.name,
            )  # fmt: skip
            season.records += 2
            kg = (plot.area_mu * (plot.herb.yield_min_kg_per_mu or 300) * Decimal("1.3")).quantize(
                Decimal("0.1")
            )
            if late:
                try:  # sprayed 24 days ago with a 10-day interval: harvested 20 days ago
                    farm_actions.harvest(
                        actor=SYSTEM, plots=[plot], harvested_on=_at(20).date(), fresh_kg=kg
                    )
                except DomainError as exc:
                    refused_interval = True
                    season.problems.append(str(exc.message))
                    continue
            harvest = farm_actions.harvest(
                actor=SYSTEM, plots=[plot], harvested_on=_at(20).date(), fresh_kg=kg
            )
            season.harvests += 1
            purchase = actions.record_purchase(
                actor=SYSTEM, point=point, client_key=f"demo-{harvest.pk}",
                seller=plot.holder, herb=plot.herb, gross_kg=kg - Decimal("3") + Decimal("1.5"),
                tare_kg=Decimal("1.5"), moisture_pct=Decimal("62"), price=Decimal("9.5"),
                price_unit="jin", payment_method="wechat" if n else "cash", lot=harvest.lot,
                bought_at=_at(18, 10 + n),
            )  # fmt: skip
            season.purchases += 1
            lots.append(purchase.lot)
        if not lots:
            continue
        sent = actions.dispatch(
            actor=SYSTEM, source=point, destination=point.managed_by, lots=lots,
            sent_at=_at(16, 8),
        )  # fmt: skip
        short = season.dispatches == 2  # one truck arrives 8 % light
        weights = {
            line.lot: (line.sent_kg * (Decimal("0.92") if short else Decimal("0.995"))).quantize(
                Decimal("0.01")
            )
            for line in sent.lines.all()
        }
        actions.receive(actor=SYSTEM, dispatch=sent, weights=weights, received_at=_at(16, 14))
        if short:
            season.problems.append(
                _("%(number)s: the arrival weight was flagged.") % {"number": sent.number}
            )
        season.dispatches += 1
        by_station[point.managed_by_id].extend(lots)
    _stations(season, by_station)
    _problems(season)
    return season


def _stations(season: Season, by_station: dict[int, list[str]]) -> None:
    from daodi.trace.models import Lot

    hub_lots = []
    for station_id, names in sorted(by_station.items()):
        station = Organisation.objects.get(pk=station_id)
        groups = defaultdict(list)
        for lot in Lot.objects.filter(identifier__in=names, holder=station, status="active"):
            groups[(lot.herb_id, lot.grade_id)].append(lot)
        made = []
        for _key, lots in sorted(groups.items(), key=lambda item: str(item[0])):
            merged = actions.commingle(
                actor=SYSTEM, inputs=[(lot.identifier, lot.quantity) for lot in lots],
                made_at=_at(14, 9),
            )  # fmt: skip
            season.comminglings += 1
            made.append(merged.lot)
        if not made:
            continue
        up = actions.dispatch(
            actor=SYSTEM, source=station, destination=station.managed_by, lots=made,
            sent_at=_at(13, 8),
        )  # fmt: skip
        actions.receive(
            actor=SYSTEM, dispatch=up,
            weights={line.lot: line.sent_kg for line in up.lines.all()}, received_at=_at(13, 15),
        )  # fmt: skip
        season.dispatches += 1
        hub_lots.extend(made)
    dried = []
    for identifier in hub_lots[::3]:  # the hub dries a third of what it received
        lot = events.lot_of(identifier)
        herb = lot.herb
        ratio = ((herb.dry_ratio_min or 2) + (herb.dry_ratio_max or 3)) / 2
        run = farm_actions.process(
            actor=SYSTEM, kind="drying", inputs=[(identifier, lot.quantity)],
            output_kg=(lot.quantity / ratio).quantize(Decimal("0.1")),
            started_at=_at(12, 8), finished_at=_at(10, 18), method="oven",
            temperature_c=Decimal("55"), hours=Decimal("58"), no_sulphur=True, no_dye=True,
            no_weighting=True,
        )  # fmt: skip
        season.dried += 1
        dried.append(run)
    _sell_on(season, dried)


def _sell_on(season: Season, dried: list) -> None:
    """The hub sells one dried lot on to the demo processor, who has it to process and pack."""
    processor = Organisation.objects.filter(code="TH-PR001").first()  # processor01's
    if processor is None or not dried:
        return
    lot = dried[0].lots.get(is_output=True).lot
    onward = actions.dispatch(
        actor=SYSTEM, source=dried[0].holder, destination=processor, lots=[lot],
        sent_at=_at(9, 8),
    )  # fmt: skip
    actions.receive(
        actor=SYSTEM, dispatch=onward,
        weights={line.lot: line.sent_kg for line in onward.lines.all()}, received_at=_at(8, 15),
    )  # fmt: skip
    season.dispatches += 1


def _problems(season: Season) -> None:
    """The imbalance at one station and the GI over-claim (refused, and from outside)."""
    from daodi.trace.models import Lot

    # A lot the station took in (and has commingled since) "shipped" again by an outside
    # system: 350 kg leave the station that it never had.
    line = (
        DispatchLine.objects.filter(dispatch__destination__kind=OrgKind.TOWNSHIP_STATION)
        .select_related("dispatch__destination")
        .order_by("dispatch__destination__code", "id")
        .first()
    )
    lot = Lot.objects.filter(identifier=line.lot).first() if line else None
    if lot is not None:
        station = line.dispatch.destination
        site = events.node_site(SYSTEM, station)
        trace_actions.capture_event(
            actor=SYSTEM,
            organisation=station,
            event={
                "@context": events.CONTEXT,
                "type": "ObjectEvent",
                "action": "OBSERVE",
                "eventTime": events.time_text(_at(12, 16)),
                "eventTimeZoneOffset": "+08:00",
                "bizStep": "shipping",
                "epcList": [],
                "quantityList": [{"epcClass": lot.identifier, **events.kg(350)}],
                "readPoint": {"id": events.sgln(site.gln)},
            },
        )
        season.problems.append(
            _("%(station)s: 350 kg of %(lot)s shipped that it did not hold.")
            % {"station": station.name, "lot": lot.batch}
        )
    gi = GeographicIndication.objects.select_related("herb").first()
    mixed = None
    if gi is not None:
        for merged in Commingling.objects.filter(herb=gi.herb).order_by("id"):
            lot = events.lot_of(merged.lot)
            if lot and lot.status == "active" and lot.quantity:
                from .gi import lineage_problems

                if lineage_problems(merged.lot, gi):
                    mixed = lot
                    break
    if mixed is not None:
        try:
            actions.claim_gi(
                actor=SYSTEM, lot=mixed.identifier, indication=gi, kg=mixed.quantity,
                purpose="listing",
            )  # fmt: skip
        except DomainError as exc:
            season.problems.append(str(exc.message))
        trace_actions.capture_event(
            actor=SYSTEM,
            organisation=mixed.holder,
            event={
                "@context": events.CONTEXT,
                "type": "TransformationEvent",
                "eventTime": events.time_text(_at(9, 10)),
                "eventTimeZoneOffset": "+08:00",
                "bizStep": "repackaging",
                "inputQuantityList": [{"epcClass": mixed.identifier, **events.kg(10)}],
                "outputQuantityList": [
                    {"epcClass": events.lot_uri(mixed.gtin, "GI-X1"), **events.kg(10)}
                ],
                "ilmd": {profile.term(profile.ILMD_GI_CLAIM): gi.name},
            },
        )
        season.problems.append(
            _("%(gi)s: claimed by an outside system for lot GI-X1.") % {"gi": gi.name}
        )


def remove(organisations) -> None:
    """Delete the season's farm and buying records of ``organisations`` (demo reset)."""
    orgs = Q(holder__in=organisations)
    for model, q in (
        (GIClaim, orgs),
        (Loss, orgs),
        (Pallet, orgs),
        (Commingling, orgs),
        (Dispatch, Q(source__in=organisations) | Q(destination__in=organisations)),
        (Purchase, Q(point__in=organisations) | Q(seller__in=organisations)),
        (SellerIdentity, Q(organisation__in=organisations)),
        (Processing, orgs),
        (Harvest, orgs),
        (FarmRecord, Q(plot__holder__in=organisations)),
        (Plot, orgs),
    ):
        model.objects.filter(q).delete()
