"""Reviews of flagged records (复核): who may review, what a review records, what it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.core.models import AuditEntry
from daodi.farm import actions

from .helpers import state

pytestmark = pytest.mark.django_db


def test_a_flagged_harvest_is_reviewed_once_by_the_organisation_above_its_grower(fields):
    harvest = fields.harvest(kg="2400")  # 1,200 kg/亩: flagged
    assert harvest.flagged and harvest.reviewed_at is None
    n = fields.n
    for intruder in (n.other_operator, n.point_viewer):  # another point; read-only
        before = state()
        with pytest.raises(DomainError) as refused:
            actions.review_harvest(actor=Actor(intruder, "web"), harvest=harvest, note="看过")
        assert refused.value.status in (403, 404) and state() == before
    with pytest.raises(DomainError) as refused:
        actions.review_harvest(actor=Actor(n.station_admin, "web"), harvest=harvest, note=" ")
    assert refused.value.code == "validation_failed" and "note" in refused.value.fields

    done = actions.review_harvest(
        actor=Actor(n.station_admin, "web"), harvest=harvest, note="实测地块面积 2.4 亩，已更正"
    )
    assert done.reviewed_by == n.station_admin and done.reviewed_at is not None
    assert done.flagged and "1000" in done.flag_reason  # the flag stays, now reviewed
    entry = AuditEntry.objects.get(action="harvest.update", target_id=str(harvest.pk))
    assert entry.changes["review_note"][1] == "实测地块面积 2.4 亩，已更正"
    with pytest.raises(DomainError) as refused:
        actions.review_harvest(actor=Actor(n.point_operator, "web"), harvest=done, note="再看")
    assert refused.value.code == "reviewed_already" and refused.value.status == 409


def test_a_record_without_a_flag_has_nothing_to_review(fields):
    harvest = fields.harvest(kg="1200")
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.review_harvest(actor=Actor(fields.n.station_admin, "web"), harvest=harvest,
                               note="看过")  # fmt: skip
    assert refused.value.code == "not_flagged" and state() == before


def test_a_flagged_drying_run_is_reviewed(fields):
    harvest = fields.harvest(kg="1200")
    run = actions.process(
        actor=Actor(fields.n.point_operator, "web"), kind="drying",
        inputs=[(harvest.lot, Decimal("1200"))], output_kg=Decimal("1000"),
        started_at=dt.datetime(2026, 9, 16, 8, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 9, 20, 8, tzinfo=dt.UTC),
    )  # fmt: skip
    assert run.flagged  # 1.2 : 1, far from the herb's 2.5–3.8
    done = actions.review_processing(actor=Actor(fields.n.station_admin, "web"), run=run,
                                     note="未晒干，退回重晒")  # fmt: skip
    assert done.review_note == "未晒干，退回重晒"


def test_the_harvest_page_offers_the_review_to_those_who_may_and_saves_it(client, fields):
    harvest = fields.harvest(kg="2400")
    url = f"/farm/harvests/{harvest.pk}/"
    client.force_login(fields.n.point_viewer)  # reads, may not review
    assert 'data-testid="review"' not in client.get(url).content.decode()
    client.force_login(fields.n.point_operator)
    assert 'data-testid="review"' in client.get(url).content.decode()
    empty = client.post(f"{url}review/", {"note": ""})
    assert empty.status_code == 302
    harvest.refresh_from_db()
    assert harvest.reviewed_at is None
    client.post(f"{url}review/", {"note": "面积登记错误，已核实"})
    page = client.get(url).content.decode()
    assert "面积登记错误，已核实" in page and 'data-testid="review"' not in page
    harvest.refresh_from_db()
    assert harvest.reviewed_by == fields.n.point_operator


def test_the_lists_find_what_waits_for_review(client, api, fields):
    waiting = fields.harvest(kg="2400", day=dt.date(2026, 9, 1))
    done = fields.harvest(kg="2600", day=dt.date(2025, 9, 1))
    actions.review_harvest(actor=Actor(fields.n.station_admin, "web"), harvest=done, note="已核")
    fields.harvest(kg="1200", day=dt.date(2024, 9, 1))  # no flag
    rows = api.as_user(fields.n.point_operator).get("/api/harvests/?to_review=true").json()
    assert [row["id"] for row in rows["results"]] == [waiting.pk]
    client.force_login(fields.n.point_operator)
    page = client.get("/farm/harvests/?to_review=true").content.decode()
    assert waiting.batch in page and done.batch not in page


def test_a_flag_reads_in_the_readers_language_whoever_raised_it(fields):
    from django.utils import translation

    with translation.override("en"):  # raised through the English API
        harvest = fields.harvest(kg="2400")
    harvest.refresh_from_db()
    with translation.override("zh-hans"):
        assert "合理" in harvest.flag_reason and "1200" in harvest.flag_reason
    with translation.override("en"):
        assert harvest.flag_reason.startswith("Yield 1200")
    harvest.flag = {"text": "产量偏高"}  # a flag kept before flags were msgids
    assert harvest.flag_reason == "产量偏高"


def test_nobody_reviews_a_flag_on_what_they_recorded(fields):
    operator = Actor(fields.n.point_operator, "web")
    harvest = fields.harvest(kg="2400", actor=operator)
    before = state()
    with pytest.raises(DomainError) as refused:
        actions.review_harvest(actor=operator, harvest=harvest, note="我自己看过")
    assert refused.value.code == "own_record" and state() == before
    done = actions.review_harvest(actor=Actor(fields.n.station_admin, "web"), harvest=harvest,
                                  note="站里复核：过磅单无误")  # fmt: skip
    assert done.reviewed_by == fields.n.station_admin
