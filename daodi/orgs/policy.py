"""Who may read and change what: the one place organisation scoping is decided.

A member of an organisation reads its records and those of every organisation it manages
(directly or further down, via ``Organisation.path``); admins and operators may change
them; a regulator reads every organisation; platform administrators (superusers) may do
everything. Every query of owned records goes through ``scope``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Q, QuerySet

from daodi.core.actor import Actor
from daodi.core.compiled import CompiledQuery
from daodi.core.errors import NotFound, PermissionDenied

from .choices import WRITE_ROLES, Role
from .models import Membership

NOTHING = Q(pk__in=[])


class Grant(NamedTuple):
    """A role of the user's and the path of the organisation it is held in."""

    role: str
    path: str


_GRANTS = CompiledQuery(
    lambda user: Membership.objects.filter(user_id=user).values_list("role", "organisation__path"),
    int,
)


def _memberships(user) -> list[Grant]:
    """The user's grants, read once per request (the user object is the request's)."""
    if not user or not user.is_authenticated:
        return []
    cache = getattr(user, "_daodi_memberships", None)
    if cache is None:
        cache = [Grant(*row) for row in _GRANTS.rows(user.pk)]
        user._daodi_memberships = cache
    return cache


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser and user.is_active)


def reads_everything(user) -> bool:
    return is_platform_admin(user) or any(m.role == Role.REGULATOR for m in _memberships(user))


def writes_anywhere(user) -> bool:
    """True when the user may change some organisation's records (menus offer writes)."""
    return is_platform_admin(user) or any(m.role in WRITE_ROLES for m in _memberships(user))


def org_q(user, *, write: bool = False, admin: bool = False, prefix: str = "") -> Q:
    """A Q on ``{prefix}path`` matching the organisations ``user`` may read, change
    (``write``) or manage the members of (``admin``)."""
    if is_platform_admin(user):
        return Q()
    if not (write or admin) and reads_everything(user):
        return Q()
    if admin:
        roles = {Role.ADMIN}
    else:
        roles = WRITE_ROLES if write else {Role.ADMIN, Role.OPERATOR, Role.VIEWER}
    paths = {m.path for m in _memberships(user) if m.role in roles}
    if not paths:
        return NOTHING
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in sorted(paths)))


def scope(qs: QuerySet, user, *, write: bool = False) -> QuerySet:
    """Filter ``qs`` to what ``user`` may read (or change); the model names its owner path."""
    owner = getattr(qs.model, "owner_path", None)
    if owner is None:
        raise TypeError(f"{qs.model.__name__} declares no owner_path")
    return qs.filter(org_q(user, write=write, prefix=owner))


def _may(user, org, *, write: bool) -> bool:
    """``org_q`` decided on ``org`` in memory: its path under a path of the user's."""
    if is_platform_admin(user) or not write and reads_everything(user):
        return True
    roles = WRITE_ROLES if write else {Role.ADMIN, Role.OPERATOR, Role.VIEWER}
    return any(m.role in roles and org.path.startswith(m.path) for m in _memberships(user))


def can_write_org(user, org) -> bool:
    return _may(user, org, write=True)


def require_write(actor: Actor, org) -> None:
    """Refuse unless the actor may change records of ``org``. Unreadable looks like absent.

    Decided on the organisation as loaded (its path) and the user's memberships, read once
    per request: no query of its own.
    """
    if actor.is_system or org is None and is_platform_admin(actor.user):
        return
    if org is None:
        raise PermissionDenied()
    if not _may(actor.user, org, write=False):
        raise NotFound()
    if not _may(actor.user, org, write=True):
        raise PermissionDenied()


def require_admin(actor: Actor, org) -> None:
    """Refuse unless the actor administers ``org`` (to manage its members)."""
    if actor.is_system or is_platform_admin(actor.user):
        return
    from .models import Organisation

    if not Organisation.objects.filter(org_q(actor.user, admin=True), pk=org.pk).exists():
        raise PermissionDenied()


def require_platform_admin(actor: Actor) -> None:
    if not (actor.is_system or is_platform_admin(actor.user)):
        raise PermissionDenied()
