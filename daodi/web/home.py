"""What each role's home shows: the work waiting for it, counted, each count a link.

One section per organisation the user works for, chosen by its kind (a village point, a
station or the hub, a lab, a processor), one for regulators and one for platform
administrators. Every figure is an aggregate query scoped to the organisation (and its
subtree where it manages one), so a point sees only its own and the page stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core import followups
from daodi.core.choices import FollowUpKind
from daodi.core.models import AuditEntry, FollowUp
from daodi.orgs import policy
from daodi.orgs.choices import WRITE_ROLES, OrgKind
from daodi.orgs.models import Organisation, User
from daodi.quality import findings as quality_findings
from daodi.quality import queries as quality_queries
from daodi.quality.choices import OrderStatus
from daodi.sourcing import findings
from daodi.sourcing.choices import DispatchStatus, PaymentMethod
from daodi.sourcing.models import Dispatch, Purchase
from daodi.trace.choices import IN_TRANSIT, LotStatus
from daodi.trace.models import Capture, Lot

LATEST = 5  # findings listed under each of the regulator's counts


@dataclass
class Todo:
    """One figure of a section: what it counts, how many, where the list is."""

    key: str  # a stable name (tests and browser tests find the figure by it)
    label: str
    count: object
    url: str
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    todos: list[Todo] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, url), first is big
    stock: list[dict] = field(default_factory=list)  # stock by herb, each with its list's URL
    findings: dict[str, list] = field(default_factory=dict)  # regulator: kind → latest open


def link(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _kg(value) -> str:
    return f"{(value or Decimal(0)):,.1f} kg"


def _yuan(value) -> str:
    return f"¥{(value or Decimal(0)):,.2f}"


def _held(org):
    """Lots (not retail items) the organisation holds with weight left, not on their way."""
    return (
        Lot.objects.filter(holder=org, serial="")
        .exclude(quantity=0)
        .exclude(disposition=IN_TRANSIT)
    )


def _stock_by_herb(org) -> list[dict]:
    rows = (
        _held(org)
        .filter(status=LotStatus.ACTIVE, unit="KGM")
        .values("herb_id", "herb__name")
        .annotate(kg=Sum("quantity"), lots=Count("id"))
        .order_by("-kg")
    )
    return [
        {
            "herb": r["herb__name"] or "—",
            "kg": r["kg"],
            "lots": r["lots"],
            "url": link("trace:lot_list", holder=org.pk, herb=r["herb_id"], status="active"),
        }
        for r in rows
    ]


# --- the sections --------------------------------------------------------------------------
def village_point(org, user) -> Section:
    today = timezone.localdate()
    bought = Purchase.objects.filter(point__path__startswith=org.path, bought_at__date=today)
    totals = bought.aggregate(
        n=Count("id"),
        kg=Sum("net_kg"),
        amount=Sum("amount"),
        cash=Sum("amount_paid", filter=Q(payment_method=PaymentMethod.CASH)),
    )
    owed = Purchase.objects.filter(point=org, amount_paid__lt=F("amount")).aggregate(
        n=Count("id"), due=Sum(F("amount") - F("amount_paid"))
    )
    to_send = (
        _held(org).filter(status=LotStatus.ACTIVE).aggregate(n=Count("id"), kg=Sum("quantity"))
    )
    return Section(
        "point",
        org.name,
        [
            Todo(
                "purchases_today",
                _("Purchases today"),
                totals["n"],
                link("sourcing:purchase_list", point=org.pk, date=today.isoformat()),
                f"{_kg(totals['kg'])} · {_yuan(totals['amount'])}",
            ),
            Todo(
                "cash_to_reconcile",
                _("Cash to reconcile today"),
                _yuan(totals["cash"]),
                link("sourcing:settlement", org.pk, date=today.isoformat()),
                _("Daily settlement (Excel)"),
            ),
            Todo(
                "owed_to_sellers",
                _("Still owed to sellers"),
                owed["n"],
                link("sourcing:purchase_list", point=org.pk, payment_method=PaymentMethod.CREDIT),
                _yuan(owed["due"]),
            ),
            Todo(
                "to_dispatch",
                _("Lots to dispatch"),
                to_send["n"],
                link("sourcing:dispatch_create", source=org.pk),
                _kg(to_send["kg"]),
            ),
        ],
        buttons=[
            (_("Buy (收购)"), reverse("sourcing:purchase_create")),
            (_("Register a grower household"), reverse("sourcing:seller_register")),
            (_("Import a purchase ledger"), reverse("sourcing:ledger_import")),
        ],
    )


def station(org, user) -> Section:
    arriving = Dispatch.objects.filter(destination=org, status=DispatchStatus.IN_TRANSIT)
    flags = Dispatch.objects.filter(destination=org, flagged=True, reviewed_at__isnull=True)
    return Section(
        "station",
        org.name,
        [
            Todo(
                "arrivals",
                _("Arrivals to receive"),
                arriving.count(),
                link(
                    "sourcing:dispatch_list", destination=org.pk, status=DispatchStatus.IN_TRANSIT
                ),
            ),
            Todo(
                "flags",
                _("Flags to review"),
                flags.count(),
                link("sourcing:dispatch_list", destination=org.pk, to_review="true"),
            ),
        ],
        buttons=[
            (_("Dispatch onward"), link("sourcing:dispatch_create", source=org.pk)),
            (_("Stock and movements"), reverse("sourcing:node", args=[org.pk])),
        ],
        stock=_stock_by_herb(org),
    )


def lab(org, user) -> Section:
    counts = (
        quality_queries.lab_orders(user)
        .filter(lab=org)
        .aggregate(
            to_test=Count("id", filter=Q(status=OrderStatus.OPEN)),
            to_review=Count("id", filter=Q(status=OrderStatus.TESTING, return_note="")),
            returned=Count("id", filter=Q(status=OrderStatus.TESTING) & ~Q(return_note="")),
        )
    )
    queue = reverse("quality:queue_list")
    return Section(
        "lab",
        org.name,
        [
            Todo("to_test", _("Orders to test"), counts["to_test"], f"{queue}?status=open"),
            Todo(
                "to_review",
                _("Results awaiting review (待审核)"),
                counts["to_review"],
                f"{queue}?status=testing&returned=false",
            ),
            Todo(
                "returned",
                _("Results returned by the reviewer"),
                counts["returned"],
                f"{queue}?returned=true",
            ),
        ],
        buttons=[(_("Lab queue"), queue)],
    )


def processor(org, user) -> Section:
    held = _held(org)
    counts = held.aggregate(
        on_hold=Count("id", filter=Q(status=LotStatus.ON_HOLD)),
        active=Count("id", filter=Q(status=LotStatus.ACTIVE)),
        kg=Sum("quantity", filter=Q(status=LotStatus.ACTIVE, unit="KGM")),
    )
    return Section(
        "processor",
        org.name,
        [
            Todo(
                "on_hold",
                _("Lots on hold"),
                counts["on_hold"],
                link("trace:lot_list", holder=org.pk, status=LotStatus.ON_HOLD),
            ),
            Todo(
                "to_process",
                _("Lots to process and pack"),
                counts["active"],
                link("trace:lot_list", holder=org.pk, status=LotStatus.ACTIVE),
                _kg(counts["kg"]),
            ),
        ],
        buttons=[
            (_("Process a lot"), reverse("farm:processing_create")),
            (_("Pack into retail items"), reverse("sourcing:packing_create")),
        ],
        stock=_stock_by_herb(org),
    )


def _latest(refusals, violations, balance, imbalances, flagged, oos) -> dict:
    """The newest open findings of each kind: (key, what it is about, organisation)."""
    return {
        FollowUpKind.REFUSAL: [
            (str(r.pk), findings.refusal_subject(r), r.organisation) for r in refusals[:LATEST]
        ],
        FollowUpKind.GI_VIOLATION: [
            (findings.gi_violation_key(v), f"{v.indication}：{v.reason}", v.holder)
            for v in violations[:LATEST]
        ],
        FollowUpKind.IMBALANCE: [
            (
                findings.imbalance_key(r),
                findings.imbalance_subject(balance, r),
                balance.orgs.get(r.node),
            )
            for r in imbalances[:LATEST]
        ],
        FollowUpKind.FLAGGED_DISPATCH: [
            (str(d.pk), d.number, d.source) for d in flagged.select_related("source")[:LATEST]
        ],
        FollowUpKind.OUT_OF_SPEC: [
            (str(c.pk), f"{c.number} · {c.get_conclusion_display()}", c.lot.holder)
            for c in oos[:LATEST]
        ],
    }


def regulator(user, start=None, end=None) -> Section:
    """The findings still open (no closed follow-up), between two dates where they have one."""
    dates = {
        "date_from": start.isoformat() if start else "",
        "date_to": end.isoformat() if end else "",
    }
    refusals = findings.refusals(start, end, open_only=True)
    flagged = findings.flagged_dispatches(start, end, open_only=True)
    oos = quality_findings.open_out_of_spec(user, start, end)
    violations = findings.gi_violations(open_only=True)
    balance, imbalances = findings.imbalances(open_only=True)
    latest = _latest(refusals, violations, balance, imbalances, flagged, oos)
    return Section(
        "regulator",
        _("Findings to follow up"),
        [
            Todo(
                FollowUpKind.REFUSAL,
                _("Open refusals"),
                refusals.count(),
                link("sourcing:refusals", **dates),
            ),
            Todo(
                FollowUpKind.GI_VIOLATION,
                _("GI violations"),
                len(violations),
                reverse("sourcing:gi_violations"),
            ),
            Todo(
                FollowUpKind.IMBALANCE,
                _("Mass-balance imbalances"),
                len(imbalances),
                reverse("sourcing:mass_balance"),
            ),
            Todo(
                FollowUpKind.FLAGGED_DISPATCH,
                _("Flagged dispatches"),
                flagged.count(),
                link("sourcing:dispatch_list", flagged="true", **dates),
            ),
            Todo(
                FollowUpKind.OUT_OF_SPEC,
                _("Out-of-specification results"),
                oos.count(),
                link("quality:oos_list", **dates),
            ),
        ],
        buttons=[(_("Follow-ups"), reverse("followup_list"))],
        findings=latest,
    )


def platform() -> Section:
    """The platform's health for its administrators: people, organisations, last imports."""
    users = User.objects.aggregate(n=Count("id"), active=Count("id", filter=Q(is_active=True)))
    orgs = Organisation.objects.aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    captures = list(Capture.objects.select_related("organisation").order_by("-created_at")[:LATEST])
    changes = list(AuditEntry.objects.select_related("actor")[:LATEST])
    section = Section(
        "admin",
        _("Platform health"),
        [
            Todo(
                "users",
                _("People"),
                users["n"],
                reverse("orgs:user_list"),
                _("%(n)s active") % {"n": users["active"]},
            ),  # fmt: skip
            Todo(
                "organisations",
                _("Organisations"),
                orgs["n"],
                reverse("orgs:organisation_list"),
                _("%(n)s active") % {"n": orgs["active"]},
            ),  # fmt: skip
            Todo(
                "captures",
                _("Event documents imported"),
                Capture.objects.count(),
                reverse("exchange:index"),
            ),  # fmt: skip
        ],
        buttons=[(_("Excel import and export"), reverse("exchange:index"))],
    )
    section.captures = captures
    section.changes = changes
    return section


def sections(user, start=None, end=None) -> list[Section]:
    """The user's sections, one per organisation worked for (by kind), then the county's."""
    out = []
    memberships = user.memberships.select_related("organisation").order_by("id")
    builders = {
        OrgKind.VILLAGE_POINT: village_point,
        OrgKind.TOWNSHIP_STATION: station,
        OrgKind.COUNTY_HUB: station,
        OrgKind.LAB: lab,
        OrgKind.PROCESSOR: processor,
        OrgKind.MANUFACTURER: processor,
    }
    for m in memberships:
        build = builders.get(m.organisation.kind)
        if build is not None and m.role in WRITE_ROLES:
            out.append(build(m.organisation, user))
    if policy.is_platform_admin(user):
        out.append(platform())
    if policy.reads_everything(user):
        out.append(regulator(user, start, end))
    return out


def notices(user) -> list[FollowUp]:
    """Unread notices regulators sent to the user's organisations (not to regulators)."""
    if policy.reads_everything(user):
        return []
    return list(followups.received(user).filter(read_at__isnull=True)[:LATEST])
