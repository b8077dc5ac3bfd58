"""What stops a lot or item from being used: its own status and what it inherits from the
lots it was made from. The one home of the rule; labels, dispatches, processing,
commingling, pallets, packing, lot pages and lists and the consumer page all ask here.

The rule (docs/architecture.md §1a):

- **recalled** when the lot or any lot it was made from is recalled;
- **failed** (不合格) when it, or a lot it was made from, failed its test (an ``inspecting``
  event with disposition ``non_conformant``) and nothing released it since; a test speaks
  for the whole lot, whatever was made from it before or after the result came;
- **on hold** when it, or a lot it was made from, is held pending a test that could not
  conclude. A hold for the condition of the stock left (``damaged``, ``expired``) holds
  that lot only: what left it before was not in the store that spoiled.
- A release of an input (its conformant retest sets it active again) releases whatever it
  alone held: an item made of two held lots stays held until both are released.
- A conformant test of the made lot itself, later than its input's hold, releases it (and
  what was made from it) from that hold. Nothing but the recall's own end releases a
  recall.

It is worked out when asked, from the backward lineage (one recursive query and one read
of the lots; two more only when some lot of the lineage is held or recalled), so it is
never stale and a release needs no rewrite of what was made. Lists use
:func:`blocked_everywhere`: one forward walk from every held or recalled lot of the
store, which are few.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.core.errors import DomainError

from . import lineage
from .choices import LotStatus
from .epcis.profile import NAMESPACE
from .models import Event, EventIdentifier, Lot

RECALLED, FAILED, HELD = "recalled", "failed", "on_hold"
SEVERITY = {RECALLED: 3, FAILED: 2, HELD: 1}
# What the lot is, as a page or a refusal says it.
KIND_LABELS = {
    RECALLED: gettext_lazy("Recalled"),
    FAILED: gettext_lazy("Failed its quality test"),
    HELD: gettext_lazy("On hold"),
}
_WHAT = {
    RECALLED: gettext_lazy("was recalled"),
    FAILED: gettext_lazy("failed its quality test"),
    HELD: gettext_lazy("is on hold"),
}

# What a caller was about to do (the verb of the refusal: "cannot be …").
LABEL = gettext_lazy("labelled")
SHIP = gettext_lazy("shipped")
PROCESS = gettext_lazy("processed")
PACK = gettext_lazy("packed")
COMMINGLE = gettext_lazy("commingled")
PALLETISE = gettext_lazy("palletised")
SELL = gettext_lazy("sold")
LIST = gettext_lazy("offered for sale")

_HOLDS = ("non_conformant", "damaged", "expired")
_SPREADING_HOLD = "non_conformant"  # a test's verdict: it reaches what was made
_RELEASE = "conformant"
_CBV_DISP = "https://ref.gs1.org/cbv/Disp-"
_INCOMPLETE = "incomplete"  # quality's conclusion of a test that could not conclude
_INSPECTING = ("inspecting", "https://ref.gs1.org/cbv/BizStep-inspecting")


@dataclass(frozen=True)
class Block:
    """One lot whose status stops another (or itself) from being used."""

    identifier: str  # the blocking lot: the lot asked about, or one it was made from
    label: str  # its lot number as people read it
    kind: str  # RECALLED, FAILED or HELD
    reason: str  # why, in the words kept with the lot (the test's finding, the recall's)
    since: dt.datetime | None
    spreads: bool = True  # False: the hold is about the stock left, not what was made

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def lot_label(identifier: str, batch: str = "", serial: str = "") -> str:
    """A lot's number as people read it: the batch, else the serial, else the identifier."""
    return batch or serial or identifier


# --- the rule (pure) ---------------------------------------------------------------------


def _released(times: list[dt.datetime] | None, since: dt.datetime | None) -> bool:
    return bool(times) and since is not None and any(t > since for t in times)


def reach(
    edges: Iterable[lineage.Edge],
    blocking: dict[str, Block],
    releases: dict[str, list[dt.datetime]],
) -> dict[str, list[Block]]:
    """For every lot, the blocks that reach it along ``edges`` from the ``blocking`` lots
    (each blocks itself), stopping at a lot released by its own later conformant test."""
    made: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        made[edge.source].add(edge.target)
    found: dict[str, list[Block]] = defaultdict(list)
    for start, block in blocking.items():
        found[start].append(block)
        if not block.spreads:
            continue
        seen, todo = {start}, [start]
        while todo:
            for target in made[todo.pop()]:
                if target in seen:
                    continue
                seen.add(target)
                if block.kind != RECALLED and _released(releases.get(target), block.since):
                    continue
                found[target].append(block)
                todo.append(target)
    return found


