"""Pages of the orgs app: organisations, sites, people, memberships and API tokens.

The list/detail/create/edit pages are the generic ones of ``daodi.core.views``; each resource
below only names its scoped query, filterset, form and actions. Writes go through
``actions`` with a web actor; reads through ``queries`` (and so through ``policy.scope``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.core.forms import add_domain_error
from daodi.core.views import Column, DetailPage, Resource, actor

from . import actions, pickers, policy, queries
from .choices import WRITE_ROLES, OrgKind
from .filters import OrganisationFilter, SiteFilter, UserFilter
from .forms import (
    MembershipForm,
    OrganisationForm,
    SiteForm,
    TokenForm,
    UserCreateForm,
    UserForm,
)
from .models import ApiToken, Organisation, Site, User

# The kind a new organisation most likely has, given who manages it (a form default only).
USUAL_MANAGED_KIND = {
    OrgKind.VILLAGE_POINT: OrgKind.HOUSEHOLD,
    OrgKind.TOWNSHIP_STATION: OrgKind.VILLAGE_POINT,
    OrgKind.COUNTY_HUB: OrgKind.TOWNSHIP_STATION,
}


class OrganisationResource(Resource):
    model = Organisation
    namespace, name = "orgs", "organisation"
    filterset_class = OrganisationFilter
    form_class = OrganisationForm
    list_columns = (
        Column("name", link=True),
        Column("kind"),
        Column("code", wide=True),
        Column("managed_by", wide=True),
        Column("contact_person", wide=True),
        Column("phone"),
    )
    detail_fields = (
        "kind",
        "code",
        "managed_by",
        "division.full_name",
        "gln",
        "contact_person",
        "phone",
        "address",
        "is_active",
        "created_at",
    )
    detail_template = "orgs/organisation_detail.html"

    def queryset(self, user, *, write=False):
        return queries.organisations(user, write=write)

    def limit_filter_choices(self, form, user):
        form.fields["managed_by"].queryset = queries.organisations(user).exclude(
            kind=OrgKind.HOUSEHOLD
        )

    def create(self, actor, **data):
        return actions.create_organisation(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_organisation(actor=actor, organisation=obj, **data)

    def form_initial(self, request):
        writable = queries.organisations(request.user, write=True)
        manager = None
        if request.GET.get("managed_by", "").isdigit():
            manager = writable.filter(pk=request.GET["managed_by"]).first()
        if manager is None:
            # A village point's operator nearly always adds growers of their own point.
            own = [
                m.organisation
                for m in request.user.memberships.select_related("organisation")
                if m.role in WRITE_ROLES
            ]
            manager = own[0] if len(own) == 1 else None
        if manager is None:
            return {}
        return {"managed_by": manager, "kind": USUAL_MANAGED_KIND.get(manager.kind)}

    def detail_context(self, request, obj):
        managed = queries.organisations(request.user).filter(managed_by=obj)
        return {
            "managed": managed[:10],
            "managed_count": managed.count(),
            "managed_by_kind": [
                (OrgKind(row["kind"]).label, row["n"])
                for row in managed.values("kind").annotate(n=Count("id")).order_by("kind")
            ],
            "sites": queries.sites(request.user).filter(organisation=obj)[:10],
            "members": queries.memberships(request.user).filter(organisation=obj)[:20],
            "can_add_managed": self.can_write(request.user, obj),
        }


class SiteResource(Resource):
    model = Site
    namespace, name = "orgs", "site"
    filterset_class = SiteFilter
    form_class = SiteForm
    list_columns = (
        Column("name", link=True),
        Column("kind"),
        Column("organisation"),
        Column("gln", wide=True),
        Column("division", wide=True),
    )
    detail_fields = (
        "organisation",
        "kind",
        "gln",
        ("sgln", gettext_lazy("SGLN (EPC URN)")),
        "division.full_name",
        "address",
        "latitude",
        "longitude",
        "is_active",
    )
    verbatim_fields = ("sgln",)

    def queryset(self, user, *, write=False):
        return queries.sites(user, write=write)

    def can_create(self, user):
        return queries.organisations(user, write=True).exists()

    def limit_filter_choices(self, form, user):
        form.fields["organisation"].queryset = queries.organisations(user)

    def create(self, actor, **data):
        return actions.create_site(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_site(actor=actor, site=obj, **data)


class UserResource(Resource):
    model = User
    namespace, name = "orgs", "user"
    filterset_class = UserFilter
    form_class = UserForm
    create_form_class = UserCreateForm
    list_columns = (
        Column("display_name", label=gettext_lazy("Name"), link=True),
        Column("username", verbatim=True),
        Column("phone", wide=True),
        Column("email", wide=True),
        Column("is_active"),
    )
    detail_fields = (
        "username",
        "last_name",
        "first_name",
        "email",
        "phone",
        "is_active",
        "last_login",
        "date_joined",
    )
    verbatim_fields = ("username",)
    detail_template = "orgs/user_detail.html"

    def queryset(self, user, *, write=False):
        return queries.users(user)

    def limit_filter_choices(self, form, user):
        # The shared filterset takes an organisation id; people pick it from a list.
        orgs = queries.organisations(user).exclude(kind=OrgKind.HOUSEHOLD)
        form.fields["organisation"] = pickers.OrganisationField(
            purpose="readable", queryset=orgs, required=False,
            label=form.fields["organisation"].label,
        )  # fmt: skip

    def can_create(self, user):
        return queries.administered_organisations(user).exists()

    def can_write(self, user, obj):
        """Admins of one of the person's organisations (and platform admins) may edit them."""
        if policy.is_platform_admin(user):
            return True
        for membership in obj.memberships.select_related("organisation"):
            try:
                policy.require_admin(Actor(user=user, channel="web"), membership.organisation)
            except DomainError:
                continue
            return True
        return False

    def create(self, actor, **data):
        return actions.create_user(actor=actor, **data)

    def update(self, actor, obj, **data):
        return actions.update_user(actor=actor, user=obj, **data)

    def detail_context(self, request, obj):
        return {
            "memberships": queries.memberships(request.user).filter(user=obj),
            "can_manage_members": queries.administered_organisations(request.user).exists(),
            "membership_form": MembershipForm(user=request.user),
        }


