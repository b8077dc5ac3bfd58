"""Table specs: how one kind of record maps to the columns of a spreadsheet sheet.

A ``TableSpec`` names, for one kind (organisations, sites, herbs, grades), its sheet, its
columns and how a row finds the record it describes (its natural key). A ``Column`` says
which action argument it fills, how a cell is parsed into that value and formatted back,
whether it is required, and how to explain it in the template. Lookup columns turn a code
in a cell into the record it names, within what the acting user may read.

Everything here is plain Python with openpyxl-independent cell values; reading and writing
workbooks, the transaction and the counting live in ``daodi.core.exchange``. Apps declare
their specs in a ``tabular`` module, which registers them on import.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actor import Actor


# --- bilingual terms ------------------------------------------------------------------------
def _is_chinese() -> bool:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return lang.lower().startswith("zh")


class Term:
    """A user-facing word (header, sheet title) with its canonical Chinese rendering.

    The English text is a gettext msgid, so the central catalogue translates it. Until it
    does (and whatever it says), the Chinese form given here is also understood on import,
    and is shown to Chinese users in place of an untranslated msgid: a Chinese workbook must
    be readable whichever language the importing user has chosen.
    """

    def __init__(self, msgid, zh: str):
        self.msgid = msgid  # a gettext_lazy proxy
        self.zh = zh

    @property
    def english(self) -> str:
        with translation.override("en"):
            return str(self.msgid)

    def __str__(self) -> str:
        text = str(self.msgid)
        if _is_chinese() and text == self.english:
            return self.zh
        return text

    def variants(self) -> set[str]:
        """Every spelling accepted on import, normalised with ``norm``."""
        with translation.override("zh-hans"):
            translated = str(self.msgid)
        return {norm(self.english), norm(translated), norm(self.zh)}


def norm(text: Any) -> str:
    """A header or sheet name as compared: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(str(text or "").split()).casefold()


# --- cell values ----------------------------------------------------------------------------
class CellError(Exception):
    """A cell that cannot be read as its column's type; the message is for the user."""


def clean_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates in ISO form, spaces trimmed.

    Spreadsheet programs store codes typed as digits (phone numbers, GLNs, division codes)
    as numbers, so 13-digit keys come back as int or float and must not become "1.2E+12".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(decimal.Decimal(repr(value)).normalize(), "f")
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    # Non-breaking and full-width spaces are common in pasted Chinese text.
    return str(value).replace("\u00a0", " ").replace("\u3000", " ").strip()


def is_blank(value: Any) -> bool:
    return clean_text(value) == ""


class ColumnType:
    """How a column's cells become action arguments and record values become cells."""

    empty: Any = ""  # the value of an empty cell

    def parse(self, value: Any, ctx: Context) -> Any:
        text = clean_text(value)
        return self.empty if text == "" else self.parse_text(text, value, ctx)

    def parse_text(self, text: str, raw: Any, ctx: Context) -> Any:
        return text

    def format(self, value: Any) -> Any:
        return "" if value is None else value

    def same(self, current: Any, new: Any) -> bool:
        """True when the record already holds ``new`` (so the row changes nothing)."""
        return (current if current is not None else self.empty) == new

    def describe(self) -> str:
        """The format, as explained in the template's instructions."""
        return _("Text")

    def allowed(self) -> list[str]:
        return []


class Text(ColumnType):
    """Free text."""


class CodeText(Text):
    """A code of letters or digits (code, phone, GLN); numbers are read as their digits."""

    def __init__(self, empty: Any = ""):
        self.empty = empty

    def format(self, value):
        # Written as text so leading zeros survive and Excel does not switch to 1.2E+12.
        return "" if value is None else str(value)

    def describe(self) -> str:
        return _("Code (letters and digits; write long numbers as text)")


class Boolean(ColumnType):
    """Yes or no; an empty cell means yes (the usual default: active)."""

    empty = True

    YES = Term(gettext_lazy("yes"), "是")
    NO = Term(gettext_lazy("no"), "否")
    TRUE_WORDS = {"1", "true", "y", "yes", "是", "√", "✓", "对", "有效", "启用"}
    FALSE_WORDS = {"0", "false", "n", "no", "否", "×", "✗", "不", "无效", "停用"}

    def parse_text(self, text, raw, ctx):
        if isinstance(raw, bool):
            return raw
        key = norm(text)
        if key in self.TRUE_WORDS or key in self.YES.variants():
            return True
        if key in self.FALSE_WORDS or key in self.NO.variants():
            return False
        raise CellError(_("Enter yes or no."))

    def format(self, value):
        return str(self.YES if value else self.NO)

    def describe(self) -> str:
        return _("Yes or no (empty means yes)")

    def allowed(self) -> list[str]:
        return [str(self.YES), str(self.NO)]


class Number(ColumnType):
    """A decimal number; empty means none."""

    empty = None

    def parse_text(self, text, raw, ctx):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return decimal.Decimal(repr(raw)) if isinstance(raw, float) else decimal.Decimal(raw)
        try:
            number = decimal.Decimal(text.replace(",", ""))
        except decimal.InvalidOperation as exc:
            raise CellError(_("Enter a number.")) from exc
        if not number.is_finite():
            raise CellError(_("Enter a number."))
        return number

    def format(self, value):
        return None if value is None else value

    def same(self, current, new):
        if current is None or new is None:
            return current is None and new is None
        return decimal.Decimal(current) == new

    def describe(self) -> str:
        return _("Number")


