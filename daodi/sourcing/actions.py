"""Every write of the buying network. Keyword-only, with an actor, one transaction, audited,
each capturing its EPCIS event in the same transaction (DESIGN §1).

Weights found by weighing are made true in the projection at once: a purchase or an
arrival that finds less (or more) than the lot holds writes a ``stock_taking`` event for the
difference first, so every lot's quantity stays the weight last found and the mass balance
shows the difference as a recorded loss rather than an unexplained one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from daodi.catalog.models import GeographicIndication
from daodi.core import records, refusals, review, texts
from daodi.core.actor import Actor
from daodi.core.compiled import CompiledQuery, by_pk
from daodi.core.errors import Conflict, DomainError, NotFound
from daodi.farm import events, rules
from daodi.farm.actions import input_lots
from daodi.farm.models import GROWER_KINDS
from daodi.orgs import policy
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Division, Organisation, Site
from daodi.trace import usability
from daodi.trace.choices import LotStatus
from daodi.trace.epcis import profile
from daodi.trace.models import Lot

from . import gi, identity
from .choices import (
    JIN_KG,
    STOCK_TAKING,
    DispatchStatus,
    LossReason,
    PaymentMethod,
    PriceUnit,
)
from .models import (
    Commingling,
    Dispatch,
    DispatchLine,
    GIClaim,
    Loss,
    Pallet,
    Purchase,
    SellerIdentity,
)

CENT = Decimal("0.01")
NETWORK_KINDS = (OrgKind.VILLAGE_POINT, OrgKind.TOWNSHIP_STATION, OrgKind.COUNTY_HUB)
# Whom the county hub dispatches or sells its stock on to, outside the buying network.
BUYER_KINDS = (OrgKind.PROCESSOR, OrgKind.MANUFACTURER, OrgKind.TRADER)


# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)


def _refuse(message, code: str, field: str | None = None, field_message=None):
    fields = {field: [field_message or message]} if field else None
    raise DomainError(message, code=code, fields=fields)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _parties(actor: Actor, source: Organisation, destination: Organisation) -> dict:
    return {
        "sourceList": [{"type": "owning_party", "source": events.party(actor, source)}],
        "destinationList": [
            {"type": "owning_party", "destination": events.party(actor, destination)}
        ],
    }


def _correction(
    actor: Actor, holder: Organisation, site: Site, lot: str, difference: Decimal, when
):
    """A weight found by weighing that differs from the lot's: DELETE (less) or ADD (more)."""
    if difference == 0:
        return None
    return events.capture(
        actor,
        holder,
        {
            "type": "ObjectEvent",
            "action": "DELETE" if difference < 0 else "ADD",
            "eventTime": events.time_text(when),
            "bizStep": STOCK_TAKING,
            "epcList": [],
            "quantityList": [{"epcClass": lot, **events.kg(abs(difference))}],
            "readPoint": {"id": events.sgln(site.gln)},
        },
        "weighing",
    )


# --- sellers ----------------------------------------------------------------------------------
@transaction.atomic
def set_seller_identity(*, actor: Actor, seller: Organisation, id_card: str) -> SellerIdentity:
    """Keep a seller's ID-card number, masked (and as a keyed hash to find it again)."""
    policy.require_write(actor, seller)
    if not identity.is_valid(id_card):
        _refuse(_("Not a valid ID-card number."), "bad_id_card", "id_card")
    values = {
        "id_card_masked": identity.mask(id_card),
        "id_card_hash": identity.digest(id_card, settings.SECRET_KEY),
    }
    current = SellerIdentity.objects.filter(organisation=seller).first()
    if current is None:
        return records.create(actor, SellerIdentity, organisation=seller, **values)
    return records.update(actor, current, **values)


