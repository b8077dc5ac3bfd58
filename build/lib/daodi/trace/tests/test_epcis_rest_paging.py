"""Paging of GET /epcis/events: perPage + nextPageToken neither skips nor repeats events,
even while other events are being captured between (and during) the page requests."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlencode

import pytest
from django.db import OperationalError, connection

from daodi.trace.models import Event
from daodi.trace.tests.test_epcis_rest import document, post_document

START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def purchase(n: int, minutes: int) -> dict:
    """One purchase event, its time ``minutes`` after START."""
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:0c9f6b3e-2d41-4a7c-8f00-{n:012d}",
        "eventTime": (START + dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "quantityList": [
            {"epcClass": f"urn:epc:class:lgtin:9521234.000001.P{n}", "quantity": 10, "uom": "KGM"}
        ],
    }


def results(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    return [e["eventID"] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def next_link(response) -> str | None:
    link = response.get("Link")
    if not link:
        return None
    assert link.endswith('>; rel="next"')
    return link[1 : link.index(">")]


def walk(client, params: dict, between=None) -> list[list[str]]:
    """Every page of a query, following Link rel="next"; ``between`` runs after each page."""
    pages = []
    response = client.get("/epcis/events?" + urlencode(params))
    while True:
        pages.append(results(response))
        url = next_link(response)
        if url is None:
            return pages
        if between:
            between(len(pages))
        response = client.get(url)


@pytest.fixture
def fifty(network, api):
    client = api.as_user(network.point_operator)
    # Minutes 0, 10, 20, …: later captures can land between them in eventTime order.
    body = document(*(purchase(n, 10 * n) for n in range(50)))
    assert post_document(client, body).status_code == 202
    return client


def patiently(request, *args, **kwargs):
    """``request(*args)``, again while SQLite says a table is locked.

    The SQLite test database is an in-memory, shared-cache one, where a reader meeting an
    uncommitted write fails at once instead of waiting; the file database the platform runs
    on (WAL mode) lets readers go on. PostgreSQL never gets here.
    """
    for _attempt in range(2000):
        try:
            return request(*args, **kwargs)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            threading.Event().wait(0.005)
    raise AssertionError("the table stayed locked")


def snapshot(order: str) -> list[str]:
    return list(Event.objects.order_by(*order.split(",")).values_list("event_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "order"),
    [
        ({}, "id"),
        ({"orderBy": "eventTime", "orderDirection": "ASC"}, "event_time,id"),
        ({"orderBy": "eventTime", "orderDirection": "DESC"}, "-event_time,-id"),
        ({"orderBy": "recordTime"}, "-record_time,-id"),
    ],
)
def test_per_page_7_over_50_events_returns_all_exactly_once(fifty, params, order):
    pages = walk(fifty, {**params, "perPage": 7})
    assert [len(p) for p in pages] == [7, 7, 7, 7, 7, 7, 7, 1]
    assert [e for page in pages for e in page] == snapshot(order)


@pytest.mark.django_db
def test_the_default_page_size_is_30(fifty):
    assert [len(p) for p in walk(fifty, {})] == [30, 20]


@pytest.mark.django_db
def test_a_token_cannot_be_used_for_another_query(fifty):
    response = fifty.get("/epcis/events?perPage=7")
    token = next_link(response).split("nextPageToken=")[1]
    other = fifty.get(f"/epcis/events?perPage=7&EQ_action=OBSERVE&nextPageToken={token}")
    assert other.status_code == 400
    assert other.json()["type"] == "epcisException:QueryParameterException"


@pytest.mark.django_db
def test_events_captured_between_pages_neither_shift_nor_join_the_pages(fifty):
    before = snapshot("event_time,id")

    def capture_more(page: int) -> None:
        # Land one event before everything, one between every two pages' events, one after.
        more = [purchase(100 + 3 * page + k, m) for k, m in enumerate((-5, 70 * page - 5, 9999))]
        assert post_document(fifty, document(*more)).status_code == 202

    params = {"orderBy": "eventTime", "orderDirection": "ASC", "perPage": 7}
    pages = walk(fifty, params, between=capture_more)
    assert [e for page in pages for e in page] == before
    assert Event.objects.count() == 50 + 3 * 7
    assert len([e for p in walk(fifty, params) for e in p]) == 71  # a new walk sees them all


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "params",
    [{}, {"orderBy": "eventTime", "orderDirection": "ASC"}, {"orderBy": "eventTime"}],
    ids=["capture-order", "event-time-asc", "event-time-desc"],
)
def test_paging_is_a_stable_snapshot_while_another_thread_captures(network, api, params):
    """Two real threads with their own database connections: one pages, one captures."""
    reader = api.as_user(network.point_operator)
    writer = api.__class__().as_user(network.point_operator)
    body = document(*(purchase(n, 10 * n) for n in range(50)))
    assert post_document(reader, body).status_code == 202
    order = {"": "id", "ASC": "event_time,id", "DESC": "-event_time,-id"}
    expected = snapshot(order[params.get("orderDirection", "DESC" if params else "")])

    first_page_read = threading.Event()
    paging_done = threading.Event()
    captured: list[int] = []
    failures: list[BaseException] = []
    pages: list[list[str]] = []

    def write() -> None:
        try:
            first_page_read.wait(timeout=30)
            n = 1000
            while not paging_done.is_set() or not captured:
                # Times spread over the whole range, so new events sort between old ones.
                batch = [purchase(n + k, (n * 37 + 11 * k) % 500) for k in range(3)]
                response = patiently(post_document, writer, document(*batch))
                assert response.status_code == 202, response.content
                captured.append(len(batch))
                n += 3
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    def read() -> None:
        try:
            response = patiently(reader.get, "/epcis/events?" + urlencode({**params, "perPage": 7}))
            first_page_read.set()
            while True:
                pages.append(results(response))
                url = next_link(response)
                if url is None:
                    break
                # Give the writer a chance to commit a batch between most pages.
                threading.Event().wait(0.02)
                response = patiently(reader.get, url)
        except BaseException as exc:
            failures.append(exc)
        finally:
            first_page_read.set()
            paging_done.set()
            connection.close()

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert captured, "the writer captured nothing while the reader paged"
    got = [e for page in pages for e in page]
    assert len(got) == len(set(got)) == 50
    assert got == expected
    assert Event.objects.count() == 50 + sum(captured)
