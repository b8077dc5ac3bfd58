"""Corrections of the buying network's records, the EPCIS way (DESIGN §4): a purchase
corrected or voided, a dispatch in transit cancelled.

The wrong event is never changed. It is captured again with an ``errorDeclaration``
(``farm.events.declare_error``) naming the reason and the corrective event, which is
captured first and says what really happened: the purchase's event with the right
weight or seller, or (a cancelled dispatch) a ``void_shipping`` event returning the lots to
the sender's stock. The declaration takes the wrong event's weights back out of the lot
projection and the mass balance leaves the declared event out, so both follow the
correction. Each correction is a ``Correction`` row (who, when, why, what changed) beside
the audit entries of the corrected record. These actions are offered as
``sourcing.actions.correct_purchase`` / ``void_purchase`` / ``cancel_dispatch``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.core import records
from daodi.core.actor import Actor
from daodi.core.errors import Conflict, DomainError
from daodi.farm import events
from daodi.orgs import policy
from daodi.orgs.models import Organisation
from daodi.trace.models import Event, EventIdentifier
from daodi.trace.resolver.story import STEP_LABELS, step_key

from . import actions
from .choices import CorrectionKind, DispatchStatus, ErrorReason
from .models import Correction, Dispatch, DispatchLine, GIClaim, Purchase

# What a correction may change; the first four are stated by the purchase's event.
CORRECTABLE = (
    "seller", "gross_kg", "tare_kg", "moisture_pct", "price", "price_unit", "amount_paid",
    "payment_method",
)  # fmt: skip
IN_EVENT = ("seller", "net_kg", "moisture_pct")
STEP_LABELS.setdefault("void_shipping", gettext_lazy("Shipment cancelled"))


def _why(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Say why the record is corrected."),
            code="reason_required",
            fields={"note": [_("Say why the record is corrected.")]},
        )
    return note[:200]


def _locked(purchase: Purchase) -> Purchase:
    """The purchase read again under a lock (two corrections at once apply one after the
    other), refused once voided."""
    current = Purchase.objects.select_for_update().select_related("point", "seller", "herb")
    current = current.get(pk=purchase.pk)
    if current.voided:
        raise Conflict(_("This purchase was voided."), code="purchase_voided")
    return current


def _own_events(purchase: Purchase) -> set[int]:
    """Events that belong to the purchase and its corrections, or to cancelled dispatches."""
    ids = {purchase.event_id}
    rows = Correction.objects.filter(purchase=purchase) | Correction.objects.filter(
        dispatch__lines__lot=purchase.lot
    )
    for declaration, corrective in rows.values_list("declaration_id", "corrective_id"):
        ids |= {declaration, corrective}
    return ids - {None}


def used_since(purchase: Purchase) -> str:
    """What happened to the purchase's lot since it was bought ("" for nothing): a lot
    dispatched, processed, sampled or claimed cannot have its purchase undone."""
    line = (
        DispatchLine.objects.filter(lot=purchase.lot)
        .exclude(dispatch__status=DispatchStatus.CANCELLED)
        .select_related("dispatch")
        .first()
    )
    if line is not None:
        return _("dispatched in %(number)s") % {"number": line.dispatch.number}
    own = _own_events(purchase)
    later = (
        Event.objects.filter(
            pk__in=EventIdentifier.objects.filter(identifier=purchase.lot).values("event_id"),
            is_declaration=False,
        )
        .exclude(pk__in=own)
        .exclude(
            event_id__in=Event.objects.filter(is_declaration=True).values("event_id")
        )  # declared wrong: no longer happened
        .order_by("id")
        .first()
    )
    if later is not None:
        return _("used since (%(step)s, %(time)s)") % {
            "step": STEP_LABELS.get(step_key(later), later.event_type),
            "time": timezone.localtime(later.event_time).strftime("%Y-%m-%d %H:%M"),
        }
    if GIClaim.objects.filter(lot=purchase.lot).exists():
        return _("claimed under a geographic indication")
    return ""


def _refuse_if_used(purchase: Purchase, what: str) -> None:
    if purchase.received_lot:
        raise DomainError(
            _(
                "This purchase received the seller's own recorded lot; %(what)s it is not "
                "offered. Record a loss or a weighing at the point instead."
            )
            % {"what": what},
            code="own_lot_purchase",
        )
    used = used_since(purchase)
    if used:
        raise DomainError(
            _("The lot of purchase %(receipt)s was %(used)s; %(what)s it is refused.")
            % {"receipt": purchase.receipt_no, "used": used, "what": what},
            code="lot_used",
        )


def _record(actor: Actor, organisation: Organisation, **fields) -> Correction:
    return records.create(
        actor,
        Correction,
        organisation=organisation,
        user=actor.user,
        channel=actor.channel,
        **fields,
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 50.000 kg reads 50
    return str(value)


def _changed(purchase: Purchase, new: dict) -> dict:
    """{field: [old, new]} of the values ``new`` changes, as text."""
    out = {}
    for name, value in new.items():
        old = getattr(purchase, name)
        if getattr(old, "pk", old) != getattr(value, "pk", value):
            out[name] = [_text(old), _text(value)]
    return out


@transaction.atomic
def correct_purchase(
    *, actor: Actor, purchase: Purchase, note: str, confirm: bool = False, **fields
) -> Purchase:
    """Correct a purchase's seller, weights, moisture, price or payment, saying why.

    Where the change is one the purchase's event states (seller, net weight, moisture),
    a corrective event with the right values is captured and the first event declared
    wrong (``incorrect_data``); refused once the lot was dispatched, processed or claimed.
    A change of price or payment only corrects the record (and its receipt).
    """
    policy.require_write(actor, purchase.point)
    note = _why(note)
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise DomainError(
            _("These cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    purchase = _locked(purchase)
    given = {name: fields.get(name, getattr(purchase, name)) for name in CORRECTABLE}
    if "amount_paid" not in fields:  # paid in full stays paid in full
        paid_in_full = purchase.amount_paid == purchase.amount
        given["amount_paid"] = None if paid_in_full else purchase.amount_paid
    gross, tare, net, price, per_kg, amount, paid = actions._terms(
        purchase.point, given["seller"], purchase.herb, purchase.grade, given["gross_kg"],
        given["tare_kg"], None, given["price"], given["price_unit"], given["amount_paid"],
        given["payment_method"],
    )  # fmt: skip
    if not confirm:
        actions.check_plausible(purchase.herb, net, per_kg, amount)
    new = {
        "seller": given["seller"], "gross_kg": gross, "tare_kg": tare, "net_kg": net,
        "moisture_pct": given["moisture_pct"], "price": price, "price_unit": given["price_unit"],
        "price_per_kg": actions._money(per_kg), "amount": amount, "amount_paid": paid,
        "payment_method": given["payment_method"],
    }  # fmt: skip
    changes = _changed(purchase, new)
    if not changes:
        raise DomainError(_("Nothing to correct: the values are as recorded."), code="no_change")
    declaration = corrective = None
    if set(changes) & set(IN_EVENT):
        _refuse_if_used(purchase, _("correcting its weight or seller"))
        corrective, declaration = _corrected_event(actor, purchase, new)
        new["event"] = corrective
    corrected = records.update(actor, purchase, **new)
    _record(
        actor, purchase.point, purchase=corrected, kind=CorrectionKind.CORRECTED,
        reason=ErrorReason.INCORRECT_DATA, note=note, changes=changes,
        declaration=declaration, corrective=corrective,
    )  # fmt: skip
    return corrected


def _corrected_event(actor: Actor, purchase: Purchase, new: dict) -> tuple[Event, Event]:
    """The purchase's event as it should have been, then the declaration of the first."""
    point = purchase.point
    events.party(actor, new["seller"])
    body = actions.commissioning(
        actor, point, new["seller"], purchase.site, purchase.herb, purchase.grade,
        new["moisture_pct"], new["net_kg"], purchase.bought_at, purchase.lot,
    )  # fmt: skip
    corrective = events.capture(actor, point, body, "purchase")
    declaration = events.declare_error(
        actor, point, purchase.event, reason=events.INCORRECT_DATA, corrective=(corrective,)
    )
    return corrective, declaration


