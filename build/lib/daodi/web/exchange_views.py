"""Excel pages: upload a workbook to import, download exports and templates per kind.

The import runs as the signed-in user (``Actor(user, "web")``), so each row is allowed or
refused by the same actions as the forms; the page shows either the per-row errors (and
nothing was imported) or what was created, updated and found unchanged.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from daodi.core import exchange
from daodi.core.actor import Actor

SHOWN_ERRORS = 500  # a page of thousands of rows helps nobody; the count says the rest


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > exchange.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": exchange.MAX_FILE_BYTES // 1024 // 1024}
            )
        return upload


def _workbook_response(fill, name: str) -> HttpResponse:
    buffer = io.BytesIO()
    fill(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=exchange.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _kind_or_404(kind: str) -> str:
    if kind not in {key for key, _title in exchange.kinds()}:
        raise Http404
    return kind


@login_required
@require_http_methods(["GET", "POST"])
def exchange_page(request):
    """Upload form, import result, and the export and template links of every kind."""
    result = None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = exchange.import_workbook(
            actor=Actor(user=request.user, channel="web"), file=form.cleaned_data["file"]
        )
    context = {
        "title": _("Excel import and export"),
        "form": form,
        "kinds": exchange.kinds(),
        "result": result,
    }
    if result is not None:
        context["errors"] = result.errors[:SHOWN_ERRORS]
        context["hidden_errors"] = max(0, len(result.errors) - SHOWN_ERRORS)
    status = 422 if result is not None and not result.ok else 200
    return render(request, "web/exchange.html", context, status=status)


@login_required
@require_GET
def export_view(request, kind):
    """The kind's records the user may read, as a workbook in the user's language."""
    kind = _kind_or_404(kind)
    actor = Actor(user=request.user, channel="web")
    return _workbook_response(
        lambda f: exchange.export_workbook(actor=actor, kind=kind, file=f), exchange.filename(kind)
    )


@login_required
@require_GET
def template_view(request, kind):
    """An empty workbook for the kind, with a sheet explaining each column."""
    kind = _kind_or_404(kind)
    return _workbook_response(
        lambda f: exchange.template_workbook(kind, f), exchange.filename(kind, template=True)
    )
