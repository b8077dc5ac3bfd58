"""The document reader streams header then events, in bounded memory."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest

from conftest import shared_path
from daodi.trace.epcis.document import DocumentError, DocumentReader

EVENT = {
    "type": "ObjectEvent",
    "eventTime": "2026-05-01T08:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["https://id.gs1.org/01/04012345111118/21/%d"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00005.0"},
    "daodi:note": "x" * 200,
}


def _reader(doc: dict) -> DocumentReader:
    return DocumentReader(io.BytesIO(json.dumps(doc).encode()))


def test_header_then_events_in_document_order():
    reader = _reader(
        {
            "@context": [
                "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                {"daodi": "https://daodi.example/voc/"},
            ],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "epcisBody": {"eventList": [{"n": 1}, {"n": 2}]},
            "creationDate": "2026-05-01T00:00:00Z",
        }
    )
    assert reader.document_type == "EPCISDocument"
    assert reader.prefixes == {"daodi": "https://daodi.example/voc/"}
    assert list(reader.events()) == [(0, {"n": 1}), (1, {"n": 2})]
    assert reader.header["creationDate"] == "2026-05-01T00:00:00Z"


def test_context_after_the_body_is_known_before_the_first_event(tmp_path):
    path = tmp_path / "late.jsonld"
    path.write_text(
        json.dumps(
            {
                "type": "EPCISDocument",
                "epcisBody": {"eventList": [{"n": 1}]},
                "@context": [{"ex": "https://ns.example.com/"}],
            }
        )
    )
    with path.open("rb") as fp:
        reader = DocumentReader(fp)
        events = reader.events()
        assert next(events) == (0, {"n": 1})
        assert reader.prefixes == {"ex": "https://ns.example.com/"}
        assert list(events) == []


def test_query_document_events_and_results_header():
    path = shared_path("epcis", "examples", "EPCISQueryDocument.jsonld")
    with path.open("rb") as fp:
        reader = DocumentReader(fp)
        events = list(reader.events())
    assert reader.document_type == "EPCISQueryDocument"
    assert "queryName" in reader.header["queryResults"]
    assert [i for i, _ in events] == list(range(len(events))) and events


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"type": "EPCISDocument", "epcisBody": {"eventList": [{"a": 1}', "not well-formed"),
        (b'{"type": "EPCISDocument"}', "no epcisBody"),
        (b'{"epcisBody": {"eventList": {}}}', "eventList must be a JSON array"),
        (b"[]", "the document must be a JSON object"),
    ],
)
def test_malformed_documents_raise_document_error(data, message):
    with pytest.raises(DocumentError, match=message):
        list(DocumentReader(io.BytesIO(data)).events())


def test_a_20_mb_document_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.jsonld"
    template = json.dumps(EVENT)
    with path.open("w") as fp:
        fp.write(
            '{"@context": [{"daodi": "https://daodi.example/voc/"}], '
            '"type": "EPCISDocument", "epcisBody": {"eventList": ['
        )
        count = 0
        while fp.tell() < 20_000_000:
            fp.write(("," if count else "") + template.replace("%d", str(count)))
            count += 1
        fp.write("]}}")
    tracemalloc.start()
    try:
        seen = 0
        with path.open("rb") as fp:
            for index, event in DocumentReader(fp).events():
                assert event["epcList"][0].endswith(f"/21/{index}")
                seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 50_000_000, f"peak {peak / 1e6:.1f} MB"
