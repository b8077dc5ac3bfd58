"""Pages of the quality app: specification sets, samples, test orders and the lab queue,
results, certificates (with the public verification page), notifications and the
out-of-specification list regulators read.

Lists and details are the generic pages of ``daodi.core.views``; the steps of the workflow
(approve, retest, import…) are small views that show a confirmation or a form on GET and
call the action on POST. Unreadable records answer 404, readable but not writable 403.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from daodi.core.choices import FollowUpKind
from daodi.core.documents import XlsxColumn, XlsxSheet, write_xlsx
from daodi.core.errors import DomainError
from daodi.core.followups import follow_up_url
from daodi.core.forms import add_domain_error
from daodi.core.views import Column, CreatePage, DetailPage, ListPage, Resource, actor
from daodi.orgs import policy

from . import actions, coa, documents, judgement, queries, specfile
from .choices import OrderStatus, ResultStatus, SpecStatus
from .filters import (
    CertificateFilter,
    MappingFilter,
    NotificationFilter,
    OrderFilter,
    SampleFilter,
    SpecSetFilter,
)
from .forms import (
    CorrectionForm,
    ImportResultsForm,
    MappingForm,
    OrderForm,
    ResultForm,
    RetestForm,
    ReturnForm,
    SampleForm,
    SpecImportForm,
    SpecItemForm,
    SpecSetForm,
    VerifyUploadForm,
    writable_orgs,
)
from .models import (
    Certificate,
    ColumnMapping,
    Notification,
    Result,
    Sample,
    SpecItem,
    SpecSet,
    TestOrder,
)
from .nav import works_in_a_lab


# --- resources ----------------------------------------------------------------------------
class QualityResource(Resource):
    namespace = "quality"


class SpecSetResource(QualityResource):
    model, name, segment = SpecSet, "specset", "spec-sets"
    filterset_class = SpecSetFilter
    form_class = SpecSetForm
    list_columns = (
        Column("name", link=True),
        Column("edition"),
        Column("version", wide=True),
        Column("authority", wide=True),
        Column("status"),
        Column("organisation", wide=True),
    )
    detail_fields = (
        "code",
        "name",
        "version",
        "authority",
        "edition",
        "organisation",
        "status",
        "description",
        "approved_by",
        "approved_at",
        "supersedes",
    )
    detail_template = "quality/specset_detail.html"

    def queryset(self, user, *, write=False):
        return queries.spec_sets(user, write=write)

    def can_create(self, user):
        return policy.is_platform_admin(user) or writable_orgs(user).exists()

    def can_write(self, user, obj):
        return obj.status == SpecStatus.DRAFT and super().can_write(user, obj)

    def detail_context(self, request, obj):
        items = list(obj.items.order_by("sort_order", "id"))
        writable = super().can_write(request.user, obj)
        return {
            "items": items,
            "unverified": sum(1 for i in items if i.is_unverified),
            "can_change_items": writable and obj.is_draft,
            "can_approve": writable and obj.is_draft,
            "can_new_version": writable and not obj.is_draft,
            "approver": actions.person(obj.approved_by) if obj.approved_by_id else "",
        }

    def create(self, actor, **data):
        return actions.create_spec_set(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_spec_set(actor=actor, spec_set=obj, **data)


class SampleResource(QualityResource):
    model, name = Sample, "sample"
    filterset_class = SampleFilter
    form_class = SampleForm
    list_columns = (
        Column("code", link=True),
        Column("lot.batch", label=gettext_lazy("Lot")),
        Column("herb"),
        Column("quantity", wide=True),
        Column("unit", wide=True),
        Column("taken_at"),
        Column("organisation", wide=True),
    )
    detail_fields = (
        "code",
        "lot",
        "herb",
        "variant",
        "product_form",
        "quantity",
        "unit",
        "taken_at",
        "sampler",
        "taken_by",
        "organisation",
        "note",
    )
    detail_template = "quality/sample_detail.html"

    def queryset(self, user, *, write=False):
        return queries.samples(user, write=write)

    def can_create(self, user):
        return writable_orgs(user).exists()

    def can_write(self, user, obj):
        return False  # a sample is a fact; its event is never changed

    def detail_context(self, request, obj):
        return {
            "orders": obj.orders.select_related("lab").prefetch_related("spec_sets"),
            "can_order": _may_order(request.user, obj),
        }

    def create(self, actor, **data):
        return actions.take_sample(actor=actor, **data)


class OrderResource(QualityResource):
    model, name, segment = TestOrder, "order", "orders"
    filterset_class = OrderFilter
    list_columns = (
        Column("reference", link=True),
        Column("sample"),
        Column("sample.lot.herb", label=gettext_lazy("Herb"), wide=True),
        Column("lab", wide=True),
        Column("status"),
        Column("requested_at", wide=True),
    )
    detail_fields = (
        "reference",
        "sample",
        "lab",
        "spec_sets",
        "status",
        "requested_by",
        "requested_at",
        "note",
        "return_note",
        "approved_by",
        "approved_at",
    )
    detail_template = "quality/order_detail.html"

    def queryset(self, user, *, write=False):
        return queries.lab_orders(user) if write else queries.orders(user)

    def can_create(self, user):
        return False  # orders are placed from a sample's page

    def can_write(self, user, obj):
        return False

    def detail_context(self, request, obj):
        judged = queries.judge_order(obj)
        lab = policy.can_write_org(request.user, obj.lab)
        pending = [r for r in judged.results if r.status == ResultStatus.ENTERED]
        own = any(r.analyst_id == request.user.pk for r in pending)
        return {
            "judged": judged,
            "sets": [(spec_set, j, _shown_lines(j)) for spec_set, _items, j in judged.sets],
            "results": judged.results,
            "history": obj.results.filter(status=ResultStatus.SUPERSEDED).select_related("analyst"),
            "expected": queries.expected_items(obj),
            "missing": _missing(obj, judged.results),
            "is_lab": lab,
            "can_enter": lab and obj.status != OrderStatus.APPROVED,
            "can_approve": lab and obj.status == OrderStatus.TESTING and not own,
            "own_results": lab and own,
            "certificates": obj.certificates.order_by("-issued_at"),
        }


class QueueResource(OrderResource):
    """The lab's queue: the same orders, only those still to test or to review."""

    name = "queue"

    def queryset(self, user, *, write=False):
        return queries.lab_queue(user)

    def can_list(self, user):
        return works_in_a_lab(user)

    def url_name(self, page):
        return "quality:queue_list" if page == "list" else f"quality:order_{page}"

    @property
    def verbose_name_plural(self):
        return _("Lab queue")


