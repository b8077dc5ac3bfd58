"""The events our own actions write: identifiers, places, parties, and capture.

Farm and sourcing actions build EPCIS 2.0 events in the daodi herb profile and capture them
through ``trace.actions.capture_event`` inside their own transaction, so the business record,
its event and the lot projection commit together or not at all.

Places are GLNs (written as GS1 Digital Links, the form the store keeps canonically);
an organisation or site that holds lots and has none gets one under our company prefix.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.catalog.models import TradeItem
from daodi.core import gs1, numbers, records
from daodi.core.actor import Actor
from daodi.core.compiled import CompiledQuery
from daodi.core.errors import DomainError
from daodi.orgs.choices import OrgKind, SiteKind
from daodi.orgs.models import Organisation, Site
from daodi.trace import actions as trace_actions
from daodi.trace.epcis import profile
from daodi.trace.models import Event, Lot

DL = "https://id.gs1.org"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT = [EPCIS_CONTEXT, profile.CONTEXT]
RECORD = profile.term("record")  # our reference of the business record (keeps hashes apart)
SITE_FOR = {
    OrgKind.VILLAGE_POINT: SiteKind.BUYING_POINT,
    OrgKind.TOWNSHIP_STATION: SiteKind.WAREHOUSE,
    OrgKind.COUNTY_HUB: SiteKind.WAREHOUSE,
    OrgKind.PROCESSOR: SiteKind.PLANT,
}


# --- identifiers ------------------------------------------------------------------------------
def lot_uri(gtin: str, batch: str) -> str:
    return f"{DL}/01/{gtin}/10/{batch}"


def item_uri(gtin: str, serial: str) -> str:
    """A serialised retail item (SGTIN) as a Digital Link."""
    return f"{DL}/01/{gtin}/21/{serial}"


def sgln(gln: str) -> str:
    return f"{DL}/414/{gln}"


def pgln(gln: str) -> str:
    return f"{DL}/417/{gln}"


def sscc_uri(code: str) -> str:
    return f"{DL}/00/{code}"


def kg(value) -> dict:
    return {"quantity": float(Decimal(value)), "uom": "KGM"}


def time_text(when: dt.datetime) -> str:
    return timezone.localtime(when).isoformat(timespec="seconds")


def noon(day: dt.date) -> dt.datetime:
    """A date-only record's event time: noon, local time."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))


def _highest_reference() -> int:
    """The highest location reference used under our prefix (over sites and organisations)."""
    prefix = settings.GS1_COMPANY_PREFIX
    taken = 0
    for model in (Site, Organisation):
        top = model.objects.filter(gln__startswith=prefix).aggregate(top=Max("gln"))["top"]
        if top:
            taken = max(taken, int(top[len(prefix) : 12]))
    return taken


def new_gln() -> str:
    """A free GLN under our prefix, numbered by a counter (two transactions giving places
    their first GLNs at once never get one number); GLNs entered some other way are
    stepped over."""
    prefix = settings.GS1_COMPANY_PREFIX
    while True:
        reference = numbers.take(f"gln/{prefix}", _highest_reference)
        if reference >= 10 ** (12 - len(prefix)):
            raise DomainError(_("No GLN is left under the company prefix."), code="gln_exhausted")
        gln = gs1.make_key(prefix, reference, 13)
        if not (
            Site.objects.filter(gln=gln).exists() or Organisation.objects.filter(gln=gln).exists()
        ):
            return gln


def party(actor: Actor, org: Organisation) -> str:
    """The party GLN URI of ``org``, giving it a GLN first if it has none (once, even when
    two actions for it run at once: the organisation's row is locked and read again)."""
    if not org.gln:
        with transaction.atomic():
            current = Organisation.objects.select_for_update().get(pk=org.pk)
            if current.gln:
                org.gln = current.gln
            else:
                records.update(Actor.system() if actor.is_system else actor, org, gln=new_gln())
    return pgln(org.gln)


_NODE_SITE = CompiledQuery(
    lambda org: (
        Site.objects.filter(organisation_id=org, is_active=True)
        .exclude(gln=None)
        .exclude(gln="")
        .exclude(kind=SiteKind.PLOT)
        .order_by("id")[:1]
    ),
    int,
    model=True,
)


