"""Forms of the orgs pages. They parse input; the actions in ``actions.py`` decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from daodi.core.forms import ActionModelForm, StyledForm, scope_pickers

from . import policy, queries
from .choices import MANAGED_KINDS, OrgKind, Role
from .models import Organisation, Site, User
from .pickers import OrganisationField


def _with_current(queryset, pk):
    """Choices the user may pick plus the record's current value, so saving keeps it."""
    if pk is None:
        return queryset
    return (queryset | Organisation.objects.filter(pk=pk)).distinct()


def grantable_roles(user):
    """Roles ``user`` may hand out: the regulator role only by platform administrators."""
    if policy.is_platform_admin(user):
        return Role.choices
    return [(value, label) for value, label in Role.choices if value != Role.REGULATOR]


class OrganisationForm(ActionModelForm):
    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "code",
            "managed_by",
            "division",
            "gln",
            "contact_person",
            "phone",
            "address",
            "is_active",
        ]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.managed_by_id if self.instance.pk else None
        self.fields["managed_by"] = OrganisationField(
            purpose="managed_by", required=False, label=self.fields["managed_by"].label,
            queryset=_with_current(queries.organisations(self.user, write=True), current),
        )  # fmt: skip
        if self.instance.pk is None:
            # New records start active; deactivating is an edit.
            del self.fields["is_active"]
            self.fields["kind"].choices = [("", "---------"), *creatable_kinds(self.user)]


def creatable_kinds(user) -> list[tuple[str, str]]:
    """The kinds ``user`` may register: those kept by an organisation they may change (any
    kind for a platform admin, who alone registers top-level organisations)."""
    if policy.is_platform_admin(user):
        return OrgKind.choices
    kinds = set()
    for manager in (
        queries.organisations(user, write=True).values_list("kind", flat=True).distinct()
    ):
        kinds |= MANAGED_KINDS[manager]
    return [(value, label) for value, label in OrgKind.choices if value in kinds]


class SiteForm(ActionModelForm):
    class Meta:
        model = Site
        fields = [
            "organisation",
            "kind",
            "name",
            "gln",
            "division",
            "address",
            "latitude",
            "longitude",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.organisation_id if self.instance.pk else None
        self.fields["organisation"] = OrganisationField(
            purpose="writable", label=self.fields["organisation"].label,
            queryset=_with_current(queries.organisations(self.user, write=True), current),
        )  # fmt: skip
        if self.instance.pk is None:
            del self.fields["is_active"]


class UserCreateForm(ActionModelForm):
    """A new person with their first organisation and role."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    organisation = OrganisationField(label=_("Organisation"), purpose="administered")
    # The least privilege unless the administrator chooses more.
    role = forms.ChoiceField(label=_("Role"), initial=Role.VIEWER)

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(self.user)
        self.fields["username"].help_text = ""


class UserForm(ActionModelForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "email", "phone", "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}


class MembershipForm(StyledForm):
    """Give a person a role in one more organisation (or change the role they have there)."""

    organisation = OrganisationField(label=_("Organisation"), purpose="administered")
    role = forms.ChoiceField(label=_("Role"), initial=Role.VIEWER)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
        self.fields["role"].choices = grantable_roles(user)


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("What the token is for, e.g. “scales at the buying point”."),
    )
