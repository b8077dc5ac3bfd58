"""The buying network's pages: a purchase on a phone form, its receipt, settlements, the
ledger import, the mass balance, GI violations and the network view."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from conftest import make_org
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.farm.tests.helpers import state
from daodi.orgs.choices import OrgKind
from daodi.sourcing import actions, documents
from daodi.sourcing.models import Purchase

pytestmark = pytest.mark.django_db


def purchase_form(client, fields, **extra):
    page = client.get("/sourcing/purchases/new/")
    assert page.status_code == 200
    form = page.context["form"]
    body = {
        "client_key": form.initial["client_key"],
        "point": fields.n.point.pk,
        "seller": fields.n.household.pk,
        "herb": fields.herb.pk,
        "grade": fields.grade.pk,
        "gross_kg": "31.5",
        "tare_kg": "1.5",
        "moisture_pct": "60",
        "price": "20",
        "price_unit": "kg",
        "payment_method": "cash",
    }
    body.update(extra)
    return body


def test_a_point_operator_records_a_purchase_and_a_resent_form_changes_nothing(client, fields):
    client.force_login(fields.n.point_operator)
    body = purchase_form(client, fields)
    response = client.post("/sourcing/purchases/new/", body)
    purchase = Purchase.objects.get()
    assert response.status_code == 302 and response.url == f"/sourcing/purchases/{purchase.pk}/"
    assert purchase.net_kg == Decimal("30.0") and purchase.amount == Decimal("600.00")
    before = state()
    again = client.post("/sourcing/purchases/new/", body)
    assert again.status_code == 302 and again.url == response.url
    assert state() == before


def test_no_seller_list_is_sent_and_a_typed_name_is_bought_from(client, fields):
    """The seller is found through the picker (no list of households is sent); without
    JavaScript the typed name is resolved among the sellers the point may buy from."""
    later = make_org(OrgKind.HOUSEHOLD, "赵小满", "HH8", fields.n.point)
    client.force_login(fields.n.point_operator)
    page = client.get("/sourcing/purchases/new/").content.decode()
    assert "赵小满" not in page and "王大山" not in page and '<select name="seller"' not in page
    response = client.post(
        "/sourcing/purchases/new/", purchase_form(client, fields, seller="赵小满")
    )
    assert response.status_code == 302 and Purchase.objects.get().seller == later


def test_a_refused_purchase_comes_back_on_the_form(client, fields):
    client.force_login(fields.n.point_operator)
    before = state()
    page = client.post("/sourcing/purchases/new/", purchase_form(client, fields, tare_kg="40"))
    assert page.status_code == 200 and "tare_kg" in page.context["form"].errors
    assert state() == before


def test_the_receipt_is_a_narrow_pdf_whose_qr_is_the_lots_digital_link(
    client, fields, settings, tmp_path
):
    from daodi.trace.tests.test_documents import decode_qr_codes, pdf_text, rasterise, tool

    client.force_login(fields.n.point_operator)
    client.post("/sourcing/purchases/new/", purchase_form(client, fields))
    purchase = Purchase.objects.get()
    response = client.get(f"/sourcing/purchases/{purchase.pk}/receipt/")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.content)
    (png,) = rasterise(pdf, 300, first_page_only=True)
    batch = purchase.lot.rsplit("/", 1)[-1]
    assert decode_qr_codes(png) == [
        f"{settings.DIGITAL_LINK_BASE}/01/{fields.item.gtin}/10/{batch}"
    ]
    text = pdf_text(pdf)
    assert "王大山" in text and "600.00" in text
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
    assert "164.409 x" in info  # 58 mm in points


def test_the_daily_settlement_lists_the_days_purchases_and_totals_by_seller(client, fields):
    client.force_login(fields.n.point_operator)
    client.post("/sourcing/purchases/new/", purchase_form(client, fields))
    purchase = Purchase.objects.get()
    day = purchase.bought_at.astimezone().date().isoformat()
    response = client.get(f"/sourcing/network/{fields.n.point.pk}/settlement/?date={day}")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert ("王大山", "HH1", 30, 600, 600, 0) in rows
    herbs = [tuple(r) for r in book.worksheets[2].iter_rows(values_only=True)]
    assert (purchase.herb.name, purchase.grade.label, 30, 600, 600, 0) in herbs


def test_the_settlement_keeps_two_sellers_of_one_name_apart_and_what_is_owed(fields):
    """Two households named 王大山 sell at one point; the second on credit (赊账)."""
    namesake = make_org(OrgKind.HOUSEHOLD, "王大山", "HH9", fields.n.point)
    operator = Actor(fields.n.point_operator, "web")
    for key, seller, method in (("s-1", fields.n.household, "cash"), ("s-2", namesake, "credit")):
        actions.record_purchase(
            actor=operator, point=fields.n.point, client_key=key, seller=seller,
            herb=fields.herb, gross_kg=Decimal("11"), tare_kg=Decimal("1"),
            price=Decimal("20"), payment_method=method,
        )  # fmt: skip
    credit = Purchase.objects.get(client_key="s-2")
    assert credit.amount_paid == 0 and credit.owed == Decimal("200.00")
    out = io.BytesIO()
    documents.settlement_xlsx(fields.n.point, credit.bought_at.astimezone().date(), out)
    book = openpyxl.load_workbook(out)
    rows = [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert ("王大山", "HH1", 10, 200, 200, 0) in rows
    assert ("王大山", "HH9", 10, 200, 0, 200) in rows
    assert rows[-1][2:] == (20, 400, 200, 200)  # the day's total


def ledger(rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(
        [
            "台账编号",
            "日期时间",
            "卖方",
            "品种",
            "等级",
            "毛重（kg）",
            "皮重（kg）",
            "单价",
            "计价单位",
        ]
    )
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "ledger.xlsx"
    return buffer


def test_a_ledger_with_one_bad_row_imports_nothing_and_names_the_row(client, fields):
    client.force_login(fields.n.point_operator)
    good = ["L-001", "2026-09-16 09:00", "王大山", "党参", "统货", 50, 2, 9, "per 市斤 (½ kg)"]
    bad = ["L-002", "2026-09-16 10:00", "王大山", "党参", "统货", 20, 30, 9, "per kg"]
    before = state()
    page = client.post(
        "/sourcing/ledger/import/", {"point": fields.n.point.pk, "file": ledger([good, bad])}
    )
    errors = [str(e) for e in page.context["result"].errors]
    assert len(errors) == 1 and "3" in errors[0]  # row 3 of the sheet
    assert state() == before
    ok = client.post(
        "/sourcing/ledger/import/", {"point": fields.n.point.pk, "file": ledger([good])}
    )
    assert ok.status_code == 302
    assert Purchase.objects.get().client_key == "ledger:L-001"
    before = state()
    client.post("/sourcing/ledger/import/", {"point": fields.n.point.pk, "file": ledger([good])})
    assert state() == before  # the same ledger again records nothing
    changed = [*good[:5], 55, *good[6:]]  # the same ledger number, another weight
    page = client.post(
        "/sourcing/ledger/import/", {"point": fields.n.point.pk, "file": ledger([changed])}
    )
    (error,) = page.context["result"].errors
    receipt = Purchase.objects.get().receipt_no
    assert error.row == 2 and receipt in str(error.message)
    assert state() == before


def test_a_file_that_is_no_workbook_is_refused_in_chinese_and_nothing_is_written(client, fields):
    client.force_login(fields.n.point_operator)
    before = state()
    broken = io.BytesIO(b"%PDF-1.4 not a workbook")
    broken.name = "ledger.xlsx"
    page = client.post("/sourcing/ledger/import/", {"point": fields.n.point.pk, "file": broken})
    assert page.status_code == 200
    (error,) = page.context["result"].errors
    assert "不是 Excel 工作簿" in str(error.message) and str(error.message) in page.content.decode()
    assert state() == before


def test_network_pages_mass_balance_and_violations(client, fields):
    client.force_login(fields.n.point_operator)
    client.post("/sourcing/purchases/new/", purchase_form(client, fields))
    node = client.get(f"/sourcing/network/{fields.n.point.pk}/")
    assert node.status_code == 200 and "王大山" in node.content.decode()
    assert client.get("/sourcing/network/").status_code == 200
    balance = client.get("/sourcing/mass-balance/")
    assert balance.status_code == 200 and balance.context["rows"] == []
    assert client.get("/sourcing/gi-violations/").status_code == 403
    client.force_login(fields.n.regulator)
    assert client.get("/sourcing/gi-violations/").status_code == 200


def test_regulators_see_the_attempts_the_rules_refused(client, fields):
    """A harvest inside a pre-harvest interval leaves no record, but the regulator sees it."""
    from daodi.farm import actions as farm_actions

    farm_actions.record_activity(
        actor=Actor(fields.n.point_operator, "web"), plot=fields.plot, kind="pesticide",
        date=dt.date(2026, 9, 10), product="0.3%苦参碱水剂", dose="600倍液",
        pre_harvest_interval_days=10, operator="王大山",
    )  # fmt: skip
    with pytest.raises(DomainError):
        farm_actions.harvest(
            actor=Actor(fields.n.point_operator, "web"), plots=[fields.plot],
            harvested_on=dt.date(2026, 9, 15), fresh_kg=Decimal("800"),
        )  # fmt: skip
    client.force_login(fields.n.regulator)
    page = client.get("/sourcing/refusals/").content.decode()
    assert page.count('data-testid="refusal"') == 1
    for text in (
        "采收时仍在安全间隔期内",
        fields.plot.name,
        "0.3%苦参碱水剂",
        fields.n.household.name,
    ):
        assert text in page
    client.force_login(fields.n.point_operator)
    assert client.get("/sourcing/refusals/").status_code == 403
