"""Offline purchases at a village point, in headless Chromium at 390×844.

The landing page promises purchases "online or offline": the operator opens the purchase
form once with a connection, loses it, records two purchases, which wait on the phone as
待上传, and when the connection returns each is recorded once, with its receipt to print —
even when the first upload reached the server but its answer never came back.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_org
from daodi.farm.tests.world import Fields
from daodi.orgs.choices import OrgKind
from daodi.sourcing.models import Purchase

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def point(network):
    fields = Fields(network)
    fields.second = make_org(OrgKind.HOUSEHOLD, "赵铁柱", "HH3", network.point)
    return fields


def buy(page, seller_query: str, seller: str, gross: str, price: str) -> None:
    """Fill the purchase form the way an operator does and tap 记录收购."""
    page.get_by_test_id("seller").fill(seller_query)
    expect(page.locator("#id_seller_list [role=option]")).to_have_count(1)
    expect(page.locator("#id_seller_list [role=option]")).to_contain_text(seller)
    page.locator("#id_seller_list [role=option]").click()
    page.select_option("#id_herb", label="党参")
    page.select_option("#id_grade", label="党参 统货")
    page.fill("#id_gross_kg", gross)
    page.fill("#id_price", price)
    page.get_by_test_id("save").click()


def test_two_purchases_made_offline_are_recorded_once_each_when_the_connection_returns(
    point, phone, screenshot
):
    page = phone
    context = page.context
    sign_in(page, "point_op", PASSWORD)

    # Given the operator opened the purchase form once online (the phone now keeps it).
    page.goto("/sourcing/purchases/new/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    # When the connection is lost, the form still opens, and two purchases are recorded.
    # (The phone opens on the platform's home page, which leads to the form while offline.)
    context.set_offline(True)
    page.goto("/")
    page.wait_for_url("**/sourcing/purchases/new/")
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    # (The seller picker's search is answered on the phone, from the point's kept list.)
    picked = page.evaluate("fetch('/organisations/pick/?purpose=seller&q=赵').then(r => r.json())")
    assert [(r["id"], r["text"]) for r in picked["results"]] == [(point.second.pk, "赵铁柱")]
    buy(page, "王大", "王大山", "52.4", "11")
    expect(page.get_by_test_id("queued")).to_have_count(1)
    buy(page, "赵铁", "赵铁柱", "30", "12")

    # Then both wait on the phone as 待上传, and nothing reached the server.
    queued = page.get_by_test_id("queued")
    expect(queued).to_have_count(2)
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    expect(queued.get_by_test_id("queued-state")).to_have_text(["待上传", "待上传"])
    keys = sorted(queued.evaluate_all("rows => rows.map(r => r.dataset.key)"))
    assert len(set(keys)) == 2
    assert Purchase.objects.count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "offline-queued")

    # When the connection returns, the first upload reaches the server, which records it,
    # but its answer is lost on the way back: the phone must send it again.
    lost = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server records the purchase…
            lost.append(route.request.post_data)
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.continue_()

    page.route("**/sourcing/purchases/new/", lose_the_answer)
    back_online = timezone.now()
    with page.expect_event("requestfailed"):
        context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_have_text("已保存在本机，联网后自动上传。")
    assert lost and Purchase.objects.count() == 1
    expect(page.get_by_test_id("pending-count")).not_to_have_text("0")

    # And the next time the form opens, the rest is sent, the first one a second time.
    page.unroute("**/sourcing/purchases/new/")
    page.reload()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    expect(queued.get_by_test_id("queued-state")).to_have_text(["已上传", "已上传"])

    # Then each purchase is recorded once, under its own key, at the time it was made.
    purchases = Purchase.objects.order_by("net_kg")
    assert sorted(p.client_key for p in purchases) == keys
    assert all(p.bought_at < back_online for p in purchases)
    assert [(p.seller.name, p.net_kg, p.amount) for p in purchases] == [
        ("赵铁柱", Decimal("30.00"), Decimal("360.00")),
        ("王大山", Decimal("52.40"), Decimal("576.40")),
    ]
    screenshot(page, "offline-uploaded")

    # And each receipt can be printed afterwards from the list.
    links = page.get_by_test_id("queued-receipt")
    expect(links).to_have_count(2)
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        response = page.request.get(href)
        assert response.headers["content-type"] == "application/pdf"

    # When the operator signs out, the phone forgets the kept form and the sellers' list.
    page.get_by_test_id("nav-toggle").click()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/sourcing/" not in url)
    page.wait_for_load_state()
    kept = page.evaluate("caches.keys()")
    assert kept and not [name for name in kept if name.startswith("daodi-offline-pages-")]


def test_a_purchase_whose_sending_fails_on_a_weak_signal_is_kept_and_recorded_once_later(
    point, phone
):
    page = phone
    context = page.context
    sign_in(page, "point_op", PASSWORD)
    page.goto("/sourcing/purchases/new/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    # Given the phone believes it is online, but the purchase reaches the server and its
    # answer is lost (the browser would show its error page and the operator tap again).
    def lose_the_answer(route):
        if route.request.method == "POST":
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route("**/sourcing/purchases/new/", lose_the_answer)
    buy(page, "王大", "王大山", "52.4", "11")

    # Then the form comes back with the purchase kept on the phone as 待上传.
    expect(page.get_by_test_id("queued-state")).to_have_text(["待上传"])
    expect(page.get_by_test_id("offline-status")).to_have_text("已保存在本机，联网后自动上传。")
    assert Purchase.objects.count() == 1  # the server did record it

    # When the signal is good again and the form opens, it is sent again, and recorded once.
    context.unroute("**/sourcing/purchases/new/")
    page.reload()
    expect(page.get_by_test_id("queued-state")).to_have_text(["已上传"])
    purchase = Purchase.objects.get()
    assert purchase.seller == point.n.household and purchase.net_kg == Decimal("52.40")


def test_a_purchase_the_server_refuses_on_upload_shows_why_and_is_corrected_in_the_form(
    point, phone
):
    page = phone
    context = page.context
    sign_in(page, "point_op", PASSWORD)
    page.goto("/sourcing/purchases/new/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    # Given a purchase made offline whose tare is more than its gross weight.
    context.set_offline(True)
    page.fill("#id_tare_kg", "40")
    buy(page, "王大", "王大山", "30", "11")
    expect(page.get_by_test_id("queued-state")).to_have_text(["待上传"])

    # When the connection returns, the server refuses it: the list says why, nothing is written.
    context.set_offline(False)
    row = page.get_by_test_id("queued")
    expect(row.get_by_test_id("queued-state")).to_have_text(["未被接受"])
    expect(row).to_contain_text("皮重（kg）：")
    assert Purchase.objects.count() == 0

    # Then 改正 puts it back into the form; corrected and sent, it is recorded and leaves the list.
    row.get_by_role("button", name="改正").click()
    expect(page.locator("#id_gross_kg")).to_have_value("30")
    page.fill("#id_tare_kg", "1")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    assert Purchase.objects.get().net_kg == Decimal("29.00")
    page.goto("/sourcing/purchases/new/")
    expect(page.get_by_test_id("queued")).to_have_count(0)


def test_a_purchase_made_offline_at_an_implausible_price_is_confirmed_from_the_list(
    point, phone, screenshot
):
    herb = point.herb
    herb.price_min_per_kg, herb.price_max_per_kg = 5, 60
    herb.save()
    page = phone
    context = page.context
    sign_in(page, "point_op", PASSWORD)
    page.goto("/sourcing/purchases/new/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    # Given a purchase made offline at 95 元/kg, for a herb bought at 5–60.
    context.set_offline(True)
    buy(page, "王大", "王大山", "52", "95")

    # When it is uploaded, the server asks for confirmation and records nothing yet.
    context.set_offline(False)
    row = page.get_by_test_id("queued")
    expect(row.get_by_test_id("queued-state")).to_have_text(["待确认"])
    expect(row).to_contain_text("95.00 元/kg")
    assert not Purchase.objects.exists()
    screenshot(page, "offline-confirm")

    # Then confirming it in the list sends it again as confirmed, and it is recorded once.
    row.get_by_test_id("queued-confirm").click()
    expect(row.get_by_test_id("queued-state")).to_have_text(["已上传"])
    purchase = Purchase.objects.get()
    assert purchase.price_per_kg == Decimal("95.00") and purchase.net_kg == Decimal("52.00")
