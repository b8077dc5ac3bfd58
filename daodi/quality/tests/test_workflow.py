"""Acceptance 2: samples, results, review by a second person, hold and release.

A village point samples lot D of 党参 and sends it to the county testing centre; the lab's
analyst enters the results, its reviewer approves them. Every step goes through the real
actions and captures real EPCIS events.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from daodi.core.actor import Actor
from daodi.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from daodi.core.models import AuditEntry
from daodi.trace import labels
from daodi.trace.models import Event, Lot

from .. import actions, judgement
from ..choices import NotificationKind, OrderStatus, ResultStatus
from ..models import Certificate, Notification, Result, Sample, TestOrder
from .world import GOOD, QualityWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network):
    return QualityWorld(network)


def lot(world) -> Lot:
    return Lot.objects.get(pk=world.lot.pk)


def test_sampling_is_an_epcis_sampling_event_that_leaves_the_lot_as_it_was(world):
    before = lot(world)
    sample = world.sample()
    event = Event.objects.get(pk=sample.event_id)
    assert event.biz_step.endswith("sampling")
    assert event.document["daodi:sampleCode"] == sample.code
    assert event.document["quantityList"] == [{"epcClass": world.lot.identifier}]
    after = lot(world)
    assert (after.quantity, after.unit, after.holder_id, after.status) == (
        before.quantity,
        before.unit,
        before.holder_id,
        before.status,
    )
    assert after.last_event_id == event.pk
    order = sample.orders.get()
    assert (order.lab, order.status) == (world.lab, OrderStatus.OPEN)
    assert sample.herb == world.herb and sample.variant == ""


def test_a_sample_with_bad_input_captures_no_event(world):
    events = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        actions.take_sample(
            actor=Actor(world.n.point_operator, "web"), lot=world.lot, quantity=Decimal("0")
        )
    assert "quantity" in refused.value.fields
    assert Event.objects.count() == events and not Sample.objects.exists()


def test_another_organisation_cannot_sample_the_lot(world):
    with pytest.raises(NotFound):
        actions.take_sample(
            actor=Actor(world.n.other_operator, "web"), lot=world.lot, quantity=Decimal("100")
        )
    assert not Sample.objects.exists()


def test_the_lab_sees_its_queue_and_others_do_not(world):
    from .. import queries

    order = world.order()
    assert list(queries.lab_queue(world.analyst)) == [order]
    assert list(queries.lab_queue(world.n.point_operator)) == []
    assert list(queries.orders(world.n.other_operator)) == []
    assert list(queries.orders(world.n.regulator)) == [order]


def test_a_conforming_order_is_certified_and_the_lot_stays_active(world):
    order = world.order()
    world.enter(order, GOOD | {"醇溶性浸出物": "48.2"})  # 48.2 / 0.875 = 55.09 → 55.1
    cert = world.approve(order)
    assert cert.conclusion == judgement.CONFORM
    assert lot(world).status == "active"
    event = cert.event
    assert event.disposition.endswith("conformant") and event.biz_step.endswith("inspecting")
    assert event.document["certificationInfo"] == actions.verify_url(cert.number, cert.content_hash)
    assert Result.objects.filter(order=order, status=ResultStatus.APPROVED).count() == 4
    assert not Notification.objects.exists()


def test_the_same_person_cannot_approve_their_own_result(world):
    order = world.order()
    world.enter(order, GOOD)
    with pytest.raises(PermissionDenied) as refused:
        world.approve(order, user=world.analyst)
    assert refused.value.code == "own_result"
    order.refresh_from_db()
    assert order.status == OrderStatus.TESTING and not Certificate.objects.exists()
    assert not Result.objects.filter(status=ResultStatus.APPROVED).exists()


def test_a_reviewer_who_corrected_a_result_cannot_approve_it_either(world):
    order = world.order()
    (moisture, *_rest) = world.enter(order, GOOD)
    actions.correct_result(
        actor=Actor(world.reviewer, "web"), result=moisture, value="12.6", reason="抄录错误"
    )
    with pytest.raises(PermissionDenied):
        world.approve(order, user=world.reviewer)


def test_a_failing_result_holds_the_lot_and_labelling_refuses_it_with_the_reason(world):
    order = world.order()
    world.enter(order, GOOD)  # 醇溶性浸出物 50.2 / 0.875 = 57.4: passes; make 水分 fail
    moisture = order.results.get(test_item="水分")
    actions.correct_result(
        actor=Actor(world.analyst, "web"), result=moisture, value="16.06", reason="复核原始记录"
    )
    cert = world.approve(order)
    assert cert.conclusion == judgement.NOT_CONFORM
    held = lot(world)
    assert held.status == "on_hold"
    assert held.status_reason.startswith(f"不符合规定（{cert.number}）")
    assert "水分" in held.status_reason
    assert cert.event.disposition.endswith("non_conformant")
    assert cert.event.document["daodi:statusReason"] == held.status_reason
    with pytest.raises(DomainError) as refused:
        labels.lot_labels_pdf(held)
    assert refused.value.code == "input_not_usable"
    assert held.status_reason in str(refused.value.message)  # the refusal says why


def test_an_out_of_specification_result_notifies_the_holder_and_the_regulators(world):
    order = world.order()
    world.enter(order, GOOD | {"总灰分": "5.06"})
    cert = world.approve(order)
    notices = Notification.objects.filter(certificate=cert).order_by("audience")
    assert [(n.audience, n.organisation) for n in notices] == [
        ("holder", world.n.household),
        ("regulator", None),
    ]
    assert {n.kind for n in notices} == {NotificationKind.OUT_OF_SPEC}
    assert notices[0].params["items"] == ["总灰分"]
    from .. import queries

    assert set(queries.notifications(world.n.regulator)) == set(notices)
    assert list(queries.notifications(world.n.point_operator)) == [notices[0]]  # manages HH1
    assert list(queries.notifications(world.n.other_operator)) == []
    assert list(queries.out_of_spec(world.n.regulator)) == [cert]


def test_an_incomplete_order_holds_the_lot_too(world):
    order = world.order()
    world.enter(order, {"水分": "12.0", "总灰分": "4.0"})
    cert = world.approve(order)
    assert cert.conclusion == judgement.INCOMPLETE
    assert lot(world).status == "on_hold"
    assert "二氧化硫残留量" in lot(world).status_reason
    assert Notification.objects.filter(kind=NotificationKind.INCOMPLETE).count() == 2


def test_approval_of_a_retest_releases_the_lot(world):
    order = world.order()
    results = world.enter(order, GOOD | {"总灰分": "5.26"})
    first = world.approve(order)
    assert lot(world).status == "on_hold"

    ash = next(r for r in results if r.test_item == "总灰分")
    retest = actions.retest_result(
        actor=Actor(world.analyst, "web"), result=ash, value="4.8", reason="平行样复检"
    )
    ash.refresh_from_db()
    order.refresh_from_db()
    assert ash.status == ResultStatus.SUPERSEDED and retest.supersedes == ash
    assert order.status == OrderStatus.TESTING
    assert lot(world).status == "on_hold"  # only an approval releases it

    second = world.approve(order)
    held = lot(world)
    assert second.conclusion == judgement.CONFORM
    assert (held.status, held.status_reason) == ("active", "")
    first.refresh_from_db()
    assert first.superseded_by == second
    assert second.content["retests"] == [
        {"test_item": "总灰分", "previous": "5.26", "value": "4.8", "reason": "平行样复检"}
    ]
    released = Notification.objects.get(kind=NotificationKind.RELEASED)
    assert released.organisation == world.n.household


def test_a_retest_needs_its_reason(world):
    order = world.order()
    (moisture, *_rest) = world.enter(order, GOOD)
    with pytest.raises(DomainError) as refused:
        actions.retest_result(
            actor=Actor(world.analyst, "web"), result=moisture, value="11", reason=" "
        )
    assert refused.value.code == "reason_required"
    assert Result.objects.count() == 4


def test_the_audit_trail_keeps_the_corrected_value(world):
    order = world.order()
    (moisture, *_rest) = world.enter(order, GOOD)
    actions.correct_result(
        actor=Actor(world.analyst, "web"), result=moisture, value="12.8", reason="仪器读数抄错"
    )
    moisture.refresh_from_db()
    assert moisture.value == "12.8"
    entry = AuditEntry.objects.get(action="result.update", target_id=str(moisture.pk))
    assert entry.changes["value"] == ["12.5", "12.8"]
    assert entry.changes["correction_reason"] == ["", "仪器读数抄错"]
    assert entry.actor == world.analyst


def test_an_approved_result_is_retested_not_corrected(world):
    order = world.order()
    results = world.enter(order, GOOD)
    world.approve(order)
    with pytest.raises(DomainError) as refused:
        actions.correct_result(
            actor=Actor(world.analyst, "web"), result=results[0], value="1", reason="x"
        )
    assert refused.value.code == "result_approved"


def test_one_current_result_per_item_and_only_items_of_the_order(world):
    order = world.order()
    world.enter(order, {"水分": "12.0"})
    with pytest.raises(Conflict):
        world.enter(order, {"水分": "12.1"})
    with pytest.raises(DomainError) as refused:
        world.enter(order, {"黄芩苷": "9.1"})
    assert refused.value.code == "unknown_item"
    with pytest.raises(DomainError):
        world.enter(order, {"总灰分": "abc"})
    assert order.results.count() == 1


def test_only_the_lab_enters_results(world):
    order = world.order()
    with pytest.raises(PermissionDenied):
        world.enter(order, {"水分": "12.0"}, user=world.n.point_operator)
    with pytest.raises(NotFound):
        world.enter(order, {"水分": "12.0"}, user=world.n.other_operator)
    assert not Result.objects.exists()


def test_orders_use_approved_sets_that_cover_the_herb(world):
    sample = world.sample(sets=[world.chp])
    draft = actions.new_spec_version(actor=Actor.system(), spec_set=world.chp)
    with pytest.raises(DomainError) as refused:
        actions.create_order(
            actor=Actor(world.n.point_operator, "web"),
            sample=sample,
            lab=world.lab,
            spec_sets=[draft],
        )
    assert refused.value.code == "set_not_approved"
    with pytest.raises(DomainError) as refused:
        actions.create_order(
            actor=Actor(world.n.point_operator, "web"),
            sample=sample,
            lab=world.n.point,
            spec_sets=[world.chp],
        )
    assert refused.value.code == "not_a_lab"
    assert TestOrder.objects.count() == 1


def test_several_sets_judge_one_sample(world):
    order = world.order(sets=[world.chp, world.food])
    world.enter(order, GOOD | {"铅 (Pb)": "1.4 mg/kg"})
    cert = world.approve(order)
    assert [s["conclusion"] for s in cert.content["sets"]] == [
        judgement.CONFORM,
        judgement.NOT_CONFORM,
    ]
    assert cert.conclusion == judgement.NOT_CONFORM
    # One SO2 result serves both sets.
    assert Result.objects.filter(order=order, test_item="二氧化硫残留量").count() == 1


def test_returning_results_keeps_them_for_the_analyst(world):
    order = world.order()
    world.enter(order, GOOD)
    actions.return_order(actor=Actor(world.reviewer, "web"), order=order, reason="核对水分原始记录")
    order.refresh_from_db()
    assert order.status == OrderStatus.TESTING and order.return_note == "核对水分原始记录"
    assert order.results.filter(status=ResultStatus.ENTERED).count() == 4


def test_the_trading_action_refuses_a_held_lot_and_takes_it_once_released(world):
    from daodi.sourcing import actions as sourcing

    order = world.order()
    results = world.enter(order, GOOD | {"二氧化硫残留量": "420 mg/kg"})
    world.approve(order)
    send = {
        "actor": Actor.system(),
        "source": world.n.household,
        "destination": world.n.point,
        "lots": [world.lot.identifier],
    }
    with pytest.raises(DomainError) as refused:
        sourcing.dispatch(**send)
    assert refused.value.code == "input_not_usable"
    assert "二氧化硫" in str(refused.value.message)  # the refusal says why

    so2 = next(r for r in results if r.test_item == "二氧化硫残留量")
    actions.retest_result(
        actor=Actor(world.analyst, "web"), result=so2, value="<10", reason="留样复检"
    )
    world.approve(order)
    assert sourcing.dispatch(**send).lines.count() == 1
