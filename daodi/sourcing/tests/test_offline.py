"""What the purchase form needs to work offline: the lists the phone keeps, the service
worker that keeps them, and a purchase uploaded later keeping the time it was made.
(The browser side is tests/browser/test_offline_purchase.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from daodi.farm.tests.helpers import state
from daodi.sourcing.models import Purchase
from daodi.sourcing.tests.test_pages import purchase_form

pytestmark = pytest.mark.django_db


def test_the_kept_lists_hold_the_operators_sellers_herbs_and_grades_and_no_other_points(
    client, fields
):
    client.force_login(fields.n.point_operator)
    data = client.get("/sourcing/offline/data/").json()
    assert data["points"] == [{"id": fields.n.point.pk, "text": "杏树村收购点"}]
    assert [s["text"] for s in data["sellers"]] == ["王大山"]  # not 李小梅 of the other point
    assert {"id", "text", "hint", "code", "phone", "id_card"} == set(data["sellers"][0])
    assert data["herbs"] == [{"id": fields.herb.pk, "text": "党参"}]
    assert data["grades"] == [{"id": fields.grade.pk, "herb": fields.herb.pk, "text": "党参 统货"}]
    assert {"id": "jin", "text": "元/市斤"} in data["price_units"]
    assert data["user"] == "point_op"  # whose queue a purchase kept by the worker joins


def test_the_kept_lists_are_only_for_a_signed_in_user(client, fields):
    response = client.get("/sourcing/offline/data/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_service_worker_covers_the_site_and_is_versioned_by_its_content(client):
    response = client.get("/sourcing/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == "/"  # the home page leads to the form
    assert response["Cache-Control"] == "no-cache"  # a new version is found at once
    script = response.content.decode()
    assert len(re.findall(r'const VERSION = "([0-9a-f]{12})";', script)) == 1
    assert 'const FORM_URL = "/sourcing/purchases/new/";' in script
    assert client.get("/sourcing/sw.js").content.decode() == script  # same script, same caches


def test_a_purchase_uploaded_later_keeps_the_time_it_was_made_and_records_once(client, fields):
    client.force_login(fields.n.point_operator)
    made = timezone.now() - dt.timedelta(hours=5)
    body = purchase_form(client, fields, bought_at=made.isoformat())
    first = client.post("/sourcing/purchases/new/", body)
    before = state()
    again = client.post("/sourcing/purchases/new/", body)  # the first answer was lost
    assert first.status_code == again.status_code == 302 and again.url == first.url
    assert state() == before
    assert Purchase.objects.get().bought_at == made


def test_a_purchase_dated_in_the_future_is_refused_and_nothing_is_written(client, fields):
    client.force_login(fields.n.point_operator)
    later = timezone.now() + dt.timedelta(days=1)
    before = state()
    page = client.post(
        "/sourcing/purchases/new/", purchase_form(client, fields, bought_at=later.isoformat())
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors == {
        "bought_at": ["收购时间不能晚于现在。"],
        "__all__": ["收购时间不能晚于现在。"],
    }
    assert "<div>收购时间不能晚于现在。</div>" in page.content.decode()  # shown, not hidden
    assert state() == before
