"""Pages of the trace app: lots (the projection), their history and labels, and recalls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.catalog.models import Unit
from daodi.core.errors import DomainError
from daodi.core.forms import add_domain_error
from daodi.core.views import Column, DetailPage, ListPage, Resource, actor, display, export_cell
from daodi.orgs import policy

from . import actions, labels, pickers, places, queries, usability
from .documents import element_string
from .epcis import identifiers
from .filters import LotFilter, RecallFilter
from .forms import LabelForm, RecallForm
from .models import Lot, Recall

LINEAGE_PAGE = 25


def short_name(identifier: str) -> str:
    """A lot or item as its number (serial, else batch), else the identifier as it is."""
    try:
        parsed = identifiers.parse(identifier)
    except identifiers.IdentifierError:
        return identifier
    return parsed.qualifier("21") or parsed.qualifier("10") or identifier


class LotResource(Resource):
    """Lots and items as the events left them: where, with whom, how much, which status."""

    model, namespace, name = Lot, "trace", "lot"
    filterset_class = LotFilter
    list_columns = (
        Column("number", gettext_lazy("Lot number"), link=True),
        Column("herb"),
        Column("grade", wide=True),
        Column("quantity"),
        Column("unit", wide=True),
        Column("holder", wide=True),
        Column("effective_status", label=gettext_lazy("Status")),
    )
    detail_fields = (
        "identifier",
        "gtin",
        "batch",
        "serial",
        "herb",
        "grade",
        "quantity",
        "unit",
        "holder",
        "site",
        "location",
        ("effective_status", gettext_lazy("Status")),
        "disposition",
    )
    export_columns = (
        Column("batch"),
        Column("serial"),
        Column("herb"),
        Column("grade"),
        Column("quantity"),
        Column("unit"),
        Column("holder"),
        Column("site"),
        Column("status"),
    )
    detail_template = "trace/lot_detail.html"

    def export_rows(self, rows):
        # Lots carry UN/CEFACT unit codes (KGM); the sheet names the unit.
        names = dict(Unit.objects.exclude(uncefact="").values_list("uncefact", "name"))
        for obj in rows:
            yield [
                names.get(obj.unit, obj.unit)
                if c.name == "unit"
                else export_cell(display(obj, c.name))
                for c in self.export_columns
            ]

    def queryset(self, user, *, write=False):
        return policy.scope(
            Lot.objects.select_related("herb", "grade__herb", "holder", "site"), user, write=write
        )

    def can_create(self, user):
        return False  # lots come from events, never from a form

    def prepare_rows(self, rows: list) -> None:
        # One store-wide walk for the page, not a lineage walk per row.
        blocked = usability.blocked_everywhere()
        for lot in rows:
            lot.__dict__["blocks"] = blocked.get(lot.identifier, [])

    def can_write(self, user, obj):
        return False

    def heading(self, obj):
        return obj.number

    def detail_context(self, request, obj):
        graph = queries.graph(obj.identifier, direction="both", user=request.user)
        events = list(queries.history([obj.identifier]).order_by("-event_time", "-id")[:50])
        named = places.names(e.biz_location or e.read_point for e in events)
        for event in events:
            event.place = named.get(event.biz_location or event.read_point, "")
        # A lot packed into thousands of items has thousands of edges: they page.
        edges = Paginator(graph["edges"], LINEAGE_PAGE).get_page(request.GET.get("lineage"))
        pks = dict(
            Lot.objects.filter(identifier__in=[b.identifier for b in obj.blocks]).values_list(
                "identifier", "pk"
            )
        )
        return {
            "graph": graph,
            "edges": _lineage(list(edges)),
            "edge_page": edges,
            "blocks": [_block_line(obj, b, pks.get(b.identifier)) for b in obj.blocks],
            "events": events,
            "can_label": policy.scope(
                Lot.objects.filter(pk=obj.pk), request.user, write=True
            ).exists(),
            "label_form": LabelForm(),
            "digital_link": labels.digital_link(obj),
        }


def _lineage(edges: list[dict]) -> list[dict]:
    """The lineage's steps as people read them: each lot by its herb and number (and the
    lot's page when there is one), each step by its name."""
    names = {e["from"] for e in edges} | {e["to"] for e in edges}
    lots = {
        row["identifier"]: row
        for row in Lot.objects.filter(identifier__in=names).values("identifier", "pk", "herb__name")
    }

    def node(identifier):
        row = lots.get(identifier)
        number = short_name(identifier)
        if row is None:
            return {
                "label": number
                if number != identifier
                else element_string(identifier) or identifier,
                "pk": None,
            }
        label = " ".join(v for v in (row["herb__name"], number) if v)
        return {"label": label, "pk": row["pk"]}

    return [
        {"from": node(e["from"]), "to": node(e["to"]), "step": e["bizStep"], "time": e["time"]}
        for e in edges
    ]


