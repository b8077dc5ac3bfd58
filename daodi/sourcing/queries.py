"""Composed, scoped reads of the buying network: sellers, purchases, dispatches, stock per
node, the mass balance (flows replayed from the event store) and the network view."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from daodi.catalog.models import Herb
from daodi.farm.models import GROWER_KINDS
from daodi.orgs import policy
from daodi.orgs.choices import WRITE_ROLES, OrgKind
from daodi.orgs.models import Organisation, Site
from daodi.trace.choices import IN_TRANSIT, LotStatus
from daodi.trace.epcis import identifiers
from daodi.trace.models import Event, Lot

from . import balance, identity
from .choices import DispatchStatus
from .models import (
    Commingling,
    Dispatch,
    DispatchLine,
    GIClaim,
    Loss,
    Packing,
    Pallet,
    Purchase,
)

NETWORK = (OrgKind.COUNTY_HUB, OrgKind.TOWNSHIP_STATION, OrgKind.VILLAGE_POINT)
STOCK_STATUSES = (LotStatus.ACTIVE, LotStatus.ON_HOLD, LotStatus.RECALLED)
KG_FACTOR = {"KGM": Decimal(1), "GRM": Decimal("0.001"), "TNE": Decimal(1000)}


# --- scoped lists ----------------------------------------------------------------------------
def purchases(user, *, write=False):
    return policy.scope(
        Purchase.objects.select_related("point", "seller", "herb", "grade", "site"),
        user,
        write=write,
    )


def dispatches(user, *, write=False):
    """Dispatches from the organisations ``user`` may read (or change) and, to read, those
    sent to them: a processor reads what the hub sends it, to receive it."""
    scope = policy.org_q(user, write=write, prefix="source__")
    if not write:
        scope |= policy.org_q(user, prefix="destination__")
    return (
        Dispatch.objects.filter(scope)
        .select_related("source", "destination")
        .prefetch_related("lines")
    )


def receivable(user):
    """Dispatches the user may receive: in transit to an organisation they may change."""
    return Dispatch.objects.filter(
        policy.org_q(user, write=True, prefix="destination__"), status=DispatchStatus.IN_TRANSIT
    )


def comminglings(user, *, write=False):
    return policy.scope(
        Commingling.objects.select_related("holder", "herb", "grade"), user, write=write
    )


def packings(user, *, write=False):
    return policy.scope(
        Packing.objects.select_related("holder", "trade_item__herb", "trade_item__grade"),
        user,
        write=write,
    )


def pallets(user, *, write=False):
    return policy.scope(Pallet.objects.select_related("holder"), user, write=write)


def losses(user, *, write=False):
    return policy.scope(Loss.objects.select_related("holder"), user, write=write)


def gi_claims(user, *, write=False):
    return policy.scope(GIClaim.objects.select_related("indication", "holder"), user, write=write)


PACKER_KINDS = {OrgKind.PROCESSOR, OrgKind.MANUFACTURER, OrgKind.TRADER}


def packs(user) -> bool:
    """Who packs lots into retail items: processors', manufacturers' and traders' staff."""
    return policy.is_platform_admin(user) or any(
        m.role in WRITE_ROLES and m.organisation.kind in PACKER_KINDS
        for m in user.memberships.select_related("organisation")
    )


def sees_packing(user) -> bool:
    """Whose pages the packing runs are: the packers' and the regulators'."""
    return packs(user) or policy.reads_everything(user)


def points(user, *, write=True):
    """Village points where ``user`` may record purchases."""
    return Organisation.objects.filter(
        policy.org_q(user, write=write), kind=OrgKind.VILLAGE_POINT, is_active=True
    )


def destinations(user):
    """Where ``user`` may send lots: the stations and hubs above the nodes they write (the
    action decides which one of them manages the source) and, for a county hub's staff,
    the processors, manufacturers and traders it sells on to."""
    kinds = [OrgKind.COUNTY_HUB, OrgKind.TOWNSHIP_STATION]
    hub = Organisation.objects.filter(
        policy.org_q(user, write=True), kind=OrgKind.COUNTY_HUB
    ).exists()
    if hub:
        kinds += [OrgKind.PROCESSOR, OrgKind.MANUFACTURER, OrgKind.TRADER]
    return Organisation.objects.filter(kind__in=kinds, is_active=True).order_by("kind", "name")


