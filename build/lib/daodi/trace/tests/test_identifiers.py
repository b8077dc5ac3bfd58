"""GS1 identifiers: EPC URNs and Digital Links parse to one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daodi.core.gs1 import check_digit
from daodi.trace.epcis import identifiers as ids
from daodi.trace.epcis.identifiers import IdentifierError

SGTIN_DL = "https://id.gs1.org/01/04012345111118/21/9876"


@pytest.mark.parametrize(
    ("urn", "canonical"),
    [
        ("urn:epc:id:sgtin:4012345.011111.9876", SGTIN_DL),
        ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
        ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
        ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"),
        ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"),
        ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"),
        ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
        ("urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"),
        ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
        (
            "urn:epc:class:lgtin:4012345.012345.Lot987",
            "https://id.gs1.org/01/04012345123456/10/Lot987",
        ),
        ("urn:epc:idpat:sgtin:4054739.099914.*", "https://id.gs1.org/01/04054739999148"),
        (
            "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
            "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
        ),
    ],
)
def test_epc_urn_canonical_form_is_the_constrained_digital_link(urn, canonical):
    assert ids.canonical(urn) == canonical


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.gs1.org/01/04012345111118/21/9876",
        "https://brand.example.com/01/04012345111118/21/9876",
        "https://brand.example.com/some/path/01/04012345111118/21/9876?17=261231",
        "http://example.com/gtin/04012345111118/ser/9876",
        "https://example.com/01/4012345111118/21/9876",  # GTIN-13, padded
        "https://example.com/01/04012345111118/10/LOT1/21/9876",  # serial is finer than lot
        "https://example.com/01/04012345111118/22/V1/21/9876/",  # CPV dropped
    ],
)
def test_digital_links_of_one_item_match_its_urn(uri):
    assert ids.canonical(uri) == ids.canonical("urn:epc:id:sgtin:4012345.011111.9876")


def test_percent_encoded_digital_link_matches_the_escaped_urn():
    dl = "https://example.org/01/80614141123458/21/6789%2f%26%25%22!%3F%28%29"
    assert ids.canonical(dl) == ids.canonical(
        "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"
    )


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("https://id.gs1.org/01/04012345111117/21/1", "bad check digit in GTIN 04012345111117"),
        ("https://id.gs1.org/00/040123450000003339", "bad check digit in SSCC"),
        ("https://id.gs1.org/414/4012345000055", "bad check digit in GLN"),
        ("https://id.gs1.org/417/4000001000006", "bad check digit in PGLN"),
        ("https://id.gs1.org/8018/401234500000067658", "bad check digit in GSRN"),
        ("https://id.gs1.org/253/4012345000093PO", "bad check digit in GDTI"),
        ("https://id.gs1.org/8003/04012345000222334455", "bad check digit in GRAI"),
        ("urn:epc:id:sgtin:4012345.01111.9876", "item reference must be 6 digits"),
        ("urn:epc:id:sgtin:4012345.011111.98 76", "invalid character in serial"),
        ("urn:epc:id:foo:4012345.1", "unknown EPC scheme foo"),
        ("https://id.gs1.org/01/04012345111118/99/x", "AI (99) cannot qualify AI (01)"),
        ("https://id.gs1.org/01/04012345111118/21/" + "9" * 21, "AI (21) value must be 1 to 20"),
        ("https://example.com/about", "no GS1 primary key"),
        ("shipping", "not an EPC URN or GS1 Digital Link URI"),
    ],
)
def test_invalid_identifiers_raise_an_error_naming_the_problem(uri, fragment):
    with pytest.raises(IdentifierError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        ids.parse(uri)


def test_normalise_leaves_other_uris_alone():
    assert ids.normalise("http://transaction.acme.com/po/12345678") == (
        "http://transaction.acme.com/po/12345678"
    )
    assert (
        ids.normalise("urn:epc:id:sgln:4012345.00005.0") == "https://id.gs1.org/414/4012345000054"
    )


@pytest.mark.parametrize(
    ("value", "epc_class"),
    [
        ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118"),
        ("https://x.example/01/04012345111118/10/L1/21/9", "https://id.gs1.org/01/04012345111118"),
        (
            "urn:epc:class:lgtin:4012345.012345.Lot987",
            "https://id.gs1.org/01/04012345123456/10/Lot987",
        ),
        ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221"),
        ("urn:epc:id:sscc:4012345.0000000333", None),
    ],
)
def test_the_class_of_an_instance(value, epc_class):
    assert ids.epc_class(value) == epc_class


def test_builders_for_our_labels():
    assert ids.digital_link("4012345111118", lot="L1/2") == (
        "https://id.gs1.org/01/04012345111118/10/L1%2F2"
    )
    with pytest.raises(IdentifierError, match="outside GS1 set 82"):
        ids.digital_link("4012345111118", lot="L 1")
    assert ids.digital_link("04012345111118", lot="L1", serial="7", host="https://t.example/") == (
        "https://t.example/01/04012345111118/10/L1/21/7"
    )
    assert ids.epc_urn("04012345111118", 7, serial="9876") == "urn:epc:id:sgtin:4012345.011111.9876"
    assert ids.epc_urn("04012345111118", 7, lot="L1") == "urn:epc:class:lgtin:4012345.011111.L1"
    with pytest.raises(IdentifierError, match="bad check digit"):
        ids.digital_link("04012345111119")


@pytest.mark.parametrize(
    ("urn", "prefix_length"),
    [
        ("urn:epc:id:sscc:4012345.0000000333", 7),
        ("urn:epc:id:sgln:4012345.00005.122", 7),
        ("urn:epc:id:sgln:4012345.00005.0", 7),
        ("urn:epc:id:pgln:999999999999.", 12),
        ("urn:epc:id:grai:4012345.00022.334455", 7),
        ("urn:epc:id:giai:4012345.ABC345", 7),
        ("urn:epc:id:gsrn:4012345.0000006765", 7),
        ("urn:epc:id:gdti:4012345.00009.PO-4711", 7),
        ("urn:epc:id:itip:4012345.011111.01.02.987", 7),
        ("urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234", 7),
    ],
)
def test_digital_link_back_to_urn_with_the_company_prefix_length(urn, prefix_length):
    canonical = ids.canonical(urn)
    assert ids.parse(canonical).to_urn(prefix_length) == urn


GS1_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@given(
    prefix_length=st.integers(min_value=6, max_value=12),
    digits=st.text("0123456789", min_size=13, max_size=13),
    serial=st.text(GS1_82, min_size=1, max_size=20),
    lot=st.text(GS1_82, min_size=1, max_size=20),
)
def test_urn_and_digital_link_round_trip(prefix_length, digits, serial, lot):
    gtin = digits + check_digit(digits)
    sgtin = ids.epc_urn(gtin, prefix_length, serial=serial)
    lgtin = ids.epc_urn(gtin, prefix_length, lot=lot)
    dl_item = ids.digital_link(gtin, lot=lot, serial=serial, host="https://herb.example")
    dl_lot = ids.digital_link(gtin, lot=lot)
    # Given the same item written both ways, when normalised, then they are one identifier.
    assert ids.canonical(sgtin) == ids.canonical(dl_item)
    assert ids.canonical(lgtin) == ids.canonical(dl_lot)
    # And the canonical form converts back to the URN it came from.
    assert ids.parse(ids.canonical(sgtin)).to_urn(prefix_length) == sgtin
    assert ids.parse(ids.canonical(dl_lot)).to_urn(prefix_length) == lgtin
    assert ids.parse(dl_item).qualifier("10") == lot
    assert ids.parse(dl_item).qualifier("21") == serial
