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
FERTILISERS = [
    ("腐熟农家肥", "2000 kg/亩"),
    ("生物有机肥", "150 kg/亩"),
    ("复合肥 15-15-15", "30 kg/亩"),
]
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
    from daodi.orgs.choices import OrgKind, SiteKind
    from daodi.orgs.models import Organisation, Site

    from .build import read_divisions

    prefix = settings.GS1_COMPANY_PREFIX
    orgs = list(
        Organisation.objects.filter(code__startswith="TH-").values_list(
            "code", "kind", "gln", "division__code", "managed_by__code"
        )
    )
    site_of: dict[str, str] = {}
    for code, gln in (
        Site.objects.filter(organisation__code__startswith="TH-")
        .order_by("organisation__code", "id")
        .values_list("organisation__code", "gln")
    ):
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
        # Plot sites are the ones this module hands out: leaving them out keeps the plan of
        # a county the same once its plots exist.
        for g in [
            *(o[2] for o in orgs),
            *Site.objects.exclude(kind=SiteKind.PLOT).values_list("gln", flat=True),
        ]
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
    applications: list[tuple[dt.datetime, Plot, str, str, int | None]] = field(default_factory=list)
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
            (
                i
                for i in bulk
                if bag and (i.specification, i.grade) == (bag.specification, bag.grade)
            ),
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


# --- identifiers -------------------------------------------------------------------------
# Built by string formatting (the keys are ours and well-formed; the tests parse them all).
# Points, stations and the hub write GS1 Digital Links; processors' packing lines write EPC
# URNs, as many line systems do: the store must match both forms as one identifier.


def lgtin(gtin: str, lot: str) -> str:
    return f"{DL}/01/{gtin}/10/{lot}"


def sgtin(gtin: str, serial: str) -> str:
    return f"{DL}/01/{gtin}/21/{serial}"


def sscc(code: str) -> str:
    return f"{DL}/00/{code}"


def sgln(gln: str) -> str:
    return f"{DL}/414/{gln}"


def pgln(gln: str) -> str:
    return f"{DL}/417/{gln}"


def _gtin_parts(gtin: str, n: int) -> str:
    return f"{gtin[1 : 1 + n]}.{gtin[0]}{gtin[1 + n : 13]}"


def lgtin_urn(gtin: str, lot: str, n: int) -> str:
    return f"urn:epc:class:lgtin:{_gtin_parts(gtin, n)}.{lot}"


def sgtin_urn(gtin: str, serial: str, n: int) -> str:
    return f"urn:epc:id:sgtin:{_gtin_parts(gtin, n)}.{serial}"


def sscc_urn(code: str, n: int) -> str:
    return f"urn:epc:id:sscc:{code[1 : 1 + n]}.{code[0]}{code[1 + n : 17]}"


def serial(year: int, processor: Party, number: int) -> str:
    """A bag's serial: year, processor number, running number (e.g. 26012000042)."""
    return f"{year % 100:02d}{int(processor.code[-3:]):03d}{number:06d}"


# --- the history --------------------------------------------------------------------------


@dataclass(frozen=True)
class RetailItem:
    """A serialised 500 g bag: its canonical identifier and where it sits in the plan."""

    identifier: str
    gtin: str
    lot: str
    serial: str
    season: int
    run: int
    bag: int

    @property
    def path(self) -> str:
        """The Digital Link path printed on the bag (lot and serial)."""
        return f"/01/{self.gtin}/10/{self.lot}/21/{self.serial}"


@dataclass(frozen=True)
class Origins:
    harvest_lots: frozenset[str]
    plots: frozenset[str]  # GLNs
    households: frozenset[str]  # organisation codes


