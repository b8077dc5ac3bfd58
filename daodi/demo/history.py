"""A realistic trace history of the demo county: EPCIS 2.0 events from plot to retail pack.

The way a Taihang herb county works, season after season::

    household plot ── input application (fertiliser, pesticide)          daodi profile steps
         │ harvest (ObjectEvent ADD, harvest lot H26-PT01-00042, fresh kg)
    village point ── purchase (receiving; owner household → point)
         │ commingling of a week's purchase lots of one herb (TransformationEvent)
    township station ── dispatch (shipping) → county hub receipt (receiving)
         │ sale of 1–3 hub lots (shipping at hub, receiving at the processor)
    processor ── drying (fresh → dry, the herb's 折干率) ── slicing of some root lots
         │ packing into serialised 500 g bags, 20 bags a case (packing + aggregation, SSCC)
    trader ── receipt of the cases (most runs; the rest is still in the processor's store)

Herbs without a 500 g bag in the catalogue go dried, in bulk, to a manufacturer; herbs
without a bulk trade item (花椒 in the demo) are not harvested here.

The module has three parts. :func:`county_facts` (ORM) reads the loaded county once into
plain rows; :func:`plan` (pure) turns facts, a seed and a target event count into a
:class:`History`: the plots to create, every lot with its inputs, and a lazy, time-ordered
stream of event dicts (:meth:`History.events`) plus the lineage each lot must show
(:meth:`History.downstream`, :meth:`History.origins`, :meth:`History.hops`).
:func:`create_plots` and :func:`load` (ORM) write the plots and capture the events.

A *hop* of a retail item is one step on the way from a plot that hands the herb to another
party or makes a new lot of it: purchase at the point, commingling at the station, receipt
at the hub, receipt at the processor, drying, [slicing], packing, [receipt by a trader] —
six to eight. Harvests before the season's first purchase (the plot's own records) are not
hops.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from daodi.core import gs1
from daodi.trace.epcis import profile

TZ = dt.timezone(dt.timedelta(hours=8))
OFFSET = "+08:00"
DL = "https://id.gs1.org"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT = [EPCIS_CONTEXT, {profile.PREFIX: profile.NAMESPACE}]
PREFIXES = {profile.PREFIX: profile.NAMESPACE}
DEFAULT_SEED = 2026
LAST_SEASON = 2026

BAG_KG = 0.5
BAGS_PER_CASE = 20
PLOTS_PER_HOUSEHOLD = (1, 3)  # inclusive range
STATION_LOT_MAX_INPUTS = 12
STATION_LOT_DAYS = 7  # a station closes a commingled lot after a week's purchases
RUN_MAX_LOTS = 3  # hub lots one processor dries together
SLICED_SHARE = 0.6  # of root lots, the share cut into slices (饮片) after drying
RETAIL_SHARE = (0.2, 0.4)  # share of a dry lot a processor packs into 500 g bags
SHIPPED_SHARE = 0.8  # of packing runs, the share already received by a trader
PACK_INTERVAL = dt.timedelta(minutes=6)  # one case of 20 bags off the line

# Harvest windows (month, day) to (month, day), the typical area per plot (亩) and whether
# the herb is a root (cut into slices after drying).
SEASONS = {
    "dangshen": ((9, 25), (10, 31), True),
    "lianqiao": ((7, 20), (8, 25), False),
    "huangqin": ((10, 5), (11, 10), True),
    "chaihu": ((9, 20), (10, 25), True),
    "shanzhuyu": ((10, 10), (11, 15), False),
    "huajiao": ((7, 25), (8, 31), False),
}
HERB_WEIGHTS = {
    "dangshen": 3,
    "lianqiao": 3,
    "huangqin": 2,
    "chaihu": 2,
    "shanzhuyu": 1,
    "huajiao": 1,
}
FERTILISERS = [("腐熟农家肥", "2000 kg/亩"), ("生物有机肥", "150 kg/亩"), ("复合肥 15-15-15", "30 kg/亩")]
PESTICIDES = [("0.3%苦参碱水剂", "600倍液", 10), ("1%印楝素微乳剂", "800倍液", 7)]


# --- facts: the loaded county as plain rows ----------------------------------------------


@dataclass(frozen=True)
class Party:
    """An organisation of the chain with its party GLN and the GLN of its working site."""

    code: str
    gln: str
    site_gln: str
    division: str = ""


@dataclass(frozen=True)
class HouseholdFact:
    code: str
    gln: str
    village: str
    point: str  # code of the village point that keeps its records


@dataclass(frozen=True)
class ItemFact:
    gtin: str
    herb: str
    specification: str
    grade: str
    bulk: bool


@dataclass(frozen=True)
class HerbFact:
    code: str
    dry_ratio: tuple[float, float]
    yield_kg_per_mu: tuple[float, float]


@dataclass
class CountyFacts:
    """What the generator needs of a loaded county, with no database behind it."""

    company_prefix: str
    households: list[HouseholdFact]
    points: dict[str, Party]  # by code; division = the point's village
    point_station: dict[str, str]  # point code → station code
    stations: dict[str, Party]
    hub: Party
    processors: list[Party]
    traders: list[Party]
    manufacturers: list[Party]
    herbs: dict[str, HerbFact]
    items: list[ItemFact]
    villages: dict[str, tuple[str, float, float]]  # village → (township, lat, lon)
    indications: dict[str, tuple[str, frozenset[str]]]  # herb → (GI name, townships)
    next_gln_ref: int  # first location reference free for plot GLNs


def county_facts() -> CountyFacts:
    """Read the loaded demo county once (a handful of queries) into plain facts."""
    from django.conf import settings

    from daodi.catalog.models import GeographicIndication, Herb, TradeItem
    from daodi.orgs.choices import OrgKind
    from daodi.orgs.models import Organisation, Site

    from .build import read_divisions

    prefix = settings.GS1_COMPANY_PREFIX
    orgs = list(
        Organisation.objects.filter(code__startswith="TH-").values_list(
            "code", "kind", "gln", "division__code", "managed_by__code"
        )
    )
    site_of: dict[str, str] = {}
    for code, gln in Site.objects.filter(organisation__code__startswith="TH-").order_by(
        "organisation__code", "id"
    ).values_list("organisation__code", "gln"):
        site_of.setdefault(code, gln)
    by_kind = defaultdict(list)
    for code, kind, gln, division, manager in sorted(orgs):
        by_kind[kind].append((code, gln, division, manager))

    def parties(kind) -> list[Party]:
        return [Party(c, g, site_of.get(c, g), d) for c, g, d, _m in by_kind[kind]]

    hub = parties(OrgKind.COUNTY_HUB)[0]
    points = {p.code: p for p in parties(OrgKind.VILLAGE_POINT)}
    stations = {p.code: p for p in parties(OrgKind.TOWNSHIP_STATION)}
    point_station = {c: m for c, _g, _d, m in by_kind[OrgKind.VILLAGE_POINT]}
    households = [
        HouseholdFact(code=c, gln=g, village=d, point=m)
        for c, g, d, m in by_kind[OrgKind.HOUSEHOLD]
        if m in points
    ]
    herbs = {
        h.code: HerbFact(
            h.code,
            (float(h.dry_ratio_min or 2), float(h.dry_ratio_max or 3)),
            (float(h.yield_min_kg_per_mu or 200), float(h.yield_max_kg_per_mu or 600)),
        )
        for h in Herb.objects.all()
    }
    items = [
        ItemFact(t.gtin, t.herb.code, t.grade.specification, t.grade.grade, t.gtin[0] == "9")
        for t in TradeItem.objects.select_related("herb", "grade").order_by("gtin")
    ]
    divisions = read_divisions()
    villages = {
        d.code: (d.parent_code, float(d.latitude), float(d.longitude))
        for d in divisions
        if d.level == "village" and d.latitude is not None
    }
    indications = {
        gi.herb.code: (gi.name, frozenset(gi.divisions.values_list("code", flat=True)))
        for gi in GeographicIndication.objects.select_related("herb")
    }
    refs = [
        int(g[len(prefix) : 12])
        for g in [*(o[2] for o in orgs), *Site.objects.values_list("gln", flat=True)]
        if g and g.startswith(prefix)
    ]
    return CountyFacts(
        company_prefix=prefix,
        households=households,
        points=points,
        point_station=point_station,
        stations=stations,
        hub=hub,
        processors=parties(OrgKind.PROCESSOR),
        traders=parties(OrgKind.TRADER),
        manufacturers=parties(OrgKind.MANUFACTURER),
        herbs=herbs,
        items=items,
        villages=villages,
        indications=indications,
        next_gln_ref=max(refs, default=999) + 1,
    )


# --- the plan: plots and lots -------------------------------------------------------------


@dataclass(frozen=True)
class Plot:
    """A household's plot: its own GLN (an SGLN in events) and where it lies."""

    gln: str
    household: str
    number: int
    village: str
    latitude: float
    longitude: float
    area_mu: float
    herb: str
    planted: int  # year


