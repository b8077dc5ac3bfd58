"""Printable documents: PDFs from Django templates, QR codes as inline SVG, XLSX tables.

PDFs are rendered by WeasyPrint from HTML templates that extend
``documents/base.html``. Fonts come from the system (Debian's ``fonts-noto-cjk``), so a
PDF embeds a subset of Noto Sans CJK and its Chinese text can be extracted again. Rendering
never reaches the network: the URL fetcher serves only ``data:`` URIs and files from our
static directories and refuses everything else, so a template or a value that names a remote
resource renders without it instead of leaking a request or hanging on a timeout.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

logger = logging.getLogger(__name__)

# The family every document uses; the CJK face also carries Latin glyphs, "Noto Sans" is
# the fallback for characters it lacks.
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans", sans-serif'


# --- PDF ------------------------------------------------------------------------------------
def _static_root() -> Path:
    return Path(settings.STATIC_ROOT or Path(settings.BASE_DIR) / "var" / "static")


def static_base_url() -> str:
    """The base URL relative references in document templates resolve against."""
    return _static_root().resolve().as_uri() + "/"


def _static_prefix() -> str | None:
    """The path part of STATIC_URL as it appears in a resolved file URL ("/static/")."""
    url = settings.STATIC_URL or ""
    if "://" in url:
        return None
    return "/" + url.strip("/") + "/"


def _find_static(relative: str) -> Path | None:
    """A static file by its path under STATIC_URL: collected, or still in its app."""
    relative = relative.lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = _static_root() / relative
    return collected if collected.is_file() else None


def _url_fetcher_class():
    # Imported here so that modules importing this one (views, commands) do not load
    # WeasyPrint and its native libraries until a PDF is actually rendered.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalURLFetcher(URLFetcher):
        """Serves ``data:`` URIs and our static files; refuses every other URL.

        ``{% static %}`` paths ("/static/web/logo.png") and paths relative to the base
        URL are both looked up through Django's static file finders, so a document renders
        the same before and after ``collectstatic``. Refused URLs are kept in ``refused``.
        """

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.refused: list[str] = []
            self.root = _static_root().resolve()

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = self._local_path(url)
                if path is not None:
                    return URLFetcherResponse(path.as_uri(), path.read_bytes())
            self.refused.append(url)
            logger.warning("Document rendering refused to fetch %s", url)
            raise ValueError(f"Documents may not fetch {url}")

        def _local_path(self, url: str) -> Path | None:
            path = unquote(urlsplit(url).path)
            prefix = _static_prefix()
            if prefix and path.startswith(prefix):
                return _find_static(path[len(prefix) :])
            try:
                relative = Path(path).resolve().relative_to(self.root)
            except ValueError:
                return None  # a file outside our static files: never read
            return _find_static(relative.as_posix())

    return LocalURLFetcher


def url_fetcher():
    """A new fetcher for one render (it records what it refused in ``.refused``)."""
    return _url_fetcher_class()()


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def page_numbers_css() -> SafeString:
    """CSS ``content`` for "page x of y" in the active language, from one gettext msgid.

    The translated text keeps ``%(page)s`` and ``%(pages)s`` where the numbers go, so each
    language orders them its own way ("第 1 页 / 共 3 页", "Page 1 of 3").
    """
    text = pgettext("document footer", "Page %(page)s of %(pages)s")
    parts: list[str] = []
    for piece in re.split(r"(%\(pages?\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts) or '""')


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    """A PDF from an HTML string, resources limited to our static files (see the module)."""
    from weasyprint import HTML

    return HTML(
        string=html,
        base_url=static_base_url(),
        url_fetcher=fetcher or url_fetcher(),
        media_type="print",
    ).write_pdf()


def render_html(template_name: str, context: dict[str, Any] | None = None) -> str:
    """The document template rendered in the active language (for PDF or a preview)."""
    ctx = {
        "document_language": translation.get_language() or settings.LANGUAGE_CODE,
        "page_numbers_css": page_numbers_css(),
        "font_family": mark_safe(FONT_FAMILY),
        "generated_at": timezone.localtime(),
        **(context or {}),
    }
    return render_to_string(template_name, ctx)


def render_pdf(
    template_name: str, context: dict[str, Any] | None = None, *, language: str | None = None
) -> bytes:
    """Render a document template to PDF bytes in ``language`` (default: zh-hans).

    Documents default to the site's language rather than the requesting user's, because
    they are printed and filed for Chinese readers; pass ``language`` for an English copy.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        return html_to_pdf(render_html(template_name, context))


