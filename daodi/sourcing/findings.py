"""What the buying network gives regulators to follow up: refused attempts, GI violations,
mass-balance imbalances and flagged dispatches, each with the key ``core.followups`` knows
it by, and the resolvers that turn such a key back into its record (registered in
``apps.py``)."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.core.choices import FollowUpKind
from daodi.core.followups import Finding, closed_keys
from daodi.core.models import Refusal
from daodi.orgs.models import Organisation
from daodi.trace.models import Event, Lot

from . import gi, queries
from .models import Dispatch, GIClaim

CACHED_FOR = 600  # seconds; the key changes with the store anyway

RULES = {
    "banned_pesticide": gettext_lazy("Banned pesticide"),
    "pre_harvest_interval": gettext_lazy("Harvest inside a pre-harvest interval"),
    "gi_lineage": gettext_lazy("GI claimed outside its area"),
    "gi_weight_cap": gettext_lazy("GI claimed beyond its origin weight"),
    "more_than_lot": gettext_lazy("GI claimed beyond the lot"),
}


# A lot named by its Digital Link in a refusal's text reads as its lot number.
_DIGITAL_LINK = re.compile(r"https?://\S+?/01/\d{14}/10/([^/\s?]+)\S*")


def refusal_subject(row: Refusal) -> str:
    about = _DIGITAL_LINK.sub(r"\1", row.subject or row.message)
    return f"{RULES.get(row.code, '')}：{about}"


def dated(qs, field: str, start, end):
    if start:
        qs = qs.filter(**{f"{field}__date__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__date__lte": end})
    return qs


def refusals(start=None, end=None, *, open_only: bool = False):
    """Refused attempts of the compliance rules, newest first, between two dates."""
    qs = Refusal.objects.filter(code__in=RULES).select_related("organisation", "actor")
    qs = dated(qs, "at", start, end)
    if open_only:
        qs = qs.exclude(pk__in=[int(k) for k in closed_keys(FollowUpKind.REFUSAL) if k.isdigit()])
    return qs


def flagged_dispatches(start=None, end=None, *, open_only: bool = False):
    """Dispatches whose arrival weight was flagged, newest first, sent between two dates."""
    qs = Dispatch.objects.filter(flagged=True).select_related("source", "destination")
    qs = dated(qs, "sent_at", start, end).order_by("-sent_at", "-id")
    if open_only:
        closed = closed_keys(FollowUpKind.FLAGGED_DISPATCH)
        qs = qs.exclude(pk__in=[int(k) for k in closed if k.isdigit()])
    return qs


def _store_state() -> str:
    """What the derived findings depend on, in three cheap aggregates: the events, the lots'
    weights and the GI claims. Any capture, receipt or claim changes it."""
    events = Event.objects.aggregate(n=Count("id"), last=Max("id"))
    lots = Lot.objects.aggregate(kg=Sum("quantity"), last=Max("id"))
    claims = GIClaim.objects.aggregate(n=Count("id"), last=Max("id"))
    return ":".join(str(v) for d in (events, lots, claims) for v in d.values())


def _derived(name: str, compute):
    """The mass balance and the GI violations replay the event store: the regulator's home
    computes them once per change of the store, not on every visit."""
    key = f"daodi:findings:{name}:{_store_state()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHED_FOR)
    return found


def gi_violation_key(v: gi.Violation) -> str:
    return f"{v.indication}|{v.lot}"


def gi_violations(*, open_only: bool = False) -> list[gi.Violation]:
    found = _derived("gi", gi.violations)
    if open_only:
        closed = closed_keys(FollowUpKind.GI_VIOLATION)
        found = [v for v in found if gi_violation_key(v) not in closed]
    return found


def imbalance_key(row) -> str:
    return f"{row.node}|{row.herb}"


def imbalances(*, open_only: bool = False):
    """The mass balance's node-and-herb rows out of tolerance, with the names they need."""
    result = _derived("balance", queries.mass_balance)
    rows = result.imbalances
    if open_only:
        closed = closed_keys(FollowUpKind.IMBALANCE)
        rows = [r for r in rows if imbalance_key(r) not in closed]
    return result, rows


def imbalance_subject(result, row) -> str:
    org = result.orgs.get(row.node)
    return _("%(node)s · %(herb)s: %(kg)s kg unaccounted for") % {
        "node": org.name if org else row.node,
        "herb": result.herb_names.get(row.herb, ""),
        "kg": f"{row.difference:.2f}",
    }


# --- resolvers: key → finding -----------------------------------------------------------------
def _refusal(key: str) -> Finding | None:
    row = Refusal.objects.filter(pk=int(key), code__in=RULES).first() if key.isdigit() else None
    if row is None:
        return None
    return Finding(
        refusal_subject(row),
        row.organisation,
        reverse("sourcing:refusals"),
    )


def _dispatch(key: str) -> Finding | None:
    row = Dispatch.objects.filter(pk=int(key), flagged=True).first() if key.isdigit() else None
    if row is None:
        return None
    return Finding(
        _("Arrival of %(number)s flagged") % {"number": row.number},
        row.source,
        reverse("sourcing:dispatch_detail", args=[row.pk]),
    )


def _violation(key: str) -> Finding | None:
    found = next((v for v in gi_violations() if gi_violation_key(v) == key), None)
    if found is None:
        return None
    holder = Organisation.objects.filter(name=found.holder).order_by("id").first()
    return Finding(f"{found.indication}：{found.reason}", holder, reverse("sourcing:gi_violations"))


def _imbalance(key: str) -> Finding | None:
    result, rows = imbalances()
    row = next((r for r in rows if imbalance_key(r) == key), None)
    if row is None:
        return None
    return Finding(
        imbalance_subject(result, row), result.orgs.get(row.node), reverse("sourcing:mass_balance")
    )


RESOLVERS = {
    FollowUpKind.REFUSAL: _refusal,
    FollowUpKind.FLAGGED_DISPATCH: _dispatch,
    FollowUpKind.GI_VIOLATION: _violation,
    FollowUpKind.IMBALANCE: _imbalance,
}
