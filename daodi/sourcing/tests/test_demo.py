"""The demo county's farm and buying season, with its deliberate problems."""

from __future__ import annotations

import pytest
from django.conf import settings

from daodi.core.models import Refusal
from daodi.demo import build, history, load
from daodi.sourcing import demo, gi, queries
from daodi.sourcing.models import Dispatch, Purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    load.load(build.build_county(seed=7, company_prefix=settings.GS1_COMPANY_PREFIX))
    history.load_demo(seed=7, events=600)


def test_the_season_goes_through_the_actions_and_leaves_its_problems_for_the_regulator(county):
    season = demo.load()
    assert season.purchases == Purchase.objects.count() > 0
    assert season.harvests == season.purchases
    assert Dispatch.objects.filter(flagged=True).count() == 1
    assert any("2026" in p or "间隔期" in p or "interval" in p for p in season.problems)
    result = queries.mass_balance()
    imbalanced = {result.orgs[r.node].kind for r in result.imbalances}
    assert imbalanced == {"township_station"}
    assert [v.lot.rsplit("/", 1)[-1] for v in gi.violations() if v.lot][-1:] == ["GI-X1"]
    # The refused harvest and the refused GI claim wrote nothing but are kept as attempts.
    assert set(Refusal.objects.values_list("code", flat=True)) == {
        "pre_harvest_interval", "gi_lineage",
    }  # fmt: skip


def test_the_demo_is_removed_with_its_season(county):
    demo.load(points_limit=3)
    assert load.remove() > 0
    assert Purchase.objects.count() == 0