def ordered(blocks: Iterable[Block], identifier: str) -> list[Block]:
    """The lot's own status first, then the gravest input, then the oldest."""
    unique = {b.identifier: b for b in blocks}.values()
    return sorted(
        unique,
        key=lambda b: (
            b.identifier != identifier,
            -SEVERITY[b.kind],
            b.since or dt.datetime.max.replace(tzinfo=dt.UTC),
            b.label,
        ),
    )


# --- reading the store -------------------------------------------------------------------


def _word(value: str) -> str:
    return value[len(_CBV_DISP) :] if value.startswith(_CBV_DISP) else value


def _words(*words: str) -> list[str]:
    """A disposition as stored: our own events keep the bare word, others the CBV URI."""
    return [form for word in words for form in (word, _CBV_DISP + word)]


def _ours(doc: dict, name: str) -> str:
    value = doc.get(f"daodi:{name}") or doc.get(NAMESPACE + name)
    return str(value) if value else ""


def _status_events(names: Iterable[str], dispositions: list[str]) -> list[tuple]:
    """(identifier, time, disposition word, business step, document) of the events naming
    ``names`` with one of ``dispositions``, oldest first."""
    rows = (
        EventIdentifier.objects.filter(
            identifier__in=list(names),
            event__disposition__in=dispositions,
            event__is_declaration=False,
        )
        .order_by("event__event_time", "event__id")
        .values_list(
            "identifier", "event__event_time", "event__disposition", "event__biz_step", "event_id"
        )
    )
    rows = list(rows)
    documents = dict(
        Event.objects.filter(pk__in={r[4] for r in rows}).values_list("pk", "document")
    )
    return [(i, when, _word(disp), step, documents[pk]) for i, when, disp, step, pk in rows]


def _block(row: tuple, events: list[tuple]) -> Block:
    identifier, batch, serial, status, reason = row
    label = lot_label(identifier, batch, serial)
    if status == LotStatus.RECALLED:
        found = [e for e in events if e[2] == "recalled"]
        last = found[-1] if found else None
        recall_reason = _ours(last[4], "recallReason") if last else ""
        return Block(identifier, label, RECALLED, recall_reason or reason, last and last[1])
    found = [e for e in events if e[2] in _HOLDS]
    last = found[-1] if found else None
    if last is None:  # held by a capture we cannot read back: it holds, and spreads
        return Block(identifier, label, HELD, reason, None)
    disposition, step, doc = last[2], last[3], last[4]
    failed = (
        disposition == _SPREADING_HOLD
        and step.endswith("inspecting")
        and _ours(doc, "conclusion") != _INCOMPLETE
    )
    return Block(
        identifier,
        label,
        FAILED if failed else HELD,
        reason or _ours(doc, "statusReason"),
        last[1],
        spreads=disposition == _SPREADING_HOLD,
    )


_BLOCKING = (LotStatus.ON_HOLD, LotStatus.RECALLED)
_ROW = ("identifier", "batch", "serial", "status", "status_reason")


def _held_rows(names: Iterable[str], lots: dict[str, Lot] | None = None) -> list[tuple]:
    """(identifier, batch, serial, status, reason) of the held and recalled lots among
    ``names`` (read, unless the caller has ``lots``)."""
    if lots is not None:
        return [
            (lot.identifier, lot.batch, lot.serial, lot.status, lot.status_reason)
            for name in names
            if (lot := lots.get(name)) is not None and lot.status in _BLOCKING
        ]
    return list(
        Lot.objects.filter(identifier__in=list(names), status__in=_BLOCKING).values_list(*_ROW)
    )


def _blocks(rows: list[tuple]) -> dict[str, Block]:
    """Each held or recalled lot as the block it is (two queries for all)."""
    if not rows:
        return {}
    events: dict[str, list[tuple]] = defaultdict(list)
    for event in _status_events([r[0] for r in rows], _words("recalled", *_HOLDS)):
        events[event[0]].append(event)
    return {row[0]: _block(row, events[row[0]]) for row in rows}


def _releases(names: Iterable[str]) -> dict[str, list[dt.datetime]]:
    """When each lot among ``names`` passed a test (conformant inspections). Read from the
    inspections (few, found by the business-step index), not from every event of ``names``
    (thousands when a lot was packed into thousands of bags)."""
    names = set(names)
    rows = EventIdentifier.objects.filter(
        event__biz_step__in=_INSPECTING,
        event__disposition__in=_words(_RELEASE),
        event__is_declaration=False,
    ).values_list("identifier", "event__event_time")
    found: dict[str, list[dt.datetime]] = defaultdict(list)
    for identifier, when in rows:
        if identifier in names:
            found[identifier].append(when)
    return found