def nodes(user):
    """The hub, stations and points ``user`` may read."""
    return Organisation.objects.filter(policy.org_q(user), kind__in=NETWORK)


def sellers(user, q: str = "", point=None, limit: int | None = 20):
    """Households and co-operatives ``user`` may read, found by name, phone or ID card
    (the first ``limit``; None: all, as a query set).

    A full ID-card number matches its keyed hash; four or more trailing characters match
    the masked number's end (what a seller reads off their card).
    """
    qs = Organisation.objects.filter(
        policy.org_q(user), kind__in=GROWER_KINDS, is_active=True
    ).select_related("identity")
    if point is not None:
        qs = qs.filter(path__startswith=point.path)
    q = (q or "").strip()
    if q:
        match = Q(name__icontains=q) | Q(phone__contains=q) | Q(code__iexact=q)
        if identity.looks_like_id(q):
            match |= Q(identity__id_card_hash=identity.digest(q, settings.SECRET_KEY))
        elif len(q) >= 4 and q[-4:].replace("X", "").replace("x", "").isdigit():
            match |= Q(identity__id_card_masked__endswith=identity.normalise(q)[-4:])
        qs = qs.filter(match)
    qs = qs.order_by("name", "id")
    return qs if limit is None else qs[:limit]


# --- stock and the network view --------------------------------------------------------------
def stock(org_ids) -> list[dict]:
    """Stock by node, herb and grade (kg), from the lot projection."""
    return list(
        Lot.objects.filter(holder_id__in=org_ids, status=LotStatus.ACTIVE, unit="KGM")
        .exclude(quantity=0)
        .exclude(disposition=IN_TRANSIT)  # shown as in transit, not as the sender's stock
        .values("holder_id", "herb__name", "grade__specification", "grade__grade")
        .annotate(kg=Sum("quantity"), lots=Count("id"))
        .order_by("holder_id", "herb__name", "grade__grade")
    )


def today_purchases(org: Organisation):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Purchase.objects.filter(
        point__path__startswith=org.path, bought_at__gte=start, voided=False
    )


def in_transit(org: Organisation):
    """Dispatches on their way from or to ``org``."""
    return (
        Dispatch.objects.filter(
            Q(source=org) | Q(destination=org), status=DispatchStatus.IN_TRANSIT
        )
        .select_related("source", "destination")
        .prefetch_related("lines")
    )


@dataclass
class NodeFigure:
    org: Organisation
    site: Site | None
    stock_kg: Decimal
    purchases_today: int
    purchased_kg_today: Decimal
    in_transit: int


