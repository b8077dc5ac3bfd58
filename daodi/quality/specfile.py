"""Specification files (pure): the columns of the pharmacopoeia starter table, read and written.

A file has the columns of ``shared/reference/chp_starter_specs.csv`` — ``herb, variant,
test_item, op, limit, unit, basis, method, source, confidence`` — plus ``edition`` and
``authority``; the optional columns after them carry what the starter table has no column
for (product form, panel, LOQ, required, who verified an item and when, a note). Import and
export use the same columns, so an exported set imports again unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

from django.utils.translation import gettext as _

from . import judgement, units
from .files import FileError, FileRejected, records, table

COLUMNS = (
    "herb",
    "variant",
    "test_item",
    "op",
    "limit",
    "unit",
    "basis",
    "method",
    "source",
    "confidence",
    "edition",
    "authority",
)
EXTRA_COLUMNS = ("product_form", "panel", "loq", "required", "verified_by", "verified_at", "note")
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS

AUTHORITIES = {
    "chp": "chp",
    "中国药典": "chp",
    "药典": "chp",
    "food": "food",
    "药食同源": "food",
    "食品": "food",
    "group": "group",
    "团体标准": "group",
    "buyer": "buyer",
    "采购方": "buyer",
    "internal": "internal",
    "内控": "internal",
    "内控标准": "internal",
}
FORMS = {
    "": "",
    "crude": "crude",
    "药材": "crude",
    "pieces": "pieces",
    "饮片": "pieces",
    "food": "food",
    "食用": "food",
    "药食同源": "food",
}
FORM_WORDS = {"crude": "药材", "pieces": "饮片", "food": "食用", "": ""}
BASES = {
    "": judgement.AS_IS,
    "as_is": judgement.AS_IS,
    "按原样": judgement.AS_IS,
    "—": judgement.AS_IS,
    "-": judgement.AS_IS,
    "dry": judgement.DRY,
    "干燥品": judgement.DRY,
    "按干燥品计算": judgement.DRY,
}
TRUE_WORDS = {"", "yes", "y", "true", "1", "是", "必检"}
FALSE_WORDS = {"no", "n", "false", "0", "否", "选检"}
CONFIDENCE_RANK = {"M": 0, "S": 1, "V": 2}


@dataclass
class SpecRow:
    """One item of a specification file, checked and in canonical words."""

    herb: str
    variant: str
    test_item: str
    op: str
    limit: str
    unit: str
    basis: str
    method: str = ""
    source: str = ""
    confidence: str = "M"
    edition: str = ""
    authority: str = ""
    product_form: str = ""
    panel: str = ""
    loq: str = ""
    required: bool = True
    verified_by: str = ""
    verified_at: dt.date | None = None
    note: str = ""
    line: int | None = None

    def as_item(self, ref=None) -> judgement.Item:
        return judgement.Item(
            test_item=self.test_item,
            op=self.op,
            limit=self.limit,
            unit=self.unit,
            basis=self.basis,
            loq=self.loq,
            panel=self.panel,
            required=self.required,
            method=self.method,
            ref=ref,
        )

    @property
    def set_key(self) -> tuple[str, str]:
        return (self.authority, self.edition)

    @property
    def item_key(self) -> tuple:
        return (
            self.herb,
            self.variant,
            self.product_form,
            judgement.item_key(self.test_item),
        )

    def fields(self) -> dict:
        """The item's model fields (everything but the set's own and the line)."""
        data = asdict(self)
        for name in ("edition", "authority", "line"):
            data.pop(name)
        return data


def weakest_confidence(text: str) -> str:
    """ "V/M" (number verified, method from memory) counts as its weakest part, "M"."""
    parts = [p.strip().upper() for p in text.replace(",", "/").split("/") if p.strip()]
    known = [p for p in parts if p in CONFIDENCE_RANK]
    if not known or len(known) != len(parts):
        raise ValueError(text)
    return min(known, key=CONFIDENCE_RANK.__getitem__)


def parse_row(line: int | None, raw: dict[str, str], *, need_set: bool) -> tuple[SpecRow, list]:
    """A row read and checked; the errors found instead of raising, so all are reported."""
    errors: list[FileError] = []

    def err(column: str, message) -> None:
        errors.append(FileError(line, column, str(message)))

    value = {name: judgement.clean_text(raw.get(name, "")) for name in ALL_COLUMNS}
    if not value["test_item"]:
        err("test_item", _("Name the test item."))
    if need_set and not value["herb"]:
        err("herb", _("Name the herb (or * for every plant drug)."))
    op = ""
    try:
        op = judgement.parse_op(value["op"])
    except judgement.SpecError:
        err(
            "op",
            _("Unknown operator “%(op)s”: use <=, >=, range, nd or conforms.")
            % {"op": value["op"]},
        )
    if op:
        try:
            judgement.parse_limit(op, value["limit"], value["loq"])
        except judgement.SpecError:
            err(
                "limit",
                _("“%(limit)s” is not a limit for this operator.") % {"limit": value["limit"]},
            )
    unit = value["unit"]
    if op and op != judgement.CONFORMS:
        try:
            unit = units.normalise(unit)
        except units.UnitError:
            err("unit", _("Unknown unit “%(unit)s”.") % {"unit": value["unit"]})
    basis = BASES.get(value["basis"].lower())
    if basis is None:
        err("basis", _("The basis is dry or as_is."))
    try:
        confidence = weakest_confidence(value["confidence"] or "M")
    except ValueError:
        confidence = "M"
        err("confidence", _("Confidence is V, S or M."))
    form = FORMS.get(value["product_form"].lower())
    if form is None:
        err("product_form", _("The product form is 药材, 饮片 or 食用."))
    required_word = value["required"].lower()
    if required_word not in TRUE_WORDS | FALSE_WORDS:
        err("required", _("Write yes or no."))
    verified_at = None
    if value["verified_at"]:
        try:
            verified_at = dt.date.fromisoformat(value["verified_at"][:10])
        except ValueError:
            err("verified_at", _("Write the date as YYYY-MM-DD."))
    authority = ""
    if value["authority"] or need_set:
        authority = AUTHORITIES.get(value["authority"].lower(), "")
        if not authority:
            err(
                "authority",
                _("The authority is chp, food, group, buyer or internal."),
            )
    if need_set and not value["edition"]:
        err("edition", _("Name the edition, e.g. ChP 2020."))
    for name, limit in (("herb", 40), ("variant", 40), ("test_item", 120), ("panel", 80)):
        if len(value[name]) > limit:
            err(name, _("At most %(n)s characters.") % {"n": limit})
    row = SpecRow(
        herb=value["herb"],
        variant=value["variant"],
        test_item=value["test_item"],
        op=op,
        limit=value["limit"],
        unit=unit if op != judgement.CONFORMS else "",
        basis=basis or judgement.AS_IS,
        method=value["method"],
        source=value["source"],
        confidence=confidence,
        edition=value["edition"],
        authority=authority,
        product_form=form or "",
        panel=value["panel"],
        loq=value["loq"],
        required=required_word not in FALSE_WORDS,
        verified_by=value["verified_by"],
        verified_at=verified_at,
        note=value["note"],
        line=line,
    )
    return row, errors


def parse_records(
    entries: Iterable[tuple[int | None, dict[str, str]]], *, need_set: bool = True
) -> list[SpecRow]:
    """Checked rows; FileRejected listing every error (duplicates included)."""
    rows, errors, seen = [], [], {}
    for line, raw in entries:
        row, found = parse_row(line, raw, need_set=need_set)
        errors += found
        key = (row.set_key, row.item_key)
        if not found and key in seen:
            errors.append(
                FileError(
                    line,
                    "test_item",
                    _("Repeats line %(line)s (same herb, variant, form and test item).")
                    % {"line": seen[key]},
                )
            )
        seen.setdefault(key, line)
        rows.append(row)
    if errors:
        raise FileRejected(errors)
    if not rows:
        raise FileRejected([FileError(None, "", _("The file has no specification items."))])
    return rows


def read(data: bytes, filename: str = "", *, need_set: bool = True) -> list[SpecRow]:
    """The items of an uploaded CSV or XLSX specification file."""
    required = ("test_item", "op", "limit", "unit")
    if need_set:
        required = ("herb", "test_item", "op", "limit", "unit", "edition", "authority")
    entries = records(table(data, filename), required=required, known=ALL_COLUMNS)
    return parse_records(entries, need_set=need_set)


def export_row(row: SpecRow) -> list[str]:
    data = asdict(row)
    data["product_form"] = FORM_WORDS.get(row.product_form, row.product_form)
    data["required"] = "yes" if row.required else "no"
    data["verified_at"] = row.verified_at.isoformat() if row.verified_at else ""
    return [str(data[name]) for name in ALL_COLUMNS]


def write_csv(rows: Iterable[SpecRow], fp: io.TextIOBase) -> None:
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(ALL_COLUMNS)
    for row in rows:
        writer.writerow(export_row(row))


def csv_text(rows: Iterable[SpecRow]) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


ROW_FIELDS = tuple(f.name for f in fields(SpecRow))