def _identifier(lot_or_identifier) -> str:
    return lot_or_identifier if isinstance(lot_or_identifier, str) else lot_or_identifier.identifier


def blocking_inputs(
    lot_or_identifier,
    *,
    edges: list[lineage.Edge] | None = None,
    lots: dict[str, Lot] | None = None,
) -> list[Block]:
    """What stops this lot or item (canonical identifier or ``Lot``) from being used: its
    own hold or recall and those of the lots it was made from, its own first, then the
    gravest. ``edges`` (its backward lineage) and ``lots`` (every lot of it, by
    identifier): when the caller has read them already."""
    identifier = _identifier(lot_or_identifier)
    if edges is None:
        edges = lineage.edges(identifier, direction="backward")
    names = {identifier} | {e.source for e in edges} | {e.target for e in edges}
    blocking = _blocks(_held_rows(names, lots))
    if not blocking:
        return []
    spreading = any(b.kind != RECALLED and b.spreads for b in blocking.values())
    releases = _releases(names) if spreading else {}
    return ordered(reach(edges, blocking, releases).get(identifier, []), identifier)


def effective_status(lot: Lot, blocks: list[Block] | None = None) -> str:
    """The lot's status with what it inherits: RECALLED, FAILED, HELD or its own."""
    blocks = blocking_inputs(lot) if blocks is None else blocks
    if not blocks:
        return lot.status
    return max(blocks, key=lambda b: SEVERITY[b.kind]).kind


def refusal(identifier: str, label: str, block: Block, doing) -> str:
    """Why ``label`` cannot be ``doing``, naming the blocking lot and its reason."""
    values = {"lot": label, "doing": doing, "input": block.label, "what": _WHAT[block.kind]}
    if block.identifier == identifier:
        message = _("%(lot)s cannot be %(doing)s: it %(what)s.") % values
    else:
        message = (
            _("%(lot)s cannot be %(doing)s: it was made from lot %(input)s, which %(what)s.")
            % values
        )
    if block.reason:
        message += " " + _("Reason: %(reason)s") % {"reason": block.reason}
    return message


_FEW = 3  # beyond this many lots, one store-wide walk beats a backward walk per lot


def ensure_usable(lots: Iterable, *, doing, field: str | None = None) -> None:
    """Refuse (``input_not_usable``) when any of ``lots`` (``Lot`` rows or identifiers) is
    held, failed or recalled, itself or through a lot it was made from."""
    lots = list(lots)
    everywhere = blocked_everywhere() if len(lots) > _FEW else None
    for lot in lots:
        identifier = _identifier(lot)
        if everywhere is None:
            blocks = blocking_inputs(identifier)
        else:
            blocks = everywhere.get(identifier, [])
        if not blocks:
            continue
        label = identifier if isinstance(lot, str) else lot_label(identifier, lot.batch, lot.serial)
        message = refusal(identifier, label, blocks[0], doing)
        raise DomainError(
            message, code="input_not_usable", fields={field: [message]} if field else None
        )


_LAST: dict = {}  # the last store-wide answer of this process, with its stamp


def _newest(model) -> int:
    return next(iter(model.objects.order_by("-pk").values_list("pk", flat=True)[:1]), 0)


def blocked_everywhere() -> dict[str, list[Block]]:
    """Every lot and item of the store that is blocked, itself or by an input, with its
    blocks: for lists and their status filter (a forward walk from the few held or
    recalled lots). Kept until the next event or lot, or a change of a held lot: a list,
    its filter and its next page walk once."""
    rows = list(Lot.objects.filter(status__in=_BLOCKING).values_list(*_ROW))
    if not rows:
        return {}
    stamp = (_newest(Event), _newest(Lot), frozenset(rows))
    if _LAST.get("stamp") != stamp:
        _LAST.clear()
        _LAST.update(stamp=stamp, answer=_everywhere(_blocks(rows)))
    return _LAST["answer"]


def _everywhere(blocking: dict[str, Block]) -> dict[str, list[Block]]:
    edges = lineage.edges_from([i for i, b in blocking.items() if b.spreads or b.kind == RECALLED])
    names = {e.target for e in edges}
    spreading = any(b.kind != RECALLED and b.spreads for b in blocking.values())
    releases = _releases(names) if spreading and names else {}
    return {
        identifier: ordered(found, identifier)
        for identifier, found in reach(edges, blocking, releases).items()
    }
