"""The consumer trace page's data: one function that reads the store and returns plain data.

``build(identifier)`` answers everything the page shows about a lot or a serialised item —
herb, grade, pack, origin and GI, plots and harvest dates, processing steps, the chain of
custody, status and recall — from a fixed handful of queries whatever the chain's length:
the backward lineage (one recursive query), the events naming anything in it, the lots, the
places and parties those events name, the trade item and the herb's geographic indications.

The result is plain data (dicts, lists, strings, dates) so it can be cached and rendered
without touching the database again. ``version`` (the newest event of any lot in the
lineage, plus the lots' row stamps) lets the view tell whether a cached story is still
current with one cheap query.

Other apps add to the page through *sections* (farm records, test results, certificates…):

    from daodi.trace.resolver import story

    def farm_records(ctx: story.Context) -> story.Section | None:
        ...  # a few bulk queries over ctx.names / ctx.plots, never one per node
        return story.Section("farm", _("Farm records"), "farm/resolver_section.html", data)

    story.register_section("farm", farm_records, order=20)   # in AppConfig.ready()

A section's data must change only through events on the lineage (which change ``version``)
or the app must call :func:`invalidate` after changing what it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.catalog.models import GeographicIndication, TradeItem
from daodi.catalog.units import unit_name
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Division, Organisation, Site

from .. import lineage, places, queries, usability, vocabulary
from ..epcis import identifiers, profile
from ..models import Event, Lot

CBV_STEP_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")
CBV_DISP_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:")
CBV_SDT_PREFIX = "https://ref.gs1.org/cbv/SDT-"

# Names of business steps (CBV words and our herb profile's), shared with every page.
STEP_LABELS = vocabulary.STEPS
# Steps that change the material itself: the page's "processing" strip.
PROCESSING_STEPS = {
    "harvest", "harvesting", "commingling", "transformation", "drying", "fresh_cutting",
    "fixing", "slicing", "extraction", "packing", "repackaging",
}  # fmt: skip
# A lot's status as a consumer reads it.
STATUS_LABELS = {
    "active": gettext_lazy("Normal"),
    "on_hold": gettext_lazy("On hold"),
    "recalled": gettext_lazy("Recalled"),
    "consumed": gettext_lazy("Used in processing"),
    "destroyed": gettext_lazy("Destroyed"),
    usability.FAILED: gettext_lazy("Failed its quality test"),
}


@dataclass
class Section:
    """A block of the page contributed by an app: rendered with ``template`` (gets
    ``section``), shown in ``order``. ``links`` ({"href", "title", "rel"}) also go into the
    linkset, e.g. ``rel="https://gs1.org/voc/certificationInfo"`` for a certificate."""

    key: str
    title: str
    template: str
    data: dict | list
    order: int = 100
    links: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "template": self.template,
            "data": self.data,
            "order": self.order,
            "links": self.links,
        }


@dataclass
class Context:
    """What section builders get: the lineage and the rows the story was built from."""

    root: str
    names: list[str]  # the scanned identifier and everything it was made from
    lots: dict[str, Lot]
    events: list[Event]  # relevant events, oldest first
    plots: list[dict]  # as in the story, with "gln" when the plot is a known place
    herb_id: int | None


SectionBuilder = Callable[[Context], Section | None]
_SECTIONS: dict[str, tuple[int, SectionBuilder]] = {}


def register_section(key: str, builder: SectionBuilder, *, order: int = 100) -> None:
    """Add (or replace, by ``key``) a section of the consumer page."""
    _SECTIONS[key] = (order, builder)


class Missing(LookupError):
    """No lot or item with this identifier is registered."""


GENERATION_KEY = "resolver:generation"


def invalidate() -> None:
    """Make every cached story stale (for changes that reach the page without an event:
    renamed organisations or places, edited GI areas, an app's own section data)."""
    from .views import shared_cache, story_cache

    cache = story_cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    shared_cache().clear()


# --- reading events -------------------------------------------------------------------


def _prefixes(doc: dict) -> set[str]:
    """The prefixes a stored event's own @context binds to our profile namespace."""
    found = {profile.PREFIX}
    context = doc.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            found.update(k for k, v in entry.items() if v == profile.NAMESPACE)
    return found


def extension(doc: dict, name: str, where: dict | None = None):
    """A daodi extension field (``daodi:name`` or its full URI) of an event or its ILMD."""
    where = doc if where is None else where
    if not isinstance(where, dict):
        return None
    for prefix in _prefixes(doc):
        if f"{prefix}:{name}" in where:
            return where[f"{prefix}:{name}"]
    return where.get(profile.NAMESPACE + name)


def _word(value: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def step_key(event: Event) -> str:
    """The page's name for what an event did (a key of STEP_LABELS, or the raw word)."""
    doc = event.document
    biz = _word(event.biz_step or "", CBV_STEP_PREFIXES)
    if biz.startswith(profile.NAMESPACE + "BizStep-"):
        biz = biz[len(profile.NAMESPACE + "BizStep-") :]
    if _word(event.disposition or "", CBV_DISP_PREFIXES) == "recalled":
        return "recall"
    if event.event_type == "ObjectEvent" and event.action == "ADD" and biz == "commissioning":
        ilmd = doc.get("ilmd") or {}
        if extension(doc, profile.ILMD_PLOT, ilmd) or extension(
            doc, profile.ILMD_HARVEST_DATE, ilmd
        ):
            return "harvest"
    if event.event_type == "AggregationEvent" and biz in ("", "packing"):
        return "case_packing"  # into a case or onto a pallet, not a change of the material
    if event.event_type == "TransformationEvent" and biz in ("", "commissioning", "transforming"):
        inputs = len(doc.get("inputEPCList") or []) + len(doc.get("inputQuantityList") or [])
        return "commingling" if inputs > 1 else "transformation"
    return biz or "other"


@lru_cache(maxsize=8192)  # the same few identifiers recur in every event of a lineage
def _canon(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return identifiers.parse(value, verify=False).canonical
    except identifiers.IdentifierError:
        return None


def _named_objects(doc: dict, keys=("quantityList", "epcList")) -> set[str]:
    """Canonical identifiers an event names under ``keys`` (quantity classes and EPCs)."""
    found = set()
    for key in keys:
        for entry in doc.get(key) or []:
            found.add(_canon(entry.get("epcClass") if isinstance(entry, dict) else entry))
    return found - {None}


_gln = places.gln


def _owner(doc: dict) -> str | None:
    for entry in doc.get("destinationList") or []:
        if _word(str(entry.get("type", "")), (CBV_SDT_PREFIX,)) == "owning_party":
            return entry.get("destination")
    return None


def _outputs(event: Event, names: set[str]) -> tuple[Decimal | None, str, int]:
    """Quantity (and unit) or item count this event gives the lineage's lots."""
    doc = event.document
    if event.event_type == "TransformationEvent":
        epcs, classes = doc.get("outputEPCList") or [], doc.get("outputQuantityList") or []
    else:
        epcs = (doc.get("epcList") or []) + (doc.get("childEPCs") or [])
        classes = (doc.get("quantityList") or []) + (doc.get("childQuantityList") or [])
    total, unit = None, ""
    for q in classes:
        if _canon(q.get("epcClass")) in names and "quantity" in q:
            try:
                total = (total or Decimal(0)) + Decimal(str(q["quantity"]))
            except InvalidOperation:
                continue
            unit = q.get("uom", "")
    count = sum(1 for e in epcs if _canon(e) in names)
    return total, unit, count


def _quantity_text(total: Decimal | None, unit: str, count: int) -> str:
    if total is not None:
        text = f"{total.normalize():f}"
        return f"{text} {unit_name(unit)}".strip()
    if count:
        return _("%(count)s item(s)") % {"count": count}
    return ""


# --- people and places ------------------------------------------------------------------


def mask_name(name: str) -> str:
    """A household's name as the public sees it: the surname, the rest starred (王**)."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def party_name(org: Organisation | None) -> str:
    if org is None:
        return ""
    return mask_name(org.name) if org.kind == OrgKind.HOUSEHOLD else org.name


def division_text(division: Division | None) -> str:
    """Township and village (with the county before them), e.g. 太行县东山乡杏树村."""
    names, node = [], division
    while node is not None:
        names.append(node.name)
        # Three levels are loaded with select_related; asking for a fourth is a query.
        node = node.parent if len(names) < 3 else None
    return "".join(reversed(names))


def _date(value) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# --- the story --------------------------------------------------------------------------

_DIVISION = "division__parent__parent"


def lookup(identifier: str) -> Lot | None:
    """The lot or item itself, or None (one query)."""
    return (
        Lot.objects.filter(identifier=identifier)
        .select_related("herb", "grade", "holder__" + _DIVISION, "site__" + _DIVISION)
        .first()
    )


def version_of(names: list[str]) -> str:
    """A stamp that changes whenever any lot of the lineage gets an event (one query).

    Asked on every scan of a cached page, so it is plain SQL: building the ORM aggregate
    cost more than running it.
    """
    last, updated = 0, None
    names = list(names)
    with connection.cursor() as cursor:
        for start in range(0, len(names), 900):  # SQLite binds at most 999 parameters
            chunk = names[start : start + 900]
            cursor.execute(_version_sql().format(", ".join(["%s"] * len(chunk))), chunk)
            top, stamp = cursor.fetchone()
            last = max(last, top or 0)
            if isinstance(stamp, str):  # SQLite: naive UTC text
                stamp = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC)
            if stamp is not None and (updated is None or stamp > updated):
                updated = stamp
    return _stamp(last, updated)


@lru_cache(maxsize=1)
def _version_sql() -> str:
    qn = connection.ops.quote_name
    return (
        f"SELECT MAX({qn('last_event_id')}), MAX({qn('updated_at')}) "
        f"FROM {qn(Lot._meta.db_table)} WHERE {qn('identifier')} IN ({{}})"
    )


def _stamp(last_event: int, updated: dt.datetime | None) -> str:
    # The row stamp guards against a reloaded database reusing event ids.
    return f"{last_event}:{updated.timestamp() if updated else ''}"


def _relevant(events: list[Event], names: set[str], cutoff: dict[str, dt.datetime]) -> list[Event]:
    """Drop events an input lot had after it went into this lineage (its other buyers'
    business) and events withdrawn by an error declaration."""
    declared = {e.event_id for e in events if e.is_declaration}
    kept = []
    for event in events:
        if event.event_id in declared:
            continue
        named = {n for n in (_canon(v) for v in _named(event.document)) if n in names}
        if named and all(n in cutoff and event.event_time > cutoff[n] for n in named):
            continue
        kept.append(event)
    return kept


def _named(doc: dict):
    for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        yield from doc.get(key) or []
    if doc.get("parentID"):
        yield doc["parentID"]
    for key in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
        for q in doc.get(key) or []:
            yield q.get("epcClass")


def _containers(events: list[Event], names: set[str]) -> dict[str, dt.datetime]:
    """Pallets and cases the lineage's items were packed into, with when (its custody
    then travels with the container)."""
    found: dict[str, dt.datetime] = {}
    for event in events:
        doc = event.document
        if event.event_type != "AggregationEvent" or event.action != "ADD":
            continue
        parent = _canon(doc.get("parentID"))
        children = {_canon(c) for c in doc.get("childEPCs") or []} | {
            _canon(q.get("epcClass")) for q in doc.get("childQuantityList") or []
        }
        if parent and parent not in names and children & names:
            found[parent] = min(found.get(parent, event.event_time), event.event_time)
    return found


@dataclass
class _Loaded:
    names: set[str]
    containers: dict[str, dt.datetime]
    rows: list[Lot]  # every lot read, containers included (for the version stamp)
    lots: dict[str, Lot]  # the lineage's lots
    events: list[Event]
    edges: list[lineage.Edge]


def _load(identifier: str, root: Lot) -> _Loaded:
    """The backward lineage, its lots and the events that tell its story (3–5 queries)."""
    edges = lineage.edges(identifier, direction="backward")
    names = {identifier} | {e.source for e in edges} | {e.target for e in edges}
    # Lots are read before their events, so the version stamp is never newer than the
    # events the story shows (a capture in between only makes the next scan rebuild).
    rows = [root] + list(
        Lot.objects.filter(identifier__in=names - {identifier}).select_related(
            "herb", "grade", "holder__" + _DIVISION, "site__" + _DIVISION
        )
    )
    lots = {lot.identifier: lot for lot in rows}
    events = list(
        queries.history(
            names, lineage_events={e.event_pk for e in edges}, root=identifier
        ).select_related("organisation__" + _DIVISION)
    )
    by_pk = {e.pk: e for e in events}
    # An input lot's later events (the rest of it sold elsewhere) are not this item's story.
    cutoff: dict[str, dt.datetime] = {}
    for edge in edges:
        if edge.event_pk in by_pk:
            when = by_pk[edge.event_pk].event_time
            cutoff[edge.source] = max(cutoff.get(edge.source, when), when)
    containers = _containers(events, names)
    if containers:
        rows += list(Lot.objects.filter(identifier__in=containers))
        later = queries.history(containers).select_related("organisation__" + _DIVISION)
        events += [
            e
            for e in later.filter(event_time__gte=min(containers.values()))
            if e.pk not in by_pk and e.action != "DELETE"
        ]
        events.sort(key=lambda e: (e.event_time, e.pk))
    return _Loaded(names, containers, rows, lots, _relevant(events, names, cutoff), edges)


def _places(events: list[Event]) -> tuple[dict[str, Site], dict[str, Organisation]]:
    """Places (by GLN) and parties (by party GLN) the events name: one query each."""
    site_glns, party_glns = set(), set()
    for event in events:
        doc = event.document
        plot = extension(doc, profile.ILMD_PLOT, doc.get("ilmd") or {})
        for uri in (event.biz_location, event.read_point, plot if isinstance(plot, str) else ""):
            if _gln(uri):
                site_glns.add(_gln(uri))
        if _gln(_owner(doc)):
            party_glns.add(_gln(_owner(doc)))
    sites = Site.objects.filter(gln__in=site_glns).select_related(
        "organisation__" + _DIVISION, _DIVISION
    )
    parties = Organisation.objects.filter(gln__in=party_glns).select_related(_DIVISION)
    return (
        {s.gln: s for s in sites} if site_glns else {},
        {o.gln: o for o in parties} if party_glns else {},
    )


def _harvest(event: Event, entry: dict, place, holder, sites) -> tuple[dict, Division | None]:
    """A harvest's plot card and the division it comes from (plot, place or grower)."""
    doc = event.document
    ilmd = doc.get("ilmd") or {}
    value = extension(doc, profile.ILMD_PLOT, ilmd)
    site = sites.get(_gln(value)) if isinstance(value, str) else None
    division = (
        (site.division if site else None)
        or (place.division if place else None)
        or (holder.division if holder else None)
    )
    harvested = _date(extension(doc, profile.ILMD_HARVEST_DATE, ilmd))
    return {
        "plot": site.name if site else (str(value) if value else ""),
        "gln": site.gln if site else None,
        "grower": party_name((site.organisation if site else None) or holder),
        "area": division_text(division),
        "harvest_date": harvested or timezone.localtime(event.event_time).date(),
        "herb_age": extension(doc, profile.ILMD_HERB_AGE, ilmd),
        "quantity": entry["quantity"],
    }, division


def _indication(herb, origins: list[Division]) -> dict | None:
    """The GI whose area holds every origin of the lot (2 queries), else None."""
    if herb is None or not origins:
        return None
    for gi in GeographicIndication.objects.filter(herb=herb).prefetch_related("divisions"):
        if all(gi.covers(d) for d in origins):
            return {"name": gi.name, "registration_no": gi.registration_no}
    return None


def _herb(herb) -> dict | None:
    if herb is None:
        return None
    return {
        "name": herb.name,
        "trade_name": herb.trade_name,
        "latin_name": herb.latin_name,
        "material_name": herb.material_name,
        "material_latin": herb.material_latin,
    }


def build(identifier: str, root: Lot | None = None) -> dict:
    """The page's data for ``identifier`` (canonical form); :class:`Missing` if unknown."""
    root = root or lookup(identifier)
    if root is None:
        raise Missing(identifier)
    loaded = _load(identifier, root)
    sites, parties = _places(loaded.events)
    counted = loaded.names | set(loaded.containers)

    timeline, plots, origins = [], [], []
    recall = hold = None
    # A GI is shown only when every lot the item came from was harvested on a plot on
    # record (as a GI claim requires, sourcing.gi): not for a lineage with a root lot (one
    # no transformation made) that entered otherwise, e.g. bought without a harvest.
    unplotted = False
    made, harvested, entered = set(), set(), set()
    for event in loaded.events:
        doc = event.document
        key = step_key(event)
        place = sites.get(_gln(event.biz_location)) or sites.get(_gln(event.read_point))
        holder = (
            parties.get(_gln(_owner(doc)))
            or (place.organisation if place else None)
            or event.organisation
        )
        entry = {
            "key": key,
            "label": str(STEP_LABELS.get(key, key.replace("_", " "))),
            "time": event.event_time,
            "holder": party_name(holder),
            "place": place.name if place else "",
            "area": division_text(
                (place.division if place else None) or (holder.division if holder else None)
            ),
            "quantity": "" if key == "case_packing" else _quantity_text(*_outputs(event, counted)),
            "processing": key in PROCESSING_STEPS,
        }
        if key in ("harvest", "harvesting"):
            plot, division = _harvest(event, entry, place, holder, sites)
            plots.append(plot)
            entry["place"] = entry["place"] or (plot["plot"] if plot["gln"] else "")
            entry["holder"] = entry["holder"] or plot["grower"]
            entry["area"] = entry["area"] or plot["area"]
            if division is not None:
                origins.append(division)
            unplotted = unplotted or plot["gln"] is None
            harvested.update(_named_objects(doc))
        elif event.event_type == "ObjectEvent" and event.action == "ADD":
            entered.update(_named_objects(doc))  # coded, bought, corrected upwards …
        elif event.event_type == "TransformationEvent":
            made.update(_named_objects(doc, ("outputQuantityList", "outputEPCList")))
        if key == "recall":
            recall = {
                "reason": str(extension(doc, "recallReason") or ""),
                "reference": str(extension(doc, "recallReference") or ""),
                "time": event.event_time,
            }
        timeline.append(entry)

    lots = loaded.lots
    herb = root.herb or next((lot.herb for lot in lots.values() if lot.herb_id), None)
    grade = root.grade or next((lot.grade for lot in lots.values() if lot.grade_id), None)
    item = (
        TradeItem.objects.filter(gtin=root.gtin).select_related("herb", "grade").first()
        if root.gtin
        else None
    )
    if item is not None:
        herb, grade = herb or item.herb, grade or item.grade

    # What was made from a held, failed or recalled lot is so too (trace.usability).
    blocks = usability.blocking_inputs(identifier, edges=loaded.edges, lots=loaded.lots)
    status = usability.effective_status(root, blocks)
    if status != usability.RECALLED:
        recall = None
    elif recall is None or not recall["reason"]:
        first = next(b for b in blocks if b.kind == usability.RECALLED)
        recall = {**(recall or {"reference": "", "time": first.since}), "reason": first.reason}
    if status in (usability.FAILED, usability.HELD):
        first = next(b for b in blocks if b.kind == status)
        hold = {
            "kind": first.kind,
            "time": first.since,
            "lot": first.label,
            "own": first.identifier == identifier,
            "reason": first.reason,
        }

    ctx = Context(identifier, sorted(loaded.names), lots, loaded.events, plots, herb and herb.pk)
    sections = []
    for order, builder in sorted(_SECTIONS.values(), key=lambda entry: entry[0]):
        section = builder(ctx)
        if section is not None:
            section.order = order
            sections.append(section.as_dict())

    harvest_dates = sorted(p["harvest_date"] for p in plots)
    rows = loaded.rows
    return {
        "identifier": identifier,
        "gtin": root.gtin,
        "batch": root.batch,
        "serial": root.serial,
        "is_item": bool(root.serial),
        "herb": _herb(herb),
        "grade": grade.label if grade else "",
        "pack": item.pack if item else "",
        "status": status,
        "status_label": str(STATUS_LABELS.get(status, status)),
        "recall": recall,
        "hold": hold,
        "origins": list(dict.fromkeys(division_text(d) for d in origins)),
        "indication": (
            None if unplotted or entered - made - harvested else _indication(herb, origins)
        ),
        "plots": plots,
        "harvest_from": harvest_dates[0] if harvest_dates else None,
        "harvest_to": harvest_dates[-1] if harvest_dates else None,
        "steps": [entry for entry in timeline if entry["processing"]],
        "timeline": list(reversed(timeline)),  # newest first, as a consumer reads it
        "sections": sections,
        "links": [link for s in sections for link in s["links"]],
        "names": sorted(counted),
        "version": _stamp(
            max((lot.last_event_id or 0 for lot in rows), default=0),
            max((lot.updated_at for lot in rows if lot.updated_at), default=None),
        ),
    }


def product(gtin: str) -> dict | None:
    """The product page's data for a GTIN-14: herb, grade, pack; None if unknown."""
    item = TradeItem.objects.filter(gtin=gtin).select_related("herb", "grade", "unit").first()
    if item is None:
        return None
    herb = item.herb
    return {
        "gtin": gtin,
        "herb": _herb(herb),
        "grade": item.grade.label if item.grade_id else "",
        "pack": item.pack,
        "net_quantity": (
            f"{item.net_quantity.normalize():f} {item.unit.name if item.unit_id else ''}".strip()
            if item.net_quantity is not None
            else ""
        ),
        "indications": [gi.name for gi in herb.indications.all()],
    }


def gtin_known(gtin: str) -> bool:
    """Whether this GTIN is ours (a trade item or any lot carries it)."""
    return TradeItem.objects.filter(gtin=gtin).exists() or Lot.objects.filter(gtin=gtin).exists()


# --- the built-in "test results" section ------------------------------------------------


def _test_results(ctx: Context) -> Section | None:
    """Inspection outcomes recorded on the lineage (EPCIS ``inspecting`` events); the
    quality app replaces this with its judged results under the same key."""
    rows, links = [], []
    for event in ctx.events:
        if step_key(event) != "inspecting":
            continue
        doc = event.document
        verdict = _word(event.disposition or "", CBV_DISP_PREFIXES)
        certificates = doc.get("certificationInfo") or []
        if isinstance(certificates, str):
            certificates = [certificates]
        if verdict not in ("conformant", "non_conformant") and not certificates:
            continue
        rows.append(
            {
                "time": event.event_time,
                "verdict": verdict,
                "certificates": [c for c in certificates if isinstance(c, str)],
            }
        )
        links += [
            {
                "href": c,
                "title": _("Certificate of analysis"),
                "rel": "https://gs1.org/voc/certificationInfo",
            }
            for c in certificates
            if isinstance(c, str) and c.startswith(("http://", "https://"))
        ]
    if not rows:
        return None
    return Section(
        "tests",
        _("Test results"),
        "trace/resolver/sections/tests.html",
        {"results": list(reversed(rows))},
        links=links,
    )


register_section("tests", _test_results, order=50)