@dataclass(frozen=True)
class Product:
    """The trade items one herb moves as: fresh bulk, dry bulk and (maybe) the 500 g bag."""

    herb: str
    harvest_gtin: str
    dry_gtin: str
    bag_gtin: str | None
    root: bool


@dataclass
class HarvestLot:
    lot: str
    gtin: str
    plot: Plot
    household: HouseholdFact
    kg: float
    harvested: dt.datetime
    bought: dt.datetime
    station_lot: int = -1


@dataclass
class StationLot:
    lot: str
    gtin: str
    station: str
    herb: str
    inputs: list[int]
    kg: float
    made: dt.datetime
    shipped: dt.datetime
    received: dt.datetime  # at the hub
    run: int = -1


@dataclass
class Case:
    sscc: str
    first: int  # index of its first bag within the run's bags


@dataclass
class Run:
    """One processor's work on 1–3 hub lots: drying, maybe slicing, packing, dispatch."""

    processor: Party
    product: Product
    inputs: list[int]  # station lots
    dry_lot: str
    dry_kg: float
    sliced_lot: str | None = None
    sliced_kg: float = 0.0
    serial_start: int = 0  # first serial number of its bags
    bags: int = 0
    cases: list[Case] = field(default_factory=list)
    buyer: Party | None = None  # trader (packed runs) or manufacturer (bulk)
    sold: dt.datetime | None = None  # dispatched by the hub
    arrived: dt.datetime | None = None  # received at the plant
    dried: dt.datetime | None = None
    sliced: dt.datetime | None = None
    packed: dt.datetime | None = None  # the first case; one case every few minutes
    dispatched: dt.datetime | None = None
    delivered: dt.datetime | None = None

    @property
    def packed_lot(self) -> str:
        return self.sliced_lot or self.dry_lot


