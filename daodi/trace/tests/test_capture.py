"""Capturing EPCIS documents: every standard example, duplicates, rollback and proceed."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from conftest import SHARED, shared_path
from daodi.trace.capture import capture_document
from daodi.trace.choices import CaptureStatus
from daodi.trace.models import Capture, Event, EventIdentifier, Lot

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
LOT = "urn:epc:class:lgtin:9521234.000001.LP2026-001"
LOT_DL = "https://id.gs1.org/01/09521234000013/10/LP2026-001"


def document(*events, context=CONTEXT) -> io.BytesIO:
    doc = {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-06-01T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }
    return io.BytesIO(json.dumps(doc).encode())


def harvest(lot=LOT, kg=120, when="2026-06-01T07:00:00+08:00"):
    return {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [],
        "quantityList": [{"epcClass": lot, "quantity": kg, "uom": "KGM"}],
    }


def capture(fp, **kwargs):
    return capture_document(fp, capture=Capture.objects.create(), **kwargs)


def example_files():
    root = SHARED / "epcis" / "examples"
    return sorted(root.rglob("*.jsonld")) if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_standard_example_is_captured(path):
    with open(path, "rb") as fp:
        outcome = capture(fp)
    assert outcome.errors == []
    assert outcome.capture.status == CaptureStatus.SUCCESS
    assert Event.objects.count() == outcome.capture.events_received


def test_examples_are_present_or_skipped():
    shared_path("epcis", "examples")  # skips, saying so, in a clone without ../shared


@pytest.mark.django_db
def test_captured_event_gets_hash_as_id_and_is_indexed_canonically():
    outcome = capture(document(harvest()))
    event = outcome.stored[0]
    assert event.event_id.startswith("ni:///sha-256;") and event.event_id == event.event_hash
    assert event.document["quantityList"][0]["epcClass"] == LOT  # kept as sent
    assert EventIdentifier.objects.get(event=event).identifier == LOT_DL
    lot = Lot.objects.get(identifier=LOT_DL)
    assert (lot.quantity, lot.unit, lot.batch, lot.status) == (
        Decimal(120),
        "KGM",
        "LP2026-001",
        "active",
    )


@pytest.mark.django_db
def test_second_capture_of_the_same_event_stores_nothing_new():
    capture(document(harvest()))
    again = capture(document(harvest()))
    assert again.duplicates == 1 and again.stored == []
    assert Event.objects.count() == 1
    assert Lot.objects.get(identifier=LOT_DL).quantity == Decimal(120)


@pytest.mark.django_db
def test_same_event_as_digital_link_is_the_same_event():
    capture(document(harvest()))
    again = capture(document(harvest(lot=LOT_DL)))
    assert again.duplicates == 1 and Event.objects.count() == 1


@pytest.mark.django_db
def test_rollback_stores_nothing_when_one_event_is_bad():
    bad = harvest(lot="urn:epc:class:lgtin:9521234.000001.B") | {"bizStep": "no_such_step"}
    outcome = capture(document(harvest(), bad))
    assert outcome.capture.status == CaptureStatus.FAILED
    assert [(e["event"], e["path"]) for e in outcome.errors] == [(1, "bizStep")]
    assert not Event.objects.exists() and not Lot.objects.exists()
    assert not EventIdentifier.objects.exists()


@pytest.mark.django_db
def test_proceed_stores_the_good_events_and_reports_the_bad():
    bad = harvest() | {"eventTime": "yesterday"}
    good = harvest(lot="urn:epc:class:lgtin:9521234.000001.B2")
    outcome = capture(document(bad, good), proceed=True)
    assert outcome.capture.status == CaptureStatus.SUCCESS
    assert [e["event"] for e in outcome.errors] == [0]
    assert Event.objects.count() == 1 and outcome.capture.events_stored == 1


@pytest.mark.django_db
def test_malformed_json_fails_cleanly():
    outcome = capture(io.BytesIO(b'{"type": "EPCISDocument", "epcisBody": {"eventList": [{'))
    assert outcome.capture.status == CaptureStatus.FAILED
    assert outcome.errors[0]["code"] == "malformed"
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_event_limit_refuses_the_whole_document():
    outcome = capture(document(harvest(), harvest(lot=LOT + "X")), event_limit=1)
    assert outcome.errors[0]["code"] == "capture_limit"
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_transformation_consumes_inputs_and_creates_outputs():
    out = "urn:epc:class:lgtin:9521234.000001.DRY-001"
    dry = {
        "type": "TransformationEvent",
        "eventTime": "2026-06-03T07:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "https://daodi.example/voc/BizStep-drying",
        "inputQuantityList": [{"epcClass": LOT, "quantity": 120, "uom": "KGM"}],
        "outputQuantityList": [{"epcClass": out, "quantity": 40, "uom": "KGM"}],
    }
    capture(document(harvest(), dry))
    fresh = Lot.objects.get(identifier=LOT_DL)
    dried = Lot.objects.get(identifier="https://id.gs1.org/01/09521234000013/10/DRY-001")
    assert (fresh.quantity, fresh.status) == (Decimal(0), "consumed")
    assert (dried.quantity, dried.status) == (Decimal(40), "active")


# --- documents of several batches (stored on a background thread) -------------------------


def harvests(count: int, start: int = 0) -> list[dict]:
    return [harvest(lot=f"{LOT}-{i}", kg=10 + i) for i in range(start, start + count)]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("daodi.trace.capture.BATCH", 3)


@pytest.mark.django_db
def test_a_document_of_many_batches_is_stored_whole_and_in_order(small_batches):
    events = harvests(10)
    outcome = capture(document(*events[:6], events[2], *events[6:]))  # a duplicate inside
    assert outcome.errors == [] and outcome.duplicates == 1
    stored = list(Event.objects.order_by("id").values_list("document", flat=True))
    assert [d["quantityList"][0]["epcClass"] for d in stored] == [
        e["quantityList"][0]["epcClass"] for e in events
    ]
    assert list(outcome.stored.ids) == sorted(outcome.stored.ids)
    assert Lot.objects.count() == 10 and EventIdentifier.objects.count() == 10
    assert outcome.capture.events_stored == 10 and outcome.capture.events_received == 11


@pytest.mark.django_db
def test_a_bad_event_after_stored_batches_rolls_them_all_back(small_batches):
    capture(document(harvest()))  # what was there before stays
    bad = harvest(lot=LOT + "-bad") | {"eventTime": "yesterday"}
    outcome = capture(document(*harvests(8), bad, *harvests(4, start=8)))
    assert outcome.capture.status == CaptureStatus.FAILED
    assert [e["event"] for e in outcome.errors] == [8]
    assert outcome.stored == [] and outcome.capture.events_stored == 0
    assert Event.objects.count() == 1 and Lot.objects.count() == 1
    assert EventIdentifier.objects.count() == 1


@pytest.mark.django_db
def test_a_document_cut_off_after_stored_batches_stores_nothing(small_batches):
    whole = document(*harvests(9)).getvalue()
    outcome = capture(io.BytesIO(whole[: len(whole) * 3 // 4]))
    assert outcome.capture.status == CaptureStatus.FAILED
    assert outcome.errors[0]["code"] == "malformed"
    assert not Event.objects.exists() and not Lot.objects.exists()


@pytest.mark.django_db
def test_a_crash_while_storing_a_batch_leaves_the_store_untouched(small_batches, monkeypatch):
    from daodi.trace import capture as capture_module

    store = capture_module._Writer.store
    calls = []

    def failing_store(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("disk full")
        store(self, batch)

    monkeypatch.setattr(capture_module._Writer, "store", failing_store)
    with pytest.raises(OSError, match="disk full"):
        capture(document(*harvests(12)))
    assert not Event.objects.exists() and not Lot.objects.exists()
    assert not EventIdentifier.objects.exists()
