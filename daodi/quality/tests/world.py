"""A small testing world shared by the quality tests and the authorization matrices.

The shared test chain (``daodi.trace.tests.chain``) gives lots A–D of 党参 held by village
point PT1's household; the county testing centre (a lab) has an analyst and a reviewer; an
approved ChP-style set and a food-use set cover 党参. Nothing here is a mock: every record
is written by the real actions.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import make_org, make_user
from daodi.catalog.models import Grade, Herb, TradeItem
from daodi.core.actor import Actor
from daodi.orgs.choices import OrgKind, Role
from daodi.trace.models import Lot
from daodi.trace.tests.chain import capture_chain, dl_lot

from .. import actions

CHP_ITEMS = [
    {"herb": "党参", "test_item": "水分", "op": "<=", "limit": "16.0", "unit": "%",
     "method": "0832 第二法", "confidence": "M"},
    {"herb": "党参", "test_item": "总灰分", "op": "<=", "limit": "5.0", "unit": "%",
     "method": "2302", "confidence": "M"},
    {"herb": "党参", "test_item": "二氧化硫残留量", "op": "<=", "limit": "400", "unit": "mg/kg",
     "method": "2331", "confidence": "V"},
    {"herb": "党参", "test_item": "醇溶性浸出物", "op": ">=", "limit": "55.0", "unit": "%",
     "basis": "dry", "method": "2201", "confidence": "M"},
    {"herb": "*", "test_item": "甲胺磷", "op": "nd", "limit": "0.05", "unit": "mg/kg",
     "panel": "33种禁用农药", "required": False, "method": "0212", "confidence": "M"},
    {"herb": "*", "test_item": "对硫磷", "op": "nd", "limit": "0.02", "unit": "mg/kg",
     "panel": "33种禁用农药", "required": False, "method": "0212", "confidence": "M"},
]  # fmt: skip
FOOD_ITEMS = [
    {"herb": "党参", "test_item": "铅 (Pb)", "op": "<=", "limit": "1.0", "unit": "mg/kg",
     "confidence": "V"},
    {"herb": "党参", "test_item": "二氧化硫残留量", "op": "<=", "limit": "400", "unit": "mg/kg",
     "confidence": "V"},
]  # fmt: skip
GOOD = {"水分": "12.5", "总灰分": "4.1", "二氧化硫残留量": "<10", "醇溶性浸出物": "50.2"}
INSTRUMENT_CSV = (
    "Sample ID,Analyte,Conc.,Units,LOQ,Run date\n"
    "S1,水分,12.5,%,,2026-07-20\n"
    "S1,总灰分,4.1,%,,2026-07-20\n"
    "S1,二氧化硫残留量,ND,mg/kg,10,2026-07-20\n"
    "S1,醇溶性浸出物,50.2,%,,2026-07-20\n"
)


def spec_set(actor, *, code, items, authority="chp", edition="ChP 2020", approve=True, org=None):
    created = actions.create_spec_set(
        actor=actor,
        organisation=org,
        code=code,
        name=f"{edition} 测试标准",
        authority=authority,
        edition=edition,
        items=items,
    )
    if approve:
        created = actions.approve_spec_set(actor=actor, spec_set=created)
    return created


class QualityWorld:
    """Lots, a lab with two people, two approved sets, a mapping."""

    def __init__(self, network, *, herb=None):
        system = Actor.system()
        self.n = network
        self.herb = herb or Herb.objects.filter(name="党参").first()
        if self.herb is None:
            self.herb = Herb.objects.create(code="dangshen", name="党参", pinyin="dangshen")
        grade = Grade.objects.filter(herb=self.herb).first() or Grade.objects.create(
            herb=self.herb, grade="统货"
        )
        TradeItem.objects.get_or_create(
            gtin="09521234000013", defaults={"herb": self.herb, "grade": grade, "pack": "散装"}
        )
        if not Lot.objects.filter(identifier=dl_lot("D")).exists():
            capture_chain(organisation=network.household)
        self.lot = Lot.objects.get(identifier=dl_lot("D"))
        self.lab = make_org(OrgKind.LAB, "县中药材检验检测中心", "LAB")
        self.analyst = make_user("analyst", self.lab, Role.OPERATOR)
        self.reviewer = make_user("reviewer", self.lab, Role.OPERATOR)
        self.chp = spec_set(system, code="test-chp-2020", items=CHP_ITEMS)
        self.food = spec_set(
            system, code="test-food", items=FOOD_ITEMS, authority="food", edition="药食同源 2023"
        )
        self.mapping = actions.create_mapping(
            actor=system,
            lab=self.lab,
            name="HPLC-1",
            test_item="Analyte",
            value="Conc.",
            unit="Units",
            loq="LOQ",
            tested_on="Run date",
        )

    def sample(self, *, sets=None, actor=None):
        return actions.take_sample(
            actor=actor or Actor(self.n.point_operator, "web"),
            lot=self.lot,
            quantity=Decimal("200"),
            sampler="王检",
            lab=self.lab,
            spec_sets=sets or [self.chp],
        )

    def order(self, **kwargs):
        return self.sample(**kwargs).orders.get()

    def enter(self, order, values: dict, *, user=None):
        actor = Actor(user or self.analyst, "web")
        return [
            actions.enter_result(actor=actor, order=order, test_item=k, value=v)
            for k, v in values.items()
        ]

    def approve(self, order, *, user=None):
        return actions.approve_order(actor=Actor(user or self.reviewer, "web"), order=order)
