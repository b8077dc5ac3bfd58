"""The consumer trace page's farm section: the plot a lot grew on and that crop's records."""

from __future__ import annotations

import datetime as dt

import pytest

from daodi.farm import actions
from daodi.farm.choices import RecordKind
from daodi.trace.resolver import story

from .world import SYSTEM

pytestmark = pytest.mark.django_db


def note(fields, day, product):
    actions.record_activity(
        actor=SYSTEM, plot=fields.plot, kind=RecordKind.FERTILISER, date=day, product=product,
        dose="1 袋/亩", operator="王大山",
    )  # fmt: skip


def test_a_lots_page_shows_the_records_of_its_own_crop_only(fields):
    note(fields, dt.date(2024, 4, 1), "去年的底肥")  # the crop before: harvested 2024-10-01
    fields.harvest(day=dt.date(2024, 10, 1), kg="800")
    note(fields, dt.date(2025, 4, 1), "这一茬的底肥")  # this crop, sown after that harvest
    note(fields, dt.date(2026, 6, 1), "这一茬的追肥")
    lot = fields.harvest(day=dt.date(2026, 9, 15)).lot
    note(fields, dt.date(2026, 10, 1), "下一茬的底肥")  # after this crop's harvest
    page = story.build(lot)
    (farm,) = [s for s in page["sections"] if s["key"] == "farm"]
    (plot,) = farm["data"]
    assert [r["what"].split()[0] for r in plot["records"]] == ["这一茬的底肥", "这一茬的追肥"]


def test_a_crop_harvested_in_parts_keeps_its_records_on_every_part(fields):
    note(fields, dt.date(2026, 5, 1), "这一茬的底肥")
    fields.harvest(day=dt.date(2026, 9, 1), kg="600")  # the first part of the crop
    lot = fields.harvest(day=dt.date(2026, 9, 15), kg="600").lot
    (farm,) = [s for s in story.build(lot)["sections"] if s["key"] == "farm"]
    assert [r["what"].split()[0] for r in farm["data"][0]["records"]] == ["这一茬的底肥"]
