"""The farm's rules: banned pesticides, pre-harvest intervals, yield and drying-ratio flags.

Each refusal leaves every table as it was; each flag lets the record through, marked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from daodi.core.errors import DomainError
from daodi.core.models import Refusal
from daodi.farm import actions, rules
from daodi.farm.choices import ProcessKind, RecordKind
from daodi.farm.models import BannedPesticide, FarmRecord, Harvest, Processing
from daodi.trace.models import Event, Lot

from .helpers import state
from .world import SYSTEM

pytestmark = pytest.mark.django_db


def spray(fields, product, day, interval=14, ingredient=""):
    return actions.record_activity(
        actor=SYSTEM,
        plot=fields.plot,
        kind=RecordKind.PESTICIDE,
        date=day,
        product=product,
        active_ingredient=ingredient,
        dose="600倍液",
        pre_harvest_interval_days=interval,
        operator="王大山",
    )


# --- pure rules -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "product, banned",
    [
        ("3%呋喃丹颗粒剂", "克百威"),  # its common name
        ("40%甲基1605乳油", "甲基对硫磷"),  # the longer name wins over 1605 (对硫磷)
        ("1605 乳油", "对硫磷"),
        ("Carbofuran 3% GR", "克百威"),  # the English name
        ("BHC 粉剂", "六六六"),
        ("锐劲特悬浮剂", "氟虫腈"),
        ("吡虫啉 登记证号 PD20081605", None),  # digits inside a number name nothing
        ("70%吡虫啉水分散粒剂", None),
    ],
)
def test_the_starting_list_knows_common_and_trade_names(network, product, banned):
    assert actions.banned_in(product) == banned


def test_banned_names_match_inside_product_names_whatever_the_width_and_spacing():
    banned = [("克百威", ["克百威", "呋喃丹"]), ("甲胺磷", ["甲胺磷"])]
    assert rules.banned_match(["3%克百威颗粒剂"], banned) == "克百威"
    assert rules.banned_match(["３％ 呋喃丹"], banned) == "克百威"
    assert rules.banned_match(["0.3%苦参碱水剂", ""], banned) is None


def test_interval_breach_names_the_application_that_ends_last():
    early = rules.Application("a", dt.date(2026, 9, 1), 10)  # allowed from 09-11
    late = rules.Application("b", dt.date(2026, 9, 5), 14)  # allowed from 09-19
    assert rules.interval_breach([early, late], dt.date(2026, 9, 10)) == late
    assert rules.interval_breach([early, late], dt.date(2026, 9, 19)) is None
    assert rules.interval_breach([late], dt.date(2026, 9, 4)) is None  # sprayed afterwards


# --- banned pesticide -------------------------------------------------------------------------
def test_the_shipped_list_is_chp_0212s_33_pesticides(db):
    assert BannedPesticide.objects.count() == 33
    assert BannedPesticide.objects.filter(name="克百威", name_en="carbofuran").exists()


def test_a_banned_pesticide_is_refused_by_name_and_nothing_is_recorded(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        spray(fields, "3%克百威颗粒剂", dt.date(2026, 6, 1))
    assert refused.value.code == "banned_pesticide"
    assert "克百威" in str(refused.value.message)
    assert "克百威" in str(refused.value.fields["product"][0])
    assert state() == before
    # The attempt is kept for regulators: the rule, the grower, the plot and the reason.
    (kept,) = Refusal.objects.all()
    assert (kept.code, kept.organisation, kept.subject) == (
        "banned_pesticide", fields.plot.holder, fields.plot.name,
    )  # fmt: skip
    assert "3%克百威颗粒剂" in kept.message


def test_a_banned_active_ingredient_under_a_trade_name_is_refused(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        spray(fields, "好收成乳油", dt.date(2026, 6, 1), ingredient="氟虫腈")
    assert refused.value.code == "banned_pesticide"
    assert state() == before


def test_the_banned_list_is_data_an_added_alias_is_refused_and_a_deactivated_entry_allowed(
    fields, network
):
    entry = BannedPesticide.objects.get(name="克百威")
    assert spray(fields, "山野净颗粒", dt.date(2026, 6, 1)).event is not None
    # A trade name heard of in the county is added to the list: refused from then on.
    actions.update_banned_pesticide(actor=SYSTEM, pesticide=entry, aliases="呋喃丹\n山野净")
    with pytest.raises(DomainError) as refused:
        spray(fields, "山野净颗粒", dt.date(2026, 6, 2))
    assert "克百威" in str(refused.value.message)
    actions.update_banned_pesticide(actor=SYSTEM, pesticide=entry, is_active=False)
    record = spray(fields, "呋喃丹颗粒", dt.date(2026, 6, 1))
    assert record.event is not None
    with pytest.raises(DomainError) as refused:  # only platform admins edit the list
        from daodi.core.actor import Actor

        actions.update_banned_pesticide(
            actor=Actor(network.point_operator, "web"), pesticide=entry, is_active=True
        )
    assert refused.value.code == "permission_denied"


def test_an_allowed_pesticide_is_recorded_with_its_input_application_event(fields):
    record = spray(fields, "0.3%苦参碱水剂", dt.date(2026, 6, 1), interval=10)
    assert record.event.biz_step.endswith("BizStep-input_application")
    assert record.event.document["daodi:inputProduct"] == "0.3%苦参碱水剂"
    assert record.event.document["daodi:safetyIntervalDays"] == 10
    assert record.event.read_point.endswith(fields.plot.gln)


# --- pre-harvest interval ---------------------------------------------------------------------
def test_a_harvest_inside_the_interval_is_refused_naming_the_use_and_the_first_allowed_date(
    fields,
):
    spray(fields, "0.3%苦参碱水剂", dt.date(2026, 9, 5), interval=14)
    before = state()
    with pytest.raises(DomainError) as refused:
        fields.harvest(day=dt.date(2026, 9, 15))
    message = str(refused.value.message)
    assert refused.value.code == "pre_harvest_interval"
    assert "0.3%苦参碱水剂" in message and "2026-09-05" in message
    assert "2026-09-19" in message and "14" in message
    assert state() == before
    (kept,) = Refusal.objects.all()
    assert kept.code == "pre_harvest_interval" and kept.message == message
    assert kept.organisation == fields.plot.holder and fields.plot.name in kept.subject
    # On the first allowed date the harvest goes through.
    assert fields.harvest(day=dt.date(2026, 9, 19)).lot


# --- harvest and yield flag -------------------------------------------------------------------
def test_a_harvest_makes_a_gs1_lot_with_a_commissioning_event_and_the_herb_ilmd(fields):
    harvest = fields.harvest(kg="1200")  # 600 kg/亩 on 2 亩: plausible
    lot = Lot.objects.get(identifier=harvest.lot)
    assert lot.gtin == fields.item.gtin and lot.batch.startswith("H260915-")
    assert lot.quantity == Decimal("1200.000") and lot.holder == fields.n.household
    assert lot.herb == fields.herb
    ilmd = harvest.event.document["ilmd"]
    assert ilmd["daodi:plot"].endswith(fields.plot.gln)
    assert ilmd["daodi:harvestDate"] == "2026-09-15"
    assert ilmd["daodi:herbAge"] == 3  # planted 2023
    assert ilmd["daodi:giClaim"] == "潞党参"  # the plot lies in the GI's area
    assert harvest.event.action == "ADD" and not harvest.flagged


@pytest.mark.parametrize("kg", ["400", "2400"])  # 200 and 1200 kg/亩: outside 300–1000
def test_an_implausible_yield_is_accepted_and_flagged_for_review(fields, kg):
    events = Event.objects.count()
    harvest = fields.harvest(kg=kg)
    assert harvest.flagged
    assert "300" in harvest.flag_reason and "1000" in harvest.flag_reason
    assert Harvest.objects.filter(flagged=True).count() == 1
    assert Event.objects.count() == events + 1  # recorded all the same


def test_a_crop_harvested_in_parts_is_judged_whole(fields):
    """Splitting one plot's crop into plausible parts does not hide an implausible total."""
    first = fields.harvest(kg="1200", day=dt.date(2026, 9, 10))  # 600 kg/亩 on 2 亩
    assert not first.flagged
    second = fields.harvest(kg="1200", day=dt.date(2026, 9, 15))  # 1,200 kg/亩 in all
    assert second.flagged and "1200" in second.flag_reason and "1000" in second.flag_reason
    last_year = fields.harvest(kg="1200", day=dt.date(2025, 9, 15))  # another crop
    assert not last_year.flagged


