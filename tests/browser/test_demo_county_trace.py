"""Acceptance 3 of the traceability issue, on the demo county, in headless Chromium at 390 px.

The demo county 太行示范县 is loaded with a season of trace events (the same generator the
benchmarks use, 6–8 hops from plot to retail pack). A consumer opens a retail pack's
Digital Link on a phone and sees the chain back to exactly the plots the generator planned
for that pack; after one of its harvest lots is recalled, the same scan warns in red.
(Which lots and items that recall reaches is checked exactly in
daodi/demo/tests/test_history.py.)
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from daodi.core.actor import Actor
from daodi.demo import build, history, load
from daodi.orgs.models import Site
from daodi.trace.actions import start_recall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENTS = 2500


@pytest.fixture
def demo(transactional_db, settings):
    settings.RESOLVER_RATE = "0"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for alias in ("resolver", settings.RESOLVER_SHARED_CACHE):
        caches[alias].clear()
    load.load(build.build_county(company_prefix=settings.GS1_COMPANY_PREFIX))
    return history.load_demo(events=EVENTS)


def test_a_demo_retail_pack_scanned_on_a_phone_shows_its_chain_back_to_the_plots(demo, phone):
    item = demo.example
    origins = demo.history.origins(item)
    plot_names = sorted(Site.objects.filter(gln__in=origins.plots).values_list("name", flat=True))
    assert len(plot_names) == len(origins.plots) >= 2  # commingled from several plots

    page = phone
    page.goto(item.path)  # what the pack's QR code encodes, on this resolver's host

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("verified")).to_be_visible()
    plots = page.get_by_test_id("plot")
    expect(plots).to_have_count(len(plot_names))
    shown = sorted(
        next(name for name in plot_names if name in text) for text in plots.all_inner_texts()
    )
    assert shown == plot_names  # each planned plot once, and no other
    expect(page.get_by_test_id("harvest-date")).to_be_visible()
    timeline = page.get_by_test_id("timeline-entry")
    assert timeline.count() >= demo.history.hops(item)
    expect(timeline.last).to_have_attribute("data-step", "harvesting")
    expect(page.locator('[data-testid="timeline-entry"][data-step="packing"]')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # One of its harvest lots is recalled: the next scan of the pack says so.
    harvest_lot = sorted(origins.harvest_lots)[0]
    start_recall(actor=Actor.system(), identifier=harvest_lot, reason="农残超标")
    page.reload()
    expect(page.get_by_test_id("recall-warning")).to_be_visible()
    expect(page.get_by_test_id("recall-warning")).to_contain_text("农残超标")
