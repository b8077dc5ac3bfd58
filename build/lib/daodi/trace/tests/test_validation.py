"""Event validation against EPCIS 2.0, and normalisation for storage."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from conftest import SHARED, shared_path
from daodi.trace.epcis import profile
from daodi.trace.epcis.document import DocumentReader
from daodi.trace.epcis.validation import normalise_event, validate_event, validate_header

EXAMPLES = SHARED / "epcis" / "examples"
EXAMPLE_FILES = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.jsonld")) or [
    "(../shared absent)"
]
PREFIXES = {"ex": "https://ns.example.com/epcis/", "daodi": profile.NAMESPACE}

VALID = {
    "type": "ObjectEvent",
    "eventTime": "2026-05-01T08:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"],
    "quantityList": [
        {"epcClass": "urn:epc:class:lgtin:4012345.011111.L1", "quantity": 12.5, "uom": "KGM"}
    ],
    "action": "ADD",
    "bizStep": profile.DRYING,
    "disposition": "in_progress",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00005.0", "ex:bay": "3"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "http://t.example/po/1"}],
    "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4000001.00000"}],
    "ilmd": {"daodi:plot": "https://id.gs1.org/414/4012345000054", "daodi:herbAge": 3},
    "ex:note": {"ex:by": "inspector"},
}


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_standard_example_is_valid(name):
    path = shared_path("epcis", "examples", name)
    with path.open("rb") as fp:
        reader = DocumentReader(fp)
        assert validate_header(reader.header) == []
        errors = [e for i, ev in reader.events() for e in validate_event(ev, reader.prefixes, i)]
    assert [str(e) for e in errors] == []
    assert reader.event_count > 0


def test_a_complete_herb_event_is_valid():
    assert validate_event(VALID, PREFIXES, 0) == []


def _event(**changes):
    event = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return event


AGGREGATION = {
    "type": "AggregationEvent",
    "eventTime": "2026-05-01T08:00:00Z",
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "childEPCs": ["urn:epc:id:sgtin:4012345.011111.1"],
}


@pytest.mark.parametrize(
    ("event", "path", "code"),
    [
        (
            _event(epcList=["https://id.gs1.org/01/04012345111117/21/1"]),
            "epcList[0]",
            "check_digit",
        ),
        (_event(epcList=["urn:epc:id:sgtin:4012345.0111.1"]), "epcList[0]", "identifier"),
        (_event(bizStep="drying"), "bizStep", "unknown_vocabulary"),
        (_event(bizStep="https://ref.gs1.org/cbv/BizStep-drying"), "bizStep", "unknown_vocabulary"),
        (_event(disposition="in transit"), "disposition", "unknown_vocabulary"),
        (AGGREGATION, "parentID", "required"),
        ({**AGGREGATION, "action": "DELETE", "childEPCs": []}, "parentID", "required"),
        (_event(eventTime=None), "eventTime", "required"),
        (_event(eventTime="2026-05-01T08:00:00"), "eventTime", "time"),
        (_event(eventTimeZoneOffset="+8"), "eventTimeZoneOffset", "time"),
        (_event(**{"zz:field": 1}), "zz:field", "undeclared_prefix"),
        (_event(colour="red"), "colour", "unknown_field"),
        (_event(ilmd={"plot": "A1"}), "ilmd.plot", "unknown_field"),
        (
            _event(
                quantityList=[
                    {"epcClass": "urn:epc:class:lgtin:4012345.011111.L1", "quantity": 2.5}
                ]
            ),
            "quantityList[0].uom",
            "required",
        ),
        (
            _event(
                quantityList=[
                    {
                        "epcClass": "urn:epc:class:lgtin:4012345.011111.L1",
                        "quantity": 2,
                        "uom": "kilo",
                    }
                ]
            ),
            "quantityList[0].uom",
            "uom",
        ),
        (
            _event(quantityList=[{"epcClass": "urn:epc:id:sgtin:4012345.011111.1", "quantity": 2}]),
            "quantityList[0].epcClass",
            "not_class",
        ),
        (_event(action="MOVE"), "action", "action"),
        (_event(action=None), "action", "required"),
        (_event(parentID="urn:epc:id:sscc:4012345.0000000333"), "parentID", "not_allowed"),
        (_event(readPoint={"ex:bay": "3"}), "readPoint.id", "required"),
        (
            _event(sourceList=[{"source": "urn:epc:id:pgln:4000001.00000"}]),
            "sourceList[0].type",
            "required",
        ),
        (
            _event(bizTransactionList=[{"type": "po"}]),
            "bizTransactionList[0].bizTransaction",
            "required",
        ),
        (
            _event(sensorElementList=[{"sensorReport": [{"value": 3}]}]),
            "sensorElementList[0].sensorReport[0].type",
            "required",
        ),
        (
            _event(sensorElementList=[{"sensorReport": [{"type": "Temperature", "value": "hot"}]}]),
            "sensorElementList[0].sensorReport[0].value",
            "type",
        ),
        (
            _event(persistentDisposition={"set": ["held"]}),
            "persistentDisposition.set[0]",
            "unknown_vocabulary",
        ),
        (
            _event(errorDeclaration={"reason": "incorrect_data"}),
            "errorDeclaration.declarationTime",
            "required",
        ),
        (_event(type="ShipmentEvent"), "type", "event_type"),
        (
            {
                "type": "TransactionEvent",
                "eventTime": "2026-05-01T08:00:00Z",
                "eventTimeZoneOffset": "+08:00",
                "action": "ADD",
                "epcList": [],
            },
            "bizTransactionList",
            "required",
        ),
        (
            {
                "type": "TransformationEvent",
                "eventTime": "2026-05-01T08:00:00Z",
                "eventTimeZoneOffset": "+08:00",
                "inputEPCList": ["urn:epc:id:sgtin:4012345.011111.1"],
            },
            "outputEPCList",
            "required",
        ),
    ],
)
def test_an_invalid_event_gets_exactly_the_expected_error(event, path, code):
    errors = validate_event(event, PREFIXES, 4)
    assert [(e.event, e.path, e.code) for e in errors] == [(4, path, code)]
    assert errors[0].message


def test_error_messages_name_the_problem():
    (error,) = validate_event(_event(**{"zz:field": 1}), PREFIXES, 0)
    with translation.override("en"):
        as_dict = error.as_dict()
    assert as_dict == {
        "event": 0,
        "path": "zz:field",
        "code": "undeclared_prefix",
        "message": "namespace prefix 'zz' is not declared in @context",
    }


def test_bare_words_cbv_uris_and_urns_are_all_accepted():
    for step in (
        "shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
        "cbv:BizStep-shipping",
    ):
        assert validate_event(_event(bizStep=step), PREFIXES) == []


def test_normalised_event_for_storage():
    event = _event(
        bizStep="urn:epcglobal:cbv:bizstep:shipping",
        disposition="https://ref.gs1.org/cbv/Disp-in_transit",
    )
    result = normalise_event(event, PREFIXES)
    stored = result.event
    assert stored["eventTime"] == "2026-05-01T00:00:00.000Z"
    assert stored["eventTimeZoneOffset"] == "+08:00"
    assert stored["bizStep"] == "shipping" and stored["disposition"] == "in_transit"
    assert stored["epcList"] == ["https://id.gs1.org/01/04012345111118/21/9876"]
    assert stored["readPoint"]["id"] == "https://id.gs1.org/414/4012345000054"
    assert stored["@context"][1] == PREFIXES
    assert result.identifiers == [
        ("epc", "https://id.gs1.org/01/04012345111118/21/9876"),
        ("class", "https://id.gs1.org/01/04012345111118/10/L1"),
    ]
    # The stored form is still valid and hashes like the original.
    from daodi.trace.epcis.hashing import event_hash

    assert validate_event(stored, {}) == []
    assert event_hash(stored, PREFIXES) == event_hash(event, PREFIXES)
    assert event["epcList"] == ["urn:epc:id:sgtin:4012345.011111.9876"]  # input untouched
