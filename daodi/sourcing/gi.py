"""Geographic-indication protection: lineage checks, the GI weight cap and violations.

A lot may carry a GI only when every lot it was made from (the roots of its backward
lineage) was harvested on a plot inside the GI's area. The weight sold under a GI can never
exceed the GI-origin weight that entered: the fresh weight of harvests from its area,
brought to a dry equivalent with the herb's lowest fresh:dry ratio (the most generous
reading), against claims counted the same way.

Plots are read from the harvest events themselves (ILMD ``daodi:plot``), so lots harvested
by outside systems are checked the same way as ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from daodi.catalog.models import GeographicIndication
from daodi.orgs.models import Division, Site
from daodi.trace import lineage
from daodi.trace.epcis import identifiers, profile
from daodi.trace.models import Event, Lot
from daodi.trace.resolver.story import extension

CENT = Decimal("0.01")
DRY_STEPS = {profile.DRYING, profile.FIXING}


def _gln(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = identifiers.parse(value, verify=False)
    except identifiers.IdentifierError:
        return None
    return parsed.key if parsed.ai == "414" else None


def plot_glns(doc: dict) -> list[str]:
    """The plot GLNs a harvest event names (``daodi:plot`` and ``daodi:plots``)."""
    ilmd = doc.get("ilmd") or {}
    values = [extension(doc, profile.ILMD_PLOT, ilmd)]
    more = extension(doc, "plots", ilmd)
    if isinstance(more, list):
        values += more
    return list(dict.fromkeys(g for g in map(_gln, values) if g))


def _divisions(glns: set[str]) -> dict[str, Division]:
    """Villages of plots by GLN (a farm plot's village, else its site's division)."""
    found = {}
    for site in Site.objects.filter(gln__in=glns).select_related("division", "plot__village"):
        plot = getattr(site, "plot", None)
        division = plot.village if plot is not None else site.division
        if division is not None:
            found[site.gln] = division
    return found


def roots(identifier: str) -> set[str]:
    """The lots ``identifier`` was made from that were made from nothing (itself if none)."""
    edges = lineage.edges(identifier, direction="backward")
    if not edges:
        return {identifier}
    names = {identifier} | {e.source for e in edges}
    return names - {e.target for e in edges}


def origins(lots: set[str]) -> dict[str, list[Division]]:
    """The plot villages each lot was harvested on ([] when no plot is recorded)."""
    rows = Lot.objects.filter(identifier__in=lots).select_related("first_event")
    glns_of = {
        lot.identifier: plot_glns(lot.first_event.document) if lot.first_event_id else []
        for lot in rows
    }
    divisions = _divisions({g for glns in glns_of.values() for g in glns})
    return {lot: [divisions[g] for g in glns_of.get(lot, []) if g in divisions] for lot in lots}


def made_kg(lot: Lot) -> Decimal | None:
    """The weight ``lot`` was made with (its first event's quantity), in kg; None when that
    event gives none in kg."""
    if not lot.first_event_id:
        return None
    doc = Event.objects.filter(pk=lot.first_event_id).values_list("document", flat=True).first()
    for key in ("outputQuantityList", "quantityList"):
        for entry in (doc or {}).get(key) or []:
            try:
                named = identifiers.canonical(entry.get("epcClass"))
            except (identifiers.IdentifierError, TypeError):
                continue
            if named == lot.identifier and entry.get("uom") == "KGM" and "quantity" in entry:
                return Decimal(str(entry["quantity"]))
    return None


def _short(identifier: str) -> str:
    return identifier.rsplit("/", 1)[-1]


def lineage_problems(identifier: str, indication: GeographicIndication) -> list[str]:
    """Why ``identifier`` may not carry ``indication`` (empty when it may)."""
    problems = []
    covered = list(indication.divisions.all())
    prefixes = [d.descendant_codes_prefix() for d in covered]
    for root, places in sorted(origins(roots(identifier)).items()):
        if not places:
            problems.append(
                _("lot %(lot)s has no recorded plot of origin.") % {"lot": _short(root)}
            )
            continue
        for division in places:
            if not any(division.code.startswith(p) for p in prefixes):
                problems.append(
                    _("lot %(lot)s comes from %(place)s, outside the GI's area.")
                    % {"lot": _short(root), "place": division.full_name}
                )
    return problems


def is_dry(identifier: str) -> bool:
    """Whether the lot went through drying (or 杀青) somewhere in its lineage."""
    edges = lineage.edges(identifier, direction="backward")
    steps = set(
        Event.objects.filter(pk__in={e.event_pk for e in edges}).values_list("biz_step", flat=True)
    )
    return bool(steps & DRY_STEPS)


def _ratio(herb) -> Decimal:
    return herb.dry_ratio_min if herb is not None and herb.dry_ratio_min else Decimal(1)


def dry_equivalent(lot: Lot, kg: Decimal) -> Decimal:
    value = Decimal(kg) if is_dry(lot.identifier) else Decimal(kg) / _ratio(lot.herb)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cap:
    entered: Decimal  # dry-equivalent kg harvested inside the GI's area
    claimed: Decimal  # dry-equivalent kg sold under the GI

    @property
    def left(self) -> Decimal:
        return self.entered - self.claimed


def entered(indication: GeographicIndication) -> Decimal:
    """Dry-equivalent kg of the GI's herb harvested on plots inside its area."""
    herb = indication.herb
    prefixes = [d.descendant_codes_prefix() for d in indication.divisions.all()]
    harvests = []
    for doc in Event.objects.filter(biz_step=profile.HARVESTING, action="ADD").values_list(
        "document", flat=True
    ):
        ilmd = doc.get("ilmd") or {}
        if extension(doc, profile.ILMD_HERB, ilmd) not in (herb.code, None):
            continue
        glns = plot_glns(doc)
        fresh = sum(
            (Decimal(str(q.get("quantity", 0))) for q in doc.get("quantityList") or []),
            Decimal(0),
        )
        harvests.append((glns, fresh))
    divisions = _divisions({g for glns, _kg in harvests for g in glns})
    total = Decimal(0)
    for glns, fresh in harvests:
        places = [divisions.get(g) for g in glns]
        if places and all(
            d is not None and any(d.code.startswith(p) for p in prefixes) for d in places
        ):
            total += fresh
    return (total / _ratio(herb)).quantize(CENT, rounding=ROUND_HALF_UP)


def cap(indication: GeographicIndication) -> Cap:
    from .models import GIClaim

    claimed = GIClaim.objects.filter(indication=indication).aggregate(
        total=Sum("dry_equivalent_kg")
    )["total"] or Decimal(0)
    return Cap(entered=entered(indication), claimed=claimed)


@dataclass(frozen=True)
class Violation:
    """A lot that carries a GI it may not, or a GI sold beyond its origin weight."""

    indication: str
    lot: str  # "" for a weight-cap violation of the whole GI
    holder: str
    reason: str


def violations(holder_ids: set[int] | None = None) -> list[Violation]:
    """Every existing violation: GI claims in events (ILMD ``daodi:giClaim``) and in claim
    records whose lineage leaves the area, and GIs sold beyond their origin weight.
    ``holder_ids`` limits the lot violations to those holders (None: all)."""
    from .models import GIClaim

    gis = {
        gi.name: gi
        for gi in GeographicIndication.objects.select_related("herb").prefetch_related("divisions")
    }
    claimed: dict[str, set[str]] = {}
    harvested: list[tuple[str, str, list[str]]] = []  # (lot, GI, plot GLNs)
    for step, doc in Event.objects.filter(document__icontains="giClaim").values_list(
        "biz_step", "document"
    ):
        ilmd = doc.get("ilmd") or {}
        name = extension(doc, profile.ILMD_GI_CLAIM, ilmd)
        if name not in gis:
            continue
        if step == profile.HARVESTING:
            # A harvest's claim rests on its own plots: checked in bulk below, no lineage.
            for q in doc.get("quantityList") or []:
                harvested.append((q.get("epcClass", ""), name, plot_glns(doc)))
            continue
        made = (doc.get("outputQuantityList") or []) + (
            doc.get("quantityList") if doc.get("action") == "ADD" else []
        ) or []
        for q in made:
            try:
                claimed.setdefault(identifiers.canonical(q["epcClass"]), set()).add(name)
            except (identifiers.IdentifierError, KeyError):
                continue
    for claim in GIClaim.objects.select_related("indication"):
        claimed.setdefault(claim.lot, set()).add(claim.indication.name)
    lots = {
        lot.identifier: lot
        for lot in Lot.objects.filter(identifier__in=claimed).select_related("holder")
    }
    found = []
    divisions = _divisions({g for _l, _n, glns in harvested for g in glns})
    for identifier, name, glns in harvested:
        prefixes = [d.descendant_codes_prefix() for d in gis[name].divisions.all()]
        outside = [
            divisions.get(g)
            for g in glns
            if divisions.get(g) is None
            or not any(divisions[g].code.startswith(p) for p in prefixes)
        ]
        if glns and not outside:
            continue
        lot = Lot.objects.filter(identifier=identifier).select_related("holder").first()
        if lot is None or (holder_ids is not None and lot.holder_id not in holder_ids):
            continue
        reason = (
            _("lot %(lot)s comes from %(place)s, outside the GI's area.")
            % {"lot": _short(identifier), "place": outside[0].full_name}
            if outside and outside[0] is not None
            else _("lot %(lot)s has no recorded plot of origin.") % {"lot": _short(identifier)}
        )
        found.append(Violation(name, identifier, lot.holder.name if lot.holder_id else "", reason))
    for identifier, names in sorted(claimed.items()):
        lot = lots.get(identifier)
        if lot is None or (holder_ids is not None and lot.holder_id not in holder_ids):
            continue
        for name in sorted(names):
            problems = lineage_problems(identifier, gis[name])
            if problems:
                found.append(
                    Violation(
                        name, identifier, lot.holder.name if lot.holder_id else "", problems[0]
                    )
                )
    for name, indication in sorted(gis.items()):
        if not GIClaim.objects.filter(indication=indication).exists():
            continue
        c = cap(indication)
        if c.claimed > c.entered:
            found.append(
                Violation(
                    name,
                    "",
                    "",
                    _(
                        "%(claimed)s kg (dry equivalent) sold under it, of %(entered)s kg that "
                        "entered from its area."
                    )
                    % {"claimed": c.claimed, "entered": c.entered},
                )
            )
    return found
