"""Unit conversion (pure): quantities move between units of one dimension by their factors."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy

# Base units: kg for mass, m² for area. 1 市斤 = 0.5 kg; 1 亩 = 10000/15 m² (≈ 666.67 m²).
STANDARD_UNITS = [
    # code, name (zh), dimension, factor to base, UN/CEFACT
    ("g", "克", "mass", Decimal("0.001"), "GRM"),
    ("jin", "市斤", "mass", Decimal("0.5"), ""),
    ("kg", "千克", "mass", Decimal("1"), "KGM"),
    ("t", "吨", "mass", Decimal("1000"), "TNE"),
    ("m2", "平方米", "area", Decimal("1"), "MTK"),
    ("mu", "亩", "area", Decimal("10000") / Decimal("15"), ""),
    ("ha", "公顷", "area", Decimal("10000"), "HAR"),
    ("piece", "件", "count", Decimal("1"), "H87"),
]


class UnitMismatch(ValueError):
    pass


def convert(
    quantity: Decimal,
    from_factor: Decimal,
    to_factor: Decimal,
    from_dimension: str,
    to_dimension: str,
) -> Decimal:
    """``quantity`` in the first unit expressed in the second (both of one dimension)."""
    if from_dimension != to_dimension:
        raise UnitMismatch(f"cannot convert {from_dimension} to {to_dimension}")
    return Decimal(quantity) * from_factor / to_factor


# How a unit reads on a page, by our code or its UN/ECE Recommendation 20 code (EPCIS
# quantities carry the latter: KGM, not kg). Symbols read the same in both languages.
_SYMBOLS = {
    "KGM": "kg", "GRM": "g", "TNE": "t", "MGM": "mg", "LTR": "L", "MLT": "mL",
    "MTK": "m²", "HAR": "ha", "m2": "m²",
}  # fmt: skip
_NAMES = {
    "H87": gettext_lazy("piece(s)"),
    "piece": gettext_lazy("piece(s)"),
    "jin": gettext_lazy("jin"),
    "mu": gettext_lazy("mu"),
}


def unit_name(code: str | None) -> str:
    """The name a reader knows for a unit code (KGM → kg, H87 → 件, jin → 市斤); a code
    that names no unit we know is returned as it is."""
    if not code:
        return ""
    if code in _SYMBOLS:
        return _SYMBOLS[code]
    if code in _NAMES:
        return str(_NAMES[code])
    return code
