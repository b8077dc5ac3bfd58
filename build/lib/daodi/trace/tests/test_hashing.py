"""The CBV 2.0 event hash reproduces every public JSON-LD test vector."""

from __future__ import annotations

import hashlib
import random

import pytest

from conftest import SHARED, shared_path
from daodi.trace.epcis import hashing
from daodi.trace.epcis.document import DocumentReader

VECTORS = SHARED / "epcis" / "hash-vectors"
NAMES = sorted(p.stem for p in VECTORS.glob("*.jsonld") if p.with_suffix(".hashes").exists()) or [
    "(../shared absent)"
]


def _hashes_of(name: str) -> tuple[list[str], list[str]]:
    path = shared_path("epcis", "hash-vectors", f"{name}.jsonld")
    with path.open("rb") as fp:
        reader = DocumentReader(fp)
        ignore = hashing.ignore_fields_from_header(reader.header)
        prehashes = [hashing.prehash(e, reader.prefixes, ignore) for _, e in reader.events()]
    return prehashes, [hashing.hash_prehash(p) for p in prehashes]


@pytest.mark.parametrize("name", NAMES)
def test_hash_vector(name):
    prehashes, hashes = _hashes_of(name)
    expected = shared_path("epcis", "hash-vectors", f"{name}.hashes").read_text().split()
    assert hashes == expected
    prehash_file = VECTORS / f"{name}.prehashes"
    if prehash_file.exists():
        # Some published .prehashes lines are stale or garbled; compare those that hash to
        # the expected value, which is what the vector actually asserts.
        for got, line, want in zip(
            prehashes, prehash_file.read_text().splitlines(), expected, strict=False
        ):
            if hashing.hash_prehash(line) == want:
                assert got == line


def test_hash_is_independent_of_how_the_event_is_written():
    given = {
        "type": "ObjectEvent",
        "eventTime": "2022-02-16T20:33:31.116000-06:00",
        "eventTimeZoneOffset": "-06:00",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "http://t.example/po/1"}],
        "ex:weight": 12.50,
    }
    rewritten = {
        "ex:weight": 12.5,
        "bizTransactionList": [
            {"bizTransaction": "http://t.example/po/1", "type": "urn:epcglobal:cbv:btt:po"}
        ],
        "readPoint": {"id": "https://example.com/414/0614141073467/254/1234"},
        "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
        "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
        "action": "OBSERVE",
        "epcList": [
            "https://brand.example/01/10614141073464/21/2018",
            "https://id.gs1.org/01/10614141073464/21/2017",
        ],
        "eventTimeZoneOffset": "-06:00",
        "eventTime": "2022-02-17T02:33:31.116Z",
        "type": "ObjectEvent",
        "eventID": "urn:uuid:1f0e6c1a-4c58-4f4c-9a55-6f1c0f3c8b11",
        "recordTime": "2022-02-17T03:00:00Z",
    }
    prefixes = {"ex": "https://ns.example.com/"}
    assert hashing.event_hash(given, prefixes) == hashing.event_hash(rewritten, prefixes)
    items = list(given.items())
    random.Random(7).shuffle(items)
    assert hashing.event_hash(dict(items), prefixes) == hashing.event_hash(given, prefixes)


def test_any_change_of_a_value_changes_the_hash():
    event = {
        "type": "ObjectEvent",
        "eventTime": "2020-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "epcList": [],
        "action": "OBSERVE",
    }
    assert hashing.event_hash(event) != hashing.event_hash({**event, "action": "ADD"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-01-18T11:04:03.1415Z", "2023-01-18T11:04:03.142Z"),
        ("2023-01-18T11:04:03.1425Z", "2023-01-18T11:04:03.143Z"),  # half up, not half even
        ("2023-01-18T11:04:03.9996+01:00", "2023-01-18T10:04:04.000Z"),
        ("2023-01-18T00:30:00-06:30", "2023-01-18T07:00:00.000Z"),
        ("2023-01-18", "2023-01-18"),
    ],
)
def test_timestamps_are_utc_milliseconds(value, expected):
    assert hashing.normalise_time(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.0", "1"), ("+0.3430", "0.343"), ("007", "7"), ("1e3", "1000"), ("abc", "abc")],
)
def test_numbers_lose_redundant_zeros(value, expected):
    assert hashing.normalise_number(value) == expected


def test_hash_is_sha256_in_an_ni_uri():
    text = "eventType=ObjectEvent"
    assert hashing.hash_prehash(text) == (
        f"ni:///sha-256;{hashlib.sha256(text.encode()).hexdigest()}?ver=CBV2.0"
    )
