"""Browser fixtures: Debian's Chromium driven by Playwright, sized like a phone.

Playwright's sync API runs an event loop in the test thread; Django refuses database access
from a thread with a running loop unless told it is safe, which it is here (one thread
drives the browser, the live server answers in its own).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (run `make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh page on a 390×844 phone whose browser asks for Chinese, like a village point's."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    """A fresh page on a 1366×900 desktop (county staff), asking for Chinese."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/")


@pytest.fixture
def screenshot():
    """Save a screenshot of ``page`` under var/screenshots/NAME.png; returns the path."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def pick(page, field: str, typed: str, choose: str | None = None) -> None:
    """Type into the picker of ``field`` and take the match showing ``choose`` (default: the
    typed text), as a person does on the phone (core/pickers.py, web/picker.js)."""
    picker = page.get_by_test_id(f"picker-{field}")
    picker.locator("[data-pick-text]").fill(typed)
    picker.locator("[role=option]", has_text=choose or typed).first.click()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The rows migrations load (standard units, the banned-pesticide list), back in place.

    A live server needs a transactional database, which is flushed after each test, taking
    those rows with it; every browser test then starts from what a migrated database holds,
    whatever ran before it.
    """
    from importlib import import_module

    from django.apps import apps

    from daodi.catalog.models import Unit
    from daodi.farm.models import BannedPesticide

    if not Unit.objects.exists():
        import_module("daodi.catalog.migrations.0003_standard_units").add_units(apps, None)
    if not BannedPesticide.objects.exists():
        import_module("daodi.farm.migrations.0002_banned_pesticides").load(apps, None)
        import_module("daodi.farm.migrations.0003_banned_pesticide_aliases").add_aliases(apps, None)
