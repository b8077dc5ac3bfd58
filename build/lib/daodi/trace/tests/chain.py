"""A small, complete herb chain captured as EPCIS events, shared by lineage and recall tests.

Two households harvest lots A and B of 党参; the station commingles them into C; C is dried
into D; D is packed into three 500 g consumer packs S1–S3; S1 and S2 go onto pallet P.
"""

from __future__ import annotations

import io
import json

from daodi.trace.capture import capture_document
from daodi.trace.models import Capture

BULK = "9521234.000001"  # GTIN 09521234000013, bulk 党参
PACK = "9521234.000002"  # GTIN 09521234000020, 500 g pack
CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"daodi": "https://daodi.example/voc/"},
]


def lgtin(batch: str) -> str:
    return f"urn:epc:class:lgtin:{BULK}.{batch}"


def dl_lot(batch: str) -> str:
    return f"https://id.gs1.org/01/09521234000013/10/{batch}"


def sgtin(serial: str) -> str:
    return f"urn:epc:id:sgtin:{PACK}.{serial}"


def dl_item(serial: str) -> str:
    return f"https://id.gs1.org/01/09521234000020/21/{serial}"


PALLET = "urn:epc:id:sscc:9521234.0000000001"
DL_PALLET = "https://id.gs1.org/00/095212340000000013"


def _event(kind: str, day: int, **fields) -> dict:
    return {
        "type": kind,
        "eventTime": f"2026-07-{day:02d}T09:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


def events() -> list[dict]:
    return [
        _event(
            "ObjectEvent",
            1,
            action="ADD",
            bizStep="commissioning",
            epcList=[],
            quantityList=[{"epcClass": lgtin("A"), "quantity": 100, "uom": "KGM"}],
            ilmd={"daodi:plot": "plot-1"},
        ),
        _event(
            "ObjectEvent",
            1,
            action="ADD",
            bizStep="commissioning",
            epcList=[],
            quantityList=[{"epcClass": lgtin("B"), "quantity": 80, "uom": "KGM"}],
            ilmd={"daodi:plot": "plot-2"},
        ),
        _event(
            "TransformationEvent",
            3,
            bizStep="commissioning",
            inputQuantityList=[
                {"epcClass": lgtin("A"), "quantity": 100, "uom": "KGM"},
                {"epcClass": lgtin("B"), "quantity": 80, "uom": "KGM"},
            ],
            outputQuantityList=[{"epcClass": lgtin("C"), "quantity": 180, "uom": "KGM"}],
        ),
        _event(
            "TransformationEvent",
            5,
            bizStep="https://daodi.example/voc/BizStep-drying",
            inputQuantityList=[{"epcClass": lgtin("C"), "quantity": 180, "uom": "KGM"}],
            outputQuantityList=[{"epcClass": lgtin("D"), "quantity": 60, "uom": "KGM"}],
        ),
        _event(
            "TransformationEvent",
            8,
            bizStep="packing",
            inputQuantityList=[{"epcClass": lgtin("D"), "quantity": 1.5, "uom": "KGM"}],
            outputEPCList=[sgtin("S1"), sgtin("S2"), sgtin("S3")],
        ),
        _event(
            "AggregationEvent",
            9,
            action="ADD",
            bizStep="packing",
            parentID=PALLET,
            childEPCs=[sgtin("S1"), sgtin("S2")],
        ),
    ]


def capture_chain(organisation=None):
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-07-10T00:00:00Z",
        "epcisBody": {"eventList": events()},
    }
    outcome = capture_document(
        io.BytesIO(json.dumps(doc).encode()),
        capture=Capture.objects.create(),
        organisation=organisation,
    )
    assert outcome.errors == [], outcome.errors
    return outcome


def harvest_document(batch: str, organisation=None):
    """Capture one more harvest lot of 100 kg, standing alone."""
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-07-10T00:00:00Z",
        "epcisBody": {
            "eventList": [
                _event(
                    "ObjectEvent",
                    2,
                    action="ADD",
                    bizStep="commissioning",
                    epcList=[],
                    quantityList=[{"epcClass": lgtin(batch), "quantity": 100, "uom": "KGM"}],
                )
            ]
        },
    }
    return capture_document(
        io.BytesIO(json.dumps(doc).encode()),
        capture=Capture.objects.create(),
        organisation=organisation,
    )