@transaction.atomic
def void_purchase(*, actor: Actor, purchase: Purchase, note: str) -> Purchase:
    """Void a purchase that did not happen (entered twice, the seller walked away): its
    event is declared ``did_not_occur``, so its lot holds nothing and the mass balance and
    the day's settlement leave it out. Refused once the lot was dispatched or used."""
    policy.require_write(actor, purchase.point)
    note = _why(note)
    purchase = _locked(purchase)
    _refuse_if_used(purchase, _("voiding the purchase"))
    declaration = events.declare_error(
        actor, purchase.point, purchase.event, reason=events.DID_NOT_OCCUR
    )
    voided = records.update(actor, purchase, voided=True)
    _record(
        actor, purchase.point, purchase=voided, kind=CorrectionKind.VOIDED,
        reason=ErrorReason.DID_NOT_OCCUR, note=note, declaration=declaration,
    )  # fmt: skip
    return voided


@transaction.atomic
def cancel_dispatch(*, actor: Actor, dispatch: Dispatch, note: str) -> Dispatch:
    """Cancel a dispatch still in transit: the lots never left (a ``void_shipping`` event
    at the sender, and the shipping event declared ``did_not_occur``), so they are the
    sender's stock again and may be sent anew."""
    policy.require_write(actor, dispatch.source)
    note = _why(note)
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.status != DispatchStatus.IN_TRANSIT:
        raise Conflict(
            _("Only a dispatch in transit can be cancelled; this one is %(status)s.")
            % {"status": dispatch.get_status_display()},
            code="not_in_transit",
        )
    site = dispatch.source_site
    lines = list(dispatch.lines.all())
    corrective = events.capture(
        actor,
        dispatch.source,
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": events.time_text(timezone.now()),
            "bizStep": "void_shipping",
            "disposition": "in_progress",
            "epcList": [],
            "quantityList": [{"epcClass": line.lot, **events.kg(line.sent_kg)} for line in lines],
            "readPoint": {"id": events.sgln(site.gln)},
            "bizLocation": {"id": events.sgln(site.gln)},
        },
        "dispatch-cancel",
    )
    declaration = events.declare_error(
        actor,
        dispatch.source,
        dispatch.ship_event,
        reason=events.DID_NOT_OCCUR,
        corrective=(corrective,),
    )
    cancelled = records.update(actor, dispatch, status=DispatchStatus.CANCELLED)
    _record(
        actor, dispatch.source, dispatch=cancelled, kind=CorrectionKind.CANCELLED,
        reason=ErrorReason.DID_NOT_OCCUR, note=note, declaration=declaration,
        corrective=corrective,
    )  # fmt: skip
    return cancelled
