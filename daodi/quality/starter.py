"""The starter specification set, derived from the reference tables (pure).

``shared/reference/chp_starter_specs.csv`` is written for people: one row may name two
variants ("毛山药 / 光山药"), five analytes with five limits ("Pb / Cd / As / Hg / SO2"),
"same as the 药材", or no number at all ("not recalled"). :func:`derive` turns it, with the
33 banned pesticides of ``chp_banned_pesticides.csv``, into plain specification rows — one
item per herb, variant, product form and test item — and lists what it skipped and why.
``daodi quality starter --derive DIR`` writes the result to ``data/starter_specs.csv``,
which the platform ships and loads as draft sets; a test derives it again from the
reference and compares, so the two cannot drift apart.

Nothing is made up here: every number is the reference's, with its source and confidence.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from . import judgement, units
from .specfile import SpecRow, weakest_confidence

DATA = Path(__file__).resolve().parent / "data" / "starter_specs.csv"
CHP_EDITION = "ChP 2020"
FOOD_EDITION = "药食同源 2023"
PESTICIDE_PANEL = "33种禁用农药"
PESTICIDE_METHOD = "0212"
PESTICIDE_SOURCE = "chp_banned_pesticides.csv (ChP 2020 通则 0212)"

# "all three" in the reference: the three kernels listed just above it.
HERB_GROUPS = {"all three": ("桃仁", "郁李仁", "苦杏仁")}
# "both": the two specifications of the herb that has them.
BOTH = {"连翘": ("青翘", "老翘")}
ELEMENTS = {
    "Pb": "铅 (Pb)",
    "Cd": "镉 (Cd)",
    "As": "砷 (As)",
    "Hg": "汞 (Hg)",
    "SO2": "二氧化硫残留量",
}
# Processing words: a variant starting with one of them is a decoction piece (饮片).
PROCESSED = ("焯", "炒", "酒", "蜜", "醋", "盐", "熟")
_SPLIT = re.compile(r"\s*/\s*")


def _variants(herb: str, text: str) -> list[tuple[str, str]] | None:
    """(variant, product form) pairs a reference "variant" cell stands for; None if the
    cell names a food use (another set)."""
    text = text.strip()
    if text.startswith("food use"):
        return None
    if text == "药材":
        return [("", "crude")]
    if text == "all":
        return [("", "")]
    if text == "both":
        return [(v, "crude") for v in BOTH.get(herb, ("",))]
    pieces = text.startswith("饮片")
    text = text.removeprefix("饮片").strip()
    out = []
    for part in _SPLIT.split(text):
        name = part.strip()
        marked = "(饮片)" in name
        name = name.replace("(饮片)", "").strip()
        if name in PROCESSED:
            name += herb  # "焯 / 炒" under 苦杏仁: 焯苦杏仁, 炒苦杏仁
        form = (
            "pieces"
            if pieces or marked or name.startswith(PROCESSED) or name.endswith("片")
            else "crude"
        )
        if name == f"{herb}片":
            name = ""  # 山药片: the herb's slices, no further variant
        out.append((name, form))
    return out


def _number(text: str) -> bool:
    try:
        judgement.decimal_of(text)
    except judgement.SpecError:
        return False
    return True


def _unit(text: str) -> str:
    try:
        return units.normalise(text)
    except units.UnitError:
        return text.strip()


def derive(specs: list[dict], pesticides: list[dict]) -> tuple[list[SpecRow], list[tuple]]:
    """Specification rows from the two reference tables, and (line, reason) of skipped rows."""
    rows: list[SpecRow] = []
    skipped: list[tuple[int, str]] = []
    crude: dict[str, list[SpecRow]] = {}  # each herb's 药材 rows, for "same as the 药材"

    for line, raw in enumerate(specs, 2):
        herb_cell = raw["herb"].strip()
        herbs = HERB_GROUPS.get(herb_cell, (herb_cell,))
        op_text, limit_text = raw["op"].strip(), raw["limit"].strip()
        test_item = raw["test_item"].strip()
        if test_item.startswith("same as"):
            continue  # handled below, once every 药材 row is known
        try:
            op = judgement.parse_op(op_text)
        except judgement.SpecError:
            skipped.append((line, f"no operator ({op_text or 'empty'}): {test_item}"))
            continue
        names = _SPLIT.split(test_item) if " / " in test_item else [test_item]
        limits = _SPLIT.split(limit_text)
        try:
            confidence = weakest_confidence(raw["confidence"])
        except ValueError:
            skipped.append((line, f"no confidence ({raw['confidence']}): {test_item}"))
            continue
        for herb in herbs:
            variants = _variants(herb, raw["variant"])
            authority, edition, form_override = "chp", CHP_EDITION, None
            if variants is None:
                authority, edition, form_override = "food", FOOD_EDITION, "food"
                variants = [("", "food")]
            if len(names) > 1:  # several analytes, one limit each
                if len(limits) != len(names):
                    skipped.append((line, f"{len(names)} items but {len(limits)} limits"))
                    continue
                pairs = [
                    (n, lim, v) for n, lim in zip(names, limits, strict=True) for v in variants
                ]
            elif len(limits) > 1:  # one item, one limit per variant
                if len(limits) != len(variants):
                    skipped.append((line, f"{len(variants)} variants but {len(limits)} limits"))
                    continue
                pairs = [(test_item, lim, v) for lim, v in zip(limits, variants, strict=True)]
            else:
                pairs = [(test_item, limit_text, v) for v in variants]
            for name, limit, (variant, form) in pairs:
                if not _number(limit):
                    skipped.append((line, f"no number ({limit}): {herb} {name}"))
                    continue
                row = SpecRow(
                    herb=herb,
                    variant=variant,
                    test_item=ELEMENTS.get(name, name),
                    op=op,
                    limit=limit,
                    unit=_unit(raw["unit"]),
                    basis=judgement.DRY if raw["basis"].strip() == "dry" else judgement.AS_IS,
                    method=raw["method"].strip(),
                    source=raw["source"].strip(),
                    confidence=confidence,
                    edition=edition,
                    authority=authority,
                    product_form=form_override or form,
                )
                rows.append(row)
                if (variant, form) == ("", "crude") and authority == "chp":
                    crude.setdefault(herb, []).append(row)

    for line, raw in enumerate(specs, 2):
        if not raw["test_item"].strip().startswith("same as"):
            continue
        herb = raw["herb"].strip()
        target = raw["variant"].strip()
        template = crude.get(herb, [])
        if not template:
            skipped.append((line, f"no 药材 rows to copy for {herb}"))
            continue
        for variant, form in _variants(herb, target) or []:
            for row in template:
                rows.append(
                    replace(
                        row,
                        variant=variant,
                        product_form=form,
                        confidence=weakest_confidence(f"{row.confidence}/{raw['confidence']}"),
                        source=f"{row.source}; same as the 药材 ({raw['source'].strip()})",
                    )
                )

    for raw in pesticides:
        rows.append(
            SpecRow(
                herb="*",
                variant="",
                test_item=raw["pesticide"].strip(),
                op=judgement.ND,
                limit=raw["loq_mg_per_kg"].strip(),
                unit="mg/kg",
                basis=judgement.AS_IS,
                method=PESTICIDE_METHOD,
                source=PESTICIDE_SOURCE,
                confidence=weakest_confidence(raw["confidence"]),
                edition=CHP_EDITION,
                authority="chp",
                panel=PESTICIDE_PANEL,
                required=False,  # tested when a buyer or regulator asks for it
            )
        )
    return rows, skipped


def read_reference(directory: Path) -> tuple[list[dict], list[dict]]:
    def load(name: str) -> list[dict]:
        with (directory / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    return load("chp_starter_specs.csv"), load("chp_banned_pesticides.csv")


def derive_text(directory: Path) -> tuple[str, list[tuple]]:
    """The shipped data file's text as derived from the reference folder now."""
    from .specfile import write_csv

    rows, skipped = derive(*read_reference(directory))
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue(), skipped
