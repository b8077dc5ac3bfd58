"""A small growing county for farm and sourcing tests: villages inside and outside the
党参 GI's area, a herb with plausible ranges and a bulk GTIN, and one plot per household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core import gs1
from daodi.core.actor import Actor
from daodi.farm import actions
from daodi.orgs.models import Division

SYSTEM = Actor.system()
TODAY = dt.date(2026, 9, 20)


def division(code, name, level, parent=None):
    return Division.objects.create(code=code, name=name, level=level, parent=parent)


class Fields:
    def __init__(self, network):
        self.n = network
        province = division("980000000000", "试验省", "province")
        city = division("980100000000", "试验市", "city", province)
        county = division("980101000000", "太行县", "county", city)
        self.township_in = division("980101101000", "东山乡", "township", county)
        self.township_out = division("980101102000", "城关镇", "township", county)
        self.village_in = division("980101101001", "杏树村", "village", self.township_in)
        self.village_out = division("980101102001", "河东村", "village", self.township_out)
        self.herb = Herb.objects.create(
            code="dangshen",
            name="党参",
            pinyin="dangshen",
            yield_min_kg_per_mu=Decimal("300"),
            yield_max_kg_per_mu=Decimal("1000"),
            dry_ratio_min=Decimal("2.50"),
            dry_ratio_max=Decimal("3.80"),
        )
        self.grade = Grade.objects.create(herb=self.herb, grade="统货")
        self.item = TradeItem.objects.create(
            gtin=gs1.make_gtin14(settings.GS1_COMPANY_PREFIX, 7, indicator=9),
            herb=self.herb,
            grade=self.grade,
            pack="散装",
        )
        self.gi = GeographicIndication.objects.create(
            name="潞党参", herb=self.herb, kind="certification_mark"
        )
        self.gi.divisions.set([self.township_in])
        self.plot = actions.create_plot(
            actor=SYSTEM,
            holder=network.household,
            name="杏树村3号地块",
            village=self.village_in,
            area_mu=Decimal("2.00"),
            herb=self.herb,
            year_planted=2023,
            geometry={"type": "Point", "coordinates": [113.41, 36.22]},
        )
        self.plot_out = actions.create_plot(
            actor=SYSTEM,
            holder=network.other_household,
            name="河东村1号地块",
            village=self.village_out,
            area_mu=Decimal("1.00"),
            herb=self.herb,
            year_planted=2024,
        )

    def harvest(self, plot=None, kg="1200", day=dt.date(2026, 9, 15), actor=SYSTEM):
        return actions.harvest(
            actor=actor,
            plots=[plot or self.plot],
            harvested_on=day,
            fresh_kg=Decimal(kg),
            grade=self.grade,
        )