# --- purchases --------------------------------------------------------------------------------
def check_plausible(herb, net: Decimal, per_kg: Decimal, amount: Decimal) -> None:
    """Refuse, until confirmed, a purchase heavier or dearer (or cheaper) than the herb's
    catalogue ranges allow: a slipped decimal point or kg typed as 斤 is caught at the scale,
    not found in the settlement."""
    problems, fields = [], {}
    if rules.outside(net, None, herb.max_purchase_kg):
        message = _(
            "%(kg)s kg is more than the largest usual purchase of %(herb)s (%(max)s kg)"
        ) % {
            "kg": net,
            "herb": herb,
            "max": herb.max_purchase_kg,
        }
        problems.append(message)
        fields["gross_kg"] = [message]
    if rules.outside(per_kg, herb.price_min_per_kg, herb.price_max_per_kg):
        message = _(
            "%(price)s 元/kg lies outside the usual %(low)s–%(high)s 元/kg for %(herb)s"
        ) % {
            "price": _money(per_kg),
            "low": herb.price_min_per_kg if herb.price_min_per_kg is not None else "—",
            "high": herb.price_max_per_kg if herb.price_max_per_kg is not None else "—",
            "herb": herb,
        }
        problems.append(message)
        fields["price"] = [message]
    if not problems:
        return
    confirm = _("If the purchase is right, confirm it and save again.")
    fields["confirm"] = [confirm]
    raise DomainError(
        _("Check this purchase of %(amount)s 元: %(problems)s. %(confirm)s")
        % {"amount": amount, "problems": _("; ").join(problems), "confirm": confirm},
        code="implausible_purchase",
        fields=fields,
    )


_PURCHASE_KEYED = CompiledQuery(
    lambda point, key: Purchase.objects.filter(point_id=point, client_key=key).values_list("pk"),
    int,
    str,
)


def record_purchase(*, actor: Actor, point: Organisation, client_key: str, **fields) -> Purchase:
    """Record a purchase at a village point, once per ``client_key``.

    A form sent again (poor signal, a double tap) carries the same key and gets back the
    purchase recorded the first time, with nothing written again; two sends racing each
    other meet at the unique key and the second one returns the first's record.
    """
    key = (client_key or "").strip()
    if not key or len(key) > 64:
        _refuse(
            _("The form carries no submission key; reload it and send it again."),
            "client_key_required",
            "client_key",
        )
    if _PURCHASE_KEYED.first(point.pk, key) is not None:
        policy.require_write(actor, point)
        return _replayed(Purchase.objects.get(point=point, client_key=key), fields)
    try:
        purchase = _record_purchase(actor=actor, point=point, client_key=key, **fields)
    except Conflict:
        existing = Purchase.objects.filter(point=point, client_key=key).first()
        if existing is None:
            raise
        return _replayed(existing, fields)
    purchase.replayed = False
    return purchase


# What a resent form must repeat to be the same purchase (others may be left out of a
# resend, and the net weight and amount follow from these).
_SAME_PURCHASE = ("seller", "herb", "grade", "gross_kg", "tare_kg", "price", "price_unit")


def _replayed(existing: Purchase, fields: dict) -> Purchase:
    """The purchase ``existing`` for a form sent again; refused when the form says otherwise.

    A key comes back with other values when an operator goes back to a sent form and
    enters the next seller's purchase over it: answering with the first purchase would
    lose the second without a word.
    """
    for name in _SAME_PURCHASE:
        if name not in fields:
            continue
        given = fields[name]
        if name in ("seller", "herb", "grade"):  # records: compared by key, no query
            given, kept = getattr(given, "pk", given), getattr(existing, f"{name}_id")
        elif name == "price_unit":
            kept = existing.price_unit
        else:  # weights and prices: "52.40" is 52.4
            given, kept = Decimal(given or 0), getattr(existing, name)
        if given != kept:
            raise Conflict(
                _(
                    "This submission was recorded before as purchase %(receipt)s (%(seller)s, "
                    "%(kg)s kg) with other values; another purchase needs a new form (or ledger "
                    "number)."
                )
                % {
                    "receipt": existing.receipt_no,
                    "seller": existing.seller,
                    "kg": existing.net_kg,
                },
                code="client_key_reused",
            )
    existing.replayed = True
    return existing


def _receipt_number(point: Organisation, when: dt.datetime, event_id: int) -> str:
    """Point, day and the purchase event's id: events get their ids under capture's writer
    lock, so two purchases recorded at once at one point never share a number."""
    day = timezone.localtime(when).date()
    return f"{point.code[-8:]}-{day:%y%m%d}-{event_id}"


def _new_lot(actor, point, seller, site, herb, grade, moisture_pct, net, when):
    """A new lot bought at ``point``: its number and its commissioning event, prepared.

    Outside a transaction the number is taken and kept at once (a purchase that then fails
    leaves a gap in the day's lot numbers, which is harmless), so purchases at many points
    do not queue on the day's counter while each one writes.
    """
    gtin, item_grade = events.lot_item(herb, grade)
    day = timezone.localtime(when).date()
    lot = events.lot_uri(gtin, events.new_batch(gtin, "P", day, at_once=True))
    event = commissioning(actor, point, seller, site, herb, grade, moisture_pct, net, when, lot)
    known = events.known(sites=[site], parties=[seller, point], items=[(gtin, herb.pk, item_grade)])
    return lot, events.prepare(event, "purchase", known, new_lots=[lot])


