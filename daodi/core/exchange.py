"""Excel in and out: import a workbook all-or-nothing, export what a user may read, templates.

A workbook holds one sheet per kind (named by the kind's key or its title in either
language), headers in the first row. Import reads every sheet, then runs every row through
the real actions inside one transaction, kinds in their declared order (organisations
before sites, herbs before grades), so permissions and validation are exactly those of the
web form and the API. If any row fails, the transaction is rolled back and every failure is
reported with its sheet, row, column and message; otherwise everything is committed. Rows
find their record by its natural key, so importing a file twice changes nothing the second
time.

Messages are rendered in the active language: callers activate the user's language first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .actor import Actor
from .errors import DomainError
from .xlsx import Boolean, CellError, Column, Context, TableSpec, is_blank, norm, spec_for, specs

# Excel forbids "/" in sheet titles, so the template uses the full-width slash.
INSTRUCTIONS_SHEET = "说明／Instructions"
# Sheets a filled-in template may still carry; they are read by people, not imported.
IGNORED_SHEETS = {
    norm(INSTRUCTIONS_SHEET),
    norm("说明 ／ Instructions"),
    norm("说明"),
    norm("Instructions"),
}
MAX_FILE_BYTES = 20 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")
HEADER_FILL = PatternFill("solid", fgColor="E8F0E8")


class ExchangeError(DomainError):
    """A workbook that cannot be exported (unknown kind)."""

    default_code = "exchange_failed"


@dataclass
class RowError:
    """One problem of an import: where (sheet, row, column header as shown) and what."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row and self.column:
            return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % where
        if self.row:
            return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % where
        if self.sheet:
            return _("Sheet “%(sheet)s”: %(message)s") % where
        return self.message


@dataclass
class KindCount:
    """How many records of one kind an import created, changed and found unchanged."""

    key: str
    title: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportResult:
    """The outcome of an import: either no errors and the counts, or the errors only."""

    errors: list[RowError] = field(default_factory=list)
    counts: list[KindCount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, sheet: str, row: int | None, column: str, message: Any) -> None:
        self.errors.append(RowError(sheet, row, str(column), str(message)))


@dataclass
class _Sheet:
    """A sheet read into memory: its spec, its columns by position, its non-empty rows."""

    title: str
    spec: TableSpec
    columns: dict[int, Column]
    rows: list[tuple[int, tuple]]


