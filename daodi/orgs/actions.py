"""Every write of the orgs app. Keyword-only, with an actor, one transaction, audited."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core import audit, records
from daodi.core.actor import Actor
from daodi.core.errors import DomainError, NotFound, PermissionDenied

from . import policy
from .choices import Role
from .models import ApiToken, Membership, Organisation, Site, User

ORG_FIELDS = (
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
)
SITE_FIELDS = (
    "organisation",
    "kind",
    "name",
    "gln",
    "division",
    "address",
    "latitude",
    "longitude",
    "is_active",
)


def _only(fields: dict, allowed: tuple) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(
            _("Unknown fields: %s") % ", ".join(sorted(unknown)), code="unknown_field"
        )
    return fields


@transaction.atomic
def create_organisation(*, actor: Actor, **fields) -> Organisation:
    """Register an organisation. Without ``managed_by`` only a platform admin may do it."""
    _only(fields, ORG_FIELDS)
    parent = fields.get("managed_by")
    if parent is None:
        policy.require_platform_admin(actor)
    else:
        policy.require_write(actor, parent)
    org = records.create(actor, Organisation, **fields)
    org.path = org.compute_path()
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **fields) -> Organisation:
    """Change an organisation; moving it under another manager moves its whole subtree."""
    _only(fields, ORG_FIELDS)
    policy.require_write(actor, organisation)
    old_path = organisation.path
    new_parent = fields.get("managed_by", organisation.managed_by)
    if new_parent != organisation.managed_by:
        if new_parent is None:
            policy.require_platform_admin(actor)
        else:
            policy.require_write(actor, new_parent)
            if new_parent.path.startswith(organisation.path):
                raise DomainError(
                    _("An organisation cannot be managed by one it manages."),
                    code="managed_by_cycle",
                    fields={"managed_by": [_("Choose another.")]},
                )
    org = records.update(actor, organisation, **fields)
    new_path = org.compute_path()
    if new_path != old_path:
        for sub in Organisation.objects.filter(path__startswith=old_path):
            sub.path = new_path + sub.path[len(old_path) :]
            sub.save(update_fields=["path"])
        org.path = new_path
    return org


@transaction.atomic
def create_site(*, actor: Actor, **fields) -> Site:
    """Add a place to an organisation the actor may change."""
    _only(fields, SITE_FIELDS)
    policy.require_write(actor, fields.get("organisation"))
    return records.create(actor, Site, **fields)


@transaction.atomic
def update_site(*, actor: Actor, site: Site, **fields) -> Site:
    """Change a site; moving it to another organisation needs write access to both."""
    _only(fields, SITE_FIELDS)
    policy.require_write(actor, site.organisation)
    if "organisation" in fields:
        policy.require_write(actor, fields["organisation"])
    return records.update(actor, site, **fields)


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    username: str,
    password: str,
    organisation: Organisation,
    role: str = Role.VIEWER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """Create a person with a role in an organisation the actor administers."""
    policy.require_admin(actor, organisation)
    _check_role_grant(actor, role)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("This username is taken."),
            code="username_taken",
            fields={"username": [_("This username is taken.")]},
        )
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email, phone=phone
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            exc.messages[0], code="weak_password", fields={"password": exc.messages}
        ) from exc
    user.set_password(password)
    user = records.create(
        actor,
        User,
        **{
            f.attname: getattr(user, f.attname)
            for f in User._meta.concrete_fields
            if f.attname != "id"
        },
    )
    records.create(actor, Membership, user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def update_user(*, actor: Actor, user: User, **fields) -> User:
    """Change a person's name, contact or active flag (admins of one of their organisations)."""
    _only(fields, ("first_name", "last_name", "email", "phone", "is_active"))
    _require_admin_of_user(actor, user)
    return records.update(actor, user, **fields)


@transaction.atomic
def set_membership(
    *, actor: Actor, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give ``user`` a role in ``organisation`` (or change it)."""
    policy.require_admin(actor, organisation)
    _check_role_grant(actor, role)
    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    if existing:
        return records.update(actor, existing, role=role)
    return records.create(actor, Membership, user=user, organisation=organisation, role=role)


@transaction.atomic
def remove_membership(*, actor: Actor, membership: Membership) -> None:
    """Take a role away; the person keeps their account."""
    policy.require_admin(actor, membership.organisation)
    audit.record(actor, "membership.delete", membership, {"role": [membership.role, None]})
    membership.delete()


def _check_role_grant(actor: Actor, role: str) -> None:
    if role not in Role.values:
        raise DomainError(
            _("Unknown role."), code="unknown_role", fields={"role": [_("Unknown role.")]}
        )
    if role == Role.REGULATOR:
        policy.require_platform_admin(actor)


def _require_admin_of_user(actor: Actor, user: User) -> None:
    if actor.is_system or policy.is_platform_admin(actor.user):
        return
    for m in user.memberships.select_related("organisation"):
        try:
            policy.require_admin(actor, m.organisation)
            return
        except PermissionDenied:
            continue
    raise NotFound()


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token for ``user``; the secret is returned once and stored only hashed."""
    if not actor.is_system and actor.user.pk != user.pk:
        policy.require_platform_admin(actor)
    if not name.strip():
        raise DomainError(
            _("Give the token a name."),
            code="validation_failed",
            fields={"name": [_("This field is required.")]},
        )
    secret = "dd_" + secrets.token_urlsafe(32)
    token = records.create(
        actor,
        ApiToken,
        user=user,
        name=name.strip(),
        prefix=secret[:10],
        key_hash=hash_token(secret),
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests carrying it are refused from now on."""
    if not actor.is_system and actor.user.pk != token.user_id:
        policy.require_platform_admin(actor)
    if token.revoked_at:
        return token
    return records.update(actor, token, revoked_at=timezone.now())