def commissioning(actor, point, seller, site, herb, grade, moisture_pct, net, when, lot) -> dict:
    """The event of a purchase of a new lot: ``net`` kg of ``lot`` commissioned at the point,
    bought from ``seller`` (its origin the seller's village)."""
    ilmd = {profile.term(profile.ILMD_HERB): herb.code}
    if grade is not None:
        ilmd[profile.term(profile.ILMD_GRADE)] = grade.label
    if moisture_pct is not None:
        ilmd[profile.term(profile.ILMD_MOISTURE)] = float(moisture_pct)
    if seller.division_id:
        origin = by_pk(Division).first(seller.division_id)
        ilmd[profile.term(profile.ILMD_ORIGIN)] = origin.code
    place = {"id": events.sgln(site.gln)}
    return {
        "type": "ObjectEvent",
        "action": "ADD",
        "eventTime": events.time_text(when),
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [],
        "quantityList": [{"epcClass": lot, **events.kg(net)}],
        "readPoint": place,
        "bizLocation": place,
        **_parties(actor, seller, point),
        "ilmd": ilmd,
    }


def _graded(actor, point, site, lot, herb, grade, moisture_pct, net, when) -> str:
    """The seller's lot classed under the grade the point bought it as: a new lot of that
    grade's trade item, made from it (a lot's grade is its GTIN's). Where the grade has no
    trade item of its own, the lot stays as it is and the purchase keeps the grade."""
    gtin = events.lot_gtin(herb, grade)
    graded = events.lot_uri(gtin, events.new_batch(gtin, "P", timezone.localtime(when).date()))
    ilmd = {
        profile.term(profile.ILMD_HERB): herb.code,
        profile.term(profile.ILMD_GRADE): grade.label,
    }
    if moisture_pct is not None:
        ilmd[profile.term(profile.ILMD_MOISTURE)] = float(moisture_pct)
    place = {"id": events.sgln(site.gln)}
    events.capture_id(
        actor,
        point,
        {
            "type": "TransformationEvent",
            "eventTime": events.time_text(when),
            "bizStep": profile.GRADING,
            "disposition": "active",
            "inputQuantityList": [{"epcClass": lot, **events.kg(net)}],
            "outputQuantityList": [{"epcClass": graded, **events.kg(net)}],
            "readPoint": place,
            "bizLocation": place,
            "ilmd": ilmd,
        },
        "grading",
        checked=True,
    )
    return graded


def _terms(
    point, seller, herb, grade, gross_kg, tare_kg, net_kg, price, price_unit, amount_paid,
    payment_method,
):  # fmt: skip
    """A purchase's seller, weights and money checked, and what follows from them:
    (gross, tare, net, price, price per kg, amount, amount paid). Shared by recording a
    purchase and correcting one."""
    if seller.kind not in GROWER_KINDS:
        _refuse(_("The seller is a grower household or a co-operative."), "not_a_grower", "seller")
    if not seller.path.startswith(point.path):
        _refuse(
            _("%(seller)s is not a seller of this point; add them to the point first.")
            % {"seller": seller},
            "unknown_seller",
            "seller",
        )
    if grade is not None and grade.herb_id != herb.pk:
        _refuse(_("This grade belongs to another herb."), "validation_failed", "grade")
    gross_kg, tare_kg = Decimal(gross_kg), Decimal(tare_kg or 0)
    if gross_kg <= 0 or tare_kg < 0 or tare_kg >= gross_kg:
        _refuse(_("The tare must be less than the gross weight."), "bad_weights", "tare_kg")
    net = gross_kg - tare_kg
    if net_kg is not None and abs(Decimal(net_kg) - net) > CENT:
        _refuse(
            _("Net %(net)s kg is not gross minus tare (%(expected)s kg).")
            % {"net": net_kg, "expected": net},
            "bad_weights",
            "net_kg",
        )
    price = Decimal(price)
    if price <= 0:
        _refuse(_("Enter the price."), "validation_failed", "price", _("Must be more than zero."))
    per_kg = price / JIN_KG if price_unit == PriceUnit.JIN else price
    amount = _money(net * per_kg)
    if amount_paid is None:  # paid in full, unless bought on credit (赊账)
        amount_paid = 0 if payment_method == PaymentMethod.CREDIT else amount
    paid = _money(Decimal(amount_paid))
    if paid < 0 or paid > amount:
        _refuse(
            _("The amount paid (%(paid)s) cannot exceed the amount due (%(amount)s).")
            % {"paid": paid, "amount": amount},
            "overpaid",
            "amount_paid",
        )
    return gross_kg, tare_kg, net, price, per_kg, amount, paid