class UserDetailPage(DetailPage):
    """A person, with their memberships; administrators give and take roles here."""

    def post(self, request, pk):
        person = self.get_object()
        form = MembershipForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                actions.set_membership(actor=actor(request), user=person, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Role saved."))
                return redirect("orgs:user_detail", pk=person.pk)
        return self.render(person, membership_form=form)


@login_required
@require_POST
def remove_membership(request, pk, membership_pk):
    """Take a role away (POST); the person keeps their account."""
    membership = get_object_or_404(queries.memberships(request.user), pk=membership_pk, user_id=pk)
    try:
        actions.remove_membership(actor=actor(request), membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role removed."))
    return redirect("orgs:user_detail", pk=pk)


@never_cache
@login_required
def token_list(request):
    """The user's own API tokens; creating one shows its secret on the result page, once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.create_token(
                actor=actor(request), user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "orgs/token_created.html", {"token": token, "secret": secret})
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "orgs/token_list.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        actions.revoke_token(actor=actor(request), token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("orgs:token_list")


organisations = OrganisationResource()
sites = SiteResource()
users = UserResource()


@login_required
def organisation_pick(request):
    """``GET /organisations/pick/?purpose=<purpose>&q=…``: the organisations the user may
    choose for ``purpose`` matching ``q``, as ``{"results": [{"id", "text", "hint"}]}``."""
    purpose = request.GET.get("purpose", "")
    if purpose not in pickers.PURPOSES:
        return JsonResponse({"error": _("Unknown purpose.")}, status=400)
    found = pickers.find(purpose, request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [pickers.result(org, purpose) for org in found]})
