"""Corrections on a phone (390×844): a village-point operator registers a new household
from inside the purchase form, confirms a purchase whose price is outside the herb's usual
range, then corrects its weight on the record, which shows who corrected it and why."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.farm.tests.world import Fields
from daodi.orgs.models import Organisation
from daodi.sourcing.models import Purchase
from daodi.trace.models import Lot

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_new_household_is_registered_inside_the_purchase_which_is_confirmed_and_corrected(
    network, phone, screenshot
):
    fields = Fields(network)
    herb = fields.herb
    herb.price_min_per_kg, herb.price_max_per_kg, herb.max_purchase_kg = 5, 60, 500
    herb.save()
    page = phone
    sign_in(page, "point_op", PASSWORD)

    # Given a grower the point has never bought from, registered without leaving the form.
    page.goto("/sourcing/purchases/new/")
    page.get_by_test_id("new-seller-panel").locator("summary").click()
    page.fill("#id_new_seller-name", "王秀英")
    page.fill("#id_new_seller-id_card", "110105198001010017")  # a wrong check digit
    page.select_option("#id_new_seller-village", label="杏树村")
    page.get_by_test_id("seller-register").click()
    expect(page.locator("#new-seller .invalid-feedback").first).to_be_visible()
    page.fill("#id_new_seller-id_card", "110105198001010016")
    page.get_by_test_id("seller-register").click()
    expect(page.get_by_test_id("seller-registered")).to_be_visible()
    seller = Organisation.objects.get(name="王秀英")
    expect(page.locator('input[name="seller__id"]')).to_have_value(str(seller.pk))
    expect(page.get_by_test_id("seller")).to_have_value(re.compile("^王秀英"))
    assert fits_the_phone(page)

    # When the operator types 95 元/kg for a herb bought at 5–60, the form asks first.
    page.select_option("#id_herb", label="党参")
    page.fill("#id_gross_kg", "52")
    page.fill("#id_tare_kg", "2")
    page.fill("#id_price", "95")
    page.select_option("#id_price_unit", "kg")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("confirm-step")).to_contain_text("95.00 元/kg")
    assert not Purchase.objects.exists()
    assert fits_the_phone(page)
    screenshot(page, "purchase-confirm-step")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    purchase = Purchase.objects.get()
    assert purchase.seller == seller and purchase.price_per_kg == Decimal("95.00")

    # Then the weight is corrected on the record, which says by whom and why.
    page.get_by_test_id("correct").click()
    page.fill("#id_price", "9.5")
    page.fill("#id_gross_kg", "47")
    page.fill("#id_note", "小数点错位；复秤")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("correction")).to_contain_text("小数点错位；复秤")
    expect(page.get_by_test_id("correction")).to_contain_text("已更正")
    assert Lot.objects.get(identifier=purchase.lot).quantity == Decimal("45.000")
    assert fits_the_phone(page)
    screenshot(page, "purchase-corrected")