def node_site(actor: Actor, org: Organisation, *, create: bool = True) -> Site | None:
    """The place where ``org`` keeps lots: its first active site with a GLN (one is made,
    named after the organisation, when it has none; None then unless ``create``)."""
    site = _NODE_SITE.first(org.pk)
    if site is None and create:
        with transaction.atomic():
            # One place, even when the first two purchases at a new point come at once.
            Organisation.objects.select_for_update().filter(pk=org.pk).first()
            site = _NODE_SITE.first(org.pk) or records.create(
                actor,
                Site,
                organisation=org,
                kind=SITE_FOR.get(org.kind, SiteKind.WAREHOUSE),
                name=org.name,
                gln=new_gln(),
                division=org.division,
            )
    return site


_TRADE_ITEMS = CompiledQuery(
    lambda herb: (
        TradeItem.objects.filter(herb_id=herb)
        .order_by("gtin")
        .values_list("gtin", "grade_id", "net_quantity", "grade__grade")
    ),
    int,
)


def lot_item(herb, grade=None) -> tuple[str, int | None]:
    """(GTIN, grade id) of the bulk trade item lots of ``herb`` (and ``grade``) are
    numbered under.

    Variable-measure GTINs (indicator 9) are bulk; a grade's own item wins over the herb's
    general one. Refused, naming the herb, when the catalogue has none.
    """
    items = _TRADE_ITEMS.rows(herb.pk)  # (gtin, grade id, net quantity, grade name)
    bulk = [i for i in items if i[0].startswith("9") or i[2] is None]
    for pool in (bulk, items):
        if grade is not None:
            match = [i for i in pool if i[1] == grade.pk]
            if match:
                return match[0][:2]
        general = [i for i in pool if i[1] is None or i[3] == "统货"]
        if general:
            return general[0][:2]
    if items:
        return items[0][:2]
    raise DomainError(
        _("No trade item (GTIN) is registered for %(herb)s; a platform administrator adds one.")
        % {"herb": herb},
        code="no_trade_item",
    )


def lot_gtin(herb, grade=None) -> str:
    """The GTIN lots of ``herb`` (and ``grade``) are numbered under (see :func:`lot_item`)."""
    return lot_item(herb, grade)[0]


_LOT_NAMED = CompiledQuery(
    lambda identifier: Lot.objects.filter(identifier=identifier).values_list("pk")[:1], str
)


def new_batch(gtin: str, letter: str, day: dt.date, *, at_once: bool = False) -> str:
    """A free batch number under ``gtin``: letter, date, running number (H260915-0003).

    The running number comes from a counter, so two lots (two purchases of one herb at two
    points) are never given one number; lots named by outside documents are stepped over.
    Inside a transaction it is numbered under capture's writers' lock, taken here for the
    rest of the transaction (the lot's capture takes it anyway), so that no document can
    name the lot between the check and the capture. ``at_once`` outside a transaction: the
    number is taken and kept at once, with no lock held afterwards (a lot created by an
    outside document under our own prefix with that very number in between would be
    added to, not refused; a failed caller leaves a gap in the numbers).
    """
    stem = f"{letter}{day:%y%m%d}-"

    def used() -> int:
        return Lot.objects.filter(gtin=gtin, batch__startswith=stem).count()

    def free() -> str:
        while True:
            batch = f"{stem}{numbers.take(f'batch/{gtin}/{stem}', used):04d}"
            if _LOT_NAMED.first(lot_uri(gtin, batch)) is None:
                return batch

    if at_once and not transaction.get_connection().in_atomic_block:
        return free()  # the counter's one statement commits by itself (autocommit)
    trace_actions.hold_writers_lock()
    return free()


