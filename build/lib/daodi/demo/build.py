"""Build the demo county 太行示范县 as plain rows: a pure function of seed, scale and prefix.

The network (1 county hub, 10 township stations, 50 village buying points), the labs and
the county institutions are fixed; ``scale`` multiplies the co-operatives, processors and
grower households, which is what benchmarks need more of.

Each section draws from its own random stream, named after the section, so adding a new
section (plots, purchases, …) at the end never changes the rows of the earlier ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from daodi.catalog.choices import GIKind
from daodi.orgs.choices import DivisionLevel, OrgKind, Role, SiteKind

from . import catalog, names
from .codes import USCC_COOPERATIVE, DemoError, Numbers, uscc
from .rows import (
    County,
    DivisionRow,
    IndicationRow,
    OrgRow,
    SiteRow,
    TradeItemRow,
    UserRow,
)

DEFAULT_SEED = 2026
DEMO_PASSWORD = "daodi-demo-2026"
DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"
COUNTY_CODE = "990101000000"
COUNTY_SEAT = "990101100000"  # 城关镇
DIVISION6 = COUNTY_CODE[:6]

# Per unit of scale.
COOPERATIVES = 170
HOUSEHOLDS = 2000
PROCESSORS = 40
# Fixed at every scale.
POINTS_PER_TOWNSHIP = 5

HUB_CODE = "TH-HUB"
LAB_CENTRE_CODE = "TH-LAB00"
AGRICULTURE_CODE = "TH-GOV-AGRI"
MARKET_CODE = "TH-GOV-SAMR"
ASSOCIATION_CODE = "TH-ASSN-LDS"

# The production areas of the two geographic indications (townships, by code): 潞党参
# on the high western ridges, 连翘 on the eastern slopes; 城关镇 and 柏坡乡 lie in neither.
DANGSHEN_AREA = ("990101102000", "990101103000", "990101201000", "990101203000")
LIANQIAO_AREA = ("990101101000", "990101104000", "990101202000", "990101204000")

# Relative weight of each herb among a township's co-operatives; a GI area triples its herb.
HERB_WEIGHTS = {
    "dangshen": 3,
    "lianqiao": 3,
    "huangqin": 2,
    "chaihu": 2,
    "shanzhuyu": 1,
    "huajiao": 1,
}
HERB_NAMES = {h.code: h.name for h in catalog.HERBS}

USERS = [
    # username, organisation code (None: platform admin), role
    ("admin", None, None),
    ("hub", HUB_CODE, Role.ADMIN),
    ("station01", "TH-ST01", Role.ADMIN),
    ("point01", "TH-PT01", Role.OPERATOR),
    ("lab01", LAB_CENTRE_CODE, Role.OPERATOR),
    ("regulator", AGRICULTURE_CODE, Role.REGULATOR),
    ("processor01", "TH-PR001", Role.ADMIN),
]


def read_divisions(path: Path = DIVISIONS_CSV) -> list[DivisionRow]:
    """The division tree from its CSV file (code, name, level, parent_code, lat, lon)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            DivisionRow(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                parent_code=r["parent_code"] or None,
                latitude=Decimal(r["latitude"]) if r.get("latitude") else None,
                longitude=Decimal(r["longitude"]) if r.get("longitude") else None,
            )
            for r in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class _Place:
    """A township or village with its seat's coordinates, for placing organisations."""

    code: str
    name: str
    township: str
    latitude: float
    longitude: float


def build_county(
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    company_prefix: str,
    divisions: list[DivisionRow] | None = None,
) -> County:
    """The whole demo county for ``seed`` and ``scale`` (same arguments, same rows)."""
    if scale < 1:
        raise DemoError(_("The scale must be a whole number of at least 1."))
    return _Builder(seed, scale, company_prefix, divisions or read_divisions()).build()


