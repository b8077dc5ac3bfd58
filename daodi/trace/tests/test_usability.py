"""A hold, a failed test or a recall reaches everything made from the lot (trace.usability).

The chain (tests/chain.py): harvest lots A and B are commingled into C, C is dried into D,
D is packed into the retail packs S1–S3, and S1 and S2 go onto pallet P.
"""

from __future__ import annotations

import io
import json

import pytest
from django.utils import translation

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.trace import labels, usability
from daodi.trace.actions import start_recall
from daodi.trace.capture import capture_document
from daodi.trace.models import Capture, Event, Lot

from .chain import CONTEXT, DL_PALLET, capture_chain, dl_item, dl_lot, harvest_document, lgtin

REASON = "不符合规定（COA2026-000009）；二氧化硫残留量：520 mg/kg，不符合 ≤ 150 mg/kg。"


def capture(*events: dict) -> None:
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-07-20T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }
    outcome = capture_document(
        io.BytesIO(json.dumps(doc).encode()), capture=Capture.objects.create()
    )
    assert outcome.errors == [], outcome.errors


def inspect(batch: str, day: int, *, conclusion: str, reason: str = "") -> None:
    """A lab's verdict on lot ``batch``: conform releases, not_conform or incomplete hold."""
    event = {
        "type": "ObjectEvent",
        "eventTime": f"2026-07-{day:02d}T15:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": "conformant" if conclusion == "conform" else "non_conformant",
        "epcList": [],
        "quantityList": [{"epcClass": lgtin(batch)}],
        "daodi:conclusion": conclusion,
    }
    if reason:
        event["daodi:statusReason"] = reason
    capture(event)


def status_of(identifier: str) -> str:
    return Lot.objects.get(identifier=identifier).effective_status


@pytest.fixture
def chain(db):
    capture_chain()


def test_given_a_lot_failed_its_test_then_everything_made_from_it_is_failed(chain):
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    blocks = usability.blocking_inputs(dl_item("S1"))
    assert [(b.identifier, b.label, b.kind, b.reason) for b in blocks] == [
        (dl_lot("A"), "A", usability.FAILED, REASON)
    ]
    for made in (dl_lot("C"), dl_lot("D"), dl_item("S1"), dl_item("S3"), DL_PALLET):
        assert status_of(made) == usability.FAILED
    assert status_of(dl_lot("B")) == "consumed"  # what went in beside it is not touched
    # Nothing was rewritten: the made lots keep their own status, the rule is read.
    assert Lot.objects.get(identifier=dl_item("S1")).status == "active"


def test_given_an_item_made_from_two_lots_of_which_one_failed_it_names_that_lot_only(chain):
    inspect("B", 12, conclusion="not_conform", reason=REASON)
    inspect("A", 12, conclusion="conform")
    blocks = usability.blocking_inputs(dl_item("S2"))
    assert [(b.label, b.kind) for b in blocks] == [("B", usability.FAILED)]
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        usability.ensure_usable([dl_item("S2")], doing=usability.SHIP)
    assert refused.value.code == "input_not_usable"
    assert str(refused.value.message) == (
        f"{dl_item('S2')} 不能发运：它由批次 B 制成，该批次质量检验不合格。 原因：{REASON}"
    )


def test_given_two_held_inputs_a_release_of_one_keeps_the_item_held_until_both(chain):
    inspect("A", 12, conclusion="incomplete", reason="未完成（COA1）")
    inspect("B", 12, conclusion="incomplete", reason="未完成（COA2）")
    assert status_of(dl_item("S1")) == usability.HELD
    assert {b.label for b in usability.blocking_inputs(dl_item("S1"))} == {"A", "B"}

    inspect("A", 14, conclusion="conform")  # the retest of A releases what A alone held
    assert Lot.objects.get(identifier=dl_lot("A")).status == "consumed"  # all went into C
    assert [b.label for b in usability.blocking_inputs(dl_item("S1"))] == ["B"]
    assert status_of(dl_item("S1")) == usability.HELD

    inspect("B", 15, conclusion="conform")
    assert usability.blocking_inputs(dl_item("S1")) == []
    assert status_of(dl_item("S1")) == "active"
    usability.ensure_usable([dl_item("S1")], doing=usability.LABEL)  # no refusal


