"""Vocabularies of the orgs app, named once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    HOUSEHOLD = "household", _("Grower household")
    COOPERATIVE = "cooperative", _("Co-operative")
    VILLAGE_POINT = "village_point", _("Village buying point")
    TOWNSHIP_STATION = "township_station", _("Township station")
    COUNTY_HUB = "county_hub", _("County hub")
    PROCESSOR = "processor", _("Processor")
    MANUFACTURER = "manufacturer", _("Pharmaceutical manufacturer")
    LAB = "lab", _("Testing lab")
    TRADER = "trader", _("Trader / e-commerce seller")
    LOGISTICS = "logistics", _("Logistics")
    GOVERNMENT = "government", _("Government department")


# Which kinds of organisation each kind may keep under it (``managed_by``): the buying
# network keeps its growers, a lab its branches, a department its sub-offices. A village
# point registers households, never a government department.
MANAGED_KINDS: dict[str, frozenset[str]] = {
    OrgKind.COUNTY_HUB: frozenset(
        {
            OrgKind.TOWNSHIP_STATION,
            OrgKind.VILLAGE_POINT,
            OrgKind.COOPERATIVE,
            OrgKind.HOUSEHOLD,
            OrgKind.LOGISTICS,
        }
    ),
    OrgKind.TOWNSHIP_STATION: frozenset(
        {OrgKind.VILLAGE_POINT, OrgKind.COOPERATIVE, OrgKind.HOUSEHOLD}
    ),
    OrgKind.VILLAGE_POINT: frozenset({OrgKind.HOUSEHOLD}),
    OrgKind.COOPERATIVE: frozenset({OrgKind.HOUSEHOLD}),
    OrgKind.HOUSEHOLD: frozenset(),
    # Processors and manufacturers run their own bases with contract growers (订单农业).
    OrgKind.PROCESSOR: frozenset({OrgKind.HOUSEHOLD, OrgKind.COOPERATIVE}),
    OrgKind.MANUFACTURER: frozenset({OrgKind.PROCESSOR, OrgKind.COOPERATIVE, OrgKind.HOUSEHOLD}),
    OrgKind.LAB: frozenset({OrgKind.LAB}),
    OrgKind.TRADER: frozenset({OrgKind.TRADER}),
    OrgKind.LOGISTICS: frozenset({OrgKind.LOGISTICS}),
    OrgKind.GOVERNMENT: frozenset({OrgKind.GOVERNMENT}),
}


class Role(models.TextChoices):
    """What a member may do in an organisation and in the ones it manages."""

    ADMIN = "admin", _("Administrator")  # records and members
    OPERATOR = "operator", _("Operator")  # records
    VIEWER = "viewer", _("Viewer")  # reads only
    REGULATOR = "regulator", _("Regulator")  # reads every organisation's records


WRITE_ROLES = {Role.ADMIN, Role.OPERATOR}


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


class SiteKind(models.TextChoices):
    OFFICE = "office", _("Office")
    PLOT = "plot", _("Plot")
    BUYING_POINT = "buying_point", _("Buying point")
    WAREHOUSE = "warehouse", _("Warehouse")
    DRYING_YARD = "drying_yard", _("Drying yard")
    PLANT = "plant", _("Processing plant")
    LAB = "lab", _("Laboratory")
    SHOP = "shop", _("Shop")
