"""The Digital Link resolver and the consumer trace page (issue 3, acceptance 3).

The county fixture gives the shared test chain (daodi.trace.tests.chain) real places:
two households' plots in two villages of one township inside the 潞党参 GI area, a
township station, its drying yard and a processing plant.
"""

from __future__ import annotations

import copy
import io
import json
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from conftest import make_org
from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core import gs1
from daodi.core.actor import Actor
from daodi.orgs.choices import DivisionLevel, OrgKind, SiteKind
from daodi.orgs.models import Division, Site
from daodi.trace.actions import start_recall
from daodi.trace.capture import capture_document, capture_events
from daodi.trace.epcis.profile import NAMESPACE
from daodi.trace.models import Capture
from daodi.trace.resolver import story
from daodi.trace.resolver.views import parse_path
from daodi.trace.tests import chain

pytestmark = pytest.mark.django_db

ITEM = "/01/09521234000020/21/S1"
LOT_D = "/01/09521234000013/10/D"
PREFIX = "9521234"


def zh(msgid: str) -> str:
    """A page string as the Chinese page shows it (translated centrally, may lag)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    settings.RESOLVER_RATE = "0"
    yield
    cache.clear()


def gln(ref: int) -> str:
    return gs1.make_key(PREFIX, ref, 13)


def sgln(ref: int) -> str:
    return gs1.sgln_urn(gln(ref), prefix_length=len(PREFIX))


class County:
    """Catalogue, divisions, parties and places for the test chain."""

    def __init__(self):
        county = Division.objects.create(
            code="990101000000", name="太行示范县", level=DivisionLevel.COUNTY
        )
        self.township = Division.objects.create(
            code="990101201000", name="东山乡", level=DivisionLevel.TOWNSHIP, parent=county
        )
        apricot = Division.objects.create(
            code="990101201001", name="杏树村", level=DivisionLevel.VILLAGE, parent=self.township
        )
        peach = Division.objects.create(
            code="990101201002", name="桃园村", level=DivisionLevel.VILLAGE, parent=self.township
        )
        self.herb = Herb.objects.create(
            code="dangshen",
            name="党参",
            pinyin="dangshen",
            material_name="党参",
            material_latin="Codonopsis Radix",
        )
        grade = Grade.objects.create(herb=self.herb, grade="一等")
        TradeItem.objects.create(gtin="09521234000013", herb=self.herb, grade=grade, pack="散装")
        TradeItem.objects.create(
            gtin="09521234000020", herb=self.herb, grade=grade, pack="500 g 袋"
        )
        self.gi = GeographicIndication.objects.create(
            name="潞党参", herb=self.herb, kind="agri_product", registration_no="AGI00001"
        )
        self.gi.divisions.add(self.township)

        def org(kind, name, code, division, ref):
            o = make_org(kind, name, code)
            o.division, o.gln = division, gln(ref)
            o.save()
            return o

        self.wang = org(OrgKind.HOUSEHOLD, "王大山", "HH1", apricot, 101)
        self.li = org(OrgKind.HOUSEHOLD, "李小梅", "HH2", peach, 102)
        self.station = org(OrgKind.TOWNSHIP_STATION, "东山乡服务站", "ST1", self.township, 103)
        self.plant = org(OrgKind.PROCESSOR, "太行中药饮片厂", "PR1", county, 104)

        def site(owner, kind, name, division, ref):
            return Site.objects.create(
                organisation=owner, kind=kind, name=name, division=division, gln=gln(ref)
            )

        self.plot1 = site(self.wang, SiteKind.PLOT, "杏树村3号地块", apricot, 201)
        self.plot2 = site(self.li, SiteKind.PLOT, "桃园村7号地块", peach, 202)
        site(self.station, SiteKind.WAREHOUSE, "东山乡服务站仓库", self.township, 203)
        site(self.station, SiteKind.DRYING_YARD, "东山乡晾晒场", self.township, 204)
        site(self.plant, SiteKind.PLANT, "饮片厂包装车间", county, 205)


def county_events() -> list[dict]:
    """The shared chain with places, plots (as GLN Digital Links) and harvest dates."""
    events = copy.deepcopy(chain.events())
    places = [201, 202, 203, 204, 205, 205]
    for event, ref in zip(events, places, strict=True):
        event["bizLocation"] = {"id": sgln(ref)}
    events[0]["ilmd"] = {
        "daodi:plot": f"https://id.gs1.org/414/{gln(201)}",
        "daodi:harvestDate": "2026-06-28",
        "daodi:herbAge": 3,
    }
    events[1]["ilmd"] = {"daodi:plot": f"https://id.gs1.org/414/{gln(202)}"}
    return events


def capture(events: list[dict]):
    doc = {
        "@context": chain.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-07-10T00:00:00Z",
        "epcisBody": {"eventList": events},
    }
    outcome = capture_document(
        io.BytesIO(json.dumps(doc).encode()), capture=Capture.objects.create()
    )
    assert outcome.errors == [], outcome.errors
    return outcome


def add_event(event: dict):
    outcome = capture_events(
        enumerate([event]), capture=Capture.objects.create(), prefixes={"daodi": NAMESPACE}
    )
    assert outcome.errors == [], outcome.errors


@pytest.fixture
def county(db):
    place = County()
    capture(county_events())
    return place


# --- the page ----------------------------------------------------------------------------


def test_item_page_shows_the_chain_back_to_both_plots(client, county):
    response = client.get(ITEM)
    assert response.status_code == 200
    html = response.content.decode()
    data = response.context["story"]
    assert data["herb"]["name"] == "党参" and data["grade"] == "一等"
    assert data["pack"] == "500 g 袋"
    # Both harvest lots' plots, their growers masked, their villages and harvest dates.
    assert [p["plot"] for p in data["plots"]] == ["杏树村3号地块", "桃园村7号地块"]
    for text in ("杏树村3号地块", "桃园村7号地块", "王**", "李**", "太行示范县东山乡杏树村"):
        assert text in html
    assert "王大山" not in html and "李小梅" not in html
    assert str(data["harvest_from"]) == "2026-06-28"  # from the ILMD
    assert data["plots"][1]["harvest_date"].isoformat() == "2026-07-01"  # the event date
    # Processing steps in order, with places.
    assert [s["key"] for s in data["steps"]] == [
        "harvest",
        "harvest",
        "commingling",
        "drying",
        "packing",
    ]
    drying = data["steps"][3]
    assert drying["place"] == "东山乡晾晒场" and drying["holder"] == "东山乡服务站"
    for msgid in ("Drying", "Packing", "Harvest", "Commingling", "Chain of custody"):
        assert zh(msgid) in html
    # The timeline, newest first, ends at the harvests; the pallet's packing is included.
    keys = [e["key"] for e in data["timeline"]]
    assert keys == ["case_packing", "packing", "drying", "commingling", "harvest", "harvest"]
    times = [e["time"] for e in data["timeline"]]
    assert times == sorted(times, reverse=True)
    assert html.index('data-step="drying"') < html.index('data-step="harvest"')
    # GI: both origins lie in the 潞党参 area.
    assert data["indication"]["name"] == "潞党参"
    assert 'data-testid="gi-badge"' in html
    assert data["status"] == "active" and 'data-testid="verified"' in html
    assert 'data-testid="section-tests"' not in html  # no test results yet


def test_plain_chain_shows_the_raw_plot_ids(client, db):
    chain.capture_chain()
    response = client.get(ITEM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "plot-1" in html and "plot-2" in html
    assert response.context["story"]["indication"] is None  # no origin known, no GI


def test_gi_badge_only_when_every_origin_is_inside_the_area(client, county):
    county.gi.divisions.set([county.plot1.division])  # only 杏树村: lot B lies outside
    html = client.get(ITEM).content.decode()
    assert 'data-testid="gi-badge"' not in html


def test_lot_and_lot_plus_serial_paths(client, county):
    response = client.get(LOT_D)
    assert response.status_code == 200
    assert response.context["story"]["batch"] == "D"
    assert [p["plot"] for p in response.context["story"]["plots"]] == [
        "杏树村3号地块",
        "桃园村7号地块",
    ]
    # Serial wins over lot (the canonical form of an SGTIN).
    response = client.get("/01/09521234000020/10/D/21/S1")
    assert response.status_code == 200
    assert response.context["story"]["identifier"].endswith("/21/S1")


def test_product_page(client, county):
    response = client.get("/01/09521234000020")
    assert response.status_code == 200
    html = response.content.decode()
    assert "党参" in html and "500 g 袋" in html and "一等" in html
    assert response["Link"].endswith('rel="linkset"; type="application/linkset+json"')


def test_percent_encoded_lot_numbers(client, county):
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-02T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin("2026%2F07!1"), "quantity": 5}],
        }
    )
    # gunicorn keeps the raw URI, so an encoded "/" inside the lot survives.
    raw = "/01/09521234000013/10/2026%2F07%211"
    response = client.get(raw, RAW_URI=raw)
    assert response.status_code == 200
    assert response.context["story"]["batch"] == "2026/07!1"


# --- codes that are not ours -------------------------------------------------------------


def test_unknown_serial_of_a_known_gtin_warns_of_counterfeit(client, county):
    response = client.get("/01/09521234000020/21/FAKE99")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="unregistered-warning"' in html
    assert zh("Warning: this code is not registered") in html
    # A lot number never issued is the same warning.
    assert client.get("/01/09521234000013/10/NOPE").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/01/09521234000021/21/S1",  # bad check digit
        "/01/9521234000020/21/S1",  # GTIN-13: printed codes carry GTIN-14
        "/01/0952123400002X/21/S1",
        "/01/09521234000020/21",  # odd segments
        "/01/09521234000020/99/S1",  # unknown qualifier
        "/01/09521234000020/21/S1/10/D",  # qualifiers out of order
        "/01/09521234000020/10/D/10/E",
        "/01/09521234000020/21/" + "S" * 21,  # serial too long
        "/01/09521234000020/21/%E4%B8%AD",  # outside GS1 set 82
        "/01/09521234000020/21/S1%00",
        "/01/09521234000020/21/S%0A1",  # a newline in the path
        "/01/",
        "/01",
        "/01//21/S1",
        "/01/00000000000000",  # valid check digit, unknown product
        "/01/12345678901231/10/L1",  # valid, not ours
    ],
)
def test_malformed_or_unknown_codes_get_the_friendly_404(client, county, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "trace/resolver/not_found.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'data-testid="not-verified"' in html
    assert zh("Please scan the code on the package again, or contact the seller.") in html


SEGMENT = st.one_of(
    st.sampled_from(["01", "10", "21", "22", "09521234000020", "09521234000013", "S1", "D", ""]),
    st.text(min_size=0, max_size=24),
    st.from_regex(r"[0-9]{1,16}", fullmatch=True),
)


@hsettings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(segments=st.lists(SEGMENT, min_size=0, max_size=7))
def test_random_paths_never_fail(client, county, segments):
    path = "/01/" + "/".join(quote(s, safe="") for s in segments)
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 404), path
    raw = "/01/" + "/".join(quote(s, safe="%") for s in segments)
    assert client.get(raw, RAW_URI=raw).status_code in (200, 404), raw


def test_parse_path():
    assert parse_path("/01/09521234000020/21/S1").qualifier("21") == "S1"
    assert parse_path("/01/09521234000020/10/A%2FB").qualifier("10") == "A/B"
    assert parse_path("/01/09521234000020").scheme == "gtin"
    assert parse_path("/01/09521234000021") is None
    assert parse_path("/414/9521234000017") is None


# --- status ------------------------------------------------------------------------------


def test_recalled_item_shows_the_red_warning(client, county):
    assert 'data-testid="recall-warning"' not in client.get(ITEM).content.decode()
    start_recall(actor=Actor.system(), identifier=chain.dl_lot("A"), reason="二氧化硫残留超标")
    response = client.get(ITEM)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="recall-warning"' in html
    assert "二氧化硫残留超标" in html
    assert zh("Recalled — do not use") in html
    data = response.context["story"]
    assert data["status"] == "recalled" and data["recall"]["reference"].startswith("RC-")
    assert data["timeline"][0]["key"] == "recall"


def test_an_item_that_failed_its_test_shows_the_red_warning_and_the_test_result(client, county):
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-12T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "non_conformant",
            "epcList": [chain.sgtin("S1")],
        }
    )
    html = client.get(ITEM).content.decode()
    assert 'data-testid="failed-warning"' in html and 'data-testid="recall-warning"' not in html
    assert zh("This lot failed its quality test. It may not be sold or used.") in html
    assert 'data-testid="section-tests"' in html
    assert zh("Test results") in html and zh("Does not conform") in html


def _inspect_lot(batch: str, conclusion: str, reason: str) -> None:
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-12T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "non_conformant",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin(batch)}],
            "daodi:conclusion": conclusion,
            "daodi:statusReason": reason,
        }
    )


def test_a_pack_made_from_a_failed_lot_warns_first_and_never_says_genuine_or_normal(client, county):
    _inspect_lot("A", "not_conform", "二氧化硫残留量：520 mg/kg，不符合 ≤ 150 mg/kg。")
    html = client.get(ITEM).content.decode()
    warning = html.index('data-testid="failed-warning"')
    assert warning < html.index('data-testid="hero"')  # before anything else of the page
    assert "批次 A 制成，该批次质量检验不合格" in html
    assert "二氧化硫残留量：520 mg/kg" in html
    assert 'data-testid="verified"' not in html
    assert zh("Registered code") not in html and zh("Normal") not in html
    data = story.build(chain.dl_item("S1"))
    assert data["status"] == "failed" and data["status_label"] == zh("Failed its quality test")


def test_a_pack_made_from_a_lot_held_pending_its_test_says_so_in_amber(client, county):
    _inspect_lot("B", "incomplete", "未完成（COA2026-000010）")
    html = client.get(ITEM).content.decode()
    assert 'data-testid="hold-notice"' in html and 'data-testid="failed-warning"' not in html
    assert "本产品由批次 B 制成，该批次正被暂扣待质量复核" in html
    assert zh("Registered code") not in html


# --- linkset -----------------------------------------------------------------------------


def test_linkset_on_request(client, county):
    response = client.get(ITEM, HTTP_ACCEPT="application/linkset+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    body = json.loads(response.content)
    (entry,) = body["linkset"]
    assert entry["anchor"] == chain.dl_item("S1")
    (pip,) = entry["https://gs1.org/voc/pip"]
    assert pip["href"] == "http://testserver/01/09521234000020"
    (trace,) = entry["https://gs1.org/voc/traceability"]
    assert trace == {
        "href": "http://testserver" + ITEM,
        "title": trace["title"],
        "type": "text/html",
        "hreflang": ["zh-Hans", "en"],
    }
    assert entry["https://gs1.org/voc/defaultLink"][0]["href"] == trace["href"]
    # The same by query parameter; the HTML page points at it.
    assert json.loads(client.get(ITEM + "?linkType=linkset").content) == body
    html = client.get(ITEM)
    assert html["Link"] == (
        f'<http://testserver{ITEM}?linkType=linkset>; rel="linkset"; '
        'type="application/linkset+json"'
    )
    assert "Accept" in html["Vary"]
    # linkType picks one link.
    assert client.get(ITEM + "?linkType=gs1:pip")["Location"] == "/01/09521234000020"
    assert client.get(ITEM + "?linkType=gs1:traceability").status_code == 200


def test_linkset_of_a_product_and_of_an_unknown_code(client, county):
    body = json.loads(
        client.get("/01/09521234000020", HTTP_ACCEPT="application/linkset+json").content
    )
    assert body["linkset"][0]["anchor"] == "https://id.gs1.org/01/09521234000020"
    assert "https://gs1.org/voc/pip" in body["linkset"][0]
    response = client.get("/01/09521234000020/21/NOPE", HTTP_ACCEPT="application/linkset+json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_certificate_links_go_into_the_linkset(client, county):
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-06T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "conformant",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin("D")}],
            "certificationInfo": "https://daodi.example/certificates/QC-2026-0001",
        }
    )
    body = json.loads(client.get(ITEM, HTTP_ACCEPT="application/linkset+json").content)
    certs = body["linkset"][0]["https://gs1.org/voc/certificationInfo"]
    assert certs[0]["href"] == "https://daodi.example/certificates/QC-2026-0001"
    html = client.get(ITEM).content.decode()
    assert zh("Conforms") in html and "QC-2026-0001" in html


# --- speed and freshness -----------------------------------------------------------------


def test_queries_are_bounded_cold_and_one_when_warm(client, county, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(ITEM).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(ITEM).status_code == 200
    assert len(warm) == 1, [q["sql"] for q in warm]
    # A lot page and the product page are cheap too.
    with django_assert_max_num_queries(12):
        client.get(LOT_D)
    with django_assert_max_num_queries(2):
        client.get("/01/09521234000020")


def test_a_new_event_anywhere_in_the_lineage_refreshes_the_cached_page(client, county):
    client.get(ITEM)
    # An event on the item itself.
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-15T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "retail_selling",
            "epcList": [chain.sgtin("S1")],
        }
    )
    assert client.get(ITEM).context["story"]["timeline"][0]["key"] == "retail_selling"
    # An event on an input lot only (a late test result of the dried lot D).
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-07T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "conformant",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin("D")}],
        }
    )
    assert 'data-testid="section-tests"' in client.get(ITEM).content.decode()
    # invalidate() drops every story (changes that come without an event).
    county.station.name = "东山乡中药材服务站"
    county.station.save()
    assert "东山乡中药材服务站" not in client.get(ITEM).content.decode()
    story.invalidate()
    assert "东山乡中药材服务站" in client.get(ITEM).content.decode()


def test_a_page_built_by_one_worker_serves_the_others(client, county):
    from daodi.trace.resolver.views import story_cache

    first = client.get(ITEM).content.decode()
    story_cache().clear()  # another worker process: its own memory is empty
    with CaptureQueriesContext(connection) as warm:
        again = client.get(ITEM).content.decode()
    assert len(warm) == 1  # the freshness check only: nothing was built again
    assert (
        again.split('name="csrfmiddlewaretoken"')[0] == first.split('name="csrfmiddlewaretoken"')[0]
    )
    # A new event makes the shared copy stale for every worker.
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-15T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "retail_selling",
            "epcList": [chain.sgtin("S1")],
        }
    )
    story_cache().clear()
    keys = [e["key"] for e in client.get(ITEM).context["story"]["timeline"]]
    assert "retail_selling" in keys


def test_later_business_of_an_input_lot_stays_off_the_page(client, county):
    # The rest of lot D is shipped to another buyer after S1 was packed.
    add_event(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-20T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "epcList": [],
            "quantityList": [{"epcClass": chain.lgtin("D"), "quantity": 50, "uom": "KGM"}],
        }
    )
    keys = [e["key"] for e in client.get(ITEM).context["story"]["timeline"]]
    assert "shipping" not in keys
    assert "shipping" in [e["key"] for e in client.get(LOT_D).context["story"]["timeline"]]


# --- public access -----------------------------------------------------------------------


def test_public_rate_limit_answers_429(client, county, settings):
    settings.RESOLVER_RATE = "3/min"
    for _ in range(3):
        assert client.get(ITEM).status_code == 200
    response = client.get(ITEM)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert 'data-testid="throttled"' in response.content.decode()
    # Another address has its own allowance.
    assert client.get(ITEM, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_english_on_request(client, county):
    response = client.get(ITEM, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Chain of custody" in html and "Drying" in html
    zh_html = client.get(ITEM).content.decode()
    assert '<html lang="zh-hans">' in zh_html


def test_mask_name():
    assert story.mask_name("王大山") == "王**"
    assert story.mask_name("李梅") == "李*"
    assert story.mask_name("欧") == "欧*"


def test_other_products_made_earlier_from_an_input_lot_stay_off_the_page(client, county):
    # Part of lot D was packed into another pack before S1's packing: not S1's story.
    add_event(
        {
            "type": "TransformationEvent",
            "eventTime": "2026-07-06T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "packing",
            "inputQuantityList": [{"epcClass": chain.lgtin("D"), "quantity": 0.5, "uom": "KGM"}],
            "outputEPCList": [chain.sgtin("S9")],
        }
    )
    times = [e["time"].day for e in client.get(ITEM).context["story"]["timeline"]]
    assert 6 not in times and 8 in times
    # The lot's own page still tells everything that became of it.
    lot_times = [e["time"].day for e in client.get(LOT_D).context["story"]["timeline"]]
    assert 6 in lot_times
