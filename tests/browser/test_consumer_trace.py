"""Acceptance 3 of the traceability issue (part 1), in headless Chromium at 390×844.

A consumer scans a retail pack's GS1 Digital Link with a phone and sees where the herb
came from: the herb, both plots it was harvested on and when, drying at the station and
the packing, as a timeline. The same page switches to English.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from daodi.trace.tests.test_resolver import ITEM, County, capture, county_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def county(transactional_db, settings):
    settings.RESOLVER_RATE = "0"
    cache.clear()
    place = County()
    capture(county_events())
    yield place
    cache.clear()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_consumer_scans_a_retail_pack_and_sees_the_chain_back_to_the_plot(
    county, phone, screenshot
):
    page = phone
    page.goto(ITEM)  # what the pack's QR code encodes, on this resolver's host

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("herb")).to_have_text("党参")
    expect(page.get_by_test_id("gi-badge")).to_contain_text("潞党参")
    expect(page.get_by_test_id("verified")).to_be_visible()
    plots = page.get_by_test_id("plot")
    expect(plots).to_have_count(2)
    expect(plots.nth(0)).to_contain_text("杏树村3号地块")
    expect(plots.nth(0)).to_contain_text("王**")
    expect(plots.nth(1)).to_contain_text("桃园村7号地块")
    expect(page.get_by_test_id("harvest-date")).to_contain_text("2026-06-28")
    expect(page.get_by_test_id("steps")).to_contain_text(zh("Drying"))
    expect(page.get_by_test_id("steps")).to_contain_text(zh("Packing"))
    timeline = page.get_by_test_id("timeline-entry")
    expect(timeline).to_have_count(6)
    expect(timeline.last).to_have_attribute("data-step", "harvest")
    drying = page.locator('[data-testid="timeline-entry"][data-step="drying"]')
    expect(drying).to_contain_text("东山乡晾晒场")
    expect(drying).to_be_visible()
    expect(page.get_by_text("王大山")).to_have_count(0)  # growers' names stay private
    assert fits_the_phone(page)
    screenshot(page, "consumer-trace")  # var/screenshots/; docs/images keeps a curated copy

    # The language toggle brings the same page in English.
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("steps")).to_contain_text("Drying")
    expect(page.get_by_test_id("timeline")).to_contain_text("Chain of custody")
    assert fits_the_phone(page)


def test_an_unregistered_serial_warns_the_consumer(county, phone):
    page = phone
    response = page.goto("/01/09521234000020/21/FAKE1")
    assert response.status == 404
    expect(page.get_by_test_id("unregistered-warning")).to_be_visible()
    assert fits_the_phone(page)
