"""Generic list, detail, create and edit pages, parameterised by a ``Resource``.

A resource says, for one model, how a user's records are read (a scoped query function),
filtered (the filterset the API uses too), shown (columns and fields), parsed (a form) and
written (the app's actions). The four views below do the rest the same way everywhere:

- list: search box ``q``, the filterset's filters, 25 rows a page; an htmx request gets only
  the results fragment, a plain request the whole page;
- detail: the record, its audit trail, and an edit button only for those who may write;
- create / edit: the form calls the action with ``Actor(user, "web")``; a ``DomainError``
  comes back as form errors.

A record outside the user's read scope is 404; readable but not writable is 403.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.forms import NullBooleanSelect
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from daodi.core.actor import Actor
from daodi.core.documents import XlsxColumn, XlsxSheet, write_xlsx
from daodi.core.errors import DomainError
from daodi.core.models import AuditEntry

from . import review
from .forms import add_domain_error, style
from .pickers import swap_filter_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 25
AUDIT_ROWS = 20


def actor(request) -> Actor:
    return Actor(user=request.user, channel="web")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass(frozen=True)
class Column:
    """One list column: a field (or dotted attribute) of the row, optionally its label.

    ``wide`` columns are shown from the tablet width up, so a phone sees the essentials.
    ``verbatim`` columns hold codes people type as they are (usernames): marked
    ``translate="no"``, they are not words of the page's language.
    """

    name: str
    label: str | None = None
    link: bool = False
    wide: bool = False
    verbatim: bool = False


def field_label(model: type[models.Model], name: str) -> str:
    try:
        return capfirst(model._meta.get_field(name.split(".")[0]).verbose_name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))


def display(obj, name: str):
    """A field's value as people read it: choice labels, names of related records, '—'."""
    for part in name.split(".")[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    last = name.split(".")[-1]
    getter = getattr(obj, f"get_{last}_display", None)
    if callable(getter):
        return getter()
    value = getattr(obj, last, None)
    if isinstance(value, models.Manager):
        return ", ".join(str(v) for v in value.all()) or None
    return value() if callable(value) else value


def audit_trail(obj, limit: int = AUDIT_ROWS) -> list[AuditEntry]:
    """The record's latest audit rows, each with ``changed``: labels of the fields an update
    changed (a creation lists none: every field is new)."""
    labels = {f.attname: capfirst(f.verbose_name) for f in obj._meta.concrete_fields}
    entries = list(
        AuditEntry.objects.filter(
            target_type=obj._meta.label_lower, target_id=str(obj.pk)
        ).select_related("actor")[:limit]
    )
    for entry in entries:
        created = entry.action.endswith(".create")
        entry.changed = [] if created else [str(labels.get(k, k)) for k in entry.changes]
    return entries


class Resource:
    """How one model is read, shown and written by the generic pages. Subclass per model."""

    model: type[models.Model]
    namespace: str  # the URL namespace of the app, e.g. "orgs"
    name: str  # URL names are "<namespace>:<name>_list|_detail|_create|_update"
    segment: str = ""  # the URL path segment; "<name>s" unless set
    filterset_class = None
    form_class = None
    create_form_class = None  # when creating needs other fields than editing
    list_columns: tuple[Column, ...] = ()
    export_columns: tuple[Column, ...] = ()  # the list's Excel export; empty: none offered
    detail_fields: tuple = ()  # field names, or (attribute, label) pairs
    detail_template = "web/crud/detail.html"
    # Detail fields holding identifiers shown as they are (an SGLN URN for integrators).
    verbatim_fields: tuple[str, ...] = ()

    # --- reads ------------------------------------------------------------------------------
    def queryset(self, user, *, write: bool = False):
        raise NotImplementedError

    def filterset(self, request, queryset):
        # Always bound (an empty query is a valid one), so an unfiltered list shows everything.
        fs = self.filterset_class(request.GET, queryset=queryset, request=request)
        self.limit_filter_choices(fs.form, request.user)
        swap_filter_fields(fs.form, request.user)
        for field in fs.form.fields.values():
            if isinstance(field.widget, NullBooleanSelect):
                # "Unknown" reads oddly on a filter: the empty choice means "any".
                field.widget.choices = [
                    ("unknown", _("Any")),
                    ("true", _("Yes")),
                    ("false", _("No")),
                ]
        style(fs.form)
        return fs

    def limit_filter_choices(self, form, user) -> None:
        """Narrow choice filters to records the user may see (override where needed)."""

    def prepare_rows(self, rows: list) -> None:
        """Fill in what a page of rows shows beyond their fields, in bulk (override)."""

    def detail_context(self, request, obj) -> dict:
        return {}

    def heading(self, obj) -> str:
        """The detail page's heading: what a person calls the record."""
        return str(obj)

    # --- permissions (what buttons to show; the actions decide again) ------------------------
    def can_list(self, user) -> bool:
        """Whether the list is a page for this user at all (a lab's queue is for labs)."""
        return True

    def can_create(self, user) -> bool:
        return self.queryset(user, write=True).exists()

    def can_write(self, user, obj) -> bool:
        return self.queryset(user, write=True).filter(pk=obj.pk).exists()

    # --- writes -----------------------------------------------------------------------------
    def create(self, actor: Actor, **data):
        raise NotImplementedError

    def update(self, actor: Actor, obj, **data):
        raise NotImplementedError

    # --- reviews of flags (core.review): set ``review_of`` to offer them -------------------
    review_of = None  # obj -> the organisation whose flag it is; None: nothing to review

    def review(self, actor: Actor, obj, note: str):
        raise NotImplementedError

    def can_review(self, user, obj) -> bool:
        return self.review_of is not None and review.can_review(user, obj, self.review_of(obj))

    def export_rows(self, rows):
        """The cells of each exported row (override to name what a column holds as a code)."""
        for obj in rows:
            yield [export_cell(display(obj, c.name)) for c in self.export_columns]

    def form_initial(self, request) -> dict:
        """Initial values of a new record: ``?field=value`` links preselect (the form's own
        choices still bound what can be picked)."""
        return dict(request.GET.items())

    # --- naming -----------------------------------------------------------------------------
    def url_name(self, page: str) -> str:
        return f"{self.namespace}:{self.name}_{page}"

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)

    def urls(self, *, detail_view=None) -> list:
        """The four pages' URL patterns; ``detail_view`` replaces the generic detail page."""
        seg, n = self.segment or f"{self.name}s", self.name
        detail = detail_view or DetailPage
        return [
            path(f"{seg}/", ListPage.as_view(resource=self), name=f"{n}_list"),
            path(f"{seg}/new/", CreatePage.as_view(resource=self), name=f"{n}_create"),
            path(f"{seg}/<int:pk>/", detail.as_view(resource=self), name=f"{n}_detail"),
            path(f"{seg}/<int:pk>/edit/", UpdatePage.as_view(resource=self), name=f"{n}_update"),
        ]