def _record_purchase(
    *,
    actor: Actor,
    point: Organisation,
    client_key: str,
    seller: Organisation,
    herb,
    gross_kg: Decimal,
    price: Decimal,
    tare_kg: Decimal = Decimal(0),
    net_kg: Decimal | None = None,
    grade=None,
    moisture_pct: Decimal | None = None,
    price_unit: str = PriceUnit.KG,
    amount_paid: Decimal | None = None,
    payment_method: str = "cash",
    lot: str = "",
    id_card: str = "",
    bought_at: dt.datetime | None = None,
    confirm: bool = False,
) -> Purchase:
    policy.require_write(actor, point)
    if point.kind != OrgKind.VILLAGE_POINT:
        _refuse(_("Purchases are recorded at a village buying point."), "not_a_point", "point")
    gross_kg, tare_kg, net, price, per_kg, amount, paid = _terms(
        point, seller, herb, grade, gross_kg, tare_kg, net_kg, price, price_unit, amount_paid,
        payment_method,
    )  # fmt: skip
    when = bought_at or timezone.now()
    if when > timezone.now() + CLOCK_SKEW:
        _refuse(_("A purchase cannot be dated in the future."), "future_date", "bought_at")
    if not confirm:
        check_plausible(herb, net, per_kg, amount)
    # Reads first, outside the transaction: on SQLite it holds the one write lock of the
    # database from its first statement, so it should hold it only to write.
    site = events.node_site(actor, point, create=False)
    if not transaction.get_connection().in_atomic_block:
        # A point's first purchase gives it its place, and the point or seller a GLN if
        # they have none: each kept at once, in a short transaction of its own, so that
        # purchases at once never wait on each other's (nor deadlock).
        site = site or events.node_site(actor, point)
        events.party(actor, point)
        events.party(actor, seller)
    received = bool(lot)
    # Validated before the transaction. Point, seller, herb and grade were read for this
    # purchase, and its place, lot, event and receipt number are set by it below: not
    # validated (nor read again). The key and the receipt number are kept unique by the
    # database (a second send racing the first is a Conflict).
    purchase = records.build(
        Purchase,
        known=("point", "site", "seller", "herb", "grade", "event", "lot", "receipt_no"),
        unique_in_database=True,
        point=point,
        seller=seller,
        herb=herb,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        net_kg=net,
        moisture_pct=moisture_pct,
        price=price,
        price_unit=price_unit,
        price_per_kg=_money(per_kg),
        amount=amount,
        amount_paid=paid,
        payment_method=payment_method,
        received_lot=received,
        client_key=client_key,
        bought_at=when,
    )
    new_lot = None
    if not received and site is not None and seller.gln and point.gln:
        # The usual purchase, of a new lot at a point with its place and parties known: the
        # lot is numbered and its event prepared before the transaction, which then only
        # writes (the writers' lock is held for as little as possible).
        lot, new_lot = _new_lot(actor, point, seller, site, herb, grade, moisture_pct, net, when)
    with transaction.atomic():
        if id_card:
            set_seller_identity(actor=actor, seller=seller, id_card=id_card)
        site = site or events.node_site(actor, point)
        if received:
            # The seller brings a lot of their own (a recorded harvest): the point receives it.
            found = Lot.objects.filter(identifier=lot).first()
            if found is None or found.holder_id != seller.pk:
                _refuse(
                    _("%(seller)s holds no lot %(lot)s.") % {"seller": seller, "lot": lot},
                    "unknown_lot",
                    "lot",
                )
            if found.status != LotStatus.ACTIVE or found.herb_id not in (None, herb.pk):
                _refuse(_("This lot cannot be bought as this herb."), "lot_mismatch", "lot")
            if found.quantity is not None:
                _correction(actor, seller, site, lot, net - found.quantity, when)
            place = {"id": events.sgln(site.gln)}
            event_id = events.capture_id(
                actor,
                point,
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "eventTime": events.time_text(when),
                    "bizStep": "receiving",
                    "disposition": "in_progress",
                    "epcList": [],
                    "quantityList": [{"epcClass": lot, **events.kg(net)}],
                    "readPoint": place,
                    "bizLocation": place,
                    **_parties(actor, seller, point),
                },
                "purchase",
                checked=True,
            )
            if grade is not None and events.lot_gtin(herb, grade) != found.gtin:
                lot = _graded(actor, point, site, lot, herb, grade, moisture_pct, net, when)
        else:
            if new_lot is None:
                lot, new_lot = _new_lot(
                    actor, point, seller, site, herb, grade, moisture_pct, net, when
                )
            event_id = events.store(actor, point, new_lot, checked=True)
        purchase.site, purchase.lot, purchase.event_id = site, lot, event_id
        purchase.receipt_no = _receipt_number(point, when, event_id)
        return records.insert(actor, purchase, savepoint=False)


