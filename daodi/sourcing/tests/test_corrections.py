"""Corrections the EPCIS way: a purchase corrected or voided, a dispatch cancelled, an
implausible purchase confirmed, and a seller registered from inside the purchase."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.farm.tests.helpers import state
from daodi.sourcing import actions, documents, identity, queries
from daodi.sourcing.models import Correction, Purchase, SellerIdentity
from daodi.trace.models import Event, Lot

from .test_purchase import buy

pytestmark = pytest.mark.django_db
ID_CARD = "11010519491231002X"


def web(fields):
    return Actor(fields.n.point_operator, "web")


def balance_of(lot: str):
    rows = [r for r in queries.mass_balance().lots if r.lot == lot]
    return rows[0] if rows else None


def declaration_of(event: Event) -> Event:
    return Event.objects.get(event_hash=event.event_hash, is_declaration=True)


# --- correcting a purchase --------------------------------------------------------------------
def test_a_reweighed_purchase_keeps_its_event_and_adds_a_declaration_and_a_corrective_one(
    fields,
):
    purchase = buy(fields)  # 50 kg at 18 元/kg
    first = purchase.event
    corrected = actions.correct_purchase(
        actor=web(fields), purchase=purchase, note="秤未归零", gross_kg=Decimal("47.4")
    )
    assert corrected.net_kg == Decimal("45.0") and corrected.amount == Decimal("810.00")
    assert corrected.amount_paid == Decimal("810.00")  # paid in full stays paid in full
    # The first event is unchanged; its declaration names the corrective event.
    first.refresh_from_db()
    assert first.document["quantityList"][0]["quantity"] == 50.0
    declared = declaration_of(first)
    error = declared.document["errorDeclaration"]
    assert error["reason"] == "incorrect_data" and error["declarationTime"]
    assert error["correctiveEventIDs"] == [corrected.event.event_id]
    assert declared.event_id == first.event_id
    assert corrected.event.document["quantityList"][0]["quantity"] == 45.0
    # The lot projection and the mass balance follow.
    assert Lot.objects.get(identifier=purchase.lot).quantity == Decimal("45.000")
    row = balance_of(purchase.lot)
    assert row.received == Decimal("45") and row.stock == Decimal("45") and not row.imbalanced
    # Audited, and kept with who, why and what.
    correction = Correction.objects.get(purchase=purchase)
    assert correction.user == fields.n.point_operator and correction.note == "秤未归零"
    assert correction.changes["net_kg"] == ["50", "45"]
    assert correction.declaration == declared and correction.corrective == corrected.event


def test_a_corrected_purchase_is_corrected_again_from_its_corrective_event(fields):
    purchase = buy(fields)
    once = actions.correct_purchase(
        actor=web(fields), purchase=purchase, note="皮重记错", tare_kg=Decimal("3.4")
    )
    twice = actions.correct_purchase(
        actor=web(fields), purchase=once, note="再次复秤", gross_kg=Decimal("50.4")
    )
    assert twice.net_kg == Decimal("47.0")
    assert Lot.objects.get(identifier=purchase.lot).quantity == Decimal("47.000")
    assert balance_of(purchase.lot).received == Decimal("47")
    assert Event.objects.filter(is_declaration=True).count() == 2


def test_a_price_correction_changes_the_record_its_receipt_and_settlement_but_no_event(
    fields, tmp_path
):
    from daodi.trace.tests.test_documents import pdf_text

    purchase = buy(fields)
    events_before = Event.objects.count()
    corrected = actions.correct_purchase(
        actor=web(fields), purchase=purchase, note="单价填错", price=Decimal("9.50")
    )
    assert corrected.amount == Decimal("950.00") and corrected.event_id == purchase.event_id
    assert Event.objects.count() == events_before
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(documents.receipt_pdf(corrected))
    text = pdf_text(pdf)
    assert "950.00" in text and "单价填错" in text
    book = io.BytesIO()
    documents.settlement_xlsx(fields.n.point, timezone.localtime(purchase.bought_at).date(), book)
    sheet = openpyxl.load_workbook(book).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == purchase.receipt_no]
    assert rows[0][10] == 950 and "单价填错" in rows[0][-1]


def test_a_correction_without_a_reason_or_without_a_change_is_refused_and_changes_nothing(
    fields,
):
    purchase = buy(fields)
    before = state()
    with pytest.raises(DomainError) as no_reason:
        actions.correct_purchase(
            actor=web(fields), purchase=purchase, note=" ", gross_kg=Decimal("40")
        )
    assert no_reason.value.code == "reason_required"
    with pytest.raises(DomainError) as same:
        actions.correct_purchase(
            actor=web(fields), purchase=purchase, note="无", gross_kg=purchase.gross_kg
        )
    assert same.value.code == "no_change"
    assert state() == before


def test_another_points_operator_cannot_correct_a_purchase(fields):
    purchase = buy(fields)
    before = state()
    with pytest.raises(DomainError):
        actions.correct_purchase(
            actor=Actor(fields.n.other_operator, "web"), purchase=purchase, note="越权",
            price=Decimal("1"),
        )  # fmt: skip
    assert state() == before


# --- voiding a purchase -------------------------------------------------------------------------
def test_a_voided_purchase_leaves_its_lot_empty_and_the_balance_without_it(
    fields,
):
    purchase = buy(fields)
    voided = actions.void_purchase(actor=web(fields), purchase=purchase, note="重复录入")
    assert voided.voided
    declared = declaration_of(purchase.event)
    error = declared.document["errorDeclaration"]
    assert error["reason"] == "did_not_occur" and "correctiveEventIDs" not in error
    lot = Lot.objects.get(identifier=purchase.lot)
    assert lot.quantity == 0
    assert balance_of(purchase.lot) is None  # no flow, no stock
    correction = Correction.objects.get(purchase=purchase)
    assert correction.kind == "voided" and correction.note == "重复录入"
    # The day's settlement leaves it out; a second void or a correction is refused.
    assert purchase.pk not in {p.pk for p in queries.today_purchases(fields.n.point)}
    with pytest.raises(DomainError) as again:
        actions.void_purchase(actor=web(fields), purchase=purchase, note="再作废")
    assert again.value.code == "purchase_voided"


def test_a_purchase_whose_lot_was_dispatched_cannot_be_voided_nor_reweighed(fields):
    purchase = buy(fields)
    sent = actions.dispatch(
        actor=web(fields), source=fields.n.point, destination=fields.n.station,
        lots=[purchase.lot],
    )  # fmt: skip
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.void_purchase(actor=web(fields), purchase=purchase, note="误录")
    assert refused.value.code == "lot_used"
    assert sent.number in str(refused.value.message)
    with pytest.raises(DomainError) as reweighed:
        actions.correct_purchase(
            actor=web(fields), purchase=purchase, note="复秤", gross_kg=Decimal("40")
        )
    assert reweighed.value.code == "lot_used"
    assert state() == before
    # Once the dispatch is cancelled, the lot is the point's again and the purchase voidable.
    actions.cancel_dispatch(actor=web(fields), dispatch=sent, note="车坏了")
    assert actions.void_purchase(actor=web(fields), purchase=purchase, note="误录").voided


def test_a_purchase_whose_lot_was_processed_cannot_be_voided(fields):
    purchase = buy(fields)
    actions.record_loss(actor=web(fields), lot=purchase.lot, kg=Decimal("1"), reason="sorting")
    with pytest.raises(DomainError) as refused:
        actions.void_purchase(actor=web(fields), purchase=purchase, note="误录")
    assert refused.value.code == "lot_used"


# --- cancelling a dispatch ----------------------------------------------------------------------
def test_given_a_dispatch_in_transit_when_cancelled_then_its_lots_are_the_senders_stock_again(
    fields,
):
    purchase = buy(fields)
    sent = actions.dispatch(
        actor=web(fields), source=fields.n.point, destination=fields.n.station,
        lots=[purchase.lot],
    )  # fmt: skip
    cancelled = actions.cancel_dispatch(actor=web(fields), dispatch=sent, note="车坏了")
    assert cancelled.status == "cancelled"
    lot = Lot.objects.get(identifier=purchase.lot)
    assert lot.holder == fields.n.point and lot.quantity == Decimal("50.000")
    assert lot.disposition.endswith("in_progress")
    assert [r["kg"] for r in queries.stock([fields.n.point.pk])] == [Decimal("50.000")]
    assert not queries.in_transit(fields.n.point)
    declared = declaration_of(sent.ship_event)
    assert declared.document["errorDeclaration"]["reason"] == "did_not_occur"
    correction = Correction.objects.get(dispatch=sent)
    assert correction.corrective.biz_step.endswith("void_shipping")
    row = balance_of(purchase.lot)
    assert row.dispatched == 0 and row.stock == Decimal("50") and row.in_transit == 0
    # Sent anew, and a received dispatch cannot be cancelled.
    again = actions.dispatch(
        actor=web(fields), source=fields.n.point, destination=fields.n.station,
        lots=[purchase.lot],
    )  # fmt: skip
    station = Actor(fields.n.station_admin, "web")
    actions.receive(actor=station, dispatch=again, weights={purchase.lot: Decimal("50")})
    before = state()
    with pytest.raises(DomainError) as late:
        actions.cancel_dispatch(actor=station, dispatch=again, note="太晚")
    assert late.value.code == "not_in_transit"
    assert state() == before


# --- implausible purchases ----------------------------------------------------------------------
def test_a_purchase_outside_the_herbs_ranges_asks_for_confirmation_and_saves_once_confirmed(
    fields,
):
    fields.herb.price_min_per_kg, fields.herb.price_max_per_kg = Decimal(5), Decimal(60)
    fields.herb.max_purchase_kg = Decimal(500)
    fields.herb.save()
    before = state()
    with pytest.raises(DomainError) as asked:
        buy(fields, price=Decimal("90"))  # 90 元/斤 = 180 元/kg: a slipped decimal point
    assert asked.value.code == "implausible_purchase"
    assert set(asked.value.fields) == {"price", "confirm"}
    with pytest.raises(DomainError) as heavy:
        buy(fields, gross_kg=Decimal("5202.4"))
    assert set(heavy.value.fields) == {"gross_kg", "confirm"}
    assert state() == before
    purchase = buy(fields, price=Decimal("90"), confirm=True)
    assert purchase.price_per_kg == Decimal("180.00")
    # A correction into an implausible value asks the same.
    with pytest.raises(DomainError) as corrected:
        actions.correct_purchase(
            actor=web(fields), purchase=buy(fields, key="k-2"), note="复秤",
            gross_kg=Decimal("900"),
        )  # fmt: skip
    assert corrected.value.code == "implausible_purchase"


# --- sellers registered inside the purchase -------------------------------------------------------
def test_a_seller_registered_at_the_point_gets_a_code_and_a_masked_hashed_id_card(fields):
    seller = actions.register_seller(
        actor=web(fields), point=fields.n.point, name="王 秀英", id_card=ID_CARD.lower(),
        phone="138 0000 1234", village=fields.village_in,
    )  # fmt: skip
    assert not seller.existing and seller.name == "王 秀英"
    assert seller.code == f"{fields.n.point.code}-H0001" and seller.managed_by == fields.n.point
    assert seller.kind == "household" and seller.phone == "13800001234"
    kept = SellerIdentity.objects.get(organisation=seller)
    assert kept.id_card_masked == "110105********002X"
    assert kept.id_card_hash == identity.digest(ID_CARD, settings.SECRET_KEY)
    # The next one is numbered on; the same ID card finds the first instead of a second.
    other = actions.register_seller(
        actor=web(fields), point=fields.n.point, name="李四", id_card="110105198001010016",
        village=fields.village_in,
    )  # fmt: skip
    assert other.code.endswith("-H0002")
    again = actions.register_seller(
        actor=web(fields), point=fields.n.point, name="王秀英", id_card=ID_CARD,
        village=fields.village_in,
    )  # fmt: skip
    assert again.existing and again.pk == seller.pk
    # And the household can sell at once.
    assert buy(fields, key="k-new", seller=seller).seller == seller


def test_a_bad_id_card_or_another_points_household_is_refused_and_nothing_is_written(fields):
    actions.set_seller_identity(
        actor=Actor.system(), seller=fields.n.other_household, id_card=ID_CARD
    )
    before = state()
    with pytest.raises(DomainError) as bad:
        actions.register_seller(
            actor=web(fields), point=fields.n.point, name="赵六", id_card="110105194912310021",
            village=fields.village_in,
        )  # fmt: skip
    assert bad.value.code == "bad_id_card" and "id_card" in bad.value.fields
    with pytest.raises(DomainError) as elsewhere:
        actions.register_seller(
            actor=web(fields), point=fields.n.point, name="赵六", id_card=ID_CARD,
            village=fields.village_in,
        )  # fmt: skip
    assert elsewhere.value.code == "seller_elsewhere"
    with pytest.raises(DomainError):
        actions.register_seller(
            actor=Actor(fields.n.other_operator, "web"), point=fields.n.point, name="赵六",
            id_card="130528199002151237",
        )  # fmt: skip
    assert state() == before
    assert not Purchase.objects.exists()
