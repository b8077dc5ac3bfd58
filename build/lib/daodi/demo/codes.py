"""Identifiers of the demo county: GS1 numbers, phone numbers and social credit codes (pure)."""

from __future__ import annotations

import random

from django.utils.translation import gettext as _

from daodi.core import gs1

# GS1 references under the company prefix are split into blocks so that a GLN never
# repeats the 13 digits of a demo GTIN-13: trade items use 1–999 (fixed-measure packs
# from 1, variable-measure bulk from 900), locations and parties 1000 upwards.
GTIN_FIXED_START = 1
GTIN_VARIABLE_START = 900
GLN_START = 1000

# Phone numbers come from one block of a mobile range that the demo alone uses.
PHONE_START = 13900000001


class DemoError(Exception):
    """The demo county cannot be built or loaded as asked (the message says why)."""


class Numbers:
    """Hands out GLNs, GTINs and phone numbers in order, so equal calls give equal numbers."""

    def __init__(self, company_prefix: str):
        self.prefix = company_prefix
        self.gln_capacity = 10 ** (12 - len(company_prefix))
        self._gln = GLN_START
        self._fixed = GTIN_FIXED_START
        self._variable = GTIN_VARIABLE_START
        self._phone = PHONE_START

    def gln(self) -> str:
        if self._gln >= self.gln_capacity:
            raise DemoError(
                _(
                    "The GS1 company prefix %(prefix)s has room for %(count)s demo GLNs; "
                    "choose a smaller --scale."
                )
                % {"prefix": self.prefix, "count": self.gln_capacity - GLN_START}
            )
        key = gs1.make_key(self.prefix, self._gln, 13)
        self._gln += 1
        return key

    def gtin(self, *, variable_measure: bool) -> str:
        """A GTIN-14: indicator 9 for items sold by weight, 0 for fixed packs."""
        if variable_measure:
            ref, self._variable = self._variable, self._variable + 1
            return gs1.make_gtin14(self.prefix, ref, indicator=9)
        ref, self._fixed = self._fixed, self._fixed + 1
        return gs1.make_gtin14(self.prefix, ref)

    def phone(self) -> str:
        number, self._phone = self._phone, self._phone + 1
        return str(number)


# Unified social credit code (统一社会信用代码, GB 32100-2015): 2 characters for the
# registering authority and kind of body, the 6-digit division code, a 9-character
# organisation code (GB 11714, with its own check character) and a check character.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Authority and kind of a farmers' specialised co-operative registered with market
# regulation; the demo's other bodies carry short internal codes that people can type.
USCC_COOPERATIVE = "93"


def _org_code_check(body: str) -> str:
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _uscc_check(body: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc(kind: str, division6: str, rng: random.Random) -> str:
    """A well-formed 18-character unified social credit code with both check characters."""
    org = "MA" + "".join(rng.choice(USCC_CHARS) for _i in range(6))
    body = kind + division6 + org + _org_code_check(org)
    return body + _uscc_check(body)


def uscc_is_valid(code: str) -> bool:
    """True when both check characters of a unified social credit code are right."""
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    return code[16] == _org_code_check(code[8:16]) and code[17] == _uscc_check(code[:17])