# --- dispatch and receipt ---------------------------------------------------------------------
def _next_dispatch_number(source: Organisation, when: dt.datetime) -> str:
    stem = f"DS{timezone.localtime(when):%y%m%d}-"
    number = Dispatch.objects.filter(number__startswith=stem).count() + 1
    while Dispatch.objects.filter(number=f"{stem}{number:05d}").exists():
        number += 1
    return f"{stem}{number:05d}"


@transaction.atomic
def dispatch(
    *,
    actor: Actor,
    source: Organisation,
    destination: Organisation,
    lots: Sequence[str],
    sent_at: dt.datetime | None = None,
    vehicle: str = "",
) -> Dispatch:
    """Send whole lots up the network (point → station, station → hub), or from the county
    hub on to a processor, manufacturer or trader that buys them: a shipping event.

    The lots stay in the source's custody until the destination records their receipt;
    the receipt passes their ownership to it.
    """
    policy.require_write(actor, source)
    onward = source.kind == OrgKind.COUNTY_HUB and destination.kind in BUYER_KINDS
    if not onward and (destination.pk == source.pk or not source.path.startswith(destination.path)):
        _refuse(
            _(
                "Lots go up the network, to the station or hub that manages %(source)s; the "
                "county hub sends them on to processors, manufacturers and traders."
            )
            % {"source": source},
            "not_up_the_network",
            "destination",
        )
    if not destination.is_active:
        _refuse(
            _("%(destination)s is no longer active.") % {"destination": destination},
            "inactive_destination",
            "destination",
        )
    lots = list(dict.fromkeys(lots))
    found = {lot.identifier: lot for lot in Lot.objects.filter(identifier__in=lots)}
    if not lots:
        _refuse(_("Choose the lots to send."), "validation_failed", "lots")
    in_transit = set(
        DispatchLine.objects.filter(
            lot__in=lots, dispatch__status=DispatchStatus.IN_TRANSIT
        ).values_list("lot", flat=True)
    )
    for identifier in lots:
        lot = found.get(identifier)
        if lot is None or lot.holder_id != source.pk:
            _refuse(
                _("%(source)s holds no lot %(lot)s.") % {"source": source, "lot": identifier},
                "unknown_lot",
                "lots",
            )
    # Held, failed or recalled, itself or through a lot it was made from: named with why.
    usability.ensure_usable([found[i] for i in lots], doing=usability.SHIP, field="lots")
    for identifier in lots:
        lot = found[identifier]
        if lot.status != LotStatus.ACTIVE or not lot.quantity:
            message = _("Lot %(lot)s is %(status)s and cannot be sent.") % {
                "lot": lot.batch or identifier,
                "status": lot.get_status_display(),
            }
            if lot.status_reason:  # e.g. the failed test that put it on hold
                message += " " + _("Reason: %(reason)s") % {"reason": lot.status_reason}
            _refuse(message, "lot_not_active", "lots")
        if identifier in in_transit:
            _refuse(
                _("Lot %(lot)s is already on its way.") % {"lot": lot.batch or identifier},
                "already_dispatched",
                "lots",
            )
    when = sent_at or timezone.now()
    site = events.node_site(actor, source)
    to_site = events.node_site(actor, destination)
    quantities = [{"epcClass": i, **events.kg(found[i].quantity)} for i in lots]
    event = events.capture(
        actor,
        source,
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": events.time_text(when),
            "bizStep": "shipping",
            "disposition": "in_transit",
            "epcList": [],
            "quantityList": quantities,
            "readPoint": {"id": events.sgln(site.gln)},
            # Custody passes on receipt: the destination is named as a place, not an owner.
            "sourceList": [{"type": "owning_party", "source": events.party(actor, source)}],
            "destinationList": [{"type": "location", "destination": events.sgln(to_site.gln)}],
        },
        "dispatch",
    )
    record = records.create(
        actor,
        Dispatch,
        number=_next_dispatch_number(source, when),
        source=source,
        destination=destination,
        source_site=site,
        destination_site=to_site,
        sent_at=when,
        vehicle=vehicle,
        ship_event=event,
    )
    DispatchLine.objects.bulk_create(
        [
            DispatchLine(
                dispatch=record,
                lot=i,
                herb_id=found[i].herb_id,
                grade_id=found[i].grade_id,
                sent_kg=found[i].quantity,
            )
            for i in lots
        ]
    )
    return record