def network(user) -> list[NodeFigure]:
    """Every node the user may read with its place and today's figures (a few queries)."""
    orgs = list(nodes(user).select_related("managed_by"))
    ids = [o.pk for o in orgs]
    sites = {}
    for site in Site.objects.filter(organisation_id__in=ids).exclude(latitude=None).order_by("id"):
        sites.setdefault(site.organisation_id, site)
    stock_kg = dict(
        Lot.objects.filter(holder_id__in=ids, status=LotStatus.ACTIVE, unit="KGM")
        .exclude(disposition=IN_TRANSIT)
        .values("holder_id")
        .annotate(kg=Sum("quantity"))
        .values_list("holder_id", "kg")
    )
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    bought = {
        row["point_id"]: row
        for row in Purchase.objects.filter(point_id__in=ids, bought_at__gte=start, voided=False)
        .values("point_id")
        .annotate(n=Count("id"), kg=Sum("net_kg"))
    }
    moving = dict(
        Dispatch.objects.filter(source_id__in=ids, status=DispatchStatus.IN_TRANSIT)
        .values("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )
    return [
        NodeFigure(
            org,
            sites.get(org.pk),
            stock_kg.get(org.pk) or Decimal(0),
            bought.get(org.pk, {}).get("n", 0),
            bought.get(org.pk, {}).get("kg") or Decimal(0),
            moving.get(org.pk, 0),
        )
        for org in orgs
    ]


# --- mass balance ---------------------------------------------------------------------------
def _gln(value) -> str | None:
    if not value:
        return None
    try:
        parsed = identifiers.parse(value, verify=False)
    except identifiers.IdentifierError:
        return None
    return parsed.key if parsed.ai in ("414", "417") else None


class _Glns(dict):
    """The GLN of each place or party address, parsed once per replay: a county's events
    name a few hundred places, each thousands of times."""

    def __missing__(self, value):
        self[value] = found = _gln(value)
        return found

    def party(self, doc: dict, key: str, sub: str) -> str | None:
        for entry in doc.get(key) or []:
            if str(entry.get("type", "")).endswith("owning_party"):
                return self[entry.get(sub)]
        return None


class _Canon(dict):
    def __missing__(self, value):
        try:
            canon = identifiers.canonical(value)
        except (identifiers.IdentifierError, TypeError):
            canon = None
        self[value] = canon
        return canon


def _kg(entry: dict) -> Decimal | None:
    factor = KG_FACTOR.get(entry.get("uom", ""))
    if factor is None or "quantity" not in entry:
        return None
    return Decimal(str(entry["quantity"])) * factor


@dataclass
class Replay:
    flows: list[balance.Flow]
    transit: dict[str, tuple[int, Decimal]]  # lot → (sender, kg)


def replay() -> Replay:
    """Every weight flow of the event store, node by node, in event order.

    Custody is replayed alongside (who holds each lot), so a weighing correction or a loss
    counts at the holder of the moment, and a receipt without a shipment (a purchase: the
    grower hands the lot over) counts as leaving the grower.
    """
    relevant = (
        Q(event_type="TransformationEvent")
        | Q(event_type="ObjectEvent", action__in=["ADD", "DELETE"])
        | Q(event_type="ObjectEvent", biz_step__in=["shipping", "receiving"])
    )
    rows = list(
        Event.objects.filter(relevant)
        .order_by("event_time", "id")
        .values_list(
            "event_id",
            "is_declaration",
            "event_type",
            "action",
            "biz_step",
            "read_point",
            "biz_location",
            "organisation_id",
            "document",
        )  # fmt: skip
    )
    withdrawn = {row[0] for row in rows if row[1]}
    gln_of = _Glns()
    for row in rows:
        gln_of[row[5]], gln_of[row[6]]  # noqa: B018 (parsed into the memo)
        gln_of.party(row[8], "sourceList", "source")
        gln_of.party(row[8], "destinationList", "destination")
    glns = {g for g in gln_of.values() if g}
    site_org = dict(Site.objects.filter(gln__in=glns).values_list("gln", "organisation_id"))
    party_org: dict[str, int] = {}
    for gln, pk in (
        Organisation.objects.filter(gln__in=glns)
        .order_by("kind", "name", "id")
        .values_list("gln", "pk")
    ):
        party_org.setdefault(gln, pk)
    canon = _Canon()
    holder: dict[str, int] = {}
    transit: dict[str, tuple[int, Decimal]] = {}
    flows: list[balance.Flow] = []
    add = flows.append
    for event_id, is_decl, kind, action, step, read_point, location, org, doc in rows:
        if is_decl or event_id in withdrawn:
            continue
        place = site_org.get(gln_of[location]) or site_org.get(gln_of[read_point]) or org
        if kind == "TransformationEvent":
            for q in doc.get("inputQuantityList") or []:
                lot, kg = canon[q.get("epcClass")], _kg(q)
                if lot and kg is not None:
                    add(balance.Flow(holder.get(lot, place), lot, "out", kg))
            for q in doc.get("outputQuantityList") or []:
                lot, kg = canon[q.get("epcClass")], _kg(q)
                if lot and kg is not None and place is not None:
                    add(balance.Flow(place, lot, "in", kg))
                    holder[lot] = place
            continue
        quantities = [(canon[q.get("epcClass")], _kg(q)) for q in doc.get("quantityList") or []]
        quantities = [(lot, kg) for lot, kg in quantities if lot and kg is not None]
        if action == "ADD":
            owner = party_org.get(gln_of.party(doc, "destinationList", "destination"))
            for lot, kg in quantities:
                node = holder.get(lot) or owner or place
                if node is not None:
                    add(balance.Flow(node, lot, "in", kg))
                    holder.setdefault(lot, node)
        elif action == "DELETE":
            for lot, kg in quantities:
                node = holder.get(lot, place)
                if node is not None:
                    add(balance.Flow(node, lot, "loss", kg))
        elif step == "shipping":
            sender = party_org.get(gln_of.party(doc, "sourceList", "source"))
            for lot, kg in quantities:
                node = holder.get(lot) or sender or place
                if node is not None:
                    add(balance.Flow(node, lot, "out", kg))
                    transit[lot] = (node, kg)
        elif step == "receiving":
            receiver = party_org.get(gln_of.party(doc, "destinationList", "destination")) or place
            sender = party_org.get(gln_of.party(doc, "sourceList", "source"))
            for lot, kg in quantities:
                if lot in transit:
                    del transit[lot]
                else:  # handed over without a shipment: a purchase from a grower
                    giver = holder.get(lot) or sender
                    if giver is not None and giver != receiver:
                        add(balance.Flow(giver, lot, "out", kg))
                if receiver is not None:
                    add(balance.Flow(receiver, lot, "in", kg))
                    holder[lot] = receiver
    return Replay(flows, transit)


@dataclass
class MassBalance:
    lots: list[balance.Row]
    herbs: list[balance.Row]
    orgs: dict[int, Organisation]
    herb_names: dict[int, str]

    @property
    def imbalances(self) -> list[balance.Row]:
        return [r for r in self.herbs if r.imbalanced]

    @property
    def lot_imbalances(self) -> list[balance.Row]:
        return [r for r in self.lots if r.imbalanced]


def mass_balance(user=None, *, site: str = "", herb: str = "") -> MassBalance:
    """The mass balance of every node ``user`` may read (None: all), optionally of one node
    (organisation code, party or location GLN) and one herb (code)."""
    played = replay()
    flows = played.flows
    names = {f.lot for f in flows}
    lot_rows = list(
        Lot.objects.filter(identifier__in=names).values_list(
            "identifier", "herb_id", "holder_id", "quantity", "unit", "status"
        )
    )
    herb_of = {identifier: herb_id for identifier, herb_id, *_rest in lot_rows}
    stock, transit = {}, {}
    for identifier, _herb, holder_id, quantity, unit, status in lot_rows:
        if identifier in played.transit or holder_id is None or not quantity:
            continue
        if status in STOCK_STATUSES and unit in KG_FACTOR:
            stock[(holder_id, identifier)] = Decimal(quantity) * KG_FACTOR[unit]
    for lot, (sender, kg) in played.transit.items():
        transit[(sender, lot)] = kg
    herbs = {h.pk: h for h in Herb.objects.all()}
    tolerance = {pk: h.balance_tolerance_pct for pk, h in herbs.items()}
    lots, totals = balance.balance(flows, stock, transit, herb_of, tolerance)

    node_ids = {r.node for r in totals}
    visible = Organisation.objects.filter(pk__in=node_ids)
    if user is not None:
        visible = visible.filter(policy.org_q(user))
    if site:
        visible = visible.filter(
            Q(code=site) | Q(gln=site) | Q(sites__gln=site) | Q(name=site)
        ).distinct()
    orgs = {o.pk: o for o in visible}
    herb_id = next((pk for pk, h in herbs.items() if h.code == herb or h.name == herb), None)
    if herb and herb_id is None:
        herb_id = -1

    def keep(r: balance.Row) -> bool:
        return r.node in orgs and (not herb or r.herb == herb_id)

    return MassBalance(
        [r for r in lots if keep(r)],
        [r for r in totals if keep(r)],
        orgs,
        {pk: h.name for pk, h in herbs.items()},
    )


def recent_flags(user, limit: int = 50):
    """The latest flagged arrivals ``user`` may read, newest first."""
    return (
        DispatchLine.objects.filter(policy.org_q(user, prefix="dispatch__source__"), flagged=True)
        .select_related("dispatch__source", "dispatch__destination")
        .order_by("-dispatch__received_at", "-id")[:limit]
    )


def grouped(rows, key):
    out = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return out
