"""Spreadsheet columns of organisations and sites (see ``daodi.core.xlsx``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daodi.core.actor import Actor
from daodi.core.xlsx import (
    Boolean,
    Choice,
    CodeText,
    Column,
    Lookup,
    Number,
    TableSpec,
    Term,
    register,
)

from . import actions, queries
from .choices import OrgKind, SiteKind
from .models import Division, Organisation, Site


def readable_organisations(actor: Actor):
    """Organisations the actor may read; the system (CLI without --user) reads all."""
    if actor.is_system:
        return Organisation.objects.select_related("managed_by", "division")
    return queries.organisations(actor.user)


def referable_organisations(actor: Actor):
    """Organisations a row may name as manager: those the actor reads, and the managers
    above the actor's own organisations, so that a user's export (which names them) imports
    back. Whether a row may really be placed under one is the action's decision."""
    if actor.is_system:
        return Organisation.objects.all()
    above = {
        int(pk)
        for path in actor.user.memberships.values_list("organisation__path", flat=True)
        for pk in path.strip("/").split("/")
        if pk
    }
    return Organisation.objects.filter(
        Q(pk__in=readable_organisations(actor).values("pk")) | Q(pk__in=above)
    )


def readable_sites(actor: Actor):
    if actor.is_system:
        return Site.objects.select_related("organisation", "division")
    return queries.sites(actor.user)


def divisions(actor: Actor):
    """The division tree is shared reference data: everyone may name any division."""
    return Division.objects.all()


DIVISION = Column(
    "division",
    Term(_("Division (code)"), "行政区划代码"),
    Lookup(divisions),
    help=_("12-digit statistical code of the administrative division (统计用区划代码)."),
    example="140000000000",
    width=16,
)
ACTIVE = Column(
    "is_active",
    Term(_("Active"), "启用"),
    Boolean(),
    help=_("Whether the record is in use."),
    width=8,
)
ADDRESS = Column("address", Term(_("Address"), "地址"), width=30, example="杏树村一组 12 号")


@register
class OrganisationTable(TableSpec):
    """Organisations by their unique code; ``managed by`` names the managing organisation."""

    key = "organisations"
    title = Term(_("Organisations"), "组织")
    order = 10
    columns = (
        Column(
            "code",
            Term(_("Code"), "编码"),
            CodeText(),
            required=True,
            help=_("Unique code of the organisation. A row whose code exists updates it."),
            example="HH0001",
            width=20,
        ),
        Column("name", Term(_("Name"), "名称"), required=True, example="王大山", width=24),
        Column(
            "kind",
            Term(_("Kind"), "类型"),
            Choice(OrgKind),
            required=True,
            example=OrgKind.HOUSEHOLD.label,
            width=18,
        ),
        Column(
            "managed_by",
            Term(_("Managed by (code)"), "上级组织编码"),
            Lookup(referable_organisations),
            help=_(
                "Code of the organisation that keeps this one's records, e.g. the village "
                "point of a household. It may be defined in an earlier row of this file."
            ),
            example="PT1",
            width=18,
        ),
        DIVISION,
        Column(
            "gln",
            Term(_("Party GLN"), "主体GLN"),
            CodeText(),
            help=_("13-digit GS1 global location number of the party, with check digit."),
            width=16,
        ),
        Column("contact_person", Term(_("Contact person"), "联系人"), example="王大山"),
        Column(
            "phone",
            Term(_("Phone"), "电话"),
            CodeText(),
            help=_("Digits, spaces, + and - only."),
            example="13800000000",
        ),
        ADDRESS,
        ACTIVE,
    )

    def queryset(self, actor):
        # Managers before the organisations they manage, so an export imports back in order.
        return readable_organisations(actor).order_by("path", "id")

    def natural_key(self, values):
        return (values["code"],)

    def find(self, actor, values):
        return readable_organisations(actor).filter(code=values["code"]).first()

    def create(self, actor, values):
        return actions.create_organisation(actor=actor, **values)

    def update(self, actor, obj, values):
        return actions.update_organisation(actor=actor, organisation=obj, **values)


@register
class SiteTable(TableSpec):
    """Sites by their GLN, or by organisation and name where they have none."""

    key = "sites"
    title = Term(_("Sites"), "场所")
    order = 20
    columns = (
        Column(
            "organisation",
            Term(_("Organisation (code)"), "所属组织编码"),
            Lookup(readable_organisations),
            required=True,
            help=_("Code of the organisation the site belongs to."),
            example="HH0001",
            width=18,
        ),
        Column(
            "name",
            Term(_("Name"), "名称"),
            required=True,
            help=_("Without a GLN, the organisation and the name identify the site."),
            example="王大山 1 号地块",
            width=24,
        ),
        Column(
            "kind",
            Term(_("Kind"), "类型"),
            Choice(SiteKind),
            required=True,
            example=SiteKind.PLOT.label,
            width=14,
        ),
        Column(
            "gln",
            Term(_("GLN"), "GLN"),
            CodeText(empty=None),
            help=_("13-digit GS1 global location number, with check digit; identifies the site."),
            width=16,
        ),
        DIVISION,
        ADDRESS,
        Column(
            "latitude",
            Term(_("Latitude"), "纬度"),
            Number(),
            help=_("Decimal degrees, -90 to 90, at most 6 decimals."),
            example="36.123456",
            width=12,
        ),
        Column(
            "longitude",
            Term(_("Longitude"), "经度"),
            Number(),
            help=_("Decimal degrees, -180 to 180, at most 6 decimals."),
            example="113.123456",
            width=12,
        ),
        ACTIVE,
    )

    def queryset(self, actor):
        return readable_sites(actor).order_by("organisation__path", "name", "id")

    def natural_key(self, values):
        if values.get("gln"):
            return ("gln", values["gln"])
        return ("name", values["organisation"].pk, values["name"])

    def find(self, actor, values):
        sites = readable_sites(actor)
        if values.get("gln"):
            found = sites.filter(gln=values["gln"]).first()
            if found:
                return found
            # A site registered without a GLN gets one by naming it again with its GLN.
            sites = sites.filter(gln__isnull=True)
        return sites.filter(organisation=values["organisation"], name=values["name"]).first()

    def create(self, actor, values):
        return actions.create_site(actor=actor, **values)

    def update(self, actor, obj, values):
        return actions.update_site(actor=actor, site=obj, **values)
