"""The chain past the buying network: receiving as sent, the hub selling on to a processor,
and the processor packing a lot into serialised retail packs in cases, with their labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from conftest import make_org, make_user
from daodi.catalog.models import Herb, TradeItem, Unit
from daodi.core import gs1
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.farm import actions as farm_actions
from daodi.farm.tests.helpers import state
from daodi.farm.tests.world import SYSTEM
from daodi.orgs.choices import OrgKind, Role
from daodi.sourcing import actions, packing
from daodi.sourcing.models import Dispatch, Loss, Packing
from daodi.trace.models import Event, Lot

from .test_network import Season, at

pytestmark = pytest.mark.django_db


class Chain:
    """The season's two lots commingled at the station and sent to the hub; a processor
    the hub sells to, and a 500 g retail bag of the herb."""

    def __init__(self, fields):
        n = self.n = fields.n
        self.f = fields
        self.season = Season(fields)
        self.season.send_to_station()
        merged = actions.commingle(
            actor=SYSTEM,
            inputs=[(self.season.h1.lot, Decimal("1200")), (self.season.h2.lot, Decimal("500"))],
            made_at=at(5),
        )
        up = actions.dispatch(
            actor=SYSTEM, source=n.station, destination=n.hub, lots=[merged.lot], sent_at=at(6)
        )
        actions.receive(
            actor=SYSTEM, dispatch=up, weights={merged.lot: Decimal("1700")}, received_at=at(8)
        )
        self.hub_lot = merged.lot
        self.hub_admin = make_user("hub_admin", n.hub, Role.ADMIN)
        self.processor = make_org(OrgKind.PROCESSOR, "瑞昌中药材加工厂", "PR1")
        self.processor_op = make_user("processor_op", self.processor, Role.OPERATOR)
        self.bag = TradeItem.objects.create(
            gtin=gs1.make_gtin14(settings.GS1_COMPANY_PREFIX, 13),
            herb=fields.herb,
            grade=fields.grade,
            pack="500 g 袋",
            net_quantity=Decimal("500"),
            unit=Unit.objects.get(code="g"),
        )

    def sell_to_processor(self):
        sent = actions.dispatch(
            actor=Actor(self.hub_admin, "web"),
            source=self.n.hub,
            destination=self.processor,
            lots=[self.hub_lot],
            sent_at=at(9),
        )
        actions.receive(
            actor=Actor(self.processor_op, "web"),
            dispatch=sent,
            weights={self.hub_lot: Decimal("1700")},
            received_at=at(12),
        )
        return sent

    def dry(self):
        run = farm_actions.process(
            actor=Actor(self.processor_op, "web"), kind="drying",
            inputs=[(self.hub_lot, Decimal("1700"))], output_kg=Decimal("600"),
            started_at=at(13), finished_at=at(40),
        )  # fmt: skip
        return run.lots.get(is_output=True).lot


@pytest.fixture
def chain(fields):
    return Chain(fields)


# --- receiving ------------------------------------------------------------------------------
def test_a_dispatch_that_arrived_as_sent_is_received_with_one_tap(client, fields):
    n = fields.n
    bought = actions.record_purchase(
        actor=SYSTEM, point=n.point, client_key="k", seller=n.household, herb=fields.herb,
        grade=fields.grade, gross_kg=Decimal("52.345"), price=Decimal("20"), bought_at=at(0),
    )  # fmt: skip
    sent = actions.dispatch(
        actor=SYSTEM, source=n.point, destination=n.station, lots=[bought.lot], sent_at=at(1)
    )
    client.force_login(n.station_admin)

    # Given the receiving page: each line names herb, grade, lot number, weight sent, unit.
    page = client.get(f"/sourcing/dispatches/{sent.pk}/receive/")
    assert page.status_code == 200
    text = page.content.decode()
    batch = bought.lot.rsplit("/10/", 1)[-1]
    for shown in ("党参", "统货", batch, "52.345", "kg"):
        assert shown in text
    assert 'step="0.001"' in text  # the browser accepts the proposed weight as it stands

    # When the receiver taps "arrived as sent".
    done = client.post(f"/sourcing/dispatches/{sent.pk}/receive/", {"as_sent": "1"})

    # Then the dispatch is received with every weight as sent, and no loss is written.
    assert done.status_code == 302
    sent.refresh_from_db()
    line = sent.lines.get()
    assert sent.status == "received" and line.received_kg == Decimal("52.345")
    assert line.difference_kg == 0 and not line.flagged
    assert not Loss.objects.exists()
    lot = Lot.objects.get(identifier=bought.lot)
    assert lot.holder == n.station and lot.quantity == Decimal("52.345")


def test_the_proposed_weights_are_accepted_as_they_stand_and_a_weight_found_is_kept(client, fields):
    n = fields.n
    lots = [
        actions.record_purchase(
            actor=SYSTEM, point=n.point, client_key=key, seller=n.household, herb=fields.herb,
            gross_kg=Decimal(kg), price=Decimal("20"), bought_at=at(0),
        ).lot
        for key, kg in (("a", "40.125"), ("b", "60"))
    ]  # fmt: skip
    sent = actions.dispatch(
        actor=SYSTEM, source=n.point, destination=n.station, lots=lots, sent_at=at(1)
    )
    client.force_login(n.station_admin)
    form = client.get(f"/sourcing/dispatches/{sent.pk}/receive/").context["form"]
    body = {f"kg_{i}": str(form.initial.get(f"kg_{i}", form[f"kg_{i}"].initial)) for i in (0, 1)}
    body["kg_1"] = "58.5"  # the second bag weighs less on arrival
    assert client.post(f"/sourcing/dispatches/{sent.pk}/receive/", body).status_code == 302
    found = {line.lot: line.received_kg for line in sent.lines.all()}
    assert found == {lots[0]: Decimal("40.125"), lots[1]: Decimal("58.5")}
    assert Loss.objects.get().kg == Decimal("1.5")


def test_a_refused_receipt_comes_back_on_the_page_and_writes_nothing(client, fields):
    n = fields.n
    lot = actions.record_purchase(
        actor=SYSTEM, point=n.point, client_key="k", seller=n.household, herb=fields.herb,
        gross_kg=Decimal("10"), price=Decimal("20"), bought_at=at(0),
    ).lot  # fmt: skip
    sent = actions.dispatch(
        actor=SYSTEM, source=n.point, destination=n.station, lots=[lot], sent_at=at(1)
    )
    client.force_login(n.station_admin)
    before = state()
    page = client.post(f"/sourcing/dispatches/{sent.pk}/receive/", {"kg_0": "-1"})
    assert page.status_code == 200 and page.context["form"].errors
    assert state() == before


# --- the hub sells on -----------------------------------------------------------------------
def test_the_hub_sends_its_stock_on_to_a_processor_who_receives_and_then_holds_it(chain):
    # When the hub dispatches a lot of its own to a processor.
    sent = actions.dispatch(
        actor=Actor(chain.hub_admin, "web"), source=chain.n.hub, destination=chain.processor,
        lots=[chain.hub_lot], sent_at=at(9),
    )  # fmt: skip

    # Then the hub keeps it until the processor, who reads the dispatch, records the receipt.
    assert Lot.objects.get(identifier=chain.hub_lot).holder == chain.n.hub
    from daodi.sourcing import queries

    assert queries.dispatches(chain.processor_op).filter(pk=sent.pk).exists()
    assert queries.receivable(chain.processor_op).filter(pk=sent.pk).exists()
    actions.receive(
        actor=Actor(chain.processor_op, "web"), dispatch=sent,
        weights={chain.hub_lot: Decimal("1700")}, received_at=at(12),
    )  # fmt: skip
    lot = Lot.objects.get(identifier=chain.hub_lot)
    assert lot.holder == chain.processor and lot.quantity == Decimal("1700")
    receipt = Dispatch.objects.get(pk=sent.pk).receive_event.document
    assert receipt["destinationList"][0]["destination"].endswith(chain.processor.gln)


def test_only_the_hub_sells_on_and_only_to_processors_manufacturers_and_traders(chain):
    n = chain.n
    lot = actions.record_purchase(
        actor=SYSTEM, point=n.point, client_key="x", seller=n.household, herb=chain.f.herb,
        gross_kg=Decimal("10"), price=Decimal("20"), bought_at=at(0),
    ).lot  # fmt: skip
    before = state()
    for source, destination, lots in (
        (n.point, chain.processor, [lot]),  # a point sends up the network only
        (n.hub, n.household, [chain.hub_lot]),  # a grower buys nothing from the hub
    ):
        with pytest.raises(DomainError) as refused:
            actions.dispatch(actor=SYSTEM, source=source, destination=destination, lots=lots)
        assert refused.value.code == "not_up_the_network"
    with pytest.raises(DomainError):  # the station's admin does not send the hub's stock
        actions.dispatch(
            actor=Actor(n.station_admin, "web"), source=n.hub, destination=chain.processor,
            lots=[chain.hub_lot],
        )  # fmt: skip
    assert state() == before


def test_the_hubs_dispatch_form_offers_the_processor_and_a_stations_does_not(client, chain):
    client.force_login(chain.hub_admin)
    offered = client.get("/sourcing/dispatches/new/").context["form"].fields["destination"]
    assert chain.processor in offered.queryset
    client.force_login(chain.n.station_admin)
    offered = client.get("/sourcing/dispatches/new/").context["form"].fields["destination"]
    assert chain.processor not in offered.queryset


def test_a_processor_without_lots_is_told_why_and_finds_them_once_received(client, chain):
    client.force_login(chain.processor_op)
    field = client.get("/farm/processing/new/").context["form"].fields["lots"]
    assert not field.queryset.exists()
    with translation.override("en"):
        assert "once its arrival is recorded" in str(field.help_text)
    chain.sell_to_processor()
    field = client.get("/farm/processing/new/").context["form"].fields["lots"]
    assert [lot.identifier for lot in field.queryset] == [chain.hub_lot]
    with translation.override("en"):  # the field's own help, no longer why it is empty
        assert "once its arrival is recorded" not in str(field.help_text)


# --- packing --------------------------------------------------------------------------------
def test_packing_commissions_serialised_packs_from_the_lot_and_aggregates_them_into_cases(chain):
    chain.sell_to_processor()
    dry = chain.dry()

    # When the processor packs 45 bags of 500 g, 20 to a case.
    run = packing.pack(
        actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=45,
        per_case=20, packed_at=at(41),
    )  # fmt: skip

    # Then one packing transformation takes 22.5 kg from the lot and makes 45 SGTINs …
    assert run.kg == Decimal("22.5") and len(run.items) == 45 and len(set(run.items)) == 45
    made = run.event.document
    assert made["type"] == "TransformationEvent" and made["bizStep"] == "packing"
    assert made["inputQuantityList"] == [{"epcClass": dry, "quantity": 22.5, "uom": "KGM"}]
    assert made["outputEPCList"] == run.items
    assert all(i.startswith(f"https://id.gs1.org/01/{chain.bag.gtin}/21/") for i in run.items)
    # … the lot holds that much less, and each pack is an item of the processor's.
    assert Lot.objects.get(identifier=dry).quantity == Decimal("577.5")
    items = Lot.objects.filter(identifier__in=run.items)
    assert items.count() == 45
    assert {(i.holder_id, i.herb_id, i.gtin, i.quantity) for i in items} == {
        (chain.processor.pk, chain.f.herb.pk, chain.bag.gtin, Decimal(1))
    }
    # … and three cases (20, 20, 5) are aggregations under new SSCCs.
    cases = Event.objects.filter(event_type="AggregationEvent").order_by("id")
    assert [len(c.document["childEPCs"]) for c in cases] == [20, 20, 5]
    assert [c.document["parentID"] for c in cases] == [
        f"https://id.gs1.org/00/{code}" for code in run.cases
    ]
    assert all(gs1.is_valid_key(code, 18) for code in run.cases)
    assert sum((c.document["childEPCs"] for c in cases), []) == run.items
    assert Lot.objects.filter(identifier__in=[c.document["parentID"] for c in cases]).count() == 3

    # A second run takes the next serials: no pack is numbered twice.
    again = packing.pack(
        actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=2
    )
    assert not set(again.items) & set(run.items) and again.cases == []


def test_packing_more_than_the_lot_holds_or_another_herb_or_anothers_lot_is_refused(chain):
    chain.sell_to_processor()
    dry = chain.dry()
    other_herb = TradeItem.objects.create(
        gtin=gs1.make_gtin14(settings.GS1_COMPANY_PREFIX, 14),
        herb=Herb.objects.create(code="lianqiao", name="连翘", pinyin="lianqiao"),
        pack="500 g 袋",
        net_quantity=Decimal("0.5"),
    )
    bulk = chain.f.item  # a variable-measure bulk item: no net quantity
    before = state()
    mine, theirs = Actor(chain.processor_op, "web"), Actor(chain.n.point_operator, "web")
    refusals = [
        ({"trade_item": chain.bag, "count": 1201}, "more_than_lot", mine),
        ({"trade_item": other_herb, "count": 1}, "wrong_herb", mine),
        ({"trade_item": bulk, "count": 1}, "not_a_retail_item", mine),
        ({"trade_item": chain.bag, "count": 0}, "validation_failed", mine),
        ({"trade_item": chain.bag, "count": 1}, None, theirs),
    ]  # fmt: skip
    for given, code, actor in refusals:
        with pytest.raises(DomainError) as refused:
            packing.pack(actor=actor, lot=dry, **given)
        if code:
            assert refused.value.code == code, given
        else:
            assert refused.value.status in (403, 404)
    assert state() == before


def test_a_lot_on_hold_is_not_packed(chain):
    chain.sell_to_processor()
    dry = chain.dry()
    Lot.objects.filter(identifier=dry).update(status="on_hold", status_reason="二氧化硫超标")
    before = state()
    with pytest.raises(DomainError) as refused:
        packing.pack(actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=1)
    assert refused.value.code == "input_not_usable"
    assert "二氧化硫超标" in str(refused.value.message)  # the refusal says why
    assert state() == before


def test_a_lot_made_from_a_held_input_is_not_packed_and_the_refusal_names_the_input(chain):
    from django.utils import translation

    from daodi.trace import lineage

    chain.sell_to_processor()
    dry = chain.dry()
    source = next(e.source for e in lineage.edges(dry, direction="backward") if e.target == dry)
    held = Lot.objects.get(identifier=source)
    Lot.objects.filter(pk=held.pk).update(status="on_hold", status_reason="待复检")
    before = state()
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        packing.pack(actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=1)
    assert refused.value.code == "input_not_usable"
    message = str(refused.value.message)
    assert f"它由批次 {held.batch} 制成，该批次正被暂扣" in message and "待复检" in message
    assert refused.value.fields["lot"] == [message]
    assert state() == before


def test_the_packing_page_packs_and_prints_labels_whose_qr_codes_are_the_packs_links(
    client, chain, tmp_path
):
    from daodi.trace.tests.test_documents import decode_qr_codes, page_count, rasterise

    chain.sell_to_processor()
    dry = chain.dry()
    client.force_login(chain.processor_op)
    form = client.get("/sourcing/packing/new/").context["form"]
    assert [lot.identifier for lot in form.fields["lot"].queryset] == [dry]
    done = client.post(
        "/sourcing/packing/new/",
        {"lot": dry, "trade_item": chain.bag.pk, "count": "6", "per_case": "4"},
    )
    assert done.status_code == 302, done.context["form"].errors
    run = Packing.objects.get()
    detail = client.get(f"/sourcing/packing/{run.pk}/").content.decode()
    assert dry.rsplit("/10/", 1)[-1] in detail and "(00)" + run.cases[0] in detail

    response = client.get(f"/sourcing/packing/{run.pk}/labels.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(response.content)
    assert page_count(pdf) == 1
    (png,) = rasterise(pdf, 300)
    base = settings.DIGITAL_LINK_BASE
    expected = {base + i.removeprefix("https://id.gs1.org") for i in run.items}
    assert set(decode_qr_codes(png)) == expected

    # Another organisation's staff neither read the run nor print its labels.
    client.force_login(chain.n.point_operator)
    assert client.get(f"/sourcing/packing/{run.pk}/labels.pdf").status_code == 404


def test_a_large_runs_labels_are_printed_two_sheets_at_a_time(client, chain, tmp_path):
    from daodi.trace.tests.test_documents import decode_qr_codes, rasterise

    chain.sell_to_processor()
    run = packing.pack(
        actor=Actor(chain.processor_op, "web"), lot=chain.dry(), trade_item=chain.bag, count=90
    )
    client.force_login(chain.processor_op)
    detail = client.get(f"/sourcing/packing/{run.pk}/")
    assert detail.context["parts"] == [(1, 1, 80), (2, 81, 90)]
    pdf = tmp_path / "part2.pdf"
    pdf.write_bytes(client.get(f"/sourcing/packing/{run.pk}/labels.pdf?part=2").content)
    (png,) = rasterise(pdf, 300)
    base = settings.DIGITAL_LINK_BASE
    assert sorted(decode_qr_codes(png)) == [
        base + i.removeprefix("https://id.gs1.org") for i in run.items[80:]
    ]


def test_the_consumer_page_of_one_pack_shows_the_plots_it_grew_on(client, chain):
    chain.sell_to_processor()
    dry = chain.dry()
    run = packing.pack(
        actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=3
    )
    page = client.get(run.items[1].removeprefix("https://id.gs1.org"))
    assert page.status_code == 200
    text = page.content.decode()
    assert chain.f.plot.name in text and chain.f.plot_out.name in text


def test_packing_dates_cannot_lie_in_the_future(chain):
    chain.sell_to_processor()
    dry = chain.dry()
    with pytest.raises(DomainError) as refused:
        packing.pack(
            actor=Actor(chain.processor_op, "web"), lot=dry, trade_item=chain.bag, count=1,
            packed_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        )  # fmt: skip
    assert refused.value.code == "future_date"


def test_the_api_packs_a_lot_as_the_page_does(chain, api):
    chain.sell_to_processor()
    dry = chain.dry()
    response = api.as_user(chain.processor_op).post(
        "/api/packing-runs/",
        {"lot": dry, "trade_item": chain.bag.pk, "count": 4, "per_case": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["items"]) == 4 and len(body["cases"]) == 2 and body["kg"] == "2.000"
    refused = api.as_user(chain.processor_op).post(
        "/api/packing-runs/", {"lot": dry, "trade_item": chain.bag.pk, "count": 100000}
    )
    assert refused.status_code == 400 and refused.json()["fields"]["count"]
