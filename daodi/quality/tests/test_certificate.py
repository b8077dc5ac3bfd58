"""Acceptance 3: the certificate of analysis — its PDF text, its QR code and the public
verification page that tells a genuine certificate from a tampered one.

Text comes back out of the PDF with poppler's ``pdftotext``; the first page is rendered
with ``pdftoppm`` and its QR code read with ``zbarimg`` (Debian's poppler-utils and
zbar-tools, installed by ``make system-deps``); each test skips, saying why, without them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from daodi.core.actor import Actor

from .. import actions, coa
from ..models import Certificate
from .world import GOOD, QualityWorld

pytestmark = pytest.mark.django_db
DOCS_IMAGE = Path(__file__).resolve().parents[3] / "docs" / "images" / "coa-page1.png"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is absent (run `make system-deps`)")
    return path


@pytest.fixture
def certified(network):
    """A 党参 lot judged against two sets; 总灰分 fails the pharmacopoeia set."""
    world = QualityWorld(network)
    order = world.order(sets=[world.chp, world.food])
    world.enter(order, GOOD | {"总灰分": "5.26", "铅 (Pb)": "0.6 mg/kg", "甲胺磷": "ND"})
    return world, world.approve(order)


def pdf_text(cert: Certificate, tmp_path: Path) -> str:
    pdf = tmp_path / "coa.pdf"
    pdf.write_bytes(cert.pdf.read())
    subprocess.run([tool("pdftotext"), "-layout", str(pdf), str(tmp_path / "coa.txt")], check=True)
    return (tmp_path / "coa.txt").read_text(encoding="utf-8")


def test_the_pdf_states_items_results_and_conclusion_in_chinese(certified, tmp_path):
    world, cert = certified
    text = pdf_text(cert, tmp_path)
    for expected in (
        "检验报告",
        cert.number,
        "县中药材检验检测中心",
        "党参",
        "(01)09521234000013(10)D",
        "水分",
        "总灰分",
        "二氧化硫残留量",
        "醇溶性浸出物",
        "铅 (Pb)",
        "33种禁用农药",  # tested, so shown; the untested panel would not be
        "5.26",
        "12.5",
        "50.2",
        "<10",
        "不符合规定",
        "符合规定",
        "待核对",  # the 水分 and 总灰分 limits are unverified
        "ChP 2020",
        "药食同源 2023",
        "analyst",
        "reviewer",
    ):
        assert expected in text, expected
    assert cert.pdf_sha256 == coa.sha256(cert.pdf.open("rb").read())


def test_the_qr_code_leads_to_the_verification_page(certified, tmp_path, client):
    world, cert = certified
    pdf = tmp_path / "coa.pdf"
    pdf.write_bytes(cert.pdf.read())
    subprocess.run(
        [
            tool("pdftoppm"),
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("p*.png"))
    scanned = subprocess.run(
        [tool("zbarimg"), "--raw", "-q", str(page)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert scanned == actions.verify_url(cert.number, cert.content_hash)

    url = urlsplit(scanned)
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="verify-genuine"' in body
    assert cert.number in body and "不符合规定" in body and "5.26" in body


def test_the_verification_page_rejects_a_tampered_link(certified, client):
    _world, cert = certified
    forged = cert.content_hash[:-1] + ("0" if cert.content_hash[-1] != "0" else "1")
    response = client.get(f"/quality/verify/{cert.number}/?h={forged}")
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="verify-tampered"' in body
    assert "5.26" not in body  # an unconfirmed certificate's content is not shown
    assert client.get(f"/quality/verify/COA2026-999999/?h={cert.content_hash}").status_code == 404


def test_the_verification_page_rejects_a_certificate_altered_in_the_database(certified, client):
    _world, cert = certified
    content = cert.content
    content["conclusion"] = "conform"  # someone edits the record to make the lot pass
    Certificate.objects.filter(pk=cert.pk).update(content=content)
    response = client.get(f"/quality/verify/{cert.number}/?h={cert.content_hash}")
    assert response.status_code == 409
    assert 'data-testid="verify-tampered"' in response.content.decode()
    # The PDF is withheld too.
    assert (
        client.get(f"/quality/verify/{cert.number}/pdf/?h={cert.content_hash}").status_code == 404
    )


def test_an_uploaded_pdf_is_compared_with_the_one_issued(certified, client):
    _world, cert = certified
    issued = cert.pdf.open("rb").read()
    url = f"/quality/verify/{cert.number}/?h={cert.content_hash}"
    same = client.post(url, {"pdf": SimpleUploadedFile("coa.pdf", issued, "application/pdf")})
    assert 'data-testid="pdf-same"' in same.content.decode()
    changed = issued[:200] + bytes([issued[200] ^ 1]) + issued[201:]  # one bit flipped
    other = client.post(url, {"pdf": SimpleUploadedFile("coa.pdf", changed, "application/pdf")})
    assert 'data-testid="pdf-different"' in other.content.decode()


def test_the_public_pdf_needs_the_fingerprint(certified, client):
    _world, cert = certified
    ok = client.get(f"/quality/verify/{cert.number}/pdf/?h={cert.content_hash}")
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert client.get(f"/quality/verify/{cert.number}/pdf/").status_code == 404


def test_the_content_hash_covers_every_stated_value(certified):
    _world, cert = certified
    assert coa.digest(cert.content) == cert.content_hash
    changed = dict(cert.content, approver="someone else")
    assert coa.digest(changed) != cert.content_hash
    assert coa.check(cert.content, cert.content_hash, cert.content_hash) == coa.GENUINE
    assert coa.check(cert.content, cert.content_hash, "not-a-hash") == coa.ALTERED
    assert coa.check(changed, cert.content_hash, cert.content_hash) == coa.CORRUPTED


def test_a_retest_certificate_supersedes_and_the_old_page_says_so(network, client):
    world = QualityWorld(network)
    order = world.order()
    results = world.enter(order, GOOD | {"总灰分": "5.26"})
    first = world.approve(order)
    ash = next(r for r in results if r.test_item == "总灰分")
    actions.retest_result(actor=Actor(world.analyst, "web"), result=ash, value="4.8", reason="复检")
    second = world.approve(order)
    page = client.get(f"/quality/verify/{first.number}/?h={first.content_hash}")
    assert page.status_code == 200 and second.number in page.content.decode()


def test_the_docs_show_a_rendered_certificate_page():
    """docs/images/coa-page1.png is a page of a real certificate (see docs/quality.md)."""
    data = DOCS_IMAGE.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 1.35 < height / width < 1.48  # an A4 page


def test_opening_the_verification_page_by_number_alone_asks_for_the_fingerprint_or_the_pdf(
    certified, client
):
    """A buyer who types the certificate number is never told the report was tampered with."""
    _world, cert = certified
    response = client.get(f"/quality/verify/{cert.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="verify-needs-fingerprint"' in body
    assert 'data-testid="verify-tampered"' not in body and "篡改" not in body
    assert "输入或扫描" in body and "上传" in body  # enter or scan it, or upload the PDF
    assert 'data-testid="verify-fingerprint"' in body and 'data-testid="verify-upload"' in body
    assert "5.26" not in body  # nothing of what it states until a copy is checked


def test_the_pdf_upload_on_the_number_only_page_reads_the_real_pdf(certified, client):
    _world, cert = certified
    issued = cert.pdf.open("rb").read()
    assert issued.startswith(b"%PDF")
    url = f"/quality/verify/{cert.number}/"
    same = client.post(url, {"pdf": SimpleUploadedFile("coa.pdf", issued, "application/pdf")})
    assert same.status_code == 200
    body = same.content.decode()
    assert 'data-testid="pdf-same"' in body and 'data-testid="verify-genuine"' in body
    assert "5.26" in body  # the file issued vouches for itself: what it states is shown
    changed = issued[:200] + bytes([issued[200] ^ 1]) + issued[201:]
    other = client.post(url, {"pdf": SimpleUploadedFile("coa.pdf", changed, "application/pdf")})
    body = other.content.decode()
    assert 'data-testid="pdf-different"' in body and 'data-testid="verify-genuine"' not in body
    assert "5.26" not in body


def test_a_fingerprint_typed_with_spaces_and_capitals_is_checked_as_given(certified, client):
    _world, cert = certified
    typed = " ".join(cert.content_hash[i : i + 8] for i in range(0, 64, 8)).upper()
    response = client.get(f"/quality/verify/{cert.number}/", {"h": typed})
    assert response.status_code == 200
    assert 'data-testid="verify-genuine"' in response.content.decode()
    short = client.get(f"/quality/verify/{cert.number}/", {"h": cert.content_hash[:20]})
    assert short.status_code == 409
    assert 'data-testid="verify-tampered"' in short.content.decode()