class MappingResource(QualityResource):
    model, name = ColumnMapping, "mapping"
    filterset_class = MappingFilter
    form_class = MappingForm
    list_columns = (
        Column("name", link=True),
        Column("lab"),
        Column("test_item", wide=True),
        Column("value", wide=True),
        Column("is_active"),
    )
    detail_fields = ("lab", *actions.MAPPING_FIELDS)

    def can_list(self, user):
        return works_in_a_lab(user)

    def queryset(self, user, *, write=False):
        return queries.mappings(user, write=write)

    def can_create(self, user):
        return queries.labs(user).exists()

    def create(self, actor, **data):
        return actions.create_mapping(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_mapping(actor=actor, mapping=obj, **data)


class CertificateResource(QualityResource):
    model, name = Certificate, "certificate"
    filterset_class = CertificateFilter
    list_columns = (
        Column("number", link=True),
        Column("lot.batch", label=gettext_lazy("Lot")),
        Column("lot.herb", label=gettext_lazy("Herb"), wide=True),
        Column("lab", wide=True),
        Column("conclusion"),
        Column("issued_at"),
    )
    detail_fields = (
        "number",
        "order",
        "lot",
        "lab",
        "conclusion",
        "issued_at",
        "issued_by",
        "superseded_by",
    )
    detail_template = "quality/certificate_detail.html"

    def queryset(self, user, *, write=False):
        return queries.certificates(user) if not write else queries.certificates(user).none()

    def can_create(self, user):
        return False

    def can_write(self, user, obj):
        return False

    def detail_context(self, request, obj):
        return {
            "c": obj.content,
            "verify_url": actions.verify_url(obj.number, obj.content_hash),
            "follow_up_url": follow_up_url(
                request.user, FollowUpKind.OUT_OF_SPEC, obj, obj.conclusion != judgement.CONFORM
            ),
        }


class OutOfSpecResource(CertificateResource):
    """Certificates that did not conform or are incomplete: the regulator's page."""

    name = "oos"
    export_columns = (
        Column("number"),
        Column("lot.batch", label=gettext_lazy("Lot")),
        Column("lot.herb", label=gettext_lazy("Herb")),
        Column("lot.holder", label=gettext_lazy("Holder")),
        Column("lab"),
        Column("conclusion"),
        Column("issued_at"),
    )

    def queryset(self, user, *, write=False):
        return queries.out_of_spec(user)

    def url_name(self, page):
        return "quality:oos_list" if page == "list" else f"quality:certificate_{page}"

    @property
    def verbose_name_plural(self):
        return _("Out-of-specification results")

    def detail_context(self, request, obj):
        return {}


class NotificationResource(QualityResource):
    model, name = Notification, "notification"
    filterset_class = NotificationFilter
    list_columns = (
        Column("created_at", link=True),
        Column("kind"),
        Column("message", label=gettext_lazy("Message")),
        Column("read_at", wide=True),
    )
    detail_fields = (
        "kind",
        "audience",
        "organisation",
        "lot",
        "certificate",
        "created_at",
        "read_at",
        "read_by",
    )
    detail_template = "quality/notification_detail.html"

    def queryset(self, user, *, write=False):
        return queries.notifications(user)

    def can_create(self, user):
        return False

    def can_write(self, user, obj):
        return False


spec_sets = SpecSetResource()
samples = SampleResource()
orders = OrderResource()
queue = QueueResource()
mappings = MappingResource()
certificates = CertificateResource()
out_of_spec = OutOfSpecResource()
notifications = NotificationResource()


# --- helpers -----------------------------------------------------------------------------
def _missing(order, results, *, required_only: bool = True) -> list[str]:
    have = {judgement.item_key(r.test_item) for r in results}
    return [
        name
        for name in queries.expected_items(order, required_only=required_only)
        if judgement.item_key(name) not in have
    ]


def _shown_lines(judged) -> list:
    """The judgement's lines without optional ones nobody tested (as on the certificate)."""
    shown = []
    for line in judged.lines:
        panel = isinstance(line, judgement.PanelJudgement)
        items = line.items if panel else [line]
        required = line.required if panel else line.item.required
        if required or any(j.reading is not None for j in items):
            shown.append(line)
    return shown


def _may_order(user, sample) -> bool:
    return policy.can_write_org(user, sample.organisation) or queries.labs(user).exists()


def _bound(request) -> tuple:
    """Form data of a POST (a file alone counts), nothing on GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _lab_order(request, pk) -> TestOrder:
    """An order the user reads (else 404) whose lab the user works for (else 403)."""
    order = get_object_or_404(queries.orders(request.user), pk=pk)
    if not policy.can_write_org(request.user, order.lab):
        raise PermissionDenied
    return order


def _lab_result(request, pk) -> Result:
    result = get_object_or_404(queries.results(request.user), pk=pk)
    if not policy.can_write_org(request.user, result.order.lab):
        raise PermissionDenied
    return result


def _writable_set(request, pk) -> SpecSet:
    spec_set = get_object_or_404(queries.spec_sets(request.user), pk=pk)
    if not queries.spec_sets(request.user, write=True).filter(pk=pk).exists():
        raise PermissionDenied
    return spec_set


def _writable_item(request, pk) -> SpecItem:
    item = get_object_or_404(queries.spec_items(request.user), pk=pk)
    if not queries.spec_sets(request.user, write=True).filter(pk=item.spec_set_id).exists():
        raise PermissionDenied
    return item


def _form_page(
    request, form, *, title, cancel_url, parent=None, multipart=False, intro="", another=False
):
    return TemplateResponse(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "parent": parent,
            "multipart": multipart,
            "intro": intro,
            "another": another,
        },
    )


def _confirm(request, *, title, message, button, run, done, cancel_url, danger=False):
    """GET: ask; POST: run the action, then go to ``done`` (a refusal comes back as a message)."""
    if request.method == "POST":
        try:
            result = run()
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(cancel_url)
        return redirect(done(result))
    return TemplateResponse(
        request,
        "quality/confirm.html",
        {
            "title": title,
            "message": message,
            "button": button,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


# --- specification sets ------------------------------------------------------------------
@login_required
def specset_approve(request, pk):
    spec_set = _writable_set(request, pk)
    detail = reverse("quality:specset_detail", args=[pk])
    unverified = sum(1 for i in spec_set.items.all() if i.is_unverified)
    message = _("Approve %(set)s for use in test orders? It cannot be changed afterwards.") % {
        "set": spec_set
    }
    if unverified:
        message += " " + _(
            "%(n)s items are still to be verified (待核对); certificates will say so."
        ) % {"n": unverified}
    return _confirm(
        request,
        title=_("Approve the specification set"),
        message=message,
        button=_("Approve"),
        run=lambda: actions.approve_spec_set(actor=actor(request), spec_set=spec_set),
        done=lambda s: reverse("quality:specset_detail", args=[s.pk]),
        cancel_url=detail,
    )


@login_required
def specset_newversion(request, pk):
    spec_set = _writable_set(request, pk)
    return _confirm(
        request,
        title=_("Draft a new version"),
        message=_("Copy %(set)s into a new draft version to change it?") % {"set": spec_set},
        button=_("Draft a new version"),
        run=lambda: actions.new_spec_version(actor=actor(request), spec_set=spec_set),
        done=lambda s: reverse("quality:specset_detail", args=[s.pk]),
        cancel_url=reverse("quality:specset_detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def specset_export(request, pk):
    """The set as a specification file: CSV, or XLSX with ``?format=xlsx``."""
    spec_set = get_object_or_404(queries.spec_sets(request.user), pk=pk)
    fmt = request.GET.get("format", "csv")
    rows = queries.spec_rows(spec_set)
    name = f"{spec_set.code}-v{spec_set.version}"
    if fmt == "csv":
        response = HttpResponse(
            "\ufeff" + specfile.csv_text(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [
            XlsxSheet(
                name=spec_set.code[:31],
                title=f"{spec_set.name} · {spec_set.edition} · v{spec_set.version}",
                columns=[XlsxColumn(c) for c in specfile.ALL_COLUMNS],
                rows=[specfile.export_row(r) for r in rows],
            )
        ],
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def specset_import(request):
    """Upload a specification file; platform administrators may also load the starter table."""
    if not policy.writes_anywhere(request.user):
        raise PermissionDenied
    form = SpecImportForm(*_bound(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("starter"):
                outcome = actions.load_starter(actor=actor(request))
            else:
                upload = form.cleaned_data["file"]
                if upload is None:
                    form.add_error("file", _("Choose a file."))
                    raise _Invalid
                outcome = actions.import_spec_file(
                    actor=actor(request),
                    data=upload.read(),
                    filename=upload.name,
                    organisation=form.cleaned_data["organisation"],
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        except _Invalid:
            pass
        else:
            states = {
                "created": pgettext("import outcome", "created"),
                "updated": pgettext("import outcome", "updated"),
                "unchanged": pgettext("import outcome", "unchanged"),
            }
            for spec_set, state in outcome:
                messages.success(request, f"{spec_set}: {states[state]}")
            return redirect("quality:specset_list")
    return TemplateResponse(
        request,
        "quality/specset_import.html",
        {
            "form": form,
            "title": _("Import specifications"),
            "cancel_url": reverse("quality:specset_list"),
            "is_platform_admin": policy.is_platform_admin(request.user),
        },
    )


class _Invalid(Exception):
    pass


@login_required
def specitem_create(request, pk):
    spec_set = _writable_set(request, pk)
    form = SpecItemForm(
        request.POST or None, user=request.user, initial={"herb": _first_herb(spec_set)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_spec_item(actor=actor(request), spec_set=spec_set, **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("quality:specset_detail", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Add a specification item"),
        cancel_url=reverse("quality:specset_detail", args=[pk]),
        parent=spec_set,
    )


def _first_herb(spec_set) -> str:
    first = spec_set.items.exclude(herb="*").order_by("sort_order", "id").first()
    return first.herb if first else ""


@login_required
def specitem_update(request, pk):
    item = _writable_item(request, pk)
    form = SpecItemForm(request.POST or None, user=request.user, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_spec_item(actor=actor(request), item=item, **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("quality:specset_detail", pk=item.spec_set_id)
    return _form_page(
        request,
        form,
        title=_("Edit the specification item"),
        cancel_url=reverse("quality:specset_detail", args=[item.spec_set_id]),
        parent=item.spec_set,
    )


@login_required
def specitem_verify(request, pk):
    item = _writable_item(request, pk)
    back = reverse("quality:specset_detail", args=[item.spec_set_id])
    return _confirm(
        request,
        title=_("Verify the item"),
        message=_(
            "Confirm that you checked “%(item)s” (%(limit)s) against the printed standard "
            "(%(edition)s)."
        )
        % {
            "item": item,
            "limit": f"{item.op} {item.limit} {item.unit}",
            "edition": item.spec_set.edition,
        },
        button=_("Verified"),
        run=lambda: actions.verify_spec_item(actor=actor(request), item=item),
        done=lambda _item: back,
        cancel_url=back,
    )


# --- samples and orders ------------------------------------------------------------------
@login_required
def sample_label(request, pk):
    sample = get_object_or_404(queries.samples(request.user), pk=pk)
    response = HttpResponse(documents.sample_label_pdf(sample), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sample.code}.pdf"'
    return response


@login_required
def order_create(request, pk):
    sample = get_object_or_404(queries.samples(request.user), pk=pk)
    if not _may_order(request.user, sample):
        raise PermissionDenied
    form = OrderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = actions.create_order(actor=actor(request), sample=sample, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("quality:order_detail", pk=order.pk)
    return _form_page(
        request,
        form,
        title=_("Send the sample to a lab"),
        cancel_url=reverse("quality:sample_detail", args=[pk]),
        parent=sample,
    )


@login_required
def result_create(request, pk):
    order = _lab_order(request, pk)
    current = queries.current_results(order)
    items = _missing(order, current, required_only=False) or queries.expected_items(order)
    form = ResultForm(request.POST or None, user=request.user, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            actions.enter_result(actor=actor(request), order=order, **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Result saved."))
            if request.POST.get("next") == "another" and _missing(
                order, queries.current_results(order)
            ):
                return redirect("quality:result_create", pk=pk)
            return redirect("quality:order_detail", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Enter a result"),
        cancel_url=reverse("quality:order_detail", args=[pk]),
        parent=order,
        intro=_("Write the value as reported: 8.95, 0.35 mg/g, <0.02, ND, 未检出, 符合规定."),
        another=True,
    )


@login_required
def result_update(request, pk):
    result = _lab_result(request, pk)
    form = CorrectionForm(request.POST or None, user=request.user, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_result(actor=actor(request), result=result, **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Result corrected; the earlier value stays in its history.")
            )
            return redirect("quality:order_detail", pk=result.order_id)
    return _form_page(
        request,
        form,
        title=_("Correct %(result)s") % {"result": result},
        cancel_url=reverse("quality:order_detail", args=[result.order_id]),
        parent=result.order,
    )


@login_required
def result_retest(request, pk):
    result = _lab_result(request, pk)
    form = RetestForm(request.POST or None, initial={"unit": result.unit, "loq": result.loq})
    if request.method == "POST" and form.is_valid():
        try:
            actions.retest_result(actor=actor(request), result=result, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Retest recorded; the order goes back to review."))
            return redirect("quality:order_detail", pk=result.order_id)
    return _form_page(
        request,
        form,
        title=_("Retest %(result)s") % {"result": result},
        cancel_url=reverse("quality:order_detail", args=[result.order_id]),
        parent=result.order,
    )


@login_required
def order_import(request, pk):
    order = _lab_order(request, pk)
    form = ImportResultsForm(*_bound(request), user=request.user, order=order)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = actions.import_results(
                actor=actor(request),
                order=order,
                data=upload.read(),
                filename=upload.name,
                mapping=form.cleaned_data["mapping"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(n)s results imported from %(file)s.")
                % {"n": len(created), "file": upload.name},
            )
            return redirect("quality:order_detail", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Import results from an instrument"),
        cancel_url=reverse("quality:order_detail", args=[pk]),
        parent=order,
        multipart=True,
        intro=_(
            "Nothing is imported from a file with a problem; every problem is listed with its line."
        ),
    )


@login_required
def order_approve(request, pk):
    order = _lab_order(request, pk)
    return _confirm(
        request,
        title=_("Approve the results"),
        message=_(
            "Approve the results of %(order)s? They are judged against every set of the "
            "order, the certificate is issued, and a lot that does not conform is put on hold."
        )
        % {"order": order},
        button=_("Approve and issue the certificate"),
        run=lambda: actions.approve_order(actor=actor(request), order=order),
        done=lambda cert: reverse("quality:certificate_detail", args=[cert.pk]),
        cancel_url=reverse("quality:order_detail", args=[pk]),
    )


@login_required
def order_return(request, pk):
    order = _lab_order(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.return_order(actor=actor(request), order=order, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("quality:order_detail", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Send the results back to the analyst"),
        cancel_url=reverse("quality:order_detail", args=[pk]),
        parent=order,
    )


# --- certificates ------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "HEAD"])
def certificate_pdf(request, pk):
    cert = get_object_or_404(queries.certificates(request.user), pk=pk)
    return _pdf_response(cert)


def _pdf_response(cert):
    if not cert.pdf:
        raise Http404
    return FileResponse(
        cert.pdf.open("rb"), content_type="application/pdf", filename=f"{cert.number}.pdf"
    )


def _public_rate() -> tuple[int, int]:
    from rest_framework.throttling import SimpleRateThrottle

    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("public") or "120/min"
    return SimpleRateThrottle.parse_rate(None, rate)


def _over_limit(request) -> bool:
    """Public verification answers a bounded number of requests per address and minute."""
    allowed, period = _public_rate()
    if not allowed:
        return False
    key = f"quality:verify:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, period)
        count = 1
    return count > allowed


def certificate_verify(request, number):
    """Public: is this certificate genuine and unchanged? (The QR code of every certificate
    leads here with its fingerprint; an uploaded PDF is compared with the one issued.)"""
    if _over_limit(request):
        return HttpResponse(_("Too many requests: try again in a minute."), status=429)
    cert = Certificate.objects.select_related("lab", "superseded_by").filter(number=number).first()
    presented = request.GET.get("h", "")
    form = VerifyUploadForm(*_bound(request))
    context = {"number": number, "form": form, "presented": presented}
    if cert is None:
        return TemplateResponse(
            request, "quality/verify.html", {**context, "state": "unknown"}, status=404
        )
    state = coa.check(cert.content, cert.content_hash, presented)
    pdf_state = None
    if request.method == "POST" and form.is_valid():
        uploaded = coa.sha256(form.cleaned_data["pdf"].read())
        pdf_state = (
            "same" if cert.pdf_sha256 and coa.same(uploaded, cert.pdf_sha256) else "different"
        )
        if pdf_state == "same" and state != coa.CORRUPTED:
            state = coa.GENUINE  # the very file issued vouches for itself
    context.update(
        state=state,
        pdf_state=pdf_state,
        cert=cert,
        c=cert.content if state == coa.GENUINE else None,
    )
    # A number alone is no forgery: it asks for the fingerprint or the file.
    status = 200 if state in (coa.GENUINE, coa.UNCHECKED) else 409
    return TemplateResponse(request, "quality/verify.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def certificate_public_pdf(request, number):
    """Public: the PDF, for whoever holds the link with the certificate's fingerprint."""
    cert = Certificate.objects.filter(number=number).first()
    if (
        cert is None
        or coa.check(cert.content, cert.content_hash, request.GET.get("h", "")) != coa.GENUINE
    ):
        raise Http404
    return _pdf_response(cert)


# --- notifications -----------------------------------------------------------------------
class NotificationPage(DetailPage):
    def post(self, request, pk):
        notification = self.get_object()
        try:
            actions.mark_read(actor=actor(request), notification=notification)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("quality:notification_list")


def _list_and_detail(resource, *, detail=DetailPage, segment=None):
    seg = segment or resource.segment or f"{resource.name}s"
    return [
        path(f"{seg}/", ListPage.as_view(resource=resource), name=f"{resource.name}_list"),
        path(f"{seg}/<int:pk>/", detail.as_view(resource=resource), name=f"{resource.name}_detail"),
    ]


urlpatterns = [
    # Specification sets and their items.
    path("spec-sets/import/", specset_import, name="specset_import_create"),
    *spec_sets.urls(),
    path("spec-sets/<int:pk>/approve/", specset_approve, name="specset_approve"),
    path("spec-sets/<int:pk>/new-version/", specset_newversion, name="specset_newversion"),
    path("spec-sets/<int:pk>/export/", specset_export, name="specset_export"),
    path("spec-sets/<int:pk>/items/new/", specitem_create, name="specitem_create"),
    path("spec-items/<int:pk>/edit/", specitem_update, name="specitem_update"),
    path("spec-items/<int:pk>/verify/", specitem_verify, name="specitem_verify"),
    # Samples, orders, results.
    path("samples/", ListPage.as_view(resource=samples), name="sample_list"),
    path("samples/new/", CreatePage.as_view(resource=samples), name="sample_create"),
    path("samples/<int:pk>/", DetailPage.as_view(resource=samples), name="sample_detail"),
    path("samples/<int:pk>/label.pdf", sample_label, name="sample_label"),
    path("samples/<int:pk>/orders/new/", order_create, name="order_create"),
    path("orders/queue/", ListPage.as_view(resource=queue), name="queue_list"),
    *_list_and_detail(orders),
    path("orders/<int:pk>/approve/", order_approve, name="order_approve"),
    path("orders/<int:pk>/return/", order_return, name="order_return"),
    path("orders/<int:pk>/import/", order_import, name="order_import"),
    path("orders/<int:pk>/results/new/", result_create, name="result_create"),
    path("results/<int:pk>/edit/", result_update, name="result_update"),
    path("results/<int:pk>/retest/", result_retest, name="result_retest"),
    *mappings.urls(),
    # Certificates, the public verification, notifications, the regulator's list.
    *_list_and_detail(certificates),
    path("certificates/<int:pk>/pdf/", certificate_pdf, name="certificate_pdf"),
    path("verify/<str:number>/", certificate_verify, name="certificate_verify"),
    path("verify/<str:number>/pdf/", certificate_public_pdf, name="certificate_public_pdf"),
    path("out-of-spec/", ListPage.as_view(resource=out_of_spec), name="oos_list"),
    *_list_and_detail(notifications, detail=NotificationPage),
]