def export_cell(value):
    """A value as a spreadsheet cell: names, not codes or booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, models.Model):
        return str(value)
    return value


def xlsx_response(filename: str, sheet: XlsxSheet) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, [sheet])
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def date_range(request) -> tuple[dt.date | None, dt.date | None]:
    """The ``date_from`` and ``date_to`` of a dated list (ISO dates; else no bound), named
    as the filter sets of dated lists name them."""

    def parse(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return parse("date_from"), parse("date_to")


def export_url(request, list_url: str) -> str:
    """The list's URL with its current filters and ``export=xlsx`` (no page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return f"{list_url}?{query.urlencode()}"


class ResourcePage(LoginRequiredMixin, View):
    resource: Resource = None

    def context(self, **extra) -> dict:
        r = self.resource
        return {
            "resource": r,
            "title": r.verbose_name_plural,
            "list_url": reverse(r.url_name("list")),
            **extra,
        }

    def get_object(self, *, write: bool = False):
        """The record if the user may read it (else 404) and, for ``write``, change it (403)."""
        obj = get_object_or_404(self.resource.queryset(self.request.user), pk=self.kwargs["pk"])
        if write and not self.resource.can_write(self.request.user, obj):
            raise PermissionDenied
        return obj


class ListPage(ResourcePage):
    def get(self, request):
        r = self.resource
        if not r.can_list(request.user):
            raise PermissionDenied
        fs = r.filterset(request, r.queryset(request.user))
        rows = fs.qs if fs.is_valid() else fs.queryset.none()
        if request.GET.get("export") == "xlsx" and r.export_columns:
            return self.export(rows)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # the rows prepared are the rows shown
        r.prepare_rows(page.object_list)
        columns = [(c, c.label or field_label(r.model, c.name)) for c in r.list_columns]
        table = [(obj, [(c, display(obj, c.name), label) for c, label in columns]) for obj in page]
        can_create = r.can_create(request.user)
        ctx = self.context(
            filter=fs,
            page=page,
            columns=columns,
            table=table,
            can_create=can_create,
            detail_url_name=r.url_name("detail"),
            create_url=reverse(r.url_name("create")) if can_create else None,
            export_url=(
                export_url(request, reverse(r.url_name("list"))) if r.export_columns else None
            ),
        )
        template = "web/crud/_results.html" if is_htmx(request) else "web/crud/list.html"
        response = TemplateResponse(request, template, ctx)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def export(self, rows):
        """The filtered list, every row of it, as a workbook with the columns' names."""
        r = self.resource
        columns = r.export_columns
        sheet = XlsxSheet(
            name=str(r.verbose_name_plural),
            title=f"{r.verbose_name_plural} · {timezone.localdate():%Y-%m-%d}",
            columns=[XlsxColumn(str(c.label or field_label(r.model, c.name))) for c in columns],
            rows=r.export_rows(rows),
        )
        return xlsx_response(f"{r.name}-{timezone.localdate():%Y%m%d}", sheet)


