"""JSON-LD bodies of the EPCIS interface: query documents, capture jobs, collections."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpResponse
from django.utils import timezone

from ..choices import CaptureStatus
from ..epcis import cbv
from ..epcis.validation import EPCIS_CONTEXT
from ..models import Capture, Event
from . import problems

JSON_LD = "application/ld+json"
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"


def timestamp(moment) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_response(body, status: int = 200, content_type: str = JSON_LD) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=content_type
    )


def _lift_contexts(events: list[dict]) -> tuple[list, list[dict]]:
    """One document ``@context`` for the events: their prefix maps merged where they agree.

    An event whose prefixes clash with another's keeps its own ``@context``.
    """
    merged: dict[str, str] = {}
    clashing: set[int] = set()
    for i, event in enumerate(events):
        for item in _context_items(event):
            if isinstance(item, dict):
                for key, value in item.items():
                    if merged.setdefault(key, value) != value:
                        clashing.add(i)
    out = []
    for i, event in enumerate(events):
        if i in clashing or not all(
            isinstance(item, dict) or item == EPCIS_CONTEXT for item in _context_items(event)
        ):
            out.append(event)
        else:
            out.append({k: v for k, v in event.items() if k != "@context"})
    context: list = [EPCIS_CONTEXT]
    if merged:
        context.append(merged)
    return context, out


def _context_items(event: dict) -> list:
    context = event.get("@context")
    if context is None:
        return []
    return context if isinstance(context, list) else [context]


def query_document(rows: list[Event], query_name: str = "SimpleEventQuery") -> dict:
    """An ``EPCISQueryDocument`` holding ``rows`` in the order given."""
    context, events = _lift_contexts([row.document for row in rows])
    return {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": timestamp(timezone.now()),
        "epcisBody": {
            "queryResults": {"queryName": query_name, "resultsBody": {"eventList": events}}
        },
    }


def collection(members: list[str]) -> dict:
    return {"@context": EPCIS_CONTEXT, "type": "Collection", "member": members}


def event_types() -> list[str]:
    return sorted(cbv.EVENT_TYPES)


def capture_job(capture: Capture, instance: str | None = None) -> dict:
    """The bindings' ``CaptureJob``; each error is a problem object naming event and field."""
    running = capture.status == CaptureStatus.RUNNING
    return {
        "captureID": str(capture.capture_id),
        "createdAt": timestamp(capture.created_at),
        "finishedAt": timestamp(capture.finished_at),
        "running": running,
        "success": capture.status != CaptureStatus.FAILED and not capture.errors,
        "captureErrorBehaviour": capture.error_behaviour,
        "eventsReceived": capture.events_received,
        "eventsStored": capture.events_stored,
        "errors": [problems.event_error(e, instance) for e in capture.errors],
    }
