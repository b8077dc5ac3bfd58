"""Composed, scoped reads of the orgs app."""

from django.db.models import Q

from . import policy
from .models import Membership, Organisation, Site, User


def organisations(user, *, write=False):
    return policy.scope(
        Organisation.objects.select_related("managed_by", "division"), user, write=write
    )


def administered_organisations(user):
    """Organisations whose members ``user`` may manage."""
    return Organisation.objects.filter(policy.org_q(user, admin=True))


def sites(user, *, write=False):
    return policy.scope(Site.objects.select_related("organisation", "division"), user, write=write)


def memberships(user):
    return policy.scope(Membership.objects.select_related("user", "organisation"), user)


def users(user):
    """People with a role in an organisation ``user`` may read, and ``user`` themself."""
    if policy.reads_everything(user):
        return User.objects.all()
    orgs = policy.org_q(user, prefix="memberships__organisation__")
    return User.objects.filter(orgs | Q(pk=user.pk)).distinct()
