"""Nothing scrolls sideways at 390 px on the demo county (headless Chromium).

Each demo role signs in on a 390×844 phone and opens its home page, every page its
navigation links to, the first record of each list, and its daily forms; on each the
document is no wider than the screen (``document.scrollingElement.scrollWidth <= 390``).
A lot's page is headed by its lot number, not its identifier URL.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from daodi.trace.models import Lot

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "daodi-demo-2026"
ROLES = ("admin", "hub", "station01", "point01", "lab01", "regulator", "processor01")
FORMS = ("/sourcing/purchases/new/", "/sourcing/dispatches/new/", "/quality/samples/new/")
WIDTH = 390


@pytest.fixture
def demo_county(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", "--season-events", "2000", stdout=io.StringIO())


def nav_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#mainnav a[href^='/'], main a.btn[href^='/']",
        "els => els.map(e => e.getAttribute('href'))",
    )
    return [h for h in dict.fromkeys(hrefs) if not h.startswith(("/admin/", "/api/"))]


def first_record(page) -> str | None:
    link = page.locator("#results table a").first
    return link.get_attribute("href") if link.count() else None


def test_no_main_page_of_any_role_scrolls_sideways_on_a_phone(demo_county, phone):
    # (One test: the demo county loads once; a transactional test's flush would take the
    # units the migrations loaded with it.) A lot's page is headed by its lot number.
    lot = Lot.objects.exclude(batch="").filter(serial="").order_by("id").first()
    sign_in(phone, "admin", PASSWORD)
    phone.goto(f"/trace/lots/{lot.pk}/")
    expect(phone.locator("h1")).to_have_text(lot.batch)

    too_wide = {}
    for role in ROLES:
        phone.context.clear_cookies()
        sign_in(phone, role, PASSWORD)
        pages = ["/", *nav_links(phone), *FORMS]
        for path in list(dict.fromkeys(pages)):
            response = phone.goto(path)
            if response is None or response.status != 200:
                continue
            width = phone.evaluate("document.scrollingElement.scrollWidth")
            if width > WIDTH:
                too_wide[(role, path)] = width
            record = first_record(phone)
            if record and record not in pages:
                pages.append(record)
                phone.goto(record)
                width = phone.evaluate("document.scrollingElement.scrollWidth")
                if width > WIDTH:
                    too_wide[(role, record)] = width
    assert too_wide == {}