@transaction.atomic
def receive(
    *,
    actor: Actor,
    dispatch: Dispatch,
    weights: dict[str, Decimal],
    received_at: dt.datetime | None = None,
) -> Dispatch:
    """Record the arrival of a dispatch with the weight found for each lot.

    A difference beyond the herb's arrival tolerance is flagged on the line and the
    dispatch; every difference is written as a weighing correction, so the lot holds what
    was found.
    """
    destination = dispatch.destination
    policy.require_write(actor, destination)
    if dispatch.status != DispatchStatus.IN_TRANSIT:
        raise Conflict(_("This dispatch was received already."), code="already_received")
    lines = list(dispatch.lines.select_related("herb"))
    missing = [line.lot for line in lines if line.lot not in weights]
    extra = set(weights) - {line.lot for line in lines}
    if missing or extra:
        _refuse(
            _("Give the weight found for each lot of the dispatch, and only those."),
            "weights_required",
            "weights",
        )
    when = received_at or timezone.now()
    if when < dispatch.sent_at:
        _refuse(
            _("A dispatch cannot arrive before it is sent."), "validation_failed", "received_at"
        )
    site = dispatch.destination_site or events.node_site(actor, destination)
    flagged = False
    for line in lines:
        found = Decimal(weights[line.lot])
        if found < 0:  # 0: the lot did not arrive (lost on the way), a loss of all of it
            _refuse(_("Enter the weight found."), "validation_failed", "weights")
        line.received_kg = found
        line.difference_kg = found - line.sent_kg
        tolerance = (line.herb.arrival_tolerance_pct if line.herb else Decimal(2)) / 100
        if abs(line.difference_kg) > line.sent_kg * tolerance:
            line.flagged = flagged = True
            line.flag = texts.later(
                gettext_noop(
                    "Arrived %(found)s kg of %(sent)s kg sent (%(pct)s%%), beyond the %(tol)s%% "
                    "tolerance."
                ),
                {
                    "found": found,
                    "sent": line.sent_kg,
                    "pct": _money(line.difference_kg / line.sent_kg * 100),
                    "tol": _money(tolerance * 100),
                },
            )
    place = {"id": events.sgln(site.gln)}
    event = events.capture(
        actor,
        destination,
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": events.time_text(when),
            "bizStep": "receiving",
            "disposition": "in_progress",
            "epcList": [],
            "quantityList": [{"epcClass": line.lot, **events.kg(line.sent_kg)} for line in lines],
            "readPoint": place,
            "bizLocation": place,
            **_parties(actor, dispatch.source, destination),
        },
        "receipt",
    )
    for line in lines:
        correction = _correction(actor, destination, site, line.lot, line.difference_kg, when)
        if line.difference_kg < 0:
            records.create(
                actor,
                Loss,
                holder=destination,
                lot=line.lot,
                kg=-line.difference_kg,
                reason=LossReason.TRANSIT,
                note=dispatch.number,
                recorded_at=when,
                event=correction,
            )
        line.save(update_fields=["received_kg", "difference_kg", "flagged", "flag"])
    return records.update(
        actor,
        dispatch,
        status=DispatchStatus.RECEIVED,
        received_at=when,
        receive_event=event,
        destination_site=site,
        flagged=flagged,
    )