class Integer(ColumnType):
    """A whole number; an empty cell takes ``empty``."""

    def __init__(self, empty: Any = 0):
        self.empty = empty

    def parse_text(self, text, raw, ctx):
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation as exc:
            raise CellError(_("Enter a whole number.")) from exc
        if not number.is_finite() or number != number.to_integral():
            raise CellError(_("Enter a whole number."))
        return int(number)

    def describe(self) -> str:
        return _("Whole number")


class Choice(ColumnType):
    """One value of a ``TextChoices`` vocabulary, given by its label (either language) or key."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def parse_text(self, text, raw, ctx):
        key = norm(text)
        for value, label in self.choices.choices:
            spellings = {norm(value)}
            for lang in ("en", "zh-hans"):
                with translation.override(lang):
                    spellings.add(norm(label))
            if key in spellings:
                return value
        raise CellError(
            _("Unknown value “%(value)s”. Allowed: %(allowed)s.")
            % {"value": text, "allowed": "、".join(self.allowed())}
        )

    def format(self, value):
        return str(self.choices(value).label) if value else ""

    def describe(self) -> str:
        return _("One of the allowed values")

    def allowed(self) -> list[str]:
        return [str(label) for _value, label in self.choices.choices]


class Lookup(ColumnType):
    """A code naming another record, resolved within what the acting user may read.

    ``queryset(actor)`` gives the records a code may name; ``by`` is the field holding the
    code. Records created by earlier rows of the same import are found too, because the
    import runs in one transaction.
    """

    empty = None

    def __init__(self, queryset, by: str = "code"):
        self.queryset = queryset
        self.by = by

    def parse_text(self, text, raw, ctx):
        qs = self.queryset(ctx.actor)
        obj = qs.filter(**{self.by: text}).first()
        if obj is None:
            raise CellError(
                _("No %(model)s with the code “%(code)s”.")
                % {"model": qs.model._meta.verbose_name, "code": text}
            )
        return obj

    def format(self, value):
        return "" if value is None else str(getattr(value, self.by))

    def same(self, current, new):
        return getattr(current, "pk", None) == getattr(new, "pk", None)

    def describe(self) -> str:
        return _("Code of an existing record (or of one defined above in this file)")


# --- columns and specs ----------------------------------------------------------------------
@dataclass
class Column:
    """One column of a sheet: the action argument ``field`` it fills, under ``header``."""

    field: str
    header: Term
    type: ColumnType = field(default_factory=Text)
    required: bool = False
    help: Any = ""  # a lazy string explaining the column in the template
    example: Any = ""
    width: int = 16

    def parse(self, value: Any, ctx: Context) -> Any:
        if self.required and is_blank(value):
            raise CellError(_("This field is required."))
        return self.type.parse(value, ctx)


@dataclass
class Context:
    """What parsing a row may depend on: who imports."""

    actor: Actor


class TableSpec:
    """How one kind of record is read from and written to a sheet. Subclass per kind.

    Subclasses set ``key`` (the sheet name and the kind's name on the command line),
    ``title`` (the localised sheet title), ``order`` (kinds are imported in ascending order,
    so that records are defined before rows refer to them) and ``columns``, and implement
    the reads and writes below by calling their app's queries and actions.
    """

    key: str = ""
    title: Term
    order: int = 0
    columns: tuple[Column, ...] = ()

    def queryset(self, actor: Actor):
        """The records ``actor`` may read, in export order."""
        raise NotImplementedError

    def natural_key(self, values: dict) -> tuple:
        """What identifies the row's record, from its parsed values."""
        raise NotImplementedError

    def find(self, actor: Actor, values: dict):
        """The existing record the row describes (among those ``actor`` may read), or None."""
        raise NotImplementedError

    def create(self, actor: Actor, values: dict):
        raise NotImplementedError

    def update(self, actor: Actor, obj, values: dict):
        raise NotImplementedError

    def value(self, obj, column: Column) -> Any:
        """The record's current value for ``column`` (for export and change detection)."""
        return getattr(obj, column.field)

    # --- helpers ----------------------------------------------------------------------------
    def sheet_names(self) -> set[str]:
        return {norm(self.key)} | self.title.variants()

    def column_for(self, header: Any) -> Column | None:
        key = norm(header)
        return next((c for c in self.columns if key in c.header.variants()), None)

    def column_by_field(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)


_REGISTRY: dict[str, TableSpec] = {}


def register(spec_class: type[TableSpec]) -> type[TableSpec]:
    """Class decorator: make a spec known to import and export."""
    _REGISTRY[spec_class.key] = spec_class()
    return spec_class


def specs() -> list[TableSpec]:
    """Every registered spec in import order (apps' ``tabular`` modules are loaded first)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tabular")
    return sorted(_REGISTRY.values(), key=lambda s: s.order)


def spec_for(kind: str) -> TableSpec | None:
    """The spec for a kind key or a sheet title in either language."""
    key = norm(kind)
    return next((s for s in specs() if key in s.sheet_names()), None)
