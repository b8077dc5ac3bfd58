"""Moving lots up the network, commingling, pallets, mass balance, and GI protection."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.core.models import Refusal
from daodi.farm import actions as farm_actions
from daodi.farm.tests.helpers import state
from daodi.farm.tests.world import SYSTEM
from daodi.sourcing import actions, gi, queries
from daodi.sourcing.models import Dispatch, GIClaim
from daodi.trace import actions as trace_actions
from daodi.trace import queries as trace_queries
from daodi.trace.models import Lot
from daodi.trace.pickers import held_lots
from daodi.trace.resolver import story

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 9, 16, 1, tzinfo=dt.UTC)


def at(hours):
    return T0 + dt.timedelta(hours=hours)


class Season:
    """Two households harvest; each sells at its point; both points send to the station,
    which commingles and sends on to the hub."""

    def __init__(self, fields):
        self.f = fields
        n = fields.n
        self.h1 = fields.harvest(kg="1200")
        self.h2 = fields.harvest(plot=fields.plot_out, kg="500")
        self.p1 = actions.record_purchase(
            actor=SYSTEM, point=n.point, client_key="a", seller=n.household, herb=fields.herb,
            grade=fields.grade, gross_kg=Decimal("1200"), price=Decimal("20"), lot=self.h1.lot,
            bought_at=at(0),
        )  # fmt: skip
        self.p2 = actions.record_purchase(
            actor=SYSTEM, point=n.other_point, client_key="b", seller=n.other_household,
            herb=fields.herb, grade=fields.grade, gross_kg=Decimal("500"), price=Decimal("20"),
            lot=self.h2.lot, bought_at=at(1),
        )  # fmt: skip

    def send_to_station(self, found1="1200", found2="500"):
        n = self.f.n
        d1 = actions.dispatch(
            actor=SYSTEM, source=n.point, destination=n.station, lots=[self.h1.lot], sent_at=at(2)
        )
        d2 = actions.dispatch(
            actor=SYSTEM, source=n.other_point, destination=n.station, lots=[self.h2.lot],
            sent_at=at(2),
        )  # fmt: skip
        actions.receive(
            actor=SYSTEM, dispatch=d1, weights={self.h1.lot: Decimal(found1)}, received_at=at(4)
        )
        actions.receive(
            actor=SYSTEM, dispatch=d2, weights={self.h2.lot: Decimal(found2)}, received_at=at(4)
        )
        return d1, d2


# --- dispatch and arrival ---------------------------------------------------------------------
def test_a_dispatch_keeps_custody_until_the_receipt_moves_it(fields):
    season = Season(fields)
    d = actions.dispatch(
        actor=Actor(fields.n.point_operator, "web"), source=fields.n.point,
        destination=fields.n.station, lots=[season.h1.lot], sent_at=at(2),
    )  # fmt: skip
    lot = Lot.objects.get(identifier=season.h1.lot)
    assert lot.holder == fields.n.point and d.status == "in_transit"
    assert list(queries.in_transit(fields.n.station)) == [d]
    actions.receive(
        actor=Actor(fields.n.station_admin, "web"), dispatch=d,
        weights={season.h1.lot: Decimal("1195")}, received_at=at(3),
    )  # fmt: skip
    lot.refresh_from_db()
    assert lot.holder == fields.n.station and lot.quantity == Decimal("1195.000")
    d.refresh_from_db()
    assert d.status == "received" and not d.flagged  # 5 of 1200 kg is within 2 %


def test_an_arrival_weight_beyond_the_tolerance_is_flagged(fields):
    season = Season(fields)
    d1, _d2 = season.send_to_station(found1="1100")  # 100 kg short: 8.3 %
    line = d1.lines.get()
    d1.refresh_from_db()
    assert d1.flagged and line.flagged and line.difference_kg == Decimal("-100.00")
    assert "1100" in line.flag_reason and "2.00%" in line.flag_reason
    assert Lot.objects.get(identifier=season.h1.lot).quantity == Decimal("1100.000")
    assert [r.lot for r in queries.recent_flags(fields.n.station_admin)] == [season.h1.lot]


def test_a_lot_in_transit_is_neither_the_senders_stock_nor_theirs_to_use(fields):
    season = Season(fields)
    point = fields.n.point.pk
    assert queries.stock([point])[0]["kg"] == Decimal("1200")
    sent = actions.dispatch(actor=SYSTEM, source=fields.n.point, destination=fields.n.station,
                            lots=[season.h1.lot], sent_at=at(2))  # fmt: skip
    assert queries.stock([point]) == []
    (figure,) = [f for f in queries.network(fields.n.station_admin) if f.org.pk == point]
    assert figure.stock_kg == 0 and figure.in_transit == 1
    assert season.h1.lot not in {lot.identifier for lot in held_lots(fields.n.point_operator)}
    before = state()
    with pytest.raises(DomainError) as refused:  # sorted out on the truck?
        actions.record_loss(actor=SYSTEM, lot=season.h1.lot, kg=Decimal("10"),
                            reason="sorting", recorded_at=at(3))  # fmt: skip
    assert refused.value.code == "lot_in_transit" and state() == before
    actions.receive(actor=SYSTEM, dispatch=sent, weights={season.h1.lot: Decimal("1200")},
                    received_at=at(4))  # fmt: skip
    assert queries.stock([fields.n.station.pk])[0]["kg"] == Decimal("1200")


def test_a_lot_that_never_arrives_is_received_as_lost_and_the_books_still_balance(fields):
    season = Season(fields)
    d1, _d2 = season.send_to_station(found1="0")  # the bag fell off the truck
    line = d1.lines.get()
    assert line.flagged and line.difference_kg == Decimal("-1200")
    assert Lot.objects.get(identifier=season.h1.lot).quantity == 0
    assert queries.stock([fields.n.station.pk])[0]["kg"] == Decimal("500")
    result = queries.mass_balance()
    assert result.imbalances == [] and result.lot_imbalances == []


def test_a_flagged_arrival_is_reviewed_by_the_receivers_manager(fields):
    season = Season(fields)
    d1, d2 = season.send_to_station(found1="1100")  # 100 kg short: flagged
    before = state()
    with pytest.raises(DomainError) as refused:  # the station does not clear its own flag
        actions.review_dispatch(actor=Actor(fields.n.station_admin, "web"), dispatch=d1,
                                note="路上撒漏")  # fmt: skip
    assert refused.value.status in (403, 404) and state() == before
    done = actions.review_dispatch(actor=Actor(fields.n.admin, "web"), dispatch=d1,
                                   note="司机确认途中撒漏 100 kg")  # fmt: skip
    assert done.reviewed_by == fields.n.admin and done.review_note.startswith("司机")
    with pytest.raises(DomainError) as refused:
        actions.review_dispatch(actor=Actor(fields.n.admin, "web"), dispatch=d2, note="看过")
    assert refused.value.code == "not_flagged"


def test_lots_only_go_up_the_network_and_only_once(fields):
    season = Season(fields)
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.dispatch(
            actor=SYSTEM, source=fields.n.point, destination=fields.n.other_point,
            lots=[season.h1.lot],
        )  # fmt: skip
    assert refused.value.code == "not_up_the_network"
    assert state() == before
    actions.dispatch(actor=SYSTEM, source=fields.n.point, destination=fields.n.station,
                     lots=[season.h1.lot])  # fmt: skip
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.dispatch(actor=SYSTEM, source=fields.n.point, destination=fields.n.hub,
                         lots=[season.h1.lot])  # fmt: skip
    assert refused.value.code == "already_dispatched"
    assert state() == before


def test_a_dispatch_is_received_once_by_its_destination_only(fields):
    season = Season(fields)
    d1, _ = season.send_to_station()
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.receive(actor=SYSTEM, dispatch=d1, weights={season.h1.lot: Decimal("1")})
    assert refused.value.code == "already_received"
    d3 = actions.dispatch(
        actor=SYSTEM, source=fields.n.station, destination=fields.n.hub, lots=[season.h1.lot]
    )
    before = state()
    with pytest.raises(DomainError) as refused:  # the station cannot receive for the hub
        actions.receive(
            actor=Actor(fields.n.station_admin, "web"), dispatch=d3,
            weights={season.h1.lot: Decimal("1200")},
        )  # fmt: skip
    assert refused.value.status in (403, 404)
    assert state() == before


# --- commingling and pallets ------------------------------------------------------------------
def test_commingling_makes_one_lot_from_lots_of_one_grade_and_a_pallet_aggregates(fields):
    season = Season(fields)
    season.send_to_station()
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1200")), (season.h2.lot, Decimal("500"))],
        made_at=at(5),
    )  # fmt: skip
    assert merged.kg == Decimal("1700") and merged.holder == fields.n.station
    assert len(merged.event.document["inputQuantityList"]) == 2
    lot = Lot.objects.get(identifier=merged.lot)
    assert lot.quantity == Decimal("1700.000") and lot.holder == fields.n.station
    pallet = actions.palletise(actor=SYSTEM, lots=[merged.lot], packed_at=at(6))
    assert pallet.event.document["parentID"].endswith(pallet.sscc)
    assert Lot.objects.filter(identifier__endswith=pallet.sscc).exists()


# --- mass balance -----------------------------------------------------------------------------
def test_the_mass_balance_of_a_season_balances_with_recorded_losses(fields):
    season = Season(fields)
    season.send_to_station(found1="1100")
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1100")), (season.h2.lot, Decimal("500"))],
        made_at=at(5),
    )  # fmt: skip
    actions.record_loss(actor=SYSTEM, lot=merged.lot, kg=Decimal("40"), reason="sorting",
                        recorded_at=at(6))  # fmt: skip
    result = queries.mass_balance()
    assert result.imbalances == [] and result.lot_imbalances == []
    station = next(r for r in result.herbs if r.node == fields.n.station.pk)
    assert station.received == Decimal("1700") + Decimal("1600")  # receipts + the new lot
    assert station.losses == Decimal("140")  # 100 short on arrival, 40 sorted out
    assert station.stock == Decimal("1560")
    point = next(r for r in result.herbs if r.node == fields.n.point.pk)
    assert (point.received, point.dispatched, point.stock) == (1200, 1200, 0)
    household = next(r for r in result.herbs if r.node == fields.n.household.pk)
    assert household.received == household.dispatched == Decimal("1200")


def test_weight_that_appears_from_nowhere_is_an_imbalance_at_that_node(fields):
    season = Season(fields)
    season.send_to_station()
    # An outside system declares the station shipped 300 kg more than the lot holds.
    trace_actions.capture_event(
        actor=SYSTEM,
        organisation=fields.n.station,
        event={
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": "2026-09-17T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "shipping",
            "epcList": [],
            "quantityList": [{"epcClass": season.h1.lot, "quantity": 1500, "uom": "KGM"}],
            "readPoint": {"id": f"https://id.gs1.org/414/{fields.n.station.sites.first().gln}"},
        },
    )
    result = queries.mass_balance(site=fields.n.station.code)
    (row,) = result.imbalances
    assert row.node == fields.n.station.pk and row.difference == Decimal("-300")
    assert [r.lot for r in result.lot_imbalances] == [season.h1.lot]
    assert queries.mass_balance(site=fields.n.point.code).imbalances == []


def test_the_mass_balance_tolerance_is_the_herbs(fields):
    season = Season(fields)
    season.send_to_station()
    trace_actions.capture_event(
        actor=SYSTEM,
        organisation=fields.n.station,
        event={
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": "2026-09-17T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "shipping",
            "epcList": [],
            "quantityList": [{"epcClass": season.h2.lot, "quantity": 520, "uom": "KGM"}],
            "readPoint": {"id": f"https://id.gs1.org/414/{fields.n.station.sites.first().gln}"},
        },
    )
    result = queries.mass_balance(site=fields.n.station.code)
    assert result.imbalances == []  # 20 kg of 1,700 at the station
    assert [r.lot for r in result.lot_imbalances] == [season.h2.lot]  # but 20 of 500 of a lot
    # The command fails on a lot off balance even where its node's total is within tolerance.
    out = io.StringIO()
    with pytest.raises(SystemExit) as failed:
        call_command("massbalance", "--site", fields.n.station.code, stdout=out)
    assert failed.value.code == 1 and season.h2.lot in out.getvalue()
    fields.herb.balance_tolerance_pct = Decimal("1.00")
    fields.herb.save()
    assert len(queries.mass_balance(site=fields.n.station.code).imbalances) == 1


# --- GI protection ----------------------------------------------------------------------------
def test_a_gi_is_claimed_only_for_lots_whose_whole_lineage_is_inside_its_area(fields):
    season = Season(fields)
    season.send_to_station()
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1200")), (season.h2.lot, Decimal("500"))],
        made_at=at(5),
    )  # fmt: skip
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.claim_gi(
            actor=SYSTEM, lot=merged.lot, indication=fields.gi, kg=Decimal("100"),
            purpose="label",
        )  # fmt: skip
    assert refused.value.code == "gi_lineage"
    assert "河东村" in str(refused.value.message)  # the plot outside the area
    assert state() == before
    assert gi.lineage_problems(season.h1.lot, fields.gi) == []


def test_the_weight_sold_under_a_gi_never_exceeds_the_gi_origin_weight(fields):
    season = Season(fields)  # 1200 kg fresh from the GI area: 480 kg dry at 2.5 : 1
    assert gi.cap(fields.gi).entered == Decimal("480.00")
    run = farm_actions.process(
        actor=SYSTEM, kind="drying", inputs=[(season.h1.lot, Decimal("1200"))],
        output_kg=Decimal("400"), started_at=at(2), finished_at=at(30),
    )  # fmt: skip
    dry = run.lots.get(is_output=True).lot
    first = actions.claim_gi(
        actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("400"), purpose="label"
    )
    assert first.dry_equivalent_kg == Decimal("400.00")
    # Claiming the same lot again (a second label run) would sell 800 kg of 480.
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.claim_gi(
            actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("100"), purpose="listing"
        )
    assert refused.value.code == "gi_weight_cap"
    assert "480" in str(refused.value.message) and "400" in str(refused.value.message)
    assert state() == before
    (kept,) = Refusal.objects.all()  # kept for regulators
    assert kept.code == "gi_weight_cap" and dry in kept.subject
    assert kept.organisation == Lot.objects.get(identifier=dry).holder
    assert GIClaim.objects.count() == 1


def test_one_lot_is_never_claimed_for_more_than_it_holds(fields):
    season = Season(fields)  # 480 kg dry may be sold under the GI
    run = farm_actions.process(
        actor=SYSTEM, kind="drying", inputs=[(season.h1.lot, Decimal("1200"))],
        output_kg=Decimal("400"), started_at=at(2), finished_at=at(30),
    )  # fmt: skip
    dry = run.lots.get(is_output=True).lot
    actions.claim_gi(actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("200"),
                     purpose="label")  # fmt: skip
    before = state()
    with pytest.raises(DomainError) as refused:  # 450 of a 400 kg lot, though 450 ≤ 480
        actions.claim_gi(actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("250"),
                         purpose="listing")  # fmt: skip
    assert refused.value.code == "more_than_lot" and "200" in str(refused.value.message)
    assert state() == before
    # Part of the lot is sorted out; a claim on the rest still counts against its 400 kg.
    actions.record_loss(actor=SYSTEM, lot=dry, kg=Decimal("50"), reason="sorting",
                        recorded_at=at(31))  # fmt: skip
    actions.claim_gi(actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("180"),
                     purpose="listing")  # 380 of 400, though 350 are left  # fmt: skip
    with pytest.raises(DomainError) as refused:  # 440 of 400
        actions.claim_gi(actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("60"),
                         purpose="label")  # fmt: skip
    assert refused.value.code == "more_than_lot"
    assert GIClaim.objects.filter(lot=dry).count() == 2
    with pytest.raises(DomainError) as refused:  # a typing slip, not an over-claim
        actions.claim_gi(actor=SYSTEM, lot=dry, indication=fields.gi, kg=Decimal("0"),
                         purpose="label")  # fmt: skip
    assert refused.value.code == "validation_failed"
    assert not Refusal.objects.filter(code="validation_failed").exists()


def test_the_consumer_page_shows_the_gi_only_when_every_origin_has_its_plot(fields):
    season = Season(fields)  # h1 grew inside the GI's area; the point holds it
    assert story.build(season.h1.lot)["indication"]["name"] == fields.gi.name
    bought = actions.record_purchase(  # a lot the grower brings with no harvest on record
        actor=SYSTEM, point=fields.n.point, client_key="no-plot", seller=fields.n.household,
        herb=fields.herb, grade=fields.grade, gross_kg=Decimal("100"), price=Decimal("20"),
        bought_at=at(1),
    )  # fmt: skip
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1200")), (bought.lot, Decimal("100"))],
        made_at=at(2),
    )  # fmt: skip
    assert story.build(merged.lot)["indication"] is None
    with pytest.raises(DomainError) as refused:  # as a claim for it is refused
        actions.claim_gi(actor=SYSTEM, lot=merged.lot, indication=fields.gi,
                         kg=Decimal("10"), purpose="label")  # fmt: skip
    assert refused.value.code == "gi_lineage"


def test_violations_already_in_the_store_are_listed(fields):
    season = Season(fields)
    season.send_to_station()
    # An outside system's commingling claims the GI for a lot with an outside plot in it.
    trace_actions.capture_event(
        actor=SYSTEM,
        organisation=fields.n.station,
        event={
            "@context": [
                "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                {"daodi": "https://daodi.example/voc/"},
            ],
            "type": "TransformationEvent",
            "eventTime": "2026-09-17T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputQuantityList": [
                {"epcClass": season.h1.lot, "quantity": 1200, "uom": "KGM"},
                {"epcClass": season.h2.lot, "quantity": 500, "uom": "KGM"},
            ],
            "outputQuantityList": [
                {
                    "epcClass": f"https://id.gs1.org/01/{fields.item.gtin}/10/X1",
                    "quantity": 1700,
                    "uom": "KGM",
                }
            ],  # fmt: skip
            "ilmd": {"daodi:giClaim": "潞党参"},
        },
    )
    (violation,) = gi.violations()
    assert violation.lot.endswith("/10/X1") and violation.indication == "潞党参"
    assert "河东村" in violation.reason


# --- acceptance 3: from a retail item back to every plot and household -----------------------
def test_a_retail_item_packed_from_hub_lots_traces_back_to_every_plot_and_household(fields):
    season = Season(fields)
    season.send_to_station()
    n = fields.n
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1200")), (season.h2.lot, Decimal("500"))],
        made_at=at(5),
    )  # fmt: skip
    up = actions.dispatch(actor=SYSTEM, source=n.station, destination=n.hub, lots=[merged.lot],
                          sent_at=at(6))  # fmt: skip
    actions.receive(actor=SYSTEM, dispatch=up, weights={merged.lot: Decimal("1700")},
                    received_at=at(8))  # fmt: skip
    run = farm_actions.process(
        actor=SYSTEM, kind="drying", inputs=[(merged.lot, Decimal("1700"))],
        output_kg=Decimal("600"), started_at=at(9), finished_at=at(40),
    )  # fmt: skip
    dry = run.lots.get(is_output=True).lot
    item = "https://id.gs1.org/01/09521234000020/21/S0001"
    trace_actions.capture_event(
        actor=SYSTEM,
        organisation=n.hub,
        event={
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "TransformationEvent",
            "eventTime": "2026-09-20T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "packing",
            "inputQuantityList": [{"epcClass": dry, "quantity": 0.5, "uom": "KGM"}],
            "outputEPCList": [item],
        },
    )
    graph = trace_queries.graph(item, direction="backward")
    names = {node["identifier"] for node in graph["nodes"]}
    assert {season.h1.lot, season.h2.lot} <= names
    roots = gi.roots(item)
    assert roots == {season.h1.lot, season.h2.lot}
    origins = gi.origins(roots)
    from daodi.farm.models import Harvest

    plots = {p for h in Harvest.objects.filter(lot__in=roots) for p in h.plots.all()}
    assert plots == {fields.plot, fields.plot_out}
    assert {p.holder for p in plots} == {n.household, n.other_household}
    assert {d.name for places in origins.values() for d in places} == {"杏树村", "河东村"}
    assert Dispatch.objects.count() == 3


def test_a_commingled_lot_whose_input_failed_its_test_is_refused_everywhere_naming_it(fields):
    from django.utils import translation

    from daodi.trace.models import Event

    season = Season(fields)
    season.send_to_station()
    merged = actions.commingle(
        actor=SYSTEM, inputs=[(season.h1.lot, Decimal("1200")), (season.h2.lot, Decimal("500"))],
        made_at=at(5),
    )  # fmt: skip
    input_lot = Lot.objects.get(identifier=season.h1.lot)
    failed = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"daodi": "https://daodi.example/voc/"}],
        "type": "ObjectEvent", "eventTime": "2026-09-17T09:00:00+08:00",
        "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "inspecting",
        "disposition": "non_conformant", "epcList": [],
        "quantityList": [{"epcClass": season.h1.lot}],
        "daodi:conclusion": "not_conform", "daodi:statusReason": "二氧化硫残留量 520 mg/kg",
    }  # fmt: skip
    outcome = trace_actions.capture_event(actor=SYSTEM, event=failed)
    assert outcome.errors == []
    before, events = state(), Event.objects.count()
    attempts = {
        "palletise": lambda: actions.palletise(actor=SYSTEM, lots=[merged.lot], packed_at=at(30)),
        "dispatch": lambda: actions.dispatch(
            actor=SYSTEM, source=fields.n.station, destination=fields.n.hub, lots=[merged.lot],
            sent_at=at(30),
        ),
        "process": lambda: farm_actions.process(
            actor=SYSTEM, kind="drying", inputs=[(merged.lot, Decimal("100"))],
            output_kg=Decimal("40"), started_at=at(30), finished_at=at(40),
        ),
    }  # fmt: skip
    for name, attempt in attempts.items():
        with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "input_not_usable", name
        message = str(refused.value.message)
        assert f"批次 {input_lot.batch} 制成" in message, (name, message)
        assert "质量检验不合格" in message and "二氧化硫残留量 520 mg/kg" in message
    assert state() == before and Event.objects.count() == events  # nothing written
