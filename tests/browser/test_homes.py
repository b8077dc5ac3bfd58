"""Each demo role's home on a phone: its to-do counts are shown, and its first link works."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from daodi.catalog.models import Unit
from daodi.demo import build, history, load

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "daodi-demo-2026"
# login → the section its home opens with
ROLES = {
    "point01": "point",
    "station01": "station",
    "hub": "station",
    "lab01": "lab",
    "processor01": "processor",
    "regulator": "regulator",
    "admin": "admin",
}


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not Unit.objects.exists():  # an earlier transactional test flushed the seeded units
        import_module("daodi.catalog.migrations.0003_standard_units").add_units(apps, None)
    load.load(build.build_county(company_prefix=settings.GS1_COMPANY_PREFIX))
    return history.load_demo(events=600)


def test_each_demo_roles_home_shows_its_counts_and_its_first_link_opens(demo, phone, screenshot):
    page = phone
    for username, section in ROLES.items():
        page.context.clear_cookies()
        sign_in(page, username, PASSWORD)
        block = page.get_by_test_id(f"section-{section}")
        counts = block.locator("[data-testid^='count-']")
        assert counts.count() >= 2, username
        assert all(text.strip() for text in counts.all_inner_texts()), username
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, username
        screenshot(page, f"home-{username}")

        first = block.locator("[data-testid^='todo-']").first
        href = first.get_attribute("href")
        with page.expect_navigation() as navigation:
            first.click()
        response = navigation.value
        assert response is not None and response.status == 200, (username, href)
        assert page.locator("h1").first.is_visible(), (username, href)