@dataclass
class Season:
    year: int
    harvests: list[HarvestLot] = field(default_factory=list)
    station_lots: list[StationLot] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    applications: list[tuple[dt.datetime, Plot, str, str, int | None]] = field(
        default_factory=list
    )
    count: int = 0  # events


def _when(day: dt.date, rng: random.Random, start: int = 7, end: int = 18) -> dt.datetime:
    minute = rng.randrange(start * 60, end * 60)
    return dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=TZ)


def _products(facts: CountyFacts) -> dict[str, Product]:
    """The fresh, dry and retail trade items of each herb that has a bulk trade item."""
    products = {}
    for herb in sorted(facts.herbs):
        bulk = [i for i in facts.items if i.herb == herb and i.bulk]
        if not bulk:
            continue  # nothing to record a harvest lot under
        bags = [i for i in facts.items if i.herb == herb and not i.bulk]
        fresh = next((i for i in bulk if i.grade == "统货"), bulk[0])
        bag = bags[0] if bags else None
        dry = next(
            (i for i in bulk if bag and (i.specification, i.grade) == (bag.specification, bag.grade)),
            fresh,
        )
        products[herb] = Product(
            herb, fresh.gtin, dry.gtin, bag.gtin if bag else None, SEASONS[herb][2]
        )
    return products


