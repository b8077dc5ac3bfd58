"""Unit conversion (pure): quantities move between units of one dimension by their factors."""

from __future__ import annotations

from decimal import Decimal

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