def _block_line(lot: Lot, block, pk: int | None) -> str:
    """One line of what stops ``lot``: the lot (linked) that blocks it, what it is, why."""
    if block.identifier == lot.identifier:
        line = format_html(_("This lot: {status}"), status=block.kind_label)
    else:
        source = (
            format_html('<a href="{}">{}</a>', reverse("trace:lot_detail", args=[pk]), block.label)
            if pk
            else block.label
        )
        line = format_html(_("Made from lot {lot}: {status}"), lot=source, status=block.kind_label)
    if block.reason:
        line = format_html(_("{line} — {reason}"), line=line, reason=block.reason)
    return line


class RecallResource(Resource):
    model, namespace, name = Recall, "trace", "recall"
    filterset_class = RecallFilter
    list_columns = (
        Column("reference", link=True),
        Column("identifier", wide=True),
        Column("reason"),
        Column("started_at"),
        Column("organisation", wide=True),
    )
    detail_fields = (
        "reference",
        "identifier",
        "reason",
        "started_at",
        "started_by",
        "organisation",
    )
    detail_template = "trace/recall_detail.html"

    def queryset(self, user, *, write=False):
        return policy.scope(
            Recall.objects.select_related("organisation", "started_by"), user, write=write
        )

    def can_create(self, user):
        return user.is_authenticated and (
            policy.is_platform_admin(user)
            or Lot.objects.filter(policy.org_q(user, write=True, prefix="holder__")).exists()
        )

    def can_write(self, user, obj):
        return False


lots = LotResource()
recalls = RecallResource()


@login_required
def lot_labels(request, pk: int, kind: str):
    """Label sheet (PDF) for a lot, or for the serialised items made from it."""
    lot = get_object_or_404(policy.scope(Lot.objects.all(), request.user, write=True), pk=pk)
    form = LabelForm(request.GET or None)
    copies = form.cleaned_data["copies"] if form.is_valid() else 2
    try:
        pdf = (
            labels.lot_labels_pdf(lot, copies=copies)
            if kind == "lot"
            else (labels.item_labels_pdf(lot))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("trace:lot_detail", pk=lot.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{lot.pk}-{kind}.pdf"'
    return response


@login_required
def recall_create(request):
    """Start a recall: everything made from the lot is marked recalled and reported."""
    if not recalls.can_create(request.user):
        raise PermissionDenied
    form = RecallForm(request.POST or None, initial=request.GET or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            started = actions.start_recall(actor=actor(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.warning(
                request,
                _("Recall %(ref)s started: %(n)s lots and items recalled.")
                % {"ref": started.reference, "n": len(started.rows)},
            )
            return redirect("trace:recall_detail", pk=started.pk)
    return render(request, "trace/recall_form.html", {"form": form})


@login_required
def recall_report(request, pk: int, fmt: str):
    """Download a recall's report file (PDF or XLSX)."""
    found = get_object_or_404(recalls.queryset(request.user), pk=pk)
    field = found.report_pdf if fmt == "pdf" else found.report_xlsx
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=fmt != "pdf", filename=f"{found.reference}.{fmt}"
    )


def _read_only(resource: Resource) -> list:
    seg, n = resource.segment or f"{resource.name}s", resource.name
    return [
        path(f"{seg}/", ListPage.as_view(resource=resource), name=f"{n}_list"),
        path(f"{seg}/<int:pk>/", DetailPage.as_view(resource=resource), name=f"{n}_detail"),
    ]


@login_required
def lot_pick(request):
    """``GET /trace/lots/pick/?purpose=<purpose>&q=…``: lots of ``purpose`` matching ``q``,
    as ``{"results": [{"id", "text", "hint"}]}`` (``id`` is the printed GS1 code)."""
    purpose = request.GET.get("purpose", "")
    if purpose not in pickers.PURPOSES:
        return JsonResponse({"error": _("Unknown purpose.")}, status=400)
    found = pickers.search(pickers.PURPOSES[purpose](request.user), request.GET.get("q", ""))
    return JsonResponse({"results": [pickers.result(lot) for lot in found]})


urlpatterns = [
    path("lots/pick/", lot_pick, name="lot_pick"),
    *_read_only(lots),
    path("lots/<int:pk>/labels/<str:kind>.pdf", lot_labels, name="lot_labels"),
    path("recalls/new/", recall_create, name="recall_create"),
    path("recalls/<int:pk>/report.<str:fmt>", recall_report, name="recall_report"),
    *_read_only(recalls),
]
