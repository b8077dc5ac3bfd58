"""A specification set's provenance reads as facts in the user's language: sources and
confidence, never the working notes of whoever gathered the values, and an approved set
names who approved it and when."""

from __future__ import annotations

import pytest
from django.utils import translation

from daodi.core.actor import Actor

from .. import actions
from ..choices import Confidence
from ..provenance import describe
from .world import spec_set

pytestmark = pytest.mark.django_db

NOTE = 'memory. **Conflict:** P-SCU lists "≤10.0 %" under ChP 2015'
ITEMS = [
    {
        "herb": "黄芩", "test_item": "水分", "op": "<=", "limit": "12.0", "unit": "%",
        "source": NOTE, "confidence": "M",
    },
    {
        "herb": "黄芩", "test_item": "二氧化硫残留量", "op": "<=", "limit": "150",
        "unit": "mg/kg", "source": "P-SO2 (named in the 400 list)", "confidence": "V",
    },
    {
        "herb": "黄芩", "test_item": "总灰分", "op": "<=", "limit": "6.0", "unit": "%",
        "source": "T/CAQ 29005-2023 表 2", "confidence": "S", "note": "核对第 3 版",
    },
]  # fmt: skip


def test_the_starter_tables_codes_read_as_sources_and_their_remarks_as_notes():
    with translation.override("zh-hans"):
        found = describe(NOTE)
        assert found.sources == ["无引用出处"]
        assert found.notes == ['**Conflict:** P-SCU lists "≤10.0 %" under ChP 2015']
        assert describe("chp_banned_pesticides.csv (ChP 2020 通则 0212)").sources == [
            "《中国药典》2020 年版 通则 0212"
        ]
        so2 = describe("P-SO2 (named in the 400 list)")
        assert so2.sources == ["公开资料 P-SO2"] and so2.notes == ["named in the 400 list"]
    with translation.override("en"):
        assert describe("general rule, P-SO2").sources == [
            "General rule of the Chinese Pharmacopoeia",
            "Published source P-SO2",
        ]
    # A user's own source is theirs, as written; their note stays a note.
    mine = describe("T/CAQ 29005-2023 表 2", "核对第 3 版")
    assert mine.sources == ["T/CAQ 29005-2023 表 2"] and mine.notes == ["核对第 3 版"]


def test_an_approved_sets_page_shows_sources_and_confidence_not_notes_and_who_approved(
    network, client
):
    admin = network.admin
    admin.first_name, admin.last_name = "巧荣", "魏"
    admin.save()
    approved = spec_set(Actor(admin, "web"), code="prov-test", items=ITEMS)
    client.force_login(network.point_operator)
    page = client.get(
        f"/quality/spec-sets/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "无引用出处" in page and "公开资料 P-SO2" in page
    assert "T/CAQ 29005-2023 表 2" in page
    with translation.override("zh-hans"):  # each item's confidence, in Chinese
        for confidence in Confidence:
            assert str(confidence.label) in page
    for note in ("memory", "Conflict", "named in the 400 list", "核对第 3 版"):
        assert note not in page
    assert 'data-testid="working-note"' not in page
    when = approved.approved_at.astimezone().strftime("%Y-%m-%d")
    assert "由 魏巧荣 于 " in page and when in page


def test_a_draft_shows_its_working_notes_to_the_people_checking_it(network, client):
    draft = spec_set(Actor(network.admin, "web"), code="prov-draft", items=ITEMS, approve=False)
    client.force_login(network.admin)
    page = client.get(
        f"/quality/spec-sets/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert page.count('data-testid="working-note"') == 3
    assert "named in the 400 list" in page and "核对第 3 版" in page
    assert 'data-testid="approved-by"' not in page
    assert actions.person(network.admin)  # the same name helper the certificate uses