def test_given_a_failed_input_when_it_is_released_its_products_are_usable_again(chain):
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    assert status_of(dl_lot("D")) == usability.FAILED
    inspect("A", 16, conclusion="conform")
    assert status_of(dl_lot("D")) == "active"
    assert status_of(dl_item("S3")) == "active"


def test_a_conformant_test_of_the_made_lot_after_the_inputs_failure_releases_it(chain):
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    inspect("D", 13, conclusion="conform")  # D itself tested after A failed: it passes
    assert status_of(dl_lot("C")) == usability.FAILED
    assert status_of(dl_lot("D")) == "active"
    assert status_of(dl_item("S1")) == "active"  # what D made is released with it


def test_a_conformant_test_of_the_made_lot_before_the_inputs_failure_does_not(chain):
    inspect("D", 11, conclusion="conform")
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    assert status_of(dl_lot("D")) == usability.FAILED
    assert status_of(dl_item("S1")) == usability.FAILED


def test_given_a_recall_of_an_input_the_items_are_recalled_and_refused(chain):
    start_recall(actor=Actor.system(), identifier=dl_lot("B"), reason="农残超标")
    blocks = usability.blocking_inputs(dl_item("S3"))
    assert blocks[0].kind == usability.RECALLED and blocks[0].reason == "农残超标"
    assert status_of(dl_item("S3")) == usability.RECALLED
    assert status_of(dl_lot("A")) == "consumed"
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        usability.ensure_usable([dl_item("S3")], doing=usability.LABEL)
    assert "已被召回" in str(refused.value.message) and "农残超标" in str(refused.value.message)


def test_a_damaged_lot_holds_itself_not_what_left_it_before(chain):
    capture(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-07-12T10:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "storing",
            "disposition": "damaged",
            "epcList": [],
            "quantityList": [{"epcClass": lgtin("D")}],
        }
    )
    assert status_of(dl_lot("D")) == usability.HELD
    assert status_of(dl_item("S1")) == "active"


def test_labels_for_items_of_a_failed_lot_are_refused_naming_the_lot_and_nothing_written(chain):
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    events = Event.objects.count()
    lot = Lot.objects.get(identifier=dl_lot("D"))
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        labels.item_labels_pdf(lot)
    assert refused.value.code == "input_not_usable"
    assert "批次 A" in str(refused.value.message) and REASON in str(refused.value.message)
    assert Event.objects.count() == events


def test_the_store_wide_map_agrees_with_the_walk_of_each_lot(chain):
    inspect("A", 12, conclusion="not_conform", reason=REASON)
    inspect("D", 13, conclusion="conform")
    inspect("B", 14, conclusion="incomplete", reason="未完成")
    everywhere = usability.blocked_everywhere()
    for lot in Lot.objects.all():
        walked = usability.blocking_inputs(lot.identifier)
        assert everywhere.get(lot.identifier, []) == walked, lot.identifier


def test_the_lot_list_status_filter_never_calls_a_held_by_input_bag_normal(chain, client):
    from django.contrib.auth import get_user_model

    inspect("A", 12, conclusion="not_conform", reason=REASON)
    harvest_document("E")  # a lot of its own, in stock
    admin = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin)
    normal = client.get("/trace/lots/?status=active")
    failed = client.get("/trace/lots/?status=failed")
    assert normal.status_code == failed.status_code == 200
    shown = {lot.identifier for lot in normal.context["page"]}
    assert shown == {dl_lot("E")}  # A failed, and C, D, S1–S3 and P came from it
    assert {lot.identifier for lot in failed.context["page"]} == {
        dl_lot("A"), dl_lot("C"), dl_lot("D"), dl_item("S1"), dl_item("S2"), dl_item("S3"),
        DL_PALLET,
    }  # fmt: skip
    with translation.override("zh-hans"):
        page = client.get("/trace/lots/?status=failed", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "检验不合格" in page.content.decode()


def test_the_page_of_a_bag_names_the_failed_lot_it_came_from_with_a_link(chain, client):
    from django.contrib.auth import get_user_model

    inspect("A", 12, conclusion="not_conform", reason=REASON)
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    bag = Lot.objects.get(identifier=dl_item("S1"))
    source = Lot.objects.get(identifier=dl_lot("A"))
    page = client.get(f"/trace/lots/{bag.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="lot-status-alert"' in page
    assert f'来自批次 <a href="/trace/lots/{source.pk}/">A</a>：检验不合格——{REASON}' in page
