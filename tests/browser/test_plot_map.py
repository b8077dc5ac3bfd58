"""A plot's location on a phone: a map drawn without tiles, and its place in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.catalog import actions as catalog_actions
from daodi.core.actor import Actor
from daodi.farm import actions as farm_actions
from daodi.orgs.models import Division

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plot_page_on_a_phone_draws_the_plot_and_its_village_on_a_map(network, phone):
    system = Actor.system()
    herb = catalog_actions.create_herb(
        actor=system, code="dangshen", name="党参", pinyin="dangshen"
    )
    village = Division.objects.create(code="990101100201", name="杏树村", level="village")
    plot = farm_actions.create_plot(
        actor=system,
        holder=network.household,
        name="党参地块1",
        village=village,
        herb=herb,
        area_mu=Decimal("1.2"),
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[113.40, 36.20], [113.401, 36.20], [113.401, 36.201], [113.40, 36.20]]
            ],
        },
    )
    page = phone
    sign_in(page, "station_admin", PASSWORD)
    page.goto(f"/farm/plots/{plot.pk}/")
    # The map is a canvas ECharts drew from the plot's shape: no tile was asked for.
    expect(page.locator("#plot-map canvas")).to_have_count(1)
    expect(page.get_by_test_id("plot-position")).to_contain_text("杏树村；北纬 36.2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "{'type'" not in page.content()
