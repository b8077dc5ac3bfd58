"""Purchases at a village point: weights, price units, payment, sellers, resubmitted forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from daodi.catalog.models import Grade, TradeItem
from daodi.core import gs1
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.farm.tests.helpers import state
from daodi.farm.tests.world import SYSTEM
from daodi.sourcing import actions, identity, queries
from daodi.sourcing.models import Purchase, SellerIdentity
from daodi.trace.models import Event, Lot

pytestmark = pytest.mark.django_db
ID_CARD = "11010519491231002X"


def buy(fields, key="k-1", actor=None, **extra):
    values = {
        "seller": fields.n.household,
        "herb": fields.herb,
        "grade": fields.grade,
        "gross_kg": Decimal("52.4"),
        "tare_kg": Decimal("2.4"),
        "moisture_pct": Decimal("62.5"),
        "price": Decimal("9.00"),
        "price_unit": "jin",
        "payment_method": "wechat",
    } | extra
    return actions.record_purchase(
        actor=actor or Actor(fields.n.point_operator, "web"),
        point=fields.n.point,
        client_key=key,
        **values,
    )


def test_id_cards_are_checked_masked_and_found_again_by_number_or_tail():
    assert identity.is_valid(ID_CARD) and not identity.is_valid("110105194912310021")
    assert identity.mask(ID_CARD) == "110105********002X"


def test_a_purchase_creates_a_lot_at_the_point_priced_per_jin(fields):
    purchase = buy(fields)
    assert purchase.net_kg == Decimal("50.0")
    assert purchase.price_per_kg == Decimal("18.00")  # 9 元/市斤
    assert purchase.amount == Decimal("900.00") and purchase.amount_paid == Decimal("900.00")
    lot = Lot.objects.get(identifier=purchase.lot)
    assert lot.holder == fields.n.point and lot.quantity == Decimal("50.000")
    assert lot.herb == fields.herb and lot.batch.startswith("P")
    doc = purchase.event.document
    assert doc["ilmd"]["daodi:moisture"] == 62.5
    assert doc["sourceList"][0]["source"].endswith(fields.n.household.gln)
    assert purchase.receipt_no.startswith("PT1-")


def test_a_resubmitted_form_records_the_purchase_once(fields):
    first = buy(fields, key="phone-7f3a")
    before = state()
    again = buy(fields, key="phone-7f3a")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert state() == before  # no second purchase, event, lot or audit row
    assert Purchase.objects.filter(client_key="phone-7f3a").count() == 1
    # Another key is another purchase.
    assert buy(fields, key="phone-7f3b").pk != first.pk


def test_a_purchase_of_the_sellers_own_harvest_lot_receives_it_and_records_the_weight_found(
    fields,
):
    harvest = fields.harvest(kg="1200")
    purchase = buy(fields, key="k-h", lot=harvest.lot, gross_kg=Decimal("1190"), tare_kg=0)
    lot = Lot.objects.get(identifier=harvest.lot)
    assert purchase.received_lot and purchase.lot == harvest.lot
    assert lot.holder == fields.n.point and lot.quantity == Decimal("1190.000")
    steps = list(Event.objects.filter(pk__gt=harvest.event.pk).values_list("biz_step", "action"))
    assert steps == [("stock_taking", "DELETE"), ("receiving", "OBSERVE")]


def test_a_harvest_lot_bought_under_another_grade_becomes_a_lot_of_that_grade(fields):
    """A household harvests 统货; the point buys it as 一等 (a trade item of its own): stock
    by grade, commingling and the trace page see the grade, and it leads back to its plot."""
    from daodi.trace.resolver import story

    first = Grade.objects.create(herb=fields.herb, grade="一等")
    TradeItem.objects.create(
        gtin=gs1.make_gtin14(settings.GS1_COMPANY_PREFIX, 8, indicator=9), herb=fields.herb,
        grade=first, pack="散装",
    )  # fmt: skip
    harvest = fields.harvest(kg="1200")
    purchase = buy(fields, key="k-g", lot=harvest.lot, gross_kg=Decimal("1200"), tare_kg=0,
                   grade=first)  # fmt: skip
    assert purchase.received_lot and purchase.lot != harvest.lot and purchase.grade == first
    graded = Lot.objects.get(identifier=purchase.lot)
    assert graded.grade == first and graded.holder == fields.n.point
    assert graded.quantity == Decimal("1200.000")
    assert Lot.objects.get(identifier=harvest.lot).quantity == 0  # all of it graded
    assert [r["grade__grade"] for r in queries.stock([fields.n.point.pk])] == ["一等"]
    page = story.build(purchase.lot)
    assert [s["key"] for s in page["timeline"]][:2] == ["grading", "receiving"]
    assert page["plots"][0]["gln"] == fields.plot.gln
    result = queries.mass_balance()
    assert result.imbalances == [] and result.lot_imbalances == []
    # Bought under its own grade (统货), the lot is simply received.
    again = fields.harvest(kg="600")
    same = buy(fields, key="k-s", lot=again.lot, gross_kg=Decimal("600"), tare_kg=0)
    assert same.lot == again.lot


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"tare_kg": Decimal("60")}, "bad_weights", "tare_kg"),
        ({"net_kg": Decimal("49")}, "bad_weights", "net_kg"),
        ({"amount_paid": Decimal("1000")}, "overpaid", "amount_paid"),
        ({"price": Decimal("0")}, "validation_failed", "price"),
        ({"bought_at": timezone.now() + dt.timedelta(days=1)}, "future_date", "bought_at"),
    ],
)
def test_bad_weights_prices_and_payments_are_refused(fields, extra, code, field):
    before = state()
    with pytest.raises(DomainError) as refused:
        buy(fields, **extra)
    assert refused.value.code == code and field in refused.value.fields
    assert state() == before


def test_another_points_operator_cannot_buy_for_this_point(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        buy(fields, actor=Actor(fields.n.other_operator, "api"))
    assert refused.value.status in (403, 404)
    assert state() == before


def test_a_seller_of_another_point_is_refused(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        buy(fields, seller=fields.n.other_household, actor=SYSTEM)
    assert refused.value.code == "unknown_seller"
    assert state() == before


def test_sellers_are_found_by_name_phone_and_id_card_stored_masked(fields):
    household = fields.n.household
    from daodi.orgs import actions as org_actions

    org_actions.update_organisation(actor=SYSTEM, organisation=household, phone="13912345678")
    buy(fields, id_card=ID_CARD)
    stored = SellerIdentity.objects.get(organisation=household)
    assert stored.id_card_masked == "110105********002X"
    assert ID_CARD not in repr(list(SellerIdentity.objects.values_list()))
    user = fields.n.point_operator
    for q in ("王大", "912345", ID_CARD, "002x"):
        assert list(queries.sellers(user, q)) == [household], q
    assert list(queries.sellers(fields.n.other_operator, "王大")) == []


def test_a_purchase_dated_by_the_phone_keeps_its_time(fields):
    when = dt.datetime(2026, 9, 16, 9, 30, tzinfo=dt.UTC)
    purchase = buy(fields, bought_at=when)
    assert purchase.bought_at == when
    assert purchase.event.event_time == when


def test_a_key_sent_again_with_another_purchase_is_refused_and_the_first_kept(fields):
    """An operator goes back to a sent form and types the next purchase over it."""
    first = buy(fields, key="phone-back")
    before = state()
    with pytest.raises(DomainError) as refused:
        buy(fields, key="phone-back", gross_kg=Decimal("30"))
    assert refused.value.status == 409 and refused.value.code == "client_key_reused"
    assert first.receipt_no in str(refused.value.message)
    assert state() == before
    # The same form resent (with the weights typed as "52.40") is still the first purchase.
    assert buy(fields, key="phone-back", gross_kg=Decimal("52.40")).pk == first.pk