# --- reading ----------------------------------------------------------------------------------
class _Malformed(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _too_large() -> _Malformed:
    return _Malformed(
        _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 1024 // 1024}
    )


def _open(file):
    """The read-only workbook in ``file`` (a path or a binary file object)."""
    if isinstance(file, (str, Path)):
        if Path(file).stat().st_size > MAX_FILE_BYTES:
            raise _too_large()
        source = file
    else:
        data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _too_large()
        source = io.BytesIO(data)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged file
        raise _Malformed(_("This file is not an Excel workbook (.xlsx).")) from exc


def _rows(ws) -> list[tuple[int, tuple]]:
    """The sheet's non-empty rows with their 1-based numbers as Excel shows them."""
    ws.reset_dimensions()  # some writers record a wrong size; read what is there
    try:
        return [
            (number, tuple(values))
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
            if any(not is_blank(v) for v in values)
        ]
    except Exception as exc:  # a damaged sheet inside a readable zip
        raise _Malformed(_("The sheet “%(sheet)s” cannot be read.") % {"sheet": ws.title}) from exc


def _read(file, result: ImportResult) -> list[_Sheet]:
    """Every kind's sheet with its header mapping; structural problems go to ``result``."""
    workbook = _open(file)
    sheets: list[_Sheet] = []
    seen: dict[str, str] = {}
    try:
        for ws in workbook.worksheets:
            rows = _rows(ws)
            spec = spec_for(ws.title)
            if spec is None:
                if rows and norm(ws.title) not in IGNORED_SHEETS:
                    expected = "、".join(f"{s.key} ({s.title})" for s in specs())
                    result.error(
                        ws.title,
                        None,
                        "",
                        _("Unknown sheet. Expected one of: %(names)s.") % {"names": expected},
                    )
                continue
            if spec.key in seen:
                result.error(
                    ws.title,
                    None,
                    "",
                    _("The sheet “%(other)s” already holds %(kind)s.")
                    % {"other": seen[spec.key], "kind": spec.title},
                )
                continue
            seen[spec.key] = ws.title
            if not rows:
                continue
            if rows[0][0] != 1:
                result.error(ws.title, 1, "", _("The first row must hold the column headers."))
                continue
            columns = _header(spec, ws.title, rows[0][1], result)
            if columns is not None:
                sheets.append(_Sheet(ws.title, spec, columns, rows[1:]))
    finally:
        workbook.close()
    return sorted(sheets, key=lambda s: s.spec.order)


def _header(spec: TableSpec, title: str, cells: tuple, result: ImportResult):
    """Column positions by header, or None (with errors) if the header row is not usable."""
    columns: dict[int, Column] = {}
    before = len(result.errors)
    for index, cell in enumerate(cells):
        if is_blank(cell):
            continue
        column = spec.column_for(cell)
        if column is None:
            result.error(title, 1, str(cell).strip(), _("Unknown column."))
        elif column in columns.values():
            result.error(title, 1, column.header, _("This column appears twice."))
        else:
            columns[index] = column
    for column in spec.columns:
        if column.required and column not in columns.values():
            result.error(title, 1, column.header, _("This required column is missing."))
    return columns if len(result.errors) == before else None


# --- importing --------------------------------------------------------------------------------
def import_workbook(*, actor: Actor, file) -> ImportResult:
    """Validate and import every row of every sheet of ``file``; all or nothing."""
    result = ImportResult()
    try:
        sheets = _read(file, result)
    except _Malformed as exc:
        result.error("", None, "", exc)
        return result
    if result.ok and not any(sheet.rows for sheet in sheets):
        result.error("", None, "", _("The file holds no rows to import."))
    if not result.ok:
        return result

    ctx = Context(actor=actor)
    with transaction.atomic():
        for sheet in filter(lambda s: s.rows, sheets):
            count = KindCount(sheet.spec.key, str(sheet.spec.title))
            result.counts.append(count)
            seen: dict[tuple, int] = {}
            for number, cells in sheet.rows:
                _import_row(sheet, number, cells, ctx, count, seen, result)
        if not result.ok:
            transaction.set_rollback(True)
            result.counts = []
    return result


def _import_row(
    sheet: _Sheet,
    number: int,
    cells: tuple,
    ctx: Context,
    count: KindCount,
    seen: dict,
    result: ImportResult,
) -> None:
    """Parse one row, then create, update or (unchanged) re-check its record via the actions."""
    spec, values, bad = sheet.spec, {}, False
    for index, column in sheet.columns.items():
        raw = cells[index] if index < len(cells) else None
        try:
            values[column.field] = column.parse(raw, ctx)
        except CellError as exc:
            result.error(sheet.title, number, column.header, exc)
            bad = True
    if bad:
        return
    key = spec.natural_key(values)
    if key in seen:
        result.error(
            sheet.title,
            number,
            "",
            _("This row describes the same record as row %(row)s.") % {"row": seen[key]},
        )
        return
    seen[key] = number
    try:
        # A savepoint per row: a refused row leaves the transaction usable for the next one.
        with transaction.atomic():
            obj = spec.find(ctx.actor, values)
            if obj is None:
                spec.create(ctx.actor, values)
                count.created += 1
                return
            changed = {
                column.field: values[column.field]
                for column in sheet.columns.values()
                if not column.type.same(spec.value(obj, column), values[column.field])
            }
            # Called even when nothing changed, so the action still decides who may write it.
            spec.update(ctx.actor, obj, changed)
            if changed:
                count.updated += 1
            else:
                count.unchanged += 1
    except DomainError as exc:
        _report(sheet, number, exc, result)
    except ValidationError as exc:
        _report(sheet, number, DomainError.from_validation_error(exc), result)
    except DatabaseError:
        result.error(sheet.title, number, "", _("The database refused this row."))


def _report(sheet: _Sheet, number: int, exc: DomainError, result: ImportResult) -> None:
    """One error per field message, under its column; the general message if it says more."""
    generic = _("Some fields are not valid.")
    for name, messages in exc.fields.items():
        column = sheet.spec.column_by_field(name)
        for message in messages:
            if column is not None:
                result.error(sheet.title, number, column.header, message)
            else:
                result.error(sheet.title, number, "", f"{name}: {message}")
    if not exc.fields or str(exc.message) != generic:
        result.error(sheet.title, number, "", exc.message)


# --- writing ----------------------------------------------------------------------------------
def _specs_for(kind: str) -> list[TableSpec]:
    if kind == "all":
        return specs()
    spec = spec_for(kind)
    if spec is None:
        raise ExchangeError(
            _("Unknown kind “%(kind)s”. Choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(s.key for s in specs())},
            code="unknown_kind",
        )
    return [spec]


def _header_cells(ws, spec: TableSpec, *, mark_required: bool = False) -> list:
    cells = []
    for column in spec.columns:
        cell = WriteOnlyCell(ws, value=str(column.header))
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if mark_required and column.required else HEADER_FILL
        cells.append(cell)
    return cells


def _layout(ws, spec: TableSpec) -> None:
    """Column widths and a frozen header row; set before any row is written (write-only)."""
    for index, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"


def export_workbook(*, actor: Actor, kind: str, file) -> int:
    """Write the records of ``kind`` (or "all" kinds) that ``actor`` may read to ``file``.

    Headers and values are in the active language; the file imports back unchanged.
    Returns the number of records written.
    """
    chosen = _specs_for(kind)
    workbook = Workbook(write_only=True)
    written = 0
    for spec in chosen:
        ws = workbook.create_sheet(str(spec.title))
        _layout(ws, spec)
        ws.append(_header_cells(ws, spec))
        for obj in spec.queryset(actor).iterator(chunk_size=1000):
            ws.append([column.type.format(spec.value(obj, column)) for column in spec.columns])
            written += 1
    workbook.save(file)
    return written


def _example(column: Column) -> str:
    if isinstance(column.type, Boolean):
        return str(column.type.YES)
    return str(column.example)


def template_workbook(kind: str, file) -> None:
    """Write an empty sheet for ``kind`` (headers only) and a sheet explaining each column."""
    (spec,) = _specs_for(kind)
    workbook = Workbook()
    ws = workbook.active
    ws.title = str(spec.title)
    for index, column in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=index, value=str(column.header))
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        help_text = " ".join(filter(None, [str(column.help), column.type.describe()]))
        cell.comment = Comment(help_text, "daodi")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"

    info = workbook.create_sheet(INSTRUCTIONS_SHEET)
    wrap = Alignment(wrap_text=True, vertical="top")
    info.append([_("How to fill in the sheet “%(sheet)s”") % {"sheet": spec.title}])
    info["A1"].font = Font(bold=True, size=13)
    info.append(
        [
            _(
                "One row per record; the first row holds the headers. Rows whose key "
                "exists update that record; importing the same file again changes "
                "nothing. If any row is wrong, nothing is imported and every error is "
                "listed."
            )
        ]
    )
    info.append([])
    info.append(
        [
            _("Column"),
            _("Required"),
            _("Format"),
            _("Allowed values"),
            _("Explanation"),
            _("Example"),
        ]
    )
    for cell in info[4]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in spec.columns:
        info.append(
            [
                str(column.header),
                _("required") if column.required else _("optional"),
                column.type.describe(),
                "\n".join(column.type.allowed()),
                str(column.help),
                _example(column),
            ]
        )
        for cell in info[info.max_row]:
            cell.alignment = wrap
    info.append([])
    info.append([_("Example row")])
    info.cell(row=info.max_row, column=1).font = HEADER_FONT
    example_header = info.max_row + 1
    info.append([str(column.header) for column in spec.columns])
    info.append([_example(column) for column in spec.columns])
    for cell in info[example_header]:
        cell.font = HEADER_FONT
    for index, width in enumerate((22, 10, 28, 28, 50, 24), start=1):
        info.column_dimensions[get_column_letter(index)].width = width
    workbook.save(file)


def filename(kind: str, *, template: bool = False) -> str:
    """A download name such as ``daodi-organisations.xlsx`` (ASCII, so every browser keeps it)."""
    return f"daodi-{kind}{'-template' if template else ''}.xlsx"


def kinds() -> list[tuple[str, str]]:
    """(key, localised title) of every kind, in import order."""
    return [(spec.key, capfirst(str(spec.title))) for spec in specs()]


# --- command line -----------------------------------------------------------------------------
def cli_language(option: str | None, environ: dict) -> str:
    """The language of a command: ``--lang``, else the user's locale as gettext reads it
    (``LANGUAGE``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else zh-hans.

    ``LANGUAGE`` follows the GNU form ("en_US:en", "zh_CN"), so only its first entry's
    language counts; the C and POSIX locales name no language.
    """
    wanted = option or ""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if wanted:
            break
        value = (environ.get(name) or "").split(":")[0].split(".")[0]
        if value not in {"C", "POSIX"}:
            wanted = value
    wanted = wanted.strip().lower().replace("_", "-")
    if wanted.startswith("en"):
        return "en"
    return "zh-hans"


def cli_actor(username: str | None) -> Actor:
    """Who a command acts as: the named active user, or the system when none is named."""
    from django.contrib.auth import get_user_model

    if not username:
        return Actor(channel="cli")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ExchangeError(
            _("No active user named %(name)s.") % {"name": username}, code="unknown_user"
        )
    return Actor(user=user, channel="cli")
