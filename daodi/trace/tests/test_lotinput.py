"""Reading a lot as a person gives it: batch number, printed GS1 text, EPC URN, Digital Link."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daodi.core.gs1 import check_digit
from daodi.trace.epcis import identifiers
from daodi.trace.epcis.lotinput import GS, LotInput, LotInputError, element_text, parse

GTIN = "09521234000013"
LOT_LINK = "https://id.gs1.org/01/09521234000013/10/C26-PR007-0001"
ITEM_LINK = "https://id.gs1.org/01/09521234000013/21/0001"

batches = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_",
    min_size=1,
    max_size=20,
).filter(lambda b: not b.startswith(("01", "urn", "http")))
gtins = st.from_regex(r"\A[0-9]{13}\Z").map(lambda body: body + check_digit(body))


def test_given_the_printed_lot_code_when_read_then_it_is_the_lots_digital_link():
    assert parse("(01)09521234000013(10)C26-PR007-0001") == LotInput(identifier=LOT_LINK)


def test_given_the_printed_item_code_with_a_serial_when_read_then_it_names_the_item():
    assert parse("(01)09521234000013(10)C26-PR007-0001(21)0001") == LotInput(identifier=ITEM_LINK)


def test_given_a_raw_scan_with_group_separators_when_read_then_it_equals_the_printed_text():
    raw = f"]Q3010952123400001310C26-PR007-0001{GS}210001"
    assert parse(raw) == parse("(01)09521234000013(10)C26-PR007-0001(21)0001")


def test_given_an_epc_urn_or_a_digital_link_on_another_host_when_read_then_canonical():
    assert parse("urn:epc:class:lgtin:9521234.000001.C26-PR007-0001").identifier == LOT_LINK
    assert parse("https://trace.example.cn/01/09521234000013/10/C26-PR007-0001").identifier == (
        LOT_LINK
    )


def test_given_a_bare_batch_number_when_read_then_it_is_left_to_look_up():
    assert parse("  C26-PR007-0001 ") == LotInput(batch="C26-PR007-0001")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "(01)09521234000014(10)C26",  # wrong check digit
        "(01)0952123400001(10)C26",  # 13 digits
        "(10)C26-PR007-0001",  # no GTIN
        "(01)09521234000013(10)C26(10)C27",  # lot twice
        "(01)09521234000013(99)X",  # not a lot code
        "urn:epc:class:lgtin:nonsense",
        "黄芩 一批",
        "A" * 21,
    ],
)
def test_given_input_that_names_no_lot_when_read_then_a_clear_error(text):
    with pytest.raises(LotInputError) as caught:
        parse(text)
    assert str(caught.value)


@given(gtin=gtins, batch=batches, serial=st.none() | batches)
def test_every_way_of_writing_a_lot_reads_as_the_same_identifier(gtin, batch, serial):
    expected = identifiers.canonical(identifiers.digital_link(gtin, batch, serial))
    printed = element_text(gtin, batch, serial or "")
    raw = "01" + gtin + "10" + batch + (GS + "21" + serial if serial else "")
    urn = identifiers.epc_urn(gtin, 7, batch if serial is None else None, serial)
    assert parse(printed).identifier == expected
    assert parse(raw).identifier == expected
    assert parse(identifiers.digital_link(gtin, batch, serial)).identifier == expected
    if serial is None:
        assert parse(urn).identifier == expected


@given(batch=batches)
def test_a_bare_batch_is_never_mistaken_for_an_identifier(batch):
    assert parse(batch) == LotInput(batch=batch)


@given(text=st.text(max_size=60))
def test_any_text_either_parses_or_says_why(text):
    try:
        result = parse(text)
    except LotInputError as exc:
        assert str(exc)
    else:
        assert bool(result.identifier) != bool(result.batch)
