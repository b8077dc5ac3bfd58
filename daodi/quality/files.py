"""Reading uploaded tables (pure): CSV in UTF-8 or GB18030, XLSX, errors by line and column.

Instrument software on Chinese lab PCs often writes GB18030 (GBK) text, and Excel adds a
byte-order mark to UTF-8; both are read. Every problem of a file is collected, so a user
fixes the file once instead of once per error.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024  # far beyond any specification set or instrument export
MAX_ROWS = 20_000


@dataclass(frozen=True)
class FileError:
    """One problem of a file: where (line, column) and what."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(_("line %(line)s") % {"line": self.line})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else str(self.message)


class FileRejected(ValueError):
    """A file that cannot be taken as it is; ``errors`` lists every problem found."""

    def __init__(self, errors: list[FileError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


def fail(message, *, line: int | None = None, column: str = "") -> FileRejected:
    return FileRejected([FileError(line, column, str(message))])


def decode(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else GB18030."""
    if len(data) > MAX_BYTES:
        raise fail(gettext_lazy("The file is larger than 5 MB."))
    if b"\x00" in data[:4096]:
        raise fail(gettext_lazy("This is not a text (CSV) file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise fail(gettext_lazy("The file is neither UTF-8 nor GB18030 text.")) from exc


def csv_rows(text: str, *, delimiter: str = ",") -> list[list[str]]:
    """The rows of CSV text (strict quoting: a broken quote is an error, not a guess)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise fail(gettext_lazy("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    if len(rows) > MAX_ROWS:
        raise fail(gettext_lazy("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text (numbers as Excel shows them, dates as ISO dates)."""
    import datetime as dt
    import zipfile

    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise fail(gettext_lazy("The file is larger than 5 MB."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise fail(gettext_lazy("This is not an Excel (XLSX) file.")) from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, dt.datetime):
                cells.append(value.date().isoformat() if not value.time() else value.isoformat())
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append(str(value))
        rows.append(cells)
        if len(rows) > MAX_ROWS:
            raise fail(gettext_lazy("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    book.close()
    return rows


def table(data: bytes, filename: str = "", *, delimiter: str = ",") -> list[list[str]]:
    """Rows of an uploaded CSV or XLSX file (told apart by content, not by name)."""
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return xlsx_rows(data)
    return csv_rows(decode(data), delimiter=delimiter)


def records(
    rows: list[list[str]], *, required: tuple[str, ...], known: tuple[str, ...], find_header=True
) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each data row under the header.

    The header is the first row naming every ``required`` column (a title row above it, as
    our own XLSX exports have, is skipped). Unknown columns are an error: a misspelt
    optional column would otherwise be dropped without a word.
    """
    start = None
    for index, row in enumerate(rows[:10] if find_header else rows[:1]):
        names = {c.strip() for c in row}
        if set(required) <= names:
            start = index
            break
    if start is None:
        missing = ", ".join(required)
        raise fail(
            gettext_lazy("The header row must name these columns: %(columns)s")
            % {"columns": missing}
        )
    header = [c.strip() for c in rows[start]]
    errors = []
    seen = set()
    for name in header:
        if name and name not in known:
            errors.append(FileError(start + 1, name, _("Unknown column.")))
        if name and name in seen:
            errors.append(FileError(start + 1, name, _("This column appears twice.")))
        seen.add(name)
    if errors:
        raise FileRejected(errors)
    out = []
    for offset, row in enumerate(rows[start + 1 :], start + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            raise fail(gettext_lazy("More cells than columns."), line=offset)
        out.append(
            (
                offset,
                {
                    name: (row[i].strip() if i < len(row) else "")
                    for i, name in enumerate(header)
                    if name
                },
            )
        )
    return out