class Planner:
    """Deterministic plans for a county: plots for every household, lots for each season."""

    def __init__(self, facts: CountyFacts, seed: int = DEFAULT_SEED):
        self.facts = facts
        self.seed = seed
        self.prefix = facts.company_prefix
        self.products = _products(facts)
        self.plots_of: dict[str, list[Plot]] = {}
        ref = facts.next_gln_ref
        capacity = 10 ** (12 - len(self.prefix))
        for hh in facts.households:
            rng = self.rng("plots", hh.code)
            township, lat, lon = facts.villages[hh.village]
            herb = self._herb(rng, township)
            plots = []
            for number in range(1, rng.randint(*PLOTS_PER_HOUSEHOLD) + 1):
                if ref >= capacity:
                    raise ValueError("the company prefix has no room left for plot GLNs")
                plots.append(
                    Plot(
                        gln=gs1.make_key(self.prefix, ref, 13),
                        household=hh.code,
                        number=number,
                        village=hh.village,
                        latitude=round(lat + rng.uniform(-0.01, 0.01), 6),
                        longitude=round(lon + rng.uniform(-0.01, 0.01), 6),
                        area_mu=round(rng.uniform(0.5, 3.0), 1),
                        herb=herb,
                        planted=LAST_SEASON - rng.randint(1, 6),
                    )
                )
                ref += 1
            self.plots_of[hh.code] = plots
        order = list(facts.households)
        self.rng("participants").shuffle(order)
        self.order = order  # households join a season in this order

    def rng(self, *names) -> random.Random:
        return random.Random("/".join(["daodi-history", str(self.seed), *map(str, names)]))

    def _herb(self, rng: random.Random, township: str) -> str:
        weights = {h: w for h, w in HERB_WEIGHTS.items() if h in self.products}
        for herb, (_name, area) in self.facts.indications.items():
            if herb in weights and township in area:
                weights[herb] *= 3
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    # The season, section by section ---------------------------------------------------------
    def season(self, year: int, households: int) -> Season:
        season = Season(year)
        self._harvests(season, self.order[:households])
        self._station_lots(season)
        self._runs(season)
        season.count = (
            len(season.applications)
            + 2 * len(season.harvests)
            + 3 * len(season.station_lots)
            + sum(
                2  # hub dispatch, processor receipt
                + 1  # drying
                + (1 if r.sliced_lot else 0)
                + 2 * len(r.cases)
                + (2 if r.buyer else 0)
                for r in season.runs
            )
        )
        return season

    def _harvests(self, season: Season, households: list[HouseholdFact]) -> None:
        year, yy = season.year, season.year % 100
        found = []
        for hh in households:
            rng = self.rng("harvest", year, hh.code)
            for plot in self.plots_of[hh.code]:
                herb = self.facts.herbs[plot.herb]
                (m1, d1), (m2, d2), _root = SEASONS[plot.herb]
                first, last = dt.date(year, m1, d1), dt.date(year, m2, d2)
                day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
                harvested = _when(day, rng)
                kg = round(plot.area_mu * rng.uniform(*herb.yield_kg_per_mu), 1)
                bought = _when(day + dt.timedelta(days=rng.randint(1, 3)), rng, 8, 17)
                found.append((harvested, hh, plot, kg, bought))
                # GACP records of the plot: a spring dressing, sometimes a pest treatment
                # that ends its safety interval well before the harvest.
                if rng.random() < 0.7:
                    product, dose = rng.choice(FERTILISERS)
                    when = _when(dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(45)), rng)
                    season.applications.append((when, plot, product, dose, None))
                if rng.random() < 0.3:
                    product, dose, interval = rng.choice(PESTICIDES)
                    when = _when(day - dt.timedelta(days=interval + rng.randint(20, 60)), rng)
                    season.applications.append((when, plot, product, dose, interval))
        found.sort(key=lambda f: (f[4], f[1].code, f[2].number))
        numbers: dict[str, int] = defaultdict(int)
        for harvested, hh, plot, kg, bought in found:
            numbers[hh.point] += 1
            point = hh.point.removeprefix("TH-")
            season.harvests.append(
                HarvestLot(
                    lot=f"H{yy:02d}-{point}-{numbers[hh.point]:05d}",
                    gtin=self.products[plot.herb].harvest_gtin,
                    plot=plot,
                    household=hh,
                    kg=kg,
                    harvested=harvested,
                    bought=bought,
                )
            )

    def _station_lots(self, season: Season) -> None:
        """A station commingles its points' purchases of one herb, a week or 12 lots a time."""
        yy = season.year % 100
        open_lots: dict[tuple[str, str], list[int]] = {}
        numbers: dict[str, int] = defaultdict(int)

        def close(key) -> None:
            station, herb = key
            inputs = open_lots.pop(key)
            last = max(season.harvests[i].bought for i in inputs)
            rng = self.rng("station", season.year, station, herb, inputs[0])
            made = _when(last.date() + dt.timedelta(days=1), rng, 8, 16)
            shipped = made + dt.timedelta(hours=rng.randint(18, 30))
            numbers[station] += 1
            index = len(season.station_lots)
            for i in inputs:
                season.harvests[i].station_lot = index
            season.station_lots.append(
                StationLot(
                    lot=f"S{yy:02d}-{station.removeprefix('TH-')}-{numbers[station]:04d}",
                    gtin=self.products[herb].harvest_gtin,
                    station=station,
                    herb=herb,
                    inputs=inputs,
                    kg=round(sum(season.harvests[i].kg for i in inputs), 1),
                    made=made,
                    shipped=shipped,
                    received=shipped + dt.timedelta(minutes=rng.randint(90, 300)),
                )
            )

        for index, harvest in enumerate(season.harvests):  # in order of purchase
            key = (self.facts.point_station[harvest.household.point], harvest.plot.herb)
            lot = open_lots.get(key)
            if lot and (
                len(lot) >= STATION_LOT_MAX_INPUTS
                or harvest.bought - season.harvests[lot[0]].bought
                > dt.timedelta(days=STATION_LOT_DAYS)
            ):
                close(key)
            open_lots.setdefault(key, []).append(index)
        for key in sorted(open_lots):
            close(key)
        season.station_lots.sort(key=lambda s: (s.made, s.lot))
        for index, lot in enumerate(season.station_lots):
            for i in lot.inputs:
                season.harvests[i].station_lot = index


    def _runs(self, season: Season) -> None:
        """The hub sells its lots of each herb to processors, one to three lots a time."""
        yy = season.year % 100
        by_herb: dict[str, list[int]] = defaultdict(list)
        for index, lot in enumerate(season.station_lots):
            by_herb[lot.herb].append(index)
        dry_numbers: dict[str, int] = defaultdict(int)
        serials: dict[str, int] = defaultdict(int)
        for herb in sorted(by_herb):
            product = self.products[herb]
            ratio = self.facts.herbs[herb].dry_ratio
            rng = self.rng("runs", season.year, herb)
            lots, start = by_herb[herb], 0
            while start < len(lots):
                size = rng.randint(1, RUN_MAX_LOTS)
                take, start = lots[start : start + size], start + size
                processor = rng.choice(self.facts.processors)
                pcode = processor.code.removeprefix("TH-")
                fresh = sum(season.station_lots[i].kg for i in take)
                dry_numbers[processor.code] += 1
                n = dry_numbers[processor.code]
                run = Run(
                    processor=processor,
                    product=product,
                    inputs=take,
                    dry_lot=f"D{yy:02d}-{pcode}-{n:04d}",
                    dry_kg=round(fresh / rng.uniform(*ratio), 1),
                )
                last = max(season.station_lots[i].received for i in take)
                run.sold = _when(last.date() + dt.timedelta(days=rng.randint(1, 2)), rng, 8, 12)
                run.arrived = run.sold + dt.timedelta(minutes=rng.randint(60, 240))
                run.dried = _when(run.arrived.date() + dt.timedelta(days=rng.randint(2, 4)), rng)
                ready = run.dried
                if product.root and rng.random() < SLICED_SHARE:
                    run.sliced_lot = f"C{yy:02d}-{pcode}-{n:04d}"
                    run.sliced_kg = round(run.dry_kg * rng.uniform(0.95, 0.98), 1)
                    run.sliced = ready = _when(run.dried.date() + dt.timedelta(days=1), rng)
                packable = run.sliced_kg or run.dry_kg
                case_kg = BAG_KG * BAGS_PER_CASE
                if product.bag_gtin and packable >= case_kg:
                    cases = int(packable * rng.uniform(*RETAIL_SHARE) / case_kg)
                    cases = min(max(1, cases), int(packable / case_kg))
                    run.serial_start = serials[processor.code] + 1
                    run.bags = cases * BAGS_PER_CASE
                    serials[processor.code] += run.bags
                    run.cases = [Case(sscc="", first=c * BAGS_PER_CASE) for c in range(cases)]
                    run.packed = _when(ready.date() + dt.timedelta(days=1), rng, 8, 9)
                    if rng.random() < SHIPPED_SHARE:
                        run.buyer = rng.choice(self.facts.traders)
                        done = run.packed + cases * PACK_INTERVAL
                        run.dispatched = _when(
                            done.date() + dt.timedelta(days=rng.randint(1, 3)), rng, 8, 17
                        )
                else:
                    run.buyer = rng.choice(self.facts.manufacturers)
                    run.dispatched = _when(ready.date() + dt.timedelta(days=rng.randint(2, 6)), rng)
                if run.dispatched:
                    run.delivered = run.dispatched + dt.timedelta(hours=rng.randint(20, 30))
                for i in take:
                    season.station_lots[i].run = len(season.runs)
                season.runs.append(run)
        # SSCCs are numbered in the order cases are packed, county-wide per year.
        sscc_no = 0
        for run in sorted(season.runs, key=lambda r: (r.packed or r.dried, r.dry_lot)):
            for case in run.cases:
                sscc_no += 1
                ref = f"{yy:02d}{sscc_no:07d}".zfill(16 - len(self.prefix))
                body = "0" + self.prefix + ref
                case.sscc = body + gs1.check_digit(body)