def new_sscc() -> str:
    """A free SSCC under our prefix (extension digit 0), numbered by a counter (two pallets
    made at once never share one) under capture's writers' lock, as :func:`new_batch`."""
    prefix = settings.GS1_COMPANY_PREFIX
    width = 16 - len(prefix)
    stem = f"{DL}/00/0{prefix}"

    def used() -> int:
        return Lot.objects.filter(identifier__startswith=stem).count()

    trace_actions.hold_writers_lock()
    while True:
        body = "0" + prefix + str(numbers.take(f"sscc/{prefix}", used)).zfill(width)
        code = body + gs1.check_digit(body)
        if _LOT_NAMED.first(sscc_uri(code)) is None:
            return code


# --- capture --------------------------------------------------------------------------------
def capture(actor: Actor, organisation: Organisation, event: dict, reference: str = "") -> Event:
    """Capture one of our events for ``organisation``; returns the stored event.

    ``reference`` names the business record; with a random part it keeps two identical
    records (two 50 kg purchases in one second) from being taken for one event.
    """
    return Event.objects.get(pk=capture_id(actor, organisation, event, reference))


def prepare(event: dict, reference: str = "", known: dict | None = None, new_lots=()):
    """One of our events, completed (context, time zone, record reference) and prepared
    for storing: validated, hashed, its places looked up (but those ``known``, see
    :func:`known`). ``new_lots``: lots just numbered by :func:`new_batch` (inserted, not
    looked for). Nothing is written, so an action does this before its transaction."""
    body = {"@context": CONTEXT, "eventTimeZoneOffset": "+08:00", **event}
    body[RECORD] = f"{reference or 'record'}/{uuid.uuid4().hex[:12]}"
    return trace_actions.prepare_own_event(body, known, frozenset(new_lots))


def known(*, sites=(), parties=(), items=()) -> dict:
    """What an action knows of the places (sites), parties (organisations) and trade
    items ((GTIN, herb id, grade id)) its event names: not looked up again."""
    return {
        "places": {sgln(s.gln): (s.pk, s.organisation_id) for s in sites if s.gln},
        "parties": {pgln(o.gln): o.pk for o in parties if o.gln},
        "items": {gtin: (herb, grade) for gtin, herb, grade in items},
    }


def store(actor: Actor, organisation: Organisation, event, *, checked: bool = False) -> int:
    """Store a prepared event of ours for ``organisation``; its id.

    ``checked``: the calling action has just required write access to ``organisation``
    for ``actor`` itself, so it is not checked a second time.
    """
    if not checked:
        organisation = trace_actions.capturing_organisation(actor, organisation)
    return trace_actions.store_own_event(organisation=organisation, event=event)


def capture_id(
    actor: Actor,
    organisation: Organisation,
    event: dict,
    reference: str = "",
    *,
    checked: bool = False,
) -> int:
    """:func:`capture` returning only the stored event's id (nothing read back)."""
    return store(actor, organisation, prepare(event, reference), checked=checked)


# CBV 2.0 error reasons (ErrorReason-): what an error declaration says of the declared event.
INCORRECT_DATA = "incorrect_data"
DID_NOT_OCCUR = "did_not_occur"


def declare_error(
    actor: Actor,
    organisation: Organisation,
    event: Event,
    *,
    reason: str,
    corrective: tuple[Event, ...] = (),
    when: dt.datetime | None = None,
) -> Event:
    """Declare one of the stored events wrong, the EPCIS way (2.0 §7.4.1.4): the event is
    captured again, unchanged, with an ``errorDeclaration`` naming the reason and the
    corrective events (captured first, so the declaration can name them).

    The event itself is never changed; the declaration undoes its weights in the lot
    projection (``trace.projection``) and the mass balance leaves it out.
    """
    body = {k: v for k, v in event.document.items() if k != "recordTime"}
    declaration = {"declarationTime": time_text(when or timezone.now()), "reason": reason}
    if corrective:
        declaration["correctiveEventIDs"] = [e.event_id for e in corrective]
    body["errorDeclaration"] = declaration
    prepared = trace_actions.prepare_own_event(body)
    return Event.objects.get(pk=store(actor, organisation, prepared))


def lot_of(identifier: str) -> Lot | None:
    return (
        Lot.objects.filter(identifier=identifier).select_related("herb", "grade", "holder").first()
    )
