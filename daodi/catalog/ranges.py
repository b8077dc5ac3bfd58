"""The plausible purchase ranges of common herbs (price 元/kg, largest purchase in kg), kept
as data in ``data/purchase_ranges.csv``: village-level prices of fresh to dried material,
wide enough for both, narrow enough to catch a slipped decimal point or kg typed as 斤.
Read by the migration that added the ranges and by the demo catalogue. Pure."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "purchase_ranges.csv"
FIELDS = ("price_min_per_kg", "price_max_per_kg", "max_purchase_kg")


def purchase_ranges() -> dict[str, dict[str, Decimal]]:
    """{herb code: {field: value}} for every herb the file names (by code and by name)."""
    out: dict[str, dict[str, Decimal]] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            values = {f: Decimal(row[f]) for f in FIELDS if row[f]}
            out[row["code"]] = out[row["name"]] = values
    return out
