"""The quality pages: sampling, the lab's queue, entering and importing results, review,
certificates, notifications, the regulator's list and the consumer trace page's section."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from daodi.core.actor import Actor

from .. import actions
from ..choices import OrderStatus
from ..models import Certificate, Notification, Result, Sample, TestOrder
from .world import GOOD, INSTRUMENT_CSV, QualityWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network):
    return QualityWorld(network)


def test_a_point_operator_samples_a_lot_and_sends_it_to_the_lab(world, client):
    client.force_login(world.n.point_operator)
    page = client.get(f"/quality/samples/new/?lot={world.lot.pk}")
    assert page.status_code == 200 and world.lot.identifier in page.content.decode()
    response = client.post(
        "/quality/samples/new/",
        {
            "lot": world.lot.identifier,
            "quantity": "200",
            "unit": "g",
            "taken_at": "2026-07-20T09:30",
            "product_form": "crude",
            "lab": world.lab.pk,
            "spec_sets": [world.chp.pk],
        },
    )
    sample = Sample.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quality/samples/{sample.pk}/"
    order = sample.orders.get()
    assert order.lab == world.lab
    label = client.get(f"/quality/samples/{sample.pk}/label.pdf")
    assert label.status_code == 200 and label.content.startswith(b"%PDF")


def test_an_unknown_lot_is_a_form_error_and_nothing_is_written(world, client):
    client.force_login(world.n.point_operator)
    response = client.post(
        "/quality/samples/new/",
        {"lot": "https://id.gs1.org/01/09521234000013/10/NOPE", "quantity": "200", "unit": "g",
         "taken_at": "2026-07-20T09:30", "product_form": "crude"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["lot"] == [
        "此处可选的批次或单品中没有编码为 https://id.gs1.org/01/09521234000013/10/NOPE 的。"
    ]
    assert not Sample.objects.exists()


def test_the_lab_enters_results_and_another_person_approves_on_the_pages(world, client):
    order = world.order()
    client.force_login(world.analyst)
    queue = client.get("/quality/orders/queue/")
    assert order.reference in queue.content.decode()
    for item, value in GOOD.items():
        response = client.post(
            f"/quality/orders/{order.pk}/results/new/", {"test_item": item, "value": value}
        )
        assert response.status_code == 302, response.context["form"].errors
    detail = client.get(f"/quality/orders/{order.pk}/").content.decode()
    assert 'data-testid="approve"' not in detail  # the analyst's own results
    assert client.post(f"/quality/orders/{order.pk}/approve/").status_code == 302
    assert not Certificate.objects.exists()  # refused, with a message

    client.force_login(world.reviewer)
    assert 'data-testid="approve"' in client.get(f"/quality/orders/{order.pk}/").content.decode()
    response = client.post(f"/quality/orders/{order.pk}/approve/")
    cert = Certificate.objects.get()
    assert response["Location"] == f"/quality/certificates/{cert.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "符合规定" in page and cert.number in page
    pdf = client.get(f"/quality/certificates/{cert.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_results_import_from_an_instrument_csv_through_a_saved_mapping(world, client):
    order = world.order()
    client.force_login(world.analyst)
    upload = SimpleUploadedFile("run.csv", INSTRUMENT_CSV.encode("gb18030"), "text/csv")
    response = client.post(
        f"/quality/orders/{order.pk}/import/", {"mapping": world.mapping.pk, "file": upload}
    )
    assert response.status_code == 302
    results = {r.test_item: r for r in order.results.all()}
    assert set(results) == set(GOOD)
    so2 = results["二氧化硫残留量"]
    assert (so2.value, so2.unit, so2.loq, str(so2.tested_on)) == ("ND", "mg/kg", "10", "2026-07-20")
    assert so2.source == "HPLC-1: run.csv" and so2.analyst == world.analyst


@pytest.mark.parametrize(
    "content,problem",
    [
        ("Sample ID,Analyte,Conc.\nS1,水分,12.5\n", "“Units”列"),  # a mapped column missing
        (INSTRUMENT_CSV + "S1,水分,12.6,%,,2026-07-20\n", "重复出现"),
        (INSTRUMENT_CSV.replace("4.1", "four"), "不是有效的检验结果"),
        (INSTRUMENT_CSV.replace("2026-07-20\nS1,总灰分", "20/07/26\nS1,总灰分"), "YYYY-MM-DD"),
        (INSTRUMENT_CSV + "S1,黄芩苷,9.1,%,,2026-07-20\n", "不是此委托所用标准中的检验项目"),
        ('Sample ID,Analyte,Conc.,Units,LOQ,Run date\n"S1,水分,12.5,%,,2026-07-20\n', "格式有误"),
    ],
)
def test_a_bad_instrument_file_imports_nothing_and_says_where(world, client, content, problem):
    order = world.order()
    client.force_login(world.analyst)
    upload = SimpleUploadedFile("run.csv", content.encode(), "text/csv")
    response = client.post(
        f"/quality/orders/{order.pk}/import/", {"mapping": world.mapping.pk, "file": upload}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert problem in errors
    assert not Result.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_a_result_already_entered_makes_the_whole_import_fail(world, client):
    order = world.order()
    world.enter(order, {"水分": "12.5"})
    client.force_login(world.analyst)
    upload = SimpleUploadedFile("run.csv", INSTRUMENT_CSV.encode(), "text/csv")
    response = client.post(
        f"/quality/orders/{order.pk}/import/", {"mapping": world.mapping.pk, "file": upload}
    )
    assert "第 2 行" in " ".join(response.context["form"].errors["file"])
    assert order.results.count() == 1


def test_correction_and_retest_pages(world, client):
    order = world.order()
    results = world.enter(order, GOOD)
    client.force_login(world.analyst)
    moisture = results[0]
    response = client.post(
        f"/quality/results/{moisture.pk}/edit/", {"value": "12.7", "unit": "%", "reason": "抄错"}
    )
    assert response.status_code == 302
    moisture.refresh_from_db()
    assert (moisture.value, moisture.correction_reason) == ("12.7", "抄错")
    response = client.post(
        f"/quality/results/{moisture.pk}/retest/", {"value": "12.4", "reason": ""}
    )
    assert response.context["form"].errors["reason"]
    response = client.post(
        f"/quality/results/{moisture.pk}/retest/", {"value": "12.4", "reason": "平行样"}
    )
    assert response.status_code == 302
    assert order.results.filter(test_item="水分").count() == 2


def test_notifications_reach_the_holders_side_and_the_regulators_page(world, client):
    order = world.order()
    world.enter(order, GOOD | {"二氧化硫残留量": "520 mg/kg"})
    cert = world.approve(order)
    client.force_login(world.n.point_operator)
    listing = client.get("/quality/notifications/").content.decode()
    assert cert.number in listing and "不符合规定" in listing
    notice = Notification.objects.get(organisation=world.n.household)
    assert client.post(f"/quality/notifications/{notice.pk}/").status_code == 302
    notice.refresh_from_db()
    assert notice.read_by == world.n.point_operator

    client.force_login(world.n.regulator)
    page = client.get("/quality/out-of-spec/").content.decode()
    assert cert.number in page
    regulators = client.get("/quality/notifications/").content.decode()
    assert "二氧化硫残留量" in regulators
    client.force_login(world.n.other_operator)
    assert cert.number not in client.get("/quality/out-of-spec/").content.decode()
    assert client.get(f"/quality/notifications/{notice.pk}/").status_code == 404


def test_the_spec_set_page_marks_items_to_be_verified(world, client):
    client.force_login(world.n.point_operator)
    page = client.get(f"/quality/spec-sets/{world.chp.pk}/").content.decode()
    assert page.count('data-testid="to-verify"') == 5  # every item but the verified SO2 one
    assert 'data-testid="approve"' not in page  # approved already, and not theirs


def test_spec_import_page_rejects_a_bad_file_with_every_problem(network, client):
    client.force_login(network.admin)
    bad = (
        "herb,test_item,op,limit,unit,edition,authority\n"
        "黄芩,水分,<=,x,%,ChP,chp\n黄芩,灰分,??,1,%,ChP,chp\n"
    )
    response = client.post(
        "/quality/spec-sets/import/", {"file": SimpleUploadedFile("s.csv", bad.encode())}
    )
    errors = response.context["form"].errors["file"]
    assert len(errors) == 2 and "第 2 行" in errors[0] and "第 3 行" in errors[1]
    starter = client.post("/quality/spec-sets/import/", {"starter": "1"})
    assert starter.status_code == 302


def test_the_consumer_page_shows_the_latest_conclusion_with_the_certificate(
    world, client, settings
):
    settings.RESOLVER_RATE = "0"
    cache.clear()
    order = world.order()
    world.enter(order, GOOD)
    cert = world.approve(order)
    page = client.get("/01/09521234000013/10/D").content.decode()
    assert 'data-testid="quality-conclusion"' in page and "符合规定" in page
    assert f"/quality/verify/{cert.number}/?h={cert.content_hash}" in page
    # A bag packed from lot D shows it as the lot it was made from.
    bag = client.get("/01/09521234000020/21/S1").content.decode()
    assert cert.number in bag and "原料批次" in bag
    linkset = client.get("/01/09521234000013/10/D?linkType=linkset").json()
    links = linkset["linkset"][0]["https://gs1.org/voc/certificationInfo"]
    assert links[0]["href"].endswith(f"?h={cert.content_hash}")

    # A retest's approval updates the page at once (a new inspection event).
    ash = order.results.get(test_item="总灰分")
    actions.retest_result(actor=Actor(world.analyst, "web"), result=ash, value="5.3", reason="复检")
    newer = world.approve(order)
    page = client.get("/01/09521234000013/10/D").content.decode()
    assert newer.number in page and "不符合规定" in page and cert.number not in page


def test_the_lab_may_register_an_order_for_a_sample_it_took(world):
    sample = actions.take_sample(
        actor=Actor(world.analyst, "web"), lot=world.lot, quantity=200, organisation=world.lab
    )
    order = actions.create_order(
        actor=Actor(world.reviewer, "web"), sample=sample, lab=world.lab, spec_sets=[world.chp]
    )
    assert TestOrder.objects.get() == order and sample.organisation == world.lab