def test_plots_of_two_holders_make_no_harvest(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.harvest(
            actor=SYSTEM,
            plots=[fields.plot, fields.plot_out],
            harvested_on=dt.date(2026, 9, 15),
            fresh_kg=Decimal("100"),
        )
    assert refused.value.code == "mixed_plots"
    assert state() == before


# --- drying ratio flag ------------------------------------------------------------------------
def dry(fields, lot, fresh, out, **extra):
    when = dt.datetime(2026, 9, 18, 8, tzinfo=dt.UTC)
    return actions.process(
        actor=SYSTEM,
        kind=ProcessKind.DRYING,
        inputs=[(lot, Decimal(fresh))],
        output_kg=Decimal(out),
        started_at=when,
        finished_at=when + dt.timedelta(hours=30),
        method="oven",
        **extra,
    )


def test_drying_is_a_transformation_with_the_declaration_and_sensor_readings(fields):
    harvest = fields.harvest(kg="1200")
    run = dry(
        fields,
        harvest.lot,
        "1200",
        "400",
        no_sulphur=True,
        no_dye=True,
        no_weighting=True,
        sensor_readings=[{"time": "2026-09-18T10:00:00+08:00", "temperature": 55, "humidity": 30}],
    )
    assert run.ratio == Decimal("3.00") and not run.flagged and run.declared_clean
    doc = run.event.document
    assert doc["type"] == "TransformationEvent"
    assert doc["ilmd"]["daodi:noSulphurFumigation"] is True
    assert doc["sensorElementList"][0]["sensorReport"][0]["value"] == 55.0
    source = Lot.objects.get(identifier=harvest.lot)
    assert source.status == "consumed" and source.quantity == 0
    output = run.lots.get(is_output=True)
    assert Lot.objects.get(identifier=output.lot).quantity == Decimal("400.000")


def test_a_drying_ratio_outside_the_herbs_range_is_flagged(fields):
    harvest = fields.harvest(kg="1200")
    run = dry(fields, harvest.lot, "1200", "800")  # 1.5 : 1, plausible is 2.5–3.8
    assert run.flagged and "1.50" in run.flag_reason
    assert Processing.objects.filter(flagged=True).count() == 1


def test_an_output_heavier_than_its_input_is_refused(fields):
    harvest = fields.harvest(kg="1200")
    before = state()
    with pytest.raises(DomainError) as refused:
        dry(fields, harvest.lot, "1200", "1300")
    assert refused.value.code == "output_exceeds_input"
    assert state() == before


def test_more_than_the_lot_holds_is_refused(fields):
    harvest = fields.harvest(kg="1200")
    before = state()
    with pytest.raises(DomainError) as refused:
        dry(fields, harvest.lot, "1500", "400")
    assert refused.value.code == "more_than_lot"
    assert state() == before


def test_records_need_their_kind_s_fields(fields):
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.record_activity(
            actor=SYSTEM, plot=fields.plot, kind=RecordKind.PESTICIDE, date=dt.date(2026, 6, 1)
        )
    assert set(refused.value.fields) >= {"product", "dose", "pre_harvest_interval_days"}
    assert state() == before
    assert FarmRecord.objects.count() == 0


def test_a_seed_lot_of_ours_must_be_a_lot_the_store_knows(fields):
    seed = fields.harvest(kg="100", day=dt.date(2025, 9, 1))  # last year's lot, kept as seed
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.record_activity(actor=SYSTEM, plot=fields.plot, kind=RecordKind.SEED_SOURCE,
                                date=dt.date(2026, 3, 1), seed_lot="H250901-9999")  # fmt: skip
    assert refused.value.code == "unknown_lot" and "seed_lot" in refused.value.fields
    assert state() == before
    urn = "urn:epc:class:lgtin:" + fields.item.gtin[1:8] + "." + fields.item.gtin[0]
    urn += fields.item.gtin[8:13] + "." + seed.lot.rsplit("/", 1)[-1]
    record = actions.record_activity(actor=SYSTEM, plot=fields.plot, kind=RecordKind.SEED_SOURCE,
                                     date=dt.date(2026, 3, 1), seed_lot=urn)  # fmt: skip
    assert record.seed_lot == seed.lot  # the EPC URN kept as the lot's Digital Link
