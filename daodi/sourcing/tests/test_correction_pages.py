"""Corrections through the web and API doors: the purchase form's confirm step and its
seller registration, the correct / void / cancel pages and the records that show them."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from daodi.core.actor import Actor
from daodi.farm.tests.helpers import state
from daodi.orgs.models import Organisation
from daodi.sourcing import actions
from daodi.sourcing.models import Correction, Purchase
from daodi.trace.models import Lot

from .test_pages import purchase_form
from .test_purchase import buy

pytestmark = pytest.mark.django_db
NEW_ID_CARD = "110105198001010016"


def plausible(fields, low="5", high="60", most="500"):
    herb = fields.herb
    herb.price_min_per_kg, herb.price_max_per_kg = Decimal(low), Decimal(high)
    herb.max_purchase_kg = Decimal(most)
    herb.save()


def test_an_implausible_purchase_on_the_form_shows_a_confirm_step_then_saves_once(client, fields):
    plausible(fields)
    client.force_login(fields.n.point_operator)
    body = purchase_form(client, fields, price="200")  # 200 元/kg for 20: a slipped zero
    before = state()
    page = client.post("/sourcing/purchases/new/", body)
    assert page.status_code == 200 and state() == before
    html = page.content.decode()
    assert 'data-testid="confirm-step"' in html and "200.00 元/kg" in html
    assert page.context["form"]["client_key"].value() == body["client_key"]  # kept as sent
    saved = client.post("/sourcing/purchases/new/", body | {"confirm": "1"})
    assert saved.status_code == 302
    assert Purchase.objects.get().price_per_kg == Decimal("200.00")


def test_a_household_registered_inside_the_purchase_form_becomes_its_seller(client, fields):
    client.force_login(fields.n.point_operator)
    page = client.get("/sourcing/purchases/new/").content.decode()
    assert 'data-testid="new-seller-panel"' in page and 'name="new_seller-id_card"' in page
    body = {
        "new_seller-point": fields.n.point.pk,
        "new_seller-name": "王秀英",
        "new_seller-id_card": NEW_ID_CARD,
        "new_seller-phone": "13800001234",
        "new_seller-village": fields.village_in.pk,
    }
    answer = client.post("/sourcing/sellers/register/", body, HTTP_HX_REQUEST="true")
    seller = Organisation.objects.get(name="王秀英")
    event = json.loads(answer["HX-Trigger"])["sellerRegistered"]
    assert event == {"id": seller.pk, "label": "王秀英 · 110105********0016"}
    assert 'data-testid="seller-registered"' in answer.content.decode()
    # Sent again (a double tap), the same household is found, not a second one made.
    again = client.post("/sourcing/sellers/register/", body, HTTP_HX_REQUEST="true")
    assert json.loads(again["HX-Trigger"])["sellerRegistered"]["id"] == seller.pk
    assert Organisation.objects.filter(name="王秀英").count() == 1
    # Without htmx, back to the purchase with the household chosen, and bought from.
    plain = client.post("/sourcing/sellers/register/", body)
    assert plain.url == f"/sourcing/purchases/new/?seller={seller.pk}"
    form = client.get(plain.url).context["form"]
    assert str(form["seller"].value()) == str(seller.pk)
    client.post("/sourcing/purchases/new/", purchase_form(client, fields, seller=seller.pk))
    assert Purchase.objects.get().seller == seller


def test_a_bad_id_card_in_the_registration_is_shown_on_its_field(client, fields):
    client.force_login(fields.n.point_operator)
    before = state()
    answer = client.post(
        "/sourcing/sellers/register/",
        {"new_seller-point": fields.n.point.pk, "new_seller-name": "赵六",
         "new_seller-id_card": "110105198001010017", "new_seller-village": fields.village_in.pk},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "HX-Trigger" not in answer
    assert answer.context["seller_form"].errors["id_card"]
    assert state() == before


def test_the_purchase_record_shows_its_correction_by_whom_when_and_why(client, fields):
    purchase = buy(fields)
    client.force_login(fields.n.point_operator)
    detail = client.get(f"/sourcing/purchases/{purchase.pk}/").content.decode()
    assert 'data-testid="correct"' in detail and 'data-testid="void"' in detail
    form = client.get(f"/sourcing/purchases/{purchase.pk}/correct/").context["form"]
    body = {k: v for k, v in form.initial.items() if v is not None}
    body |= {"gross_kg": "47.4", "note": "秤未归零", "amount_paid": ""}
    response = client.post(f"/sourcing/purchases/{purchase.pk}/correct/", body)
    assert response.status_code == 302, response.context["form"].errors
    assert Lot.objects.get(identifier=purchase.lot).quantity == Decimal("45.000")
    page = client.get(f"/sourcing/purchases/{purchase.pk}/").content.decode()
    assert 'data-testid="correction"' in page and "秤未归零" in page
    assert fields.n.point_operator.get_full_name() in page or "point" in page
    assert "净重（kg）" in page or "净重" in page


def test_a_purchase_voided_on_its_page_says_so_and_offers_no_more_corrections(client, fields):
    purchase = buy(fields)
    client.force_login(fields.n.point_operator)
    refused = client.post(f"/sourcing/purchases/{purchase.pk}/void/", {"note": ""})
    assert refused.status_code == 200 and not Purchase.objects.get().voided
    client.post(f"/sourcing/purchases/{purchase.pk}/void/", {"note": "重复录入"})
    page = client.get(f"/sourcing/purchases/{purchase.pk}/").content.decode()
    assert 'data-testid="voided"' in page and "重复录入" in page
    assert 'data-testid="correct"' not in page


def test_a_dispatch_cancelled_on_its_page_shows_the_cancellation(client, fields):
    purchase = buy(fields)
    sent = actions.dispatch(
        actor=Actor.system(), source=fields.n.point, destination=fields.n.station,
        lots=[purchase.lot],
    )  # fmt: skip
    client.force_login(fields.n.point_operator)
    detail = client.get(f"/sourcing/dispatches/{sent.pk}/").content.decode()
    assert 'data-testid="cancel-dispatch"' in detail
    client.post(f"/sourcing/dispatches/{sent.pk}/cancel/", {"note": "车坏了"})
    page = client.get(f"/sourcing/dispatches/{sent.pk}/").content.decode()
    assert "车坏了" in page and 'data-testid="cancel-dispatch"' not in page
    assert "已取消" in page


# --- the API door -----------------------------------------------------------------------------
def test_the_api_refuses_an_implausible_purchase_with_a_code_unless_confirmed(api, fields):
    plausible(fields)
    client = api.as_user(fields.n.point_operator)
    body = {
        "client_key": "api-1", "point": fields.n.point.pk, "seller": fields.n.household.pk,
        "herb": fields.herb.pk, "gross_kg": "900", "price": "20",
    }  # fmt: skip
    client.get("/api/purchases/")  # the token is used once before the snapshot
    before = state()
    refused = client.post("/api/purchases/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "implausible_purchase"
    assert set(refused.json()["fields"]) == {"gross_kg", "confirm"}
    after = state()
    before.pop("orgs.ApiToken"), after.pop("orgs.ApiToken")  # when it was last used
    assert after == before
    saved = client.post("/api/purchases/", body | {"confirm": True}, format="json")
    assert saved.status_code == 201 and saved.json()["amount"] == "18000.00"


def test_the_api_corrects_voids_cancels_and_registers(api, fields):
    client = api.as_user(fields.n.point_operator)
    purchase = buy(fields)
    corrected = client.post(
        f"/api/purchases/{purchase.pk}/correct/", {"note": "复秤", "gross_kg": "42.4"},
        format="json",
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.json()
    data = corrected.json()
    assert data["net_kg"] == "40.00" and data["corrections"][0]["reason"] == "incorrect_data"
    assert data["corrections"][0]["declaration"].startswith("ni:///")
    other = buy(fields, key="k-2")
    voided = client.post(f"/api/purchases/{other.pk}/void/", {"note": "重复"}, format="json")
    assert voided.status_code == 200 and voided.json()["voided"] is True
    sent = actions.dispatch(
        actor=Actor.system(), source=fields.n.point, destination=fields.n.station,
        lots=[purchase.lot],
    )  # fmt: skip
    refused = client.post(f"/api/purchases/{purchase.pk}/void/", {"note": "晚了"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "lot_used"
    cancelled = client.post(f"/api/dispatches/{sent.pk}/cancel/", {"note": "改期"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    registration = {
        "point": fields.n.point.pk, "name": "王秀英", "id_card": NEW_ID_CARD,
        "village": fields.village_in.pk,
    }  # fmt: skip
    new = client.post("/api/sellers/", registration, format="json")
    assert new.status_code == 201 and new.json()["id_card"] == "110105********0016"
    again = client.post("/api/sellers/", registration, format="json")
    assert again.status_code == 200 and again.json()["id"] == new.json()["id"]
    assert Correction.objects.count() == 3


# --- the command line -------------------------------------------------------------------------
def test_the_ledger_import_command_refuses_implausible_rows_unless_confirmed(fields, tmp_path):
    from django.core.management import CommandError, call_command

    from .test_pages import ledger

    plausible(fields)
    row = ["L-009", "2026-09-16 09:00", "王大山", "党参", "统货", 50, 2, 95, "per kg"]
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger([row]).getvalue())
    before = state()
    with pytest.raises(CommandError) as refused:
        call_command("importledger", fields.n.point.code, str(path))
    assert "95.00 元/kg" in str(refused.value)
    assert state() == before
    out = io.StringIO()
    call_command("importledger", fields.n.point.code, str(path), "--confirm", stdout=out)
    assert Purchase.objects.get().price_per_kg == Decimal("95.00")


def test_massbalance_follows_a_voided_purchase(fields):
    from django.core.management import call_command

    kept, voided = buy(fields), buy(fields, key="k-2")
    actions.void_purchase(actor=Actor.system(), purchase=voided, note="重复录入")
    out = io.StringIO()
    with pytest.raises(SystemExit) as status:  # exits 1 only when something is off
        call_command("massbalance", "--all", stdout=out)
        raise SystemExit(0)
    assert status.value.code == 0
    line = next(x for x in out.getvalue().splitlines() if x.startswith(fields.n.point.name))
    assert line.split("\t")[2] == "50.00"  # received: the kept purchase only
    assert Lot.objects.get(identifier=kept.lot).quantity == Decimal("50.000")


def test_a_corrected_lots_pages_show_it_as_corrected(client, fields, settings):
    settings.RESOLVER_RATE = "0"
    purchase = buy(fields)
    actions.correct_purchase(
        actor=Actor.system(), purchase=purchase, note="复秤", gross_kg=Decimal("47.4")
    )
    lot = Lot.objects.get(identifier=purchase.lot)
    client.force_login(fields.n.point_operator)
    page = client.get(f"/trace/lots/{lot.pk}/")
    assert page.status_code == 200 and "45.000" in page.content.decode()
    public = client.get(f"/01/{lot.gtin}/10/{lot.batch}")
    assert public.status_code == 200
