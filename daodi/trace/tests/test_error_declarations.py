"""An error declaration (the event captured again with ``errorDeclaration``) takes the
declared event's weights back out of the lot projection; the corrective event states what
really happened. Events themselves are never changed."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from daodi.trace import projection
from daodi.trace.capture import capture_document
from daodi.trace.models import Capture, Event, Lot

from .chain import CONTEXT, _event, dl_lot, lgtin

ADD = _event(
    "ObjectEvent", 2, action="ADD", bizStep="commissioning", epcList=[],
    quantityList=[{"epcClass": lgtin("C"), "quantity": 100, "uom": "KGM"}],
)  # fmt: skip


def declared(event: dict, reason: str = "incorrect_data", corrective=()) -> dict:
    error = {"declarationTime": "2026-07-03T09:00:00+08:00", "reason": reason}
    if corrective:
        error["correctiveEventIDs"] = list(corrective)
    return {**event, "errorDeclaration": error}


def capture(*events):
    doc = {
        "@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
        "creationDate": "2026-07-10T00:00:00Z", "epcisBody": {"eventList": list(events)},
    }  # fmt: skip
    outcome = capture_document(
        io.BytesIO(json.dumps(doc).encode()), capture=Capture.objects.create()
    )
    assert outcome.errors == [], outcome.errors
    return outcome


def test_a_declaration_undoes_the_quantities_its_event_added_or_took():
    (added,) = projection.changes(declared(ADD))
    assert added.delta == Decimal(-100) and not added.create
    taken = {**ADD, "action": "DELETE", "bizStep": "stock_taking"}
    (back,) = projection.changes(declared(taken))
    assert back.delta == Decimal(100)
    observed = {**ADD, "action": "OBSERVE", "bizStep": "shipping"}
    assert projection.changes(declared(observed)) == []  # the corrective event says the rest


@pytest.mark.django_db
def test_an_outside_correction_leaves_the_lot_as_the_corrective_event_says():
    capture(ADD)
    first = Event.objects.get()
    right = {
        **ADD, "eventID": "urn:uuid:6c1e5b4e-5a0c-4d4c-9d8e-2b1f9c3e7a11",
        "quantityList": [{"epcClass": lgtin("C"), "quantity": 90, "uom": "KGM"}],
    }  # fmt: skip
    capture(right, declared({**ADD, "eventID": first.event_id}, corrective=[right["eventID"]]))
    assert Lot.objects.get(identifier=dl_lot("C")).quantity == Decimal("90.000")
    first.refresh_from_db()
    assert "errorDeclaration" not in first.document  # the wrong event stays as it was
    assert Event.objects.filter(is_declaration=True).count() == 1
    # The same declaration sent again stores nothing and changes nothing.
    capture(declared({**ADD, "eventID": first.event_id}, corrective=[right["eventID"]]))
    assert Lot.objects.get(identifier=dl_lot("C")).quantity == Decimal("90.000")
