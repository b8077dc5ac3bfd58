"""What one purchase through the API costs in queries, so the fast path cannot silently
regress (docs/benchmarks.md, buying network)."""

from __future__ import annotations

import pytest
from django.db import connection

from daodi.sourcing.models import Purchase
from daodi.trace.models import Event, Lot

pytestmark = pytest.mark.django_db

# Counted by Django's cursor (the event's own rows go through the driver's): the token and
# its user; the form's point, seller, herb and grade; the replay check; the user's grants;
# the point's place and trade item; the lot number and its check; the purchase and its
# audit; savepoints (a test runs inside a transaction) and the writers' lock on PostgreSQL.
# Every look-up is compiled once (core.compiled); permissions are decided in memory.
MAX_QUERIES = 18 if connection.vendor == "postgresql" else 16
MAX_REPLAY_QUERIES = 10  # with the purchase's corrections, read back with it


def body(fields, key: str) -> dict:
    return {
        "client_key": key,
        "point": fields.n.point.pk,
        "seller": fields.n.household.pk,
        "herb": fields.herb.pk,
        "grade": fields.grade.pk,
        "gross_kg": "52.4",
        "tare_kg": "2.4",
        "moisture_pct": "62.5",
        "price": "9.00",
        "price_unit": "jin",
        "payment_method": "wechat",
    }


def test_a_purchase_through_the_api_costs_a_bounded_number_of_queries(
    fields, api, django_assert_max_num_queries
):
    client = api.as_user(fields.n.point_operator)
    # The first request of the token stamps its use, the first purchase of the day starts
    # the day's lot numbers: neither is what every purchase costs.
    assert client.post("/api/purchases/", body(fields, "q-0"), format="json").status_code == 201
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post("/api/purchases/", body(fields, "q-1"), format="json")
    assert response.status_code == 201, response.content
    purchase = Purchase.objects.get(pk=response.json()["id"])
    assert Lot.objects.get(identifier=purchase.lot).quantity == purchase.net_kg
    assert Event.objects.filter(pk=purchase.event_id).exists()
    with django_assert_max_num_queries(MAX_REPLAY_QUERIES):
        again = client.post("/api/purchases/", body(fields, "q-1"), format="json")
    assert again.status_code == 200 and again.json()["id"] == purchase.pk
