"""Each role's home counts the work waiting for it, scoped to its organisation, and each
count links to the list of exactly those records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from daodi.core.actor import Actor
from daodi.farm.tests.world import SYSTEM, Fields
from daodi.quality import actions as quality_actions
from daodi.quality.tests.world import QualityWorld
from daodi.sourcing import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(network):
    return Fields(network)


def todos(client, user, section: str) -> dict:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    (found,) = [s for s in response.context["sections"] if s.key == section]
    return {t.key: t for t in found.todos}


def buy(fields, point, seller, *, gross="50", price="10", method="cash", paid=None, lot=None):
    extra = {"amount_paid": Decimal(paid)} if paid is not None else {}
    return actions.record_purchase(
        actor=SYSTEM, point=point, client_key=f"{point.code}-{gross}-{method}", seller=seller,
        herb=fields.herb, grade=fields.grade, gross_kg=Decimal(gross), price=Decimal(price),
        payment_method=method, bought_at=timezone.now(), **({"lot": lot} if lot else {}),
        **extra,
    )  # fmt: skip


def listed(client, url) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return [obj for obj, _cells in response.context["table"]]


def test_a_points_home_counts_its_own_purchases_today_and_not_another_points(client, fields):
    n = fields.n
    mine = buy(fields, n.point, n.household, gross="50", price="10")
    buy(fields, n.point, n.household, gross="20", price="10", method="credit", paid="0")
    buy(fields, n.other_point, n.other_household, gross="80", price="10")

    figures = todos(client, n.point_operator, "point")

    today = figures["purchases_today"]
    assert today.count == 2
    assert today.detail == "70.0 kg · ¥700.00"
    assert figures["cash_to_reconcile"].count == "¥500.00"
    assert (figures["owed_to_sellers"].count, figures["owed_to_sellers"].detail) == (1, "¥200.00")
    assert figures["to_dispatch"].count == 2 and figures["to_dispatch"].detail == "70.0 kg"
    assert sorted(p.pk for p in listed(client, today.url)) == sorted(
        p.pk for p in type(mine).objects.filter(point=n.point)
    )
    assert client.get(figures["cash_to_reconcile"].url)["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_a_stations_home_counts_arrivals_to_receive_flags_to_review_and_stock_by_herb(
    client, fields
):
    n = fields.n
    first = buy(fields, n.point, n.household, gross="100")
    second = buy(fields, n.other_point, n.other_household, gross="40")
    d1 = actions.dispatch(
        actor=SYSTEM, source=n.point, destination=n.station, lots=[first.lot],
        sent_at=timezone.now(),
    )  # fmt: skip
    actions.dispatch(
        actor=SYSTEM, source=n.other_point, destination=n.station, lots=[second.lot],
        sent_at=timezone.now(),
    )  # fmt: skip
    figures = todos(client, n.station_admin, "station")
    assert figures["arrivals"].count == 2 and figures["flags"].count == 0

    actions.receive(actor=SYSTEM, dispatch=d1, weights={first.lot: Decimal("80")})  # 20 % short

    figures = todos(client, n.station_admin, "station")
    assert figures["arrivals"].count == 1 and figures["flags"].count == 1
    assert [d.pk for d in listed(client, figures["flags"].url)] == [d1.pk]
    stock = client.get("/").context["sections"][0].stock
    assert [(r["herb"], r["kg"], r["lots"]) for r in stock] == [("党参", Decimal("80.000"), 1)]
    assert [lot.identifier for lot in listed(client, stock[0]["url"])] == [first.lot]


def test_a_labs_home_counts_orders_to_test_results_to_review_and_returned_results(client, network):
    world = QualityWorld(network)
    world.order()
    to_review = world.order()
    world.enter(to_review, {"水分": "12.5"})
    returned = world.order()
    world.enter(returned, {"水分": "12.5"})
    quality_actions.return_order(
        actor=Actor(world.reviewer, "web"), order=returned, reason="水分复测"
    )

    figures = todos(client, world.analyst, "lab")

    assert (figures["to_test"].count, figures["to_review"].count) == (1, 1)
    assert figures["returned"].count == 1
    assert [o.pk for o in listed(client, figures["to_review"].url)] == [to_review.pk]
    assert [o.pk for o in listed(client, figures["returned"].url)] == [returned.pk]


def test_a_processor_home_counts_the_lots_it_holds_on_hold_and_to_process(client, fields):
    from conftest import make_org, make_user
    from daodi.orgs.choices import OrgKind, Role
    from daodi.trace.models import Lot

    n = fields.n
    plant = make_org(OrgKind.PROCESSOR, "瑞昌加工厂", "PR1")
    worker = make_user("plant_admin", plant, Role.ADMIN)
    bought = [buy(fields, n.point, n.household, gross=g) for g in ("30", "40")]
    # The plant's lots as the projection shows them once they arrived there and one failed
    # its test (the chain up to a processor is tested where it is built).
    Lot.objects.filter(identifier__in=[p.lot for p in bought]).update(holder=plant)
    Lot.objects.filter(identifier=bought[0].lot).update(status="on_hold")

    figures = todos(client, worker, "processor")

    assert (figures["on_hold"].count, figures["to_process"].count) == (1, 1)
    assert [lot.identifier for lot in listed(client, figures["on_hold"].url)] == [bought[0].lot]
    # The point's operator sees none of the plant's lots behind the same link.
    client.force_login(n.point_operator)
    assert listed(client, figures["on_hold"].url) == []


def test_someone_without_an_operational_role_sees_the_overview(client, network):
    client.force_login(network.point_viewer)
    response = client.get("/")
    assert response.context["sections"] == []
    assert response.context["org_total"] == 2  # the point and its household


def test_the_homes_query_count_does_not_grow_with_the_records(client, fields):
    """Aggregates, not loops: a busier day costs no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    n = fields.n
    client.force_login(n.station_admin)

    def queries_of(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    buy(fields, n.point, n.household, gross="10")
    before = {u.username: queries_of(u) for u in (n.point_operator, n.station_admin, n.regulator)}
    for gross in ("11", "12", "13", "14"):
        sent = buy(fields, n.point, n.household, gross=gross)
        actions.dispatch(actor=SYSTEM, source=n.point, destination=n.station, lots=[sent.lot],
                         sent_at=timezone.now())  # fmt: skip
    after = {u.username: queries_of(u) for u in (n.point_operator, n.station_admin, n.regulator)}
    assert after == before
