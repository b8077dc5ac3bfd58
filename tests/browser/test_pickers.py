"""Finding a lot on a phone (390×844, headless Chromium): typed, picked or scanned.

The camera is Chromium's fake capture device playing a video of the lot's QR code (its GS1
Digital Link, as printed on the label), so the vendored reader (the BarcodeDetector
ponyfill, zxing-cpp in WebAssembly, served by the platform itself) reads a real image.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from conftest import PASSWORD
from daodi.farm.tests.world import Fields
from daodi.sourcing.models import Loss
from daodi.sourcing.tests.test_purchase import buy
from daodi.trace.epcis import identifiers
from daodi.trace.models import Lot

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH, HEIGHT = 640, 480


def qr_video(text: str, path: Path, frames: int = 20) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of ``text`` as a QR code."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    code = Image.open(buffer).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


@pytest.fixture
def lot(network):
    return Lot.objects.get(identifier=buy(Fields(network)).lot)


def test_a_loss_is_recorded_by_typing_the_lot_number_and_picking_the_match(lot, phone, screenshot):
    sign_in(phone, "point_op", PASSWORD)
    phone.goto("/sourcing/losses/new/")
    phone.get_by_test_id("lot").fill(lot.batch[:5])
    option = phone.locator("#id_lot_list [role=option]", has_text=lot.batch)
    expect(option).to_have_count(1)
    option.click()
    expect(phone.get_by_test_id("lot")).to_have_value(f"(01){lot.gtin}(10){lot.batch}")
    phone.fill("#id_kg", "1.5")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    screenshot(phone, "loss-lot-picked")
    phone.get_by_test_id("save").click()
    phone.wait_for_url("**/sourcing/losses/*/")
    assert Loss.objects.get().kg == Decimal("1.50")


def test_a_scanned_qr_code_fills_the_lot_field_and_the_loss_is_recorded(
    lot, browser, live_server, tmp_path, screenshot
):
    printed = identifiers.digital_link(lot.gtin, lot.batch, host="https://trace.example.cn")
    video = qr_video(printed, tmp_path / "qr.y4m")
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A browser of its own: the camera is chosen when Chromium starts.
    with browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera) as b:
        context = b.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
            base_url=live_server.url,
        )  # fmt: skip
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, "point_op", PASSWORD)
        page.goto("/sourcing/losses/new/")
        scan = page.get_by_test_id("picker-lot").get_by_role("button", name="扫码")
        expect(scan).to_be_visible()
        scan.click()
        # The scanned Digital Link is shown as the lot's printed code.
        expect(page.get_by_test_id("lot")).to_have_value(f"(01){lot.gtin}(10){lot.batch}")
        expect(page.get_by_test_id("scanner")).to_have_count(0)  # the camera is closed
        page.fill("#id_kg", "2")
        screenshot(page, "loss-lot-scanned")
        page.get_by_test_id("save").click()
        page.wait_for_url("**/sourcing/losses/*/")
    assert Loss.objects.get().lot == lot.identifier