# --- commingling, pallets, losses ----------------------------------------------------------
@transaction.atomic
def commingle(
    *,
    actor: Actor,
    inputs: Sequence[tuple[str, Decimal]],
    made_at: dt.datetime | None = None,
) -> Commingling:
    """Merge lots of one herb and grade into a new lot (a transformation naming its inputs)."""
    lots = input_lots(inputs, doing=usability.COMMINGLE)
    holder = lots[0][0].holder
    policy.require_write(actor, holder)
    grades = {lot.grade_id for lot, _w in lots}
    if len(grades) != 1:
        _refuse(_("Only lots of one herb and one grade are commingled."), "mixed_grades", "inputs")
    herb, grade = lots[0][0].herb, lots[0][0].grade
    total = sum((w for _lot, w in lots), Decimal(0))
    when = made_at or timezone.now()
    site = events.node_site(actor, holder)
    gtin = events.lot_gtin(herb, grade)
    output = events.lot_uri(gtin, events.new_batch(gtin, "M", timezone.localtime(when).date()))
    place = {"id": events.sgln(site.gln)}
    ilmd = {profile.term(profile.ILMD_HERB): herb.code}
    if grade is not None:
        ilmd[profile.term(profile.ILMD_GRADE)] = grade.label
    event = events.capture(
        actor,
        holder,
        {
            "type": "TransformationEvent",
            "eventTime": events.time_text(when),
            "bizStep": "commissioning",
            "disposition": "active",
            "inputQuantityList": [{"epcClass": lot.identifier, **events.kg(w)} for lot, w in lots],
            "outputQuantityList": [{"epcClass": output, **events.kg(total)}],
            "readPoint": place,
            "bizLocation": place,
            "ilmd": ilmd,
        },
        "commingling",
    )
    return records.create(
        actor,
        Commingling,
        holder=holder,
        site=site,
        herb=herb,
        grade=grade,
        lot=output,
        kg=total,
        made_at=when,
        inputs=[{"lot": lot.identifier, "kg": str(w)} for lot, w in lots],
        event=event,
    )


@transaction.atomic
def palletise(*, actor: Actor, lots: Sequence[str], packed_at: dt.datetime | None = None) -> Pallet:
    """Consolidate bags of whole lots onto a pallet with a new SSCC (an aggregation)."""
    chosen = input_lots(
        [(i, found.quantity) for i, found in _whole(lots)], field="lots", doing=usability.PALLETISE
    )
    holder = chosen[0][0].holder
    policy.require_write(actor, holder)
    when = packed_at or timezone.now()
    site = events.node_site(actor, holder)
    code = events.new_sscc()
    place = {"id": events.sgln(site.gln)}
    event = events.capture(
        actor,
        holder,
        {
            "type": "AggregationEvent",
            "action": "ADD",
            "eventTime": events.time_text(when),
            "bizStep": "packing",
            "disposition": "in_progress",
            "parentID": events.sscc_uri(code),
            "childEPCs": [],
            "childQuantityList": [
                {"epcClass": lot.identifier, **events.kg(w)} for lot, w in chosen
            ],
            "readPoint": place,
            "bizLocation": place,
        },
        "pallet",
    )
    return records.create(
        actor,
        Pallet,
        sscc=code,
        holder=holder,
        site=site,
        lots=[{"lot": lot.identifier, "kg": str(w)} for lot, w in chosen],
        packed_at=when,
        event=event,
    )


def _whole(identifiers: Sequence[str]):
    found = {lot.identifier: lot for lot in Lot.objects.filter(identifier__in=list(identifiers))}
    for identifier in identifiers:
        lot = found.get(identifier)
        if lot is None:
            raise NotFound(_("No lot %(lot)s is known.") % {"lot": identifier})
        yield identifier, lot


@transaction.atomic
def record_loss(
    *,
    actor: Actor,
    lot: str,
    kg: Decimal,
    reason: str,
    note: str = "",
    recorded_at: dt.datetime | None = None,
) -> Loss:
    """Record weight lost from a lot in store (sorting, drying on the floor, …)."""
    ((found, weight),) = input_lots([(lot, kg)], field="kg")
    holder = found.holder
    policy.require_write(actor, holder)
    when = recorded_at or timezone.now()
    site = events.node_site(actor, holder)
    # The same DELETE a weighing writes, with the reason on the record.
    event = _correction(actor, holder, site, found.identifier, -weight, when)
    return records.create(
        actor,
        Loss,
        holder=holder,
        lot=found.identifier,
        kg=weight,
        reason=reason,
        note=note,
        recorded_at=when,
        event=event,
    )