class _Builder:
    def __init__(self, seed: int, scale: int, prefix: str, divisions: list[DivisionRow]):
        self.county = County(seed=seed, scale=scale, divisions=list(divisions))
        self.numbers = Numbers(prefix)
        by_level = defaultdict(list)
        for d in divisions:
            by_level[d.level].append(d)
        if not any(d.code == COUNTY_CODE for d in by_level[DivisionLevel.COUNTY]):
            raise DemoError(
                _("The division file lacks the demo county %(code)s.") % {"code": COUNTY_CODE}
            )
        self.townships = [self._place(d, d.code) for d in by_level[DivisionLevel.TOWNSHIP]]
        self.villages = [self._place(d, d.parent_code) for d in by_level[DivisionLevel.VILLAGE]]
        self.place = {p.code: p for p in self.townships + self.villages}
        self.villages_of = defaultdict(list)
        for v in self.villages:
            self.villages_of[v.township].append(v)
        self.station_of: dict[str, str] = {}  # township code → station code
        self.point_of: dict[str, str] = {}  # village code → code of the point serving it
        self.used_names: set[str] = set()

    @staticmethod
    def _place(d: DivisionRow, township: str) -> _Place:
        return _Place(d.code, d.name, township, float(d.latitude), float(d.longitude))

    def rng(self, section: str) -> random.Random:
        return random.Random(f"daodi-demo/{self.county.seed}/{section}")

    def build(self) -> County:
        self.network()
        self.institutions()
        self.cooperatives()
        self.processors()
        self.households()
        self.users()
        self.herb_catalogue()
        return self.county

    # --- helpers ---------------------------------------------------------------------------
    def org(
        self,
        rng: random.Random,
        *,
        code: str,
        kind: str,
        name: str,
        place: _Place,
        managed_by: str | None,
        address: str,
        contact: str | None = None,
    ) -> OrgRow:
        row = OrgRow(
            code=code,
            kind=str(kind),
            name=name,
            managed_by=managed_by,
            division=place.code,
            gln=self.numbers.gln(),
            contact_person=contact or names.full_name(rng),
            phone=self.numbers.phone(),
            address=address,
        )
        self.county.organisations.append(row)
        return row

    def site(self, rng: random.Random, org: OrgRow, kind: str, name: str) -> SiteRow:
        place = self.place[org.division]
        row = SiteRow(
            organisation=org.code,
            kind=str(kind),
            name=name,
            gln=self.numbers.gln(),
            division=org.division,
            address=org.address,
            latitude=_coordinate(place.latitude + rng.uniform(-0.004, 0.004)),
            longitude=_coordinate(place.longitude + rng.uniform(-0.004, 0.004)),
        )
        self.county.sites.append(row)
        return row

    def unique_name(self, make: Callable[[], str]) -> str:
        """A name not used before: ``make`` is retried, then the name is numbered."""
        for _attempt in range(50):
            name = make()
            if name not in self.used_names:
                break
        n = 2
        base = name
        while name in self.used_names:
            name, n = f"{base}{_ordinal(n)}", n + 1
        self.used_names.add(name)
        return name

    def address(self, place: _Place, number: int) -> str:
        if place.code == place.township:
            return f"{names.COUNTY}{place.name}{number}号"
        return f"{names.COUNTY}{self.place[place.township].name}{place.name}{number}号"

    def street_address(self, rng: random.Random, place: _Place) -> str:
        return f"{names.COUNTY}{place.name}{rng.choice(names.STREETS)}{rng.randint(1, 199)}号"

    # --- sections --------------------------------------------------------------------------
    def network(self) -> None:
        """The county hub, a station in every township and five village points in each."""
        rng = self.rng("network")
        seat = self.place[COUNTY_SEAT]
        hub = self.org(
            rng,
            code=HUB_CODE,
            kind=OrgKind.COUNTY_HUB,
            name=f"{names.COUNTY}中药材县级运营中心",
            place=seat,
            managed_by=None,
            address=f"{names.COUNTY}城关镇药都大道1号",
        )
        self.site(rng, hub, SiteKind.OFFICE, "县级运营中心办公楼")
        self.site(rng, hub, SiteKind.WAREHOUSE, "县级运营中心中药材仓储库")
        point_no = 0
        for i, township in enumerate(self.townships, 1):
            station = self.org(
                rng,
                code=f"TH-ST{i:02d}",
                kind=OrgKind.TOWNSHIP_STATION,
                name=f"{township.name}中药材服务站",
                place=township,
                managed_by=hub.code,
                address=self.street_address(rng, township),
            )
            self.station_of[township.code] = station.code
            self.site(rng, station, SiteKind.WAREHOUSE, f"{township.name}服务站仓库")
            self.site(rng, station, SiteKind.DRYING_YARD, f"{township.name}服务站晾晒场")
            villages = self.villages_of[township.code]
            chosen = sorted(rng.sample(villages, POINTS_PER_TOWNSHIP), key=lambda v: v.code)
            points = []
            for village in chosen:
                point_no += 1
                point = self.org(
                    rng,
                    code=f"TH-PT{point_no:02d}",
                    kind=OrgKind.VILLAGE_POINT,
                    name=f"{village.name}中药材收购点",
                    place=village,
                    managed_by=station.code,
                    address=self.address(village, rng.randint(1, 120)),
                )
                self.site(rng, point, SiteKind.BUYING_POINT, f"{village.name}收购点")
                points.append((village, point.code))
            # Growers sell at the nearest point of their township.
            for village in villages:
                nearest = min(points, key=lambda p: _distance2(p[0], village))
                self.point_of[village.code] = nearest[1]

    def institutions(self) -> None:
        """Labs, the two county bureaus, the 潞党参 association, traders, logistics, makers."""
        rng = self.rng("institutions")
        seat = self.place[COUNTY_SEAT]
        centre = self.org(
            rng,
            code=LAB_CENTRE_CODE,
            kind=OrgKind.LAB,
            name=f"{names.COUNTY}中药材检验检测中心",
            place=seat,
            managed_by=None,
            address=self.street_address(rng, seat),
        )
        self.site(rng, centre, SiteKind.LAB, "检验检测中心实验室")
        # Eleven stations: one per township and a rapid-test room at the hub.
        stations = [(t, f"{t.name}中药材检测站") for t in self.townships]
        stations.append((seat, f"{names.COUNTY}运营中心快检室"))
        for i, (place, name) in enumerate(stations, 1):
            lab = self.org(
                rng,
                code=f"TH-LAB{i:02d}",
                kind=OrgKind.LAB,
                name=name,
                place=place,
                managed_by=centre.code,
                address=self.street_address(rng, place),
            )
            self.site(rng, lab, SiteKind.LAB, name if name.endswith("室") else f"{name}实验室")
        for code, name in ((AGRICULTURE_CODE, "农业农村局"), (MARKET_CODE, "市场监督管理局")):
            bureau = self.org(
                rng,
                code=code,
                kind=OrgKind.GOVERNMENT,
                name=names.COUNTY + name,
                place=seat,
                managed_by=None,
                address=self.street_address(rng, seat),
            )
            self.site(rng, bureau, SiteKind.OFFICE, f"{name}办公楼")
        association = self.org(
            rng,
            code=ASSOCIATION_CODE,
            kind=OrgKind.COOPERATIVE,
            name=f"{names.COUNTY}潞党参产业协会",
            place=self.place[DANGSHEN_AREA[0]],
            managed_by=None,
            address=self.street_address(rng, self.place[DANGSHEN_AREA[0]]),
        )
        self.site(rng, association, SiteKind.OFFICE, "潞党参产业协会办公室")
        others = [
            ("TH-TR01", OrgKind.TRADER, "中药材购销有限公司", SiteKind.WAREHOUSE, "购销仓库"),
            ("TH-TR02", OrgKind.TRADER, "药材商行", SiteKind.SHOP, "门市"),
            ("TH-TR03", OrgKind.TRADER, "电子商务有限公司", SiteKind.WAREHOUSE, "电商发货仓"),
            ("TH-TR04", OrgKind.TRADER, "山货网店", SiteKind.SHOP, "网店体验店"),
            ("TH-LG01", OrgKind.LOGISTICS, "物流有限公司", SiteKind.WAREHOUSE, "物流园"),
            ("TH-MF01", OrgKind.MANUFACTURER, "制药有限公司", SiteKind.PLANT, "制剂厂区"),
            ("TH-MF02", OrgKind.MANUFACTURER, "药业股份有限公司", SiteKind.PLANT, "提取车间"),
        ]
        for code, kind, suffix, site_kind, site_name in others:
            name = self.unique_name(lambda s=suffix: f"{names.COUNTY}{names.brand(rng)}{s}")
            org = self.org(
                rng,
                code=code,
                kind=kind,
                name=name,
                place=seat,
                managed_by=None,
                address=self.street_address(rng, seat),
            )
            self.site(rng, org, site_kind, site_name)

    def cooperatives(self) -> None:
        """Farmers' co-operatives (专业合作社), each growing one main herb, under its station."""
        rng = self.rng("cooperatives")
        total = COOPERATIVES * self.county.scale
        weights = [rng.uniform(0.5, 1.5) for _village in self.villages]
        for village in rng.choices(self.villages, weights=weights, k=total):
            herb = _main_herb(rng, village.township)
            short = village.name.removesuffix("村")
            township = self.place[village.township].name
            patterns = [
                lambda s=short, h=herb: f"{names.COUNTY}{s}{HERB_NAMES[h]}种植专业合作社",
                lambda s=short: f"{names.COUNTY}{s}中药材种植专业合作社",
                lambda h=herb: f"{names.COUNTY}{names.brand(rng)}{HERB_NAMES[h]}专业合作社",
                lambda t=township: f"{names.COUNTY}{t[:-1]}{names.brand(rng)}中药材专业合作社",
            ]
            name = self.unique_name(lambda p=patterns: rng.choice(p)())
            coop = self.org(
                rng,
                code=uscc(USCC_COOPERATIVE, DIVISION6, rng),
                kind=OrgKind.COOPERATIVE,
                name=name,
                place=village,
                managed_by=self.station_of[village.township],
                address=self.address(village, rng.randint(1, 120)),
            )
            self.site(rng, coop, SiteKind.WAREHOUSE, f"{name.removeprefix(names.COUNTY)}库房")

    def processors(self) -> None:
        """Processing enterprises: half in the county seat's industrial area, half in townships."""
        rng = self.rng("processors")
        kinds = [
            ("中药饮片有限公司", 3),
            ("中药材产地加工有限公司", 4),
            ("药业有限公司", 2),
            ("植物提取有限公司", 1),
        ]
        for i in range(1, PROCESSORS * self.county.scale + 1):
            place = self.place[COUNTY_SEAT] if rng.random() < 0.5 else rng.choice(self.townships)
            suffix = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
            name = self.unique_name(lambda s=suffix: f"{names.COUNTY}{names.brand(rng)}{s}")
            org = self.org(
                rng,
                code=f"TH-PR{i:03d}",
                kind=OrgKind.PROCESSOR,
                name=name,
                place=place,
                managed_by=None,
                address=self.street_address(rng, place),
            )
            self.site(rng, org, SiteKind.PLANT, f"{name.removeprefix(names.COUNTY)}厂区")

    def households(self) -> None:
        """Grower households (农户), each kept by the village point nearest to its village."""
        rng = self.rng("households")
        weights = [rng.uniform(0.4, 1.6) for _village in self.villages]
        counter: dict[str, int] = defaultdict(int)
        for village in rng.choices(
            self.villages, weights=weights, k=HOUSEHOLDS * self.county.scale
        ):
            counter[village.code] += 1
            head = names.full_name(rng)
            self.org(
                rng,
                code=f"TH-HH-{village.code}-{counter[village.code]:04d}",
                kind=OrgKind.HOUSEHOLD,
                name=head,
                contact=head,
                place=village,
                managed_by=self.point_of[village.code],
                address=self.address(village, rng.randint(1, 300)),
            )

    def users(self) -> None:
        rng = self.rng("users")
        for username, org, role in USERS:
            surname, given = names.person(rng)
            self.county.users.append(
                UserRow(
                    username=username,
                    last_name=surname,
                    first_name=given,
                    phone=self.numbers.phone(),
                    organisation=org,
                    role=role and str(role),
                    is_superuser=org is None,
                )
            )

    def herb_catalogue(self) -> None:
        """Herbs, grades, the two geographic indications and a few GTINs."""
        self.county.herbs = list(catalog.HERBS)
        self.county.grades = list(catalog.GRADES)
        self.county.indications = [
            IndicationRow(
                name="太行潞党参",
                herb="dangshen",
                kind=GIKind.CERTIFICATION_MARK.value,
                registration_no="第99000601号",
                holder=f"{names.COUNTY}潞党参产业协会",
                holder_org=ASSOCIATION_CODE,
                registered_on=dt.date(2012, 9, 14),
                divisions=DANGSHEN_AREA,
                description="地理标志证明商标（虚构）。产地范围为县境西部海拔1000米以上的"
                "四个乡镇；条长、皮细、断面有菊花心，味甜。",
            ),
            IndicationRow(
                name="太行连翘",
                herb="lianqiao",
                kind=GIKind.PROTECTED_PRODUCT.value,
                registration_no="公告第9901号",
                holder=f"{names.COUNTY}市场监督管理局",
                holder_org=MARKET_CODE,
                registered_on=dt.date(2016, 11, 8),
                divisions=LIANQIAO_AREA,
                description="地理标志保护产品（虚构）。产地范围为县境东部四个乡镇的向阳坡地；"
                "青翘色绿、果壳厚、挥发油含量高。",
            ),
        ]
        for herb, spec, grade, pack, quantity, unit in catalog.TRADE_ITEMS:
            self.county.trade_items.append(
                TradeItemRow(
                    gtin=self.numbers.gtin(variable_measure=quantity is None),
                    herb=herb,
                    specification=spec,
                    grade=grade,
                    pack=pack,
                    net_quantity=quantity,
                    unit=unit,
                )
            )


def _main_herb(rng: random.Random, township: str) -> str:
    weights = dict(HERB_WEIGHTS)
    if township in DANGSHEN_AREA:
        weights["dangshen"] *= 3
    if township in LIANQIAO_AREA:
        weights["lianqiao"] *= 3
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _distance2(a: _Place, b: _Place) -> float:
    return (a.latitude - b.latitude) ** 2 + (a.longitude - b.longitude) ** 2


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _ordinal(n: int) -> str:
    """二, 三, … for numbering a repeated name (第二社 style), digits beyond ten."""
    return f"（{'一二三四五六七八九十'[n - 1] if n <= 10 else n}）"
