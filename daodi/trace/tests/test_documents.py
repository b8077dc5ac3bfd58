"""Printed documents, checked by reading the real files back.

Label sheets are rasterised and every QR code is decoded again; the recall report PDF has
its text extracted and page 1 rendered; the workbook is opened with openpyxl. The system
tools come from Debian packages (installed by `make system-deps`); a test whose tool is
missing is skipped and names the package.
"""

from __future__ import annotations

import datetime as dt
import decimal
import http.server
import shutil
import subprocess
import threading
from dataclasses import astuple
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from daodi.core.documents import html_to_pdf, qr_svg, url_fetcher
from daodi.trace.documents import (
    LABEL_FORMATS,
    LabelSpec,
    RecallReport,
    RecallRow,
    element_string,
    label_sheet_pdf,
    printed_rows,
    recall_report_pdf,
    recall_report_xlsx,
)
from daodi.trace.epcis.identifiers import digital_link

HOST = "https://trace.daodi.example"
GTIN = "09521234000013"
PACKAGES = {
    "pdftoppm": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdffonts": "poppler-utils",
    "zbarimg": "zbar-tools",
}


def tool(name: str) -> str:
    """The path of a system tool, or skip the test naming the Debian package to install."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {PACKAGES[name]})")
    return path


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        [tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def rasterise(pdf: Path, dpi: int, *, first_page_only: bool = False) -> list[Path]:
    """PNG pages of ``pdf`` at ``dpi``, in page order."""
    args = [tool("pdftoppm"), "-r", str(dpi), "-png"]
    if first_page_only:
        args += ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([*args, str(pdf), str(pdf.with_suffix(""))], check=True)
    return sorted(pdf.parent.glob(pdf.stem + "*.png"))


def decode_qr_codes(png: Path) -> list[str]:
    """Every QR code zbar finds on an image, one decoded string per symbol."""
    result = subprocess.run(
        [tool("zbarimg"), "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: no symbol on this image
    return result.stdout.splitlines()


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def squeeze(text: str) -> str:
    """Text without any whitespace: table cells may wrap anywhere."""
    return "".join(text.split())


# --- label sheets ---------------------------------------------------------------------------
def lot_labels(n: int) -> list[LabelSpec]:
    return [
        LabelSpec(
            title="潞党参 · 一等",
            lines=[f"批号 LP2026-{i:03d}", "产地 山西省长治市平顺县", f"净重 {20 + i} kg"],
            uri=digital_link(GTIN, f"LP2026-{i:03d}", host=HOST),
        )
        for i in range(1, n + 1)
    ]


def item_labels(n: int) -> list[LabelSpec]:
    return [
        LabelSpec(
            title="潞党参 250 g",
            lines=["批号 LP2026-001"],
            uri=digital_link(GTIN, "LP2026-001", f"{i:06d}", host=HOST),
        )
        for i in range(1, n + 1)
    ]


def test_lot_label_sheet_qr_codes_decode_to_their_digital_links(tmp_path):
    # Given twelve lot labels, each with its own Digital Link
    labels = lot_labels(12)
    uris = {label.uri for label in labels}
    assert len(uris) == 12

    # When the sheet is rendered, printed at 300 dpi and scanned
    pdf = tmp_path / "lots.pdf"
    with translation.override("zh-hans"):
        pdf.write_bytes(label_sheet_pdf(labels, kind="lot"))
    pages = rasterise(pdf, 300)
    decoded = [code for page in pages for code in decode_qr_codes(page)]

    # Then ten labels fit a page, so there are two pages, and every code reads back once
    assert page_count(pdf) == 2 and len(pages) == 2
    assert LABEL_FORMATS["lot"].per_page == 10
    assert sorted(decoded) == sorted(uris)
    assert len(decode_qr_codes(pages[1])) == 2
    # and the element strings, titles and lines are printed as text
    text = squeeze(pdf_text(pdf))
    assert "(01)09521234000013(10)LP2026-001" in text
    assert "(01)09521234000013(10)LP2026-012" in text
    assert text.count("潞党参·一等") == 12
    assert "产地山西省长治市平顺县" in text


def test_item_label_sheet_flows_onto_a_second_page_after_skipped_positions(tmp_path):
    # Given a sheet of 40 package labels whose first 38 positions were used before
    labels = item_labels(5)
    pdf = tmp_path / "items.pdf"

    # When five labels are printed skipping those positions
    with translation.override("zh-hans"):
        pdf.write_bytes(label_sheet_pdf(labels, kind="item", skip=38))
    pages = rasterise(pdf, 300)

    # Then two land on the first sheet and three on the second, all scannable
    assert page_count(pdf) == 2
    first, second = (decode_qr_codes(page) for page in pages)
    assert sorted(first) == [labels[0].uri, labels[1].uri]
    assert sorted(second) == sorted(label.uri for label in labels[2:])
    assert element_string(labels[0].uri) in squeeze(pdf_text(pdf))


def test_label_sheet_embeds_the_cjk_font(tmp_path):
    pdf = tmp_path / "lots.pdf"
    pdf.write_bytes(label_sheet_pdf(lot_labels(1)))
    fonts = subprocess.run(
        [tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "NotoSansCJKSC" in fonts.replace(" ", "").replace("-", "")
    # every font is embedded (the "emb" column), so the PDF prints the same everywhere
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


def test_qr_svg_is_sized_and_keeps_its_quiet_zone():
    svg = qr_svg("https://trace.daodi.example/01/09521234000013", size_mm=20)
    # The symbol with its 4-module margin fills the 20 mm square: 33 + 2 × 4 modules wide.
    assert svg.startswith('<svg width="20.0mm" height="20.0mm" viewBox="0 0 20.0 20.0"')
    assert 'd="M0 0h41.0v41.0h-41.0z"' in svg
    assert '<path fill="#fff"' in svg  # the quiet zone is painted, not transparent


# --- recall report --------------------------------------------------------------------------
HOLDERS = [
    ("平顺县道地药材运营中心", "0355-6888001", "运营中心成品库"),
    ("北社乡服务站", "13903551234", "北社乡服务站仓库"),
    ("长治康源中药饮片有限公司", "0355-2123456", "饮片车间原料库"),
]
REASON = "抽检二氧化硫残留量超标（实测 412 mg/kg，限度 ≤150 mg/kg）"


def recall_report() -> RecallReport:
    lot_a = digital_link(GTIN, "LP2026-001", host=HOST)
    rows = [
        RecallRow(lot_a, "潞党参", "一等", decimal.Decimal("125.5"), "kg", *HOLDERS[0], "已召回"),
        RecallRow(
            digital_link(GTIN, "LP2026-002", host=HOST),
            "潞党参",
            "一等",
            decimal.Decimal("80"),
            "kg",
            *HOLDERS[1],
            "已召回",
        ),
        RecallRow(
            digital_link(GTIN, "LP2026-001", "000007", host=HOST),
            "潞党参",
            "一等",
            1,
            "件",
            *HOLDERS[2],
            "已召回",
        ),
        RecallRow(
            digital_link(GTIN, "LP2026-001", "000008", host=HOST),
            "潞党参",
            "一等",
            1,
            "件",
            *HOLDERS[2],
            "已召回",
        ),
    ]
    return RecallReport(
        reference="RC-2026-0007",
        identifier=lot_a,
        identifier_label="潞党参 一等 批次 LP2026-001",
        reason=REASON,
        started_at=dt.datetime(2026, 10, 8, 1, 30, tzinfo=dt.UTC),
        started_by="张建国",
        rows=rows,
    )


def test_recall_report_summarises_lots_items_quantities_and_holders():
    report = recall_report()
    assert (report.count("lot"), report.count("item"), report.count("other")) == (2, 2, 0)
    assert report.totals_by_unit() == [("205.5", "kg"), ("2", "件")]
    holders = report.holders()
    assert [(h.name, h.phone, h.count) for h in holders] == [
        ("平顺县道地药材运营中心", "0355-6888001", 1),
        ("北社乡服务站", "13903551234", 1),
        ("长治康源中药饮片有限公司", "0355-2123456", 2),
    ]
    assert holders[2].totals == [("2", "件")]


def test_recall_report_pdf_has_the_chinese_text_and_renders(tmp_path):
    # Given a recall of one lot found in two lots and two items at three holders
    report = recall_report()

    # When its PDF is rendered in Chinese
    pdf = tmp_path / "recall.pdf"
    with translation.override("zh-hans"):
        pdf.write_bytes(recall_report_pdf(report))
        title = gettext("Recall report")

    # Then the text extracted back holds the reason, every holder and every quantity
    text = squeeze(pdf_text(pdf))
    if title != "Recall report":  # the central catalogue translates it
        assert squeeze(title) in text
    assert "RC-2026-0007" in text
    assert squeeze(REASON) in text
    for name, phone, place in HOLDERS:
        assert name in text and phone in text and place in text
    for quantity in ("125.5kg", "80kg", "1件", "205.5kg；2件"):
        assert quantity in text
    assert "(01)09521234000013(10)LP2026-001(21)000007" in text
    assert "2026-10-0809:30" in text  # started at, in the site's time zone (UTC+8)
    # and page 1 renders to an image
    (png,) = rasterise(pdf, 100, first_page_only=True)
    assert png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_recall_report_pdf_of_a_recall_that_found_nothing(tmp_path):
    report = recall_report()
    report.rows = []
    pdf = tmp_path / "recall.pdf"
    pdf.write_bytes(recall_report_pdf(report))
    assert page_count(pdf) == 1
    assert squeeze(REASON) in squeeze(pdf_text(pdf))


def test_recall_report_xlsx_reads_back_with_translated_headers(tmp_path):
    # Given the recall report written as a workbook in Chinese
    report = recall_report()
    path = tmp_path / "recall.xlsx"
    with translation.override("zh-hans"):
        recall_report_xlsx(report, path)
        headers = [
            pgettext("herb grade", h) if h == "Grade" else gettext(h)
            for h in (
                "No.",
                "Kind",
                "Identifier",
                "GS1 element string",
                "Herb",
                "Grade",
                "Quantity",
                "Unit",
                "Holder",
                "Holder phone",
                "Place",
                "Status",
            )
        ]
        sheet_name = gettext("Recalled lots and items")
        lot, item = gettext("Lot"), gettext("Item")

    # When openpyxl opens it
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    values = list(sheet.iter_rows(values_only=True))

    # Then row 1 is the title, row 2 the frozen header, then one row per recalled thing
    assert "RC-2026-0007" in values[0][0]
    assert list(values[1]) == headers
    assert sheet.freeze_panes == "A3"
    assert len(values) == 2 + len(report.rows)
    assert values[2] == (
        1,
        lot,
        report.rows[0].identifier,
        "(01)09521234000013(10)LP2026-001",
        "潞党参",
        "一等",
        125.5,
        "kg",
        "平顺县道地药材运营中心",
        "0355-6888001",
        "运营中心成品库",
        "已召回",
    )
    assert values[4][1] == item and values[4][6] == 1 and values[4][7] == "件"
    # and CJK text gets double-width columns
    assert sheet.column_dimensions["I"].width >= 2 * len("长治康源中药饮片有限公司")
    # and the other sheets list the holders and the summary
    assert len(book.sheetnames) == 3
    holders = list(book.worksheets[1].iter_rows(min_row=3, values_only=True))
    assert [row[:3] for row in holders] == [
        ("平顺县道地药材运营中心", "0355-6888001", 1),
        ("北社乡服务站", "13903551234", 1),
        ("长治康源中药饮片有限公司", "0355-2123456", 2),
    ]
    summary = dict(book.worksheets[2].iter_rows(min_row=3, values_only=True))
    assert REASON in summary.values() and "205.5 kg；2 件" in summary.values()


# --- no network while rendering -------------------------------------------------------------
class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on loopback that records every request it receives."""
    handler = type("Handler", (_CountingHandler,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    server.shutdown()
    server.server_close()


def test_url_fetcher_refuses_http_and_the_render_succeeds_without_it(http_server):
    # Given a document naming a stylesheet and an image on a web server
    base, hits = http_server
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head>'
        f'<body><p>离线</p><img src="{base}/logo.png"><img src="file:///etc/hostname"></body></html>'
    )
    fetcher = url_fetcher()

    # When it is rendered
    pdf = html_to_pdf(html, fetcher=fetcher)

    # Then the PDF is made, the server was never asked, and the refusals are on record
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    assert set(fetcher.refused) == {f"{base}/style.css", f"{base}/logo.png", "file:///etc/hostname"}


def test_url_fetcher_serves_static_files_and_data_uris():
    fetcher = url_fetcher()
    css = Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "daodi.css"
    # A {% static %} path, resolved against the document base URL, is found in its app.
    response = fetcher.fetch("file:///static/web/daodi.css")
    assert response.read() == css.read_bytes()
    assert fetcher.fetch("data:text/plain;base64,5Lit").read() == "中".encode()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///static/../settings.py")
    assert fetcher.refused == ["file:///static/../settings.py"]


def test_a_long_recall_prints_items_grouped_by_lot_and_holder():
    # Given a recall that found one lot and 400 items of it at one holder
    report = recall_report()
    item = report.rows[2]
    report.rows = [report.rows[0]] + [
        RecallRow(digital_link(GTIN, "LP2026-001", f"{i:06d}", host=HOST), *astuple(item)[1:])
        for i in range(400)
    ]

    # When the rows are prepared for print
    rows = printed_rows(report.rows)

    # Then the lot keeps its row and the items share one, with their count and quantity
    assert len(rows) == 2
    assert rows[0].identifier == ["(01)09521234000013", "(10)LP2026-001"]
    assert rows[1].identifier[:2] == ["(01)09521234000013", "(10)LP2026-001"]
    assert "400" in rows[1].identifier[2]
    assert (rows[1].quantity, rows[1].unit, rows[1].holder) == ("400", "件", HOLDERS[2][0])
    # while a short recall prints every row as it is
    assert len(printed_rows(recall_report().rows)) == 4
