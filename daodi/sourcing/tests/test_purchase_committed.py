"""Purchases as a server records them, each in its own committed transaction: the lot is
numbered and its event prepared before the purchase's transaction (see
``sourcing.actions._new_lot``). What a crash in the middle leaves, and purchases recorded
at once from several threads, on the real database with real commits."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from daodi.core import audit
from daodi.core.actor import Actor
from daodi.core.models import AuditEntry
from daodi.sourcing import actions
from daodi.sourcing.models import Purchase
from daodi.trace.models import Capture, Event, Lot

pytestmark = pytest.mark.django_db(transaction=True)


def buy(fields, key: str, gross: str = "52.4"):
    return actions.record_purchase(
        actor=Actor(fields.n.point_operator, "api"),
        point=fields.n.point,
        client_key=key,
        seller=fields.n.household,
        herb=fields.herb,
        grade=fields.grade,
        gross_kg=Decimal(gross),
        tare_kg=Decimal("2.4"),
        price=Decimal("9.00"),
        price_unit="jin",
    )


def batch_number(purchase) -> int:
    return int(Lot.objects.get(identifier=purchase.lot).batch.rsplit("-", 1)[1])


def test_a_purchase_outside_any_transaction_is_recorded_whole(fields):
    assert not connection.in_atomic_block
    purchase = buy(fields, "k-1")
    lot = Lot.objects.get(identifier=purchase.lot)
    assert lot.holder == fields.n.point and lot.quantity == Decimal("50.000")
    assert lot.site_id == purchase.site_id and lot.herb == fields.herb
    event = Event.objects.get(pk=purchase.event_id)
    assert event.document["ilmd"]["daodi:herb"] == fields.herb.code
    assert event.capture_id is None  # no EPCIS capture job: the audit entry says who did it
    entries = AuditEntry.objects.filter(action="purchase.create", target_id=str(purchase.pk))
    assert entries.count() == 1
    assert not Capture.objects.exists()


def test_a_crash_after_the_event_leaves_nothing_but_a_gap_in_the_lot_numbers(fields, monkeypatch):
    first = buy(fields, "k-1")
    events, lots, entries = Event.objects.count(), Lot.objects.count(), AuditEntry.objects.count()

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut")

    # The purchase's event and lot are written, then the purchase's own audit entry fails.
    monkeypatch.setattr(audit, "record", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        buy(fields, "k-2")
    monkeypatch.undo()
    assert Purchase.objects.count() == 1
    assert (Event.objects.count(), Lot.objects.count()) == (events, lots)
    assert AuditEntry.objects.count() == entries
    # The form sent again records it, under the next number (the failed one's is not reused).
    again = buy(fields, "k-2")
    assert not again.replayed and batch_number(again) == batch_number(first) + 2


def test_purchases_recorded_at_once_get_a_lot_and_a_receipt_each(fields):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "an in-memory SQLite database has one connection: no writers at once "
            "(make test-sqlite runs this again on a file)"
        )
    done, errors = [], []

    def operator(n: int):
        try:
            for i in range(5):
                done.append(buy(fields, f"t{n}-{i}", gross=f"{20 + n}.{i}"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=operator, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert Purchase.objects.count() == len(done) == 20
    assert len({p.lot for p in done}) == 20 and len({p.receipt_no for p in done}) == 20
    assert Lot.objects.filter(identifier__in=[p.lot for p in done]).count() == 20
    ids = sorted(p.event_id for p in done)
    assert len(set(ids)) == 20
