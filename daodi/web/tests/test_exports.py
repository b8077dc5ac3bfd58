"""The operational lists export to Excel exactly as filtered: Chinese headers, names not codes."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from daodi.core.models import Refusal
from daodi.farm.tests.world import SYSTEM, Fields
from daodi.quality.tests.world import QualityWorld
from daodi.sourcing import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(network):
    return Fields(network)


def sheet(client, url, **query):
    response = client.get(url, {**query, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    return rows[1], rows[2:]  # below the title row: the headers, then the records


def buy(fields, point, seller, key, gross="50"):
    return actions.record_purchase(
        actor=SYSTEM, point=point, client_key=key, seller=seller, herb=fields.herb,
        grade=fields.grade, gross_kg=Decimal(gross), price=Decimal("10"), payment_method="cash",
        bought_at=timezone.now(),
    )  # fmt: skip


def test_the_purchase_list_exports_its_filtered_rows_with_names(client, fields):
    n = fields.n
    mine = buy(fields, n.point, n.household, "a")
    buy(fields, n.other_point, n.other_household, "b")
    client.force_login(n.station_admin)

    headers, rows = sheet(client, "/sourcing/purchases/", point=n.point.pk)

    assert headers[:5] == ("收购单号", "时间", "收购点", "卖方", "品种")
    assert len(rows) == 1
    row = dict(zip(headers, rows[0], strict=True))
    assert row["收购单号"] == mine.receipt_no and row["卖方"] == "王大山" and row["品种"] == "党参"
    assert row["收购点"] == "杏树村收购点" and row["付款方式"] == "现金" and row["金额"] == 500


def test_the_dispatch_and_lot_lists_export_what_their_filters_show(client, fields):
    n = fields.n
    first, second = buy(fields, n.point, n.household, "a"), buy(fields, n.point, n.household, "b")
    flagged = actions.dispatch(
        actor=SYSTEM, source=n.point, destination=n.station, lots=[first.lot],
        sent_at=timezone.now(),
    )  # fmt: skip
    actions.receive(actor=SYSTEM, dispatch=flagged, weights={first.lot: Decimal("30")})
    actions.dispatch(actor=SYSTEM, source=n.point, destination=n.station, lots=[second.lot],
                     sent_at=timezone.now())  # fmt: skip
    client.force_login(n.station_admin)

    headers, rows = sheet(client, "/sourcing/dispatches/", flagged="true")
    assert [dict(zip(headers, r, strict=True))["单号"] for r in rows] == [flagged.number]
    assert dict(zip(headers, rows[0], strict=True))["状态"] == "已收货"

    headers, rows = sheet(client, "/trace/lots/", holder=n.station.pk)
    row = dict(zip(headers, rows[0], strict=True))
    assert len(rows) == 1 and row["持有人"] == n.station.name
    assert row["单位"] == "千克" and row["品种"] == "党参"


def test_refusals_and_imbalances_export_with_their_filters(client, fields):
    n = fields.n
    Refusal.objects.create(channel="web", organisation=n.point, code="banned_pesticide",
                           subject="杏树村3号地块", message="克百威为禁用农药。")  # fmt: skip
    client.force_login(n.regulator)
    today = timezone.localdate().isoformat()

    headers, rows = sheet(client, "/sourcing/refusals/", date_from=today, date_to=today)
    assert rows == [
        (rows[0][0], "禁用农药", "杏树村收购点", "杏树村3号地块", "克百威为禁用农药。", "系统")
    ]
    assert sheet(client, "/sourcing/refusals/", date_to="2000-01-01")[1] == []

    lot = buy(fields, n.point, n.household, "a").lot
    sent = actions.dispatch(actor=SYSTEM, source=n.point, destination=n.station, lots=[lot],
                            sent_at=timezone.now())  # fmt: skip
    actions.receive(actor=SYSTEM, dispatch=sent, weights={lot: Decimal("50")})
    headers, rows = sheet(client, "/sourcing/mass-balance/", all="1", site=n.station.code)
    assert headers[:3] == ("节点", "品种", "已收货 (kg)")
    assert [(r[0], r[1], r[2]) for r in rows] == [(n.station.name, "党参", 50)]


def test_the_out_of_specification_list_exports_the_failed_certificates(client, network):
    world = QualityWorld(network)
    order = world.order()
    world.enter(order, {"水分": "19.0", "总灰分": "4.1", "二氧化硫残留量": "<10",
                        "醇溶性浸出物": "60.2"})  # fmt: skip
    cert = world.approve(order)
    client.force_login(network.regulator)

    headers, rows = sheet(client, "/quality/out-of-spec/")

    row = dict(zip(headers, rows[0], strict=True))
    assert len(rows) == 1 and row["报告编号"] == cert.number
    assert row["结论"] == "不符合规定" and row["品种"] == "党参"
