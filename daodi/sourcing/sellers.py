"""Grower households registered at a village point from inside the purchase form; offered
as ``sourcing.actions.register_seller`` with every other write."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from daodi.core import numbers
from daodi.core.actor import Actor
from daodi.orgs import actions as org_actions
from daodi.orgs import policy
from daodi.orgs.choices import DivisionLevel, OrgKind
from daodi.orgs.models import Division, Organisation

from . import identity
from .actions import _refuse, set_seller_identity
from .models import SellerIdentity


def _household_code(point: Organisation) -> str:
    """The next household code of ``point`` (``TH-PT01-H0001``), numbered by a counter."""
    stem = f"{point.code}-H"

    def used() -> int:
        return Organisation.objects.filter(code__startswith=stem).count()

    while True:
        code = f"{stem}{numbers.take(f'household/{point.code}', used):04d}"
        if not Organisation.objects.filter(code=code).exists():
            return code


@transaction.atomic
def register_seller(
    *,
    actor: Actor,
    point: Organisation,
    name: str,
    id_card: str,
    phone: str = "",
    village: Division | None = None,
) -> Organisation:
    """Register a grower household at a village point (from the purchase form), its code
    generated and its ID card kept masked and hashed.

    An ID card already registered finds that household (``existing`` is True on it)
    rather than making a second one; one registered under another point is refused.
    """
    policy.require_write(actor, point)
    if point.kind != OrgKind.VILLAGE_POINT:
        _refuse(_("Sellers are registered at a village buying point."), "not_a_point", "point")
    name = " ".join((name or "").split())
    if not name:
        _refuse(_("Enter the seller's name."), "validation_failed", "name")
    if not identity.is_valid(id_card):
        _refuse(
            _("Not a valid ID-card number (18 characters, the last one a check digit)."),
            "bad_id_card",
            "id_card",
        )
    phone = "".join((phone or "").split())
    if phone and not phone.replace("-", "").lstrip("+").isdigit():
        _refuse(_("Enter a phone number of digits."), "validation_failed", "phone")
    if village is not None and village.level != DivisionLevel.VILLAGE:
        _refuse(_("Choose a village."), "validation_failed", "village")
    digest = identity.digest(id_card, settings.SECRET_KEY)
    # Registrations at one point queue here: a double tap cannot make the household twice.
    Organisation.objects.select_for_update().filter(pk=point.pk).exists()
    known = SellerIdentity.objects.filter(id_card_hash=digest).select_related("organisation")
    known = known.first()
    if known is not None:
        seller = known.organisation
        if not seller.path.startswith(point.path):
            _refuse(
                _("This ID card is registered with a household of another buying point."),
                "seller_elsewhere",
                "id_card",
            )
        seller.existing = True
        return seller
    seller = org_actions.create_organisation(
        actor=actor,
        kind=OrgKind.HOUSEHOLD,
        name=name,
        code=_household_code(point),
        managed_by=point,
        division=village,
        phone=phone,
    )
    set_seller_identity(actor=actor, seller=seller, id_card=id_card)
    seller.existing = False
    return seller