# --- QR codes -------------------------------------------------------------------------------
def qr_svg(
    data: str, *, scale: float = 1, unit: str | None = None, size_mm: float | None = None
) -> SafeString:
    """An inline ``<svg>`` QR code of ``data``: error correction M, the 4-module quiet zone.

    ``scale`` is the size of one module in ``unit`` ("mm", "px", or None for user units);
    ``size_mm`` instead fits the whole symbol, quiet zone included, into a square of that
    side. The ``viewBox`` lets document CSS resize it without blurring. The quiet zone is
    painted white so the code also scans on a tinted background.
    """
    qr = segno.make_qr(data, error="m", boost_error=False)
    if size_mm is not None:
        scale, unit = size_mm / qr.symbol_size(border=4)[0], "mm"
    svg = qr.svg_inline(
        scale=scale,
        unit=unit,
        border=4,
        dark="#000",
        light="#fff",
        svgclass="qr",
        lineclass=None,
    )
    return mark_safe(svg)


# --- XLSX -----------------------------------------------------------------------------------
@dataclass
class XlsxColumn:
    """One column: its header (already translated) and, optionally, a fixed width."""

    header: str
    width: float | None = None  # in Excel character units; None fits the content
    number_format: str | None = None


@dataclass
class XlsxSheet:
    """One sheet: a title row, a frozen header row, then the rows."""

    name: str
    title: str
    columns: Sequence[XlsxColumn]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _display_width(value: Any) -> int:
    """The width of a value in Excel character units: CJK characters count twice."""
    text = _cell_text(value)
    widest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        widest = max(widest, width)
    return widest


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _cell_value(value: Any) -> Any:
    # openpyxl refuses aware datetimes; a report shows local wall-clock time.
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(timezone.localtime(value))
    if isinstance(value, decimal.Decimal):
        return value if value != value.to_integral() else int(value)
    return value


def write_xlsx(file: str | Path | IO[bytes], sheets: Sequence[XlsxSheet]) -> None:
    """Write ``sheets`` as one workbook to a path or a binary file object.

    Each sheet has a bold title row, a shaded header row that stays frozen while
    scrolling, and columns wide enough for their content (CJK counted double width).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    title_font = Font(bold=True, size=14)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E8EEF4")
    thin = Side(style="thin", color="B0B8C0")
    header_border = Border(bottom=thin)
    used_names: set[str] = set()

    for spec in sheets:
        name = _SHEET_NAME_FORBIDDEN.sub(" ", spec.name).strip()[:31] or "Sheet"
        base, n = name, 2
        while name.casefold() in used_names:  # Excel sheet names are case-insensitive
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used_names.add(name.casefold())
        sheet = workbook.create_sheet(name)
        ncols = max(len(spec.columns), 1)

        sheet.append([spec.title])
        sheet.cell(row=1, column=1).font = title_font
        if ncols > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        sheet.row_dimensions[1].height = 24

        sheet.append([c.header for c in spec.columns])
        for i in range(1, ncols + 1):
            cell = sheet.cell(row=2, column=i)
            cell.font, cell.fill, cell.border = header_font, header_fill, header_border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.freeze_panes = "A3"

        widths = [_display_width(c.header) for c in spec.columns]
        # Rows are counted here: openpyxl's ``max_row`` scans every cell written so far, which
        # made a sheet of n rows cost n² (a county's 22,000 lots took eight minutes).
        for r, row in enumerate(spec.rows, start=3):
            sheet.append([_cell_value(v) for v in row])
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], _display_width(value))
                fmt = spec.columns[i].number_format
                if isinstance(value, dt.datetime):
                    fmt = fmt or "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    fmt = fmt or "yyyy-mm-dd"
                if fmt:
                    sheet.cell(row=r, column=i + 1).number_format = fmt

        for i, column in enumerate(spec.columns):
            width = column.width or min(max(widths[i] + 2, 8), 60)
            sheet.column_dimensions[get_column_letter(i + 1)].width = width
        if sheet.max_row > 2:
            sheet.auto_filter.ref = f"A2:{get_column_letter(ncols)}{sheet.max_row}"
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    if not workbook.sheetnames:
        workbook.create_sheet("Sheet")
    workbook.save(file)
