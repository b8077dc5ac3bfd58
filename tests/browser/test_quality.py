"""Acceptance 4 of the quality issue, in headless Chromium.

The county testing centre's analyst imports an instrument's CSV export on a phone; the
reviewer approves on a desktop; a consumer scans the lot's code and sees 符合规定 with the
link to the certificate, which the verification page confirms.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.quality.models import Certificate, TestOrder
from daodi.quality.tests.world import INSTRUMENT_CSV, QualityWorld

from .conftest import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lab(network, settings, live_server):
    settings.RESOLVER_RATE = "0"
    # The certificate's links (QR code, consumer page) point at this server.
    settings.DIGITAL_LINK_BASE = live_server.url
    cache.clear()
    world = QualityWorld(network)
    world.order()  # 杏树村收购点 sampled lot D and sent it to the centre
    yield world
    cache.clear()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_analyst_imports_a_csv_reviewer_approves_consumer_sees_the_conclusion(
    lab, phone, desktop, browser, live_server, screenshot
):
    order = TestOrder.objects.get()

    # The analyst finds the order in the lab's queue and imports the instrument's export.
    sign_in(phone, "analyst", PASSWORD)
    phone.goto("/quality/orders/queue/")
    phone.get_by_role("link", name=order.reference).click()
    phone.get_by_test_id("import-results").click()
    phone.select_option("#id_mapping", label="HPLC-1")
    phone.set_input_files(
        "#id_file",
        files=[{"name": "hplc-run.csv", "mimeType": "text/csv", "buffer": INSTRUMENT_CSV.encode()}],
    )
    phone.get_by_test_id("save").click()
    expect(phone.locator("#messages")).to_contain_text("已从 hplc-run.csv 导入 4 条结果")
    expect(phone.get_by_test_id("result-row")).to_have_count(4)
    expect(phone.get_by_test_id("approve")).to_have_count(0)  # never their own results
    assert fits_the_phone(phone)
    screenshot(phone, "quality-order-imported")

    # A second person, the reviewer, approves on a desktop.
    sign_in(desktop, "reviewer", PASSWORD)
    desktop.goto(f"/quality/orders/{order.pk}/")
    desktop.get_by_test_id("approve").click()
    desktop.get_by_test_id("confirm").click()
    expect(desktop.get_by_test_id("conclusion")).to_contain_text("符合规定")
    certificate = Certificate.objects.get()
    expect(desktop.locator("h1")).to_have_text(certificate.number)

    # A consumer scans the lot's code with a phone.
    consumer = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", base_url=live_server.url,
    )  # fmt: skip
    page = consumer.new_page()
    page.set_default_timeout(10_000)
    page.goto("/01/09521234000013/10/D")
    section = page.get_by_test_id("section-tests")
    expect(section.get_by_test_id("quality-conclusion")).to_have_text("符合规定")
    link = section.get_by_test_id("certificate-link")
    expect(link).to_contain_text(certificate.number)
    assert fits_the_phone(page)
    screenshot(page, "quality-consumer-section")

    link.click()
    expect(page).to_have_url(re.compile(rf"/quality/verify/{certificate.number}/\?h="))
    expect(page.get_by_test_id("verify-genuine")).to_be_visible()
    expect(page.get_by_test_id("conclusion")).to_contain_text("符合规定")
    assert fits_the_phone(page)
    consumer.close()
