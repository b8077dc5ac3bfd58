"""Acceptance 2 of the platform foundation, in headless Chromium at 390×844.

A village-point operator signs in on a phone, adds a grower household, finds it in the
organisation list by searching, switches to English and sees the English page.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading_in(language: str) -> str:
    """The organisation list's heading (msgid "organisations") as ``language`` shows it."""
    with translation.override(language):
        return str(capfirst(Organisation._meta.verbose_name_plural))


def fits_the_phone(page) -> bool:
    """Nothing makes the page scroll sideways on a 390-px screen."""
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def open_menu_item(page, href: str):
    # The navbar is collapsed on a phone: open it, then follow the link.
    page.get_by_test_id("nav-toggle").click()
    page.locator(f'#mainnav a[href="{href}"]').first.click()


def test_village_point_operator_adds_a_household_finds_it_and_switches_to_english(
    network, phone, screenshot
):
    page = phone

    # Given the sign-in page, in Chinese by default.
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator('label[for="id_username"]')).to_contain_text("用户名")
    assert fits_the_phone(page)
    page.fill("#id_username", "point_op")
    page.fill("#id_password", PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("count-purchases_today")).to_have_text("0")

    # When the operator opens the organisation list and adds a household.
    open_menu_item(page, "/organisations/")
    expect(page.locator("h1")).to_have_text(heading_in("zh-hans"))
    page.get_by_test_id("create").click()
    expect(page.locator("#id_kind")).to_have_value("household")
    # The manager is proposed in its picker: the point's name shown, its id sent.
    expect(page.locator("#id_managed_by")).to_have_value(network.point.name)
    expect(page.locator('input[name="managed_by__id"]')).to_have_value(str(network.point.pk))
    page.fill("#id_name", "赵铁柱")
    page.fill("#id_code", "HH-0777")
    page.fill("#id_phone", "13912345678")
    assert fits_the_phone(page)
    screenshot(page, "village-point-add-household")
    page.get_by_test_id("save").click()

    # Then its page shows it, managed by the point, with the creation in its history.
    expect(page.locator("h1")).to_have_text("赵铁柱")
    expect(page.locator("#audit")).to_contain_text("新建")
    household = Organisation.objects.get(code="HH-0777")
    assert household.managed_by == network.point

    # When searching the list, only the new household is left (htmx swaps the results).
    page.locator(".breadcrumb a").first.click()
    expect(page.locator("#results tbody tr")).to_have_count(3)
    page.fill("#id_q", "赵铁")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr")).to_contain_text("赵铁柱")
    expect(page).to_have_url(re.compile(r"q=%E8%B5%B5%E9%93%81"))
    assert fits_the_phone(page)
    screenshot(page, "village-point-list-zh")

    # When switching to English, the same list comes back in English.
    page.get_by_test_id("nav-toggle").click()
    # The menu slides open: click the button once it has stopped moving, then wait for
    # the language change's redirect (slow on a busy machine).
    expect(page.locator("#mainnav.show")).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    with page.expect_navigation(timeout=30_000):
        page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=15_000)
    expect(page.locator("h1")).to_have_text("Organisations")
    expect(page.locator("#results thead")).to_contain_text("Name")
    expect(page.locator("#results tbody tr")).to_have_count(1)  # the search is kept
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-pressed", "true")
    assert fits_the_phone(page)
    screenshot(page, "village-point-list-en")


def test_station_admin_on_a_desktop_sees_the_full_menu_and_a_record_with_its_history(
    network, desktop, screenshot
):
    from tests.browser.conftest import sign_in

    page = desktop
    sign_in(page, "station_admin", PASSWORD)
    # The menu is expanded on a desktop: no toggle needed.
    expect(page.get_by_test_id("nav-toggle")).to_be_hidden()
    page.locator('#mainnav a[href="/organisations/"]').click()
    expect(page.locator("#results tbody tr")).to_have_count(5)  # station, 2 points, 2 growers
    page.locator("#results a", has_text="杏树村收购点").click()
    expect(page.locator("h1")).to_have_text("杏树村收购点")
    expect(page.get_by_test_id("edit")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("新建")
    screenshot(page, "station-admin-organisation-detail")
    page.get_by_test_id("edit").click()
    page.fill("#id_contact_person", "杏树村 张会计")
    page.get_by_test_id("save").click()
    expect(page.locator("#audit")).to_contain_text("修改")
    screenshot(page, "station-admin-organisation-saved")
