"""The whole chain by hand, in headless Chromium at 390×844.

A village point registers a new grower household inside the purchase form and buys from
it, buys a known household's recorded harvest too, and sends both lots to its station; the station
receives it "as sent" with one tap and sends it to the county hub, which receives it and
sells it on to a processor; the processor receives it, dries it, packs it into serialised
500 g bags in cases and prints their labels; the consumer's page of one bag shows the plot
it grew on.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from playwright.sync_api import expect

from conftest import PASSWORD, make_org, make_user
from daodi.catalog.models import TradeItem, Unit
from daodi.core import gs1
from daodi.farm.tests.world import Fields
from daodi.orgs.choices import OrgKind, Role
from daodi.orgs.models import Organisation
from daodi.sourcing.models import Dispatch, Packing, Purchase
from daodi.trace.models import Lot

from .conftest import pick, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def county(network, settings, live_server):
    settings.RESOLVER_RATE = "0"
    settings.DIGITAL_LINK_BASE = live_server.url
    cache.clear()
    fields = Fields(network)
    fields.harvest_lot = fields.harvest(kg="600").lot
    fields.hub_admin = make_user("hub_admin", network.hub, Role.ADMIN)
    fields.processor = make_org(OrgKind.PROCESSOR, "瑞昌中药材加工厂", "PR1")
    make_user("processor_op", fields.processor, Role.OPERATOR)
    fields.bag = TradeItem.objects.create(
        gtin=gs1.make_gtin14(django_settings.GS1_COMPANY_PREFIX, 13),
        herb=fields.herb,
        grade=fields.grade,
        pack="500 g 袋",
        net_quantity=Decimal("500"),
        unit=Unit.objects.get(code="g"),
    )
    yield fields
    cache.clear()


def sign_in_as(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def send(page, source, destination, *lots: str, screenshot=None, name="") -> Dispatch:
    """Fill the dispatch form: from, to, the lots; returns the dispatch made."""
    page.goto("/sourcing/dispatches/new/")
    pick(page, "source", source.name)
    pick(page, "destination", destination.name)
    for lot in lots:
        pick(page, "lots", lot.rsplit("/", 1)[-1])
    assert fits_the_phone(page)
    if screenshot:
        screenshot(page, name)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/sourcing/dispatches/\d+/$"))
    expect(page.get_by_test_id("dispatch-line")).to_have_count(len(lots))
    return Dispatch.objects.filter(source=source, destination=destination).latest("id")


def receive_as_sent(page, dispatch: Dispatch, screenshot=None, name="") -> None:
    page.goto(f"/sourcing/dispatches/{dispatch.pk}/")
    page.get_by_test_id("receive").click()
    assert fits_the_phone(page)
    if screenshot:
        screenshot(page, name)
    lines = dispatch.lines.count()
    expect(page.get_by_test_id("receipt-line")).to_have_count(lines)
    page.get_by_test_id("as-sent").click()
    expect(page).to_have_url(re.compile(rf"/sourcing/dispatches/{dispatch.pk}/$"))
    expect(page.get_by_test_id("receive")).to_have_count(0)
    dispatch.refresh_from_db()
    assert dispatch.status == "received"


def test_a_household_harvest_reaches_a_consumer_as_a_packed_bag_by_hand(
    county, phone, screenshot, tmp_path
):
    n, page = county.n, phone

    # A village point registers a grower it has never bought from, without leaving the
    # purchase, and buys 50 kg from her.
    sign_in_as(page, "point_op")
    page.goto("/sourcing/purchases/new/")
    page.get_by_test_id("new-seller-panel").locator("summary").click()
    page.fill("#id_new_seller-name", "王秀英")
    page.fill("#id_new_seller-id_card", "110105198001010016")
    page.select_option("#id_new_seller-village", label="杏树村")
    page.get_by_test_id("seller-register").click()
    expect(page.get_by_test_id("seller-registered")).to_be_visible()
    newcomer = Organisation.objects.get(name="王秀英")
    assert newcomer.kind == OrgKind.HOUSEHOLD and newcomer.managed_by == n.point
    page.select_option("#id_herb", label="党参")
    page.select_option("#id_grade", label="党参 统货")
    page.fill("#id_gross_kg", "52")
    page.fill("#id_tare_kg", "2")
    page.fill("#id_price", "11")
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/sourcing/purchases/\d+/$"))
    her_lot = Purchase.objects.get(seller=newcomer).lot

    # It buys a known household's recorded harvest too.
    page.goto("/sourcing/purchases/new/")
    pick(page, "seller", "王大", "王大山")
    pick(page, "lot", county.harvest_lot.rsplit("/", 1)[-1])
    page.select_option("#id_herb", label="党参")
    page.select_option("#id_grade", label="党参 统货")
    page.fill("#id_gross_kg", "602.35")
    page.fill("#id_tare_kg", "2")
    page.fill("#id_price", "11")
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/sourcing/purchases/\d+/$"))
    lot = county.harvest_lot
    assert Lot.objects.get(identifier=lot).holder == n.point

    # It sends both lots to its station, which receives them as sent with one tap.
    to_station = send(page, n.point, n.station, lot, her_lot)
    sign_in_as(page, "station_admin")
    receive_as_sent(page, to_station, screenshot, "chain-receive-as-sent")
    assert to_station.lines.get(lot=lot).received_kg == Decimal("600.35")
    assert to_station.lines.get(lot=her_lot).received_kg == Decimal("50")

    # The station sends them up to the hub; the hub receives them and sells them on.
    to_hub = send(page, n.station, n.hub, lot, her_lot)
    sign_in_as(page, "hub_admin")
    receive_as_sent(page, to_hub)
    onward = send(
        page, n.hub, county.processor, lot, her_lot, screenshot=screenshot,
        name="chain-hub-sends-on",
    )  # fmt: skip

    # The processor receives them, finds them in the processing form and dries them together.
    sign_in_as(page, "processor_op")
    receive_as_sent(page, onward)
    assert Lot.objects.get(identifier=lot).holder == county.processor
    assert Lot.objects.get(identifier=her_lot).holder == county.processor
    page.goto("/farm/processing/new/")
    page.select_option("#id_kind", "drying")
    pick(page, "lots", lot.rsplit("/", 1)[-1])
    pick(page, "lots", her_lot.rsplit("/", 1)[-1])
    page.fill("#id_output_kg", "200")
    page.fill("#id_started_at", "2026-09-21T08:00")
    page.fill("#id_finished_at", "2026-09-22T18:00")
    assert fits_the_phone(page)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    dry = Lot.objects.get(batch__startswith="D", holder=county.processor)

    # It packs 30 bags of 500 g, 12 to a case, from the dry lot.
    page.get_by_test_id("nav-toggle").click()
    page.locator("#mainnav .dropdown-toggle", has_text="追溯").click()
    page.locator('#mainnav a[href="/sourcing/packing/"]').first.click()
    page.get_by_test_id("create").click()
    pick(page, "lot", dry.batch)
    page.select_option("#id_trade_item", str(county.bag.pk))
    page.fill("#id_count", "30")
    page.fill("#id_per_case", "12")
    assert fits_the_phone(page)
    screenshot(page, "chain-packing-form")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("cases").locator("li")).to_have_count(3)
    assert fits_the_phone(page)
    screenshot(page, "chain-packing-detail")
    run = Packing.objects.get()
    assert Lot.objects.get(pk=dry.pk).quantity == Decimal("185")

    # Its labels are a PDF with one QR code per bag.
    labels = page.request.get(f"/sourcing/packing/{run.pk}/labels.pdf")
    assert labels.headers["content-type"] == "application/pdf"
    assert labels.body().startswith(b"%PDF")

    # The consumer's page of one bag shows the plot it grew on.
    page.context.clear_cookies()
    page.goto(page.get_by_test_id("pack-link").nth(2).get_attribute("href") or "/")
    expect(page.locator("body")).to_contain_text(county.plot.name)
    assert fits_the_phone(page)
    screenshot(page, "chain-consumer-page")
