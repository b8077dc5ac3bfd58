"""Every page a demo role reaches within two clicks reads as Chinese words, never as codes.

The demo county and a small season are loaded once for this module (in a transaction
rolled back at the end). Signed in as each demo login, the crawl fetches the home page,
every same-site link on it and every link on those (GET only; one page per URL pattern),
and reads each page's visible text for raw codes: CBV and daodi vocabulary words, unit
codes, EPC URNs, location and party URLs, audit actions, Python reprs and the stored values
of our choices. The consumer page of the demo's example pack is read too.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from daodi.catalog.models import Unit
from daodi.demo import build, history, load
from daodi.demo.build import USERS
from daodi.orgs.models import User
from daodi.quality import demo as quality_demo
from daodi.sourcing import demo as sourcing_demo

from . import crawl

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EVENTS = 1200  # enough for processing, packing and retail in the season
PAGES_PER_ROLE = 120


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        # A transactional test elsewhere in the run may have flushed the seeded units.
        if not Unit.objects.exists():
            import_module("daodi.catalog.migrations.0003_standard_units").add_units(apps, None)
        load.load(build.build_county(company_prefix=settings.GS1_COMPANY_PREFIX))
        season = history.load_demo(events=EVENTS)
        sourcing_demo.load()
        quality_demo.load(season)
        yield season
        transaction.set_rollback(True)


@pytest.fixture
def season(demo, db):
    return demo


def _findings(client: Client, start: str = "/", depth: int = 2) -> tuple[list[str], int]:
    words = crawl.vocabulary_words()
    found, pages = [], 0
    for page in crawl.crawl(client, start=start, depth=depth, cap=PAGES_PER_ROLE):
        pages += 1
        if page.status >= 500:
            found.append(f"{page.url}: HTTP {page.status}")
        codes = crawl.raw_codes(page.text, words)
        if codes:
            found.append(f"{page.url}: {', '.join(codes[:8])}")
    return found, pages


@pytest.mark.parametrize("username", [u for u, _org, _role in USERS])
def test_given_a_demo_role_when_it_opens_its_pages_then_no_chinese_page_shows_a_raw_code(
    season, username
):
    client = Client()
    client.force_login(User.objects.get(username=username))
    found, pages = _findings(client)
    assert pages > 10  # the crawl did reach the role's pages
    assert found == []


def test_the_consumer_page_of_a_demo_pack_shows_no_raw_code(season, client):
    found, pages = _findings(client, start=season.example.path, depth=0)
    assert pages == 1
    assert found == []


def test_the_check_finds_the_codes_it_is_meant_to_find():
    words = crawl.vocabulary_words()
    text = (
        "收货 · in_progress · 12 KGM · urn:epcglobal:cbv:bizstep:receiving · "
        "https://id.gs1.org/414/9521234010043 · purchase.create · {'type': 'Point'} · None · "
        "ObjectEvent · urn:epc:id:sgtin:9521234.00001.1 · on_hold"
    )
    assert crawl.raw_codes(text, words) == [
        "urn:epcglobal:cbv:bizstep:receiving",
        "urn:epc:id:sgtin:9521234.00001.1",
        "https://id.gs1.org/414/9521234010043",
        "{'type':",
        "None",
        "purchase.create",
        "in_progress",
        "KGM",
        "ObjectEvent",
        "on_hold",
    ]
    assert crawl.raw_codes("党参 一等 500 g 袋 · 12.5 kg · 在途 · 2026-10-01", words) == []
