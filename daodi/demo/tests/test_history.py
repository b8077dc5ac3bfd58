"""The demo county's trace history: a deterministic season whose lineage the store must show.

The county and a small season are loaded once for this module inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import import_module

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings

from daodi.catalog.models import Unit
from daodi.core.actor import Actor
from daodi.demo import build, history, load
from daodi.orgs.choices import SiteKind
from daodi.orgs.models import Site
from daodi.trace import actions, queries
from daodi.trace.epcis import identifiers, profile
from daodi.trace.models import Event, Lot

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EVENTS = 2500
ROLES = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
CLASSES = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


@pytest.fixture(scope="module")
def season(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        # A transactional test elsewhere in the run may have flushed the seeded units.
        if not Unit.objects.exists():
            import_module("daodi.catalog.migrations.0003_standard_units").add_units(apps, None)
        load.load(build.build_county(company_prefix="9521234"))
        loaded = history.load_demo(events=EVENTS)
        yield loaded
        transaction.set_rollback(True)


@pytest.fixture
def hist(season, db) -> history.History:
    return season.history


def _identifiers(event: dict) -> list[str]:
    found = [e for key in ROLES for e in event.get(key, [])]
    found += [q["epcClass"] for key in CLASSES for q in event.get(key, [])]
    found += [event[k] for k in ("parentID",) if k in event]
    found += [event[k]["id"] for k in ("readPoint", "bizLocation") if k in event]
    found += [s["source"] for s in event.get("sourceList", [])]
    found += [d["destination"] for d in event.get("destinationList", [])]
    return found


def _digest(h: history.History) -> str:
    digest = hashlib.sha256()
    for event in h.events():
        digest.update(json.dumps(event, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def test_the_same_facts_and_seed_give_the_same_events_and_another_seed_does_not(hist):
    facts = history.county_facts()
    again = history.plan(facts, events=EVENTS)
    assert _digest(again) == _digest(hist)
    assert again.count == hist.count
    assert _digest(history.plan(facts, seed=7, events=EVENTS)) != _digest(hist)


def test_the_season_has_the_size_asked_for_and_every_event_was_stored(season, hist):
    assert abs(hist.count - EVENTS) <= EVENTS // 10
    assert season.events == hist.count == sum(1 for _ in hist.events())
    assert Event.objects.count() == hist.count


def test_events_come_in_time_order_with_complete_chains(hist):
    times = [dt.datetime.fromisoformat(e["eventTime"]) for e in hist.events()]
    assert times == sorted(times)
    steps = {e.get("bizStep") for e in hist.events()}
    assert {
        profile.HARVESTING,
        profile.INPUT_APPLICATION,
        "receiving",
        "commissioning",
        "shipping",
        profile.DRYING,
        profile.SLICING,
        "packing",
    } <= steps


def test_every_identifier_is_a_valid_gs1_key_with_its_check_digit(hist):
    prefix_length = len(hist.facts.company_prefix)
    for event in hist.events():
        for value in _identifiers(event):
            parsed = identifiers.parse(value)  # raises on a bad check digit
            if value.startswith("urn:"):
                assert parsed.to_urn(prefix_length) == value
            else:
                assert parsed.canonical == value
    for plot in hist.plots:
        assert identifiers.parse(history.sgln(plot.gln)).key == plot.gln
    assert {item.identifier for item in hist.items()} == {
        identifiers.canonical(history.sgtin(i.gtin, i.serial)) for i in hist.items()
    }


def test_plots_are_sites_of_their_households_in_their_village(hist):
    plots = {
        s.gln: s
        for s in Site.objects.filter(kind=SiteKind.PLOT).select_related("organisation", "division")
    }
    assert set(plots) == {p.gln for p in hist.plots}
    for plot in hist.plots:
        site = plots[plot.gln]
        assert (site.organisation.code, site.division.code) == (plot.household, plot.village)


def test_retail_items_are_six_to_eight_hops_from_their_plots_all_three_occur(hist):
    hops = {hist.hops(item) for item in hist.items()}
    assert hops == {6, 7, 8}


def _hops_in_store(item: history.RetailItem) -> int:
    """Count the hops from the store: transformations on one path back to a harvest lot,
    plus every receipt of a lot on that path and of the item's case."""
    graph = queries.graph(item.identifier, direction="backward")
    into = {}
    for edge in graph["edges"]:
        into.setdefault(edge["to"], []).append(edge)
    path, node, transformations = [item.identifier], item.identifier, 0
    while node in into:
        edge = sorted(into[node], key=lambda e: e["from"])[0]
        transformations += 1
        node = edge["from"]
        path.append(node)
    forward = queries.graph(item.identifier, direction="forward")
    cases = [e["to"] for e in forward["edges"] if e["from"] == item.identifier]
    receipts = queries.history(path + cases).filter(biz_step="receiving").count()
    return transformations + receipts


def test_the_store_shows_the_hops_the_plan_expects(hist):
    checked = set()
    for item in hist.items():
        expected = hist.hops(item)
        if expected in checked:
            continue
        assert _hops_in_store(item) == expected
        checked.add(expected)
    assert checked == {6, 7, 8}


def test_the_backward_trace_of_a_retail_pack_reaches_exactly_its_plots_and_households(season):
    hist, item = season.history, season.example
    expected = hist.origins(item)
    graph = queries.graph(item.identifier, direction="both")
    names = {n["identifier"] for n in graph["nodes"]}
    harvests = Event.objects.filter(
        biz_step=profile.HARVESTING, identifiers__identifier__in=names
    ).distinct()
    harvest_lots = {
        i.identifier for e in harvests.prefetch_related("identifiers") for i in e.identifiers.all()
    }
    assert harvest_lots == expected.harvest_lots
    plots = {e.biz_location for e in harvests}
    assert plots == {history.sgln(g) for g in expected.plots}
    households = set(
        Site.objects.filter(gln__in=expected.plots).values_list("organisation__code", flat=True)
    )
    assert households == expected.households
    assert len(expected.households) >= 2  # commingled: more than one family's herb
    assert hist.case_of(item) in names  # and forward to the case it is packed in


def test_recalling_one_harvest_lot_recalls_exactly_what_was_made_from_it(hist):
    packed = next(
        (si, hi)
        for _ident, si, hi in hist.harvest_lots()
        if hist.seasons[si]
        .runs[hist.seasons[si].station_lots[hist.seasons[si].harvests[hi].station_lot].run]
        .bags
    )
    identifier = history.lgtin(
        hist.seasons[packed[0]].harvests[packed[1]].gtin,
        hist.seasons[packed[0]].harvests[packed[1]].lot,
    )
    expected = hist.downstream(*packed)
    untouched = Lot.objects.exclude(identifier__in=expected).count()

    done = actions.start_recall(actor=Actor.system(), identifier=identifier, reason="农残超标")

    recalled = set(Lot.objects.filter(status="recalled").values_list("identifier", flat=True))
    assert recalled == expected
    assert {row["identifier"] for row in done.rows} == expected
    assert any("/21/" in i for i in expected) and any("/00/" in i for i in expected)
    assert Lot.objects.exclude(identifier__in=expected).exclude(status="recalled").count() == (
        untouched
    )
