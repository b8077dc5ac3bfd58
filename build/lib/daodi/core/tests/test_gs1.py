"""GS1 check digits and key construction."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daodi.core import gs1


@pytest.mark.parametrize(
    "key",
    ["09521234000013", "4006381333931", "9521234000006", "106141411234567897"],
)
def test_known_valid_keys(key):
    assert gs1.is_valid_key(key)


@pytest.mark.parametrize("key", ["09521234000012", "4006381333932", "", "95212340000A6"])
def test_wrong_check_digit_or_characters_are_refused(key):
    assert not gs1.is_valid_key(key)


def test_length_is_enforced():
    assert not gs1.is_valid_key("4006381333931", 14)


@given(st.integers(min_value=0, max_value=99999))
def test_made_keys_always_validate(reference):
    assert gs1.is_valid_key(gs1.make_key("9521234", reference, 13), 13)
    assert gs1.is_valid_key(gs1.make_gtin14("9521234", reference), 14)


def test_reference_too_long_for_prefix_is_refused():
    with pytest.raises(ValueError):
        gs1.make_key("9521234", 123456, 13)


def test_sgln_urn_splits_company_prefix():
    assert gs1.sgln_urn("9521234000006") == "urn:epc:id:sgln:9521234.00000.0"
