"""Pages of the buying network: purchases (with receipts), dispatches and receipts,
commingling, pallets, losses, GI claims, the mass balance, GI violations, the network view,
daily settlements and the ledger import."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daodi.core.choices import FollowUpKind
from daodi.core.documents import XlsxColumn, XlsxSheet
from daodi.core.errors import DomainError
from daodi.core.followups import follow_up_url
from daodi.core.forms import add_domain_error
from daodi.core.views import (
    Column,
    CreatePage,
    DetailPage,
    ListPage,
    actor,
    date_range,
    export_url,
    is_htmx,
    xlsx_response,
)
from daodi.farm.views import WriteOnce, pages
from daodi.orgs import policy

from . import actions, documents, findings, gi, ledger, packing, queries
from .choices import DispatchStatus
from .filters import (
    ComminglingFilter,
    DispatchFilter,
    GIClaimFilter,
    LossFilter,
    PackingFilter,
    PalletFilter,
    PurchaseFilter,
)
from .forms import (
    ComminglingForm,
    CorrectionForm,
    DispatchForm,
    GIClaimForm,
    LedgerImportForm,
    LossForm,
    NoteForm,
    PackingForm,
    PalletForm,
    PurchaseForm,
    ReceiptForm,
    SellerForm,
    lot_number,
)
from .models import Commingling, Dispatch, GIClaim, Loss, Packing, Pallet, Purchase

# A run's labels are printed two A4 sheets at a time: a sheet of 40 takes WeasyPrint about
# two seconds, so a 5,000-pack run in one PDF would keep the page waiting for minutes.
LABELS_PER_PART = 80
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


writes_somewhere = policy.writes_anywhere


class PurchaseResource(WriteOnce):
    model, namespace, name = Purchase, "sourcing", "purchase"
    filterset_class = PurchaseFilter
    form_class = PurchaseForm
    list_columns = (
        Column("receipt_no", link=True),
        Column("bought_at", wide=True),
        Column("seller"),
        Column("herb"),
        Column("net_kg"),
        Column("amount", wide=True),
        Column("point", wide=True),
        Column("voided", wide=True),
    )
    detail_fields = (
        "receipt_no", "point", "seller", "herb", "grade", "gross_kg", "tare_kg", "net_kg",
        "moisture_pct", "price", "price_unit", "price_per_kg", "amount", "amount_paid",
        "payment_method", "bought_at", "lot", "voided",
    )  # fmt: skip
    export_columns = (
        Column("receipt_no"),
        Column("bought_at"),
        Column("point"),
        Column("seller"),
        Column("herb"),
        Column("grade"),
        Column("gross_kg"),
        Column("tare_kg"),
        Column("net_kg"),
        Column("moisture_pct"),
        Column("price_per_kg"),
        Column("amount"),
        Column("amount_paid"),
        Column("payment_method"),
    )
    detail_template = "sourcing/purchase_detail.html"

    def queryset(self, user, *, write=False):
        return queries.purchases(user, write=write)

    def can_create(self, user):
        return queries.points(user).exists()

    def create(self, actor, **data):
        return actions.record_purchase(actor=actor, **data)

    def detail_context(self, request, obj):
        from daodi.trace.models import Lot

        writable = not obj.voided and self.queryset(request.user, write=True).filter(pk=obj.pk)
        return {
            "lot_row": Lot.objects.filter(identifier=obj.lot).first(),
            "corrections": obj.corrections.select_related("user"),
            "can_correct": bool(writable) and writable.exists(),
        }


class PurchaseCreatePage(CreatePage):
    template_name = "sourcing/purchase_form.html"

    def context(self, **extra):
        ctx = super().context(**extra)
        ctx["seller_form"] = SellerForm(user=self.request.user)
        return ctx


class DispatchResource(WriteOnce):
    model, namespace, name = Dispatch, "sourcing", "dispatch"
    segment = "dispatches"
    filterset_class = DispatchFilter
    form_class = DispatchForm
    list_columns = (
        Column("number", link=True),
        Column("source"),
        Column("destination"),
        Column("status"),
        Column("sent_at", wide=True),
        Column("flagged"),
    )
    detail_fields = (
        "number", "source", "destination", "status", "sent_at", "received_at", "vehicle",
        "flagged", "reviewed_at", "reviewed_by", "review_note",
    )  # fmt: skip
    export_columns = (
        Column("number"),
        Column("source"),
        Column("destination"),
        Column("status"),
        Column("sent_at"),
        Column("received_at"),
        Column("vehicle"),
        Column("sent_kg", label=gettext_lazy("sent (kg)")),
        Column("flagged"),
        Column("reviewed_at"),
        Column("review_note"),
    )
    detail_template = "sourcing/dispatch_detail.html"

    def queryset(self, user, *, write=False):
        return queries.dispatches(user, write=write)

    @staticmethod
    def review_of(dispatch):
        return dispatch.destination

    def review(self, actor, obj, note):
        return actions.review_dispatch(actor=actor, dispatch=obj, note=note)

    def can_create(self, user):
        return writes_somewhere(user)

    def create(self, actor, **data):
        return actions.dispatch(actor=actor, **data)

    def detail_context(self, request, obj):
        lines = list(obj.lines.select_related("herb", "grade"))
        for line in lines:
            line.batch = lot_number(line.lot)
        return {
            "lines": lines,
            "can_receive": queries.receivable(request.user).filter(pk=obj.pk).exists(),
            "follow_up_url": follow_up_url(
                request.user, FollowUpKind.FLAGGED_DISPATCH, obj, obj.flagged
            ),
            "can_cancel": obj.status == DispatchStatus.IN_TRANSIT
            and self.queryset(request.user, write=True).filter(pk=obj.pk).exists(),
            "corrections": obj.corrections.select_related("user"),
        }


class ComminglingResource(WriteOnce):
    model, namespace, name = Commingling, "sourcing", "commingling"
    filterset_class = ComminglingFilter
    form_class = ComminglingForm
    list_columns = (Column("made_at", link=True), Column("holder"), Column("herb"), Column("kg"))
    detail_fields = ("lot", "holder", "herb", "grade", "kg", "made_at", "inputs")

    def queryset(self, user, *, write=False):
        return queries.comminglings(user, write=write)

    def can_create(self, user):
        return writes_somewhere(user)

    def create(self, actor, **data):
        return actions.commingle(actor=actor, **data)


class PalletResource(WriteOnce):
    model, namespace, name = Pallet, "sourcing", "pallet"
    filterset_class = PalletFilter
    form_class = PalletForm
    list_columns = (Column("sscc", link=True), Column("holder"), Column("packed_at"))
    detail_fields = ("sscc", "holder", "site", "packed_at", "lots")

    def queryset(self, user, *, write=False):
        return queries.pallets(user, write=write)

    def can_create(self, user):
        return writes_somewhere(user)

    def create(self, actor, **data):
        return actions.palletise(actor=actor, **data)


class LossResource(WriteOnce):
    model, namespace, name = Loss, "sourcing", "loss"
    segment = "losses"
    filterset_class = LossFilter
    form_class = LossForm
    list_columns = (
        Column("recorded_at", link=True),
        Column("holder"),
        Column("reason"),
        Column("kg"),
    )
    detail_fields = ("lot", "holder", "kg", "reason", "note", "recorded_at")

    def queryset(self, user, *, write=False):
        return queries.losses(user, write=write)

    def can_create(self, user):
        return writes_somewhere(user)

    def create(self, actor, **data):
        return actions.record_loss(actor=actor, **data)


class GIClaimResource(WriteOnce):
    model, namespace, name = GIClaim, "sourcing", "giclaim"
    segment = "gi-claims"
    filterset_class = GIClaimFilter
    form_class = GIClaimForm
    list_columns = (
        Column("created_at", link=True),
        Column("indication"),
        Column("holder"),
        Column("kg"),
        Column("purpose"),
    )
    detail_fields = (
        "indication", "lot", "holder", "kg", "dry_equivalent_kg", "purpose", "reference",
        "created_at",
    )  # fmt: skip

    def queryset(self, user, *, write=False):
        return queries.gi_claims(user, write=write)

    def can_create(self, user):
        return writes_somewhere(user)

    def create(self, actor, **data):
        return actions.claim_gi(actor=actor, **data)


class PackingResource(WriteOnce):
    model, namespace, name = Packing, "sourcing", "packing"
    segment = "packing"
    filterset_class = PackingFilter
    form_class = PackingForm
    list_columns = (
        Column("packed_at", link=True),
        Column("trade_item"),
        Column("count"),
        Column("lot_number", gettext_lazy("Lot")),
        Column("holder", wide=True),
    )
    detail_fields = (
        "trade_item", ("lot_number", gettext_lazy("Lot packed")), "holder", "count", "kg",
        "per_case", ("serials", gettext_lazy("Serial numbers")), "packed_at",
    )  # fmt: skip
    detail_template = "sourcing/packing_detail.html"

    def queryset(self, user, *, write=False):
        return queries.packings(user, write=write)

    def can_list(self, user):
        return queries.sees_packing(user)

    def can_create(self, user):
        return queries.packs(user)

    def create(self, actor, **data):
        return packing.pack(actor=actor, **data)

    def detail_context(self, request, obj):
        from daodi.trace.models import Lot

        lot = Lot.objects.filter(identifier=obj.lot).first()
        first = Lot.objects.filter(identifier=obj.items[0]).first() if obj.items else None
        # The first packs, each linked to its consumer page on our resolver.
        shown = [("/01/" + i.split("/01/", 1)[1], i.rsplit("/21/", 1)[-1]) for i in obj.items[:10]]
        parts = [
            (n + 1, start + 1, min(start + LABELS_PER_PART, obj.count))
            for n, start in enumerate(range(0, obj.count, LABELS_PER_PART))
        ]
        return {"source_lot": lot, "first_item": first, "shown_items": shown, "parts": parts}


PURCHASES = PurchaseResource()
PACKINGS = PackingResource()
DISPATCHES = DispatchResource()


# --- purchase extras --------------------------------------------------------------------------
@login_required
def receipt(request, pk):
    """The purchase's receipt as a PDF for a 58 mm thermal printer."""
    purchase = get_object_or_404(PURCHASES.queryset(request.user), pk=pk)
    response = HttpResponse(documents.receipt_pdf(purchase), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{purchase.receipt_no}.pdf"'
    return response


@login_required
# --- offline purchases ------------------------------------------------------------------------
@login_required
def offline_data(request):
    """The purchase form's lists as JSON (sellers, herbs, grades, points), scoped to the
    user: the service worker keeps it and answers the seller search from it offline."""
    data = queries.offline_lists(request.user) | {"user": request.user.get_username()}
    response = JsonResponse(data)
    response["Cache-Control"] = "private, no-cache"
    return response


def service_worker(request):
    """The service worker that keeps the purchase form usable offline (sourcing/sw.js).

    Its scope is the whole site (``Service-Worker-Allowed: /``), so that an operator who
    opens the platform's home page without a connection is led to the purchase form.
    Public, since it holds no one's data and the browser fetches it again to look for a
    new version. Its version is the digest of the script itself, so any change installs a
    fresh cache.
    """
    context = {
        "form_url": reverse("sourcing:purchase_create"),
        "data_url": reverse("sourcing:offline_data"),
        "pick_url": _url_or_none("orgs:organisation_pick") or "/organisations/pick/",
        "static_url": static(""),
        "store_js": static("sourcing/offline-store.js"),
        "scope": reverse("home"),
        "version": "VERSION",
    }
    script = render_to_string("sourcing/sw.js", context)
    digest = hashlib.sha256(script.encode()).hexdigest()[:12]
    response = HttpResponse(
        script.replace('"VERSION"', f'"{digest}"', 1), content_type="text/javascript"
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = context["scope"]
    return response


def _url_or_none(name: str) -> str:
    """The address of a search the worker answers offline, if this deployment has it."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@login_required
def seller_register(request):
    """Register a grower household from inside the purchase form (htmx: the answer names
    the new household, which the page makes the form's seller); without htmx, back to a
    new purchase with the household chosen."""
    if not queries.points(request.user).exists():
        raise PermissionDenied
    form = SellerForm(request.POST or None, user=request.user)
    seller = None
    if request.method == "POST" and form.is_valid():
        try:
            seller = actions.register_seller(actor=actor(request), **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if not is_htmx(request):
                return redirect(f"{reverse('sourcing:purchase_create')}?seller={seller.pk}")
    response = TemplateResponse(
        request,
        "sourcing/_seller_form.html" if is_htmx(request) else "sourcing/seller_form.html",
        {
            "seller_form": form if seller is None else SellerForm(user=request.user),
            "seller": seller,
            "title": _("Register a grower household"),
        },
    )
    if seller is not None:
        label = seller.name
        if hasattr(seller, "identity"):
            label += f" · {seller.identity.id_card_masked}"
        response["HX-Trigger"] = json.dumps(
            {"sellerRegistered": {"id": seller.pk, "label": label}}  # ASCII: a header
        )
    return response


def _correction_page(request, form, obj, heading, template="web/crud/form.html"):
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "object": obj,
            "title": obj._meta.verbose_name_plural,
            "list_url": reverse(f"sourcing:{obj._meta.model_name}_list"),
            "heading": heading,
            "cancel_url": reverse(f"sourcing:{obj._meta.model_name}_detail", args=[obj.pk]),
        },
    )


@login_required
def purchase_correct(request, pk):
    """Correct a purchase's seller, weights, price or payment, saying why."""
    purchase = get_object_or_404(PURCHASES.queryset(request.user, write=True), pk=pk)
    form = CorrectionForm(request.POST or None, user=request.user, purchase=purchase)
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_purchase(
                actor=actor(request),
                purchase=purchase,
                note=form.cleaned_data["note"],
                confirm=form.cleaned_data["confirm"],
                **form.action_data(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Corrected %(receipt)s.") % {"receipt": purchase})
            return redirect("sourcing:purchase_detail", pk=pk)
    heading = _("Correct purchase %(receipt)s") % {"receipt": purchase}
    return _correction_page(request, form, purchase, heading, "sourcing/correction_form.html")


def _note_action(request, obj, act, done: str, heading: str):
    """A page that takes the reason for an undoing action (void, cancel) and runs it."""
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(actor(request), form.cleaned_data["note"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(f"sourcing:{obj._meta.model_name}_detail", pk=obj.pk)
    return _correction_page(request, form, obj, heading)


@login_required
def purchase_void(request, pk):
    """Void a purchase that did not happen, saying why."""
    purchase = get_object_or_404(PURCHASES.queryset(request.user, write=True), pk=pk)
    return _note_action(
        request,
        purchase,
        lambda who, note: actions.void_purchase(actor=who, purchase=purchase, note=note),
        _("Voided %(receipt)s.") % {"receipt": purchase},
        _("Void purchase %(receipt)s") % {"receipt": purchase},
    )


@login_required
def dispatch_cancel(request, pk):
    """Cancel a dispatch still in transit, saying why: its lots stay with the sender."""
    record = get_object_or_404(DISPATCHES.queryset(request.user, write=True), pk=pk)
    return _note_action(
        request,
        record,
        lambda who, note: actions.cancel_dispatch(actor=who, dispatch=record, note=note),
        _("Cancelled %(number)s.") % {"number": record.number},
        _("Cancel dispatch %(number)s") % {"number": record.number},
    )


@login_required
def settlement(request, pk):
    """A point's daily settlement (XLSX): ``?date=YYYY-MM-DD``, default today."""
    point = get_object_or_404(queries.nodes(request.user), pk=pk)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    buffer = io.BytesIO()
    documents.settlement_xlsx(point, day, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="settlement-{point.code}-{day}.xlsx"'
    return response


@login_required
def ledger_import(request):
    """Import a purchase ledger (收购台账) into a point: every row or none."""
    if not queries.points(request.user).exists():
        raise PermissionDenied
    form = LedgerImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        result = ledger.import_ledger(
            actor=actor(request),
            point=form.cleaned_data["point"],
            file=form.cleaned_data["file"],
            confirm=form.cleaned_data["confirm"],
        )
        if result.ok:
            created = sum(c.created for c in result.counts)
            messages.success(request, _("Imported %(count)s purchases.") % {"count": created})
            return redirect("sourcing:purchase_list")
    return TemplateResponse(
        request,
        "sourcing/ledger_import.html",
        {"form": form, "result": result, "title": _("Import a purchase ledger")},
    )


@login_required
def packing_labels(request, pk):
    """The run's item labels (a QR code with each pack's Digital Link) as an A4 PDF."""
    from daodi.trace import labels
    from daodi.trace.models import Lot

    run = get_object_or_404(PACKINGS.queryset(request.user), pk=pk)
    try:
        part = max(int(request.GET.get("part", 1)), 1)
    except ValueError:
        part = 1
    wanted = run.items[(part - 1) * LABELS_PER_PART : part * LABELS_PER_PART]
    found = {
        lot.identifier: lot
        for lot in Lot.objects.filter(identifier__in=wanted).select_related(
            "herb", "grade", "holder"
        )
    }
    try:
        pdf = labels.packed_labels_pdf(
            [found[i] for i in wanted if i in found], packed_from=run.lot_number
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("sourcing:packing_detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-packing-{run.pk}-{part}.pdf"'
    return response


# --- dispatch receipt -------------------------------------------------------------------------
@login_required
def receive(request, pk):
    dispatch = get_object_or_404(DISPATCHES.queryset(request.user), pk=pk)
    if not queries.receivable(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = ReceiptForm(request.POST or None, dispatch=dispatch)
    as_sent = request.POST.get("as_sent") == "1"
    if request.method == "POST" and (as_sent or form.is_valid()):
        try:
            actions.receive(
                actor=actor(request), dispatch=dispatch, weights=form.weights(as_sent=as_sent)
            )
        except DomainError as exc:
            form.is_valid()  # bound and cleaned, so the refusal can be shown on it
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Received %(number)s.") % {"number": dispatch.number})
            return redirect("sourcing:dispatch_detail", pk=pk)
    return TemplateResponse(
        request,
        "sourcing/receive.html",
        {
            "form": form,
            "object": dispatch,
            "title": DISPATCHES.verbose_name_plural,
            "list_url": reverse("sourcing:dispatch_list"),
            "heading": _("Receive %(number)s") % {"number": dispatch.number},
            "cancel_url": reverse("sourcing:dispatch_detail", args=[pk]),
        },
    )


# --- mass balance, GI violations, network -------------------------------------------------------
@login_required
def mass_balance(request):
    result = queries.mass_balance(
        request.user, site=request.GET.get("site", ""), herb=request.GET.get("herb", "")
    )
    only = request.GET.get("all") != "1"
    rows = result.imbalances if only else result.herbs
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"mass-balance-{timezone.localdate():%Y%m%d}", balance_sheet(result, rows)
        )
    return TemplateResponse(
        request,
        "sourcing/mass_balance.html",
        {
            "title": _("Mass balance"),
            "result": result,
            "rows": rows,
            "export_url": export_url(request, reverse("sourcing:mass_balance")),
            "can_follow_up": policy.reads_everything(request.user),
            "lots": result.lot_imbalances,
            "only": only,
            "site": request.GET.get("site", ""),
            "herb": request.GET.get("herb", ""),
        },
    )


def balance_sheet(result, rows) -> XlsxSheet:
    headers = [
        _("Node"), _("Herb"), _("Received"), _("Dispatched"), _("Losses"), _("In stock"),
        _("In transit"), _("Difference"),
    ]  # fmt: skip
    return XlsxSheet(
        name=str(_("Mass balance")),
        title=str(_("Mass balance")),
        columns=[XlsxColumn(f"{h} (kg)" if i > 1 else str(h)) for i, h in enumerate(headers)],
        rows=(
            [
                result.orgs[r.node].name if r.node in result.orgs else "",
                result.herb_names.get(r.herb, ""),
                r.received,
                r.dispatched,
                r.losses,
                r.stock,
                r.in_transit,
                r.difference,
            ]  # fmt: skip
            for r in rows
        ),
    )


@login_required
def gi_violations(request):
    if not policy.reads_everything(request.user):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "sourcing/gi_violations.html",
        {"title": _("GI violations"), "violations": gi.violations()},
    )


@login_required
def refusals(request):
    """Attempts the compliance rules refused, newest first (regulators)."""
    if not policy.reads_everything(request.user):
        raise PermissionDenied
    start, end = date_range(request)
    rows = findings.refusals(start, end)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"refusals-{timezone.localdate():%Y%m%d}", refusals_sheet(rows))
    return TemplateResponse(
        request,
        "sourcing/refusals.html",
        {
            "title": _("Refused attempts"),
            "refusals": rows[:500],
            "rules": findings.RULES,
            "start": start,
            "end": end,
            "export_url": export_url(request, reverse("sourcing:refusals")),
            "can_follow_up": True,  # the page is for regulators only
        },
    )


def refusals_sheet(rows) -> XlsxSheet:
    columns = [_("Time"), _("Rule"), _("Organisation"), _("About"), _("Reason"), _("By")]
    return XlsxSheet(
        name=str(_("Refused attempts")),
        title=str(_("Refused attempts")),
        columns=[XlsxColumn(str(c)) for c in columns],
        rows=(
            [
                r.at,
                str(findings.RULES.get(r.code, r.code)),
                r.organisation.name if r.organisation_id else "",
                r.subject,
                r.message,
                (r.actor.get_full_name() or r.actor.username) if r.actor_id else _("system"),
            ]
            for r in rows
        ),
    )


@login_required
def county(request):
    figures = queries.network(request.user)
    chart = {
        "nodes": [
            {
                "id": f.org.pk,
                "name": f.org.name,
                "kind": f.org.kind,
                "value": [float(f.site.longitude), float(f.site.latitude)],
                "stock": float(f.stock_kg),
                "url": reverse("sourcing:node", args=[f.org.pk]),
            }
            for f in figures
            if f.site is not None
        ],
        "links": [
            {"source": f.org.pk, "target": f.org.managed_by_id}
            for f in figures
            if f.org.managed_by_id and f.site is not None
        ],
    }
    totals = {
        "stock": sum(f.stock_kg for f in figures),
        "purchases": sum(f.purchases_today for f in figures),
        "purchased_kg": sum(f.purchased_kg_today for f in figures),
        "in_transit": sum(f.in_transit for f in figures),
    }
    return TemplateResponse(
        request,
        "sourcing/county.html",
        {
            "title": _("Buying network"),
            "figures": figures,
            "totals": totals,
            "chart": chart,
        },
    )


@login_required
def node(request, pk):
    org = get_object_or_404(queries.nodes(request.user), pk=pk)
    stock = queries.stock([org.pk])
    today = queries.today_purchases(org).select_related("seller", "herb")
    return TemplateResponse(
        request,
        "sourcing/node.html",
        {
            "title": org.name,
            "org": org,
            "stock": stock,
            "today": today[:100],
            "today_kg": sum(p.net_kg for p in today),
            "moving": queries.in_transit(org),
            "is_point": org.kind == "village_point",
            "today_date": timezone.localdate(),
        },
    )


urlpatterns = [
    path("purchases/", ListPage.as_view(resource=PURCHASES), name="purchase_list"),
    path("purchases/new/", PurchaseCreatePage.as_view(resource=PURCHASES), name="purchase_create"),
    path("purchases/<int:pk>/", DetailPage.as_view(resource=PURCHASES), name="purchase_detail"),
    path("purchases/<int:pk>/receipt/", receipt, name="purchase_receipt"),
    path("purchases/<int:pk>/correct/", purchase_correct, name="purchase_correct"),
    path("purchases/<int:pk>/void/", purchase_void, name="purchase_void"),
    path("offline/data/", offline_data, name="offline_data"),
    path("sw.js", service_worker, name="service_worker"),
    path("sellers/register/", seller_register, name="seller_register"),
    path("ledger/import/", ledger_import, name="ledger_import"),
    *pages(DISPATCHES),
    path("dispatches/<int:pk>/receive/", receive, name="dispatch_receive"),
    path("dispatches/<int:pk>/cancel/", dispatch_cancel, name="dispatch_cancel"),
    *pages(ComminglingResource()),
    *pages(PalletResource()),
    *pages(LossResource()),
    *pages(GIClaimResource()),
    *pages(PACKINGS),
    path("packing/<int:pk>/labels.pdf", packing_labels, name="packing_labels"),
    path("mass-balance/", mass_balance, name="mass_balance"),
    path("gi-violations/", gi_violations, name="gi_violations"),
    path("refusals/", refusals, name="refusals"),
    path("network/", county, name="county"),
    path("network/<int:pk>/", node, name="node"),
    path("network/<int:pk>/settlement/", settlement, name="settlement"),
]
