"""Instrument CSV exports read through a saved column mapping (pure).

An instrument's software exports one line per analyte under its own column names (and
often a few preamble lines first). A mapping names the column of each result field; every
problem of the file is reported with its line, and nothing is taken from a file that has
one: a half-imported run is worse than none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import judgement, units
from .files import FileError, FileRejected, csv_rows, decode

FIELDS = ("test_item", "value", "unit", "loq", "lod", "method", "instrument", "tested_on")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


@dataclass(frozen=True)
class InstrumentRow:
    line: int
    test_item: str
    value: str
    unit: str = ""
    loq: str = ""
    lod: str = ""
    method: str = ""
    instrument: str = ""
    tested_on: dt.date | None = None


def _date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read(data: bytes, columns: dict[str, str], *, delimiter: str = ",", skip_rows: int = 0):
    """The rows of an instrument export; FileRejected listing every problem."""
    rows = csv_rows(decode(data), delimiter=delimiter)[skip_rows:]
    if not rows:
        raise FileRejected([FileError(None, "", _("The file is empty."))])
    header = [judgement.clean_text(c) for c in rows[0]]
    position = {}
    errors = []
    for field, name in columns.items():
        wanted = judgement.clean_text(name)
        if wanted not in header:
            errors.append(
                FileError(
                    skip_rows + 1, name, _("The mapping names this column; the file lacks it.")
                )
            )
        else:
            position[field] = header.index(wanted)
    if errors:
        raise FileRejected(errors)
    out, seen = [], {}
    for line, row in enumerate(rows[1:], skip_rows + 2):
        if not any(c.strip() for c in row):
            continue
        cell = {
            f: judgement.clean_text(row[i]) if i < len(row) else "" for f, i in position.items()
        }
        if not cell.get("test_item"):
            errors.append(FileError(line, columns["test_item"], _("No test item.")))
            continue
        if not cell.get("value"):
            errors.append(FileError(line, columns["value"], _("No value.")))
            continue
        key = judgement.item_key(cell["test_item"])
        if key in seen:
            errors.append(
                FileError(
                    line,
                    columns["test_item"],
                    _("“%(item)s” appears again (first on line %(line)s).")
                    % {"item": cell["test_item"], "line": seen[key]},
                )
            )
            continue
        seen[key] = line
        reading = judgement.Reading(
            cell["test_item"], cell["value"], cell.get("unit", ""), cell.get("loq", "")
        )
        try:
            judgement.read_value(reading)
        except (judgement.ValueUnreadable, units.UnitError):
            errors.append(
                FileError(
                    line,
                    columns["value"],
                    _("“%(value)s” is not a result.") % {"value": cell["value"]},
                )
            )
            continue
        if cell.get("unit") and not units.is_known(cell["unit"]):
            errors.append(
                FileError(
                    line, columns["unit"], _("Unknown unit “%(unit)s”.") % {"unit": cell["unit"]}
                )
            )
            continue
        tested_on = None
        if cell.get("tested_on"):
            try:
                tested_on = _date(cell["tested_on"])
            except ValueError:
                errors.append(
                    FileError(line, columns["tested_on"], _("Write the date as YYYY-MM-DD."))
                )
                continue
        out.append(
            InstrumentRow(
                line=line,
                test_item=cell["test_item"],
                value=cell["value"],
                unit=cell.get("unit", ""),
                loq=cell.get("loq", ""),
                lod=cell.get("lod", ""),
                method=cell.get("method", ""),
                instrument=cell.get("instrument", ""),
                tested_on=tested_on,
            )
        )
    if errors:
        raise FileRejected(errors)
    if not out:
        raise FileRejected([FileError(None, "", _("The file has no results."))])
    return out


RESULT_COLUMNS = ("test_item", "value", "unit", "loq", "lod")


def read_results(data: bytes, filename: str = "") -> list[judgement.Reading]:
    """A results file of ``daodi quality judge``: columns test_item, value, unit, loq (lod)."""
    from .files import records, table

    rows = records(table(data, filename), required=("test_item", "value"), known=RESULT_COLUMNS)
    readings, errors, seen = [], [], {}
    for line, raw in rows:
        reading = judgement.Reading(
            raw.get("test_item", ""), raw.get("value", ""), raw.get("unit", ""),
            raw.get("loq", ""), raw.get("lod", ""), ref=line,
        )  # fmt: skip
        key = judgement.item_key(reading.test_item)
        if not key:
            errors.append(FileError(line, "test_item", _("No test item.")))
        elif key in seen:
            errors.append(
                FileError(
                    line,
                    "test_item",
                    _("“%(item)s” appears again (first on line %(line)s).")
                    % {"item": reading.test_item, "line": seen[key]},
                )
            )
        else:
            seen[key] = line
            readings.append(reading)
    if errors:
        raise FileRejected(errors)
    return readings