class DetailPage(ResourcePage):
    def get(self, request, pk):
        return self.render(self.get_object())

    def render(self, obj, **extra):
        r, request = self.resource, self.request
        fields = []
        for entry in r.detail_fields:  # a field name, or (attribute, label)
            name, label = entry if isinstance(entry, tuple) else (entry, None)
            value = display(obj, name)
            if name in r.verbatim_fields and value:
                value = format_html('<span translate="no">{}</span>', value)
            fields.append((label or field_label(r.model, name), value))
        can_write = r.can_write(request.user, obj)
        ctx = self.context(
            object=obj,
            heading=r.heading(obj),
            fields=fields,
            audit=audit_trail(obj),
            can_write=can_write,
            update_url=reverse(r.url_name("update"), args=[obj.pk]) if can_write else None,
            review_url=(
                reverse(r.url_name("review"), args=[obj.pk])
                if r.can_review(request.user, obj)
                else None
            ),
            **(r.detail_context(request, obj) | extra),
        )
        return TemplateResponse(request, r.detail_template, ctx)


class ReviewPage(ResourcePage):
    """POST: the review of a flagged record (core.review); back to the record either way."""

    http_method_names = ["post"]

    def post(self, request, pk):
        r, obj = self.resource, self.get_object()
        try:
            r.review(actor(request), obj, request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Review of “%(record)s” saved.") % {"record": obj})
        return redirect(r.url_name("detail"), pk=obj.pk)


class FormPage(ResourcePage):
    template_name = "web/crud/form.html"

    def make_form(self, obj=None):
        r = self.resource
        form_class = r.form_class if obj is not None else (r.create_form_class or r.form_class)
        kwargs = {"user": self.request.user, "instance": obj}
        if self.request.method == "POST":
            return form_class(self.request.POST, self.request.FILES, **kwargs)
        return form_class(initial=r.form_initial(self.request) if obj is None else None, **kwargs)

    def render(self, form, obj=None):
        r = self.resource
        if obj is None:
            heading = _("Add %(name)s") % {"name": r.verbose_name}
            cancel = reverse(r.url_name("list"))
        else:
            heading = _("Edit %(name)s") % {"name": r.verbose_name}
            cancel = reverse(r.url_name("detail"), args=[obj.pk])
        return TemplateResponse(
            self.request,
            self.template_name,
            self.context(form=form, object=obj, heading=heading, cancel_url=cancel),
        )

    def save(self, form, obj=None):
        """Run the action; on refusal put its reasons on the form and show it again."""
        r = self.resource
        if not form.is_valid():
            return self.render(form, obj)
        try:
            if obj is None:
                saved = r.create(actor(self.request), **form.action_data())
            else:
                saved = r.update(actor(self.request), obj, **form.action_data())
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.render(form, obj)
        messages.success(self.request, _("Saved “%(record)s”.") % {"record": saved})
        return redirect(r.url_name("detail"), pk=saved.pk)


class CreatePage(FormPage):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.resource.can_create(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(self.make_form())

    def post(self, request):
        return self.save(self.make_form())


class UpdatePage(FormPage):
    def get(self, request, pk):
        obj = self.get_object(write=True)
        return self.render(self.make_form(obj), obj)

    def post(self, request, pk):
        obj = self.get_object(write=True)
        return self.save(self.make_form(obj), obj)