# --- geographic indications -------------------------------------------------------------------
@refusals.kept(
    {"gi_lineage", "gi_weight_cap", "more_than_lot"},
    about=lambda lot, indication, **_: (
        Lot.objects.filter(identifier=lot).values_list("holder", flat=True).first(),
        f"{indication} · {lot}",
    ),
)
@transaction.atomic
def claim_gi(
    *,
    actor: Actor,
    lot: str,
    indication: GeographicIndication,
    kg: Decimal,
    purpose: str,
    reference: str = "",
) -> GIClaim:
    """Sell ``kg`` of a lot under a geographic indication (a label or a listing).

    Refused, with the reason, when any lot it was made from comes from outside the GI's
    area (or from no recorded plot), or when the GI's claimed weight would exceed the
    GI-origin weight that entered the chain (fresh weight over the herb's drying ratio).
    """
    found = Lot.objects.filter(identifier=lot).select_related("holder", "herb").first()
    if found is None:
        raise NotFound(_("No lot %(lot)s is known.") % {"lot": lot})
    policy.require_write(actor, found.holder)
    kg = Decimal(kg)
    if kg <= 0:
        _refuse(_("Enter the weight claimed."), "validation_failed", "kg")
    if found.quantity is not None and kg > found.quantity:
        _refuse(
            _("Lot %(lot)s holds %(left)s kg.") % {"lot": found.batch, "left": found.quantity},
            "more_than_lot",
            "kg",
        )
    if found.herb_id != indication.herb_id:
        _refuse(
            _("%(gi)s is a geographic indication of %(herb)s.")
            % {"gi": indication, "herb": indication.herb},
            "gi_wrong_herb",
            "indication",
        )
    problems = gi.lineage_problems(found.identifier, indication)
    if problems:
        _refuse(
            _("%(gi)s cannot be claimed for this lot: %(reason)s")
            % {"gi": indication, "reason": problems[0]},
            "gi_lineage",
            "indication",
        )
    dry_kg = gi.dry_equivalent(found, kg)
    # Claims of one GI, and of one lot, queue here: two at once cannot both pass a limit.
    GeographicIndication.objects.select_for_update().filter(pk=indication.pk).exists()
    Lot.objects.select_for_update().filter(pk=found.pk).exists()
    _check_gi_weight(indication, found, kg, dry_kg)
    return records.create(
        actor,
        GIClaim,
        indication=indication,
        lot=found.identifier,
        holder=found.holder,
        kg=kg,
        dry_equivalent_kg=dry_kg,
        purpose=purpose,
        reference=reference,
    )


def _check_gi_weight(indication, lot: Lot, kg: Decimal, dry_kg: Decimal) -> None:
    """Refuse a claim beyond the GI-origin weight that entered, or one that takes the lot's
    claims beyond what it was made with."""
    cap = gi.cap(indication)
    if cap.claimed + dry_kg > cap.entered:
        _refuse(
            _(
                "%(gi)s cannot be claimed for %(kg)s kg: %(claimed)s kg (dry equivalent) is "
                "already sold under it of %(entered)s kg that entered from its area; this "
                "claim adds %(dry)s kg."
            )
            % {
                "gi": indication,
                "kg": kg,
                "claimed": cap.claimed,
                "entered": cap.entered,
                "dry": dry_kg,
            },
            "gi_weight_cap",
            "kg",
        )
    # Against what the lot was made with: claims made before part of it was used stay valid.
    size = max((q for q in (lot.quantity, gi.made_kg(lot)) if q is not None), default=None)
    before = GIClaim.objects.filter(lot=lot.identifier).aggregate(total=Sum("kg"))["total"] or 0
    if size is not None and before + kg > size:
        _refuse(
            _(
                "Lot %(lot)s holds %(left)s kg, of which %(claimed)s kg is claimed under a "
                "geographic indication already."
            )
            % {"lot": lot.batch, "left": size, "claimed": before},
            "more_than_lot",
            "kg",
        )


# --- reviews of flags -------------------------------------------------------------------------
def review_dispatch(*, actor: Actor, dispatch: Dispatch, note: str) -> Dispatch:
    """Say what the review of an arrival flagged short or over found (core.review): the
    receiving node's manager looks at it (the hub for a station)."""
    return review.review(actor, dispatch, dispatch.destination, note)


# --- corrections (a module of their own; offered here with every other write) ----------------
from .corrections import cancel_dispatch, correct_purchase, void_purchase  # noqa: E402, F401
from .sellers import register_seller  # noqa: E402, F401
