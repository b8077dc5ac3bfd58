"""Trust first (issue 11), in headless Chromium at 390×844: a consumer opens a 500 g bag
packed from a lot that failed its sulphur dioxide test and sees the warning first, above
the fold and before anything else; the page never calls the bag genuine (正品) or normal."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from daodi.trace.tests import chain
from daodi.trace.tests.test_resolver import ITEM, County, add_event, capture, county_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "不符合规定（COA2026-000003）；二氧化硫残留量：520 mg/kg，不符合 ≤ 150 mg/kg。"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def failed_lot(transactional_db, settings):
    settings.RESOLVER_RATE = "0"
    cache.clear()
    County()
    capture(county_events())
    add_event(  # the lab's approval: lot C, which the bag S1 was dried and packed from, fails
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-12T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "non_conformant",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin("C")}],
            "daodi:conclusion": "not_conform",
            "daodi:statusReason": REASON,
        }
    )
    yield
    cache.clear()


def test_a_consumer_opening_a_bag_from_a_failed_lot_sees_the_warning_first(
    failed_lot, phone, screenshot
):
    page = phone
    page.goto(ITEM)

    warning = page.get_by_test_id("failed-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(zh("Do not use: failed its quality test"))
    expect(warning).to_contain_text("批次 C")
    expect(warning).to_contain_text("二氧化硫残留量：520 mg/kg")
    box = warning.bounding_box()
    assert box["y"] + box["height"] <= 844  # wholly above the fold of the phone
    hero = page.get_by_test_id("hero").bounding_box()
    assert box["y"] < hero["y"]  # before the herb's name, the pack, anything else

    text = page.locator("body").inner_text()
    assert "正品" not in text and zh("Normal") not in text
    expect(page.get_by_test_id("verified")).to_have_count(0)
    expect(page.get_by_test_id("status")).to_have_text(zh("Failed its quality test"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "failed-lot-bag")
