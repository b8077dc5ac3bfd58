"""Acceptance 2 of the field-to-hub issue, in headless Chromium at 390×844.

A village-point operator records a purchase from a household on a phone, prints the
receipt, and the receipt's QR code (the lot's GS1 Digital Link) opens the consumer trace
page, which shows the plot and its farm records.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.farm import actions as farm_actions
from daodi.farm.tests.world import SYSTEM, Fields
from daodi.sourcing.models import Purchase

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def farm(network, settings, live_server):
    settings.RESOLVER_RATE = "0"
    settings.DIGITAL_LINK_BASE = live_server.url  # the receipt's QR opens this server
    cache.clear()
    fields = Fields(network)
    farm_actions.record_activity(
        actor=SYSTEM, plot=fields.plot, kind="fertiliser", date=dt.date(2026, 4, 10),
        product="腐熟农家肥", dose="2000 kg/亩",
    )  # fmt: skip
    farm_actions.record_activity(
        actor=SYSTEM, plot=fields.plot, kind="pesticide", date=dt.date(2026, 7, 2),
        product="0.3%苦参碱水剂", dose="600倍液", pre_harvest_interval_days=10,
    )  # fmt: skip
    fields.harvest_lot = fields.harvest(kg="600").lot
    fields.live_url = live_server.url
    yield fields
    cache.clear()


def test_point_operator_buys_prints_the_receipt_and_its_qr_opens_the_plots_story(
    farm, phone, screenshot, tmp_path
):
    from daodi.trace.tests.test_documents import decode_qr_codes, rasterise

    page = phone
    sign_in(page, "point_op", PASSWORD)

    # When the operator opens the purchase form and finds the household by name.
    page.goto("/sourcing/purchases/new/")
    page.get_by_test_id("seller").fill("王大")
    expect(page.locator("#id_seller_list [role=option]")).to_have_count(1)
    page.locator("#id_seller_list [role=option]").click()
    batch = farm.harvest_lot.rsplit("/", 1)[-1]
    page.get_by_test_id("lot").fill(batch[:6])
    page.locator("#id_lot_list [role=option]", has_text=batch).click()
    page.select_option("#id_herb", label="党参")
    page.select_option("#id_grade", label="党参 统货")
    page.fill("#id_gross_kg", "602")
    page.fill("#id_tare_kg", "2")
    page.fill("#id_moisture_pct", "61")
    page.fill("#id_price", "11")
    page.select_option("#id_price_unit", "jin")
    page.select_option("#id_payment_method", "wechat")
    assert fits_the_phone(page)
    screenshot(page, "purchase-form")
    page.get_by_test_id("save").click()

    # Then the purchase is recorded once, with its receipt to print.
    expect(page.get_by_test_id("receipt")).to_be_visible()
    purchase = Purchase.objects.get()
    assert purchase.net_kg == Decimal("600.00") and purchase.amount == Decimal("13200.00")
    assert purchase.lot == farm.harvest_lot and purchase.seller == farm.n.household
    assert fits_the_phone(page)
    screenshot(page, "purchase-recorded")

    # The receipt prints on a 58 mm roll; its QR code is the lot's Digital Link.
    href = page.get_by_test_id("receipt").get_attribute("href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.body())
    (png,) = rasterise(pdf, 300, first_page_only=True)
    (link,) = decode_qr_codes(png)
    assert link == f"{farm.live_url}/01/{farm.item.gtin}/10/{batch}"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "164.409 x" in info

    # When the link is opened, the trace page shows the plot and its farm records.
    page.goto(link)
    expect(page.get_by_test_id("herb")).to_have_text("党参")
    expect(page.get_by_test_id("plot").first).to_contain_text("杏树村3号地块")
    expect(page.get_by_test_id("gi-badge")).to_contain_text("潞党参")
    section = page.get_by_test_id("section-farm")
    expect(section).to_contain_text("杏树村3号地块")
    expect(section.get_by_test_id("farm-record")).to_have_count(2)
    expect(section).to_contain_text("0.3%苦参碱水剂")
    expect(section).to_contain_text("腐熟农家肥")
    expect(page.get_by_text("王大山")).to_have_count(0)  # growers' names stay private
    assert fits_the_phone(page)
    screenshot(page, "purchase-trace-page")