class History:
    """A planned history: its plots, its lots, its events (lazily) and the expected lineage."""

    def __init__(self, planner: Planner, seasons: list[Season]):
        self.planner = planner
        self.facts = planner.facts
        self.seasons = seasons
        self.count = sum(s.count for s in seasons)
        self.n = len(self.facts.company_prefix)

    @property
    def plots(self) -> list[Plot]:
        """The plots harvested in any season of the history, in GLN order."""
        seen = {h.plot.gln: h.plot for s in self.seasons for h in s.harvests}
        return [seen[g] for g in sorted(seen)]

    # Expected lineage ---------------------------------------------------------------------
    def items(self) -> Iterator[RetailItem]:
        for si, season in enumerate(self.seasons):
            for ri, run in enumerate(season.runs):
                for bag in range(run.bags):
                    yield self.item(si, ri, bag)

    def item(self, si: int, ri: int, bag: int) -> RetailItem:
        season = self.seasons[si]
        run = season.runs[ri]
        number = serial(season.year, run.processor, run.serial_start + bag)
        gtin = run.product.bag_gtin
        return RetailItem(sgtin(gtin, number), gtin, run.packed_lot, number, si, ri, bag)

    def case_of(self, item: RetailItem) -> str:
        run = self.seasons[item.season].runs[item.run]
        return sscc(run.cases[item.bag // BAGS_PER_CASE].sscc)

    def origins(self, item: RetailItem) -> Origins:
        season = self.seasons[item.season]
        harvests = [
            season.harvests[h]
            for s in season.runs[item.run].inputs
            for h in season.station_lots[s].inputs
        ]
        return Origins(
            frozenset(lgtin(h.gtin, h.lot) for h in harvests),
            frozenset(h.plot.gln for h in harvests),
            frozenset(h.household.code for h in harvests),
        )

    def hops(self, item: RetailItem) -> int:
        """Purchase, commingling, hub and plant receipts, drying, [slicing], packing, [trader]."""
        run = self.seasons[item.season].runs[item.run]
        return 6 + (run.sliced_lot is not None) + (run.buyer is not None)

    def harvest_lots(self) -> Iterator[tuple[str, int, int]]:
        for si, season in enumerate(self.seasons):
            for hi, h in enumerate(season.harvests):
                yield lgtin(h.gtin, h.lot), si, hi

    def downstream(self, si: int, hi: int) -> set[str]:
        """Every lot, bag and case made from harvest lot ``hi`` of season ``si`` (itself too)."""
        season = self.seasons[si]
        harvest = season.harvests[hi]
        station = season.station_lots[harvest.station_lot]
        run = season.runs[station.run]
        found = {lgtin(harvest.gtin, harvest.lot), lgtin(station.gtin, station.lot)}
        found.add(lgtin(run.product.dry_gtin, run.dry_lot))
        if run.sliced_lot:
            found.add(lgtin(run.product.dry_gtin, run.sliced_lot))
        found.update(self.item(si, station.run, b).identifier for b in range(run.bags))
        found.update(sscc(c.sscc) for c in run.cases)
        return found

    # Events -------------------------------------------------------------------------------
    def events(self) -> Iterator[dict]:
        """Every event of the history as an EPCIS 2.0 JSON-LD dict, oldest first."""
        for season in self.seasons:
            yield from _Emitter(self, season).events()


def _time(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S") + OFFSET


def _parties(source: Party, destination: Party) -> dict:
    return {
        "sourceList": [{"type": "owning_party", "source": pgln(source.gln)}],
        "destinationList": [{"type": "owning_party", "destination": pgln(destination.gln)}],
    }


def _kg(value: float) -> dict:
    return {"quantity": value, "uom": "KGM"}


class _Emitter:
    """Turns one season's plan into its events, sorted by time (ties in plan order)."""

    def __init__(self, history: History, season: Season):
        self.h = history
        self.s = season
        self.f = history.facts
        self.n = history.n

    def schedule(self) -> list[tuple]:
        s, out = self.s, []
        add = out.append
        for i, app in enumerate(s.applications):
            add((app[0], 0, i, "application", 0))
        for i, h in enumerate(s.harvests):
            add((h.harvested, 1, i, "harvest", 0))
            add((h.bought, 2, i, "purchase", 0))
        for i, lot in enumerate(s.station_lots):
            add((lot.made, 3, i, "commingling", 0))
            add((lot.shipped, 4, i, "dispatch", 0))
            add((lot.received, 5, i, "hub_receipt", 0))
        for i, run in enumerate(s.runs):
            add((run.sold, 6, i, "sale", 0))
            add((run.arrived, 7, i, "plant_receipt", 0))
            add((run.dried, 8, i, "drying", 0))
            if run.sliced_lot:
                add((run.sliced, 9, i, "slicing", 0))
            for c in range(len(run.cases)):
                at = run.packed + c * PACK_INTERVAL
                add((at, 10, i, "packing", c))
                add((at + dt.timedelta(minutes=1), 11, i, "aggregation", c))
            if run.buyer:
                add((run.dispatched, 12, i, "shipping", 0))
                add((run.delivered, 13, i, "delivery", 0))
        out.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
        return out

    def events(self) -> Iterator[dict]:
        for when, _order, index, kind, extra in self.schedule():
            event = getattr(self, kind)(index, extra)
            yield {
                "type": event.pop("type"),
                "eventTime": _time(when),
                "eventTimeZoneOffset": OFFSET,
                **event,
            }

    # One method per kind of event ----------------------------------------------------------
    def application(self, i: int, _extra) -> dict:
        _when, plot, product, dose, interval = self.s.applications[i]
        place = {"id": sgln(plot.gln)}
        event = {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "bizStep": profile.INPUT_APPLICATION,
            "epcList": [],
            "readPoint": place,
            "bizLocation": place,
            profile.term(profile.ILMD_HERB): plot.herb,
            profile.term(profile.ILMD_INPUT_PRODUCT): product,
            profile.term(profile.ILMD_INPUT_DOSE): dose,
        }
        if interval is not None:
            event[profile.term(profile.ILMD_SAFETY_INTERVAL_DAYS)] = interval
        return event

    def harvest(self, i: int, _extra) -> dict:
        h = self.s.harvests[i]
        place = {"id": sgln(h.plot.gln)}
        township = self.f.villages[h.plot.village][0]
        ilmd = {
            profile.term(profile.ILMD_HERB): h.plot.herb,
            profile.term(profile.ILMD_PLOT): sgln(h.plot.gln),
            profile.term(profile.ILMD_HARVEST_DATE): h.harvested.date().isoformat(),
            profile.term(profile.ILMD_HERB_AGE): self.s.year - h.plot.planted,
            profile.term(profile.ILMD_FRESH_WEIGHT): h.kg,
            profile.term(profile.ILMD_ORIGIN): h.plot.village,
            profile.term("plots"): [sgln(h.plot.gln)],  # as the farm app's harvests write
        }
        gi = self.f.indications.get(h.plot.herb)
        if gi and township in gi[1]:
            ilmd[profile.term(profile.ILMD_GI_CLAIM)] = gi[0]
        return {
            "type": "ObjectEvent",
            "action": "ADD",
            "bizStep": profile.HARVESTING,
            "disposition": "active",
            "quantityList": [{"epcClass": lgtin(h.gtin, h.lot), **_kg(h.kg)}],
            "readPoint": place,
            "bizLocation": place,
            "ilmd": ilmd,
        }

    def purchase(self, i: int, _extra) -> dict:
        h = self.s.harvests[i]
        point = self.f.points[h.household.point]
        place = {"id": sgln(point.site_gln)}
        return {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "quantityList": [{"epcClass": lgtin(h.gtin, h.lot), **_kg(h.kg)}],
            "readPoint": place,
            "bizLocation": place,
            **_parties(Party(h.household.code, h.household.gln, ""), point),
        }

    def commingling(self, i: int, _extra) -> dict:
        lot = self.s.station_lots[i]
        station = self.f.stations[lot.station]
        place = {"id": sgln(station.site_gln)}
        inputs = [self.s.harvests[j] for j in lot.inputs]
        return {
            "type": "TransformationEvent",
            "bizStep": "commissioning",
            "disposition": "active",
            "inputQuantityList": [{"epcClass": lgtin(h.gtin, h.lot), **_kg(h.kg)} for h in inputs],
            "outputQuantityList": [{"epcClass": lgtin(lot.gtin, lot.lot), **_kg(lot.kg)}],
            "readPoint": place,
            "bizLocation": place,
            "ilmd": {
                profile.term(profile.ILMD_HERB): lot.herb,
                profile.term(profile.ILMD_ORIGIN): station.division,
            },
        }

    def _move(self, step: str, classes: list[dict], src: Party, dst: Party, at: Party | None):
        event = {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "bizStep": step,
            "disposition": "in_transit" if step == "shipping" else "in_progress",
            "quantityList": classes,
            "readPoint": {"id": sgln((at or src).site_gln)},
            **_parties(src, dst),
        }
        if at is not None:
            event["bizLocation"] = {"id": sgln(at.site_gln)}
        return event

    def dispatch(self, i: int, _extra) -> dict:
        lot = self.s.station_lots[i]
        item = [{"epcClass": lgtin(lot.gtin, lot.lot), **_kg(lot.kg)}]
        return self._move("shipping", item, self.f.stations[lot.station], self.f.hub, None)

    def hub_receipt(self, i: int, _extra) -> dict:
        lot = self.s.station_lots[i]
        item = [{"epcClass": lgtin(lot.gtin, lot.lot), **_kg(lot.kg)}]
        hub = self.f.hub
        return self._move("receiving", item, self.f.stations[lot.station], hub, hub)

    def _run_inputs(self, run: Run) -> list[dict]:
        lots = [self.s.station_lots[j] for j in run.inputs]
        return [{"epcClass": lgtin(lot.gtin, lot.lot), **_kg(lot.kg)} for lot in lots]

    def sale(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        return self._move("shipping", self._run_inputs(run), self.f.hub, run.processor, None)

    def plant_receipt(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        p = run.processor
        return self._move("receiving", self._run_inputs(run), self.f.hub, p, p)

    def _transformation(self, run: Run, step: str, inputs, outputs, ilmd=None) -> dict:
        place = {"id": sgln(run.processor.site_gln)}
        event = {
            "type": "TransformationEvent",
            "bizStep": step,
            "disposition": "active" if step != "packing" else "in_progress",
            **inputs,
            **outputs,
            "readPoint": place,
            "bizLocation": place,
        }
        if ilmd:
            event["ilmd"] = ilmd
        return event

    def drying(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        fresh = round(sum(self.s.station_lots[j].kg for j in run.inputs), 1)
        return self._transformation(
            run,
            profile.DRYING,
            {"inputQuantityList": self._run_inputs(run)},
            {
                "outputQuantityList": [
                    {"epcClass": lgtin(run.product.dry_gtin, run.dry_lot), **_kg(run.dry_kg)}
                ]
            },
            {
                profile.term(profile.ILMD_HERB): run.product.herb,
                profile.term(profile.ILMD_FRESH_WEIGHT): fresh,
                profile.term(profile.ILMD_DRY_WEIGHT): run.dry_kg,
            },
        )

    def slicing(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        gtin = run.product.dry_gtin
        return self._transformation(
            run,
            profile.SLICING,
            {"inputQuantityList": [{"epcClass": lgtin(gtin, run.dry_lot), **_kg(run.dry_kg)}]},
            {
                "outputQuantityList": [
                    {"epcClass": lgtin(gtin, run.sliced_lot), **_kg(run.sliced_kg)}
                ]
            },
        )

    def _bags(self, run: Run, case: int) -> list[str]:
        first = run.serial_start + run.cases[case].first
        gtin, year = run.product.bag_gtin, self.s.year
        return [
            sgtin_urn(gtin, serial(year, run.processor, k), self.n)
            for k in range(first, first + BAGS_PER_CASE)
        ]

    def packing(self, i: int, case: int) -> dict:
        run = self.s.runs[i]
        source = lgtin_urn(run.product.dry_gtin, run.packed_lot, self.n)
        return self._transformation(
            run,
            "packing",
            {"inputQuantityList": [{"epcClass": source, **_kg(BAG_KG * BAGS_PER_CASE)}]},
            {"outputEPCList": self._bags(run, case)},
        )

    def aggregation(self, i: int, case: int) -> dict:
        run = self.s.runs[i]
        place = {"id": sgln(run.processor.site_gln)}
        return {
            "type": "AggregationEvent",
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "parentID": sscc_urn(run.cases[case].sscc, self.n),
            "childEPCs": self._bags(run, case),
            "readPoint": place,
            "bizLocation": place,
        }

    def _consignment(self, run: Run) -> dict:
        if run.cases:
            return {"epcList": [sscc_urn(c.sscc, self.n) for c in run.cases]}
        kg = run.sliced_kg or run.dry_kg
        return {
            "quantityList": [{"epcClass": lgtin(run.product.dry_gtin, run.packed_lot), **_kg(kg)}]
        }

    def shipping(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        event = self._move("shipping", [], run.processor, run.buyer, None)
        del event["quantityList"]
        return {**event, **self._consignment(run)}

    def delivery(self, i: int, _extra) -> dict:
        run = self.s.runs[i]
        event = self._move("receiving", [], run.processor, run.buyer, run.buyer)
        del event["quantityList"]
        return {**event, **self._consignment(run)}


# --- planning a history of a given size ---------------------------------------------------


def plan(
    facts: CountyFacts,
    *,
    seed: int = DEFAULT_SEED,
    events: int | None = None,
    households: int | None = None,
) -> History:
    """The history of about ``events`` events (complete chains, so a little more), or of one
    season with the first ``households`` households. A target beyond one full season adds
    earlier seasons (… 2024, 2025, 2026), the earliest one partial."""
    planner = Planner(facts, seed)
    total = len(planner.order)
    if events is None:
        return History(planner, [planner.season(LAST_SEASON, households or total)])
    full = planner.season(LAST_SEASON, total)
    if events >= full.count:
        seasons = [full]
        year = LAST_SEASON - 1
        while sum(s.count for s in seasons) < events:
            season = planner.season(year, total)
            missing = events - sum(s.count for s in seasons)
            if season.count > missing:
                season = _fit(planner, year, missing, season.count, total)
            seasons.insert(0, season)
            year -= 1
        return History(planner, seasons)
    return History(planner, [_fit(planner, LAST_SEASON, events, full.count, total)])


def _fit(planner: Planner, year: int, target: int, full: int, total: int) -> Season:
    """The season whose first k households give about ``target`` events (k by secant)."""
    k = max(1, round(total * target / full))
    season = planner.season(year, k)
    for _attempt in range(6):
        if abs(season.count - target) <= max(20, target // 100):
            break
        k = max(1, min(total, round(k * target / max(season.count, 1))))
        season = planner.season(year, k)
    return season


# --- writing: plots and events into the database, events into documents -------------------


def create_plots(history: History) -> int:
    """Insert the plot sites the history harvests (one per plot GLN not yet in the database)."""
    from daodi.orgs.choices import SiteKind
    from daodi.orgs.models import Division, Organisation, Site

    plots = history.plots
    have = set(Site.objects.filter(gln__in=[p.gln for p in plots]).values_list("gln", flat=True))
    plots = [p for p in plots if p.gln not in have]
    orgs = dict(
        Organisation.objects.filter(code__in={p.household for p in plots}).values_list("code", "id")
    )
    divisions = dict(
        Division.objects.filter(code__in={p.village for p in plots}).values_list("code", "id")
    )
    from decimal import Decimal

    from .build import HERB_NAMES

    Site.objects.bulk_create(
        [
            Site(
                organisation_id=orgs[p.household],
                kind=SiteKind.PLOT,
                name=f"{HERB_NAMES.get(p.herb, p.herb)}地块{p.number}",  # e.g. 党参地块3
                gln=p.gln,
                division_id=divisions[p.village],
                latitude=Decimal(f"{p.latitude:.6f}"),
                longitude=Decimal(f"{p.longitude:.6f}"),
            )
            for p in plots
        ],
        batch_size=1000,
    )
    from daodi.farm.demo import plots_for_sites

    plots_for_sites(plots)  # the farm app keeps the plot records (area, herb, planted)
    return len(plots)


def load(history: History, *, organisation=None, chunk: int = 20_000):
    """Create the plots and capture the history's events (one capture per ``chunk`` events)."""
    from itertools import islice

    from daodi.trace.capture import capture_events
    from daodi.trace.models import Capture

    create_plots(history)
    stream = enumerate(history.events())
    stored = 0
    while True:
        part = list(islice(stream, chunk))
        if not part:
            return stored
        outcome = capture_events(
            part,
            capture=Capture.objects.create(organisation=organisation),
            prefixes=PREFIXES,
            organisation=organisation,
        )
        if outcome.errors:  # our own events: a refusal is a bug in this module
            raise RuntimeError(f"history events refused: {outcome.errors[:3]}")
        stored += len(outcome.stored)


def write_document(events, fp, *, created: str = "2026-12-31T00:00:00Z") -> int:
    """Write ``events`` as one EPCIS 2.0 JSON-LD document to a text file, streaming."""
    import json

    head = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
    }
    fp.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "epcisBody": {"eventList": [\n')
    count = 0
    for event in events:
        if count:
            fp.write(",\n")
        fp.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        count += 1
    fp.write("\n]}}\n")
    return count


# --- the demo season ----------------------------------------------------------------------

DEMO_EVENTS = 3000


@dataclass
class DemoSeason:
    history: History
    plots: int
    events: int
    example: RetailItem | None


def example_item(history: History) -> RetailItem | None:
    """A bag worth showing: the first from a sliced run that reached a trader, else any."""
    best = None
    for si, season in enumerate(history.seasons):
        for ri, run in enumerate(season.runs):
            if run.bags and best is None:
                best = history.item(si, ri, 0)
            if run.bags and run.sliced_lot and run.buyer:
                return history.item(si, ri, 0)
    return best


def load_demo(*, seed: int = DEFAULT_SEED, events: int = DEMO_EVENTS) -> DemoSeason:
    """Plan and capture a small season on the loaded demo county, in one transaction."""
    from django.db import transaction

    from daodi.orgs.models import Organisation

    facts = county_facts()
    history = plan(facts, seed=seed, events=events)
    with transaction.atomic():
        plots = len(history.plots)
        hub = Organisation.objects.get(gln=facts.hub.gln, code=facts.hub.code)
        stored = load(history, organisation=hub)
    return DemoSeason(history, plots, stored, example_item(history))


def remove_trace(organisations) -> int:
    """Delete the trace records of ``organisations`` (a queryset) so a demo can be reset.

    Events are append-only in use; this is for taking the fictional demo out again only.
    Returns how many events went.
    """
    from django.db.models import Q

    from daodi.trace.models import Capture, Event, Lot, Recall

    captures = Capture.objects.filter(organisation__in=organisations)
    events = Event.objects.filter(Q(organisation__in=organisations) | Q(capture__in=captures))
    Recall.objects.filter(Q(organisation__in=organisations) | Q(capture__in=captures)).delete()
    Lot.objects.filter(
        Q(holder__in=organisations)
        | Q(site__organisation__in=organisations)
        | Q(first_event__in=events)
        | Q(last_event__in=events)
    ).delete()
    count, _ = events.delete()
    captures.delete()
    return count
