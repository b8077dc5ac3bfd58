"""The regulator's follow-up pages (``core.followups``): a finding with its three steps, the
list of follow-ups, and the notified organisation's "read" button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daodi.core import followups
from daodi.core.choices import FollowUpKind, FollowUpStatus
from daodi.core.errors import DomainError
from daodi.core.models import FollowUp
from daodi.core.views import actor

STEPS = {
    "acknowledge": lambda a, kind, key, post: followups.acknowledge(actor=a, kind=kind, key=key),
    "notify": lambda a, kind, key, post: followups.notify(
        actor=a, kind=kind, key=key, message=post.get("message", "")
    ),
    "close": lambda a, kind, key, post: followups.close(
        actor=a, kind=kind, key=key, note=post.get("note", "")
    ),
}


@login_required
def followup_detail(request):
    """``?kind=…&key=…``: the finding, where its follow-up stands, and the next steps."""
    if not followups.may_follow_up(request.user):
        raise PermissionDenied
    kind, key = request.GET.get("kind", ""), request.GET.get("key", "")
    if kind not in FollowUpKind.values or not key:
        return HttpResponseBadRequest(_("Name a finding: its kind and key."))
    follow_up = FollowUp.objects.filter(kind=kind, key=key).select_related("organisation").first()
    finding = followups.resolve(kind, key)
    if follow_up is None and finding is None:
        raise Http404
    here = f"{reverse('followup_detail')}?{urlencode({'kind': kind, 'key': key})}"
    errors = {}
    if request.method == "POST":
        step = STEPS.get(request.POST.get("step", ""))
        if step is None:
            return HttpResponseBadRequest(_("Unknown step."))
        try:
            step(actor(request), kind, key, request.POST)
        except DomainError as exc:
            errors = {
                "message": exc.message,
                **{k: " ".join(map(str, v)) for k, v in exc.fields.items()},
            }
        else:
            messages.success(request, _("Follow-up saved."))
            return redirect(here)
    status = follow_up.status if follow_up else FollowUpStatus.OPEN
    return TemplateResponse(
        request,
        "web/followup_detail.html",
        {
            "title": _("Follow-up"),
            "kind_label": FollowUpKind(kind).label,
            "follow_up": follow_up,
            "finding": finding,
            "status": FollowUpStatus(status),
            "can_acknowledge": status == FollowUpStatus.OPEN,
            "can_notify": status in (FollowUpStatus.OPEN, FollowUpStatus.ACKNOWLEDGED),
            "can_close": status != FollowUpStatus.CLOSED,
            "errors": errors,
            "post": request.POST,
            "here": here,
        },
        status=400 if errors else 200,
    )


@login_required
def followup_list(request):
    """Regulators: every follow-up, by status. Others: the notices sent to their organisations."""
    if followups.may_follow_up(request.user):
        rows = FollowUp.objects.select_related("organisation")
        if request.GET.get("status") in FollowUpStatus.values:
            rows = rows.filter(status=request.GET["status"])
    else:
        rows = followups.received(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "web/followup_list.html",
        {
            "title": _("Follow-ups and notices"),
            "page": page,
            "statuses": FollowUpStatus.choices,
            "status": request.GET.get("status", ""),
            "regulator": followups.may_follow_up(request.user),
        },
    )


@login_required
@require_POST
def followup_read(request, pk):
    follow_up = get_object_or_404(followups.received(request.user), pk=pk)
    try:
        followups.mark_read(actor=actor(request), follow_up=follow_up)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("home")
