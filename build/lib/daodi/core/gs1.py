"""GS1 keys: check digits, GTIN/GLN allocation and EPC URNs. Pure functions, no database."""

from __future__ import annotations


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for the digits in ``body`` (all but the last digit of a key)."""
    if not body.isdigit():
        raise ValueError("GS1 keys are digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_key(key: str, length: int | None = None) -> bool:
    """True when ``key`` is all digits, of ``length`` if given, with a correct check digit."""
    if not key or not key.isdigit() or (length is not None and len(key) != length):
        return False
    return check_digit(key[:-1]) == key[-1]


def make_key(company_prefix: str, reference: int | str, length: int) -> str:
    """A key of ``length`` digits: company prefix + zero-padded reference + check digit."""
    ref_width = length - 1 - len(company_prefix)
    ref = str(reference).zfill(ref_width)
    if len(ref) != ref_width:
        raise ValueError("reference too long for this company prefix")
    body = company_prefix + ref
    return body + check_digit(body)


def make_gtin14(company_prefix: str, item_reference: int, indicator: int = 0) -> str:
    """A GTIN-14: indicator digit + company prefix + item reference + check digit."""
    body = str(indicator) + company_prefix + str(item_reference).zfill(12 - len(company_prefix))
    return body + check_digit(body)


def sgln_urn(gln: str, extension: str = "0", prefix_length: int = 7) -> str:
    """urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension for a 13-digit GLN."""
    return f"urn:epc:id:sgln:{gln[:prefix_length]}.{gln[prefix_length:12]}.{extension}"


def pgln_urn(gln: str, prefix_length: int = 7) -> str:
    """urn:epc:id:pgln:CompanyPrefix.PartyRef for a party GLN."""
    return f"urn:epc:id:pgln:{gln[:prefix_length]}.{gln[prefix_length:12]}"
