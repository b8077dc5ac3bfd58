"""The quality REST API: the same actions as the pages, through bearer tokens."""

from __future__ import annotations

import pytest

from ..choices import OrderStatus
from ..models import Certificate, Result, SpecSet
from .world import INSTRUMENT_CSV, QualityWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network):
    return QualityWorld(network)


def test_a_buyer_creates_and_approves_its_own_set_with_items(network, api):
    client = api.as_user(network.point_operator)
    body = {
        "organisation": network.point.pk,
        "name": "收购内控标准",
        "authority": "buyer",
        "edition": "2026",
        "items": [
            {"herb": "党参", "test_item": "水分", "op": "<=", "limit": "14.0", "unit": "%"},
            {"herb": "党参", "test_item": "杂质", "op": "<=", "limit": "2", "unit": "%"},
        ],
    }
    created = client.post("/api/spec-sets/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["code"], data["version"], data["status"]) == ("pt1-buyer-2026", 1, "draft")
    assert [i["test_item"] for i in data["items"]] == ["水分", "杂质"]
    approved = client.post(f"/api/spec-sets/{data['id']}/approve/")
    assert approved.json()["status"] == "approved"
    csv = client.get(f"/api/spec-sets/{data['id']}/export/")
    assert csv.status_code == 200 and "党参,,水分,<=,14.0,%" in csv.content.decode()
    changed = client.patch(f"/api/spec-sets/{data['id']}/", {"name": "改名"}, format="json")
    assert changed.status_code == 400 and changed.json()["code"] == "set_not_draft"


def test_a_bad_item_is_refused_with_the_field_and_nothing_is_created(network, api):
    client = api.as_user(network.point_operator)
    body = {
        "organisation": network.point.pk,
        "name": "坏标准",
        "authority": "buyer",
        "edition": "2026",
        "items": [{"herb": "党参", "test_item": "水分", "op": "<=", "limit": "abc", "unit": "%"}],
    }
    response = client.post("/api/spec-sets/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"]["limit"][0].startswith("This item cannot be judged")
    assert not SpecSet.objects.filter(name="坏标准").exists()


def test_sample_results_import_and_review_through_the_api(world, api):
    point = api.as_user(world.n.point_operator)
    sample = point.post(
        "/api/samples/",
        {
            "lot": "urn:epc:class:lgtin:9521234.000001.D",  # the EPC URN form works too
            "quantity": "150",
            "unit": "g",
            "lab": world.lab.pk,
            "spec_sets": [world.chp.pk],
        },
        format="json",
    )
    assert sample.status_code == 201, sample.content
    assert sample.json()["lot"] == world.lot.identifier
    order_id = point.get("/api/test-orders/").json()["results"][0]["id"]

    from rest_framework.test import APIClient

    lab = APIClient()
    lab.force_authenticate(world.analyst)
    imported = lab.post(
        f"/api/test-orders/{order_id}/import-results/",
        {"mapping": world.mapping.pk, "content": INSTRUMENT_CSV},
        format="json",
    )
    assert imported.status_code == 201, imported.content
    assert len(imported.json()) == 4

    own = lab.post(f"/api/test-orders/{order_id}/approve/")
    assert own.status_code == 403 and own.json()["code"] == "own_result"

    reviewer = APIClient()
    reviewer.force_authenticate(world.reviewer)
    approved = reviewer.post(f"/api/test-orders/{order_id}/approve/")
    assert approved.status_code == 200, approved.content
    cert = approved.json()
    assert cert["conclusion"] == "conform" and cert["verify_url"].endswith(cert["content_hash"])
    assert point.get(f"/api/certificates/{cert['id']}/").json()["number"] == cert["number"]
    assert point.get("/api/test-orders/").json()["results"][0]["status"] == OrderStatus.APPROVED


def test_corrections_and_retests_through_the_api(world, api):
    order = world.order()
    (moisture,) = world.enter(order, {"水分": "12.5"})
    client = api.as_user(world.analyst)
    no_reason = client.patch(f"/api/results/{moisture.pk}/", {"value": "12.6"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    fixed = client.patch(
        f"/api/results/{moisture.pk}/", {"value": "12.6", "reason": "抄错"}, format="json"
    )
    assert fixed.status_code == 200 and fixed.json()["value"] == "12.6"
    retest = client.post(
        f"/api/results/{moisture.pk}/retest/", {"value": "12.3", "reason": "复检"}, format="json"
    )
    assert retest.status_code == 201 and retest.json()["supersedes"] == moisture.pk
    assert Result.objects.filter(order=order).count() == 2


def test_another_organisation_sees_none_of_it(world, api):
    order = world.order()
    world.enter(order, {"水分": "12.5"})
    client = api.as_user(world.n.other_operator)
    for resource in ("samples", "test-orders", "results", "certificates", "notifications"):
        assert client.get(f"/api/{resource}/").json()["count"] == 0, resource
    assert client.get(f"/api/test-orders/{order.pk}/").status_code == 404
    assert not Certificate.objects.exists()
