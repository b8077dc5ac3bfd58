"""Finding lots and organisations in the buying network's forms: the four ways a lot is
written, a bare batch number among the lots the user may see, and the picker endpoints."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_org
from daodi.core.actor import Actor
from daodi.farm.tests.helpers import state
from daodi.orgs.choices import OrgKind
from daodi.sourcing import actions
from daodi.sourcing.models import Loss, Purchase
from daodi.sourcing.tests.test_purchase import buy
from daodi.trace.epcis import identifiers
from daodi.trace.epcis.lotinput import element_text
from daodi.trace.models import Lot

pytestmark = pytest.mark.django_db


def buy_at_other_point(fields, key="k-other"):
    values = dict(seller=fields.n.other_household, herb=fields.herb, gross_kg=Decimal("20"))
    return actions.record_purchase(
        actor=Actor(fields.n.other_operator, "web"), point=fields.n.other_point,
        client_key=key, price=Decimal("9"), price_unit="kg", payment_method="cash", **values,
    )  # fmt: skip


def loss(client, lot_text, kg="1"):
    return client.post("/sourcing/losses/new/", {"lot": lot_text, "kg": kg, "reason": "sorting"})


def written_forms(lot: Lot) -> dict[str, str]:
    return {
        "batch": lot.batch,
        "printed": element_text(lot.gtin, lot.batch),
        "urn": identifiers.epc_urn(lot.gtin, 7, lot.batch),
        "link": identifiers.digital_link(lot.gtin, lot.batch, host="https://trace.example.cn"),
    }


def test_a_loss_names_its_lot_in_any_of_the_four_written_forms(client, fields):
    lot = Lot.objects.get(identifier=buy(fields).lot)
    client.force_login(fields.n.point_operator)
    for form, text in written_forms(lot).items():
        response = loss(client, text)
        assert response.status_code == 302, (form, response.context["form"].errors)
    assert Loss.objects.filter(lot=lot.identifier).count() == 4
    lot.refresh_from_db()
    assert lot.quantity == Decimal("46.000")


def test_a_batch_number_two_lots_share_is_refused_listing_both(client, fields):
    lot = Lot.objects.get(identifier=buy(fields).lot)
    # The same batch number under another trade item (GTIN) of the same holder.
    twin_gtin = "09521234000020"
    twin = Lot.objects.create(
        identifier=identifiers.canonical(identifiers.digital_link(twin_gtin, lot.batch)),
        gtin=twin_gtin, batch=lot.batch, herb=lot.herb, quantity=Decimal("5"), unit="KGM",
        holder=lot.holder, site=lot.site,
    )  # fmt: skip
    client.force_login(fields.n.point_operator)
    before = state()
    page = loss(client, lot.batch)
    assert page.status_code == 200
    (message,) = page.context["form"].errors["lot"]
    assert element_text(lot.gtin, lot.batch) in message
    assert element_text(twin.gtin, twin.batch) in message
    assert state() == before
    assert loss(client, element_text(twin.gtin, twin.batch)).status_code == 302


def test_given_a_lot_of_another_point_when_its_batch_is_typed_then_it_is_not_found(client, fields):
    theirs = Lot.objects.get(identifier=buy_at_other_point(fields).lot)
    client.force_login(fields.n.point_operator)
    before = state()
    page = loss(client, theirs.batch)
    assert page.status_code == 200 and page.context["form"].errors["lot"]
    assert theirs.batch in page.context["form"].errors["lot"][0]
    assert state() == before


def test_the_lot_picker_finds_the_users_lots_as_they_type_and_never_another_points(client, fields):
    mine = Lot.objects.get(identifier=buy(fields).lot)
    buy_at_other_point(fields)
    client.force_login(fields.n.point_operator)
    found = client.get("/trace/lots/pick/", {"purpose": "held", "q": mine.batch[:4]}).json()
    assert found["results"] == [
        {
            "id": element_text(mine.gtin, mine.batch),
            "text": f"{mine.batch} · 党参 · 50 kg",
            "hint": "杏树村收购点",
        }
    ]
    assert client.get("/trace/lots/pick/", {"purpose": "nonsense"}).status_code == 400


def test_the_seller_picker_answers_the_contract_scoped_to_the_point(client, fields):
    client.force_login(fields.n.point_operator)
    body = client.get("/organisations/pick/", {"purpose": "seller", "q": ""}).json()
    assert [r["text"] for r in body["results"]] == ["王大山"]  # not 李小梅 of the other point
    (seller,) = body["results"]
    assert seller["id"] == fields.n.household.pk and "杏树村收购点" in seller["hint"]
    assert client.get("/organisations/pick/", {"purpose": "seller", "q": "李"}).json() == {
        "results": []
    }
    assert client.get("/organisations/pick/", {"purpose": "x"}).status_code == 400
    client.logout()
    assert client.get("/organisations/pick/", {"purpose": "seller"}).status_code == 302


def test_given_two_sellers_of_one_name_when_the_name_is_typed_then_the_form_asks_which(
    client, fields
):
    from daodi.sourcing.tests.test_pages import purchase_form

    make_org(OrgKind.HOUSEHOLD, "王大山", "HH9", fields.n.point)
    client.force_login(fields.n.point_operator)
    before = state()
    page = client.post("/sourcing/purchases/new/", purchase_form(client, fields, seller="王大山"))
    assert page.status_code == 200
    (message,) = page.context["form"].errors["seller"]
    assert "HH1" in message and "HH9" in message
    assert state() == before and not Purchase.objects.exists()
    picked = purchase_form(client, fields, seller="王大山", seller__id=fields.n.household.pk)
    assert client.post("/sourcing/purchases/new/", picked).status_code == 302
    assert Purchase.objects.get().seller == fields.n.household
