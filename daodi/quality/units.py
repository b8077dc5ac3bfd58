"""Units of test results (pure): content fractions, volatile oil, and plain numbers.

Contents are mass fractions, so %, mg/g, mg/kg, µg/kg and ppm convert by powers of ten.
Volatile oil is a volume per mass (ml/100 g, which the pharmacopoeia writes "% (ml/g)");
it converts only to itself. Indices such as an acid value have no unit ("—") and compare
only with other unitless values.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

MASS_FRACTION = "mass_fraction"
OIL = "volume_per_mass"
NONE = "none"

# Canonical spelling: (dimension, factor to the dimension's base unit).
UNITS: dict[str, tuple[str, Decimal]] = {
    "%": (MASS_FRACTION, Decimal("1E-2")),
    "g/100g": (MASS_FRACTION, Decimal("1E-2")),
    "mg/g": (MASS_FRACTION, Decimal("1E-3")),
    "g/kg": (MASS_FRACTION, Decimal("1E-3")),
    "mg/kg": (MASS_FRACTION, Decimal("1E-6")),
    "µg/g": (MASS_FRACTION, Decimal("1E-6")),
    "ppm": (MASS_FRACTION, Decimal("1E-6")),
    "µg/kg": (MASS_FRACTION, Decimal("1E-9")),
    "ng/g": (MASS_FRACTION, Decimal("1E-9")),
    "ppb": (MASS_FRACTION, Decimal("1E-9")),
    "ml/100g": (OIL, Decimal("1")),
    "ml/g": (OIL, Decimal("100")),
    "": (NONE, Decimal("1")),
}
# Other ways people and instruments write the same units.
ALIASES = {
    "％": "%",
    "percent": "%",
    "%(w/w)": "%",
    "%(g/g)": "%",
    "ug/g": "µg/g",
    "ug/kg": "µg/kg",
    "mcg/kg": "µg/kg",
    "%(ml/g)": "ml/100g",
    "%(v/w)": "ml/100g",
    "ml/100g": "ml/100g",
    "-": "",
    "—": "",
    "–": "",
    "none": "",
}


class UnitError(ValueError):
    """A unit that is not known, or two units that do not convert."""

    def __init__(self, message: str, *, unit: str = "", other: str = ""):
        super().__init__(message)
        self.unit, self.other = unit, other


def normalise(unit: str | None) -> str:
    """The canonical spelling of ``unit`` (UnitError if unknown)."""
    text = unicodedata.normalize("NFKC", unit or "").strip().lower()
    # NFKC turns the micro sign into Greek mu; both mean micro.
    text = re.sub(r"\s+", "", text.replace("μ", "µ"))
    text = ALIASES.get(text, text)
    if text not in UNITS:
        raise UnitError(f"unknown unit {unit!r}", unit=unit or "")
    return text


def is_known(unit: str | None) -> bool:
    try:
        normalise(unit)
    except UnitError:
        return False
    return True


def dimension(unit: str) -> str:
    return UNITS[normalise(unit)][0]


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, exactly (Decimal arithmetic)."""
    source, target = normalise(from_unit), normalise(to_unit)
    (dim_from, f_from), (dim_to, f_to) = UNITS[source], UNITS[target]
    if dim_from != dim_to:
        raise UnitError(
            f"{from_unit!r} does not convert to {to_unit!r}", unit=from_unit, other=to_unit
        )
    if source == target:
        return value
    return value * f_from / f_to
