"""Photos of a plot's records, taken with the phone and sent from the web form: kept as
real images, shown on the record's page; anything else refused with nothing kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from conftest import PASSWORD
from daodi.farm.models import FarmRecord
from daodi.farm.tests.helpers import state

pytestmark = pytest.mark.django_db


def png(colour=(60, 140, 60), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def kept_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.fixture
def grower(client, fields):
    client.login(username="point_op", password=PASSWORD)
    return client


def send(client, fields, upload, **extra):
    data = {
        "plot": fields.plot.pk,
        "kind": "photo",
        "date": "2026-07-01",
        "operator": "王大山",
        "photo": upload,
    } | extra
    return client.post(reverse("farm:farmrecord_create"), data)


def test_a_photo_sent_from_the_form_is_kept_and_shown_on_the_record(grower, fields):
    page = grower.get(reverse("farm:farmrecord_create"))
    form = page.content.decode()
    assert 'enctype="multipart/form-data"' in form and 'capture="environment"' in form
    response = send(grower, fields, SimpleUploadedFile("地块.png", png(), "image/png"))
    record = FarmRecord.objects.get(plot=fields.plot, kind="photo")
    assert response.status_code == 302, response.content[:400]
    kept = Path(settings.MEDIA_ROOT) / record.photo
    with Image.open(kept) as image:
        assert image.format == "PNG" and image.size == (64, 48)
    shown = grower.get(reverse("farm:farmrecord_detail", args=[record.pk])).content.decode()
    assert 'data-testid="photo"' in shown and record.photo in shown


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.txt", "不是照片".encode(), "text/plain"),
        SimpleUploadedFile("broken.png", png()[:40], "image/png"),
        SimpleUploadedFile("anim.gif", b"GIF89a" + b"\0" * 40, "image/gif"),
    ],
    ids=["text", "truncated", "gif"],
)
def test_a_file_that_is_no_photo_is_refused_in_chinese_and_nothing_is_kept(grower, fields, upload):
    before = state()
    response = send(grower, fields, upload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "照片" in page or "图片" in page  # the refusal names the photo, in Chinese
    assert state() == before and kept_files() == []


def test_a_record_refused_after_its_photo_was_checked_keeps_no_photo(grower, fields):
    before = state()
    # A pesticide record without its dose and interval is refused by the action after
    # the photo was checked and stored: the photo goes with it.
    response = send(
        grower,
        fields,
        SimpleUploadedFile("spray.png", png((200, 30, 30)), "image/png"),
        kind="pesticide",
        product="多菌灵",
    )
    assert response.status_code == 200
    assert state() == before and kept_files() == []
